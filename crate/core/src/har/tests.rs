//! The HAR adapter on small fixture files (tests/fixtures/har/), one per
//! writer and shape, and on unreadable input.

use super::*;
use crate::finding::Credentials;
use crate::notice::NoticeKind;
use crate::reason::CorsError;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/har")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Case {
    file: &'static str,
    /// The failures expected: reason, credentials, URL suffix.
    failures: &'static [(CorsError, Credentials, &'static str)],
    /// Notices expected (kinds as debug names).
    notices: usize,
    without_response: usize,
}

/// The reasons of the analysis' failures, in order.
fn reasons(a: &Analysis) -> Vec<CorsError> {
    a.reports
        .iter()
        .filter_map(|r| match r {
            Report::Failure(f) => Some(f.reason),
            Report::Notice(_) => None,
        })
        .collect()
}

/// The kinds of the analysis' notices, in order.
fn notice_kinds(a: &Analysis) -> Vec<NoticeKind> {
    a.reports
        .iter()
        .filter_map(|r| match r {
            Report::Notice(n) => Some(n.kind),
            Report::Failure(_) => None,
        })
        .collect()
}

#[test]
fn each_har_shape_gets_the_verdict_of_its_headers() {
    use CorsError::*;
    use Credentials::*;
    let cases = [
        Case {
            file: "chromium-missing-acao.har",
            failures: &[(MissingAllowOriginHeader, Unknown, "/api/no-acao")],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "chromium-preflight.har",
            failures: &[(PreflightMissingAllowOriginHeader, Unknown, "/pf/no-acao")],
            notices: 0,
            without_response: 1,
        },
        Case {
            file: "chromium-redirect.har",
            failures: &[(MissingAllowOriginHeader, Unknown, "/final")],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "firefox-wildcard-cookie.har",
            failures: &[(
                WildcardOriginNotAllowed,
                IncludeFromCookie,
                "/api/wildcard-cred",
            )],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "sanitized-credentials.har",
            failures: &[(
                WildcardOriginNotAllowed,
                IncludeFromFailure,
                "/api/wildcard",
            )],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "playwright-no-response.har",
            failures: &[],
            notices: 0,
            without_response: 1,
        },
        Case {
            file: "passing.har",
            failures: &[],
            notices: 0,
            without_response: 0,
        },
    ];
    for case in cases {
        let a = analyze(&fixture(case.file)[..]).unwrap_or_else(|e| panic!("{}: {e:?}", case.file));
        let got: Vec<(CorsError, Credentials, String)> = a
            .reports
            .iter()
            .filter_map(|r| match r {
                Report::Failure(f) => Some((f.reason, f.credentials, f.url.clone())),
                Report::Notice(_) => None,
            })
            .collect();
        assert_eq!(got.len(), case.failures.len(), "{}: {got:?}", case.file);
        for ((reason, creds, url), want) in got.iter().zip(case.failures) {
            assert_eq!(*reason, want.0, "{}", case.file);
            assert_eq!(*creds, want.1, "{}", case.file);
            assert!(url.ends_with(want.2), "{}: {url}", case.file);
        }
        assert_eq!(a.notices(), case.notices, "{}: {:?}", case.file, a.reports);
        assert_eq!(
            a.counts.without_response, case.without_response,
            "{}",
            case.file
        );
    }
}

#[test]
fn a_redirect_keeps_its_first_hop_and_the_null_origin() {
    let a = analyze(&fixture("chromium-redirect.har")[..]).expect("a HAR");
    let Some(Report::Failure(f)) = a.reports.first() else {
        panic!("a failure: {:?}", a.reports);
    };
    assert_eq!(f.origin, "null");
    assert_eq!(f.page_origin, "http://127.0.0.1:8000");
    assert_eq!(f.redirects.len(), 1);
    assert!(f.redirects[0].ends_with("/api/redirect"));
}

#[test]
fn the_cookie_list_of_a_har_counts_as_a_cookie_sent_and_is_redacted() {
    let text = String::from_utf8(fixture("firefox-wildcard-cookie.har")).expect("text");
    // The same request with the cookie in `cookies` only.
    let moved = text
        .replace(
            r#"{
       "name": "Cookie",
       "value": "session=s3cr3t-value"
      }"#,
            r#"{"name": "Accept", "value": "*/*"}"#,
        )
        .replace(
            r#""cookies": [],
     "headers""#,
            r#""cookies": [{"name": "session", "value": "s3cr3t-value"}], "headers""#,
        );
    assert!(!moved.contains("\"Cookie\""), "the fixture changed shape");
    let a = analyze(moved.as_bytes()).expect("a HAR");
    let Some(Report::Failure(f)) = a.reports.first() else {
        panic!("a failure: {:?}", a.reports);
    };
    assert_eq!(f.credentials, Credentials::IncludeFromCookie);
    assert!(!format!("{f:?}").contains("s3cr3t-value"));
}

#[test]
fn unreadable_input_says_why() {
    let cases: [(&[u8], &str); 7] = [
        (b"<html>not json</html>", "not_json"),
        (b"{\"log\": {\"version\": \"1.2\"}}", "not_har"),
        (b"{\"hello\": 1}", "not_har"),
        (b"[1, 2, 3]", "not_har"),
        (
            b"{\"log\": {\"entries\": [{\"request\": {\"url\": \"http://a/\"",
            "truncated",
        ),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary"),
        (b"{\"log\": {\"entries\": [{\"request\": 42}]}}", "not_har"),
    ];
    for (input, key) in cases {
        let err = analyze(input).expect_err("unreadable");
        assert_eq!(
            err.key(),
            key,
            "{:?}: {err:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn an_empty_har_is_read_and_has_nothing_to_say() {
    let a = analyze(&b"{\"log\": {\"version\": \"1.2\", \"entries\": []}}"[..]).expect("a HAR");
    assert!(a.reports.is_empty());
    assert_eq!(a.counts.entries, 0);
}

#[test]
fn entries_are_read_one_at_a_time_in_file_order() {
    let mut urls = Vec::new();
    let n = entries(&fixture("chromium-redirect.har")[..], &mut |e| {
        urls.push(e.request.url)
    })
    .expect("a HAR");
    assert_eq!(n, 2);
    assert!(urls[0].ends_with("/api/redirect") && urls[1].ends_with("/final"));
}

#[test]
fn a_refused_request_listed_before_its_preflight_is_judged_with_it() {
    let text = String::from_utf8(fixture("chromium-preflight.har")).expect("text");
    let mut har: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let entries = har["log"]["entries"].as_array_mut().expect("entries");
    entries.reverse();
    let a = analyze(har.to_string().as_bytes()).expect("a HAR");
    assert_eq!(reasons(&a), [CorsError::PreflightMissingAllowOriginHeader]);
    assert_eq!(a.notices(), 0, "{:?}", a.reports);
}

#[test]
fn the_same_problem_seen_twice_is_one_record_counted_twice() {
    let text = String::from_utf8(fixture("chromium-missing-acao.har")).expect("text");
    let mut har: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let entries = har["log"]["entries"].as_array_mut().expect("entries");
    let again = entries[1].clone();
    entries.push(again);
    let a = analyze(har.to_string().as_bytes()).expect("a HAR");
    assert_eq!(a.failures(), 2);
    let records = a.records();
    assert_eq!(records.len(), 1);
    let crate::wire::Record::Failure(f) = &records[0] else {
        panic!("a failure record");
    };
    assert_eq!(f.count, 2);
}

/// One entry as the Network panel exports it: `request` and `response`
/// headers as `[name, value]` pairs, its start (ms after a fixed time) and
/// its `blocked` time.
fn panel_entry(
    kind: &str,
    method: &str,
    url: &str,
    request: &[(&str, &str)],
    response: (i64, &[(&str, &str)]),
    start_ms: u32,
    blocked_ms: f64,
) -> serde_json::Value {
    let pairs = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
            .collect::<Vec<_>>()
    };
    let location = response
        .1
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("location"))
        .map_or("", |(_, v)| v);
    serde_json::json!({
        "_resourceType": kind,
        "startedDateTime": format!("2026-12-06T10:00:{:02}.{:03}Z", start_ms / 1000, start_ms % 1000),
        "request": {"method": method, "url": url, "headers": pairs(request)},
        "response": {"status": response.0, "headers": pairs(response.1), "redirectURL": location},
        "timings": {"blocked": blocked_ms, "dns": -1, "connect": -1},
    })
}

const PAGE: &str = "http://127.0.0.1:8000";
const CORS_GET: [(&str, &str); 3] = [
    ("Origin", PAGE),
    ("Referer", "http://127.0.0.1:8000/"),
    ("Sec-Fetch-Mode", "cors"),
];

struct OrderCase {
    name: &'static str,
    /// The entries in file order.
    entries: Vec<serde_json::Value>,
    /// The notices the engine must give.
    notices: &'static [NoticeKind],
    /// The failures it must give.
    failures: &'static [CorsError],
}

#[test]
fn entries_as_the_network_panels_list_them_give_the_live_panels_notices() {
    let api = "http://localhost:9000/pf/authorization?lab=1";
    let actual = |start, blocked| {
        panel_entry(
            "fetch",
            "GET",
            api,
            &[CORS_GET.as_slice(), &[("Authorization", "Bearer t")]].concat(),
            (200, &[("Access-Control-Allow-Origin", PAGE)]),
            start,
            blocked,
        )
    };
    let preflight = |start| {
        panel_entry(
            "preflight",
            "OPTIONS",
            api,
            &[
                CORS_GET.as_slice(),
                &[
                    ("Access-Control-Request-Method", "GET"),
                    ("Access-Control-Request-Headers", "authorization"),
                ],
            ]
            .concat(),
            (
                204,
                &[
                    ("Access-Control-Allow-Origin", PAGE),
                    ("Access-Control-Allow-Headers", "*"),
                ],
            ),
            start,
            0.5,
        )
    };
    let other = |start| {
        panel_entry(
            "fetch",
            "GET",
            "http://localhost:9000/api/ok?lab=2",
            &CORS_GET,
            (200, &[("Access-Control-Allow-Origin", PAGE)]),
            start,
            0.5,
        )
    };
    let ws = "ws://localhost:9002/socket";
    // Firefox's export: no `_resourceType`, no `blocked` time; its whole
    // `time` covers the wait for the preflight.
    let firefox = |mut e: serde_json::Value, time: f64| {
        if let Some(o) = e.as_object_mut() {
            o.remove("_resourceType");
        }
        e["timings"]["blocked"] = (-1).into();
        e["time"] = time.into();
        e
    };
    let no_cors = |dest: &str| {
        firefox(
            panel_entry(
                "",
                "GET",
                "http://localhost:9000/notice/no-cors?lab=4",
                &[
                    ("Referer", "http://127.0.0.1:8000/"),
                    ("Sec-Fetch-Mode", "no-cors"),
                    ("Sec-Fetch-Dest", dest),
                ],
                (200, &[]),
                100,
                0.5,
            ),
            2.0,
        )
    };
    let with_user = "http://user:pass@localhost:9002/final";
    let cases = [
        OrderCase {
            name: "the actual request listed first (it starts first; its wait for the preflight is in `blocked`)",
            entries: vec![actual(100, 9.4), preflight(101)],
            notices: &[NoticeKind::AuthorizationCoveredByWildcard],
            failures: &[],
        },
        OrderCase {
            name: "the preflight listed first",
            entries: vec![preflight(100), actual(101, 0.5)],
            notices: &[NoticeKind::AuthorizationCoveredByWildcard],
            failures: &[],
        },
        OrderCase {
            name: "another request in between, started before the actual one was sent",
            entries: vec![actual(100, 9.4), other(101), preflight(102)],
            notices: &[NoticeKind::AuthorizationCoveredByWildcard],
            failures: &[],
        },
        OrderCase {
            name: "no preflight: a request started after it was sent lets it go",
            entries: vec![actual(100, 0.5), other(200)],
            notices: &[],
            failures: &[],
        },
        OrderCase {
            name: "a redirect to ws: followed, its hop never sent (provisional headers only)",
            entries: vec![
                panel_entry(
                    "fetch",
                    "GET",
                    "http://localhost:9000/rd/redirect-ws?lab=3",
                    &CORS_GET,
                    (
                        302,
                        &[("Access-Control-Allow-Origin", PAGE), ("Location", ws)],
                    ),
                    100,
                    0.5,
                ),
                {
                    let mut hop = panel_entry(
                        "fetch",
                        "GET",
                        ws,
                        &[("Referer", "http://127.0.0.1:8000/")],
                        (0, &[]),
                        110,
                        0.5,
                    );
                    hop["response"]["_error"] = "net::ERR_UNKNOWN_URL_SCHEME".into();
                    hop
                },
            ],
            notices: &[NoticeKind::NoResponse],
            failures: &[],
        },
        OrderCase {
            name: "Firefox: the actual request listed first, its `time` covering the preflight",
            entries: vec![firefox(actual(100, 0.5), 12.0), firefox(preflight(101), 3.0)],
            notices: &[NoticeKind::AuthorizationCoveredByWildcard],
            failures: &[],
        },
        OrderCase {
            name: "Firefox: a no-cors fetch, told by Sec-Fetch-Dest: empty",
            entries: vec![no_cors("empty")],
            notices: &[NoticeKind::NoCorsOpaqueResponse],
            failures: &[],
        },
        OrderCase {
            name: "Firefox: a no-cors image is no fetch",
            entries: vec![no_cors("image")],
            notices: &[],
            failures: &[],
        },
        OrderCase {
            name: "Firefox: a redirect to a URL with credentials, no next hop and no error kept",
            entries: vec![firefox(
                panel_entry(
                    "",
                    "GET",
                    "http://localhost:9000/rd/redirect-userinfo?lab=5",
                    &[CORS_GET.as_slice(), &[("Sec-Fetch-Dest", "empty")]].concat(),
                    (
                        302,
                        &[("Access-Control-Allow-Origin", PAGE), ("Location", with_user)],
                    ),
                    100,
                    0.5,
                ),
                2.0,
            )],
            notices: &[],
            failures: &[CorsError::RedirectContainsCredentials],
        },
        OrderCase {
            name: "Firefox: a redirect to the page's own origin with credentials is allowed, and followed",
            entries: vec![
                firefox(
                    panel_entry(
                        "",
                        "GET",
                        "http://localhost:9000/rd/back?lab=6",
                        &[CORS_GET.as_slice(), &[("Sec-Fetch-Dest", "empty")]].concat(),
                        (
                            302,
                            &[
                                ("Access-Control-Allow-Origin", PAGE),
                                ("Location", "http://user:pass@127.0.0.1:8000/back"),
                            ],
                        ),
                        100,
                        0.5,
                    ),
                    2.0,
                ),
                firefox(
                    panel_entry(
                        "",
                        "GET",
                        "http://user:pass@127.0.0.1:8000/back",
                        &[("Origin", "null"), ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")],
                        (200, &[("Access-Control-Allow-Origin", "null")]),
                        110,
                        0.5,
                    ),
                    2.0,
                ),
            ],
            // The page's null origin is allowed: a warning, no failure.
            notices: &[NoticeKind::NullOriginAllowed],
            failures: &[],
        },
    ];
    for case in cases {
        let har = serde_json::json!({"log": {"version": "1.2", "entries": case.entries}});
        let a = analyze(har.to_string().as_bytes()).expect("a HAR");
        assert_eq!(reasons(&a), case.failures, "{}: {:?}", case.name, a.reports);
        assert_eq!(notice_kinds(&a), case.notices, "{}", case.name);
    }
}

#[test]
fn entries_out_of_time_order_are_held_no_more_than_the_cap() {
    // Each entry starts before the one listed before it: none lets another
    // out, and the adapter must not keep them all.
    let entries: Vec<serde_json::Value> = (0..1000u32)
        .map(|i| {
            panel_entry(
                "fetch",
                "GET",
                &format!("http://localhost:9000/api/ok?n={i}"),
                &CORS_GET,
                (200, &[("Access-Control-Allow-Origin", PAGE)]),
                50_000 - i * 10,
                0.5,
            )
        })
        .collect();
    let mut adapter = Adapter::new();
    let mut most = 0;
    let mut events = 0;
    for e in entries {
        let entry: Entry = serde_json::from_value(e).expect("an entry");
        events += adapter.entry(entry).len();
        most = most.max(adapter.held_len());
    }
    events += adapter.finish().len();
    assert!(most <= 256, "{most} held at once");
    assert_eq!(events, 3000, "every entry's events, once");
}
