//! Bench: how fast the engine assembles requests and decides verdicts,
//! natively. Prints figures; nothing is asserted. Run with `make bench`.

use std::hint::black_box;
use std::time::Instant;

use cors_lens_core::headers::Headers;
use cors_lens_core::{Engine, Event, EventKind};

const PAGE: &str = "http://127.0.0.1:8080";

/// The three events of one cross-origin request; every third one fails.
fn request(i: usize) -> [Event; 3] {
    let id = i.to_string();
    let url = format!("http://localhost:8081/api/items/{i}?q=search");
    let mut send = Event::new(EventKind::SendHeaders, &id, &url);
    send.tab_id = 1;
    send.initiator = Some(PAGE.to_owned());
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
    let allow = if i % 3 == 0 {
        "http://other.example"
    } else {
        PAGE
    };
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
    let mut end = Event::new(
        if i % 3 == 0 {
            EventKind::ErrorOccurred
        } else {
            EventKind::Completed
        },
        &id,
        &url,
    );
    end.error = (i % 3 == 0).then(|| "net::ERR_FAILED".to_owned());
    [send, received, end]
}

fn main() {
    let n = 100_000;
    let events: Vec<Event> = (0..n).flat_map(request).collect();
    let count = events.len();
    let mut engine = Engine::new();
    let start = Instant::now();
    let mut findings = 0usize;
    for event in events {
        if black_box(engine.ingest(event)).is_some() {
            findings += 1;
        }
    }
    let elapsed = start.elapsed();
    println!("engine (native, release): {n} requests, {count} events, {findings} findings");
    println!(
        "  {:.0} ms total, {:.2} µs per event, {:.0} events/s",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / count as f64,
        count as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  {} requests still in flight (bounded), peak resident memory {}",
        engine.in_flight(),
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
}

/// The process's peak resident set (Linux: `VmHWM` in /proc/self/status).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!(
        "{:.1} MB (the events themselves included)",
        kb / 1024.0
    ))
}
