//! The hostile corpus (`tests/fixtures/hostile.json`) through the same path
//! the binding takes: `wire::EventIn` → `Engine`, then everything a report goes
//! through (record, JSON, explanation, fix snippets). Nothing may panic, and
//! what is kept stays within the caps of `wire`.

use cors_lens_core::fix::{self, Stack};
use cors_lens_core::l10n::Lang;
use cors_lens_core::wire::{self, EventIn, Record};
use cors_lens_core::{explain, notice_text, Engine, EventKind, Report};
use serde_json::Value;

const CORPUS: &str = include_str!("../../../tests/fixtures/hostile.json");

/// Expands the corpus' shorthands: `{"repeat": s, "times": n}`,
/// `{"concat": [...]}`, `{"utf16": [units]}` (lone surrogates become U+FFFD,
/// as they do crossing into wasm).
fn expand(v: Value) -> Value {
    match v {
        Value::Object(map) if map.contains_key("repeat") => {
            let s = map["repeat"].as_str().expect("repeat: a string");
            let n = map["times"].as_u64().expect("times: a number") as usize;
            Value::String(s.repeat(n))
        }
        Value::Object(map) if map.contains_key("concat") => {
            let parts = map["concat"].as_array().expect("concat: a list");
            Value::String(
                parts
                    .iter()
                    .map(|p| match expand(p.clone()) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect(),
            )
        }
        Value::Object(map) if map.contains_key("utf16") => {
            let units: Vec<u16> = map["utf16"]
                .as_array()
                .expect("utf16: a list")
                .iter()
                .map(|u| u.as_u64().expect("a code unit") as u16)
                .collect();
            Value::String(String::from_utf16_lossy(&units))
        }
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, expand(v))).collect()),
        Value::Array(list) => Value::Array(list.into_iter().map(expand).collect()),
        other => other,
    }
}

fn replace_index(v: &Value, i: usize) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("{i}", &i.to_string())),
        Value::Array(list) => Value::Array(list.iter().map(|x| replace_index(x, i)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| (k.clone(), replace_index(x, i)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A case's events as `(listener, details)` pairs, `each` blocks unrolled.
fn events(case: &Value) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for entry in case["events"].as_array().expect("events: a list") {
        if let Some(n) = entry.get("each").and_then(Value::as_u64) {
            for i in 0..n as usize {
                for e in entry["events"].as_array().expect("each: events") {
                    let e = replace_index(e, i);
                    out.push((e[0].clone(), expand(e[1].clone())));
                }
            }
        } else {
            out.push((entry[0].clone(), expand(entry[1].clone())));
        }
    }
    out
}

fn cases() -> Vec<Value> {
    let doc: Value = serde_json::from_str(CORPUS).expect("hostile.json is JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn check_report(report: &Report) {
    let record = Record::from(report);
    let json = serde_json::to_string(&record).expect("a record serializes");
    let back: Record = serde_json::from_str(&json).expect("a record reads back");
    assert_eq!(back, record);
    match report {
        Report::Failure(f) => {
            assert!(f.url.len() <= wire::MAX_URL + 64, "url kept under the cap");
            for h in f
                .exchange
                .request_headers
                .iter()
                .chain(&f.exchange.response_headers)
            {
                assert!(
                    h.value.len() <= wire::MAX_HEADER_VALUE + 64,
                    "{} kept under the cap",
                    h.name
                );
            }
            // Lines the verdict read are kept wherever they stood.
            let others = f
                .exchange
                .response_headers
                .iter()
                .filter(|h| !wire::is_judged(&h.name))
                .count();
            assert!(others <= wire::MAX_HEADERS, "{others} lines kept");
            for lang in [Lang::En, Lang::Fr] {
                let _ = explain::explain(f, lang);
                for stack in Stack::ALL {
                    for s in fix::snippets(f, stack, lang) {
                        for p in s.parts {
                            assert!(
                                p.code.len() < 200_000,
                                "{} snippet of {} bytes",
                                stack.id(),
                                p.code.len()
                            );
                        }
                    }
                }
            }
        }
        Report::Notice(n) => {
            let _ = notice_text::describe(n, Lang::En);
            let _ = notice_text::describe(n, Lang::Fr);
        }
    }
}

/// Feeds one case; returns (events refused as unreadable, reports).
fn run(case: &Value) -> (usize, Vec<Report>) {
    let mut engine = Engine::new();
    let mut refused = 0;
    let mut reports = Vec::new();
    for (listener, details) in events(case) {
        let Some(kind) = listener.as_str().and_then(EventKind::from_listener) else {
            refused += 1;
            continue;
        };
        // The binding turns what does not deserialize into an error.
        let Ok(event) = serde_json::from_value::<EventIn>(details) else {
            refused += 1;
            continue;
        };
        if let Some(report) = engine.ingest(event.into_event(kind)) {
            check_report(&report);
            reports.push(report);
        }
        assert!(engine.in_flight() <= 4096, "in-flight table over its cap");
    }
    (refused, reports)
}

#[test]
fn every_hostile_case_is_survived() {
    let cases = cases();
    assert!(cases.len() >= 15, "the corpus has its cases");
    for case in &cases {
        let id = case["id"].as_str().expect("id");
        let result = std::panic::catch_unwind(|| run(case));
        let (refused, reports) = result.unwrap_or_else(|_| panic!("case {id} panicked"));
        eprintln!("{id}: {} reports, {refused} events refused", reports.len());
    }
}

#[test]
fn markup_in_a_header_is_kept_as_the_raw_value() {
    let cases = cases();
    let case = cases
        .iter()
        .find(|c| c["id"] == "acao-markup")
        .expect("acao-markup");
    let (_, reports) = run(case);
    let Some(Report::Failure(f)) = reports.first() else {
        panic!("acao-markup is a failure: {reports:?}")
    };
    assert_eq!(f.allow_origin, ["<img src=x onerror=alert(1)>"]);
}

/// The case's reports, and how many requests its engine forgot.
fn run_counting(id: &str) -> (Vec<Report>, u64) {
    let cases = cases();
    let case = cases.iter().find(|c| c["id"] == id).expect(id);
    let mut engine = Engine::new();
    let mut reports = Vec::new();
    for (listener, details) in events(case) {
        let kind = EventKind::from_listener(listener.as_str().expect("listener")).expect("kind");
        let event: EventIn = serde_json::from_value(details).expect("details");
        reports.extend(engine.ingest(event.into_event(kind)));
    }
    (reports, engine.dropped())
}

/// A 200 KB `Access-Control-Allow-Origin` (Chromium reads response heads up
/// to 256 KB): judged on the whole value, then cut and marked in the finding.
#[test]
fn a_value_the_browser_accepts_is_judged_whole_then_cut_and_marked() {
    let (reports, dropped) = run_counting("acao-200kb");
    assert_eq!(dropped, 0);
    let Some(Report::Failure(f)) = reports.first() else {
        panic!("acao-200kb is a failure: {reports:?}")
    };
    assert_eq!(f.reason, cors_lens_core::CorsError::AllowOriginMismatch);
    let value = &f.allow_origin[0];
    assert!(
        value.len() < wire::MAX_HEADER_VALUE + 64,
        "{} bytes kept",
        value.len()
    );
    assert!(value.ends_with("bytes cut]"), "the cut is marked");
    assert!(
        f.failed_parameter.ends_with("bytes cut]"),
        "the cut is marked"
    );
}

/// A 1 MB value is more than any browser reads and more than one request
/// may hold: the request is forgotten and counted, never misjudged.
#[test]
fn a_megabyte_value_is_forgotten_and_counted_not_misjudged() {
    let (reports, dropped) = run_counting("acao-1mb");
    assert!(reports.is_empty(), "{reports:?}");
    assert_eq!(dropped, 1);
}

#[test]
fn wrong_types_are_refused_not_guessed() {
    let cases = cases();
    let case = cases
        .iter()
        .find(|c| c["id"] == "wrong-types")
        .expect("wrong-types");
    let (refused, _) = run(case);
    assert!(refused >= 8, "{refused} refused");
}

/// Found by fuzzing (fuzz/regressions/ingest/nan-time-stamp): a NaN or
/// infinite `timeStamp` was stored as `null`, and the record could not be
/// read back.
#[test]
fn a_non_finite_time_stamp_still_gives_a_readable_record() {
    let mut engine = Engine::new();
    let mut report = None;
    for (listener, value) in [
        (
            "onSendHeaders",
            serde_json::json!({"requestId": "n", "url": "http://localhost:8081/a", "method": "GET", "tabId": 1, "initiator": "http://127.0.0.1:8080", "requestHeaders": [{"name": "Origin", "value": "http://127.0.0.1:8080"}]}),
        ),
        (
            "onHeadersReceived",
            serde_json::json!({"requestId": "n", "url": "http://localhost:8081/a", "statusCode": 200}),
        ),
        (
            "onErrorOccurred",
            serde_json::json!({"requestId": "n", "url": "http://localhost:8081/a", "error": "net::ERR_FAILED"}),
        ),
    ] {
        for t in [f64::NAN, f64::INFINITY] {
            let mut event: EventIn = serde_json::from_value(value.clone()).expect("details");
            event.time_stamp = Some(t);
            let kind = EventKind::from_listener(listener).expect("listener");
            if let Some(r) = engine.ingest(event.into_event(kind)) {
                report = Some(r);
            }
        }
    }
    check_report(&report.expect("a failure"));
}
