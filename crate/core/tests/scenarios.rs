//! Runs the engine over the end-to-end scenario table
//! (`tests/fixtures/scenarios.json`), replaying the `webRequest` events
//! Chromium emits for each scenario, and checks the engine names the reason
//! Chromium reported (recorded in the table's `expect`).

use cors_lens_core::headers::Headers;
use cors_lens_core::testing::{headers, Request};
use cors_lens_core::{Credentials, Engine, Event, EventKind, Finding, Notice, NoticeKind, Report};
use serde_json::Value;

const PAGE: &str = "http://127.0.0.1:8080";
const API: &str = "http://localhost:8081";
const THIRD: &str = "http://localhost:8082";
const PAGE_PORT: &str = "8080";

/// Fills the table's placeholders: the page origin and port, and the lab
/// hosts that redirect targets name.
fn fill(value: &str) -> String {
    value
        .replace("{origin}", PAGE)
        .replace("{port}", PAGE_PORT)
        .replace("{pageHost}", "127.0.0.1:8080")
        .replace("{apiHost}", "localhost:8081")
        .replace("{thirdHost}", "localhost:8082")
}

/// For a scenario answered by a redirect (`webRequestEnd` present), what
/// `webRequest` reports after the redirect's headers, as measured in
/// Chromium: `onBeforeRedirect` when the browser followed it
/// (`redirectFollowed`), then `onErrorOccurred` with `webRequestEnd` (on the
/// target once followed), or nothing at all when `webRequestEnd` is null.
fn redirect_tail(scenario: &Value, url: &str, request: &Request) -> Vec<Event> {
    let location = scenario["response"]["headers"]
        .as_array()
        .and_then(|h| h.iter().find(|pair| pair[0] == "Location"))
        .and_then(|pair| pair[1].as_str())
        .map(fill)
        .expect("a redirect scenario has a Location");
    let target = url::Url::parse(url)
        .and_then(|base| base.join(&location))
        .map(|u| u.to_string())
        .unwrap_or(location);
    let followed = scenario["redirectFollowed"].as_bool() == Some(true);
    let mut events = Vec::new();
    if followed {
        events.push(request.at(url).redirect(&target));
    }
    if let Some(error) = s(scenario, "webRequestEnd") {
        events.push(
            request
                .at(if followed { &target } else { url })
                .error(error),
        );
    }
    events
}

/// The method as `fetch()` sends it: the six standard names upper-cased,
/// anything else (`patch`) as given.
fn fetch_method(scenario: &Value) -> String {
    cors_lens_core::http::normalize_method(s(scenario, "method").unwrap_or("GET"))
}

/// A failed parameter as the browser reports it, placeholders filled in.
fn param(value: &str) -> String {
    value.replace("{origin}", PAGE).replace("{port}", PAGE_PORT)
}

fn scenarios() -> Vec<Value> {
    let text = include_str!("../../../tests/fixtures/scenarios.json");
    serde_json::from_str(text).expect("scenarios.json parses")
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn response_headers(scenario: &Value) -> Headers {
    let lines = scenario["response"]["headers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    lines
        .iter()
        .map(|pair| {
            let name = pair[0].as_str().unwrap_or_default().to_owned();
            let value = fill(pair[1].as_str().unwrap_or_default());
            (name, value)
        })
        .collect()
}

/// The events Chromium (with `extraHeaders`) emits for one scenario.
fn chromium_events(scenario: &Value) -> Vec<Event> {
    let kind = s(scenario, "kind").expect("kind");
    let path = s(scenario, "path").expect("path");
    let refused = scenario.get("refused").and_then(Value::as_bool) == Some(true);
    let base = match kind {
        "fetch-same-origin" => PAGE,
        _ if refused => "http://localhost:9",
        _ => API,
    };
    let url = format!("{base}{path}");
    let (resource_type, mode) = match kind {
        "img-crossorigin" => ("image", "cors"),
        "img-nocors" => ("image", "no-cors"),
        _ => ("xmlhttprequest", "cors"),
    };
    let r = Request::new("42", &url)
        .method(&fetch_method(scenario))
        .resource_type(resource_type)
        .tab(7)
        .initiator(PAGE);
    let request = |url: &str, origin: Option<&str>| {
        let mut h = vec![("Sec-Fetch-Mode", mode)];
        if let Some(origin) = origin {
            h.push(("Origin", origin));
        }
        r.at(url).send(headers(&h))
    };
    // Chromium sends `Origin` on cross-origin CORS requests only.
    let origin = (mode == "cors" && kind != "fetch-same-origin").then_some(PAGE);
    let mut events = vec![request(&url, origin)];
    if refused {
        events.push(r.error("net::ERR_CONNECTION_REFUSED"));
        return events;
    }
    let mut final_url = url.clone();
    if let Some(to) = s(scenario, "redirectTo") {
        final_url = format!("{THIRD}{to}");
        let hop = headers(&[
            ("Location", final_url.as_str()),
            ("Access-Control-Allow-Origin", PAGE),
        ]);
        events.push(r.answer(302, hop));
        events.push(r.redirect(&final_url));
        // A cross-origin redirect taints the origin: the next hop says `null`.
        events.push(request(&final_url, Some("null")));
    }
    let status = scenario["response"]["status"].as_u64().unwrap_or(200) as u16;
    let last = r.at(&final_url);
    events.push(last.answer(status, response_headers(scenario)));
    if scenario.get("webRequestEnd").is_some() {
        events.extend(redirect_tail(scenario, &final_url, &r));
        return events;
    }
    events.push(if scenario["expect"].is_string() {
        last.error("net::ERR_FAILED")
    } else {
        last.completed()
    });
    events
}

/// The `onSendHeaders` of a CORS request from the page to `url`.
fn cors_send(id: &str, url: &str) -> Event {
    Request::new(id, url)
        .initiator(PAGE)
        .send(headers(&[("Origin", PAGE), ("Sec-Fetch-Mode", "cors")]))
}

fn run(events: Vec<Event>) -> Option<Finding> {
    match run_report(events) {
        Some(Report::Failure(f)) => Some(f),
        _ => None,
    }
}

fn run_report(events: Vec<Event>) -> Option<Report> {
    let mut engine = Engine::new();
    let mut found = None;
    for event in events {
        if let Some(report) = engine.ingest(event) {
            assert!(found.is_none(), "one request gave two reports");
            found = Some(report);
        }
    }
    assert_eq!(
        engine.in_flight(),
        0,
        "the request was not forgotten after its last event"
    );
    found
}

#[test]
fn engine_agrees_with_chromium_on_every_end_to_end_scenario() {
    let all = scenarios();
    assert!(all.len() >= 15, "the scenario table lost rows");
    for scenario in &all {
        let id = s(scenario, "id").expect("id");
        let finding = run(chromium_events(scenario));
        let got = finding.as_ref().map(|f| f.reason.chromium_id());
        assert_eq!(got, s(scenario, "expect"), "scenario {id}");
        if let (Some(f), Some(param)) = (&finding, s(scenario, "expectFailedParameter")) {
            assert_eq!(
                f.failed_parameter,
                param.replace("{origin}", PAGE),
                "failedParameter of {id}"
            );
            let credentials = s(scenario, "credentials") == Some("include");
            assert_eq!(
                f.credentials.included(),
                credentials,
                "credentials inferred for {id}"
            );
        }
    }
}

#[test]
fn redirected_request_is_checked_against_null_and_remembers_the_hop() {
    let scenario = scenarios()
        .into_iter()
        .find(|s| s["id"] == "redirect-third-no-acao")
        .expect("the redirect scenario exists");
    let f = run(chromium_events(&scenario)).expect("a finding");
    assert_eq!(f.origin, "null");
    assert_eq!(f.page_origin, PAGE);
    assert_eq!(f.redirects, vec![format!("{API}/api/redirect-to-third")]);
    assert!(f.url.starts_with(THIRD), "{}", f.url);
}

#[test]
fn a_cookie_proves_credentials_even_when_the_request_completed_in_firefox() {
    // Firefox reports a simple request that fails CORS as completed: the
    // headers alone must prove the failure.
    let url = format!("{API}/x");
    let mut engine = Engine::new();
    let r = Request::new("ff-1", &url).initiator(&format!("{PAGE}/lab.html"));
    let send = r.send(headers(&[("Origin", PAGE), ("Cookie", "session=1")]));
    let received = r.answer(200, headers(&[("Access-Control-Allow-Origin", "*")]));
    let done = r.completed();
    assert_eq!(engine.ingest(send), None);
    assert_eq!(engine.ingest(received), None);
    let Some(Report::Failure(f)) = engine.ingest(done) else {
        panic!("a finding from the headers alone");
    };
    assert_eq!(f.reason.chromium_id(), "WildcardOriginNotAllowed");
    assert_eq!(f.credentials, Credentials::IncludeFromCookie);
}

#[test]
fn requests_that_never_got_a_cors_verdict_give_a_notice_or_nothing() {
    // (error, whether response headers arrived, the notice expected)
    let cases = [
        (
            "net::ERR_CONNECTION_REFUSED",
            false,
            Some(NoticeKind::NoResponse),
        ),
        (
            "net::ERR_NAME_NOT_RESOLVED",
            false,
            Some(NoticeKind::NoResponse),
        ),
        (
            "NS_ERROR_CONNECTION_REFUSED",
            false,
            Some(NoticeKind::NoResponse),
        ),
        (
            "net::ERR_BLOCKED_BY_CLIENT",
            false,
            Some(NoticeKind::BlockedByClient),
        ),
        ("net::ERR_ABORTED", true, None),
        ("net::ERR_ABORTED", false, None),
        (
            "net::ERR_CERT_AUTHORITY_INVALID",
            false,
            Some(NoticeKind::NoResponse),
        ),
        ("net::ERR_TIMED_OUT", false, Some(NoticeKind::NoResponse)),
        // A CORS error on a request that was sent but got no response to
        // check: the reason is one the headers do not show; said so.
        (
            "net::ERR_FAILED",
            false,
            Some(NoticeKind::CorsReasonNotShown),
        ),
    ];
    for (error, with_response, want) in cases {
        let mut engine = Engine::new();
        let url = format!("{API}/x");
        engine.ingest(cors_send("1", &url));
        let r = Request::new("1", &url);
        if with_response {
            engine.ingest(r.answer(200, Headers::default()));
        }
        let got = match engine.ingest(r.error(error)) {
            None => None,
            Some(Report::Notice(n)) => {
                assert_eq!(n.detail, error);
                Some(n.kind)
            }
            Some(Report::Failure(f)) => panic!("{error} reported as CORS failure {:?}", f.reason),
        };
        assert_eq!(got, want, "{error}, response: {with_response}");
    }
}

/// Replays one request: `Origin` from the page, the given response headers,
/// then completion (the response passed).
fn passed(request: &[(&str, &str)], response: &[(&str, &str)]) -> Option<Notice> {
    let url = format!("{API}/x?id=1");
    let r = Request::new("1", &url).initiator(PAGE);
    let events = vec![
        r.send(headers(request)),
        r.answer(200, headers(response)),
        r.completed(),
    ];
    match run_report(events) {
        None => None,
        Some(Report::Notice(n)) => Some(n),
        Some(Report::Failure(f)) => panic!("a passing response reported as {:?}", f.reason),
    }
}

/// (name, request headers, response headers, the notice expected)
type RiskCase<'a> = (
    &'a str,
    &'a [(&'a str, &'a str)],
    Vec<(&'a str, &'a str)>,
    Option<NoticeKind>,
);

#[test]
fn risky_configurations_on_passing_responses_are_warnings() {
    const ACAO: &str = "Access-Control-Allow-Origin";
    const ACAC: &str = "Access-Control-Allow-Credentials";
    let from_page = [("Origin", PAGE), ("Sec-Fetch-Mode", "cors")];
    let with_cookie = [
        ("Origin", PAGE),
        ("Sec-Fetch-Mode", "cors"),
        ("Cookie", "a=1"),
    ];
    let from_null = [("Origin", "null"), ("Sec-Fetch-Mode", "cors")];
    let cases: Vec<RiskCase> = vec![
        (
            "reflected origin with credentials, no Vary",
            &with_cookie,
            vec![(ACAO, PAGE), (ACAC, "true")],
            Some(NoticeKind::CredentialedOriginWithoutVary),
        ),
        (
            "reflected origin with credentials and Vary",
            &with_cookie,
            vec![
                (ACAO, PAGE),
                (ACAC, "true"),
                ("Vary", "Accept-Encoding, origin"),
            ],
            None,
        ),
        (
            "Vary: * also covers Origin",
            &with_cookie,
            vec![(ACAO, PAGE), (ACAC, "true"), ("Vary", "*")],
            None,
        ),
        (
            "named origin without credentials needs no Vary warning",
            &from_page,
            vec![(ACAO, PAGE)],
            None,
        ),
        (
            "null allowed for a null origin",
            &from_null,
            vec![(ACAO, "null")],
            Some(NoticeKind::NullOriginAllowed),
        ),
        (
            "wildcard with Allow-Credentials true",
            &from_page,
            vec![(ACAO, "*"), (ACAC, "true")],
            Some(NoticeKind::WildcardWithCredentials),
        ),
        (
            "plain wildcard is fine",
            &from_page,
            vec![(ACAO, "*")],
            None,
        ),
        (
            "named origin with a misspelled Allow-Credentials",
            &from_page,
            vec![(ACAO, PAGE), (ACAC, "TRUE")],
            Some(NoticeKind::AllowCredentialsNotTrue),
        ),
        (
            "named origin with Allow-Credentials repeated",
            &from_page,
            vec![(ACAO, PAGE), (ACAC, "true"), (ACAC, "true")],
            Some(NoticeKind::AllowCredentialsNotTrue),
        ),
        (
            "named origin refusing credentials on purpose",
            &from_page,
            vec![(ACAO, PAGE), (ACAC, "false")],
            None,
        ),
        (
            "wildcard with a misspelled Allow-Credentials is not warned twice",
            &from_page,
            vec![(ACAO, "*"), (ACAC, "True")],
            None,
        ),
    ];
    for (name, request, response, want) in cases {
        let got = passed(request, &response);
        assert_eq!(got.as_ref().map(|n| n.kind), want, "{name}");
        if let Some(n) = got {
            assert!(n.kind.is_warning(), "{name}");
            assert_eq!(n.page_origin, PAGE, "{name}");
        }
    }
}

#[test]
fn error_status_is_linked_to_the_same_endpoint_answering_with_cors_before() {
    let mut engine = Engine::new();
    let mut run_one = |id: &str, query: &str, status: u16, acao: bool| {
        let url = format!("{API}/items{query}");
        let r = Request::new(id, &url);
        let answer: &[(&str, &str)] = if acao {
            &[("Access-Control-Allow-Origin", PAGE)]
        } else {
            &[]
        };
        engine.ingest(cors_send(id, &url));
        engine.ingest(r.answer(status, headers(answer)));
        engine.ingest(if acao {
            r.completed()
        } else {
            r.error("net::ERR_FAILED")
        })
    };
    let Some(Report::Failure(first)) = run_one("1", "?page=1", 500, false) else {
        panic!("a failure")
    };
    assert!(!first.endpoint_allowed_before, "nothing seen before");
    assert_eq!(run_one("2", "?page=2", 200, true), None);
    let Some(Report::Failure(again)) = run_one("3", "?page=3", 500, false) else {
        panic!("a failure")
    };
    assert!(
        again.endpoint_allowed_before,
        "the 200 of the same path carried the header"
    );
    assert_eq!(again.status, Some(500));
}

#[test]
fn a_flood_of_unfinished_requests_is_capped_without_panicking() {
    let mut engine = Engine::new();
    for i in 0..20_000 {
        let send =
            Request::new(&i.to_string(), "http://localhost:1/x").send(headers(&[("Origin", PAGE)]));
        engine.ingest(send);
    }
    assert!(engine.in_flight() <= 4096, "{}", engine.in_flight());
    // Events for forgotten requests are ignored, never misreported.
    let end = Request::new("0", "http://localhost:1/x").error("net::ERR_FAILED");
    assert_eq!(engine.ingest(end), None);
}

#[test]
fn odd_urls_and_initiators_never_panic() {
    let urls = [
        "",
        "data:text/plain,x",
        "blob:null/abc",
        "chrome-extension://abc/x",
        "ws://localhost/x",
        "http://[::1]:8/x",
        "http://%zz/",
    ];
    for url in urls {
        for initiator in [
            None,
            Some("null"),
            Some(""),
            Some("file:///tmp/x.html"),
            Some(PAGE),
        ] {
            let mut engine = Engine::new();
            let r = Request::new("1", url);
            engine.ingest(Event {
                initiator: initiator.map(str::to_owned),
                ..r.send(headers(&[("Origin", "null")]))
            });
            let acao = headers(&[("Access-Control-Allow-Origin", "\u{0}\u{ffff}")]);
            engine.ingest(r.answer(None, acao));
            let Some(Report::Failure(f)) = engine.ingest(r.error("net::ERR_FAILED")) else {
                panic!("a bad ACAO is a finding");
            };
            assert_eq!(f.reason.chromium_id(), "InvalidAllowOriginValue", "{url}");
        }
    }
}

fn preflight_scenarios() -> Vec<Value> {
    let text = include_str!("../../../tests/fixtures/preflight-scenarios.json");
    serde_json::from_str(text).expect("preflight-scenarios.json parses")
}

fn header_list(v: &Value) -> Headers {
    v.as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|pair| {
                    let name = pair[0].as_str().unwrap_or_default().to_owned();
                    let value = fill(pair[1].as_str().unwrap_or_default());
                    (name, value)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The events Chromium emits for a preflighted request: the `OPTIONS` with
/// its own id, ending with `onCompleted` whatever its verdict; then the
/// actual request, sent when the preflight passed, failed unsent otherwise.
fn chromium_preflight_events(scenario: &Value) -> Vec<Event> {
    let url = format!("{API}{}", s(scenario, "path").expect("path"));
    let method = fetch_method(scenario);
    let method = method.as_str();
    let requested: Vec<String> = scenario["requestHeaders"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|pair| pair[0].as_str())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let expect = s(scenario, "expect");
    let preflight_fails = expect
        .and_then(cors_lens_core::CorsError::from_chromium_id)
        .is_some_and(|r| r.is_preflight());
    let from_page = Request::new("", &url).tab(7).initiator(PAGE).time(1000.0);
    let preflight = from_page.clone().id("pf").method("OPTIONS");
    let actual = from_page.id("42").method(method);
    let mut asked = vec![
        ("Origin".to_owned(), PAGE.to_owned()),
        ("Sec-Fetch-Mode".to_owned(), "cors".to_owned()),
        (
            "Access-Control-Request-Method".to_owned(),
            method.to_owned(),
        ),
    ];
    if !requested.is_empty() {
        asked.push((
            "Access-Control-Request-Headers".to_owned(),
            requested.join(","),
        ));
    }
    let status = |exchange: &Value| exchange["status"].as_u64().map(|s| s as u16);
    let mut events = vec![
        preflight.send(asked.into_iter().collect()),
        preflight.answer(
            status(&scenario["preflight"]),
            header_list(&scenario["preflight"]["headers"]),
        ),
        preflight.completed(),
    ];
    if preflight_fails {
        events.push(actual.error("net::ERR_FAILED"));
        return events;
    }
    events.push(actual.send(headers(&[("Origin", PAGE), ("Sec-Fetch-Mode", "cors")])));
    events.push(actual.answer(
        status(&scenario["response"]),
        header_list(&scenario["response"]["headers"]),
    ));
    if scenario.get("webRequestEnd").is_some() {
        events.extend(redirect_tail(scenario, &url, &actual));
        return events;
    }
    events.push(if expect.is_some() {
        actual.error("net::ERR_FAILED")
    } else {
        actual.completed()
    });
    events
}

#[test]
fn engine_agrees_with_chromium_on_every_preflight_scenario() {
    let all = preflight_scenarios();
    assert!(all.len() >= 10, "the preflight table lost rows");
    for scenario in &all {
        let id = s(scenario, "id").expect("id");
        let mut engine = Engine::new();
        let mut failures = Vec::new();
        for event in chromium_preflight_events(scenario) {
            if let Some(Report::Failure(f)) = engine.ingest(event) {
                failures.push(f);
            }
        }
        let got: Vec<&str> = failures.iter().map(|f| f.reason.chromium_id()).collect();
        let want: Vec<&str> = s(scenario, "expect").into_iter().collect();
        assert_eq!(got, want, "scenario {id}");
        if let (Some(f), Some(param)) = (failures.first(), s(scenario, "expectFailedParameter")) {
            assert_eq!(
                f.failed_parameter,
                param.replace("{origin}", PAGE),
                "failedParameter of {id}"
            );
            // The finding speaks of the page's request, not of the OPTIONS.
            assert_eq!(f.method, s(scenario, "method").unwrap_or("GET"), "{id}");
        }
    }
}

#[test]
fn a_preflight_that_only_credentials_fail_waits_for_the_actual_request() {
    let url = format!("{API}/pf");
    let put = Request::new("", &url).method("PUT").tab(3);
    let preflight = |engine: &mut Engine, id: &str| {
        let options = put.clone().id(id).method("OPTIONS").initiator(PAGE);
        let send = options.send(headers(&[
            ("Origin", PAGE),
            ("Sec-Fetch-Mode", "cors"),
            ("Access-Control-Request-Method", "PUT"),
        ]));
        let received = options.answer(
            204,
            headers(&[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "PUT"),
            ]),
        );
        assert_eq!(engine.ingest(send), None);
        assert_eq!(engine.ingest(received), None);
        assert_eq!(engine.ingest(options.completed()), None);
    };
    // The actual request is sent: the preflight passed (no credentials).
    let mut engine = Engine::new();
    preflight(&mut engine, "pf1");
    engine.ingest(put.clone().id("a1").event(EventKind::SendHeaders));
    let late = put.clone().id("other").error("net::ERR_FAILED");
    assert_eq!(
        engine.ingest(late),
        None,
        "the pending preflight was settled"
    );
    // The actual request fails unsent: credentials explain it.
    let mut engine = Engine::new();
    preflight(&mut engine, "pf2");
    let unsent = put.clone().id("a2").error("net::ERR_FAILED");
    let Some(Report::Failure(f)) = engine.ingest(unsent) else {
        panic!("the pending preflight is reported");
    };
    assert_eq!(f.reason.chromium_id(), "PreflightWildcardOriginNotAllowed");
    assert_eq!(f.credentials, Credentials::IncludeFromFailure);
    assert_eq!(f.method, "PUT");
}

#[test]
fn header_values_are_read_without_surrounding_whitespace() {
    // (Access-Control-Allow-Origin lines as received, the reason expected)
    let cases: [(&[&str], Option<&str>); 5] = [
        (&[" http://127.0.0.1:8080\t"], None),
        (
            &["\thttp://127.0.0.1:8080 , http://a.test"],
            Some("MultipleAllowOriginValues"),
        ),
        (
            &["http://127.0.0.1:8080 ", " *"],
            Some("MultipleAllowOriginValues"),
        ),
        (&["  "], Some("InvalidAllowOriginValue")),
        (&[" * "], None),
    ];
    for (lines, want) in cases {
        let url = format!("{API}/x");
        let r = Request::new("1", &url);
        let acao = lines
            .iter()
            .map(|v| ("Access-Control-Allow-Origin", *v))
            .collect();
        let end = if want.is_some() {
            r.error("net::ERR_FAILED")
        } else {
            r.completed()
        };
        let got = run(vec![cors_send("1", &url), r.answer(200, acao), end]);
        assert_eq!(
            got.as_ref().map(|f| f.reason.chromium_id()),
            want,
            "{lines:?}"
        );
    }
}

#[test]
fn findings_keep_the_exchange_with_credentials_redacted_and_the_preflight_beside() {
    let scenario = preflight_scenarios()
        .into_iter()
        .find(|s| s["id"] == "preflight-ok-actual-no-acao")
        .expect("the scenario exists");
    let mut events = chromium_preflight_events(&scenario);
    // The actual request carried credentials.
    for e in &mut events {
        if e.kind == EventKind::SendHeaders && e.method == "PUT" {
            if let Some(h) = e.request_headers.as_mut() {
                h.0.push(cors_lens_core::headers::Header::new("Cookie", "sid=s3cr3t"));
                h.0.push(cors_lens_core::headers::Header::new(
                    "Authorization",
                    "Bearer s3cr3t",
                ));
            }
        }
    }
    let mut engine = Engine::new();
    let failure = events
        .into_iter()
        .filter_map(|e| engine.ingest(e))
        .find_map(|r| match r {
            Report::Failure(f) => Some(f),
            Report::Notice(_) => None,
        })
        .expect("a failure");
    assert_eq!(failure.reason.chromium_id(), "MissingAllowOriginHeader");
    assert_eq!(failure.exchange.method, "PUT");
    let debug = format!("{:?}", failure.exchange);
    assert!(!debug.contains("s3cr3t"), "a secret was kept: {debug}");
    assert!(
        debug.contains("Cookie") && debug.contains("[redacted]"),
        "{debug}"
    );
    let preflight = failure.preflight.expect("the preflight is shown beside");
    assert_eq!(preflight.method, "OPTIONS");
    assert_eq!(preflight.status, Some(204));
}

fn matrix_scenarios() -> Vec<Value> {
    let text = include_str!("../../../tests/fixtures/matrix-scenarios.json");
    serde_json::from_str(text).expect("matrix-scenarios.json parses")
}

/// The events of one matrix scenario: a simple request, a preflighted one,
/// or (`cachedPreflight`) a warm-up whose preflight passes and fills the
/// preflight cache, then the same request again without a preflight.
fn chromium_matrix_events(scenario: &Value) -> Vec<Event> {
    if scenario.get("preflight").is_none() {
        return chromium_events(scenario);
    }
    if scenario.get("cachedPreflight").and_then(Value::as_bool) != Some(true) {
        return chromium_preflight_events(scenario);
    }
    let mut warm = scenario.clone();
    warm["expect"] = Value::Null;
    warm["response"] = scenario["warmResponse"].clone();
    let mut events = chromium_preflight_events(&warm);
    let mut run = scenario.clone();
    run.as_object_mut().expect("an object").remove("preflight");
    for mut e in chromium_events(&run) {
        e.request_id = "43".to_owned();
        e.time_ms = 2000.0;
        events.push(e);
    }
    events
}

/// Every matrix scenario through one engine per scenario: the reason and the
/// failed parameter must be what Chromium reported (`oracle.test.mjs` keeps
/// the table honest), and a passing scenario gives no failure at all.
#[test]
fn engine_agrees_with_chromium_on_every_matrix_scenario() {
    let all = matrix_scenarios();
    let total = all.len() + scenarios().len() + preflight_scenarios().len();
    assert!(total >= 60, "the matrix lost rows: {total}");
    let mut disagreements = Vec::new();
    for scenario in &all {
        let id = s(scenario, "id").expect("id");
        let mut engine = Engine::new();
        let mut failures = Vec::new();
        for event in chromium_matrix_events(scenario) {
            if let Some(Report::Failure(f)) = engine.ingest(event) {
                failures.push(f);
            }
        }
        let got: Vec<(String, String)> = failures
            .iter()
            .map(|f| {
                (
                    f.reason.chromium_id().to_owned(),
                    f.failed_parameter.clone(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = s(scenario, "expect")
            .map(|r| {
                (
                    r.to_owned(),
                    param(s(scenario, "expectFailedParameter").unwrap_or("")),
                )
            })
            .into_iter()
            .collect();
        if got != want {
            disagreements.push(format!("{id}: engine {got:?}, Chromium {want:?}"));
            continue;
        }
        if let Some(f) = failures.first() {
            assert_eq!(f.method, fetch_method(scenario), "{id}: the page's method");
            let cached = scenario.get("cachedPreflight").is_some();
            assert_eq!(
                f.preflight.is_some() || f.reason.is_preflight(),
                scenario.get("preflight").is_some() && !cached,
                "{id}: a cached preflight is not shown with the failure"
            );
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} matrix scenarios disagree with Chromium:\n{}",
        disagreements.len(),
        all.len(),
        disagreements.join("\n")
    );
}

/// How a request redirected to another origin, then refused before its next
/// hop was sent, is reported: by the next hop's preflight when one is known
/// (its failure, or the pending one only credentials fail), otherwise as a
/// refusal the events do not explain; never by re-judging the redirect,
/// whose headers the browser already accepted (it followed it).
#[test]
fn a_request_refused_before_its_next_hop_is_reported_once_and_honestly() {
    let first = format!("{API}/a");
    let next = format!("{THIRD}/b");
    let from_page = Request::new("", &first).tab(3).initiator(PAGE).time(1000.0);
    let put = from_page.clone().id("r").method("PUT");
    let preflight_of_next = from_page.at(&next).id("p").method("OPTIONS");
    let redirected = |engine: &mut Engine| {
        let send = put.send(headers(&[("Origin", PAGE), ("Sec-Fetch-Mode", "cors")]));
        // Passes without credentials, would fail with them: not re-judged.
        let received = put.answer(
            307,
            headers(&[
                ("Location", next.as_str()),
                ("Access-Control-Allow-Origin", PAGE),
            ]),
        );
        for e in [send, received, put.redirect(&next)] {
            assert_eq!(engine.ingest(e), None);
        }
    };
    let preflight = |engine: &mut Engine, answer: &[(&str, &str)]| {
        engine.ingest(preflight_of_next.send(headers(&[
            ("Origin", "null"),
            ("Sec-Fetch-Mode", "cors"),
            ("Access-Control-Request-Method", "PUT"),
        ])));
        engine.ingest(preflight_of_next.answer(204, headers(answer)));
        engine.ingest(preflight_of_next.completed())
    };
    let refused = |engine: &mut Engine| engine.ingest(put.at(&next).error("net::ERR_FAILED"));

    // The next hop's preflight fails only with credentials: it waited.
    let mut engine = Engine::new();
    redirected(&mut engine);
    let waiting = preflight(
        &mut engine,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "PUT"),
        ],
    );
    assert_eq!(waiting, None, "only credentials fail it: it waits");
    let Some(Report::Failure(f)) = refused(&mut engine) else {
        panic!("the pending preflight of the next hop is reported");
    };
    assert_eq!(f.reason.chromium_id(), "PreflightWildcardOriginNotAllowed");
    assert_eq!(f.url, next);
    assert_eq!(engine.in_flight(), 0);

    // The next hop's preflight failed and was reported: nothing more.
    let mut engine = Engine::new();
    redirected(&mut engine);
    let Some(Report::Failure(f)) = preflight(&mut engine, &[]) else {
        panic!("the failed preflight is reported");
    };
    assert_eq!(f.reason.chromium_id(), "PreflightMissingAllowOriginHeader");
    assert_eq!(refused(&mut engine), None, "one failure, not two");

    // No preflight known: a refusal the events do not explain, said so.
    let mut engine = Engine::new();
    redirected(&mut engine);
    let Some(Report::Notice(n)) = refused(&mut engine) else {
        panic!("a notice, never a guessed reason");
    };
    assert_eq!(n.kind, NoticeKind::CorsReasonNotShown);
    assert_eq!(n.url, next);
    assert_eq!(engine.in_flight(), 0);
}

#[test]
fn a_redirect_target_with_credentials_is_stored_redacted() {
    let scenario = scenarios()
        .into_iter()
        .find(|s| s["id"] == "redirect-userinfo")
        .expect("the scenario exists");
    let f = run(chromium_events(&scenario)).expect("a finding");
    assert_eq!(f.reason.chromium_id(), "RedirectContainsCredentials");
    let location = f
        .exchange
        .response_headers
        .iter()
        .find(|h| h.name == "Location")
        .expect("the Location is kept");
    assert!(!location.value.contains("pass"), "{}", location.value);
    assert!(
        location.value.contains("[redacted]@localhost:8082"),
        "{}",
        location.value
    );
}

#[test]
fn a_redirect_to_a_scheme_webrequest_never_reports_ends_the_request_there() {
    for target in [
        "javascript:void(0)",
        "mailto:a@b.test",
        "myapp://cb",
        "ftp://x/y",
    ] {
        let url = format!("{API}/r");
        let mut engine = Engine::new();
        let r = Request::new("1", &url);
        engine.ingest(cors_send("1", &url));
        engine.ingest(r.answer(
            302,
            headers(&[("Location", target), ("Access-Control-Allow-Origin", PAGE)]),
        ));
        let got = engine.ingest(r.redirect(target));
        let Some(Report::Failure(f)) = got else {
            panic!("{target}: a finding at the redirect");
        };
        assert_eq!(f.reason.chromium_id(), "CorsDisabledScheme", "{target}");
        assert_eq!(f.url, url);
        assert_eq!(f.status, Some(302));
        // Chromium ends a request redirected to ftp: with its CORS error at
        // the new URL (Firefox sends nothing more): the request is no
        // longer known, and nothing is reported twice.
        let end = r.at(target).error("net::ERR_FAILED");
        assert_eq!(engine.ingest(end), None, "{target}");
        assert_eq!(engine.in_flight(), 0, "{target}");
    }
}

/// How a table's scenario becomes Chromium's events.
type EventsOf = fn(&Value) -> Vec<Event>;

/// The complete fix (`fix::plan`) for every failing scenario of the three
/// tables, on the finding the engine makes of Chromium's events: the plan is
/// complete (except where a redirect leads, which no header changes), the
/// fixed exchange passes the same check, and the scenarios that need more
/// than one change get all of them. Prints how many scenarios needed 1, 2,
/// 3 or more changes (`tests/fixes/complete.test.mjs` applies them to real
/// servers).
#[test]
fn every_failing_scenario_gets_a_complete_fix() {
    use cors_lens_core::fix::plan::{plan, Exchange};
    use cors_lens_core::fix::{snippets, Stack};
    use cors_lens_core::l10n::Lang;
    let tables: [(&str, Vec<Value>, EventsOf); 3] = [
        ("scenarios", scenarios(), chromium_events),
        (
            "preflight",
            preflight_scenarios(),
            chromium_preflight_events,
        ),
        ("matrix", matrix_scenarios(), chromium_matrix_events),
    ];
    // (changes needed, scenarios); the redirect targets apart.
    let mut by_count = std::collections::BTreeMap::<usize, Vec<String>>::new();
    let mut no_header_fix = Vec::new();
    let mut then_redirect = Vec::new();
    for (table, rows, events) in tables {
        for scenario in rows.iter().filter(|r| s(r, "expect").is_some()) {
            let id = format!("{table}/{}", s(scenario, "id").expect("id"));
            let mut engine = Engine::new();
            let f = events(scenario)
                .into_iter()
                .find_map(|e| match engine.ingest(e) {
                    Some(Report::Failure(f)) => Some(f),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{id}: no failure"));
            let exchange = Exchange::of(&f);
            let planned = plan(&exchange, &f);
            if f.reason.is_redirect() {
                assert!(planned.changes.is_empty(), "{id}");
                no_header_fix.push(id);
                continue;
            }
            assert_eq!(
                exchange.first_failure().map(|x| x.reason),
                Some(f.reason),
                "{id}: the plan's model fails as the browser did"
            );
            assert_eq!(planned.fixed.first_failure(), None, "{id}");
            if exchange.redirect_refused_next {
                // The headers pass, then the browser refuses where the
                // redirect leads: the explanation says so after the list.
                assert!(!planned.complete, "{id}");
                then_redirect.push(id);
                continue;
            }
            assert!(planned.complete, "{id}: {planned:?}");
            // Every stack writes a snippet for it.
            for stack in Stack::ALL {
                assert!(!snippets(&f, stack, Lang::En).is_empty(), "{id} {stack:?}");
            }
            let ids: Vec<&str> = planned.changes.iter().map(|c| c.id()).collect();
            let want: Option<&[&str]> = match s(scenario, "id") {
                Some("multi-credentials-custom-header-allow-all") => Some(&[
                    "allow-origin",
                    "allow-credentials",
                    "allow-method",
                    "allow-headers",
                    "vary-origin",
                ]),
                Some("multi-custom-header-no-cors") => Some(&["allow-origin", "allow-headers"]),
                Some("multi-redirected-preflight-delete") => {
                    Some(&["stop-preflight-redirect", "allow-origin", "allow-method"])
                }
                Some("multi-preflight-ok-header-actual-no-acao") => Some(&["allow-origin"]),
                _ => None,
            };
            if let Some(want) = want {
                assert_eq!(ids, want, "{id}");
            }
            by_count
                .entry(planned.changes.len())
                .or_default()
                .push(format!("{id} [{}]", ids.join(", ")));
        }
    }
    // What already passed stays allowed: the header the preflight allowed is
    // in the snippet that replaces the CORS block.
    let row = matrix_scenarios()
        .into_iter()
        .find(|r| s(r, "id") == Some("multi-preflight-ok-header-actual-no-acao"))
        .expect("the row");
    let mut engine = Engine::new();
    let f = chromium_matrix_events(&row)
        .into_iter()
        .find_map(|e| match engine.ingest(e) {
            Some(Report::Failure(f)) => Some(f),
            _ => None,
        })
        .expect("a failure");
    for stack in Stack::ALL {
        for snippet in snippets(&f, stack, Lang::En) {
            let code: String = snippet.parts.iter().map(|p| p.code.clone()).collect();
            assert!(
                code.to_ascii_lowercase().contains("x-custom"),
                "{stack:?}: {code}"
            );
        }
    }
    let count = |range: std::ops::RangeInclusive<usize>| -> usize {
        by_count
            .iter()
            .filter(|(n, _)| range.contains(n))
            .map(|(_, v)| v.len())
            .sum()
    };
    println!(
        "complete fix: {} scenarios need 1 change, {} need 2, {} need 3 or more; {} are fixed where the redirect leads (no header change); {} need header changes and then a redirect elsewhere ({})",
        count(1..=1),
        count(2..=2),
        count(3..=usize::MAX),
        no_header_fix.len(),
        then_redirect.len(),
        then_redirect.join(", ")
    );
    for (n, ids) in &by_count {
        println!("  {n} change(s): {}", ids.join("; "));
    }
    assert!(count(0..=0) == 0, "a failing scenario planned no change");
    assert!(
        count(3..=usize::MAX) >= 2,
        "the matrix has scenarios that need several changes"
    );
}
