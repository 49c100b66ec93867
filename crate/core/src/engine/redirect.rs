//! The verdicts a redirect leads to, beside the header check: a `Location`
//! with credentials (`RedirectContainsCredentials`), a scheme CORS does not
//! work with (`CorsDisabledScheme`), a same-origin request redirected to
//! another origin with credentials, and the redirect Firefox refuses at the
//! new URL.
//!
//! Architecture Invariant: like `verdict.rs`, pure functions of one
//! exchange and its last event; no state, no other request. Which events a
//! browser sends around a redirect is `quirks.rs`'s to know.

use crate::check::{cors_check, CheckInput, Failure};
use crate::event::{Event, EventKind};
use crate::finding::Credentials;
use crate::origin;
use crate::reason::CorsError;
use crate::report::Report;

use super::assembly::{Endpoints, Exchange};
use super::quirks::firefox_redirect_error;
use super::trim;
use super::verdict::{failure_finding, Allowed, Conclusion, CorsRequest};
use crate::browser_error::BrowserError;

/// Whether `location`, resolved against `from`, carries a user name or a
/// password (Chromium's `RedirectContainsCredentials`).
pub(crate) fn has_credentials(from: &str, location: &str) -> bool {
    match url::Url::parse(from).and_then(|base| base.join(location)) {
        Ok(to) => !to.username().is_empty() || to.password().is_some(),
        Err(_) => false,
    }
}

/// Whether `location`, resolved against `from`, is an http(s) URL (or cannot
/// be read, in which case nothing is claimed about it).
pub(super) fn is_http_target(from: &str, location: &str) -> bool {
    match url::Url::parse(from).and_then(|base| base.join(location)) {
        Ok(to) => matches!(to.scheme(), "http" | "https"),
        Err(_) => true,
    }
}

/// Whether an absolute URL is http(s); an unreadable one counts as http, so
/// that nothing is claimed about it.
pub(super) fn is_http(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => matches!(u.scheme(), "http" | "https"),
        Err(_) => true,
    }
}

/// A CORS-mode request (same-origin ones too) redirected to a URL whose
/// scheme CORS does not work with: its redirect passed the check (the
/// browser followed it), so the scheme is the refusal.
pub(super) fn redirect_to_disabled_scheme(
    mut exchange: Exchange,
    end: &Event,
    allowed_before: &Endpoints,
) -> Option<Report> {
    let cors = CorsRequest::of_mode(&exchange)?;
    // The hop that redirected is the finding's URL; it is not an earlier hop.
    if exchange.redirects.last() == Some(&exchange.url) {
        exchange.redirects.pop();
    }
    let credentials = if exchange.sent_cookie() {
        Credentials::IncludeFromCookie
    } else {
        Credentials::Unknown
    };
    Some(Report::Failure(failure_finding(
        exchange,
        cors,
        end,
        Failure::redirect(CorsError::CorsDisabledScheme),
        credentials,
        allowed_before,
    )))
}

/// A same-origin request in CORS mode, refused at a redirect to another
/// origin whose URL carries credentials: the only refusal Chromium makes on
/// a same-origin hop (`RedirectContainsCredentials`; the headers of a
/// same-origin answer are never checked).
pub(super) fn same_origin_redirect(mut exchange: Exchange, end: &Event) -> Option<Conclusion> {
    let error = end.error.as_deref().unwrap_or("");
    let firefox = firefox_redirect_error(&exchange, end);
    if end.kind != EventKind::ErrorOccurred
        || !(BrowserError::of(error) == BrowserError::Cors || firefox)
    {
        return None;
    }
    if firefox && exchange.redirects.last() == Some(&exchange.url) {
        exchange.redirects.pop();
    }
    let cors = CorsRequest::of_mode(&exchange)?;
    let (_, response) = exchange.response.as_ref()?;
    let location = trim(response.first("location")?);
    let to = url::Url::parse(&exchange.url).ok()?.join(location).ok()?;
    let cross_origin = origin::of_url(to.as_str()).as_deref() != Some(cors.page_origin.as_str());
    if !(cross_origin && (!to.username().is_empty() || to.password().is_some())) {
        return None;
    }
    let credentials = if exchange.sent_cookie() {
        Credentials::IncludeFromCookie
    } else {
        Credentials::Unknown
    };
    Some(Conclusion::Report(Report::Failure(failure_finding(
        exchange,
        cors,
        end,
        Failure::redirect(CorsError::RedirectContainsCredentials),
        credentials,
        &Endpoints::default(),
    ))))
}

/// A cross-origin request that Firefox ended after following a redirect
/// (see [`firefox_redirect_error`]) when the redirect itself explains the
/// refusal: its headers fail the check (Firefox names that reason, e.g.
/// `CORSMissingAllowOrigin`), or it leads to a URL with credentials (which
/// Firefox refuses as `CORSDidNotSucceed`, the name CORS Lens gives
/// `RedirectContainsCredentials`). Otherwise the end is a network failure
/// at the new URL, and not taken for a refusal.
pub(super) fn firefox_refused_redirect(
    exchange: &Exchange,
    cors: &CorsRequest,
    end: &Event,
) -> bool {
    if !firefox_redirect_error(exchange, end) {
        return false;
    }
    let to = exchange.redirected_to.as_deref().unwrap_or_default();
    if has_credentials(&exchange.url, to) {
        return true;
    }
    let Some((_, response)) = &exchange.response else {
        return false;
    };
    let allowed = Allowed::of(response);
    cors_check(CheckInput {
        request_origin: &cors.request_origin,
        allow_origin: allowed.origin_joined.as_deref(),
        allow_credentials: allowed.credentials.as_deref(),
        credentials: exchange.sent_cookie(),
    })
    .is_err()
}
