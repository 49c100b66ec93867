//! The verdict on one finished exchange: is it a cross-origin request in
//! CORS mode, does its answer pass the check (`check.rs`, in Chromium's
//! order), with or without credentials, and if not, the [`Finding`]; if it
//! passes, the risky configurations worth a notice. Preflights are judged on
//! their own answer and reported under the actual request's method.
//!
//! Architecture Invariant: pure functions of one exchange and its last
//! event. Nothing here holds state or knows other requests: no ledger, no
//! in-flight map. What depends on another request (a preflight waiting for
//! its actual request) comes back as a [`Conclusion`] for `mod.rs` to keep.
//!
//! Architecture Invariant: every [`Finding`] is built by [`finding`], and
//! every [`Notice`] about an exchange by [`notice`].

use crate::address_space::AddressSpace;
use crate::browser_error::{BrowserError, NetworkError};
use crate::check::{cors_check, preflight_check, CheckInput, Failure, PreflightInput};
use crate::event::{Event, EventKind};
use crate::finding::{Credentials, Finding, Seen};
use crate::headers::Headers;
use crate::notice::{evidence, Notice, NoticeKind};
use crate::origin;
use crate::reason::CorsError;
use crate::report::Report;

use super::assembly::{Endpoints, Exchange};
use super::ledger::{Passed, Pending, RequestKey};
use super::notices::{no_cors_fetch, risk, wildcard_covers_authorization};
use super::quirks::firefox_unfollowed_redirect;
use super::redirect::{
    firefox_refused_redirect, has_credentials, is_http_target, redirect_to_disabled_scheme,
    same_origin_redirect,
};
use super::trim;

/// What ending a request leads to.
// Moved once per finished request, like `Report`.
#[allow(clippy::large_enum_variant)]
pub(super) enum Conclusion {
    Report(Report),
    /// A preflight that fails only with credentials: kept until its actual
    /// request tells.
    Pending(Pending),
    /// A preflight passed: remember it for its actual request, and warn when
    /// it passed only through a leniency of the browser.
    PreflightPassed(Passed, Option<Notice>),
}

/// Decides what a finished request was.
///
/// `refused` says the browser reported the request as failed with its CORS
/// error. Chromium always does; Firefox reports a simple request that fails
/// CORS as completed, so a completed request is checked too, and only a
/// failure the headers prove is reported.
pub(super) fn conclude(
    mut exchange: Exchange,
    end: &Event,
    allowed_before: &Endpoints,
) -> Option<Conclusion> {
    let Some(cors) = CorsRequest::of(&exchange) else {
        if let Some(n) = no_cors_fetch(&exchange, end) {
            return Some(Conclusion::Report(Report::Notice(n)));
        }
        return same_origin_redirect(exchange, end);
    };
    let done = |report| Some(Conclusion::Report(report));
    let unfollowed = firefox_unfollowed_redirect(&exchange, end);
    let refused = match end.kind {
        EventKind::ErrorOccurred => {
            let error = end.error.as_deref().unwrap_or("");
            let kind = BrowserError::of(error);
            if kind == BrowserError::Cors {
                true
            } else if firefox_refused_redirect(&exchange, &cors, end) {
                // The hop that redirected is the finding's URL; it is not
                // an earlier hop.
                if exchange.redirects.last() == Some(&exchange.url) {
                    exchange.redirects.pop();
                }
                true
            } else if unfollowed {
                true
            } else if kind == BrowserError::Aborted {
                // Cancelled by the page or a navigation: nothing to say.
                return None;
            } else if kind == BrowserError::LocalNetworkAccess {
                // The browser names it: nothing was sent, no header matters.
                return done(local_network_refusal(exchange, cors, end, allowed_before));
            } else if kind == BrowserError::BlockedByClient {
                return done(Report::Notice(notice(
                    &exchange,
                    &cors,
                    end,
                    NoticeKind::BlockedByClient,
                    error,
                )));
            } else if exchange.response.is_none()
                // A redirect refused for what it points to, not for CORS
                // (its headers passed, or the error would be ERR_FAILED).
                || (!exchange.is_preflight()
                    && kind == BrowserError::Network(NetworkError::Redirect))
            {
                return done(Report::Notice(notice(
                    &exchange,
                    &cors,
                    end,
                    NoticeKind::NoResponse,
                    error,
                )));
            } else if !exchange.is_preflight() {
                return None;
            } else {
                // A preflight that failed otherwise (Chromium says
                // `ERR_INVALID_REDIRECT` for a redirected one): its response
                // decides below.
                false
            }
        }
        _ => false,
    };
    if exchange.is_preflight() {
        if refused && local_network_preflight(&exchange, &cors, end) {
            return done(local_network_refusal(exchange, cors, end, allowed_before));
        }
        return conclude_preflight(exchange, cors, end);
    }
    let Some((_, response)) = exchange.response.as_ref() else {
        // Refused for CORS before any response: the reason is one the
        // headers cannot show (docs/verdicts.md). Say so, never guess.
        let error = end.error.as_deref().unwrap_or("");
        return refused.then(|| {
            Conclusion::Report(Report::Notice(notice(
                &exchange,
                &cors,
                end,
                NoticeKind::CorsReasonNotShown,
                error,
            )))
        });
    };
    let allowed = Allowed::of(response);
    let location = response.first("location").map(trim);
    let check = |credentials: bool| {
        cors_check(CheckInput {
            request_origin: &cors.request_origin,
            allow_origin: allowed.origin_joined.as_deref(),
            allow_credentials: allowed.credentials.as_deref(),
            credentials,
        })
    };
    let cookie = exchange.sent_cookie();
    // Firefox refused to follow a redirect whose headers pass to another
    // scheme: the scheme is the refusal.
    if unfollowed && check(cookie).is_ok() {
        return redirect_to_disabled_scheme(exchange, end, allowed_before).map(Conclusion::Report);
    }
    // A refused redirect whose headers pass: Chromium checks where it leads
    // only after its headers passed (`RedirectContainsCredentials`).
    let userinfo = refused && location.is_some_and(|l| has_credentials(&exchange.url, l));
    let verdict: Result<(), (Failure, Credentials)> = if cookie {
        match check(true) {
            Ok(()) if userinfo => Err((
                Failure::redirect(CorsError::RedirectContainsCredentials),
                Credentials::IncludeFromCookie,
            )),
            other => other.map_err(|f| (f, Credentials::IncludeFromCookie)),
        }
    } else {
        match check(false) {
            Err(failure) => Err((failure, Credentials::Unknown)),
            // The target carries credentials: the refusal a request without
            // credentials meets. (With credentials mode `include`, a header
            // failing only then would be reported first; `webRequest` does
            // not tell the mode, and the explanation says so.)
            Ok(()) if userinfo => Err((
                Failure::redirect(CorsError::RedirectContainsCredentials),
                Credentials::Unknown,
            )),
            // A refused redirect to another scheme that the browser did not
            // follow: no rule the events show explains it; say so.
            Ok(()) if refused && location.is_some_and(|l| !is_http_target(&exchange.url, l)) => {
                return done(Report::Notice(notice(
                    &exchange,
                    &cors,
                    end,
                    NoticeKind::CorsReasonNotShown,
                    location.unwrap_or_default(),
                )));
            }
            // Passes without credentials: if the browser refused it anyway
            // and the check fails with credentials, credentials explain it.
            Ok(()) if refused => Err((check(true).err()?, Credentials::IncludeFromFailure)),
            Ok(()) => Ok(()),
        }
    };
    let (failure, credentials) = match verdict {
        Ok(()) => {
            return risk(&exchange, &cors, end, &allowed, cookie)
                .map(|n| Conclusion::Report(Report::Notice(n)))
        }
        Err(failed) => failed,
    };
    done(Report::Failure(failure_finding(
        exchange,
        cors,
        end,
        failure,
        credentials,
        allowed_before,
    )))
}

/// Whether a preflight refused with Chromium's CORS error was stopped by
/// Local Network Access: Chromium names it only on the actual request, and
/// ends the preflight, which never left, with `net::ERR_FAILED` and no
/// response (docs/browser-facts.md, "Local Network Access"). Said only when
/// nothing else explains that: no response, no redirect, and a target
/// known to be more private than the page (`address_space`).
fn local_network_preflight(exchange: &Exchange, cors: &CorsRequest, end: &Event) -> bool {
    let chromium = end
        .error
        .as_deref()
        .is_some_and(|e| !BrowserError::is_firefox_name(e));
    let page = AddressSpace::of_url(&cors.page_origin).unwrap_or(AddressSpace::Unknown);
    let target = AddressSpace::of_url(&exchange.url).unwrap_or(AddressSpace::Unknown);
    chromium
        && exchange.response.is_none()
        && exchange.redirects.is_empty()
        && cors.page_origin != "null"
        && page.needs_permission_for(target)
}

/// The finding for a request Local Network Access refused; for a preflight,
/// under the actual request's method and with the headers it asked for.
fn local_network_refusal(
    exchange: Exchange,
    cors: CorsRequest,
    end: &Event,
    allowed_before: &Endpoints,
) -> Report {
    let preflight = exchange
        .is_preflight()
        .then(|| asked_for(&exchange.request_headers))
        .flatten();
    let secure = AddressSpace::is_secure_context(&cors.page_origin);
    let mut f = failure_finding(
        exchange,
        cors,
        end,
        Failure::local_network(secure),
        Credentials::Unknown,
        allowed_before,
    );
    if let Some((method, requested)) = preflight {
        f.method = method;
        f.requested_headers = requested;
    }
    Report::Failure(f)
}

/// What a preflight asks for: the actual request's method and the request
/// headers it will send (lower-cased), or `None` without a method.
fn asked_for(headers: &Headers) -> Option<(String, Vec<String>)> {
    let method = trim(headers.first("access-control-request-method")?).to_owned();
    let requested = headers
        .first("access-control-request-headers")
        .map(|v| {
            v.split(',')
                .map(|h| trim(h).to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some((method, requested))
}

/// The one constructor of a [`Finding`]: `exchange`, a request of `cors`,
/// ended by `end`, failed for `failure`. The preflight's own facts (the
/// actual request's method, the headers it asked for, the methods and
/// headers allowed) are added by [`conclude_preflight`], whether the
/// endpoint allowed the origin before by [`failure_finding`].
fn finding(
    exchange: Exchange,
    cors: CorsRequest,
    end: &Event,
    failure: Failure,
    credentials: Credentials,
) -> Finding {
    let (status, allowed) = match &exchange.response {
        Some((status, headers)) => (*status, Allowed::of(headers)),
        None => (None, Allowed::of(&Headers::default())),
    };
    let exchange_seen = seen(&exchange);
    Finding {
        request_id: end.request_id.clone(),
        tab_id: exchange.tab_id,
        time_ms: end.time_ms,
        method: exchange.method,
        url: exchange.url,
        resource_type: exchange.resource_type,
        origin: cors.request_origin,
        page_origin: cors.page_origin,
        status,
        reason: failure.reason,
        failed_parameter: failure.failed_parameter,
        allow_origin: allowed.origin,
        allow_credentials: allowed.credentials,
        allow_methods: None,
        allow_headers: None,
        requested_headers: Vec::new(),
        credentials,
        redirects: exchange.redirects,
        endpoint_allowed_before: false,
        exchange: exchange_seen,
        preflight: None,
        count: 1,
    }
}

/// The finding for an actual request (not a preflight) that failed.
pub(super) fn failure_finding(
    exchange: Exchange,
    cors: CorsRequest,
    end: &Event,
    failure: Failure,
    credentials: Credentials,
    allowed_before: &Endpoints,
) -> Finding {
    let endpoint_allowed_before = allowed_before.contains(&exchange.url);
    let mut f = finding(exchange, cors, end, failure, credentials);
    f.endpoint_allowed_before = endpoint_allowed_before;
    f
}

/// The exchange as it will be shown and exported: cut to the sizes of
/// [`crate::wire`] after the verdict was taken from the whole values
/// (redacted with the report).
fn seen(exchange: &Exchange) -> Seen {
    let (status, response) = match &exchange.response {
        Some((status, headers)) => (*status, headers.0.clone()),
        None => (None, Vec::new()),
    };
    let mut shown = Seen {
        method: exchange.method.clone(),
        url: exchange.url.clone(),
        status,
        request_headers: exchange.request_headers.0.clone(),
        response_headers: response,
    };
    crate::wire::cut_seen(&mut shown);
    shown
}

/// Decides what a finished preflight was. The finding speaks of the actual
/// request (its method and headers), since that is what the page sent.
fn conclude_preflight(exchange: Exchange, cors: CorsRequest, end: &Event) -> Option<Conclusion> {
    let (method, requested) = asked_for(&exchange.request_headers)?;
    let (status, response) = match &exchange.response {
        Some((status, response)) => (*status, response.clone()),
        None => (None, Headers::default()),
    };
    // A 3xx is a redirect only with a `Location` to follow: Chromium judges a
    // 300 without one by its status (`PreflightInvalidStatus`).
    let redirected = !exchange.redirects.is_empty()
        || (matches!(status, Some(300..=399)) && response.contains("location"));
    let allowed = Allowed::of(&response);
    let joined = |name: &str| {
        let values: Vec<&str> = response.all(name).map(trim).collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let allow_methods = joined("access-control-allow-methods");
    let allow_headers = joined("access-control-allow-headers");
    let check = |credentials: bool| {
        preflight_check(PreflightInput {
            cors: CheckInput {
                request_origin: &cors.request_origin,
                allow_origin: allowed.origin_joined.as_deref(),
                allow_credentials: allowed.credentials.as_deref(),
                credentials,
            },
            status,
            redirected,
            method: &method,
            headers: &requested,
            allow_methods: allow_methods.as_deref(),
            allow_headers: allow_headers.as_deref(),
        })
    };
    // A preflight never carries cookies: the actual request's credentials
    // mode is unknown here.
    // `Authorization` let through by `Access-Control-Allow-Headers: *`:
    // Chromium and Firefox allow it, the Fetch standard does not
    // (docs/verdicts.md, "Browser versions").
    let lenient = (requested.iter().any(|h| h == "authorization")
        && wildcard_covers_authorization(allow_headers.as_deref()))
    .then(|| {
        let mut n = notice(
            &exchange,
            &cors,
            end,
            NoticeKind::AuthorizationCoveredByWildcard,
            allow_headers.as_deref().unwrap_or("*"),
        );
        n.method = method.clone();
        n
    });
    // Asked to be cached longer than the browser keeps a preflight: said
    // only when it passes (a failed one is not cached at all).
    let capped = evidence::max_age_above_cap(&response).map(|seconds| {
        let mut n = notice(
            &exchange,
            &cors,
            end,
            NoticeKind::MaxAgeAboveBrowserCap,
            &seconds.to_string(),
        );
        n.method = method.clone();
        n
    });
    // One record per request: the warning first. Said when the preflight
    // passes, now or once its actual request leaves (pending).
    let lenient = lenient.or(capped);
    let (failure, credentials, pending) = match check(false) {
        Err(failure) => (failure, Credentials::Unknown, false),
        Ok(()) => match check(true) {
            Err(failure) => (failure, Credentials::IncludeFromFailure, true),
            Ok(()) => {
                return Some(Conclusion::PreflightPassed(
                    Passed {
                        key: RequestKey::new(exchange.tab_id, &exchange.url, &method),
                        time_ms: end.time_ms,
                        seen: seen(&exchange),
                    },
                    lenient,
                ));
            }
        },
    };
    let key = RequestKey::new(exchange.tab_id, &exchange.url, &method);
    let mut finding = finding(exchange, cors, end, failure, credentials);
    finding.method = method;
    finding.allow_methods = allow_methods;
    finding.allow_headers = allow_headers;
    finding.requested_headers = requested;
    Some(if pending {
        Conclusion::Pending(Pending {
            key,
            time_ms: end.time_ms,
            finding,
            lenient,
        })
    } else {
        Conclusion::Report(Report::Failure(finding))
    })
}

/// The facts every conclusion needs, once the request is known to be a
/// cross-origin request in CORS mode.
pub(super) struct CorsRequest {
    pub page_origin: String,
    pub request_origin: String,
}

impl CorsRequest {
    /// `None` for requests the CORS check does not apply to: navigations,
    /// `no-cors` and `same-origin` modes, same-origin URLs.
    pub fn of(exchange: &Exchange) -> Option<CorsRequest> {
        let cors = CorsRequest::of_mode(exchange)?;
        // Same-origin requests are not CORS-checked.
        if cors.request_origin != "null"
            && origin::of_url(&exchange.url).as_deref() == Some(cors.request_origin.as_str())
        {
            return None;
        }
        Some(cors)
    }

    /// Requests in CORS mode, same-origin ones included: where a redirect
    /// may lead is checked for them too.
    pub fn of_mode(exchange: &Exchange) -> Option<CorsRequest> {
        let headers = &exchange.request_headers;
        // The request mode: `Sec-Fetch-Mode` when the browser sent it (only
        // to trustworthy URLs); otherwise an `Origin` header on a subresource.
        match headers.first("sec-fetch-mode") {
            Some(mode) if !mode.eq_ignore_ascii_case("cors") => return None,
            Some(_) => {}
            None if !headers.contains("origin") => return None,
            None => {}
        }
        if matches!(exchange.resource_type.as_str(), "main_frame" | "sub_frame") {
            return None;
        }
        let page_origin = exchange
            .initiator
            .as_deref()
            .and_then(|i| {
                if i == "null" {
                    Some("null".to_owned())
                } else {
                    origin::of_url(i)
                }
            })
            .unwrap_or_else(|| "null".to_owned());
        let request_origin = headers
            .first("origin")
            .map(|v| trim(v).to_owned())
            .unwrap_or_else(|| page_origin.clone());
        Some(CorsRequest {
            page_origin,
            request_origin,
        })
    }
}

/// The CORS headers of the response, as the check reads them.
pub(super) struct Allowed {
    pub origin: Vec<String>,
    pub origin_joined: Option<String>,
    pub credentials: Option<String>,
    pub vary_origin: bool,
}

impl Allowed {
    pub fn of(response: &Headers) -> Allowed {
        let origin: Vec<String> = response
            .all("access-control-allow-origin")
            .map(|v| trim(v).to_owned())
            .collect();
        let origin_joined = (!origin.is_empty()).then(|| origin.join(", "));
        let credentials = {
            let values: Vec<&str> = response
                .all("access-control-allow-credentials")
                .map(trim)
                .collect();
            (!values.is_empty()).then(|| values.join(", "))
        };
        let vary_origin = evidence::varies_on_origin(response.all("vary"));
        Allowed {
            origin,
            origin_joined,
            credentials,
            vary_origin,
        }
    }
}

pub(super) fn notice(
    exchange: &Exchange,
    cors: &CorsRequest,
    end: &Event,
    kind: NoticeKind,
    detail: &str,
) -> Notice {
    Notice {
        request_id: end.request_id.clone(),
        tab_id: exchange.tab_id,
        time_ms: end.time_ms,
        method: exchange.method.clone(),
        url: exchange.url.clone(),
        resource_type: exchange.resource_type.clone(),
        origin: cors.request_origin.clone(),
        page_origin: cors.page_origin.clone(),
        status: exchange.response.as_ref().and_then(|(s, _)| *s),
        kind,
        detail: detail.to_owned(),
        count: 1,
    }
}
