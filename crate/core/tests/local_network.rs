//! The engine over the `webRequest` events Chromium 156 emits when Local
//! Network Access refuses a request (measured with
//! `scripts/measure-lna.mjs`, docs/browser-facts.md "Local Network Access"):
//! a request without a preflight is sent (`onSendHeaders`) and ends with
//! `net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS`; a preflighted one ends
//! its preflight, unanswered, with `net::ERR_FAILED`, then its actual
//! request, unsent, with `net::ERR_FAILED`. No event carries `ip` and the
//! server receives nothing. A page that is not a secure context gets
//! `InsecureLocalNetwork` from Chromium, with the same events. Each case names what the engine must report.

use cors_lens_core::headers::Headers;
use cors_lens_core::{Engine, Event, EventKind, Report};

const LNA: &str = "net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS";
const CORS: &str = "net::ERR_FAILED";

fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs.iter().map(|(n, v)| (*n, *v)).collect()
}

fn event(kind: EventKind, page: &str, id: &str, method: &str, url: &str) -> Event {
    let mut e = Event::new(kind, id, url);
    e.method = method.to_owned();
    e.tab_id = 3;
    e.initiator = Some(page.to_owned());
    e
}

fn send(page: &str, id: &str, method: &str, url: &str, preflight_for: Option<&str>) -> Event {
    let mut e = event(EventKind::SendHeaders, page, id, method, url);
    let mut h = vec![("Origin", page), ("Sec-Fetch-Mode", "cors")];
    if let Some(m) = preflight_for {
        h.push(("Access-Control-Request-Method", m));
        h.push(("Access-Control-Request-Headers", "x-probe"));
    }
    e.request_headers = Some(headers(&h));
    e
}

fn error(page: &str, id: &str, method: &str, url: &str, error: &str) -> Event {
    let mut e = event(EventKind::ErrorOccurred, page, id, method, url);
    e.error = Some(error.to_owned());
    e
}

/// A simple GET refused: sent, then the browser's LNA error.
fn simple(page: &str, url: &str, end: &str) -> Vec<Event> {
    vec![
        send(page, "1", "GET", url, None),
        error(page, "1", "GET", url, end),
    ]
}

/// A preflighted PUT refused: the preflight sent and ended unanswered, then
/// the actual request ended unsent, both with `net::ERR_FAILED`.
fn preflighted(page: &str, url: &str) -> Vec<Event> {
    vec![
        send(page, "2", "OPTIONS", url, Some("PUT")),
        error(page, "2", "OPTIONS", url, CORS),
        error(page, "1", "PUT", url, CORS),
    ]
}

/// What the engine reported, in order: `failure:<reason> <method>` or
/// `notice:<kind>`.
fn run(events: Vec<Event>) -> Vec<String> {
    let mut engine = Engine::new();
    events
        .into_iter()
        .filter_map(|e| engine.ingest(e))
        .map(|r| match r {
            Report::Failure(f) => format!("failure:{} {}", f.reason.chromium_id(), f.method),
            Report::Notice(n) => format!("notice:{}", n.kind.id()),
        })
        .collect()
}

#[test]
fn local_network_refusals_are_reported_as_chromium_names_them() {
    let public = "https://app.example.com";
    let cases: Vec<(&str, Vec<Event>, &[&str])> = vec![
        (
            "the browser's own error names the reason, whatever the addresses",
            simple(public, "http://localhost:3000/api", LNA),
            &["failure:LocalNetworkAccessPermissionDenied GET"],
        ),
        (
            "a page that the override made public on a loopback address is still refused by name",
            simple("http://127.0.0.1:8080", "http://localhost:3000/api", LNA),
            &["failure:LocalNetworkAccessPermissionDenied GET"],
        ),
        (
            "a preflight to a loopback name from a public page, ended unanswered, is one finding for the actual method",
            preflighted(public, "http://localhost:3000/api"),
            &["failure:LocalNetworkAccessPermissionDenied PUT"],
        ),
        (
            "a preflight to a private address from a public address over https",
            preflighted("https://203.0.113.7", "http://192.168.1.20/api"),
            &["failure:LocalNetworkAccessPermissionDenied PUT"],
        ),
        (
            "a page over plain http may not ask: the same error name is the insecure reason",
            simple("http://app.example.com", "http://localhost:3000/api", LNA),
            &["failure:InsecureLocalNetwork GET"],
        ),
        (
            "a preflight from a plain-http public address to a private one",
            preflighted("http://203.0.113.7", "http://192.168.1.20/api"),
            &["failure:InsecureLocalNetwork PUT"],
        ),
        (
            "a preflight to a .local name from a public page",
            preflighted(public, "http://printer.local/scan"),
            &["failure:LocalNetworkAccessPermissionDenied PUT"],
        ),
        (
            "a preflight to a CGNAT address from a public page",
            preflighted(public, "http://100.72.1.1/api"),
            &["failure:LocalNetworkAccessPermissionDenied PUT"],
        ),
        (
            "a preflight to a host name says nothing about its address: not inferred",
            preflighted("http://127.0.0.1:8080", "https://api.example.com/x"),
            &["failure:PreflightMissingAllowOriginHeader PUT"],
        ),
        (
            "a loopback page reaching loopback needs no permission: not inferred",
            preflighted("http://127.0.0.1:8080", "http://localhost:3000/api"),
            &["failure:PreflightMissingAllowOriginHeader PUT"],
        ),
        (
            "a local page reaching a local address needs no permission: not inferred",
            preflighted("http://10.0.0.5", "http://192.168.1.20/api"),
            &["failure:PreflightMissingAllowOriginHeader PUT"],
        ),
        (
            "Firefox's name for the refusal is read the same way",
            simple(public, "http://localhost:3000/api", "NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED"),
            &["failure:LocalNetworkAccessPermissionDenied GET"],
        ),
        (
            "another network error to a local address stays a request without a response",
            simple(public, "http://localhost:3000/api", "net::ERR_CONNECTION_REFUSED"),
            &["notice:NoResponse"],
        ),
    ];
    for (name, events, want) in cases {
        assert_eq!(run(events), want, "{name}");
    }
}

#[test]
fn a_local_network_finding_names_no_parameter_and_keeps_what_the_preflight_asked() {
    let mut engine = Engine::new();
    let mut found = Vec::new();
    for e in preflighted("https://app.example.com", "http://localhost:3000/api") {
        if let Some(Report::Failure(f)) = engine.ingest(e) {
            found.push(f);
        }
    }
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f.failed_parameter, "");
    assert_eq!(f.requested_headers, vec!["x-probe".to_owned()]);
    assert_eq!(f.exchange.method, "OPTIONS");
    assert_eq!(f.status, None);
    assert_eq!(engine.in_flight(), 0);
}

/// The finding the engine reports for these events.
fn finding_of(events: Vec<Event>) -> cors_lens_core::Finding {
    let mut engine = Engine::new();
    let found: Vec<_> = events
        .into_iter()
        .filter_map(|e| match engine.ingest(e) {
            Some(Report::Failure(f)) => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "one finding");
    found.into_iter().next().unwrap_or_else(|| unreachable!())
}

#[test]
fn local_network_explanations_offer_no_header_change_and_say_how_the_reason_was_read() {
    use cors_lens_core::explain::explain;
    use cors_lens_core::fix;
    use cors_lens_core::l10n::{t, Lang};
    let secure = "https://app.example.com";
    let insecure = "http://app.example.com";
    let url = "http://localhost:3000/api";
    let cases = [
        (
            secure,
            simple(secure, url, LNA),
            "what_LocalNetworkAccessPermissionDenied",
        ),
        (
            secure,
            preflighted(secure, url),
            "what_LocalNetworkAccessPermissionDenied_preflight",
        ),
        (
            insecure,
            simple(insecure, url, LNA),
            "what_InsecureLocalNetwork",
        ),
        (
            insecure,
            preflighted(insecure, url),
            "what_InsecureLocalNetwork_preflight",
        ),
    ];
    for (page, events, what_key) in cases {
        let f = finding_of(events);
        assert!(fix::variants(&f).is_empty(), "{what_key}: no header fix");
        for lang in Lang::ALL {
            let e = explain(&f, lang);
            let ctx = format!("{what_key}/{lang:?}");
            // The message's text up to its first placeholder opens the sentence.
            let opening = t(lang, what_key)
                .split('{')
                .next()
                .unwrap_or_default()
                .to_owned();
            assert!(e.what.starts_with(&opening), "{ctx}: {}", e.what);
            assert!(
                e.what.contains(url) && e.what.contains(page),
                "{ctx}: {}",
                e.what
            );
            assert!(e.changes.is_empty(), "{ctx}: {:?}", e.changes);
            assert_eq!(e.why, t(lang, f.reason.row().why_key), "{ctx}");
        }
    }
}
