//! The CORS check on one response, step by step in Chromium's order, because
//! the order decides which reason the browser reports.
//!
//! See `services/network/public/cpp/cors/cors.cc` (`CheckAccess`) and the
//! Fetch standard's "CORS check": <https://fetch.spec.whatwg.org/#cors-check>.

use crate::http;
use crate::origin;
use crate::reason::CorsError;

/// What the check needs from one response.
#[derive(Clone, Copy, Debug)]
pub struct CheckInput<'a> {
    /// The serialized request origin (`Origin` as sent; `null` when opaque).
    pub request_origin: &'a str,
    /// `Access-Control-Allow-Origin`, repeated lines joined with `", "`.
    pub allow_origin: Option<&'a str>,
    /// `Access-Control-Allow-Credentials`, repeated lines joined with `", "`.
    pub allow_credentials: Option<&'a str>,
    /// Whether the request's credentials mode is `include`.
    pub credentials: bool,
}

/// A failed check: the reason and the value the failing step rejected (the
/// DevTools protocol's `failedParameter`; empty when the header was absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub reason: CorsError,
    pub failed_parameter: String,
}

impl Failure {
    fn new(reason: CorsError, failed_parameter: &str) -> Failure {
        Failure {
            reason,
            failed_parameter: failed_parameter.to_owned(),
        }
    }

    /// A failure about where a redirect leads: Chromium names no parameter.
    pub fn redirect(reason: CorsError) -> Failure {
        Failure::new(reason, "")
    }

    /// Local Network Access refused the request before it left: outright
    /// for a page that is not a secure context, else for want of the user's
    /// permission. Chromium names no parameter.
    pub fn local_network(page_is_secure: bool) -> Failure {
        let reason = if page_is_secure {
            CorsError::LocalNetworkAccessPermissionDenied
        } else {
            CorsError::InsecureLocalNetwork
        };
        Failure::new(reason, "")
    }
}

/// Runs the CORS check: `Ok(())` when the browser lets the page read the
/// response, otherwise the first step that fails.
pub fn cors_check(input: CheckInput<'_>) -> Result<(), Failure> {
    match input.allow_origin {
        // Step 1: a wildcard passes, except for requests with credentials.
        Some("*") => {
            if input.credentials {
                return Err(Failure::new(CorsError::WildcardOriginNotAllowed, ""));
            }
            // Chromium returns here: `Access-Control-Allow-Credentials` is
            // not looked at for a wildcard without credentials.
            return Ok(());
        }
        // Step 2: no header at all.
        None => return Err(Failure::new(CorsError::MissingAllowOriginHeader, "")),
        // Step 3: any value other than the exact serialized origin.
        Some(value) if value != input.request_origin => {
            let reason = if value.contains([' ', ',']) {
                CorsError::MultipleAllowOriginValues
            } else if value == "null" || origin::parses_as_url(value) {
                CorsError::AllowOriginMismatch
            } else {
                CorsError::InvalidAllowOriginValue
            };
            return Err(Failure::new(reason, value));
        }
        Some(_) => {}
    }
    // Step 4: with credentials, `Access-Control-Allow-Credentials` must be
    // exactly `true` (case-sensitive).
    if input.credentials && input.allow_credentials != Some("true") {
        return Err(Failure::new(
            CorsError::InvalidAllowCredentials,
            input.allow_credentials.unwrap_or(""),
        ));
    }
    Ok(())
}

/// What the preflight check needs from one `OPTIONS` response.
#[derive(Clone, Copy, Debug)]
pub struct PreflightInput<'a> {
    /// The origin and credentials facts, as for an actual response.
    pub cors: CheckInput<'a>,
    pub status: Option<u16>,
    /// The preflight was answered with a redirect.
    pub redirected: bool,
    /// The actual request's method (`Access-Control-Request-Method`).
    pub method: &'a str,
    /// The actual request's non-safelisted header names
    /// (`Access-Control-Request-Headers`), lowercase.
    pub headers: &'a [String],
    /// `Access-Control-Allow-Methods`, repeated lines joined with `", "`.
    pub allow_methods: Option<&'a str>,
    /// `Access-Control-Allow-Headers`, repeated lines joined with `", "`.
    pub allow_headers: Option<&'a str>,
}

/// Runs the checks on a preflight response in Chromium's order: redirect,
/// then the CORS check (reported under the `Preflight*` names), then the
/// status, then the two lists, then the method, then the headers.
///
/// See `services/network/cors/preflight_controller.cc` and
/// `preflight_result.cc`, and <https://fetch.spec.whatwg.org/#cors-preflight-fetch>.
pub fn preflight_check(input: PreflightInput<'_>) -> Result<(), Failure> {
    if input.redirected {
        return Err(Failure::new(CorsError::PreflightDisallowedRedirect, ""));
    }
    cors_check(input.cors).map_err(|f| Failure {
        reason: f.reason.on_preflight(),
        failed_parameter: f.failed_parameter,
    })?;
    if !matches!(input.status, Some(200..=299)) {
        return Err(Failure::new(CorsError::PreflightInvalidStatus, ""));
    }
    let methods = parse_list(input.allow_methods, false)
        .ok_or_else(|| Failure::new(CorsError::InvalidAllowMethodsPreflightResponse, ""))?;
    let headers = parse_list(input.allow_headers, true)
        .ok_or_else(|| Failure::new(CorsError::InvalidAllowHeadersPreflightResponse, ""))?;
    let credentials = input.cors.credentials;
    // Methods compare case-sensitively; the safelisted ones always pass,
    // and `*` counts only without credentials.
    let method_allowed = methods.iter().any(|m| m == input.method)
        || http::is_cors_safelisted_method(input.method)
        || (!credentials && methods.iter().any(|m| m == "*"));
    if !method_allowed {
        return Err(Failure::new(
            CorsError::MethodDisallowedByPreflightResponse,
            input.method,
        ));
    }
    // Header names compare without case; `*` covers every name without
    // credentials (Chromium lets `Authorization` through too: docs/verdicts.md,
    // "Browser versions").
    let wildcard = !credentials && headers.iter().any(|h| h == "*");
    if !wildcard {
        if let Some(missing) = input
            .headers
            .iter()
            .find(|name| !headers.contains(&name.to_ascii_lowercase()))
        {
            return Err(Failure::new(
                CorsError::HeaderDisallowedByPreflightResponse,
                &missing.to_ascii_lowercase(),
            ));
        }
    }
    Ok(())
}

/// Parses a comma-separated list of HTTP tokens; `None` when an element is
/// not a token (the whole header is then rejected). Empty elements are skipped.
fn parse_list(value: Option<&str>, lowercase: bool) -> Option<Vec<String>> {
    let Some(value) = value else {
        return Some(Vec::new());
    };
    value
        .split(',')
        .map(|v| v.trim_matches([' ', '\t']))
        .filter(|v| !v.is_empty())
        .map(|v| {
            http::is_token(v).then(|| {
                if lowercase {
                    v.to_ascii_lowercase()
                } else {
                    v.to_owned()
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use CorsError::*;

    const ORIGIN: &str = "http://127.0.0.1:8080";

    /// One case: (allow origin, allow credentials, credentials, expected
    /// reason and failed parameter, or `None` for a pass).
    type Case = (
        Option<&'static str>,
        Option<&'static str>,
        bool,
        Option<(CorsError, &'static str)>,
    );

    fn check(origin: &str, cases: &[Case]) {
        for &(allow_origin, allow_credentials, credentials, want) in cases {
            let got = cors_check(CheckInput {
                request_origin: origin,
                allow_origin,
                allow_credentials,
                credentials,
            });
            let want = match want {
                None => Ok(()),
                Some((reason, param)) => Err(Failure::new(reason, param)),
            };
            assert_eq!(
                got, want,
                "origin {origin:?}, ACAO {allow_origin:?}, ACAC {allow_credentials:?}, credentials {credentials}"
            );
        }
    }

    #[test]
    fn wildcard_passes_without_credentials_and_fails_with_them() {
        check(
            ORIGIN,
            &[
                (Some("*"), None, false, None),
                (Some("*"), Some("nonsense"), false, None),
                (Some("*"), None, true, Some((WildcardOriginNotAllowed, ""))),
                // Even `Access-Control-Allow-Credentials: true` cannot rescue `*`.
                (
                    Some("*"),
                    Some("true"),
                    true,
                    Some((WildcardOriginNotAllowed, "")),
                ),
            ],
        );
    }

    #[test]
    fn absent_header_is_missing_whatever_the_credentials() {
        check(
            ORIGIN,
            &[
                (None, None, false, Some((MissingAllowOriginHeader, ""))),
                (
                    None,
                    Some("true"),
                    true,
                    Some((MissingAllowOriginHeader, "")),
                ),
            ],
        );
    }

    #[test]
    fn exact_origin_passes_and_anything_else_is_classified() {
        check(
            ORIGIN,
            &[
                (Some(ORIGIN), None, false, None),
                // A comma or a space means several values.
                (
                    Some("http://127.0.0.1:8080, http://localhost"),
                    None,
                    false,
                    Some((
                        MultipleAllowOriginValues,
                        "http://127.0.0.1:8080, http://localhost",
                    )),
                ),
                (
                    Some("http://a.test http://b.test"),
                    None,
                    false,
                    Some((MultipleAllowOriginValues, "http://a.test http://b.test")),
                ),
                // Even an empty value counts as present: it just does not match.
                (Some(""), None, false, Some((InvalidAllowOriginValue, ""))),
                (
                    Some("null"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "null")),
                ),
                (
                    Some("invalid.origin"),
                    None,
                    false,
                    Some((InvalidAllowOriginValue, "invalid.origin")),
                ),
                (
                    Some("127.0.0.1:8080"),
                    None,
                    false,
                    Some((InvalidAllowOriginValue, "127.0.0.1:8080")),
                ),
                // `localhost:` reads as a URL scheme, so this one is a valid URL.
                (
                    Some("localhost:8080"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "localhost:8080")),
                ),
                // Letter case, trailing slash, default or other port: valid URLs, wrong origin.
                (
                    Some("HTTP://127.0.0.1:8080"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "HTTP://127.0.0.1:8080")),
                ),
                (
                    Some("http://127.0.0.1:8080/"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "http://127.0.0.1:8080/")),
                ),
                (
                    Some("http://127.0.0.1"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "http://127.0.0.1")),
                ),
                (
                    Some("http://localhost:8080"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "http://localhost:8080")),
                ),
                (
                    Some("https://127.0.0.1:8080"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "https://127.0.0.1:8080")),
                ),
                // Markup in the header is just a value with spaces in it.
                (
                    Some("<img src=x onerror=alert(1)>"),
                    None,
                    false,
                    Some((MultipleAllowOriginValues, "<img src=x onerror=alert(1)>")),
                ),
                (
                    Some("<script>"),
                    None,
                    false,
                    Some((InvalidAllowOriginValue, "<script>")),
                ),
            ],
        );
    }

    #[test]
    fn default_port_origins_compare_as_serialized() {
        check(
            "http://localhost",
            &[
                (Some("http://localhost"), None, false, None),
                (
                    Some("http://localhost:80"),
                    None,
                    false,
                    Some((AllowOriginMismatch, "http://localhost:80")),
                ),
            ],
        );
    }

    #[test]
    fn null_origin_after_a_redirect_is_matched_by_null_or_wildcard() {
        check(
            "null",
            &[
                (Some("null"), None, false, None),
                (Some("*"), None, false, None),
                (None, None, false, Some((MissingAllowOriginHeader, ""))),
                (
                    Some(ORIGIN),
                    None,
                    false,
                    Some((AllowOriginMismatch, ORIGIN)),
                ),
            ],
        );
    }

    #[test]
    fn credentials_need_exactly_lowercase_true() {
        check(
            ORIGIN,
            &[
                (Some(ORIGIN), Some("true"), true, None),
                (
                    Some(ORIGIN),
                    None,
                    true,
                    Some((InvalidAllowCredentials, "")),
                ),
                (
                    Some(ORIGIN),
                    Some("True"),
                    true,
                    Some((InvalidAllowCredentials, "True")),
                ),
                (
                    Some(ORIGIN),
                    Some("true, true"),
                    true,
                    Some((InvalidAllowCredentials, "true, true")),
                ),
                (
                    Some(ORIGIN),
                    Some("false"),
                    true,
                    Some((InvalidAllowCredentials, "false")),
                ),
                // Without credentials the header is not looked at.
                (Some(ORIGIN), Some("false"), false, None),
                // The origin step comes first.
                (
                    Some("http://other.test"),
                    None,
                    true,
                    Some((AllowOriginMismatch, "http://other.test")),
                ),
            ],
        );
    }

    /// One preflight case: the preflight's answer, what the request asked for,
    /// and the expected reason and failed parameter (`None`: it passes).
    #[derive(Clone, Copy)]
    struct PreflightCase {
        status: Option<u16>,
        redirected: bool,
        method: &'static str,
        requested: &'static [&'static str],
        allow_methods: Option<&'static str>,
        allow_headers: Option<&'static str>,
        credentials: bool,
        want: Option<(CorsError, &'static str)>,
    }

    /// A 204 answer allowing the PUT it was asked about, without
    /// credentials: passes. Each case says how it differs.
    const PUT_ALLOWED: PreflightCase = PreflightCase {
        status: Some(204),
        redirected: false,
        method: "PUT",
        requested: &[],
        allow_methods: Some("PUT"),
        allow_headers: None,
        credentials: false,
        want: None,
    };

    fn check_preflight(allow_origin: Option<&str>, cases: &[PreflightCase]) {
        for &PreflightCase {
            status,
            redirected,
            method,
            requested,
            allow_methods: methods,
            allow_headers: headers,
            credentials,
            want,
        } in cases
        {
            let requested: Vec<String> = requested.iter().map(|h| h.to_string()).collect();
            let got = preflight_check(PreflightInput {
                cors: CheckInput {
                    request_origin: ORIGIN,
                    allow_origin,
                    allow_credentials: credentials.then_some("true"),
                    credentials,
                },
                status,
                redirected,
                method,
                headers: &requested,
                allow_methods: methods,
                allow_headers: headers,
            });
            let want = match want {
                None => Ok(()),
                Some((reason, param)) => Err(Failure::new(reason, param)),
            };
            assert_eq!(
                got, want,
                "status {status:?} redirected {redirected} {method} {requested:?} methods {methods:?} headers {headers:?} credentials {credentials}"
            );
        }
    }

    #[test]
    fn preflight_steps_run_in_chromium_order() {
        use CorsError::*;
        check_preflight(
            Some(ORIGIN),
            &[
                PUT_ALLOWED,
                PreflightCase {
                    status: Some(200),
                    method: "DELETE",
                    requested: &["x-api-key"],
                    allow_methods: Some("GET, DELETE"),
                    allow_headers: Some("X-Api-Key"),
                    ..PUT_ALLOWED
                },
                // A redirect comes before anything else.
                PreflightCase {
                    status: Some(301),
                    redirected: true,
                    want: Some((PreflightDisallowedRedirect, "")),
                    ..PUT_ALLOWED
                },
                // Then the status: only 2xx passes.
                PreflightCase {
                    status: Some(401),
                    want: Some((PreflightInvalidStatus, "")),
                    ..PUT_ALLOWED
                },
                PreflightCase {
                    status: Some(404),
                    allow_methods: None,
                    want: Some((PreflightInvalidStatus, "")),
                    ..PUT_ALLOWED
                },
                // Then the parse of both lists, before the method.
                PreflightCase {
                    allow_methods: Some("PUT, (GET)"),
                    want: Some((InvalidAllowMethodsPreflightResponse, "")),
                    ..PUT_ALLOWED
                },
                PreflightCase {
                    allow_methods: Some("GET"),
                    allow_headers: Some("x y"),
                    want: Some((InvalidAllowHeadersPreflightResponse, "")),
                    ..PUT_ALLOWED
                },
                // Methods compare case-sensitively; safelisted ones always pass.
                PreflightCase {
                    allow_methods: Some("GET, POST"),
                    want: Some((MethodDisallowedByPreflightResponse, "PUT")),
                    ..PUT_ALLOWED
                },
                PreflightCase {
                    method: "PATCH",
                    allow_methods: Some("patch"),
                    want: Some((MethodDisallowedByPreflightResponse, "PATCH")),
                    ..PUT_ALLOWED
                },
                PreflightCase {
                    method: "POST",
                    requested: &["content-type"],
                    allow_methods: None,
                    allow_headers: Some("Content-Type"),
                    ..PUT_ALLOWED
                },
                // `*` counts only without credentials.
                PreflightCase {
                    allow_methods: Some("*"),
                    ..PUT_ALLOWED
                },
                PreflightCase {
                    allow_methods: Some("*"),
                    credentials: true,
                    want: Some((MethodDisallowedByPreflightResponse, "PUT")),
                    ..PUT_ALLOWED
                },
                // Header names compare without case; the first missing one is named.
                PreflightCase {
                    requested: &["authorization", "x-b"],
                    allow_headers: Some("Authorization"),
                    want: Some((HeaderDisallowedByPreflightResponse, "x-b")),
                    ..PUT_ALLOWED
                },
                PreflightCase {
                    requested: &["authorization"],
                    allow_headers: Some("*"),
                    ..PUT_ALLOWED
                },
                PreflightCase {
                    requested: &["x-a"],
                    allow_headers: Some("*"),
                    credentials: true,
                    want: Some((HeaderDisallowedByPreflightResponse, "x-a")),
                    ..PUT_ALLOWED
                },
            ],
        );
    }

    #[test]
    fn preflight_origin_steps_take_their_preflight_names() {
        use CorsError::*;
        check_preflight(
            None,
            &[PreflightCase {
                want: Some((PreflightMissingAllowOriginHeader, "")),
                ..PUT_ALLOWED
            }],
        );
        // The origin check comes before the status: a 404 without the header is "missing".
        check_preflight(
            None,
            &[PreflightCase {
                status: Some(404),
                allow_methods: None,
                want: Some((PreflightMissingAllowOriginHeader, "")),
                ..PUT_ALLOWED
            }],
        );
        check_preflight(
            Some("http://other.test"),
            &[PreflightCase {
                want: Some((PreflightAllowOriginMismatch, "http://other.test")),
                ..PUT_ALLOWED
            }],
        );
        check_preflight(
            Some("*"),
            &[PreflightCase {
                credentials: true,
                want: Some((PreflightWildcardOriginNotAllowed, "")),
                ..PUT_ALLOWED
            }],
        );
    }
}
