//! A synthetic workload for `make bench`: the three `webRequest` events of
//! cross-origin requests from one tab, every third one refused (the same
//! events `scripts/bench-wasm.mjs` builds as details objects), so the native
//! and the wasm figures measure the same work.

use crate::event::{Event, EventKind};
use crate::headers::Headers;

/// The page that makes the requests.
pub const PAGE: &str = "http://127.0.0.1:8080";

/// The three events of request `i`: 15 request headers, 5 response headers;
/// when `i` is a multiple of 3 the response allows another origin and the
/// request ends in `net::ERR_FAILED`.
pub fn request(i: usize) -> [Event; 3] {
    let id = i.to_string();
    let url = format!("http://localhost:8081/api/items/{i}?q=search");
    let time = 1e12 + i as f64;
    let mut send = Event::new(EventKind::SendHeaders, &id, &url);
    let mut request_headers: Vec<(String, String)> = vec![
        ("Origin".into(), PAGE.into()),
        ("Sec-Fetch-Mode".into(), "cors".into()),
        ("Sec-Fetch-Site".into(), "cross-site".into()),
        ("Accept".into(), "application/json".into()),
        (
            "User-Agent".into(),
            "Mozilla/5.0 (X11; Linux x86_64) Chrome/156".into(),
        ),
    ];
    request_headers.extend((0..10).map(|n| (format!("X-Extra-{n}"), "value".into())));
    send.request_headers = Some(request_headers.into_iter().collect());
    let mut received = Event::new(EventKind::HeadersReceived, &id, &url);
    received.status = Some(200);
    let fail = i % 3 == 0;
    let allow = if fail { "http://other.example" } else { PAGE };
    let response_headers: Headers = [
        ("Content-Type", "application/json"),
        ("Access-Control-Allow-Origin", allow),
        ("Vary", "Origin"),
        ("Cache-Control", "no-store"),
        ("Date", "Wed, 25 Nov 2026 16:00:00 GMT"),
    ]
    .into_iter()
    .collect();
    received.response_headers = Some(response_headers);
    let end_kind = if fail {
        EventKind::ErrorOccurred
    } else {
        EventKind::Completed
    };
    let mut end = Event::new(end_kind, &id, &url);
    end.error = fail.then(|| "net::ERR_FAILED".to_owned());
    let mut events = [send, received, end];
    for e in &mut events {
        e.tab_id = 1;
        e.time_ms = time;
        e.initiator = Some(PAGE.to_owned());
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Report};

    #[test]
    fn every_third_request_of_the_workload_is_a_failure_and_none_stays_in_flight() {
        let mut engine = Engine::new();
        let reports: Vec<Report> = (0..30)
            .flat_map(request)
            .filter_map(|e| engine.ingest(e))
            .collect();
        assert_eq!(reports.len(), 10);
        assert!(reports.iter().all(|r| matches!(r, Report::Failure(_))));
        assert_eq!(engine.in_flight(), 0);
    }
}
