//! Event ingestion: arbitrary sequences of webRequest events into one engine.
//! Two encodings, chosen by the first byte: JSON (`[[listener, details], ...]`,
//! what the service worker hands over, through `wire::EventIn`) and a
//! structured form built from a small vocabulary of ids, URLs and CORS header
//! values (reaches the verdict far more often than random JSON does).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use cors_lens_core::wire::EventIn;
use cors_lens_core::{Engine, Event, EventKind};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const LISTENERS: [&str; 5] = ["onSendHeaders", "onHeadersReceived", "onBeforeRedirect", "onCompleted", "onErrorOccurred"];
const URLS: [&str; 10] = [
    "http://localhost:8081/api",
    "http://127.0.0.1:8080/page",
    "https://[::1]:443/x",
    "https://xn--bcher-kva.example:443/",
    "data:text/plain,hi",
    "blob:http://127.0.0.1:8080/uuid",
    "file:///etc/passwd",
    "chrome-extension://abc/x",
    "ws://localhost:8081/socket",
    "http://user:pw@localhost:80/%FF?q=<script>",
];
const ORIGINS: [&str; 6] = ["http://127.0.0.1:8080", "null", "*", "http://localhost:8081", "https://[::1]", ""];
const NAMES: [&str; 10] = [
    "Origin",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Cookie",
    "Authorization",
    "Sec-Fetch-Mode",
];
const ERRORS: [&str; 5] = ["net::ERR_FAILED", "net::ERR_ABORTED", "net::ERR_BLOCKED_BY_CLIENT", "NS_ERROR_DOM_BAD_URI", "net::ERR_CONNECTION_REFUSED"];
const METHODS: [&str; 5] = ["GET", "OPTIONS", "POST", "PUT", "get"];

#[derive(Arbitrary, Debug)]
enum Text {
    Pick(u8),
    Own(String),
}

impl Text {
    fn get(&self, vocab: &[&str]) -> String {
        match self {
            Text::Pick(i) => vocab[*i as usize % vocab.len()].to_owned(),
            Text::Own(s) => s.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Ev {
    kind: u8,
    id: u8,
    url: Text,
    method: Text,
    tab: i8,
    time: f64,
    initiator: Option<Text>,
    status: Option<u16>,
    request_headers: Option<Vec<(Text, Text)>>,
    response_headers: Option<Vec<(Text, Text)>>,
    redirect: Option<Text>,
    error: Option<Text>,
}

fn headers(h: &[(Text, Text)]) -> cors_lens_core::headers::Headers {
    h.iter()
        .map(|(n, v)| (n.get(&NAMES), v.get(&ORIGINS)))
        .collect()
}

fn structured(u: &mut Unstructured) {
    let Ok(events) = Vec::<Ev>::arbitrary(u) else { return };
    let mut engine = Engine::new();
    for e in events {
        let kinds = [EventKind::SendHeaders, EventKind::HeadersReceived, EventKind::BeforeRedirect, EventKind::Completed, EventKind::ErrorOccurred];
        let mut ev = Event::new(kinds[e.kind as usize % 5], &(e.id % 8).to_string(), &e.url.get(&URLS));
        ev.method = e.method.get(&METHODS);
        ev.tab_id = i64::from(e.tab);
        // What `wire::EventIn::into_event` guarantees: a finite time.
        ev.time_ms = if e.time.is_finite() { e.time } else { 0.0 };
        ev.initiator = e.initiator.map(|t| t.get(&ORIGINS));
        ev.status = e.status;
        ev.request_headers = e.request_headers.as_deref().map(headers);
        ev.response_headers = e.response_headers.as_deref().map(headers);
        ev.redirect_url = e.redirect.map(|t| t.get(&URLS));
        ev.error = e.error.map(|t| t.get(&ERRORS));
        if let Some(report) = engine.ingest(ev) {
            common::exercise(&report);
        }
    }
}

fn json(data: &[u8]) {
    let Ok(events) = serde_json::from_slice::<Vec<(serde_json::Value, serde_json::Value)>>(data) else { return };
    let mut engine = Engine::new();
    for (listener, details) in events {
        let listener = match listener {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => LISTENERS[n.as_u64().unwrap_or(0) as usize % 5].to_owned(),
            _ => continue,
        };
        let Some(kind) = EventKind::from_listener(&listener) else { continue };
        // What serde_wasm_bindgen refuses, the binding turns into an error; the
        // same here.
        let Ok(event) = serde_json::from_value::<EventIn>(details) else { continue };
        if let Some(report) = engine.ingest(event.into_event(kind)) {
            common::exercise(&report);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((b'[', _)) => json(data),
        Some((_, rest)) => structured(&mut Unstructured::new(rest)),
        None => {}
    }
});
