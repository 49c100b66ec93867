//! The secret corpus (`tests/fixtures/secrets.json`, issue 14) through the
//! whole path: `wire::EventIn` → `Engine` (capture) → the record stored and
//! rendered (with its explanation) → the JSON export, the Markdown report and
//! the curl script. No shape's token may survive anywhere; the controls
//! (values that hold no secret) must come out exactly as they went in; and
//! a secret-looking value the check reads is judged raw.

use cors_lens_core::export::{self, curl::curl, json, markdown::markdown, Meta};
use cors_lens_core::l10n::Lang;
use cors_lens_core::wire::{EventIn, Record};
use cors_lens_core::{explain, notice_text, Engine, EventKind, Finding, Notice, Report};
use serde_json::{json, Value};

const CORPUS: &str = include_str!("../../../tests/fixtures/secrets.json");
const PAGE: &str = "http://page.test:8080";
const API: &str = "http://api.test:8081";

fn corpus() -> Value {
    serde_json::from_str(CORPUS).expect("secrets.json parses")
}

/// One request to build: what the page sent and what the server answered.
#[derive(Default)]
struct Case {
    url: String,
    page_url: String,
    request: Vec<(String, String)>,
    response: Vec<(String, String)>,
    redirect: Option<String>,
}

fn s(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

impl Case {
    fn new() -> Case {
        Case {
            url: format!("{API}/secrets?lab=1"),
            page_url: format!("{PAGE}/app"),
            request: vec![
                ("Origin".into(), PAGE.into()),
                ("Sec-Fetch-Mode".into(), "cors".into()),
            ],
            response: vec![("Content-Type".into(), "text/plain".into())],
            redirect: None,
        }
    }

    fn with(mut self, shape: &Value) -> Case {
        let header = || (s(shape, "name"), s(shape, "value"));
        match shape["in"].as_str() {
            Some("requestHeader") => self.request.push(header()),
            Some("responseHeader") => self.response.push(header()),
            Some("url") => {
                let host = API.trim_start_matches("http://");
                let userinfo = shape["userinfo"]
                    .as_str()
                    .map_or(String::new(), |u| format!("{u}@"));
                self.url = format!("http://{userinfo}{host}{}", s(shape, "path"));
            }
            Some("redirect") => self.redirect = Some(s(shape, "path")),
            Some("referrer") => self
                .request
                .push(("Referer".into(), format!("{PAGE}{}", s(shape, "path")))),
            Some("pageUrl") => self.page_url = format!("{PAGE}{}", s(shape, "path")),
            other => panic!("unknown `in` {other:?} in {shape}"),
        }
        self
    }
}

fn pairs(list: &[(String, String)]) -> Value {
    list.iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect()
}

fn feed(engine: &mut Engine, kind: EventKind, details: Value) -> Option<Report> {
    let event: EventIn = serde_json::from_value(details).expect("details deserialize");
    engine.ingest(event.into_event(kind))
}

/// The case as a failure (the response lacks what the check needs) and as
/// a request that never got an answer (a notice).
fn reports(case: &Case, id: &str) -> Vec<Report> {
    let base = json!({
        "requestId": id, "url": case.url, "method": "GET", "type": "xmlhttprequest",
        "tabId": 1, "timeStamp": 1_700_000_000_000.0_f64, "initiator": PAGE,
    });
    let with = |extra: Value| {
        let mut v = base.clone();
        for (k, x) in extra.as_object().expect("an object") {
            v[k] = x.clone();
        }
        v
    };
    let mut out = Vec::new();
    let mut engine = Engine::new();
    feed(
        &mut engine,
        EventKind::SendHeaders,
        with(json!({"requestHeaders": pairs(&case.request)})),
    );
    let mut response = case.response.clone();
    let status = match &case.redirect {
        Some(target) => {
            response.push(("Location".into(), target.clone()));
            302
        }
        None => 200,
    };
    feed(
        &mut engine,
        EventKind::HeadersReceived,
        with(json!({"statusCode": status, "responseHeaders": pairs(&response)})),
    );
    let end = match &case.redirect {
        Some(target) => feed(
            &mut engine,
            EventKind::BeforeRedirect,
            with(json!({"statusCode": 302, "redirectUrl": target})),
        )
        .or_else(|| {
            feed(
                &mut engine,
                EventKind::ErrorOccurred,
                with(json!({"error": "net::ERR_FAILED"})),
            )
        }),
        None => feed(
            &mut engine,
            EventKind::ErrorOccurred,
            with(json!({"error": "net::ERR_FAILED"})),
        ),
    };
    out.push(end.unwrap_or_else(|| panic!("case {id} reports nothing")));
    let mut engine = Engine::new();
    feed(
        &mut engine,
        EventKind::SendHeaders,
        with(json!({"requestHeaders": pairs(&case.request)})),
    );
    let unanswered = feed(
        &mut engine,
        EventKind::ErrorOccurred,
        with(json!({"error": "net::ERR_CONNECTION_REFUSED"})),
    );
    out.push(unanswered.unwrap_or_else(|| panic!("case {id}: no notice for a refused connection")));
    out
}

/// Every text a case's reports turn into: the stored record (what the
/// worker keeps and the panel receives), the panel's explanations, and each
/// export format with its curl scripts, in both languages.
fn texts(case: &Case, id: &str) -> Vec<(String, String)> {
    let records: Vec<Value> = reports(case, id)
        .iter()
        .map(|r| serde_json::to_value(Record::from(r)).expect("record serializes"))
        .collect();
    let mut out = vec![(
        "record".to_owned(),
        Value::from(records.clone()).to_string(),
    )];
    let meta: Meta = serde_json::from_value(json!({
        "extension": {"name": "CORS Lens", "version": "0"},
        "browser": "Chromium 1", "exportedAt": "2024-01-01T00:00:00.000Z",
        "page": {"url": case.page_url, "origin": PAGE},
    }))
    .expect("meta");
    for lang in Lang::ALL {
        for r in &records {
            match serde_json::from_value::<Record>(r.clone()).expect("record reads back") {
                Record::Failure(f) => {
                    let f = Finding::from(f);
                    let e = explain::explain(&f, lang);
                    out.push((
                        "panel explanation".into(),
                        [e.title, e.what, e.why, e.fix, e.warnings.join(" ")].join("\n"),
                    ));
                }
                Record::Notice(n) => {
                    let n = Notice::from(n);
                    let d = notice_text::describe(&n, lang);
                    out.push(("panel notice".into(), [d.title, d.what, d.fix].join("\n")));
                }
            }
        }
        let (ex, unreadable) = export::export(&records, &meta, lang);
        assert_eq!(unreadable, 0, "{id}");
        out.push(("JSON export".into(), json::to_text(&ex)));
        out.push(("Markdown report".into(), markdown(&ex, lang)));
        for f in &ex.findings {
            out.push(("curl script".into(), curl(f, lang).script));
        }
    }
    out
}

#[test]
fn the_corpus_has_at_least_forty_shapes_each_with_a_unique_token() {
    let c = corpus();
    let shapes = c["shapes"].as_array().expect("shapes");
    assert!(shapes.len() >= 40, "{} shapes", shapes.len());
    let mut tokens: Vec<&str> = shapes
        .iter()
        .map(|s| s["token"].as_str().expect("a token"))
        .collect();
    for s in shapes {
        let token = s["token"].as_str().unwrap_or_default();
        assert!(
            s.to_string().matches(token).count() >= 2,
            "{} does not use its token",
            s["id"]
        );
        if s["browser"] == Value::Bool(false) {
            assert!(
                s["why"].is_string(),
                "{}: say why the browser cannot",
                s["id"]
            );
        }
    }
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!(tokens.len(), shapes.len(), "tokens are unique");
}

#[test]
fn no_token_survives_capture_storage_panel_or_any_export() {
    let c = corpus();
    let shapes = c["shapes"].as_array().expect("shapes");
    let mut failures = Vec::new();
    for shape in shapes {
        let id = s(shape, "id");
        let token = s(shape, "token");
        for (what, text) in texts(&Case::new().with(shape), &id) {
            if text.contains(&token) {
                failures.push(format!(
                    "{id} ({}) in the {what}:\n{text}",
                    s(shape, "class")
                ));
            }
        }
    }
    // All shapes at once, so no rule hides behind another.
    let all = shapes.iter().fold(Case::new(), |c, s| c.with(s));
    for (what, text) in texts(&all, "all") {
        for shape in shapes {
            if text.contains(&s(shape, "token")) {
                failures.push(format!(
                    "{} with every shape, in the {what}",
                    s(shape, "id")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn controls_without_a_secret_come_out_unchanged() {
    let c = corpus();
    let controls = c["controls"].as_array().expect("controls");
    let case = controls.iter().fold(Case::new(), |c, s| c.with(s));
    let report = reports(&case, "controls").remove(0);
    let Report::Failure(f) = &report else {
        panic!("a failure: {report:?}")
    };
    assert_eq!(f.allow_origin, ["https://app.example.com @team"]);
    let ex = export::export(
        &[serde_json::to_value(Record::from(&report)).expect("record")],
        &Meta::default(),
        Lang::En,
    )
    .0;
    let exported = &ex.findings[0];
    assert_eq!(exported.allow_origin, ["https://app.example.com @team"]);
    let md = markdown(&ex, Lang::En);
    for control in controls {
        let pair = (s(control, "name"), s(control, "value"));
        let (stored, out) = match control["in"].as_str() {
            Some("requestHeader") => (
                &f.exchange.request_headers,
                &exported.exchange.request_headers,
            ),
            _ => (
                &f.exchange.response_headers,
                &exported.exchange.response_headers,
            ),
        };
        assert!(
            stored.iter().any(|h| h.name == pair.0 && h.value == pair.1),
            "the record changed {pair:?}: {stored:?}"
        );
        assert!(out.contains(&pair), "the export changed {pair:?}: {out:?}");
    }
    assert!(md.contains("https://app.example.com @team"), "{md}");
}

#[test]
fn a_secret_looking_value_the_check_reads_is_judged_raw() {
    // Redacted first, `Bearer X, http://page.test` would lose its comma and
    // be judged a mismatch: raw, it holds two origins.
    let cases = [
        (
            "Bearer SECRETJUDGED1, http://page.test:8080",
            "MultipleAllowOriginValues",
        ),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.SECRETJUDGED2",
            "InvalidAllowOriginValue",
        ),
    ];
    for (value, reason) in cases {
        let mut case = Case::new();
        case.response
            .push(("Access-Control-Allow-Origin".into(), value.into()));
        let report = reports(&case, "judged").remove(0);
        let record = serde_json::to_value(Record::from(&report)).expect("record");
        assert_eq!(record["reason"], reason, "{value}");
        assert!(!record.to_string().contains("SECRETJUDGED"), "{record}");
    }
}
