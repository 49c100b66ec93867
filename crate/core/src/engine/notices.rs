//! The notices on an exchange that passed the check: the risky
//! configurations (warnings) and what works otherwise than the page may
//! expect (informational), each read from its evidence in the headers
//! (`notice::evidence`), and a `no-cors` fetch's opaque answer. Pure
//! functions of one exchange, as `verdict.rs`; every notice is built by
//! [`notice`].

use crate::event::{Event, EventKind};
use crate::notice::{evidence, Notice, NoticeKind};
use crate::origin;

use super::assembly::Exchange;
use super::trim;
use super::verdict::{notice, Allowed, CorsRequest};

/// Whether `Access-Control-Allow-Headers` covers `Authorization` only through
/// `*` (it does not name it).
pub(super) fn wildcard_covers_authorization(allow_headers: Option<&str>) -> bool {
    let Some(value) = allow_headers else {
        return false;
    };
    let names: Vec<&str> = value.split(',').map(trim).collect();
    names.contains(&"*")
        && !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("authorization"))
}

/// What is worth a notice on a response that passed the check: the risky
/// configurations first (warnings), then what works otherwise than the page
/// may expect. One record per request, so the first that applies.
pub(super) fn risk(
    exchange: &Exchange,
    cors: &CorsRequest,
    end: &Event,
    allowed: &Allowed,
    cookie: bool,
) -> Option<Notice> {
    let value = allowed.origin_joined.as_deref()?;
    let (_, response) = exchange.response.as_ref()?;
    let credentials_allowed = allowed.credentials.as_deref() == Some("true");
    let reflected_without_vary = value == cors.request_origin && !allowed.vary_origin;
    let (kind, detail) = if value == "*" && (credentials_allowed || cookie) {
        (NoticeKind::WildcardWithCredentials, value.to_owned())
    } else if value == "null" {
        (NoticeKind::NullOriginAllowed, value.to_owned())
    } else if let Some(cookies) = ((cookie || credentials_allowed)
        && evidence::cross_site(&exchange.url, &cors.page_origin))
    .then(|| evidence::cookies_not_stored(response))
    .filter(|c| !c.is_empty())
    {
        // Breaks now (the cookie is dropped), before the risks below.
        (NoticeKind::CookieNotStoredCrossSite, cookies.join("; "))
    } else if reflected_without_vary && credentials_allowed {
        (NoticeKind::CredentialedOriginWithoutVary, value.to_owned())
    } else if let Some(acac) = allowed
        .credentials
        .as_deref()
        .filter(|v| value == cors.request_origin && !matches!(*v, "true" | "false"))
    {
        // Meant to allow credentials, misspelled: refused whenever they are
        // sent (Firefox shows that refusal as a completed request).
        (NoticeKind::AllowCredentialsNotTrue, acac.to_owned())
    } else if let Some((cache, _)) = evidence::cache(&response.0).filter(|_| reflected_without_vary)
    {
        // Without credentials too, once a shared cache is seen in between.
        (NoticeKind::OriginWithoutVaryBehindCache, cache)
    } else {
        let unexposed = evidence::unexposed_headers(response, cookie);
        if unexposed.is_empty() {
            return None;
        }
        (NoticeKind::UnexposedResponseHeaders, unexposed.join(", "))
    };
    Some(notice(exchange, cors, end, kind, &detail))
}

/// A cross-origin `fetch` made with `mode: "no-cors"` that completed: the
/// browser hands the page an opaque response (no status, no headers, no
/// body), and says nothing. Read from `Sec-Fetch-Mode`, which the browser
/// sends only to potentially trustworthy URLs (docs/browser-facts.md).
pub(super) fn no_cors_fetch(exchange: &Exchange, end: &Event) -> Option<Notice> {
    let mode = exchange.request_headers.first("sec-fetch-mode")?;
    if end.kind != EventKind::Completed
        || !trim(mode).eq_ignore_ascii_case("no-cors")
        || exchange.resource_type != "xmlhttprequest"
        || exchange.is_preflight()
    {
        return None;
    }
    let page_origin = origin::of_url(exchange.initiator.as_deref()?)?;
    if origin::of_url(&exchange.url).as_deref() == Some(page_origin.as_str()) {
        return None;
    }
    let cors = CorsRequest {
        request_origin: page_origin.clone(),
        page_origin,
    };
    Some(notice(
        exchange,
        &cors,
        end,
        NoticeKind::NoCorsOpaqueResponse,
        trim(mode),
    ))
}
