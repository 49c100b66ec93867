//! The notices of what still breaks once CORS passes (issue 12, item 2),
//! through the engine: each appears exactly where its evidence is in the
//! exchange, and never on the passing controls beside it.

use cors_lens_core::explain::explain;
use cors_lens_core::l10n::Lang;
use cors_lens_core::{Engine, Event, EventKind, NoticeKind, Report};

const PAGE: &str = "http://127.0.0.1:8080";
const API: &str = "http://localhost:8081";
const ACAO: &str = "Access-Control-Allow-Origin";
const ACAC: &str = "Access-Control-Allow-Credentials";

/// One request from the page: its request headers, its response, and the
/// event it ends with (completed unless `error`). Returns the one report.
fn exchange(
    method: &str,
    resource_type: &str,
    request: &[(&str, &str)],
    response: &[(&str, &str)],
) -> Option<Report> {
    let url = format!("{API}/x?id=1");
    let mut send = Event::new(EventKind::SendHeaders, "1", &url);
    send.method = method.to_owned();
    send.resource_type = resource_type.to_owned();
    send.initiator = Some(PAGE.to_owned());
    send.request_headers = Some(request.iter().copied().collect());
    let mut received = Event::new(EventKind::HeadersReceived, "1", &url);
    received.method = method.to_owned();
    received.resource_type = resource_type.to_owned();
    received.status = Some(if method == "OPTIONS" { 204 } else { 200 });
    received.response_headers = Some(response.iter().copied().collect());
    let mut done = Event::new(EventKind::Completed, "1", &url);
    done.method = method.to_owned();
    done.resource_type = resource_type.to_owned();
    let mut engine = Engine::new();
    let mut found = None;
    for e in [send, received, done] {
        if let Some(r) = engine.ingest(e) {
            assert!(found.is_none(), "one record per request");
            found = Some(r);
        }
    }
    found
}

/// (name, request headers, response headers, the notice and its detail)
type Case<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Vec<(&'a str, &'a str)>,
    Option<(NoticeKind, &'a str)>,
);

fn check(method: &str, resource_type: &str, cases: Vec<Case>) {
    for (name, request, response, want) in cases {
        let got = match exchange(method, resource_type, &request, &response) {
            None => None,
            Some(Report::Notice(n)) => Some((n.kind, n.detail)),
            Some(Report::Failure(f)) => panic!("{name}: a failure {:?}", f.reason),
        };
        let want = want.map(|(k, d)| (k, d.to_owned()));
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn headers_the_page_cannot_read_are_named_only_when_not_exposed() {
    let cors = vec![("Origin", PAGE), ("Sec-Fetch-Mode", "cors")];
    let cookie = vec![
        ("Origin", PAGE),
        ("Sec-Fetch-Mode", "cors"),
        ("Cookie", "s=1"),
    ];
    use NoticeKind::UnexposedResponseHeaders as U;
    check(
        "GET",
        "xmlhttprequest",
        vec![
            (
                "custom headers not exposed",
                cors.clone(),
                vec![
                    (ACAO, "*"),
                    ("X-Total-Count", "42"),
                    ("Link", "</p2>; rel=next"),
                ],
                Some((U, "X-Total-Count, Link")),
            ),
            (
                "only the headers left out are named",
                cors.clone(),
                vec![
                    (ACAO, "*"),
                    ("X-Total-Count", "42"),
                    ("Link", "</p2>"),
                    ("Access-Control-Expose-Headers", "x-total-count"),
                ],
                Some((U, "Link")),
            ),
            (
                "every custom header exposed: nothing to say",
                cors.clone(),
                vec![
                    (ACAO, "*"),
                    ("X-Total-Count", "42"),
                    ("Access-Control-Expose-Headers", "Link, X-Total-Count"),
                    ("Link", "</p2>"),
                ],
                None,
            ),
            (
                "safelisted and transport headers never count",
                cors.clone(),
                vec![
                    (ACAO, "*"),
                    ("Cache-Control", "no-store"),
                    ("Content-Language", "fr"),
                    ("Content-Length", "3"),
                    ("Content-Type", "text/plain"),
                    ("Expires", "0"),
                    ("Last-Modified", "Sun, 06 Dec 2026 10:00:00 GMT"),
                    ("Pragma", "no-cache"),
                    ("Date", "Sun, 06 Dec 2026 10:00:00 GMT"),
                    ("Connection", "keep-alive"),
                    ("Keep-Alive", "timeout=5"),
                    ("Set-Cookie", "a=1"),
                ],
                None,
            ),
            (
                "* exposes every header without credentials",
                cors.clone(),
                vec![
                    (ACAO, "*"),
                    ("X-Total-Count", "1"),
                    ("Access-Control-Expose-Headers", "*"),
                ],
                None,
            ),
            (
                "* is a header name, not a wildcard, with credentials",
                cookie.clone(),
                vec![
                    (ACAO, PAGE),
                    (ACAC, "true"),
                    ("Vary", "Origin"),
                    ("X-Total-Count", "1"),
                    ("Access-Control-Expose-Headers", "*"),
                ],
                Some((U, "X-Total-Count")),
            ),
        ],
    );
}

#[test]
fn a_no_cors_fetch_to_another_origin_is_named_for_its_opaque_response() {
    use NoticeKind::NoCorsOpaqueResponse as N;
    let cases: Vec<ModeCase> = vec![
        (
            "fetch, no-cors",
            "GET",
            "xmlhttprequest",
            vec![("Sec-Fetch-Mode", "no-cors")],
            Some((N, "no-cors")),
        ),
        (
            "POST no-cors carries Origin",
            "POST",
            "xmlhttprequest",
            vec![("Sec-Fetch-Mode", "no-cors"), ("Origin", PAGE)],
            Some((N, "no-cors")),
        ),
        (
            "an image without crossorigin is no-cors by design",
            "GET",
            "image",
            vec![("Sec-Fetch-Mode", "no-cors")],
            None,
        ),
        (
            "a script without crossorigin too",
            "GET",
            "script",
            vec![("Sec-Fetch-Mode", "no-cors")],
            None,
        ),
        (
            "a cors fetch that passed",
            "GET",
            "xmlhttprequest",
            vec![("Sec-Fetch-Mode", "cors"), ("Origin", PAGE)],
            None,
        ),
        (
            "no Sec-Fetch-Mode (a URL that is not trustworthy): no guess",
            "GET",
            "xmlhttprequest",
            vec![],
            None,
        ),
    ];
    for (name, method, ty, request, want) in cases {
        let response: Vec<(&str, &str)> = if request.iter().any(|(_, v)| *v == "cors") {
            vec![(ACAO, "*")]
        } else {
            vec![("Content-Type", "text/plain")]
        };
        let got = match exchange(method, ty, &request, &response) {
            None => None,
            Some(Report::Notice(n)) => Some((n.kind, n.detail)),
            Some(Report::Failure(f)) => panic!("{name}: a failure {:?}", f.reason),
        };
        assert_eq!(got, want.map(|(k, d)| (k, d.to_owned())), "{name}");
    }
}

#[test]
fn cookies_a_cross_site_credentialed_response_cannot_set_are_named() {
    let cookie = vec![
        ("Origin", PAGE),
        ("Sec-Fetch-Mode", "cors"),
        ("Cookie", "s=1"),
    ];
    let plain = vec![("Origin", PAGE), ("Sec-Fetch-Mode", "cors")];
    let cred = |set_cookie: &'static str| {
        vec![
            (ACAO, PAGE),
            (ACAC, "true"),
            ("Vary", "Origin"),
            ("Set-Cookie", set_cookie),
        ]
    };
    use NoticeKind::CookieNotStoredCrossSite as C;
    check(
        "GET",
        "xmlhttprequest",
        vec![
            (
                "SameSite missing",
                cookie.clone(),
                cred("sid=secret-value; Path=/"),
                Some((C, "sid: SameSite missing")),
            ),
            (
                "SameSite=Lax",
                cookie.clone(),
                cred("sid=v; SameSite=Lax"),
                Some((C, "sid: SameSite=Lax")),
            ),
            (
                "SameSite=Strict, credentials allowed, no cookie yet",
                plain.clone(),
                cred("sid=v; SameSite=Strict; Secure"),
                Some((C, "sid: SameSite=Strict")),
            ),
            (
                "None without Secure",
                cookie.clone(),
                cred("sid=v; SameSite=None"),
                Some((C, "sid: SameSite=None without Secure")),
            ),
            (
                "SameSite=None, Partitioned, without Secure is kept (measured)",
                cookie.clone(),
                cred("sid=v; SameSite=None; Partitioned"),
                None,
            ),
            (
                "None; Secure is kept",
                cookie.clone(),
                cred("sid=v; SameSite=None; Secure"),
                None,
            ),
            (
                "None; Secure; Partitioned is kept",
                cookie.clone(),
                cred("sid=v; SameSite=none; Secure; Partitioned"),
                None,
            ),
            (
                "before the missing Vary: the cookie is dropped now",
                cookie.clone(),
                vec![(ACAO, PAGE), (ACAC, "true"), ("Set-Cookie", "sid=v")],
                Some((C, "sid: SameSite missing")),
            ),
            (
                "no credentials: the browser ignores Set-Cookie anyway",
                plain.clone(),
                vec![(ACAO, "*"), ("Set-Cookie", "sid=v")],
                None,
            ),
        ],
    );
}

#[test]
fn a_preflight_max_age_above_the_cap_is_named_on_the_passing_preflight() {
    let request = vec![
        ("Origin", PAGE),
        ("Sec-Fetch-Mode", "cors"),
        ("Access-Control-Request-Method", "PUT"),
    ];
    let answer = |max_age: &'static str| {
        vec![
            (ACAO, PAGE),
            (ACAC, "true"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", max_age),
        ]
    };
    use NoticeKind::MaxAgeAboveBrowserCap as M;
    check(
        "OPTIONS",
        "other",
        vec![
            (
                "a day",
                request.clone(),
                answer("86400"),
                Some((M, "86400")),
            ),
            (
                "one second over Chromium's cap",
                request.clone(),
                answer("7201"),
                Some((M, "7201")),
            ),
            (
                "Chromium's cap itself",
                request.clone(),
                answer("7200"),
                None,
            ),
            ("ten minutes", request.clone(), answer("600"), None),
            (
                "unreadable: ignored by browsers",
                request.clone(),
                answer("1e9"),
                None,
            ),
        ],
    );
}

#[test]
fn a_reflected_origin_without_vary_behind_a_cache_is_a_warning_without_credentials() {
    let cors = vec![("Origin", PAGE), ("Sec-Fetch-Mode", "cors")];
    use NoticeKind::OriginWithoutVaryBehindCache as V;
    check(
        "GET",
        "xmlhttprequest",
        vec![
            (
                "Age",
                cors.clone(),
                vec![(ACAO, PAGE), ("Age", "30")],
                Some((V, "Age: 30")),
            ),
            (
                "X-Cache MISS: a cache sits in between",
                cors.clone(),
                vec![(ACAO, PAGE), ("X-Cache", "MISS")],
                Some((V, "X-Cache: MISS")),
            ),
            (
                "CF-Cache-Status",
                cors.clone(),
                vec![(ACAO, PAGE), ("CF-Cache-Status", "HIT")],
                Some((V, "CF-Cache-Status: HIT")),
            ),
            (
                "with Vary: Origin",
                cors.clone(),
                vec![(ACAO, PAGE), ("Age", "30"), ("Vary", "Origin")],
                None,
            ),
            ("no cache seen", cors.clone(), vec![(ACAO, PAGE)], None),
            (
                "* is the same for everyone",
                cors.clone(),
                vec![(ACAO, "*"), ("Age", "30")],
                None,
            ),
        ],
    );
}

/// (name, response headers, the header the explanation quotes)
type CacheCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, Option<&'a str>);

/// (name, method, resource type, request headers, the notice and its detail)
type ModeCase<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Vec<(&'a str, &'a str)>,
    Option<(NoticeKind, &'a str)>,
);

/// A response that fails the check, served from a cache: the browser names
/// the header, the explanation names the cache.
#[test]
fn a_refusal_served_from_a_cache_names_the_cache() {
    let cors = [("Origin", PAGE), ("Sec-Fetch-Mode", "cors")];
    let cases: Vec<CacheCase> = vec![
        (
            "another origin's answer, no Vary",
            vec![(ACAO, "http://other.test"), ("Age", "120")],
            Some("Age: 120"),
        ),
        (
            "no header, from a CDN",
            vec![("CF-Cache-Status", "HIT")],
            Some("CF-Cache-Status: HIT"),
        ),
        (
            "another origin's answer with Vary",
            vec![
                (ACAO, "http://other.test"),
                ("X-Cache", "Hit from cloudfront"),
                ("Vary", "Origin"),
            ],
            Some("X-Cache: Hit from cloudfront"),
        ),
        (
            "a cache MISS is the server's own answer",
            vec![("X-Cache", "MISS")],
            None,
        ),
        ("no cache", vec![(ACAO, "http://other.test")], None),
    ];
    for (name, response, want) in cases {
        let url = format!("{API}/x?id=1");
        let mut send = Event::new(EventKind::SendHeaders, "1", &url);
        send.initiator = Some(PAGE.to_owned());
        send.request_headers = Some(cors.iter().copied().collect());
        let mut received = Event::new(EventKind::HeadersReceived, "1", &url);
        received.status = Some(200);
        received.response_headers = Some(response.iter().copied().collect());
        let mut end = Event::new(EventKind::ErrorOccurred, "1", &url);
        end.error = Some("net::ERR_FAILED".into());
        let mut engine = Engine::new();
        engine.ingest(send);
        engine.ingest(received);
        let Some(Report::Failure(f)) = engine.ingest(end) else {
            panic!("{name}: a failure");
        };
        for lang in [Lang::En, Lang::Fr] {
            let why = explain(&f, lang).what;
            match want {
                Some(evidence) => assert!(why.contains(evidence), "{name} {lang:?}: {why}"),
                None => assert!(!why.contains("cache"), "{name} {lang:?}: {why}"),
            }
        }
    }
}
