//! The engine: takes `webRequest` events one at a time and, when a request
//! ends, says whether the browser refused it for a CORS reason (a
//! [`Finding`](crate::Finding)) or whether it deserves a
//! [`Notice`](crate::Notice). Its jobs, one module each:
//!
//! - `assembly.rs` — the unfinished requests by `requestId`: each hop's
//!   request headers, the last response, the redirects;
//! - `ledger.rs` — the preflights kept for their actual requests (passed,
//!   pending on the credentials mode, failed), under one key type and one
//!   bounded, time-limited queue;
//! - `verdict.rs` — the verdict on one finished exchange (pure functions),
//!   and `redirect.rs`, the verdicts a redirect leads to;
//! - `quirks.rs` — what the browsers do that the standard does not say:
//!   their error names, and Firefox's event orders;
//! - `size.rs` — what kept values cost against the byte budgets;
//! - this file — the budgets, and the state transitions below, which tie
//!   the others together.
//!
//! Architecture Invariant: the engine judges raw values; a report is
//! redacted ([`crate::redact`]) and cut ([`crate::wire`]'s caps) only after
//! its verdict. It knows no text (no `l10n`, `explain`, `export` or `fix`:
//! `crate/core/tests/layering.rs`).
//!
//! Architecture Invariant: memory is bounded by forgetting, never by
//! guessing. Past a cap the oldest requests (then the oldest kept
//! preflights) are forgotten and counted in [`Engine::dropped`]; a verdict
//! may be missing, never wrong.
//!
//! # State transitions
//!
//! A request (by `requestId`) is *unknown*, *sent* (its current hop left,
//! no answer yet), *answered* (the current hop's response is known) or
//! *redirected* (`onBeforeRedirect` came, the next hop is not sent yet).
//! Ending moves it back to *unknown*. A preflight's outcome may wait in the
//! ledger, keyed by the actual request (tab, URL, method): *passed*,
//! *pending* (fails only with credentials) or *failed*. "Key" below is the
//! event's (tab, URL, method); "target" the redirect's (tab, new URL).
//!
//! | state | event | next state | report |
//! | --- | --- | --- | --- |
//! | unknown | `onSendHeaders` | sent; a *pending* preflight for the key becomes *passed* (not for `OPTIONS`); the newest *passed* one for the key is taken to show with it | the leniency warning of a pending preflight that thereby passed |
//! | sent, answered, redirected | `onSendHeaders` | sent (a new hop: its headers replace the last hop's, the response is cleared) | — |
//! | any | `onHeadersReceived` | answered; the endpoint remembered if it allows an origin; a *pending* preflight for the key *passed* (Firefox: the answer is the first sign) | that preflight's leniency warning |
//! | any | `onBeforeRedirect` to http(s), ws(s) or an unreadable URL | redirected | — |
//! | any | `onBeforeRedirect` to another scheme (no event follows; after `ftp:`, none in Firefox, Chromium's error finds the request unknown) | unknown | `CorsDisabledScheme` for a CORS-mode request |
//! | unknown | the CORS error | — | the failure of a *pending* preflight for the key (within 10 s), taken |
//! | unknown | other ends | — | — |
//! | redirected | the CORS error | unknown | the next URL's scheme (`CorsDisabledScheme`); else a *pending* preflight for the target (its failure, taken); else nothing when a *failed* or a running preflight for the target is known; else `CorsReasonNotShown` at the new URL |
//! | sent (not a preflight) | the CORS error, no response | unknown | a *pending* preflight for the key: its failure, taken; else a *failed* one for (tab, URL): nothing, taken; else a running preflight for the key: nothing yet (it carries the refusal); else `CorsReasonNotShown` |
//! | sent, answered | other end of an actual request | unknown | the verdict: a failure (with the preflight taken at send, else the newest *passed* one for the key), a notice, or nothing |
//! | sent | the Local Network Access error (`BrowserError::LocalNetworkAccess`) | unknown | `LocalNetworkAccessPermissionDenied`, or `InsecureLocalNetwork` from a page that is not a secure context |
//! | sent (preflight) | the CORS error, no response, no redirect, a target more private than the page (`address_space`) | unknown; *failed* | that local-network reason, under the actual request's method (its actual request then ends with nothing to add) |
//! | answered (preflight) | end; fails | unknown; *failed* (unless its actual request was refused already) | the failure |
//! | answered (preflight) | end; fails only with credentials | unknown; *pending* (unless its actual request was refused already: then the failure is reported) | — |
//! | answered (preflight) | end; passes | unknown; *passed* (unless its actual request was refused already: then that refusal's notice) | the leniency warning, if any |
//! | any | an event that takes one request past 1 MB, or the engine past 32 MB | the oldest requests, then kept preflights, forgotten | — (counted in `dropped`) |
//!
//! docs/verdicts.md says which reasons the events can show, and why.

mod assembly;
mod ledger;
mod notices;
mod quirks;
pub(crate) mod redirect;
mod size;
mod verdict;

use crate::event::{Event, EventKind};
use crate::notice::NoticeKind;
use crate::redact;
pub use crate::report::Report;

use assembly::{Assembly, Endpoints, Exchange};
use ledger::{Failed, Preflights, RequestKey};
use quirks::{is_cors_error, reported_after_redirect};
use redirect::{is_http, redirect_to_disabled_scheme};
use verdict::{conclude, notice, Conclusion, CorsRequest};

/// Most bytes one unfinished request may hold (URLs, methods, header names
/// and values, the preflight shown with it). Four times what Chromium
/// accepts as a whole response head (256 KB), so any answer the browser
/// reads can be judged; a request past it is forgotten and counted.
pub const MAX_EXCHANGE_BYTES: usize = 1024 * 1024;
/// Most bytes the engine holds in all: unfinished requests, and the
/// preflights kept for their actual requests. Past it, the oldest unfinished
/// requests are forgotten (then the oldest preflights), and counted.
pub const MAX_ENGINE_BYTES: usize = 32 * 1024 * 1024;

/// The assembly state: one per service worker.
#[derive(Debug, Default)]
pub struct Engine {
    assembly: Assembly,
    budget: Budget,
    /// Kept preflights forgotten to stay within the budget (the assembly
    /// counts the requests it forgot).
    dropped: u64,
    /// Endpoints whose responses carried `Access-Control-Allow-Origin`.
    allowed_before: Endpoints,
    preflights: Preflights,
}

/// The engine's byte budgets (see [`MAX_EXCHANGE_BYTES`], [`MAX_ENGINE_BYTES`]).
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub exchange: usize,
    pub total: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            exchange: MAX_EXCHANGE_BYTES,
            total: MAX_ENGINE_BYTES,
        }
    }
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// An engine with other byte budgets (tests).
    pub fn with_budget(budget: Budget) -> Engine {
        Engine {
            budget,
            ..Engine::default()
        }
    }

    /// How many requests are between their first and last event.
    pub fn in_flight(&self) -> usize {
        self.assembly.len()
    }

    /// How many bytes the engine holds (unfinished requests and kept
    /// preflights), as measured against [`MAX_ENGINE_BYTES`].
    pub fn bytes(&self) -> usize {
        self.assembly.bytes() + self.preflights.bytes()
    }

    /// How many unfinished requests (and kept preflights) were forgotten to
    /// stay within the caps since the engine started: their verdicts are
    /// missing, never wrong. The worker shows it in the panel.
    pub fn dropped(&self) -> u64 {
        self.assembly.dropped() + self.dropped
    }

    /// Takes one event; returns a report when it ends a request that the
    /// browser refused for a CORS reason, or that deserves a notice.
    ///
    /// The verdict is computed from the raw values as the browser saw them;
    /// only then is the report redacted ([`redact::report`]: nothing that
    /// leaves the engine holds a secret, and redaction never changes a
    /// verdict), cut to the sizes of [`crate::wire`] (and marked), and the
    /// engine's byte budgets enforced.
    pub fn ingest(&mut self, event: Event) -> Option<Report> {
        let id = event.request_id.clone();
        let report = self.ingest_whole(event);
        self.measure(&id);
        self.enforce_budget();
        report.map(redact::report).map(|r| match r {
            Report::Failure(mut f) => {
                crate::wire::cut_finding(&mut f);
                Report::Failure(f)
            }
            Report::Notice(mut n) => {
                crate::wire::cut_notice(&mut n);
                Report::Notice(n)
            }
        })
    }

    /// Measures the exchange `id` after an event changed it; one past its
    /// budget is forgotten.
    fn measure(&mut self, id: &str) {
        self.assembly.measure(id, self.budget.exchange);
    }

    /// Past the engine's budget, forgets the oldest unfinished requests,
    /// then the oldest kept preflights, until it holds no more than that.
    fn enforce_budget(&mut self) {
        if self.bytes() <= self.budget.total {
            return;
        }
        let mut held = self.preflights.bytes();
        for id in self.assembly.oldest_first() {
            if self.assembly.bytes() + held <= self.budget.total {
                return;
            }
            self.assembly.forget(&id);
        }
        while held > self.budget.total {
            let Some(freed) = self.preflights.forget_oldest() else {
                break;
            };
            held -= freed;
            self.dropped += 1;
        }
    }

    fn ingest_whole(&mut self, event: Event) -> Option<Report> {
        match event.kind {
            EventKind::SendHeaders => self.hop_sent(event),
            EventKind::HeadersReceived => self.hop_answered(event),
            EventKind::BeforeRedirect => self.hop_redirected(&event),
            EventKind::Completed | EventKind::ErrorOccurred => self.finished(&event),
        }
    }

    /// `onSendHeaders`: a request, or its next hop, left.
    fn hop_sent(&mut self, event: Event) -> Option<Report> {
        let first_hop = !self.assembly.contains(&event.request_id);
        let key = RequestKey::new(event.tab_id, &event.url, &event.method);
        let lenient = if first_hop && event.method != "OPTIONS" {
            // The actual request left: the preflights before it passed.
            self.preflights.actual_request_left(&key)
        } else {
            None
        };
        // Each preflight lets one request go; later ones reuse the
        // browser's cache, and show none.
        let taken = first_hop
            .then(|| self.preflights.passed.take_last(|k| *k == key))
            .flatten();
        let exchange = self.assembly.exchange(&event);
        if let Some(passed) = taken {
            exchange.preflight = Some(passed.seen);
        }
        exchange.url = event.url;
        exchange.method = event.method;
        // A new hop: its request headers replace the previous hop's, and the
        // previous response no longer applies.
        exchange.request_headers = event.request_headers.unwrap_or_default();
        exchange.response = None;
        exchange.redirected_to = None;
        lenient.map(Report::Notice)
    }

    /// `onHeadersReceived`: the current hop's answer.
    fn hop_answered(&mut self, mut event: Event) -> Option<Report> {
        let headers = event.response_headers.take().unwrap_or_default();
        if headers.contains("access-control-allow-origin") {
            self.allowed_before.remember(&event.url);
        }
        let lenient = self.preflight_passed_late(&event);
        let exchange = self.assembly.exchange(&event);
        exchange.url = event.url;
        exchange.response = Some((event.status, headers));
        lenient.map(Report::Notice)
    }

    /// `onBeforeRedirect`: the hop redirected; the next one is not sent yet.
    fn hop_redirected(&mut self, event: &Event) -> Option<Report> {
        let exchange = self.assembly.exchange(event);
        exchange.redirects.push(event.url.clone());
        exchange.redirected_to = event.redirect_url.clone();
        let target = event.redirect_url.as_deref().unwrap_or_default();
        if reported_after_redirect(target) {
            return None;
        }
        // Chromium refuses to follow a CORS request to this scheme
        // (`CorsDisabledScheme`), and `webRequest` reports nothing more
        // about the request: this event is the last one.
        let exchange = self.assembly.take(&event.request_id)?;
        redirect_to_disabled_scheme(exchange, event, &self.allowed_before)
    }

    /// `onCompleted` or `onErrorOccurred`: the verdict, and what the ledger
    /// keeps of it or gives back.
    fn finished(&mut self, event: &Event) -> Option<Report> {
        let Some(mut exchange) = self.assembly.take(&event.request_id) else {
            return self.unsent_request_failed(event);
        };
        let actual_refused = exchange.actual_refused.take();
        let unanswered = exchange.response.is_none() && !exchange.is_preflight();
        let was_preflight = exchange.is_preflight();
        let key = exchange.key();
        let preflight = exchange.preflight.clone();
        if exchange.redirected_to.is_some() && is_cors_error(event) {
            return self.next_hop_refused(exchange, event);
        }
        let Some(conclusion) = conclude(exchange, event, &self.allowed_before) else {
            return actual_refused.map(Report::Notice);
        };
        match conclusion {
            Conclusion::Report(Report::Notice(n))
                if unanswered && n.kind == NoticeKind::CorsReasonNotShown =>
            {
                self.refused_unanswered(n)
            }
            Conclusion::Report(Report::Failure(mut finding)) => {
                // A failed preflight explains its actual request's refusal:
                // remembered for it, unless it already ended.
                if finding.reason.is_preflight() || was_preflight {
                    if actual_refused.is_none() {
                        self.preflights.failed.push(Failed {
                            key: RequestKey::new(finding.tab_id, &finding.url, &finding.method),
                            time_ms: finding.time_ms,
                        });
                    }
                } else {
                    // The preflight taken when the request left; else one
                    // that ended after it did (events can cross).
                    finding.preflight = preflight.or_else(|| {
                        let passed = self.preflights.passed.take_last(|k| *k == key);
                        passed.map(|p| p.seen)
                    });
                }
                Some(Report::Failure(finding))
            }
            Conclusion::Report(report) => Some(report),
            // The preflight passed, yet its actual request was refused with
            // no response: nothing shown explains it.
            Conclusion::PreflightPassed(..) if actual_refused.is_some() => {
                actual_refused.map(Report::Notice)
            }
            Conclusion::PreflightPassed(passed, lenient) => {
                self.preflights.passed.push(passed);
                lenient.map(Report::Notice)
            }
            // Only credentials fail it, and its actual request was already
            // refused: credentials were sent, this is why.
            Conclusion::Pending(pending) if actual_refused.is_some() => {
                Some(Report::Failure(pending.finding))
            }
            Conclusion::Pending(mut pending) => {
                crate::wire::cut_finding(&mut pending.finding);
                if let Some(n) = &mut pending.lenient {
                    crate::wire::cut_notice(n);
                }
                self.preflights.pending.push(pending);
                None
            }
        }
    }

    /// A request that ended without ever being sent: when the browser refused
    /// it for CORS and a preflight for it is pending, the preflight failed
    /// because the actual request carried credentials.
    fn unsent_request_failed(&mut self, event: &Event) -> Option<Report> {
        if !is_cors_error(event) {
            return None;
        }
        let key = RequestKey::new(event.tab_id, &event.url, &event.method);
        self.preflights.pending.prune(event.time_ms);
        let pending = self.preflights.pending.take_first(|k| *k == key)?;
        Some(Report::Failure(pending.finding))
    }

    /// A request whose hop redirected, refused for CORS before the next hop
    /// was sent. Chromium decides there, in this order: the next URL's scheme
    /// (`CorsDisabledScheme`, after an `ftp:` redirect), then the preflight
    /// of the next hop when it needs one. A failed preflight was reported on
    /// its own (or waits, when only credentials fail it); anything else is
    /// a refusal the events do not explain, said as such.
    fn next_hop_refused(&mut self, exchange: Exchange, event: &Event) -> Option<Report> {
        let target = exchange.redirected_to.clone().unwrap_or_default();
        if !is_http(&target) {
            return redirect_to_disabled_scheme(exchange, event, &self.allowed_before);
        }
        let cors = CorsRequest::of_mode(&exchange)?;
        let tab = exchange.tab_id;
        let at_target = |k: &RequestKey| k.same_target(tab, &target);
        self.preflights.pending.prune(event.time_ms);
        if let Some(p) = self.preflights.pending.take_first(at_target) {
            return Some(Report::Failure(p.finding));
        }
        let preflight_known = self.preflights.failed.any(at_target)
            || self
                .assembly
                .values()
                .any(|e| e.tab_id == tab && e.url == target && e.method == "OPTIONS");
        if preflight_known {
            return None;
        }
        let mut n = notice(
            &exchange,
            &cors,
            event,
            NoticeKind::CorsReasonNotShown,
            event.error.as_deref().unwrap_or_default(),
        );
        n.url = target;
        Some(Report::Notice(n))
    }
}

/// Header values as the HTTP parser hands them to the CORS check: without
/// surrounding spaces and tabs.
fn trim(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}
