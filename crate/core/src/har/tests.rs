//! The HAR adapter on small fixture files (tests/fixtures/har/), one per
//! writer and shape, and on unreadable input.

use super::*;
use crate::finding::Credentials;
use crate::reason::CorsError;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/har")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Case {
    file: &'static str,
    /// The failures expected: reason, credentials, URL suffix.
    failures: &'static [(CorsError, Credentials, &'static str)],
    /// Notices expected (kinds as debug names).
    notices: usize,
    without_response: usize,
}

#[test]
fn each_har_shape_gets_the_verdict_of_its_headers() {
    use CorsError::*;
    use Credentials::*;
    let cases = [
        Case {
            file: "chromium-missing-acao.har",
            failures: &[(MissingAllowOriginHeader, Unknown, "/api/no-acao")],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "chromium-preflight.har",
            failures: &[(PreflightMissingAllowOriginHeader, Unknown, "/pf/no-acao")],
            notices: 0,
            without_response: 1,
        },
        Case {
            file: "chromium-redirect.har",
            failures: &[(MissingAllowOriginHeader, Unknown, "/final")],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "firefox-wildcard-cookie.har",
            failures: &[(
                WildcardOriginNotAllowed,
                IncludeFromCookie,
                "/api/wildcard-cred",
            )],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "sanitized-credentials.har",
            failures: &[(
                WildcardOriginNotAllowed,
                IncludeFromFailure,
                "/api/wildcard",
            )],
            notices: 0,
            without_response: 0,
        },
        Case {
            file: "playwright-no-response.har",
            failures: &[],
            notices: 0,
            without_response: 1,
        },
        Case {
            file: "passing.har",
            failures: &[],
            notices: 0,
            without_response: 0,
        },
    ];
    for case in cases {
        let a = analyze(&fixture(case.file)[..]).unwrap_or_else(|e| panic!("{}: {e:?}", case.file));
        let got: Vec<(CorsError, Credentials, String)> = a
            .reports
            .iter()
            .filter_map(|r| match r {
                Report::Failure(f) => Some((f.reason, f.credentials, f.url.clone())),
                Report::Notice(_) => None,
            })
            .collect();
        assert_eq!(got.len(), case.failures.len(), "{}: {got:?}", case.file);
        for ((reason, creds, url), want) in got.iter().zip(case.failures) {
            assert_eq!(*reason, want.0, "{}", case.file);
            assert_eq!(*creds, want.1, "{}", case.file);
            assert!(url.ends_with(want.2), "{}: {url}", case.file);
        }
        assert_eq!(a.notices(), case.notices, "{}: {:?}", case.file, a.reports);
        assert_eq!(
            a.counts.without_response, case.without_response,
            "{}",
            case.file
        );
    }
}

#[test]
fn a_redirect_keeps_its_first_hop_and_the_null_origin() {
    let a = analyze(&fixture("chromium-redirect.har")[..]).expect("a HAR");
    let Some(Report::Failure(f)) = a.reports.first() else {
        panic!("a failure: {:?}", a.reports);
    };
    assert_eq!(f.origin, "null");
    assert_eq!(f.page_origin, "http://127.0.0.1:8000");
    assert_eq!(f.redirects.len(), 1);
    assert!(f.redirects[0].ends_with("/api/redirect"));
}

#[test]
fn the_cookie_list_of_a_har_counts_as_a_cookie_sent_and_is_redacted() {
    let text = String::from_utf8(fixture("firefox-wildcard-cookie.har")).expect("text");
    // The same request with the cookie in `cookies` only.
    let moved = text
        .replace(
            r#"{
       "name": "Cookie",
       "value": "session=s3cr3t-value"
      }"#,
            r#"{"name": "Accept", "value": "*/*"}"#,
        )
        .replace(
            r#""cookies": [],
     "headers""#,
            r#""cookies": [{"name": "session", "value": "s3cr3t-value"}], "headers""#,
        );
    assert!(!moved.contains("\"Cookie\""), "the fixture changed shape");
    let a = analyze(moved.as_bytes()).expect("a HAR");
    let Some(Report::Failure(f)) = a.reports.first() else {
        panic!("a failure: {:?}", a.reports);
    };
    assert_eq!(f.credentials, Credentials::IncludeFromCookie);
    assert!(!format!("{f:?}").contains("s3cr3t-value"));
}

#[test]
fn unreadable_input_says_why() {
    let cases: [(&[u8], &str); 7] = [
        (b"<html>not json</html>", "not_json"),
        (b"{\"log\": {\"version\": \"1.2\"}}", "not_har"),
        (b"{\"hello\": 1}", "not_har"),
        (b"[1, 2, 3]", "not_har"),
        (
            b"{\"log\": {\"entries\": [{\"request\": {\"url\": \"http://a/\"",
            "truncated",
        ),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary"),
        (b"{\"log\": {\"entries\": [{\"request\": 42}]}}", "not_har"),
    ];
    for (input, key) in cases {
        let err = analyze(input).expect_err("unreadable");
        assert_eq!(
            err.key(),
            key,
            "{:?}: {err:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn an_empty_har_is_read_and_has_nothing_to_say() {
    let a = analyze(&b"{\"log\": {\"version\": \"1.2\", \"entries\": []}}"[..]).expect("a HAR");
    assert!(a.reports.is_empty());
    assert_eq!(a.counts.entries, 0);
}

#[test]
fn entries_are_read_one_at_a_time_in_file_order() {
    let mut urls = Vec::new();
    let n = entries(&fixture("chromium-redirect.har")[..], &mut |e| {
        urls.push(e.request.url)
    })
    .expect("a HAR");
    assert_eq!(n, 2);
    assert!(urls[0].ends_with("/api/redirect") && urls[1].ends_with("/final"));
}

#[test]
fn a_refused_request_listed_before_its_preflight_is_judged_with_it() {
    let text = String::from_utf8(fixture("chromium-preflight.har")).expect("text");
    let mut har: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let entries = har["log"]["entries"].as_array_mut().expect("entries");
    entries.reverse();
    let a = analyze(har.to_string().as_bytes()).expect("a HAR");
    let reasons: Vec<CorsError> = a
        .reports
        .iter()
        .filter_map(|r| match r {
            Report::Failure(f) => Some(f.reason),
            Report::Notice(_) => None,
        })
        .collect();
    assert_eq!(reasons, [CorsError::PreflightMissingAllowOriginHeader]);
    assert_eq!(a.notices(), 0, "{:?}", a.reports);
}

#[test]
fn the_same_problem_seen_twice_is_one_record_counted_twice() {
    let text = String::from_utf8(fixture("chromium-missing-acao.har")).expect("text");
    let mut har: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let entries = har["log"]["entries"].as_array_mut().expect("entries");
    let again = entries[1].clone();
    entries.push(again);
    let a = analyze(har.to_string().as_bytes()).expect("a HAR");
    assert_eq!(a.failures(), 2);
    let records = a.records();
    assert_eq!(records.len(), 1);
    let crate::wire::Record::Failure(f) = &records[0] else {
        panic!("a failure record");
    };
    assert_eq!(f.count, 2);
}
