//! The complete fix on captured exchanges: which changes, in which order,
//! and that the fixed exchange passes the same check.

use super::*;
use crate::finding::{Credentials, Finding, Seen};
use crate::headers::Header;
use CorsError::*;

const ORIGIN: &str = "http://127.0.0.1:8080";

/// A finding as the engine reports it: for a preflight reason, the
/// preflight's answer in the `allow_*` fields.
fn finding(reason: CorsError, method: &str, requested: &[&str], credentials: bool) -> Finding {
    Finding {
        method: method.to_owned(),
        status: Some(if reason.is_preflight() { 204 } else { 200 }),
        requested_headers: requested.iter().map(|h| h.to_string()).collect(),
        credentials: if credentials {
            Credentials::IncludeFromCookie
        } else {
            Credentials::Unknown
        },
        ..crate::testing::finding(reason)
    }
}

fn with(mut f: Finding, edit: impl FnOnce(&mut Finding)) -> Finding {
    edit(&mut f);
    f
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|h| h.to_string()).collect()
}

/// (what the case is, the finding, the way to allow the origin, the changes)
type Case = (&'static str, Finding, Variant, Vec<Change>);

fn cases() -> Vec<Case> {
    use Change::*;
    vec![
        (
            "a simple GET with no header needs the origin only",
            finding(MissingAllowOriginHeader, "GET", &[], false),
            Variant::Exact,
            vec![AllowOrigin(Variant::Exact)],
        ),
        (
            "a credentialed GET answered with * needs the origin, credentials and Vary",
            with(finding(WildcardOriginNotAllowed, "GET", &[], true), |f| {
                f.allow_origin = vec!["*".to_owned()];
            }),
            Variant::Exact,
            vec![AllowOrigin(Variant::Exact), AllowCredentials, VaryOrigin],
        ),
        (
            "the issue's example: credentials and a custom header against a preflight answered with *",
            with(
                finding(PreflightWildcardOriginNotAllowed, "PUT", &["x-custom"], true),
                |f| f.allow_origin = vec!["*".to_owned()],
            ),
            Variant::Exact,
            vec![
                AllowOrigin(Variant::Exact),
                AllowCredentials,
                AllowMethod("PUT".to_owned()),
                AllowHeaders(headers(&["x-custom"])),
                VaryOrigin,
            ],
        ),
        (
            "a custom header against a server with none of the headers",
            finding(PreflightMissingAllowOriginHeader, "GET", &["x-custom"], false),
            Variant::Exact,
            vec![AllowOrigin(Variant::Exact), AllowHeaders(headers(&["x-custom"]))],
        ),
        (
            "every missing header is added at once, the ones listed are kept",
            with(
                finding(HeaderDisallowedByPreflightResponse, "GET", &["x-a", "x-b", "x-c"], false),
                |f| {
                    f.allow_origin = vec![ORIGIN.to_owned()];
                    f.allow_headers = Some("X-B".to_owned());
                },
            ),
            Variant::Exact,
            vec![AllowHeaders(headers(&["x-a", "x-c"]))],
        ),
        (
            "a redirected preflight: stop redirecting, then allow the origin and the method",
            with(finding(PreflightDisallowedRedirect, "PUT", &[], false), |f| {
                f.status = Some(301);
            }),
            Variant::Exact,
            vec![
                StopPreflightRedirect,
                AllowOrigin(Variant::Exact),
                AllowMethod("PUT".to_owned()),
            ],
        ),
        (
            "a preflight refused with 401: answer it with 204, then allow the method",
            with(finding(PreflightInvalidStatus, "DELETE", &[], false), |f| {
                f.status = Some(401);
                f.allow_origin = vec![ORIGIN.to_owned()];
            }),
            Variant::Exact,
            vec![AnswerPreflight, AllowMethod("DELETE".to_owned())],
        ),
        (
            "an unparseable method list is rewritten with the method in it",
            with(
                finding(InvalidAllowMethodsPreflightResponse, "PUT", &[], false),
                |f| {
                    f.allow_origin = vec![ORIGIN.to_owned()];
                    f.allow_methods = Some("GET; PUT".to_owned());
                },
            ),
            Variant::Exact,
            vec![ListMethods(headers(&["PUT"]))],
        ),
        (
            "an unparseable header list is rewritten with the requested headers",
            with(
                finding(InvalidAllowHeadersPreflightResponse, "GET", &["x-api-key"], false),
                |f| {
                    f.allow_origin = vec![ORIGIN.to_owned()];
                    f.allow_headers = Some("Content-Type X-Api-Key".to_owned());
                },
            ),
            Variant::Exact,
            vec![ListHeaders(headers(&["x-api-key"]))],
        ),
        (
            "a lowercase method is allowed as sent (methods compare with case)",
            with(finding(MethodDisallowedByPreflightResponse, "patch", &[], false), |f| {
                f.allow_origin = vec![ORIGIN.to_owned()];
                f.allow_methods = Some("PATCH".to_owned());
            }),
            Variant::Exact,
            vec![AllowMethod("patch".to_owned())],
        ),
        (
            "a duplicated header is sent from one place",
            with(finding(MultipleAllowOriginValues, "GET", &[], false), |f| {
                f.allow_origin = vec![ORIGIN.to_owned(), ORIGIN.to_owned()];
            }),
            Variant::SingleSource,
            vec![AllowOrigin(Variant::SingleSource)],
        ),
        (
            "an answer that already allowed credentials keeps them, with Vary",
            with(finding(AllowOriginMismatch, "GET", &[], false), |f| {
                f.allow_origin = vec!["null".to_owned()];
                f.allow_credentials = Some("true".to_owned());
            }),
            Variant::Exact,
            vec![AllowOrigin(Variant::Exact), VaryOrigin],
        ),
        (
            "reflecting the origin always ends with Vary: Origin",
            finding(MissingAllowOriginHeader, "GET", &[], false),
            Variant::Reflect,
            vec![AllowOrigin(Variant::Reflect), VaryOrigin],
        ),
        (
            "the wildcard without credentials needs no Vary",
            finding(MissingAllowOriginHeader, "GET", &[], false),
            Variant::Wildcard,
            vec![AllowOrigin(Variant::Wildcard)],
        ),
        (
            "an actual response without the header after a passing preflight keeps what the preflight allowed",
            with(finding(MissingAllowOriginHeader, "PUT", &[], false), |f| {
                f.preflight = Some(Seen {
                    method: "OPTIONS".to_owned(),
                    url: f.url.clone(),
                    status: Some(204),
                    request_headers: vec![
                        Header::new("Access-Control-Request-Method", "PUT"),
                        Header::new("Access-Control-Request-Headers", "x-custom"),
                    ],
                    response_headers: vec![
                        Header::new("Access-Control-Allow-Origin", ORIGIN),
                        Header::new("Access-Control-Allow-Methods", "PUT"),
                        Header::new("Access-Control-Allow-Headers", "X-Custom"),
                    ],
                });
            }),
            Variant::Exact,
            vec![AllowOrigin(Variant::Exact)],
        ),
    ]
}

#[test]
fn each_failure_gets_every_change_in_the_order_the_check_meets_them() {
    for (what, f, variant, want) in cases() {
        let exchange = Exchange::of(&f);
        let got = plan_with(&exchange, variant);
        assert_eq!(got.changes, want, "{what}");
        assert!(got.complete, "{what}: {got:?}");
        assert_eq!(got.fixed.first_failure(), None, "{what}: {got:?}");
        // The captured exchange failed with the finding's own reason.
        let first = exchange.first_failure().map(|failure| failure.reason);
        assert_eq!(
            first,
            Some(f.reason),
            "{what}: the model replays the capture"
        );
    }
}

#[test]
fn the_finding_picks_its_first_offered_way_to_allow_the_origin() {
    let f = finding(MissingAllowOriginHeader, "GET", &[], false);
    assert_eq!(
        plan(&Exchange::of(&f), &f).changes,
        vec![Change::AllowOrigin(Variant::Exact)]
    );
    let f = with(finding(MultipleAllowOriginValues, "GET", &[], false), |f| {
        f.allow_origin = vec![ORIGIN.to_owned(), "http://x.test".to_owned()];
    });
    assert_eq!(
        plan(&Exchange::of(&f), &f).changes,
        vec![Change::AllowOrigin(Variant::SingleSource)]
    );
}

#[test]
fn what_no_header_can_fix_gives_an_incomplete_plan() {
    let cases: Vec<(&str, Finding, Variant)> = vec![
        (
            "a redirect to a URL with credentials",
            finding(RedirectContainsCredentials, "GET", &[], false),
            Variant::Exact,
        ),
        (
            "a redirect to a scheme without CORS",
            finding(CorsDisabledScheme, "GET", &[], false),
            Variant::Exact,
        ),
        (
            "a method that is not a token cannot be listed",
            finding(MethodDisallowedByPreflightResponse, "P T", &[], false),
            Variant::Exact,
        ),
        (
            "a header name that is not a token cannot be listed",
            finding(HeaderDisallowedByPreflightResponse, "GET", &["x y"], false),
            Variant::Exact,
        ),
        (
            "* never passes with credentials",
            finding(InvalidAllowCredentials, "GET", &[], true),
            Variant::Wildcard,
        ),
    ];
    for (what, f, variant) in cases {
        let got = plan_with(&Exchange::of(&f), variant);
        assert!(!got.complete, "{what}: {got:?}");
        assert!(got.changes.len() <= MAX_CHANGES, "{what}");
    }
}

#[test]
fn every_reason_ends_within_the_cap_and_passes_when_complete() {
    for reason in CorsError::ALL {
        for credentials in [false, true] {
            for variant in [
                Variant::Exact,
                Variant::SingleSource,
                Variant::Reflect,
                Variant::Wildcard,
            ] {
                let f = finding(reason, "PUT", &["x-custom", "authorization"], credentials);
                let got = plan_with(&Exchange::of(&f), variant);
                assert!(got.changes.len() <= MAX_CHANGES, "{reason:?}");
                // Some reasons imply credentials whatever the capture shows.
                let with_credentials = crate::fix::credentials_involved(&f);
                let star_with_credentials = variant == Variant::Wildcard && with_credentials;
                let sendable = reason.fixed_by_headers() && !star_with_credentials;
                assert_eq!(
                    got.complete, sendable,
                    "{reason:?} {variant:?} {credentials}: {got:?}"
                );
                if got.complete {
                    assert_eq!(got.fixed.first_failure(), None, "{reason:?}");
                }
            }
        }
    }
}

#[test]
fn steps_follow_the_check_order() {
    // Every reason has a step, the redirect targets last; the preflight's
    // steps come before the actual response's.
    for reason in CorsError::ALL {
        let s = step(reason);
        assert!(s <= STEPS, "{reason:?}");
        assert_eq!(s == STEPS, !reason.fixed_by_headers(), "{reason:?}");
        if reason.is_preflight() {
            assert!(s < step(MissingAllowOriginHeader), "{reason:?}");
        }
    }
}

/// The issue's example: a credentialed PUT with a custom header, whose
/// preflight was answered with `*` and nothing else.
fn issue_example() -> Finding {
    with(
        finding(
            PreflightWildcardOriginNotAllowed,
            "PUT",
            &["x-custom"],
            true,
        ),
        |f| f.allow_origin = vec!["*".to_owned()],
    )
}

/// The stacks (and flavors) whose library adds `Vary: Origin` by itself
/// whenever it names an origin, without a line saying so in the snippet
/// (each module's doc comment says so).
const VARY_BY_LIBRARY: &[(crate::fix::Stack, &str)] = &[
    (crate::fix::Stack::Flask, "flask-cors"),
    (crate::fix::Stack::Django, "django-cors-headers"),
    (crate::fix::Stack::S3, ""),
    (crate::fix::Stack::Express, "cors-package"),
    (crate::fix::Stack::FastApi, ""),
    (crate::fix::Stack::Spring, "annotation"),
    (crate::fix::Stack::Spring, "registry"),
    (crate::fix::Stack::Go, "rs-cors"),
    (crate::fix::Stack::Axum, ""),
];

/// The stacks whose configuration allows credentials for a listed origin
/// without a word for it (S3 sends `Access-Control-Allow-Credentials: true`
/// for every origin that is not `*`).
const CREDENTIALS_BY_LIBRARY: &[(crate::fix::Stack, &str)] = &[(crate::fix::Stack::S3, "")];

#[test]
fn every_stack_writes_every_change_at_once() {
    use crate::fix::{snippets, Stack};
    use crate::l10n::Lang;
    let f = issue_example();
    let planned = plan(&Exchange::of(&f), &f);
    assert_eq!(planned.changes.len(), 5, "{planned:?}");
    for stack in Stack::ALL {
        let all = snippets(&f, stack, Lang::En);
        assert!(!all.is_empty(), "{stack:?}");
        for s in all {
            let code: String = s
                .parts
                .iter()
                .map(|p| p.code.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let lower = code.to_ascii_lowercase();
            let what = format!("{stack:?} {:?} {}:\n{code}", s.variant, s.flavor);
            let changes = plan_with(&Exchange::of(&f), s.variant).changes;
            for change in &changes {
                let written = match change {
                    Change::AllowOrigin(_) => {
                        code.contains(ORIGIN) || code.contains(&crate::fix::regex_escape(ORIGIN))
                    }
                    Change::AllowCredentials => {
                        lower.contains("credentials")
                            || CREDENTIALS_BY_LIBRARY.contains(&(stack, s.flavor))
                    }
                    Change::AllowMethod(m) => code.contains(m.as_str()),
                    Change::AllowHeaders(h) => h.iter().all(|h| lower.contains(h.as_str())),
                    Change::VaryOrigin => {
                        lower.contains("vary") || VARY_BY_LIBRARY.contains(&(stack, s.flavor))
                    }
                    Change::StopPreflightRedirect
                    | Change::AnswerPreflight
                    | Change::ListMethods(_)
                    | Change::ListHeaders(_) => true,
                };
                assert!(written, "{change:?} missing from {what}");
            }
        }
    }
}

#[test]
fn the_explanation_lists_the_changes_in_order_in_both_languages() {
    use crate::explain::explain;
    use crate::l10n::Lang;
    let f = issue_example();
    let en = explain(&f, Lang::En).changes;
    let fr = explain(&f, Lang::Fr).changes;
    assert_eq!(en.len(), 5, "{en:#?}");
    assert_eq!(fr.len(), 5, "{fr:#?}");
    let expect_en = [
        ORIGIN,
        "Access-Control-Allow-Credentials: true",
        "Add PUT",
        "Add x-custom",
        "Vary: Origin",
    ];
    for (sentence, word) in en.iter().zip(expect_en) {
        assert!(sentence.contains(word), "{sentence:?} should name {word:?}");
    }
    assert!(
        fr[0].starts_with("Envoyer Access-Control-Allow-Origin"),
        "{fr:?}"
    );
    assert!(fr[3].starts_with("Ajouter x-custom"), "{fr:?}");
    for (e, f) in en.iter().zip(&fr) {
        assert_ne!(e, f, "the French list is translated");
    }
    // A redirect's target: no header change, no list.
    let redirect = finding(RedirectContainsCredentials, "GET", &[], false);
    assert!(explain(&redirect, Lang::En).changes.is_empty());
    // A method no header can allow: the list says the request must change.
    let odd = finding(MethodDisallowedByPreflightResponse, "P T", &[], false);
    let odd = explain(&odd, Lang::En).changes;
    assert!(
        odd.last().is_some_and(|s| s.contains("request itself")),
        "{odd:?}"
    );
}
