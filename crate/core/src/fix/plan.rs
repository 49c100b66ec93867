//! The complete fix: the browser stops at the first failing step, so fixing
//! one header at a time takes one reload per step. This module replays the
//! same check (`check.rs`) on a model of the captured exchange (the preflight
//! answer and the actual response), applies the change the failing step calls
//! for, and runs the check again until it passes; the explanation lists the
//! changes in order and the snippets configure all of them at once.
//!
//! The loop is bounded: each change makes a later step of the check the first
//! failing one (a change only sets or adds values, so a step that passed keeps
//! passing), there are [`STEPS`] steps, and a hard cap of [`MAX_CHANGES`]
//! changes stops it whatever happens. A change that does not move the first
//! failure forward ends the plan as incomplete (`fuzz/fuzz_targets/plan.rs`).

use super::{credentials_involved, variants, Variant};
use crate::check::{cors_check, preflight_check, CheckInput, Failure, PreflightInput};
use crate::finding::{Finding, Seen};
use crate::headers::Header;
use crate::http;
use crate::reason::CorsError;

/// How many steps the check has on a preflighted exchange (see [`step`]).
pub const STEPS: usize = 10;
/// The hard cap on changes in one plan (one per step at most, plus the
/// closing `Vary: Origin`).
pub const MAX_CHANGES: usize = STEPS + 1;

/// One change to the server's answers, in the order the check meets them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Answer the preflight with the CORS headers instead of redirecting it.
    StopPreflightRedirect,
    /// Send one `Access-Control-Allow-Origin` on every answer: the origin
    /// (`Exact`), the origin from an allow-list (`Reflect`), `*`
    /// (`Wildcard`), or the origin from one layer only (`SingleSource`).
    AllowOrigin(Variant),
    /// `Access-Control-Allow-Credentials: true` on every answer.
    AllowCredentials,
    /// Answer the preflight with a 2xx status (204 No Content).
    AnswerPreflight,
    /// Rewrite `Access-Control-Allow-Methods` as a list of method names.
    ListMethods(Vec<String>),
    /// Rewrite `Access-Control-Allow-Headers` as a list of header names.
    ListHeaders(Vec<String>),
    /// Add the method to `Access-Control-Allow-Methods`.
    AllowMethod(String),
    /// Add these request headers to `Access-Control-Allow-Headers`.
    AllowHeaders(Vec<String>),
    /// `Vary: Origin`: the answer names one origin (reflected, or with
    /// credentials), so a shared cache must keep one copy per origin.
    VaryOrigin,
}

impl Change {
    /// A stable identifier (exports, tests, CSS classes).
    pub fn id(&self) -> &'static str {
        match self {
            Change::StopPreflightRedirect => "stop-preflight-redirect",
            Change::AllowOrigin(_) => "allow-origin",
            Change::AllowCredentials => "allow-credentials",
            Change::AnswerPreflight => "answer-preflight",
            Change::ListMethods(_) => "list-methods",
            Change::ListHeaders(_) => "list-headers",
            Change::AllowMethod(_) => "allow-method",
            Change::AllowHeaders(_) => "allow-headers",
            Change::VaryOrigin => "vary-origin",
        }
    }
}

/// The CORS headers of one answer, as the check reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// `Access-Control-Allow-Origin`, repeated lines joined with `", "`.
    pub allow_origin: Option<String>,
    /// `Access-Control-Allow-Credentials`, repeated lines joined.
    pub allow_credentials: Option<String>,
    /// Whether `Vary` names `Origin` (or is `*`).
    pub vary_origin: bool,
}

/// The preflight's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreflightAnswer {
    pub status: Option<u16>,
    /// Answered with a redirect.
    pub redirected: bool,
    pub cors: Answer,
    pub allow_methods: Option<String>,
    pub allow_headers: Option<String>,
}

/// The exchange the plan works on: what was captured, and for what was not
/// (the actual response after a failed preflight, a preflight answered from
/// the browser's cache) what the captured part implies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    /// The serialized request origin (`null` after a cross-origin redirect).
    pub origin: String,
    /// The request's credentials mode is `include` (known or inferred).
    pub credentials: bool,
    /// The actual request's method, as sent.
    pub method: String,
    /// The request headers the page asked for (lowercase, each once).
    pub requested: Vec<String>,
    /// The preflight's answer; `None` when the request needs no preflight.
    pub preflight: Option<PreflightAnswer>,
    /// The actual response. After a failed preflight it was never sent: the
    /// plan assumes it carries the preflight answer's origin and credentials
    /// headers (the same configuration answers both).
    pub response: Answer,
    /// The failure is where a redirect leads (credentials in the URL, a
    /// scheme without CORS), or where the request goes (Local Network
    /// Access): no header changes it.
    pub redirect_target: bool,
    /// The failing answer is a redirect to a URL with credentials or to a
    /// scheme without CORS: once its headers pass, the browser refuses
    /// where it leads, which no header changes either.
    pub redirect_refused_next: bool,
}

/// The outcome of [`plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The changes, in the order the check meets them.
    pub changes: Vec<Change>,
    /// The exchange once every change is applied.
    pub fixed: Exchange,
    /// The fixed exchange passes the check. False only for a failure no
    /// header fixes (a redirect's target) or a value no browser sends (a
    /// method or header name that is not a token, an origin of `*`).
    pub complete: bool,
}

impl Exchange {
    /// The exchange captured in a finding.
    pub fn of(f: &Finding) -> Exchange {
        let credentials = credentials_involved(f);
        let mut requested: Vec<String> = Vec::new();
        let preflight_request = f
            .reason
            .is_preflight()
            .then_some(&f.exchange)
            .or(f.preflight.as_ref());
        let from_preflight = preflight_request
            .into_iter()
            .flat_map(|s| header_values(&s.request_headers, "access-control-request-headers"))
            .flat_map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>());
        for name in f.requested_headers.iter().cloned().chain(from_preflight) {
            let name = name.trim_matches([' ', '\t']).to_ascii_lowercase();
            if !name.is_empty() && !requested.contains(&name) {
                requested.push(name);
            }
        }
        let captured = Answer {
            allow_origin: (!f.allow_origin.is_empty()).then(|| f.allow_origin.join(", ")),
            allow_credentials: f.allow_credentials.clone(),
            vary_origin: vary_names_origin(&f.exchange.response_headers),
        };
        let preflighted = f.reason.is_preflight()
            || f.preflight.is_some()
            || !http::is_cors_safelisted_method(&f.method)
            || !requested.is_empty();
        let (preflight, response) = if f.reason.is_preflight() {
            let answer = PreflightAnswer {
                status: f.status,
                redirected: f.reason == CorsError::PreflightDisallowedRedirect,
                cors: captured.clone(),
                allow_methods: f.allow_methods.clone(),
                allow_headers: f.allow_headers.clone(),
            };
            (Some(answer), captured)
        } else {
            let preflight = match &f.preflight {
                Some(seen) => Some(preflight_seen(seen)),
                // Preflighted, yet no preflight was seen: the browser's
                // cache answered, so the answer passed (as for this origin).
                None if preflighted => Some(PreflightAnswer {
                    status: Some(204),
                    redirected: false,
                    cors: Answer {
                        allow_origin: Some(f.origin.clone()),
                        allow_credentials: credentials.then(|| "true".to_owned()),
                        vary_origin: false,
                    },
                    allow_methods: Some(f.method.clone()),
                    allow_headers: (!requested.is_empty()).then(|| requested.join(", ")),
                }),
                None => None,
            };
            (preflight, captured)
        };
        Exchange {
            origin: f.origin.clone(),
            credentials,
            method: f.method.clone(),
            requested,
            preflight,
            response,
            redirect_target: !f.reason.fixed_by_headers(),
            redirect_refused_next: refused_redirect(&f.exchange),
        }
    }

    /// The first failing step of the check, `None` when the exchange passes.
    pub fn first_failure(&self) -> Option<Failure> {
        if let Some(p) = &self.preflight {
            let input = PreflightInput {
                cors: self.input(&p.cors),
                status: p.status,
                redirected: p.redirected,
                method: &self.method,
                headers: &self.requested,
                allow_methods: p.allow_methods.as_deref(),
                allow_headers: p.allow_headers.as_deref(),
            };
            if let Err(failure) = preflight_check(input) {
                return Some(failure);
            }
        }
        cors_check(self.input(&self.response)).err()
    }

    fn input<'a>(&'a self, a: &'a Answer) -> CheckInput<'a> {
        CheckInput {
            request_origin: &self.origin,
            allow_origin: a.allow_origin.as_deref(),
            allow_credentials: a.allow_credentials.as_deref(),
            credentials: self.credentials,
        }
    }

    /// Every answer the configuration writes: the preflight's (when there is
    /// one) and the actual response.
    fn answers(&mut self) -> impl Iterator<Item = &mut Answer> {
        self.preflight
            .as_mut()
            .map(|p| &mut p.cors)
            .into_iter()
            .chain(std::iter::once(&mut self.response))
    }

    /// The change the failing step calls for, or `None` when no header
    /// change fixes it.
    fn change_for(&self, failure: &Failure, v: Variant) -> Option<Change> {
        let p = self.preflight.as_ref();
        Some(match failure.reason {
            CorsError::PreflightDisallowedRedirect => Change::StopPreflightRedirect,
            CorsError::WildcardOriginNotAllowed
            | CorsError::MissingAllowOriginHeader
            | CorsError::MultipleAllowOriginValues
            | CorsError::InvalidAllowOriginValue
            | CorsError::AllowOriginMismatch
            | CorsError::PreflightWildcardOriginNotAllowed
            | CorsError::PreflightMissingAllowOriginHeader
            | CorsError::PreflightMultipleAllowOriginValues
            | CorsError::PreflightInvalidAllowOriginValue
            | CorsError::PreflightAllowOriginMismatch => Change::AllowOrigin(v),
            CorsError::InvalidAllowCredentials | CorsError::PreflightInvalidAllowCredentials => {
                Change::AllowCredentials
            }
            CorsError::PreflightInvalidStatus => Change::AnswerPreflight,
            CorsError::InvalidAllowMethodsPreflightResponse => {
                let mut list = tokens(p?.allow_methods.as_deref());
                if !http::is_cors_safelisted_method(&self.method) && !list.contains(&self.method) {
                    list.push(self.method.clone());
                }
                Change::ListMethods(list)
            }
            CorsError::InvalidAllowHeadersPreflightResponse => {
                let mut list = tokens(p?.allow_headers.as_deref());
                for name in &self.requested {
                    if !list.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                        list.push(name.clone());
                    }
                }
                Change::ListHeaders(list)
            }
            CorsError::MethodDisallowedByPreflightResponse => {
                Change::AllowMethod(self.method.clone())
            }
            CorsError::HeaderDisallowedByPreflightResponse => {
                let listed: Vec<String> = tokens(p?.allow_headers.as_deref())
                    .iter()
                    .map(|h| h.to_ascii_lowercase())
                    .collect();
                let missing: Vec<String> = self
                    .requested
                    .iter()
                    .filter(|name| !listed.contains(&name.to_ascii_lowercase()))
                    .cloned()
                    .collect();
                Change::AllowHeaders(missing)
            }
            CorsError::RedirectContainsCredentials
            | CorsError::CorsDisabledScheme
            | CorsError::InsecureLocalNetwork
            | CorsError::LocalNetworkAccessPermissionDenied => return None,
        })
    }

    /// Applies a change to the model.
    fn apply(&mut self, change: &Change) {
        let origin = self.origin.clone();
        match change {
            Change::StopPreflightRedirect => {
                if let Some(p) = &mut self.preflight {
                    p.redirected = false;
                    p.status = Some(204);
                }
            }
            Change::AllowOrigin(v) => {
                let value = if *v == Variant::Wildcard {
                    "*"
                } else {
                    &origin
                };
                for a in self.answers() {
                    a.allow_origin = Some(value.to_owned());
                }
            }
            Change::AllowCredentials => {
                for a in self.answers() {
                    a.allow_credentials = Some("true".to_owned());
                }
            }
            Change::AnswerPreflight => {
                if let Some(p) = &mut self.preflight {
                    p.status = Some(204);
                }
            }
            Change::ListMethods(list) => {
                if let Some(p) = &mut self.preflight {
                    p.allow_methods = Some(list.join(", "));
                }
            }
            Change::ListHeaders(list) => {
                if let Some(p) = &mut self.preflight {
                    p.allow_headers = Some(list.join(", "));
                }
            }
            Change::AllowMethod(m) => {
                if let Some(p) = &mut self.preflight {
                    p.allow_methods = Some(appended(p.allow_methods.as_deref(), [m.as_str()]));
                }
            }
            Change::AllowHeaders(names) => {
                if let Some(p) = &mut self.preflight {
                    let names = names.iter().map(String::as_str);
                    p.allow_headers = Some(appended(p.allow_headers.as_deref(), names));
                }
            }
            Change::VaryOrigin => {
                for a in self.answers() {
                    a.vary_origin = true;
                }
            }
        }
    }
}

/// Where a failing step stands in the check's order on a preflighted
/// exchange: the preflight's steps (redirect, origin, credentials, status,
/// the two lists, method, headers), then the actual response's (origin,
/// credentials). A redirect's target comes after all of them.
pub fn step(reason: CorsError) -> usize {
    match reason {
        CorsError::PreflightDisallowedRedirect => 0,
        CorsError::PreflightWildcardOriginNotAllowed
        | CorsError::PreflightMissingAllowOriginHeader
        | CorsError::PreflightMultipleAllowOriginValues
        | CorsError::PreflightInvalidAllowOriginValue
        | CorsError::PreflightAllowOriginMismatch => 1,
        CorsError::PreflightInvalidAllowCredentials => 2,
        CorsError::PreflightInvalidStatus => 3,
        CorsError::InvalidAllowMethodsPreflightResponse => 4,
        CorsError::InvalidAllowHeadersPreflightResponse => 5,
        CorsError::MethodDisallowedByPreflightResponse => 6,
        CorsError::HeaderDisallowedByPreflightResponse => 7,
        CorsError::WildcardOriginNotAllowed
        | CorsError::MissingAllowOriginHeader
        | CorsError::MultipleAllowOriginValues
        | CorsError::InvalidAllowOriginValue
        | CorsError::AllowOriginMismatch => 8,
        CorsError::InvalidAllowCredentials => 9,
        CorsError::RedirectContainsCredentials
        | CorsError::CorsDisabledScheme
        | CorsError::InsecureLocalNetwork
        | CorsError::LocalNetworkAccessPermissionDenied => STEPS,
    }
}

/// The complete fix for the finding's exchange, with the first fix the
/// finding is offered (`fix::variants`: the exact origin, or the single
/// source for a duplicated header).
pub fn plan(exchange: &Exchange, f: &Finding) -> Plan {
    let variant = variants(f).first().copied().unwrap_or(Variant::Exact);
    plan_with(exchange, variant)
}

/// The complete fix with one way of allowing the origin.
pub fn plan_with(exchange: &Exchange, variant: Variant) -> Plan {
    let mut fixed = exchange.clone();
    let mut changes: Vec<Change> = Vec::new();
    if exchange.redirect_target {
        return Plan {
            changes,
            fixed,
            complete: false,
        };
    }
    // The measure: the first failing step moves strictly forward, or the
    // loop ends; the cap ends it in any case.
    let mut last_step: Option<usize> = None;
    let mut complete = false;
    while changes.len() < MAX_CHANGES {
        let Some(failure) = fixed.first_failure() else {
            complete = true;
            break;
        };
        let at = step(failure.reason);
        if last_step.is_some_and(|last| at <= last) || at >= STEPS {
            break;
        }
        last_step = Some(at);
        let Some(change) = fixed.change_for(&failure, variant) else {
            break;
        };
        fixed.apply(&change);
        changes.push(change);
    }
    // Once the check passes: an answer that names one origin for a page with
    // credentials, or an origin taken from the request, varies by origin.
    let names_origin = variant == Variant::Reflect
        || (fixed.credentials && variant != Variant::Wildcard && fixed.origin != "*");
    if complete && names_origin && !fixed.response.vary_origin && changes.len() < MAX_CHANGES {
        fixed.apply(&Change::VaryOrigin);
        changes.push(Change::VaryOrigin);
    }
    Plan {
        changes,
        complete: complete && !fixed.redirect_refused_next,
        fixed,
    }
}

/// Whether an answer is a redirect the browser refuses to follow for a
/// cross-origin request: to a URL with a user name or password, or to a
/// scheme other than http(s).
fn refused_redirect(seen: &Seen) -> bool {
    if !matches!(seen.status, Some(300..=399)) {
        return false;
    }
    let Some(location) = header_values(&seen.response_headers, "location").next() else {
        return false;
    };
    match url::Url::parse(&seen.url).and_then(|base| base.join(location.trim())) {
        Ok(target) => {
            !matches!(target.scheme(), "http" | "https")
                || !target.username().is_empty()
                || target.password().is_some()
        }
        Err(_) => false,
    }
}

/// The answer of a preflight the engine saw (its response headers).
fn preflight_seen(seen: &Seen) -> PreflightAnswer {
    let combined = |name: &str| {
        let values: Vec<&str> = header_values(&seen.response_headers, name).collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    PreflightAnswer {
        status: seen.status,
        redirected: false,
        cors: Answer {
            allow_origin: combined("access-control-allow-origin"),
            allow_credentials: combined("access-control-allow-credentials"),
            vary_origin: vary_names_origin(&seen.response_headers),
        },
        allow_methods: combined("access-control-allow-methods"),
        allow_headers: combined("access-control-allow-headers"),
    }
}

fn header_values<'a>(headers: &'a [Header], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Whether a `Vary` line names `Origin` (or is `*`).
fn vary_names_origin(headers: &[Header]) -> bool {
    header_values(headers, "vary").any(|v| {
        v.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.eq_ignore_ascii_case("origin"))
    })
}

/// The tokens of a list header, the others left out.
fn tokens(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|v| v.trim_matches([' ', '\t']))
        .filter(|v| http::is_token(v))
        .map(str::to_owned)
        .collect()
}

/// A list header with more names at its end.
fn appended<'a>(value: Option<&'a str>, more: impl IntoIterator<Item = &'a str>) -> String {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .into_iter()
        .chain(more)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
