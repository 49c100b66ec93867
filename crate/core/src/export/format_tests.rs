//! Table-driven tests of the export formats: redaction everywhere, the JSON
//! round trip, the Markdown report, curl quoting, import rejections.

use serde_json::{json, Value};

use super::curl::{curl, quote};
use super::json::{export, import, to_text, ImportError, MAX_IMPORT_BYTES};
use super::markdown::markdown;
use super::Meta;
use crate::finding::{Credentials, Finding};
use crate::headers::Header;
use crate::l10n::Lang;
use crate::reason::CorsError;
use crate::testing::seen;
use crate::wire::{FindingRecord, Record};

const SECRETS: [&str; 6] = [
    "sid=SECRETCOOKIE",
    "Bearer SECRETBEARER",
    "SECRETAPIKEY",
    "SECRETTOKEN",
    "SECRETPASS",
    "SECRETUSER",
];

fn finding(reason: CorsError) -> Finding {
    let url = "http://SECRETUSER:SECRETPASS@api.test:8080/data?token=SECRETTOKEN&lab=1";
    Finding {
        request_id: "7".into(),
        tab_id: 3,
        time_ms: 1_700_000_000_000.0,
        method: "PUT".into(),
        url: url.into(),
        origin: "http://page.test".into(),
        page_origin: "http://page.test".into(),
        allow_methods: Some("GET".into()),
        requested_headers: vec!["authorization".into(), "x-api-key".into()],
        credentials: Credentials::IncludeFromCookie,
        // Values as an older build (no capture redaction) would have kept them.
        exchange: seen(
            "PUT",
            url,
            Some(200),
            &[
                ("Origin", "http://page.test"),
                ("Cookie", "sid=SECRETCOOKIE"),
                ("Authorization", "Bearer SECRETBEARER"),
                ("X-API-Key", "SECRETAPIKEY"),
                ("Content-Type", "application/json"),
                ("Referer", "http://page.test/?session=SECRETTOKEN"),
            ],
            &[
                ("Content-Type", "application/json"),
                ("Set-Cookie", "sid=SECRETCOOKIE"),
            ],
        ),
        preflight: Some(seen(
            "OPTIONS",
            url,
            Some(204),
            &[
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "authorization,x-api-key"),
            ],
            &[("Access-Control-Allow-Origin", "http://page.test")],
        )),
        count: 2,
        ..crate::testing::finding(reason)
    }
}

fn records(findings: &[Finding]) -> Vec<Value> {
    findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(Record::Failure(FindingRecord::from(f))).unwrap();
            v["firstSeen"] = json!(1_699_999_999_000.0);
            v
        })
        .collect()
}

fn meta() -> Meta {
    serde_json::from_value(json!({
        "extension": {"name": "CORS Lens", "version": "0.1.0"},
        "browser": "Chromium 156",
        "exportedAt": "2024-01-01T00:00:00.000Z",
        "page": {"url": "http://SECRETUSER:SECRETPASS@page.test/app?password=SECRETPASS", "origin": "http://page.test"}
    }))
    .unwrap()
}

fn assert_no_secret(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} contains {s}:\n{text}");
    }
}

#[test]
fn no_secret_in_any_format() {
    for reason in [
        CorsError::MissingAllowOriginHeader,
        CorsError::PreflightMissingAllowOriginHeader,
    ] {
        for lang in Lang::ALL {
            let (ex, unreadable) = export(&records(&[finding(reason)]), &meta(), lang);
            assert_eq!(unreadable, 0);
            let text = to_text(&ex);
            assert_no_secret("json", &text);
            assert!(text.contains("[redacted]"));
            assert!(text.contains("token=[redacted]"), "{text}");
            assert_no_secret("markdown", &markdown(&ex, lang));
            let c = curl(&ex.findings[0], lang);
            assert_no_secret("curl", &c.script);
            assert!(!c.script.contains("[redacted]@"), "{}", c.script);
        }
    }
}

#[test]
fn json_round_trip_keeps_every_field() {
    let (ex, _) = export(
        &records(&[finding(CorsError::MissingAllowOriginHeader)]),
        &meta(),
        Lang::Fr,
    );
    assert_eq!(ex.format, "cors-lens-export");
    assert_eq!(ex.version, 1);
    assert_eq!(ex.language, "fr");
    let f = &ex.findings[0];
    assert_eq!(f.mdn_id, "CORSMissingAllowOrigin");
    assert_eq!(f.severity, "failure");
    assert_eq!(f.first_seen, "2023-11-14T22:13:19.000Z");
    assert_eq!(f.last_seen, "2023-11-14T22:13:20.000Z");
    assert!(f.credentials_inferred);
    assert!(!f.explanation.summary.is_empty() && !f.explanation.fix.is_empty());
    let text = to_text(&ex);
    let imported = import(&text).unwrap();
    let (back, recs) = (imported.export, imported.records);
    assert_eq!(back, ex);
    // Exporting the imported records gives the same file.
    let (again, _) = export(&recs, &meta(), Lang::Fr);
    assert_eq!(again, ex);
    assert_eq!(recs[0]["imported"], json!(true));
    assert_eq!(recs[0]["kind"], json!("failure"));
}

#[test]
fn unreadable_records_are_counted_not_exported() {
    let mut recs = records(&[finding(CorsError::MissingAllowOriginHeader)]);
    recs.push(json!({"kind": "failure", "reason": "NoSuchReason"}));
    recs.push(json!(42));
    let (ex, unreadable) = export(&recs, &meta(), Lang::En);
    assert_eq!((ex.findings.len(), unreadable), (1, 2));
}

#[test]
fn markdown_has_a_table_and_a_section_per_finding() {
    let mut hostile = finding(CorsError::MissingAllowOriginHeader);
    hostile.url = "http://api.test/x|y`z<img src=x onerror=alert(1)>\n# heading".into();
    let (ex, _) = export(
        &records(&[
            finding(CorsError::PreflightMissingAllowOriginHeader),
            hostile,
        ]),
        &meta(),
        Lang::En,
    );
    let md = markdown(&ex, Lang::En);
    assert!(md.starts_with("# CORS Lens report\n"), "{md}");
    assert!(md.contains("| # | Reason |"), "{md}");
    assert!(md.contains("## 1. "));
    assert!(md.contains("## 2. "));
    assert!(md.contains("Access-Control-Request-Method: PUT"));
    assert!(md.contains("```sh\n"));
    // Hostile text cannot open a row, a heading or a tag.
    let table_rows = md
        .lines()
        .filter(|l| l.starts_with("| 2 |"))
        .collect::<Vec<_>>();
    assert_eq!(table_rows.len(), 1);
    assert_eq!(table_rows[0].matches(" | ").count(), 5, "{}", table_rows[0]);
    // Outside code, markup is escaped; inside code spans and fences it is inert.
    for line in md.lines().filter(|l| l.contains("<img")) {
        assert!(
            line.contains("\\<img")
                || line.contains("`` ")
                || line.starts_with(": 'CORS Lens: ")
                || line.starts_with("  --url '"),
            "{line}"
        );
    }
    assert!(md.contains("x\\|y\\`z\\<img"), "{md}");
    assert!(!md.lines().any(|l| l == "# heading"));
}

#[test]
fn markdown_says_in_words_what_the_json_keeps_as_ids() {
    let mut mismatch = finding(CorsError::AllowOriginMismatch);
    mismatch.failed_parameter = "http://other.test".into();
    let (ex, _) = export(
        &records(&[finding(CorsError::MissingAllowOriginHeader), mismatch]),
        &meta(),
        Lang::Fr,
    );
    let md = markdown(&ex, Lang::Fr);
    for expected in [
        "aucune (l'en-tête était absent)",
        "` http://other.test `",
        "envoyés (déduit de l'en-tête Cookie)",
    ] {
        assert!(md.contains(expected), "{expected:?} missing:\n{md}");
    }
    assert!(!md.contains("include-cookie"), "{md}");
}

#[test]
fn curl_reproduces_preflight_and_request() {
    let (ex, _) = export(
        &records(&[finding(CorsError::MissingAllowOriginHeader)]),
        &meta(),
        Lang::En,
    );
    let c = curl(&ex.findings[0], Lang::En);
    let pre = c.preflight.as_deref().unwrap();
    assert!(
        pre.starts_with(
            "curl -sS -i -g --proto '=http,https' -X 'OPTIONS' \\\n  --url 'http://api.test:8080/data?token=[redacted]&lab=1'"
        ),
        "{pre}"
    );
    assert!(pre.contains("-H 'Origin: http://page.test'"));
    assert!(pre.contains("-H 'Access-Control-Request-Method: PUT'"));
    assert!(pre.contains("-H 'Access-Control-Request-Headers: authorization,x-api-key'"));
    assert!(c.request.contains("-X 'PUT'"));
    assert!(c.request.contains("-H 'Content-Type: application/json'"));
    assert!(!c.request.contains("Cookie") && !c.request.contains("Authorization"));
    assert_eq!(c.omitted, ["Cookie", "Authorization", "X-API-Key"]);
    assert!(c.script.contains("Cookie, Authorization, X-API-Key"));
    // A simple request has no preflight.
    let mut simple = finding(CorsError::MissingAllowOriginHeader);
    simple.preflight = None;
    simple.method = "GET".into();
    let (ex, _) = export(&records(&[simple]), &meta(), Lang::En);
    let c = curl(&ex.findings[0], Lang::En);
    assert_eq!(c.preflight, None);
    assert!(
        c.request
            .starts_with("curl -sS -i -g --proto '=http,https' \\\n  --url 'http://"),
        "{}",
        c.request
    );
}

#[test]
fn curl_quoting_survives_hostile_values() {
    for (input, want) in [
        ("plain", "'plain'"),
        ("it's", "'it'\\''s'"),
        ("$(touch /tmp/x)", "'$(touch /tmp/x)'"),
        ("`id`", "'`id`'"),
        ("", "''"),
    ] {
        assert_eq!(quote(input), want);
    }
    let mut f = finding(CorsError::MissingAllowOriginHeader);
    f.url = "http://api.test/'; touch /tmp/pwned; echo '\n$(id)".into();
    f.exchange.request_headers = vec![
        Header::new("X-Evil", "a'b\nX-Injected: 1 $(id) `id`"),
        Header::new("X-Ok", "1"),
    ];
    f.origin = "http://page.test'\n#".into();
    let (ex, _) = export(&records(&[f]), &meta(), Lang::En);
    let c = curl(&ex.findings[0], Lang::En);
    // Every line is a `:` remark, a curl line or a quoted continuation.
    for line in c.script.lines() {
        let t = line.trim_start();
        assert!(
            t.starts_with(": '")
                || t.starts_with("curl ")
                || t.starts_with("--url '")
                || t.starts_with("-H '"),
            "{line:?}\n{}",
            c.script
        );
    }
    assert!(
        c.request
            .contains("-H 'X-Evil: a'\\''b X-Injected: 1 $(id) `id`'"),
        "{}",
        c.request
    );
    assert!(
        c.request
            .contains("--url 'http://api.test/'\\''; touch /tmp/pwned; echo '\\''%0A$(id)'"),
        "{}",
        c.request
    );
}

#[test]
fn curl_sends_the_method_exactly_as_captured() {
    for (method, want) in [
        ("GET", None),
        ("HEAD", Some("--head")),
        ("PUT", Some("-X 'PUT'")),
        ("patch", Some("-X 'patch'")),
        ("get", Some("-X 'get'")),
        ("head", Some("-X 'head'")),
        ("-X", Some("-X '-X'")),
        ("M'ETH", Some("-X 'M'\\''ETH'")),
    ] {
        let mut f = finding(CorsError::MissingAllowOriginHeader);
        f.preflight = None;
        f.method = method.into();
        f.exchange.method = method.into();
        let (ex, _) = export(&records(&[f]), &meta(), Lang::En);
        let c = curl(&ex.findings[0], Lang::En);
        let first = c.request.lines().next().unwrap();
        let base = "curl -sS -i -g --proto '=http,https'";
        match want {
            None => assert_eq!(first, format!("{base} \\"), "{method}"),
            Some(arg) => assert_eq!(first, format!("{base} {arg} \\"), "{method}"),
        }
    }
}

#[test]
fn curl_hides_nothing_behind_invisible_characters() {
    let mut f = finding(CorsError::MissingAllowOriginHeader);
    f.preflight = None;
    f.url = "http://api.test/a\u{202E}b\u{200B}c\u{2066}d\u{2028}e\u{7}".into();
    f.exchange.request_headers = vec![Header::new("X-Bidi\u{202E}", "v\u{2069}\u{FEFF}\tw\u{85}")];
    let (ex, _) = export(&records(&[f]), &meta(), Lang::En);
    let c = curl(&ex.findings[0], Lang::En);
    assert!(
        c.request
            .contains("--url 'http://api.test/a%E2%80%AEb%E2%80%8Bc%E2%81%A6d%E2%80%A8e%07'"),
        "{}",
        c.request
    );
    assert!(
        c.request
            .contains("-H 'X-Bidi\u{FFFD}: v\u{FFFD}\u{FFFD} w '"),
        "{}",
        c.request
    );
    assert!(
        !c.script
            .chars()
            .any(|ch| ch != '\n' && (ch.is_control() || super::curl::is_invisible(ch))),
        "{:?}",
        c.script
    );
}

#[test]
fn import_rejects_what_is_not_an_export() {
    let (ex, _) = export(
        &records(&[finding(CorsError::MissingAllowOriginHeader)]),
        &meta(),
        Lang::En,
    );
    let good: Value = serde_json::from_str(&to_text(&ex)).unwrap();
    let with = |path: &str, v: Value| {
        let mut g = good.clone();
        *g.pointer_mut(path).unwrap() = v;
        g.to_string()
    };
    let too_large = " ".repeat(MAX_IMPORT_BYTES + 1);
    type Expect = fn(&ImportError) -> bool;
    let cases: Vec<(String, Expect)> = vec![
        ("not json".into(), |e| matches!(e, ImportError::NotJson(_))),
        ("".into(), |e| matches!(e, ImportError::NotJson(_))),
        ("[1,2]".into(), |e| *e == ImportError::NotAnExport),
        (r#"{"log":{"version":"1.2","entries":[]}}"#.into(), |e| {
            *e == ImportError::NotAnExport
        }),
        (with("/format", json!("har")), |e| {
            *e == ImportError::NotAnExport
        }),
        (with("/version", json!(2)), |e| {
            *e == ImportError::NewerVersion(2)
        }),
        (with("/version", json!("1")), |e| {
            matches!(e, ImportError::WrongShape(_))
        }),
        (with("/findings", json!({})), |e| {
            matches!(e, ImportError::WrongShape(_))
        }),
        (with("/findings/0/count", json!(-1)), |e| {
            matches!(e, ImportError::WrongShape(_))
        }),
        (with("/findings/0/reason", json!("Nope")), |e| {
            matches!(e, ImportError::WrongShape(_))
        }),
        (with("/findings/0/lastSeen", json!("soon")), |e| {
            matches!(e, ImportError::WrongShape(_))
        }),
        (
            with("/findings/0/exchange/requestHeaders", json!([[1, 2]])),
            |e| matches!(e, ImportError::WrongShape(_)),
        ),
        ("[".repeat(100_000), |e| {
            matches!(e, ImportError::NotJson(_))
        }),
        (too_large, |e| matches!(e, ImportError::TooLarge { .. })),
    ];
    for (text, ok) in cases {
        let err = import(&text).expect_err(&text[..text.len().min(80)]);
        assert!(ok(&err), "{:?} for {}", err, &text[..text.len().min(80)]);
        for lang in Lang::ALL {
            let msg = err.message(lang);
            assert!(!msg.contains('{') || msg.contains("detail"), "{msg}");
            assert!(!msg.starts_with("ui_"), "{msg}");
        }
    }
    assert!(import(&good.to_string()).is_ok());
}
