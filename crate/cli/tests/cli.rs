//! The `cors-lens` binary run on the HAR fixtures (tests/fixtures/har/) and
//! on unreadable input: what it prints and its exit status.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/har")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cors-lens"))
        .args(args)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn each_fixture_gets_its_reasons_and_exit_status() {
    let cases: [(&str, &[&str], i32); 8] = [
        (
            "chromium-missing-acao.har",
            &["MissingAllowOriginHeader"],
            1,
        ),
        (
            "chromium-preflight.har",
            &["PreflightMissingAllowOriginHeader"],
            1,
        ),
        ("chromium-redirect.har", &["MissingAllowOriginHeader"], 1),
        (
            "firefox-wildcard-cookie.har",
            &["WildcardOriginNotAllowed"],
            1,
        ),
        (
            "sanitized-credentials.har",
            &["WildcardOriginNotAllowed"],
            1,
        ),
        ("playwright-no-response.har", &[], 0),
        ("passing.har", &[], 0),
        ("notice-only.har", &[], 0),
    ];
    for (file, reasons, code) in cases {
        let path = fixture(file);
        let out = run(&["check", "--format", "json", path.to_str().expect("a path")]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{file}: {}",
            text(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON out");
        assert_eq!(json["format"], "cors-lens-export");
        let got: Vec<&str> = json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["reason"].as_str().expect("a reason"))
            .collect();
        assert_eq!(got, reasons, "{file}");
    }
}

#[test]
fn the_table_names_the_reason_and_markdown_is_a_report() {
    let path = fixture("chromium-missing-acao.har");
    let path = path.to_str().expect("a path");
    let out = run(&["check", path]);
    let table = text(&out.stdout);
    assert!(
        table.contains("Access-Control-Allow-Origin header missing"),
        "{table}"
    );
    assert!(
        table.contains("http://localhost:9000/api/no-acao"),
        "{table}"
    );
    assert!(text(&out.stderr).contains("1 CORS failures"));
    let md = run(&["check", "--format", "markdown", "--lang", "fr", path]);
    assert_eq!(md.status.code(), Some(1));
    assert!(text(&md.stdout).starts_with("# Rapport CORS Lens"));
}

#[test]
fn fail_on_warnings_turns_a_notice_into_a_failure_exit() {
    let path = fixture("notice-only.har");
    let path = path.to_str().expect("a path");
    let out = run(&["check", path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("Vary"), "{}", text(&out.stdout));
    let strict = run(&["check", "--fail-on", "warnings", path]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn unreadable_input_exits_2_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("cors-lens-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let cases: [(&str, &[u8], &str); 4] = [
        ("page.har", b"<html></html>", "not JSON"),
        ("other.har", b"{\"name\": \"not a har\"}", "not a HAR file"),
        (
            "cut.har",
            b"{\"log\": {\"entries\": [{\"request\": {",
            "ends too early",
        ),
        ("image.har", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", "binary"),
    ];
    for (name, bytes, says) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("written");
        let out = run(&["check", path.to_str().expect("a path")]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(
            text(&out.stderr).contains(says),
            "{name}: {}",
            text(&out.stderr)
        );
    }
    let missing = run(&["check", dir.join("absent.har").to_str().expect("a path")]);
    assert_eq!(missing.status.code(), Some(2));
    // A readable file beside an unreadable one: still exit 2, both reported.
    let ok = fixture("passing.har");
    let both = run(&[
        "check",
        ok.to_str().expect("a path"),
        dir.join("page.har").to_str().expect("a path"),
    ]);
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("2 requests read"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn help_shows_examples_and_wrong_commands_exit_2() {
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("cors-lens check recording.har"));
    for args in [
        &["check"][..],
        &["check", "--format", "xml", "a.har"],
        &["check", "--nope"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains("--help"), "{args:?}");
    }
}

#[test]
fn the_demo_lab_har_from_chromium_gives_every_kind_of_finding() {
    let path = fixture("demo.har");
    let out = run(&["check", "--format", "json", path.to_str().expect("a path")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON out");
    let reasons: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["reason"].as_str())
        .collect();
    for want in [
        "MissingAllowOriginHeader",
        "AllowOriginMismatch",
        "WildcardOriginNotAllowed",
        "RedirectContainsCredentials",
        "CorsDisabledScheme",
        "PreflightMissingAllowOriginHeader",
        "PreflightInvalidStatus",
        "MethodDisallowedByPreflightResponse",
        "HeaderDisallowedByPreflightResponse",
    ] {
        assert!(reasons.contains(&want), "{want} in {reasons:?}");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("[redacted]=") && json["redacted"] == true);
}

/// A run's reasons (`Reason(failedParameter)`) and notices in an export, sorted.
fn of_run(json: &serde_json::Value, nonce: &str) -> (Vec<String>, Vec<String>) {
    let token = format!("lab={nonce}");
    let about = |list: &str| -> Vec<serde_json::Value> {
        json[list]
            .as_array()
            .expect("a list")
            .iter()
            .filter(|r| r["url"].as_str().is_some_and(|u| u.contains(&token)))
            .cloned()
            .collect()
    };
    let mut reasons: Vec<String> = about("findings")
        .iter()
        .map(|f| {
            let reason = f["reason"].as_str().unwrap_or_default();
            match f["failedParameter"].as_str().unwrap_or_default() {
                "" => reason.to_owned(),
                p => format!("{reason}({p})"),
            }
        })
        .collect();
    let mut notices: Vec<String> = about("notices")
        .iter()
        .map(|n| n["notice"].as_str().unwrap_or_default().to_owned())
        .collect();
    reasons.sort();
    notices.sort();
    (reasons, notices)
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

#[test]
fn the_network_panels_own_har_export_gives_the_browsers_verdicts_and_the_live_panels_findings() {
    // Exported by Chromium's Network panel ("Export HAR (sanitized)") for the
    // demo lab, beside what the browser and the live panel said of each run
    // (tests/e2e/netpanel-har.test.mjs, CORS_LENS_WRITE_FIXTURE=1).
    let path = fixture("chromium-network-panel.har");
    let verdicts: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixture("chromium-network-panel.verdicts.json")).expect("the verdicts"),
    )
    .expect("JSON");
    let out = run(&["check", "--format", "json", path.to_str().expect("a path")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON out");
    let runs = verdicts["runs"].as_array().expect("runs");
    assert!(runs.len() > 30, "{} runs", runs.len());
    let mut differ = Vec::new();
    for r in runs {
        let id = r["id"].as_str().expect("an id");
        let (reasons, notices) = of_run(&json, r["nonce"].as_str().expect("a nonce"));
        let browser: Vec<String> = match r["corsError"].as_str() {
            None => Vec::new(),
            Some(e) => match r["failedParameter"].as_str().unwrap_or_default() {
                "" => vec![e.to_owned()],
                p => vec![format!("{e}({p})")],
            },
        };
        let live = (
            strings(&r["live"]["reasons"]),
            strings(&r["live"]["notices"]),
        );
        if reasons != browser {
            differ.push(format!("{id}: {reasons:?}, Chromium said {browser:?}"));
        }
        if (reasons.clone(), notices.clone()) != live && verdicts["cannotTell"][id].is_null() {
            differ.push(format!(
                "{id}: {reasons:?} {notices:?}, the live panel {live:?}"
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
