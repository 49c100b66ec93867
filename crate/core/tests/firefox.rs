//! The engine over the `webRequest` event orders Firefox ESR emits
//! (recorded by `tests/e2e/firefox.test.mjs`), which differ from
//! Chromium's: the actual request of a preflight is reported before its
//! preflight and ends, refused, in either order with it; a request refused
//! at a redirect ends at the new URL with an `NS_ERROR_*` that is not
//! Firefox's CORS error; a redirect to another scheme is ended unfollowed
//! at the old URL (`NS_ERROR_CORRUPTED_CONTENT`), or, to `ftp:`, followed
//! by nothing. Each case names what the engine must report. The
//! version measured: docs/verdicts.md, "Browser versions".

use cors_lens_core::testing::{headers, Request};
use cors_lens_core::{Engine, Event, Report};

const PAGE: &str = "http://127.0.0.1:8080";
const API: &str = "http://localhost:8081/pf/x?lab=1";
const THIRD_WITH_USER: &str = "http://user:pass@localhost:8082/final";

/// A request from the lab page in tab 7.
fn request(id: &str, method: &str, url: &str) -> Request {
    Request::new(id, url)
        .method(method)
        .tab(7)
        .initiator(&format!("{PAGE}/lab.html"))
}

/// `onSendHeaders` of a CORS-mode request from the page (a same-origin one
/// carries no `Origin`, as in Firefox); `preflight_for` makes it the
/// `OPTIONS` preflight of that method.
fn send(id: &str, method: &str, url: &str, preflight_for: Option<&str>) -> Event {
    let mut h = vec![("Sec-Fetch-Mode", "cors")];
    if !url.starts_with(PAGE) {
        h.push(("Origin", PAGE));
    }
    if let Some(m) = preflight_for {
        h.push(("Access-Control-Request-Method", m));
    }
    request(id, method, url).send(headers(&h))
}

fn answer(id: &str, method: &str, url: &str, status: u16, h: &[(&str, &str)]) -> Event {
    request(id, method, url).answer(status, headers(h))
}

fn redirect(id: &str, method: &str, url: &str, to: &str) -> Event {
    request(id, method, url).redirect(to)
}

fn error(id: &str, method: &str, url: &str, error: &str) -> Event {
    request(id, method, url).error(error)
}

/// Firefox's `onCompleted` carries the status.
fn completed(id: &str, method: &str, url: &str, status: u16) -> Event {
    Event {
        status: Some(status),
        ..request(id, method, url).completed()
    }
}

/// The start Firefox reports for a preflighted `PUT`: the actual request's
/// `onSendHeaders` (id 1), then its preflight's (id 2) and answer.
fn preflighted_put(preflight_answer: &[(&str, &str)]) -> Vec<Event> {
    vec![
        send("1", "PUT", API, None),
        send("2", "OPTIONS", API, Some("PUT")),
        answer("2", "OPTIONS", API, 204, preflight_answer),
    ]
}

/// Passes with and without credentials.
const ALLOWED: &[(&str, &str)] = &[
    ("Access-Control-Allow-Origin", PAGE),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Credentials", "true"),
];
/// Passes without credentials, fails with them.
const WILDCARD: &[(&str, &str)] = &[
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "PUT"),
];

fn then(mut start: Vec<Event>, rest: Vec<Event>) -> Vec<Event> {
    start.extend(rest);
    start
}

/// What the engine reported, in order: `failure:<Chromium reason>` or
/// `notice:<kind>`.
fn run(events: Vec<Event>) -> (Vec<String>, usize) {
    let mut engine = Engine::new();
    let reports = events
        .into_iter()
        .filter_map(|e| engine.ingest(e))
        .map(|r| match r {
            Report::Failure(f) => format!("failure:{}", f.reason.chromium_id()),
            Report::Notice(n) => format!("notice:{}", n.kind.id()),
        })
        .collect();
    (reports, engine.in_flight())
}

struct Case {
    name: &'static str,
    events: Vec<Event>,
    expect: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    let bad_uri = "NS_ERROR_DOM_BAD_URI";
    vec![
        Case {
            name: "a failed preflight ended before its actual request is the only report",
            events: then(
                preflighted_put(&[]),
                vec![error("2", "OPTIONS", API, bad_uri), error("1", "PUT", API, bad_uri)],
            ),
            expect: &["failure:PreflightMissingAllowOriginHeader"],
        },
        Case {
            name: "a failed preflight ended after its actual request is the only report",
            events: then(
                preflighted_put(&[]),
                vec![error("1", "PUT", API, bad_uri), error("2", "OPTIONS", API, bad_uri)],
            ),
            expect: &["failure:PreflightMissingAllowOriginHeader"],
        },
        Case {
            name: "a preflight failing only with credentials is reported when its actual request is refused after it",
            events: then(
                preflighted_put(WILDCARD),
                vec![error("2", "OPTIONS", API, bad_uri), error("1", "PUT", API, bad_uri)],
            ),
            expect: &["failure:PreflightWildcardOriginNotAllowed"],
        },
        Case {
            name: "a preflight failing only with credentials is reported when its actual request was refused before it",
            events: then(
                preflighted_put(WILDCARD),
                vec![error("1", "PUT", API, bad_uri), error("2", "OPTIONS", API, bad_uri)],
            ),
            expect: &["failure:PreflightWildcardOriginNotAllowed"],
        },
        Case {
            name: "a preflight failing only with credentials whose actual request succeeds reports nothing",
            events: then(
                preflighted_put(WILDCARD),
                vec![
                    completed("2", "OPTIONS", API, 204),
                    answer("1", "PUT", API, 200, &[("Access-Control-Allow-Origin", "*")]),
                    completed("1", "PUT", API, 200),
                ],
            ),
            expect: &[],
        },
        Case {
            name: "a preflight passing authorization only through a wildcard warns once its actual request is answered",
            events: vec![
                send("1", "GET", API, None),
                {
                    let mut e = send("2", "OPTIONS", API, Some("GET"));
                    e.request_headers = Some(headers(&[
                        ("Sec-Fetch-Mode", "cors"),
                        ("Origin", PAGE),
                        ("Access-Control-Request-Method", "GET"),
                        ("Access-Control-Request-Headers", "authorization"),
                    ]));
                    e
                },
                answer("2", "OPTIONS", API, 204, &[("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Headers", "*")]),
                completed("2", "OPTIONS", API, 204),
                answer("1", "GET", API, 200, &[("Access-Control-Allow-Origin", PAGE)]),
                completed("1", "GET", API, 200),
            ],
            expect: &["notice:AuthorizationCoveredByWildcard"],
        },
        Case {
            name: "an actual request refused unanswered although its preflight passed is a reason not shown",
            events: then(
                preflighted_put(ALLOWED),
                vec![error("1", "PUT", API, bad_uri), completed("2", "OPTIONS", API, 204)],
            ),
            expect: &["notice:CorsReasonNotShown"],
        },
        Case {
            name: "a request refused unanswered with no preflight at all is a reason not shown",
            events: vec![send("1", "PUT", API, None), error("1", "PUT", API, bad_uri)],
            expect: &["notice:CorsReasonNotShown"],
        },
        Case {
            name: "a redirected preflight ending after its actual request is the only report",
            events: vec![
                send("1", "PUT", API, None),
                send("2", "OPTIONS", API, Some("PUT")),
                answer("2", "OPTIONS", API, 301, &[("Location", "/pf/elsewhere"), ALLOWED[0], ALLOWED[1]]),
                redirect("2", "OPTIONS", API, "http://localhost:8081/pf/elsewhere"),
                error("1", "PUT", API, bad_uri),
                error("2", "OPTIONS", "http://localhost:8081/pf/elsewhere", "NS_ERROR_NET_ON_RECEIVING_FROM"),
            ],
            expect: &["failure:PreflightDisallowedRedirect"],
        },
        Case {
            name: "each of two refused actual requests is explained by its own failed preflight",
            events: vec![
                send("1", "PUT", API, None),
                send("2", "OPTIONS", API, Some("PUT")),
                answer("2", "OPTIONS", API, 204, &[]),
                error("2", "OPTIONS", API, bad_uri),
                error("1", "PUT", API, bad_uri),
                send("3", "PUT", API, None),
                error("3", "PUT", API, bad_uri),
            ],
            expect: &["failure:PreflightMissingAllowOriginHeader", "notice:CorsReasonNotShown"],
        },
        Case {
            name: "a redirect to a url with credentials ended by NS_ERROR_UNEXPECTED is refused for the credentials",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", THIRD_WITH_USER), ("Access-Control-Allow-Origin", PAGE)]),
                redirect("1", "GET", API, THIRD_WITH_USER),
                error("1", "GET", THIRD_WITH_USER, "NS_ERROR_UNEXPECTED"),
            ],
            expect: &["failure:RedirectContainsCredentials"],
        },
        Case {
            name: "a redirect to a url with credentials ended by NS_ERROR_NET_ON_RECEIVING_FROM is refused for the credentials",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", "//user:pass@localhost:8081/final"), ("Access-Control-Allow-Origin", PAGE)]),
                redirect("1", "GET", API, "http://user:pass@localhost:8081/final"),
                error("1", "GET", "http://user:pass@localhost:8081/final", "NS_ERROR_NET_ON_RECEIVING_FROM"),
            ],
            expect: &["failure:RedirectContainsCredentials"],
        },
        Case {
            name: "a redirect without allow-origin to a url with credentials is refused for the missing header",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", THIRD_WITH_USER)]),
                redirect("1", "GET", API, THIRD_WITH_USER),
                error("1", "GET", THIRD_WITH_USER, "NS_ERROR_UNEXPECTED"),
            ],
            expect: &["failure:MissingAllowOriginHeader"],
        },
        Case {
            name: "a same-origin request redirected to another origin with credentials is refused for the credentials",
            events: vec![
                send("1", "GET", "http://127.0.0.1:8080/so/x", None),
                answer("1", "GET", "http://127.0.0.1:8080/so/x", 302, &[("Location", THIRD_WITH_USER)]),
                redirect("1", "GET", "http://127.0.0.1:8080/so/x", THIRD_WITH_USER),
                error("1", "GET", THIRD_WITH_USER, "NS_ERROR_NET_ON_RECEIVING_FROM"),
            ],
            expect: &["failure:RedirectContainsCredentials"],
        },
        Case {
            name: "a passing redirect whose plain target cannot be reached is no cors failure",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", "http://localhost:9/final"), ("Access-Control-Allow-Origin", PAGE)]),
                redirect("1", "GET", API, "http://localhost:9/final"),
                error("1", "GET", "http://localhost:9/final", "NS_ERROR_CONNECTION_REFUSED"),
            ],
            expect: &[],
        },
        Case {
            name: "a chromium network error after a redirect to a url with credentials is no cors failure",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", THIRD_WITH_USER), ("Access-Control-Allow-Origin", PAGE)]),
                redirect("1", "GET", API, THIRD_WITH_USER),
                error("1", "GET", THIRD_WITH_USER, "net::ERR_CONNECTION_REFUSED"),
            ],
            expect: &[],
        },
        Case {
            name: "a passing redirect to data: that firefox ends unfollowed is refused for its scheme",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", "data:text/plain,hi"), ("Access-Control-Allow-Origin", PAGE)]),
                error("1", "GET", API, "NS_ERROR_CORRUPTED_CONTENT"),
            ],
            expect: &["failure:CorsDisabledScheme"],
        },
        Case {
            name: "a passing redirect to javascript: or ws: that firefox ends unfollowed is refused for its scheme",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 307, &[("Location", "javascript:void(0)"), ("Access-Control-Allow-Origin", "*")]),
                error("1", "GET", API, "NS_ERROR_CORRUPTED_CONTENT"),
                send("2", "GET", API, None),
                answer("2", "GET", API, 302, &[("Location", "ws://localhost:9/socket"), ("Access-Control-Allow-Origin", PAGE)]),
                error("2", "GET", API, "NS_ERROR_CORRUPTED_CONTENT"),
            ],
            expect: &["failure:CorsDisabledScheme", "failure:CorsDisabledScheme"],
        },
        Case {
            name: "a redirect to data: failing its own headers is refused for them",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", "data:text/plain,hi")]),
                error("1", "GET", API, "NS_ERROR_CORRUPTED_CONTENT"),
            ],
            expect: &["failure:MissingAllowOriginHeader"],
        },
        Case {
            name: "corrupted content on an answer that is no redirect is no cors failure",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 200, &[("Location", "data:text/plain,hi"), ("Access-Control-Allow-Origin", PAGE)]),
                error("1", "GET", API, "NS_ERROR_CORRUPTED_CONTENT"),
                send("2", "GET", API, None),
                answer("2", "GET", API, 302, &[("Location", "/elsewhere"), ("Access-Control-Allow-Origin", PAGE)]),
                error("2", "GET", API, "NS_ERROR_CORRUPTED_CONTENT"),
            ],
            expect: &[],
        },
        Case {
            name: "a passing redirect to ftp: is refused at the redirect, where firefox's events stop",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", "ftp://localhost:9/file.txt"), ("Access-Control-Allow-Origin", PAGE)]),
                redirect("1", "GET", API, "ftp://localhost:9/file.txt"),
            ],
            expect: &["failure:CorsDisabledScheme"],
        },
        Case {
            name: "a firefox request that never got an answer is a network notice",
            events: vec![
                send("1", "GET", API, None),
                error("1", "GET", API, "NS_ERROR_CONNECTION_REFUSED"),
            ],
            expect: &["notice:NoResponse"],
        },
        Case {
            name: "a redirect to a url with credentials cancelled by the page is no cors failure",
            events: vec![
                send("1", "GET", API, None),
                answer("1", "GET", API, 302, &[("Location", THIRD_WITH_USER), ("Access-Control-Allow-Origin", PAGE)]),
                redirect("1", "GET", API, THIRD_WITH_USER),
                error("1", "GET", THIRD_WITH_USER, "NS_BINDING_ABORTED"),
            ],
            expect: &[],
        },
    ]
}

#[test]
fn firefox_event_orders_give_firefox_verdicts() {
    let mut wrong = Vec::new();
    for case in cases() {
        let (reports, left) = run(case.events);
        if reports != case.expect || left != 0 {
            wrong.push(format!(
                "{}: reported {reports:?}, expected {:?}; {left} requests left in flight",
                case.name, case.expect
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn refused_redirect_findings_name_the_hop_that_redirected_once() {
    let mut engine = Engine::new();
    let events = vec![
        send("1", "GET", API, None),
        answer(
            "1",
            "GET",
            API,
            302,
            &[
                ("Location", THIRD_WITH_USER),
                ("Access-Control-Allow-Origin", PAGE),
            ],
        ),
        redirect("1", "GET", API, THIRD_WITH_USER),
        error("1", "GET", THIRD_WITH_USER, "NS_ERROR_UNEXPECTED"),
    ];
    let reports: Vec<Report> = events
        .into_iter()
        .filter_map(|e| engine.ingest(e))
        .collect();
    let [Report::Failure(f)] = reports.as_slice() else {
        panic!("expected one failure, got {reports:?}");
    };
    assert_eq!(f.url, API);
    assert!(
        f.redirects.is_empty(),
        "the hop is listed as an earlier one: {:?}",
        f.redirects
    );
    assert_eq!(f.reason.mdn_id(), "CORSDidNotSucceed");
}
