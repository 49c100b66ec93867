//! Explanations: turns a finding into what went wrong, why the browser
//! refuses, what to change on the server and what to watch out for — all text
//! through the `l10n` catalogs. The configuration for one server stack comes
//! from `fix::snippets`, for the stack the user picked.
//!
//! Values taken from the request (URL, header values) are attacker-controlled:
//! they are carried as plain text (the renderer uses `textContent`) and
//! shortened when quoted in prose.

use crate::finding::Finding;
use crate::fix::plan::{self as fix_plan, Change};
use crate::fix::{self, Variant, PLACEHOLDER_ORIGIN};
use crate::http;
use crate::l10n::{t, tf, Lang};
use crate::reason::CorsError;

/// Everything the panel and the exports show about one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub title: String,
    /// What went wrong, with this request's own values.
    pub what: String,
    /// Why the browser refuses (what protection CORS gives).
    pub why: String,
    /// What to change on the server.
    pub fix: String,
    /// The complete fix: every change the check calls for, in the order the
    /// browser meets them (`fix::plan`), each a sentence to show as a
    /// numbered list; empty when no header change applies (a redirect's
    /// target). The snippets configure all of them at once.
    pub changes: Vec<String>,
    pub warnings: Vec<String>,
    pub links: Vec<Link>,
}

/// A reference link with a localised label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// Longest value quoted in prose, in characters.
const MAX_QUOTED_CHARS: usize = 200;

/// What the caveats depend on, decided once per finding.
struct Plan {
    /// The request went through a cross-origin redirect (`Origin: null`).
    null_origin: bool,
    /// Credentials are involved.
    credentials: bool,
    /// The fixes `fix::snippets` offers for this finding.
    variants: Vec<Variant>,
}
/// Explains one finding in `lang`.
pub fn explain(f: &Finding, lang: Lang) -> Explanation {
    let reason = f.reason;
    let null_origin = f.origin == "null";
    let origin_usable = null_origin || fix::usable_in_code(&f.origin);
    let plan = Plan {
        null_origin,
        credentials: fix::credentials_involved(f),
        variants: fix::variants(f),
    };
    Explanation {
        title: t(lang, reason.row().title_key),
        what: what(f, lang),
        why: t(lang, reason.row().why_key),
        fix: fix(f, lang),
        changes: changes(f, lang),
        warnings: warnings(&plan, origin_usable, lang),
        links: links(reason, lang),
    }
}

fn what(f: &Finding, lang: Lang) -> String {
    let reason = f.reason;
    let args = Args::new(f);
    let base = args.pairs();

    let mut sentences = Vec::new();
    let row = reason.row();
    // The row's second wording: a value sent for the credentials step, no
    // list at all for the method and header steps.
    let alt = match reason {
        CorsError::InvalidAllowCredentials | CorsError::PreflightInvalidAllowCredentials => {
            f.allow_credentials.is_some()
        }
        CorsError::MethodDisallowedByPreflightResponse
        | CorsError::HeaderDisallowedByPreflightResponse => {
            matches!(answered_list(f), Some(None))
        }
        // Inferred from a preflight refused unanswered, not named by the
        // browser: the second wording says what was seen.
        CorsError::InsecureLocalNetwork | CorsError::LocalNetworkAccessPermissionDenied => {
            f.exchange.method == "OPTIONS"
        }
        CorsError::WildcardOriginNotAllowed
        | CorsError::MissingAllowOriginHeader
        | CorsError::MultipleAllowOriginValues
        | CorsError::InvalidAllowOriginValue
        | CorsError::AllowOriginMismatch
        | CorsError::RedirectContainsCredentials
        | CorsError::CorsDisabledScheme
        | CorsError::PreflightDisallowedRedirect
        | CorsError::PreflightWildcardOriginNotAllowed
        | CorsError::PreflightMissingAllowOriginHeader
        | CorsError::PreflightMultipleAllowOriginValues
        | CorsError::PreflightInvalidAllowOriginValue
        | CorsError::PreflightAllowOriginMismatch
        | CorsError::PreflightInvalidStatus
        | CorsError::InvalidAllowMethodsPreflightResponse
        | CorsError::InvalidAllowHeadersPreflightResponse => false,
    };
    let key = match row.what_alt_key {
        Some(alt_key) if alt => alt_key,
        _ => row.what_key,
    };
    sentences.push(tf(lang, key, &base));
    if reason.base() == CorsError::AllowOriginMismatch {
        if let Some(hint) = mismatch_hint(&f.origin, &args.rejected) {
            sentences.push(t(lang, hint));
        }
    }
    if f.origin == "null" {
        sentences.push(t(lang, "note_null_origin"));
    }
    match f.credentials {
        crate::finding::Credentials::IncludeFromCookie => {
            sentences.push(t(lang, "note_cred_cookie"))
        }
        crate::finding::Credentials::IncludeFromFailure => {
            sentences.push(t(lang, "note_cred_failure"))
        }
        crate::finding::Credentials::Unknown => {}
    }
    if let Some(other) = refused_with_credentials(f) {
        sentences.push(tf(
            lang,
            "note_redirect_credentials_mode",
            &[("reason", other.chromium_id())],
        ));
    }
    if let Some(key) = cause_note(f).or_else(|| preflight_note(f)) {
        sentences.push(tf(lang, key, &base));
    }
    if let Some((key, evidence)) = cache_note(f) {
        sentences.push(tf(lang, key, &[("evidence", evidence.as_str())]));
    }
    if star_with_credentials(f) {
        sentences.push(t(lang, "note_preflight_star_credentials"));
    }
    sentences.join(" ")
}

/// The request's own values, as quoted in prose.
struct Args {
    method: String,
    url: String,
    origin: String,
    /// The rejected header value, unshortened (the mismatch hint compares it).
    rejected: String,
    value: String,
    status: String,
    /// The request headers the page asked for.
    headers: String,
    /// What the preflight answer listed (Allow-Methods or Allow-Headers).
    allowed: String,
    /// Where the failing answer redirected to (`Location`, credentials
    /// already redacted), for the reasons about a redirect's target.
    target: String,
}

impl Args {
    fn new(f: &Finding) -> Args {
        // What the failing step rejected, when the browser named nothing.
        let rejected = if f.failed_parameter.is_empty() {
            match f.reason {
                CorsError::MultipleAllowOriginValues
                | CorsError::PreflightMultipleAllowOriginValues => f.allow_origin.join(", "),
                CorsError::InvalidAllowMethodsPreflightResponse => {
                    f.allow_methods.clone().unwrap_or_default()
                }
                CorsError::InvalidAllowHeadersPreflightResponse => {
                    f.allow_headers.clone().unwrap_or_default()
                }
                CorsError::MethodDisallowedByPreflightResponse => f.method.clone(),
                CorsError::HeaderDisallowedByPreflightResponse => f.requested_headers.join(", "),
                CorsError::InvalidAllowCredentials
                | CorsError::PreflightInvalidAllowCredentials => {
                    f.allow_credentials.clone().unwrap_or_default()
                }
                CorsError::WildcardOriginNotAllowed
                | CorsError::MissingAllowOriginHeader
                | CorsError::InvalidAllowOriginValue
                | CorsError::AllowOriginMismatch
                | CorsError::RedirectContainsCredentials
                | CorsError::CorsDisabledScheme
                | CorsError::PreflightDisallowedRedirect
                | CorsError::PreflightWildcardOriginNotAllowed
                | CorsError::PreflightMissingAllowOriginHeader
                | CorsError::PreflightInvalidAllowOriginValue
                | CorsError::PreflightAllowOriginMismatch
                | CorsError::PreflightInvalidStatus
                | CorsError::InsecureLocalNetwork
                | CorsError::LocalNetworkAccessPermissionDenied => {
                    f.allow_origin.first().cloned().unwrap_or_default()
                }
            }
        } else {
            f.failed_parameter.clone()
        };
        let headers = if !f.requested_headers.is_empty() {
            f.requested_headers.join(", ")
        } else if !f.failed_parameter.is_empty()
            && f.reason == CorsError::HeaderDisallowedByPreflightResponse
        {
            f.failed_parameter.clone()
        } else {
            "Content-Type".to_owned()
        };
        let allowed = answered_list(f).flatten();
        // The credentials step quotes what the server sent.
        let credentials_sent = (f.reason.base() == CorsError::InvalidAllowCredentials)
            .then_some(f.allow_credentials.as_deref())
            .flatten();
        let value = shown(credentials_sent.unwrap_or(&rejected));
        Args {
            method: shown(&f.method),
            url: shown(&f.url),
            origin: shown(&f.origin),
            value,
            rejected,
            status: f
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "?".to_owned()),
            headers: shown(&headers),
            allowed: shown(allowed.unwrap_or_default()),
            target: f
                .exchange
                .response_headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("location"))
                .map(|h| shown(&h.value))
                .unwrap_or_else(|| "?".to_owned()),
        }
    }

    fn pairs(&self) -> [(&str, &str); 8] {
        [
            ("method", self.method.as_str()),
            ("url", self.url.as_str()),
            ("origin", self.origin.as_str()),
            ("value", self.value.as_str()),
            ("status", self.status.as_str()),
            ("headers", self.headers.as_str()),
            ("allowed", self.allowed.as_str()),
            ("target", self.target.as_str()),
        ]
    }
}

/// The cause behind a missing header that the browser never names, read
/// from the status: the header is missing because something answered before
/// (or instead of) the CORS layer.
fn cause_note(f: &Finding) -> Option<&'static str> {
    let status = f.status?;
    if f.reason != CorsError::MissingAllowOriginHeader || status < 400 {
        return None;
    }
    Some(match status {
        // The same endpoint answered with the header before: the server
        // drops CORS headers on errors only.
        _ if f.endpoint_allowed_before => "note_error_status_seen_before",
        // A router or middleware refused the method and answered itself.
        405 | 501 => "note_method_rejected",
        // Authentication ran before CORS.
        401 | 403 => "note_auth_status",
        _ => "note_error_status",
    })
}

/// The cause behind a refused origin that the browser never names: the
/// response was served from a cache (`Age`, an `X-Cache` or
/// `CF-Cache-Status` hit) and carries another origin's
/// `Access-Control-Allow-Origin`, or none. The note quotes the header that
/// shows the cache, and differs with `Vary: Origin` present or not.
fn cache_note(f: &Finding) -> Option<(&'static str, String)> {
    if !matches!(
        f.reason,
        CorsError::MissingAllowOriginHeader | CorsError::AllowOriginMismatch
    ) {
        return None;
    }
    let response = &f.exchange.response_headers;
    let (evidence, hit) = crate::notice::evidence::cache(response)?;
    if !hit {
        return None;
    }
    let vary = crate::notice::evidence::varies_on_origin(
        response
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("vary"))
            .map(|h| h.value.as_str()),
    );
    let key = if vary {
        "note_cache_vary"
    } else {
        "note_cache_no_vary"
    };
    Some((key, evidence))
}

/// The cause behind a failed preflight that the browser never names, read
/// from the preflight's status and from what its answer lacked.
fn preflight_note(f: &Finding) -> Option<&'static str> {
    let reason = f.reason;
    if !reason.is_preflight() {
        return None;
    }
    let status = f.status?;
    let missing = reason == CorsError::PreflightMissingAllowOriginHeader;
    match status {
        // Authentication ran before CORS: a preflight never has credentials.
        401 | 403 if missing || reason == CorsError::PreflightInvalidStatus => {
            Some("note_preflight_auth")
        }
        // Nothing answers OPTIONS on this route, or the method is refused.
        404 | 405 | 501 => Some("note_preflight_not_routed"),
        // A middleware refused the method or a header and answered without
        // any CORS header: the browser can only blame the missing header.
        _ if missing
            && no_cors_header(f)
            && ((200..300).contains(&status) || (400..500).contains(&status)) =>
        {
            let method = !http::is_cors_safelisted_method(&f.method);
            let headers = !f.requested_headers.is_empty();
            match (method, headers) {
                (true, true) => Some("note_preflight_rejected_both"),
                (true, false) => Some("note_preflight_rejected_method"),
                (false, true) => Some("note_preflight_rejected_headers"),
                (false, false) => None,
            }
        }
        // Another error on the preflight of an origin or credentials step
        // (the status reason itself quotes the status already).
        _ if status >= 400 && reason.base() != reason => Some("note_preflight_error_status"),
        _ => None,
    }
}

/// For a redirect to a URL with credentials on a request not known to carry
/// credentials: the reason the redirect's own headers would have failed with
/// credentials mode `include`, which the browser checks first. `webRequest`
/// does not tell the mode, so the explanation names both.
fn refused_with_credentials(f: &Finding) -> Option<CorsError> {
    if f.reason != CorsError::RedirectContainsCredentials || f.credentials.included() {
        return None;
    }
    let allow_origin = (!f.allow_origin.is_empty()).then(|| f.allow_origin.join(", "));
    crate::check::cors_check(crate::check::CheckInput {
        request_origin: &f.origin,
        allow_origin: allow_origin.as_deref(),
        allow_credentials: f.allow_credentials.as_deref(),
        credentials: true,
    })
    .err()
    .map(|failure| failure.reason)
}

/// Whether the preflight answer carried no CORS header at all.
fn no_cors_header(f: &Finding) -> bool {
    f.allow_origin.is_empty()
        && f.allow_credentials.is_none()
        && f.allow_methods.is_none()
        && f.allow_headers.is_none()
}

/// For the method and header steps, the list the preflight's answer gave
/// (`Access-Control-Allow-Methods` or `-Headers`, `None` when absent);
/// `None` for the steps that read no such list.
fn answered_list(f: &Finding) -> Option<Option<&str>> {
    match f.reason {
        CorsError::MethodDisallowedByPreflightResponse => Some(f.allow_methods.as_deref()),
        CorsError::HeaderDisallowedByPreflightResponse => Some(f.allow_headers.as_deref()),
        CorsError::WildcardOriginNotAllowed
        | CorsError::MissingAllowOriginHeader
        | CorsError::MultipleAllowOriginValues
        | CorsError::InvalidAllowOriginValue
        | CorsError::AllowOriginMismatch
        | CorsError::InvalidAllowCredentials
        | CorsError::RedirectContainsCredentials
        | CorsError::CorsDisabledScheme
        | CorsError::PreflightDisallowedRedirect
        | CorsError::PreflightWildcardOriginNotAllowed
        | CorsError::PreflightMissingAllowOriginHeader
        | CorsError::PreflightMultipleAllowOriginValues
        | CorsError::PreflightInvalidAllowOriginValue
        | CorsError::PreflightAllowOriginMismatch
        | CorsError::PreflightInvalidAllowCredentials
        | CorsError::PreflightInvalidStatus
        | CorsError::InvalidAllowMethodsPreflightResponse
        | CorsError::InvalidAllowHeadersPreflightResponse
        | CorsError::InsecureLocalNetwork
        | CorsError::LocalNetworkAccessPermissionDenied => None,
    }
}

/// A method or header refused although the answer listed `*`: `*` is only a
/// wildcard for requests without credentials, so this one had some.
fn star_with_credentials(f: &Finding) -> bool {
    answered_list(f)
        .flatten()
        .is_some_and(|v| v.split(',').any(|item| item.trim() == "*"))
}

fn fix(f: &Finding, lang: Lang) -> String {
    let args = Args::new(f);
    let base = tf(lang, f.reason.row().fix_key, &args.pairs());
    // The headers passed: where the redirect leads is the whole fix. Local
    // Network Access is decided before any header is read.
    if f.origin != "null" || !f.reason.fixed_by_headers() {
        return base;
    }
    let null_fix = t(lang, "fix_null_origin");
    match f.reason {
        // Naming the origin is the whole fix: the redirect advice replaces it.
        // (A preflight reason keeps both: the preflight needs an answer.)
        CorsError::MissingAllowOriginHeader
        | CorsError::InvalidAllowOriginValue
        | CorsError::AllowOriginMismatch => null_fix,
        // The header problem stays whatever the origin: keep both.
        CorsError::WildcardOriginNotAllowed
        | CorsError::MultipleAllowOriginValues
        | CorsError::InvalidAllowCredentials => format!("{base} {null_fix}"),
        // Every preflight step: keep both (the preflight needs an answer).
        CorsError::PreflightDisallowedRedirect
        | CorsError::PreflightWildcardOriginNotAllowed
        | CorsError::PreflightMissingAllowOriginHeader
        | CorsError::PreflightMultipleAllowOriginValues
        | CorsError::PreflightInvalidAllowOriginValue
        | CorsError::PreflightAllowOriginMismatch
        | CorsError::PreflightInvalidAllowCredentials
        | CorsError::PreflightInvalidStatus
        | CorsError::InvalidAllowMethodsPreflightResponse
        | CorsError::InvalidAllowHeadersPreflightResponse
        | CorsError::MethodDisallowedByPreflightResponse
        | CorsError::HeaderDisallowedByPreflightResponse => format!("{base} {null_fix}"),
        // Returned above: where the redirect leads is the whole fix.
        CorsError::RedirectContainsCredentials
        | CorsError::CorsDisabledScheme
        | CorsError::InsecureLocalNetwork
        | CorsError::LocalNetworkAccessPermissionDenied => base,
    }
}

/// The complete fix in words, one sentence per change (`fix::plan`).
fn changes(f: &Finding, lang: Lang) -> Vec<String> {
    let exchange = fix_plan::Exchange::of(f);
    let planned = fix_plan::plan(&exchange, f);
    let list = |names: &[String]| shown(&names.join(", "));
    let origin = shown(&f.origin);
    let url = shown(&f.url);
    let mut out: Vec<String> = planned
        .changes
        .iter()
        .map(|change| match change {
            Change::StopPreflightRedirect => {
                tf(lang, "change_stop_preflight_redirect", &[("url", &url)])
            }
            Change::AllowOrigin(v) => {
                let key = match v {
                    Variant::Exact => "change_allow_origin_exact",
                    Variant::SingleSource => "change_allow_origin_single",
                    Variant::Reflect => "change_allow_origin_reflect",
                    Variant::Wildcard => "change_allow_origin_wildcard",
                };
                tf(lang, key, &[("origin", &origin)])
            }
            Change::AllowCredentials => t(lang, "change_allow_credentials"),
            Change::AnswerPreflight => t(lang, "change_answer_preflight"),
            Change::ListMethods(m) => tf(lang, "change_list_methods", &[("methods", &list(m))]),
            Change::ListHeaders(h) => tf(lang, "change_list_headers", &[("headers", &list(h))]),
            Change::AllowMethod(m) => tf(lang, "change_allow_method", &[("method", &shown(m))]),
            Change::AllowHeaders(h) => tf(lang, "change_allow_headers", &[("headers", &list(h))]),
            Change::VaryOrigin => t(lang, "change_vary_origin"),
        })
        .collect();
    if exchange.redirect_refused_next {
        out.push(t(lang, "change_redirect_refused_next"));
    } else if !planned.complete && !exchange.redirect_target {
        out.push(t(lang, "change_incomplete"));
    }
    out
}

fn warnings(plan: &Plan, origin_usable: bool, lang: Lang) -> Vec<String> {
    let mut keys = Vec::new();
    let offers = |v| plan.variants.contains(&v);
    if offers(Variant::Wildcard) {
        keys.push("warn_wildcard_public");
    }
    if offers(Variant::Wildcard) || plan.credentials {
        keys.push("warn_wildcard_credentials");
    }
    if offers(Variant::Reflect) {
        keys.push("warn_vary");
        if plan.credentials {
            keys.push("warn_reflect_allowlist");
        }
    }
    if plan.null_origin {
        keys.push("warn_null_origin");
    }
    let mut out: Vec<String> = keys.into_iter().map(|k| t(lang, k)).collect();
    if !origin_usable {
        out.push(tf(
            lang,
            "warn_origin_placeholder",
            &[("placeholder", PLACEHOLDER_ORIGIN)],
        ));
    }
    out
}

fn links(reason: CorsError, lang: Lang) -> Vec<Link> {
    vec![
        Link {
            label: tf(lang, "link_mdn_reason", &[("id", reason.mdn_id())]),
            url: reason.mdn_url(lang.mdn_locale()),
        },
        Link {
            label: t(lang, "link_fetch_spec"),
            url: reason.fetch_spec_url().to_owned(),
        },
        Link {
            label: t(lang, "link_mdn_guide"),
            url: format!(
                "https://developer.mozilla.org/{}/docs/Web/HTTP/Guides/CORS",
                lang.mdn_locale()
            ),
        },
    ]
}

/// A value as quoted in prose: control characters blanked, at most
/// `MAX_QUOTED_CHARS` characters, an ellipsis when cut.
fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(MAX_QUOTED_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if value.chars().nth(MAX_QUOTED_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// The message key naming the small difference between the allowed origin
/// and the request's origin, when there is one worth pointing out.
fn mismatch_hint(origin: &str, allowed: &str) -> Option<&'static str> {
    if allowed == origin {
        return None;
    }
    if allowed == "null" {
        return Some("hint_null_value");
    }
    if allowed.trim_end_matches('/') == origin {
        return Some("hint_trailing_slash");
    }
    if allowed.eq_ignore_ascii_case(origin) {
        return Some("hint_case");
    }
    let (a_scheme, a_rest) = allowed.split_once("://")?;
    let (o_scheme, o_rest) = origin.split_once("://")?;
    if a_scheme != o_scheme && a_rest == o_rest {
        return Some("hint_scheme");
    }
    if a_scheme == o_scheme && host_part(a_rest) == host_part(o_rest) {
        return Some("hint_port");
    }
    None
}

/// `host[:port]` without the port (IPv6 brackets kept).
fn host_part(host_port: &str) -> &str {
    match host_port.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => host_port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Credentials;
    use crate::reason::Phase;

    const ORIGIN: &str = "http://127.0.0.1:8080";

    fn finding(
        reason: CorsError,
        origin: &str,
        failed_parameter: &str,
        credentials: Credentials,
        status: Option<u16>,
    ) -> Finding {
        Finding {
            origin: origin.to_owned(),
            status,
            failed_parameter: failed_parameter.to_owned(),
            allow_origin: if failed_parameter.is_empty() || !origin_step(reason) {
                Vec::new()
            } else {
                vec![failed_parameter.to_owned()]
            },
            credentials,
            ..crate::testing::finding(reason)
        }
    }

    /// Whether the failed parameter of `reason` is an Allow-Origin value.
    fn origin_step(reason: CorsError) -> bool {
        reason.base().phase() == Phase::Response
            && reason.base() != CorsError::InvalidAllowCredentials
    }

    /// A finding for a preflight as the engine reports it: the actual
    /// request's method, the requested headers and what the answer listed.
    fn preflight_finding(
        reason: CorsError,
        failed_parameter: &str,
        credentials: Credentials,
        status: Option<u16>,
    ) -> Finding {
        let mut f = finding(reason, ORIGIN, failed_parameter, credentials, status);
        f.method = "PUT".to_owned();
        f.requested_headers = vec!["content-type".to_owned(), "x-api-key".to_owned()];
        match reason {
            CorsError::InvalidAllowMethodsPreflightResponse => {
                f.allow_methods = Some("GET; PUT".to_owned());
            }
            CorsError::InvalidAllowHeadersPreflightResponse => {
                f.allow_headers = Some("Content-Type X-Api-Key".to_owned());
            }
            CorsError::MethodDisallowedByPreflightResponse => {
                f.allow_methods = Some("GET, POST, DELETE".to_owned());
            }
            CorsError::HeaderDisallowedByPreflightResponse => {
                f.allow_headers = Some("Content-Type".to_owned());
            }
            CorsError::WildcardOriginNotAllowed
            | CorsError::MissingAllowOriginHeader
            | CorsError::MultipleAllowOriginValues
            | CorsError::InvalidAllowOriginValue
            | CorsError::AllowOriginMismatch
            | CorsError::InvalidAllowCredentials
            | CorsError::RedirectContainsCredentials
            | CorsError::CorsDisabledScheme
            | CorsError::PreflightDisallowedRedirect
            | CorsError::PreflightWildcardOriginNotAllowed
            | CorsError::PreflightMissingAllowOriginHeader
            | CorsError::PreflightMultipleAllowOriginValues
            | CorsError::PreflightInvalidAllowOriginValue
            | CorsError::PreflightAllowOriginMismatch
            | CorsError::PreflightInvalidAllowCredentials
            | CorsError::PreflightInvalidStatus
            | CorsError::InsecureLocalNetwork
            | CorsError::LocalNetworkAccessPermissionDenied => {}
        }
        f
    }

    /// A failed parameter typical of each reason, as the DevTools protocol
    /// reports it (for the preflight reasons, with `preflight_finding`).
    fn typical_parameter(reason: CorsError) -> &'static str {
        match reason {
            CorsError::WildcardOriginNotAllowed => "*",
            CorsError::MissingAllowOriginHeader => "",
            CorsError::MultipleAllowOriginValues => "http://127.0.0.1:8080, http://127.0.0.1:8080",
            CorsError::InvalidAllowOriginValue => "127.0.0.1:8080/app",
            CorsError::AllowOriginMismatch => "http://localhost:8080",
            CorsError::InvalidAllowCredentials => "",
            CorsError::MethodDisallowedByPreflightResponse => "PUT",
            CorsError::HeaderDisallowedByPreflightResponse => "x-api-key",
            CorsError::PreflightDisallowedRedirect
            | CorsError::RedirectContainsCredentials
            | CorsError::CorsDisabledScheme
            | CorsError::PreflightInvalidStatus
            | CorsError::InvalidAllowMethodsPreflightResponse
            | CorsError::InvalidAllowHeadersPreflightResponse
            | CorsError::InsecureLocalNetwork
            | CorsError::LocalNetworkAccessPermissionDenied => "",
            // The origin and credentials steps of the preflight: as on a response.
            CorsError::PreflightWildcardOriginNotAllowed
            | CorsError::PreflightMissingAllowOriginHeader
            | CorsError::PreflightMultipleAllowOriginValues
            | CorsError::PreflightInvalidAllowOriginValue
            | CorsError::PreflightAllowOriginMismatch
            | CorsError::PreflightInvalidAllowCredentials => typical_parameter(reason.base()),
        }
    }

    /// English sentences and words that must not leak into French output.
    const ENGLISH_MARKERS: &[&str] = &[
        "The ",
        " the ",
        " was ",
        " with ",
        "browser",
        "server",
        "request",
        "allow this",
        "only for public",
        "inferred",
        "Replace",
        "never ",
        "must ",
    ];

    /// Prose of an explanation.
    fn prose(e: &Explanation) -> Vec<String> {
        let mut all = vec![
            e.title.clone(),
            e.what.clone(),
            e.why.clone(),
            e.fix.clone(),
        ];
        all.extend(e.warnings.iter().cloned());
        all.extend(e.links.iter().map(|l| l.label.clone()));
        all
    }

    /// The invariants every explanation keeps, whatever the finding.
    fn check(f: &Finding, lang: Lang) -> Explanation {
        let e = explain(f, lang);
        let ctx = format!("{:?}/{:?}/{}", f.reason, lang, f.origin);
        let credentials = f.credentials.included()
            || matches!(
                f.reason.base(),
                CorsError::InvalidAllowCredentials | CorsError::WildcardOriginNotAllowed
            );
        for text in [&e.title, &e.what, &e.why, &e.fix] {
            assert!(!text.is_empty(), "{ctx}: empty text");
            // No key fell through untranslated.
            assert!(
                !text.starts_with("title_") && !text.starts_with("why_"),
                "{ctx}: {text}"
            );
            for prefix in ["what_", "fix_", "note_", "hint_"] {
                assert!(!text.contains(prefix), "{ctx}: key in {text}");
            }
        }
        if credentials {
            assert!(
                e.warnings.contains(&t(lang, "warn_wildcard_credentials")),
                "{ctx}: no warning against * with credentials"
            );
        }
        assert_eq!(e.links.len(), 3, "{ctx}");
        assert_eq!(e.links[0].url, f.reason.mdn_url(lang.mdn_locale()));
        assert_eq!(e.links[1].url, f.reason.fetch_spec_url());
        if lang == Lang::Fr {
            for text in prose(&e) {
                for marker in ENGLISH_MARKERS {
                    assert!(
                        !text.contains(marker),
                        "{ctx}: English {marker:?} in {text:?}"
                    );
                }
            }
        }
        e
    }

    #[test]
    fn every_reason_is_explained_for_this_request_in_both_languages() {
        let credential_modes = [
            Credentials::Unknown,
            Credentials::IncludeFromCookie,
            Credentials::IncludeFromFailure,
        ];
        for reason in CorsError::ALL {
            for lang in Lang::ALL {
                for credentials in credential_modes {
                    let f = finding(
                        reason,
                        ORIGIN,
                        typical_parameter(reason),
                        credentials,
                        Some(200),
                    );
                    let e = check(&f, lang);
                    assert!(
                        e.what.contains(ORIGIN),
                        "{reason:?}/{lang:?}: what lacks origin"
                    );
                }
            }
        }
    }

    /// What every preflight explanation says whatever the reason: the
    /// failing exchange was the OPTIONS request, sent before the actual
    /// method, and the actual request never left.
    #[test]
    fn every_preflight_reason_names_the_preflight_and_the_actual_method() {
        let never_sent = [
            (Lang::En, "PUT request itself was never sent."),
            (Lang::Fr, "requête PUT elle-même n'a"),
        ];
        for reason in CorsError::ALL.into_iter().filter(|r| r.is_preflight()) {
            for (lang, sentence) in never_sent {
                for credentials in [Credentials::Unknown, Credentials::IncludeFromCookie] {
                    let status = match reason {
                        CorsError::PreflightDisallowedRedirect => 301,
                        CorsError::PreflightInvalidStatus => 500,
                        CorsError::WildcardOriginNotAllowed
                        | CorsError::MissingAllowOriginHeader
                        | CorsError::MultipleAllowOriginValues
                        | CorsError::InvalidAllowOriginValue
                        | CorsError::AllowOriginMismatch
                        | CorsError::InvalidAllowCredentials
                        | CorsError::RedirectContainsCredentials
                        | CorsError::CorsDisabledScheme
                        | CorsError::PreflightWildcardOriginNotAllowed
                        | CorsError::PreflightMissingAllowOriginHeader
                        | CorsError::PreflightMultipleAllowOriginValues
                        | CorsError::PreflightInvalidAllowOriginValue
                        | CorsError::PreflightAllowOriginMismatch
                        | CorsError::PreflightInvalidAllowCredentials
                        | CorsError::InvalidAllowMethodsPreflightResponse
                        | CorsError::InvalidAllowHeadersPreflightResponse
                        | CorsError::MethodDisallowedByPreflightResponse
                        | CorsError::HeaderDisallowedByPreflightResponse
                        | CorsError::InsecureLocalNetwork
                        | CorsError::LocalNetworkAccessPermissionDenied => 204,
                    };
                    let f = preflight_finding(
                        reason,
                        typical_parameter(reason),
                        credentials,
                        Some(status),
                    );
                    let e = check(&f, lang);
                    let ctx = format!("{reason:?}/{lang:?}");
                    assert!(e.what.contains("OPTIONS"), "{ctx}: {}", e.what);
                    assert!(e.what.contains(ORIGIN), "{ctx}");
                    assert!(e.what.contains(&f.url), "{ctx}");
                    assert!(e.what.contains(sentence), "{ctx}: {}", e.what);
                    assert!(e.what.contains("PUT"), "{ctx}");
                    // The preflight wording is its own, not the response's.
                    if reason.base() != reason {
                        let response = explain(
                            &finding(
                                reason.base(),
                                ORIGIN,
                                typical_parameter(reason),
                                credentials,
                                Some(204),
                            ),
                            lang,
                        );
                        assert_ne!(e.title, response.title, "{ctx}");
                        assert_ne!(e.why, response.why, "{ctx}");
                        assert!(e.fix.contains("OPTIONS"), "{ctx}: {}", e.fix);
                    }
                }
            }
        }
    }

    #[test]
    fn preflight_values_are_quoted_from_the_answer() {
        // (reason, answer values, what the `what` text must quote)
        /// Reason, Allow-Methods, Allow-Headers, what `what` quotes.
        type Case = (
            CorsError,
            Option<&'static str>,
            Option<&'static str>,
            &'static [&'static str],
        );
        let cases: [Case; 8] = [
            (
                CorsError::InvalidAllowMethodsPreflightResponse,
                Some("GET; PUT"),
                None,
                &["GET; PUT"],
            ),
            (
                CorsError::InvalidAllowHeadersPreflightResponse,
                None,
                Some("Content-Type X-Api-Key"),
                &["Content-Type X-Api-Key"],
            ),
            (
                CorsError::MethodDisallowedByPreflightResponse,
                Some("GET, POST, DELETE"),
                None,
                &["GET, POST, DELETE", "PUT"],
            ),
            (
                CorsError::MethodDisallowedByPreflightResponse,
                None,
                None,
                &["Access-Control-Allow-Methods", "PUT"],
            ),
            (
                CorsError::HeaderDisallowedByPreflightResponse,
                None,
                Some("Content-Type"),
                &["content-type, x-api-key", "x-api-key", "Content-Type"],
            ),
            (
                CorsError::HeaderDisallowedByPreflightResponse,
                None,
                None,
                &["content-type, x-api-key", "Access-Control-Allow-Headers"],
            ),
            (
                CorsError::PreflightAllowOriginMismatch,
                None,
                None,
                &["http://localhost:8080"],
            ),
            (
                CorsError::PreflightMultipleAllowOriginValues,
                None,
                None,
                &["http://127.0.0.1:8080, http://127.0.0.1:8080"],
            ),
        ];
        for (reason, methods, headers, quoted) in cases {
            for lang in Lang::ALL {
                let mut f = preflight_finding(
                    reason,
                    typical_parameter(reason),
                    Credentials::Unknown,
                    Some(204),
                );
                f.allow_methods = methods.map(str::to_owned);
                f.allow_headers = headers.map(str::to_owned);
                let e = check(&f, lang);
                for q in quoted {
                    assert!(
                        e.what.contains(q),
                        "{reason:?}/{lang:?}: {q:?} in {}",
                        e.what
                    );
                }
            }
        }
        // The status of the preflight, and the headers to list in the fix.
        for lang in Lang::ALL {
            let f = preflight_finding(
                CorsError::PreflightInvalidStatus,
                "",
                Credentials::Unknown,
                Some(500),
            );
            assert!(check(&f, lang).what.contains("500"));
            let f = preflight_finding(
                CorsError::HeaderDisallowedByPreflightResponse,
                "x-api-key",
                Credentials::Unknown,
                Some(204),
            );
            assert!(check(&f, lang).fix.contains("content-type, x-api-key"));
        }
    }

    #[test]
    fn preflight_credentials_are_explained_with_what_the_server_sent() {
        for lang in Lang::ALL {
            let mut f = preflight_finding(
                CorsError::PreflightInvalidAllowCredentials,
                "",
                Credentials::IncludeFromCookie,
                Some(204),
            );
            let absent = check(&f, lang);
            f.allow_credentials = Some("yes".to_owned());
            let sent = check(&f, lang);
            assert_ne!(absent.what, sent.what);
            assert!(sent.what.contains("yes"), "{}", sent.what);
            assert!(sent.fix.contains("true"));
            assert!(sent
                .warnings
                .contains(&t(lang, "warn_wildcard_credentials")));
        }
    }

    #[test]
    fn the_status_names_the_cause_behind_a_failed_preflight() {
        const NONE: &[&str] = &[];
        const API_KEY: &[&str] = &["x-api-key"];
        /// One failed preflight: what the answer and the request were, and
        /// the note expected.
        struct Case {
            reason: CorsError,
            status: u16,
            method: &'static str,
            /// The requested headers.
            headers: &'static [&'static str],
            /// Any CORS header in the answer.
            cors: bool,
            want: Option<&'static str>,
        }
        let cases: [Case; 20] = [
            Case {
                reason: CorsError::PreflightInvalidStatus,
                status: 401,
                method: "PUT",
                headers: NONE,
                cors: true,
                want: Some("note_preflight_auth"),
            },
            Case {
                reason: CorsError::PreflightInvalidStatus,
                status: 403,
                method: "GET",
                headers: API_KEY,
                cors: true,
                want: Some("note_preflight_auth"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 401,
                method: "PUT",
                headers: NONE,
                cors: false,
                want: Some("note_preflight_auth"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 403,
                method: "DELETE",
                headers: API_KEY,
                cors: false,
                want: Some("note_preflight_auth"),
            },
            Case {
                reason: CorsError::PreflightInvalidStatus,
                status: 404,
                method: "PUT",
                headers: NONE,
                cors: true,
                want: Some("note_preflight_not_routed"),
            },
            Case {
                reason: CorsError::PreflightInvalidStatus,
                status: 405,
                method: "PATCH",
                headers: NONE,
                cors: true,
                want: Some("note_preflight_not_routed"),
            },
            Case {
                reason: CorsError::PreflightInvalidStatus,
                status: 501,
                method: "PROPFIND",
                headers: NONE,
                cors: true,
                want: Some("note_preflight_not_routed"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 404,
                method: "PUT",
                headers: NONE,
                cors: false,
                want: Some("note_preflight_not_routed"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 405,
                method: "PUT",
                headers: API_KEY,
                cors: false,
                want: Some("note_preflight_not_routed"),
            },
            Case {
                reason: CorsError::PreflightAllowOriginMismatch,
                status: 405,
                method: "PUT",
                headers: NONE,
                cors: true,
                want: Some("note_preflight_not_routed"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 200,
                method: "PUT",
                headers: NONE,
                cors: false,
                want: Some("note_preflight_rejected_method"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 204,
                method: "POST",
                headers: API_KEY,
                cors: false,
                want: Some("note_preflight_rejected_headers"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 400,
                method: "DELETE",
                headers: API_KEY,
                cors: false,
                want: Some("note_preflight_rejected_both"),
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 200,
                method: "PUT",
                headers: NONE,
                cors: true,
                want: None,
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 200,
                method: "post",
                headers: NONE,
                cors: false,
                want: None,
            },
            Case {
                reason: CorsError::PreflightMissingAllowOriginHeader,
                status: 500,
                method: "PUT",
                headers: API_KEY,
                cors: false,
                want: Some("note_preflight_error_status"),
            },
            Case {
                reason: CorsError::PreflightAllowOriginMismatch,
                status: 403,
                method: "PUT",
                headers: NONE,
                cors: true,
                want: Some("note_preflight_error_status"),
            },
            Case {
                reason: CorsError::PreflightInvalidStatus,
                status: 500,
                method: "PUT",
                headers: NONE,
                cors: true,
                want: None,
            },
            Case {
                reason: CorsError::MethodDisallowedByPreflightResponse,
                status: 204,
                method: "PUT",
                headers: NONE,
                cors: true,
                want: None,
            },
            Case {
                reason: CorsError::PreflightDisallowedRedirect,
                status: 301,
                method: "PUT",
                headers: NONE,
                cors: false,
                want: None,
            },
        ];
        let all_notes = [
            "note_preflight_auth",
            "note_preflight_not_routed",
            "note_preflight_rejected_method",
            "note_preflight_rejected_headers",
            "note_preflight_rejected_both",
            "note_preflight_error_status",
            "note_auth_status",
            "note_method_rejected",
            "note_error_status",
        ];
        for Case {
            reason,
            status,
            method,
            headers,
            cors,
            want,
        } in cases
        {
            let mut f = finding(reason, ORIGIN, "", Credentials::Unknown, Some(status));
            f.method = method.to_owned();
            f.requested_headers = headers.iter().map(|h| (*h).to_owned()).collect();
            if cors {
                f.allow_origin = vec![ORIGIN.to_owned()];
                f.allow_methods = Some("GET".to_owned());
            }
            let ctx = format!("{reason:?} {status} {method} {headers:?} {cors}");
            assert_eq!(preflight_note(&f), want, "{ctx}");
            assert_eq!(cause_note(&f), None, "{ctx}: simple note on a preflight");
            for lang in Lang::ALL {
                let e = check(&f, lang);
                let shown_headers = headers.join(", ");
                let status = status.to_string();
                for key in all_notes {
                    let note = tf(
                        lang,
                        key,
                        &[
                            ("status", &status),
                            ("method", method),
                            ("headers", &shown_headers),
                        ],
                    );
                    assert_eq!(
                        e.what.contains(&note),
                        want == Some(key),
                        "{ctx} {lang:?} {key}: {}",
                        e.what
                    );
                }
                if let Some(key) = want.filter(|k| k.starts_with("note_preflight_rejected")) {
                    // The note names the suspects.
                    if key != "note_preflight_rejected_headers" {
                        assert!(e.what.contains(method), "{ctx}");
                    }
                    if key != "note_preflight_rejected_method" {
                        assert!(e.what.contains("x-api-key"), "{ctx}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_star_refused_on_a_preflight_means_credentials() {
        let cases = [
            (
                CorsError::MethodDisallowedByPreflightResponse,
                Some("*"),
                None,
                true,
            ),
            (
                CorsError::MethodDisallowedByPreflightResponse,
                Some("GET, *"),
                None,
                true,
            ),
            (
                CorsError::MethodDisallowedByPreflightResponse,
                Some("GET"),
                None,
                false,
            ),
            (
                CorsError::HeaderDisallowedByPreflightResponse,
                None,
                Some(" * "),
                true,
            ),
            (
                CorsError::HeaderDisallowedByPreflightResponse,
                None,
                Some("x-*"),
                false,
            ),
            (
                CorsError::HeaderDisallowedByPreflightResponse,
                None,
                None,
                false,
            ),
            (
                CorsError::PreflightAllowOriginMismatch,
                Some("*"),
                Some("*"),
                false,
            ),
        ];
        for (reason, methods, headers, noted) in cases {
            for lang in Lang::ALL {
                let mut f = preflight_finding(
                    reason,
                    typical_parameter(reason),
                    Credentials::IncludeFromFailure,
                    Some(204),
                );
                f.allow_methods = methods.map(str::to_owned);
                f.allow_headers = headers.map(str::to_owned);
                let e = check(&f, lang);
                assert_eq!(
                    e.what.contains(&t(lang, "note_preflight_star_credentials")),
                    noted,
                    "{reason:?} {methods:?} {headers:?}"
                );
            }
        }
    }

    #[test]
    fn wildcard_is_offered_only_without_credentials() {
        let cases = [
            (
                CorsError::MissingAllowOriginHeader,
                Credentials::Unknown,
                true,
            ),
            (CorsError::AllowOriginMismatch, Credentials::Unknown, true),
            (
                CorsError::InvalidAllowOriginValue,
                Credentials::Unknown,
                true,
            ),
            (
                CorsError::MissingAllowOriginHeader,
                Credentials::IncludeFromCookie,
                false,
            ),
            (
                CorsError::AllowOriginMismatch,
                Credentials::IncludeFromFailure,
                false,
            ),
            (
                CorsError::WildcardOriginNotAllowed,
                Credentials::Unknown,
                false,
            ),
            (
                CorsError::InvalidAllowCredentials,
                Credentials::Unknown,
                false,
            ),
            (
                CorsError::MultipleAllowOriginValues,
                Credentials::Unknown,
                false,
            ),
            (
                CorsError::PreflightMissingAllowOriginHeader,
                Credentials::Unknown,
                true,
            ),
            (
                CorsError::PreflightWildcardOriginNotAllowed,
                Credentials::Unknown,
                false,
            ),
            (
                CorsError::PreflightInvalidAllowCredentials,
                Credentials::Unknown,
                false,
            ),
            (
                CorsError::PreflightMultipleAllowOriginValues,
                Credentials::Unknown,
                false,
            ),
            (
                CorsError::MethodDisallowedByPreflightResponse,
                Credentials::Unknown,
                true,
            ),
            (
                CorsError::HeaderDisallowedByPreflightResponse,
                Credentials::IncludeFromCookie,
                false,
            ),
        ];
        for (reason, credentials, offered) in cases {
            for lang in Lang::ALL {
                let f = finding(reason, ORIGIN, typical_parameter(reason), credentials, None);
                let e = check(&f, lang);
                let has = fix::variants(&f).contains(&Variant::Wildcard);
                assert_eq!(has, offered, "{reason:?}/{credentials:?}");
                assert_eq!(
                    e.warnings.contains(&t(lang, "warn_wildcard_public")),
                    offered,
                    "{reason:?}/{credentials:?}"
                );
            }
        }
    }

    #[test]
    fn credentialed_wildcard_is_fixed_with_the_origin_and_vary() {
        let f = finding(
            CorsError::WildcardOriginNotAllowed,
            ORIGIN,
            "*",
            Credentials::IncludeFromFailure,
            Some(200),
        );
        let e = check(&f, Lang::En);
        assert!(e.fix.contains(ORIGIN));
        assert!(e.fix.contains("Vary"));
        assert!(e.warnings.contains(&t(Lang::En, "warn_vary")));
        assert!(e.warnings.contains(&t(Lang::En, "warn_reflect_allowlist")));
    }

    #[test]
    fn multiple_values_are_fixed_at_one_place() {
        for lang in Lang::ALL {
            let f = finding(
                CorsError::MultipleAllowOriginValues,
                ORIGIN,
                "http://127.0.0.1:8080, *",
                Credentials::Unknown,
                Some(200),
            );
            let e = check(&f, lang);
            assert!(e.what.contains("http://127.0.0.1:8080, *"));
            assert!(e.fix.contains("proxy_hide_header"));
            assert_eq!(fix::variants(&f), vec![Variant::SingleSource]);
        }
    }

    #[test]
    fn mismatch_hints_name_the_small_difference() {
        let cases = [
            ("http://127.0.0.1:8080/", Some("hint_trailing_slash")),
            ("https://127.0.0.1:8080", Some("hint_scheme")),
            ("http://127.0.0.1:9090", Some("hint_port")),
            ("http://127.0.0.1", Some("hint_port")),
            ("HTTP://127.0.0.1:8080", Some("hint_case")),
            ("null", Some("hint_null_value")),
            ("http://localhost:8080", None),
            ("", None),
        ];
        for (allowed, hint) in cases {
            assert_eq!(mismatch_hint(ORIGIN, allowed), hint, "{allowed:?}");
            for lang in Lang::ALL {
                let f = finding(
                    CorsError::AllowOriginMismatch,
                    ORIGIN,
                    allowed,
                    Credentials::Unknown,
                    None,
                );
                let e = check(&f, lang);
                if let Some(key) = hint {
                    assert!(
                        e.what.contains(&t(lang, key)),
                        "{allowed:?}/{lang:?}: {}",
                        e.what
                    );
                }
            }
        }
    }

    #[test]
    fn credentials_are_explained_with_what_the_server_sent() {
        let cases = [(None, false), (Some("TRUE"), true), (Some(""), true)];
        for (sent, quoted) in cases {
            for lang in Lang::ALL {
                let mut f = finding(
                    CorsError::InvalidAllowCredentials,
                    ORIGIN,
                    "",
                    Credentials::IncludeFromCookie,
                    Some(200),
                );
                f.allow_credentials = sent.map(str::to_owned);
                let e = check(&f, lang);
                let key = if quoted {
                    "what_InvalidAllowCredentials_value"
                } else {
                    "what_InvalidAllowCredentials"
                };
                let head = t(lang, key);
                let start = head.split('{').next().unwrap_or_default();
                assert!(e.what.starts_with(start), "{sent:?}/{lang:?}: {}", e.what);
                if let Some(v) = sent.filter(|v| !v.is_empty()) {
                    assert!(e.what.contains(v));
                }
                assert!(e.what.contains(&t(lang, "note_cred_cookie")));
                assert!(e.fix.contains("true"));
            }
        }
    }

    #[test]
    fn inferred_credentials_say_from_what() {
        let cases = [
            (Credentials::Unknown, None),
            (Credentials::IncludeFromCookie, Some("note_cred_cookie")),
            (Credentials::IncludeFromFailure, Some("note_cred_failure")),
        ];
        for (credentials, note) in cases {
            for lang in Lang::ALL {
                let f = finding(
                    CorsError::MissingAllowOriginHeader,
                    ORIGIN,
                    "",
                    credentials,
                    None,
                );
                let e = check(&f, lang);
                for key in ["note_cred_cookie", "note_cred_failure"] {
                    assert_eq!(
                        e.what.contains(&t(lang, key)),
                        note == Some(key),
                        "{credentials:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn error_status_is_pointed_out_for_a_missing_header() {
        let cases = [
            (CorsError::MissingAllowOriginHeader, Some(500), true),
            (CorsError::MissingAllowOriginHeader, Some(404), true),
            (CorsError::MissingAllowOriginHeader, Some(399), false),
            (CorsError::MissingAllowOriginHeader, None, false),
            (CorsError::AllowOriginMismatch, Some(500), false),
        ];
        for (reason, status, noted) in cases {
            for lang in Lang::ALL {
                let f = finding(
                    reason,
                    ORIGIN,
                    typical_parameter(reason),
                    Credentials::Unknown,
                    status,
                );
                let e = check(&f, lang);
                let has = e.what.contains("always")
                    && status.is_some_and(|s| e.what.contains(&s.to_string()));
                assert_eq!(has, noted, "{reason:?}/{status:?}/{lang:?}: {}", e.what);
            }
        }
    }

    #[test]
    fn the_status_names_the_cause_behind_a_missing_header() {
        // (status, method, seen with the header before, the note expected)
        let cases = [
            (500, "GET", true, Some("note_error_status_seen_before")),
            (404, "GET", true, Some("note_error_status_seen_before")),
            (405, "DELETE", false, Some("note_method_rejected")),
            (501, "PROPFIND", false, Some("note_method_rejected")),
            (401, "GET", false, Some("note_auth_status")),
            (403, "POST", false, Some("note_auth_status")),
            (502, "GET", false, Some("note_error_status")),
            (200, "GET", true, None),
        ];
        for (status, method, seen_before, want) in cases {
            let mut f = finding(
                CorsError::MissingAllowOriginHeader,
                ORIGIN,
                "",
                Credentials::Unknown,
                Some(status),
            );
            f.method = method.to_owned();
            f.endpoint_allowed_before = seen_before;
            assert_eq!(cause_note(&f), want, "{status} {method} {seen_before}");
            for lang in Lang::ALL {
                let e = check(&f, lang);
                if let Some(key) = want {
                    let status = status.to_string();
                    let note = tf(lang, key, &[("status", &status), ("method", method)]);
                    assert!(e.what.contains(&note), "{lang:?} {key}: {}", e.what);
                }
            }
        }
    }

    #[test]
    fn a_redirect_with_credentials_names_what_credentials_mode_would_change() {
        for lang in Lang::ALL {
            // (Allow-Credentials sent, whether the note names InvalidAllowCredentials)
            for (allow_credentials, noted) in [(None, true), (Some("true"), false)] {
                let mut f = finding(
                    CorsError::RedirectContainsCredentials,
                    ORIGIN,
                    "",
                    Credentials::Unknown,
                    Some(302),
                );
                f.allow_origin = vec![ORIGIN.to_owned()];
                f.allow_credentials = allow_credentials.map(str::to_owned);
                f.exchange.response_headers = vec![crate::headers::Header::new(
                    "Location",
                    "http://[redacted]@localhost:8082/final",
                )];
                let e = check(&f, lang);
                assert!(
                    e.what.contains("http://[redacted]@localhost:8082/final"),
                    "{e:?}"
                );
                assert!(
                    e.fix.contains("http://[redacted]@localhost:8082/final"),
                    "{e:?}"
                );
                assert_eq!(e.what.contains("InvalidAllowCredentials"), noted, "{e:?}");
                assert!(fix::variants(&f).is_empty());
            }
        }
    }

    #[test]
    fn null_origin_after_a_redirect_is_explained() {
        for reason in CorsError::ALL {
            for lang in Lang::ALL {
                for credentials in [Credentials::Unknown, Credentials::IncludeFromCookie] {
                    let mut f = finding(
                        reason,
                        "null",
                        typical_parameter(reason),
                        credentials,
                        Some(200),
                    );
                    f.redirects = vec!["http://127.0.0.1:8080/go".to_owned()];
                    let e = check(&f, lang);
                    assert!(e.what.contains(&t(lang, "note_null_origin")));
                    // Where a refused redirect leads is the whole fix.
                    assert_eq!(
                        e.fix.contains(&t(lang, "fix_null_origin")),
                        reason.fixed_by_headers(),
                        "{reason:?}"
                    );
                    assert!(e.warnings.contains(&t(lang, "warn_null_origin")));
                    assert!(!fix::variants(&f).contains(&Variant::Reflect));
                }
            }
        }
    }

    #[test]
    fn untrusted_values_are_carried_as_text_and_shortened() {
        let xss = "<img src=x onerror=alert(1)>";
        let huge = "x".repeat(100 * 1024);
        let odd = "http://a\n\"; evil; #{origin}";
        let cases: [(&str, &str); 6] = [
            (xss, ORIGIN),
            ("", ORIGIN),
            (&huge, ORIGIN),
            (ORIGIN, xss),
            (ORIGIN, &huge),
            (ORIGIN, odd),
        ];
        for (parameter, origin) in cases {
            for reason in CorsError::ALL {
                for lang in Lang::ALL {
                    let mut f = finding(reason, origin, parameter, Credentials::Unknown, Some(200));
                    f.url = huge.clone();
                    let e = check(&f, lang);
                    for text in prose(&e) {
                        assert!(text.chars().count() < 3_000, "{reason:?}: prose too long");
                    }
                    if !fix::usable_in_code(origin) {
                        let warning = tf(
                            lang,
                            "warn_origin_placeholder",
                            &[("placeholder", PLACEHOLDER_ORIGIN)],
                        );
                        assert!(e.warnings.contains(&warning));
                    }
                }
            }
        }
        let f = finding(
            CorsError::InvalidAllowOriginValue,
            ORIGIN,
            xss,
            Credentials::Unknown,
            None,
        );
        assert!(
            explain(&f, Lang::En).what.contains(xss),
            "carried as plain text"
        );
    }

    #[test]
    fn shown_truncates_on_characters_with_an_ellipsis() {
        let cases = [
            ("abc".to_owned(), "abc".to_owned()),
            ("".to_owned(), "".to_owned()),
            ("a\nb".to_owned(), "a b".to_owned()),
            ("é".repeat(200), "é".repeat(200)),
            ("é".repeat(201), format!("{}…", "é".repeat(200))),
        ];
        for (input, want) in cases {
            assert_eq!(shown(&input), want);
        }
    }
}
