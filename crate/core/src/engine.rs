//! Exchange assembly: gathers the events of each request by `requestId`,
//! and when the request ends, decides whether it is a CORS failure.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::check::{cors_check, preflight_check, CheckInput, Failure, PreflightInput};
use crate::event::{Event, EventKind};
use crate::finding::{Credentials, Finding, Seen};
use crate::headers::Headers;
use crate::notice::{NetworkError, Notice, NoticeKind};
use crate::origin;
use crate::reason::CorsError;
use crate::redact;
pub use crate::report::Report;

/// How many unfinished requests the engine remembers. A page that opens more
/// requests than this without any of them ending loses the oldest ones (they
/// are forgotten, never misreported, and counted: [`Engine::dropped`]).
const MAX_IN_FLIGHT: usize = 4096;
/// Most bytes one unfinished request may hold (URLs, methods, header names
/// and values, the preflight shown with it). Four times what Chromium
/// accepts as a whole response head (256 KB), so any answer the browser
/// reads can be judged; a request past it is forgotten and counted.
pub const MAX_EXCHANGE_BYTES: usize = 1024 * 1024;
/// Most bytes the engine holds in all: unfinished requests, and the
/// preflights kept for their actual requests. Past it, the oldest unfinished
/// requests are forgotten (then the oldest preflights), and counted.
pub const MAX_ENGINE_BYTES: usize = 32 * 1024 * 1024;
/// What each kept string or header line costs besides its bytes.
const ENTRY_COST: usize = 32;

/// The errors that mean "the browser refused the response": Chromium says
/// `net::ERR_FAILED` for every CORS reason, Firefox `NS_ERROR_DOM_BAD_URI`.
const CORS_ERRORS: [&str; 2] = ["net::ERR_FAILED", "NS_ERROR_DOM_BAD_URI"];
/// Cancelled requests (the page aborted, or navigated away).
const ABORTED: [&str; 2] = ["net::ERR_ABORTED", "NS_BINDING_ABORTED"];
/// Requests another extension (an ad blocker) stopped before they left.
const BLOCKED_BY_CLIENT: [&str; 2] = ["net::ERR_BLOCKED_BY_CLIENT", "NS_ERROR_ABORT"];
/// How many endpoints the engine remembers as having answered with CORS
/// headers; the memory starts over when full.
const MAX_ENDPOINTS: usize = 2048;

/// Everything seen so far of one request.
#[derive(Debug, Default)]
struct Exchange {
    seq: u64,
    /// What this exchange holds, as last measured ([`Exchange::size`]).
    bytes: usize,
    method: String,
    url: String,
    resource_type: String,
    tab_id: i64,
    initiator: Option<String>,
    /// The request headers of the current hop.
    request_headers: Headers,
    /// The response status and headers of the current hop.
    response: Option<(Option<u16>, Headers)>,
    /// URLs of the hops that redirected.
    redirects: Vec<String>,
    /// Where the last hop redirected to, until that next hop is sent: a
    /// request that fails in between failed before leaving again.
    redirected_to: Option<String>,
    /// The preflight that let this request go, taken when it was sent: a
    /// request that reused a cached preflight has none.
    preflight: Option<Seen>,
    /// On a preflight still running: its actual request already ended,
    /// refused with no response (Firefox reports the actual request before
    /// its preflight, and may end it first). What to say about that refusal
    /// if this preflight's outcome does not explain it.
    actual_refused: Option<Notice>,
}

/// The assembly state: one per service worker.
#[derive(Debug, Default)]
pub struct Engine {
    in_flight: HashMap<String, Exchange>,
    next_seq: u64,
    /// The sum of the unfinished requests' `bytes`.
    in_flight_bytes: usize,
    budget: Budget,
    /// Requests (and kept preflights) forgotten to stay within the caps.
    dropped: u64,
    /// Endpoints whose responses carried `Access-Control-Allow-Origin`, as
    /// digests of their URLs (a few bytes each, whatever the URL's length).
    allowed_before: HashSet<u64>,
    /// Preflights whose verdict depends on the actual request's credentials
    /// mode, waiting for the actual request to tell.
    pending: VecDeque<Pending>,
    /// Recent preflights that passed, to show beside their actual request.
    passed_preflights: VecDeque<PassedPreflight>,
    /// Recent preflights reported as failed (tab, URL): the actual request
    /// then fails unsent, and that is the same failure.
    failed_preflights: VecDeque<(i64, String)>,
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

/// A preflight that passed, kept to be shown with its actual request.
#[derive(Debug)]
struct PassedPreflight {
    tab_id: i64,
    url: String,
    method: String,
    seen: Seen,
    /// What it holds, measured when kept.
    bytes: usize,
}

impl PassedPreflight {
    fn size(&self) -> usize {
        self.url.len() + self.method.len() + seen_size(&self.seen)
    }
}

/// How many passed preflights are remembered.
const MAX_PASSED_PREFLIGHTS: usize = 64;
/// How many failed preflights are remembered.
const MAX_FAILED_PREFLIGHTS: usize = 64;

/// A preflight that passes without credentials but fails with them. Only the
/// actual request reveals which: Chromium fails it without sending it when
/// the preflight failed, and sends it when the preflight passed.
#[derive(Debug)]
struct Pending {
    tab_id: i64,
    url: String,
    method: String,
    time_ms: f64,
    /// The failure to report if the actual request fails unsent.
    finding: Finding,
    /// The warning to report if the actual request leaves (the preflight
    /// passed only through a leniency).
    lenient: Option<Notice>,
    /// What it holds, measured when kept.
    bytes: usize,
}

/// How long a pending preflight waits for its actual request.
const PENDING_WINDOW_MS: f64 = 10_000.0;
/// How many pending preflights are kept; the oldest go first.
const MAX_PENDING: usize = 64;

/// What ending a request leads to.
// Moved once per finished request, like `Report`.
#[allow(clippy::large_enum_variant)]
enum Conclusion {
    Report(Report),
    Pending(Pending),
    /// A preflight passed: remember it for its actual request, and warn when
    /// it passed only through a leniency of the browser.
    PreflightPassed(PassedPreflight, Option<Notice>),
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
        self.in_flight.len()
    }

    /// How many bytes the engine holds (unfinished requests and kept
    /// preflights), as measured against [`MAX_ENGINE_BYTES`].
    pub fn bytes(&self) -> usize {
        self.in_flight_bytes + self.held_bytes()
    }

    /// How many unfinished requests (and kept preflights) were forgotten to
    /// stay within the caps since the engine started: their verdicts are
    /// missing, never wrong. The worker shows it in the panel.
    pub fn dropped(&self) -> u64 {
        self.dropped
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
        let Some(exchange) = self.in_flight.get_mut(id) else {
            return;
        };
        let size = exchange.size();
        self.in_flight_bytes = self.in_flight_bytes - exchange.bytes + size;
        exchange.bytes = size;
        if size > self.budget.exchange {
            self.take(id);
            self.dropped += 1;
        }
    }

    /// What the kept preflights hold.
    fn held_bytes(&self) -> usize {
        self.passed_preflights
            .iter()
            .map(|p| p.bytes)
            .chain(self.pending.iter().map(|p| p.bytes))
            .sum()
    }

    /// Past the engine's budget, forgets the oldest unfinished requests,
    /// then the oldest kept preflights, until it holds no more than that.
    fn enforce_budget(&mut self) {
        if self.bytes() <= self.budget.total {
            return;
        }
        let mut by_age: Vec<(u64, String)> = self
            .in_flight
            .iter()
            .map(|(id, e)| (e.seq, id.clone()))
            .collect();
        by_age.sort_unstable();
        let mut held = self.held_bytes();
        for (_, id) in by_age {
            if self.in_flight_bytes + held <= self.budget.total {
                return;
            }
            self.take(&id);
            self.dropped += 1;
        }
        while held > self.budget.total {
            let freed = if let Some(p) = self.passed_preflights.pop_front() {
                p.bytes
            } else if let Some(p) = self.pending.pop_front() {
                p.bytes
            } else {
                break;
            };
            held -= freed;
            self.dropped += 1;
        }
    }

    /// Removes an unfinished request, keeping the byte count.
    fn take(&mut self, id: &str) -> Option<Exchange> {
        let exchange = self.in_flight.remove(id)?;
        self.in_flight_bytes -= exchange.bytes;
        Some(exchange)
    }

    fn ingest_whole(&mut self, mut event: Event) -> Option<Report> {
        match event.kind {
            EventKind::SendHeaders => {
                let mut lenient = None;
                if !self.in_flight.contains_key(&event.request_id) && event.method != "OPTIONS" {
                    // The actual request left: the preflight before it passed.
                    let (passed, waiting): (VecDeque<Pending>, VecDeque<Pending>) =
                        self.pending.drain(..).partition(|p| {
                            p.tab_id == event.tab_id
                                && p.url == event.url
                                && p.method == event.method
                        });
                    self.pending = waiting;
                    for p in passed {
                        lenient = lenient.or(p.lenient);
                        self.remember_passed(PassedPreflight {
                            tab_id: p.tab_id,
                            url: p.url,
                            method: p.method,
                            seen: p.finding.exchange,
                            bytes: 0,
                        });
                    }
                }
                let taken = if self.in_flight.contains_key(&event.request_id) {
                    None
                } else {
                    self.take_preflight(&(event.tab_id, event.url.clone(), event.method.clone()))
                };
                let exchange = self.exchange(&event);
                if taken.is_some() {
                    exchange.preflight = taken;
                }
                exchange.url = event.url;
                exchange.method = event.method;
                // A new hop: its request headers replace the previous hop's,
                // and the previous response no longer applies.
                exchange.request_headers = event.request_headers.unwrap_or_default();
                exchange.response = None;
                exchange.redirected_to = None;
                lenient.map(Report::Notice)
            }
            EventKind::HeadersReceived => {
                let headers = event.response_headers.take().unwrap_or_default();
                if headers.contains("access-control-allow-origin") {
                    if self.allowed_before.len() >= MAX_ENDPOINTS {
                        self.allowed_before.clear();
                    }
                    self.allowed_before.insert(endpoint(&event.url));
                }
                let lenient = self.preflight_passed_late(&event);
                let exchange = self.exchange(&event);
                exchange.url = event.url;
                exchange.response = Some((event.status, headers));
                lenient.map(Report::Notice)
            }
            EventKind::BeforeRedirect => {
                let exchange = self.exchange(&event);
                exchange.redirects.push(event.url.clone());
                exchange.redirected_to = event.redirect_url.clone();
                let target = event.redirect_url.as_deref().unwrap_or_default();
                if reported_after_redirect(target) {
                    return None;
                }
                // Chromium refuses to follow a CORS request to this scheme
                // (`CorsDisabledScheme`), and `webRequest` reports nothing
                // more about the request: this event is the last one.
                let exchange = self.take(&event.request_id)?;
                redirect_to_disabled_scheme(exchange, &event, &self.allowed_before)
            }
            EventKind::Completed | EventKind::ErrorOccurred => {
                let Some(mut exchange) = self.take(&event.request_id) else {
                    return self.unsent_request_failed(&event);
                };
                let actual_refused = exchange.actual_refused.take();
                let unanswered = exchange.response.is_none() && !is_preflight(&exchange);
                let key = (
                    exchange.tab_id,
                    exchange.url.clone(),
                    exchange.method.clone(),
                );
                let preflight = exchange.preflight.clone();
                if exchange.redirected_to.is_some()
                    && event.kind == EventKind::ErrorOccurred
                    && CORS_ERRORS.contains(&event.error.as_deref().unwrap_or(""))
                {
                    return self.next_hop_refused(exchange, &event);
                }
                let Some(conclusion) = conclude(exchange, &event, &self.allowed_before) else {
                    return actual_refused.map(Report::Notice);
                };
                match conclusion {
                    Conclusion::Report(Report::Notice(n))
                        if unanswered && n.kind == NoticeKind::CorsReasonNotShown =>
                    {
                        self.refused_unanswered(n)
                    }
                    Conclusion::Report(Report::Failure(mut finding)) => {
                        // A failed preflight explains its actual request's
                        // refusal: remembered for it, unless it already ended.
                        if finding.reason.is_preflight() {
                            if actual_refused.is_none() {
                                if self.failed_preflights.len() >= MAX_FAILED_PREFLIGHTS {
                                    self.failed_preflights.pop_front();
                                }
                                self.failed_preflights
                                    .push_back((finding.tab_id, finding.url.clone()));
                            }
                        } else {
                            // The preflight taken when the request left; else
                            // one that ended after it did (events can cross).
                            finding.preflight = preflight.or_else(|| self.take_preflight(&key));
                        }
                        Some(Report::Failure(finding))
                    }
                    Conclusion::Report(report) => Some(report),
                    // The preflight passed, yet its actual request was
                    // refused with no response: nothing shown explains it.
                    Conclusion::PreflightPassed(..) if actual_refused.is_some() => {
                        actual_refused.map(Report::Notice)
                    }
                    Conclusion::PreflightPassed(passed, lenient) => {
                        self.remember_passed(passed);
                        lenient.map(Report::Notice)
                    }
                    // Only credentials fail it, and its actual request was
                    // already refused: credentials were sent, this is why.
                    Conclusion::Pending(pending) if actual_refused.is_some() => {
                        Some(Report::Failure(pending.finding))
                    }
                    Conclusion::Pending(mut pending) => {
                        crate::wire::cut_finding(&mut pending.finding);
                        if let Some(n) = &mut pending.lenient {
                            crate::wire::cut_notice(n);
                        }
                        pending.bytes = pending.size();
                        if self.pending.len() >= MAX_PENDING {
                            self.pending.pop_front();
                        }
                        self.pending.push_back(pending);
                        None
                    }
                }
            }
        }
    }

    /// A request that ended without ever being sent: when the browser refused
    /// it for CORS and a preflight for it is pending, the preflight failed
    /// because the actual request carried credentials.
    fn unsent_request_failed(&mut self, event: &Event) -> Option<Report> {
        if event.kind != EventKind::ErrorOccurred
            || !CORS_ERRORS.contains(&event.error.as_deref().unwrap_or(""))
        {
            return None;
        }
        self.pending
            .retain(|p| event.time_ms - p.time_ms <= PENDING_WINDOW_MS);
        let i = self.pending.iter().position(|p| {
            p.tab_id == event.tab_id && p.url == event.url && p.method == event.method
        })?;
        let pending = self.pending.remove(i)?;
        Some(Report::Failure(pending.finding))
    }

    /// An actual request answered while a preflight for it waits to learn
    /// the credentials mode: it went, so that preflight passed. Chromium says
    /// so at `onSendHeaders` (it sends the actual request only after its
    /// preflight); Firefox reports the actual request's `onSendHeaders`
    /// before its preflight's, so the answer is the first sign. The preflight
    /// is shown with the request, and its leniency warning returned.
    fn preflight_passed_late(&mut self, event: &Event) -> Option<Notice> {
        if event.method == "OPTIONS" {
            return None;
        }
        let i = self.pending.iter().position(|p| {
            p.tab_id == event.tab_id && p.url == event.url && p.method == event.method
        })?;
        let pending = self.pending.remove(i)?;
        if let Some(exchange) = self.in_flight.get_mut(&event.request_id) {
            if exchange.preflight.is_none() {
                exchange.preflight = Some(pending.finding.exchange);
            }
        }
        pending.lenient
    }

    /// A request that was sent, then refused for CORS with no response (the
    /// `CorsReasonNotShown` notice `n`). Firefox does this to the actual
    /// request of a failed preflight: it reports the actual request's
    /// `onSendHeaders` before the preflight's, then ends both with its CORS
    /// error, in either order. So a preflight for the same tab, URL and
    /// method explains the refusal: one that failed only for credentials
    /// (pending) is reported now; one reported as failed says it all; one
    /// still running decides when it ends. Only when none does is the notice
    /// given.
    fn refused_unanswered(&mut self, n: Notice) -> Option<Report> {
        self.pending
            .retain(|p| n.time_ms - p.time_ms <= PENDING_WINDOW_MS);
        if let Some(i) = self
            .pending
            .iter()
            .position(|p| p.tab_id == n.tab_id && p.url == n.url && p.method == n.method)
        {
            return self.pending.remove(i).map(|p| Report::Failure(p.finding));
        }
        if let Some(i) = self
            .failed_preflights
            .iter()
            .position(|(t, u)| *t == n.tab_id && *u == n.url)
        {
            self.failed_preflights.remove(i);
            return None;
        }
        let running = self.in_flight.iter_mut().find(|(_, e)| {
            e.tab_id == n.tab_id
                && is_preflight(e)
                && e.actual_refused.is_none()
                && e.redirects.first().unwrap_or(&e.url) == &n.url
                && e.request_headers
                    .first("access-control-request-method")
                    .map(trim)
                    == Some(n.method.as_str())
        });
        match running {
            Some((id, preflight)) => {
                preflight.actual_refused = Some(n);
                let id = id.clone();
                self.measure(&id);
                None
            }
            None => Some(Report::Notice(n)),
        }
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
        self.pending
            .retain(|p| event.time_ms - p.time_ms <= PENDING_WINDOW_MS);
        if let Some(i) = self
            .pending
            .iter()
            .position(|p| p.tab_id == tab && p.url == target)
        {
            return self.pending.remove(i).map(|p| Report::Failure(p.finding));
        }
        let preflight_known = self
            .failed_preflights
            .iter()
            .any(|(t, u)| *t == tab && *u == target)
            || self
                .in_flight
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

    fn remember_passed(&mut self, mut passed: PassedPreflight) {
        passed.bytes = passed.size();
        if self.passed_preflights.len() >= MAX_PASSED_PREFLIGHTS {
            self.passed_preflights.pop_front();
        }
        self.passed_preflights.push_back(passed);
    }

    /// Takes the latest passed preflight for this tab, URL and method: each
    /// preflight lets one request go; later ones reuse the browser's cache.
    fn take_preflight(&mut self, (tab_id, url, method): &(i64, String, String)) -> Option<Seen> {
        let i = self
            .passed_preflights
            .iter()
            .rposition(|p| p.tab_id == *tab_id && &p.url == url && &p.method == method)?;
        self.passed_preflights.remove(i).map(|p| p.seen)
    }

    /// The exchange for this event, created on first sight.
    fn exchange(&mut self, event: &Event) -> &mut Exchange {
        if !self.in_flight.contains_key(&event.request_id) && self.in_flight.len() >= MAX_IN_FLIGHT
        {
            self.forget_oldest();
        }
        let seq = self.next_seq;
        let exchange = self
            .in_flight
            .entry(event.request_id.clone())
            .or_insert_with(|| Exchange {
                seq,
                method: event.method.clone(),
                url: event.url.clone(),
                resource_type: event.resource_type.clone(),
                tab_id: event.tab_id,
                initiator: event.initiator.clone(),
                ..Exchange::default()
            });
        if exchange.seq == seq {
            self.next_seq += 1;
        }
        exchange
    }

    /// Drops the older half of the unfinished requests.
    fn forget_oldest(&mut self) {
        let mut seqs: Vec<u64> = self.in_flight.values().map(|e| e.seq).collect();
        seqs.sort_unstable();
        let cutoff = seqs[seqs.len() / 2];
        let before = self.in_flight.len();
        let mut freed = 0;
        self.in_flight.retain(|_, e| {
            let keep = e.seq >= cutoff;
            if !keep {
                freed += e.bytes;
            }
            keep
        });
        self.in_flight_bytes -= freed;
        self.dropped += (before - self.in_flight.len()) as u64;
    }
}

/// The facts every conclusion needs, once the request is known to be a
/// cross-origin request in CORS mode.
struct CorsRequest {
    page_origin: String,
    request_origin: String,
}

impl CorsRequest {
    /// `None` for requests the CORS check does not apply to: navigations,
    /// `no-cors` and `same-origin` modes, same-origin URLs.
    fn of(exchange: &Exchange) -> Option<CorsRequest> {
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
    fn of_mode(exchange: &Exchange) -> Option<CorsRequest> {
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
struct Allowed {
    origin: Vec<String>,
    origin_joined: Option<String>,
    credentials: Option<String>,
    vary_origin: bool,
}

impl Allowed {
    fn of(response: &Headers) -> Allowed {
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
        let vary_origin = response.all("vary").any(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.eq_ignore_ascii_case("origin"))
        });
        Allowed {
            origin,
            origin_joined,
            credentials,
            vary_origin,
        }
    }
}

/// Decides what a finished request was.
///
/// `refused` says the browser reported the request as failed with its CORS
/// error. Chromium always does; Firefox reports a simple request that fails
/// CORS as completed, so a completed request is checked too, and only a
/// failure the headers prove is reported.
fn conclude(
    mut exchange: Exchange,
    end: &Event,
    allowed_before: &HashSet<u64>,
) -> Option<Conclusion> {
    let Some(cors) = CorsRequest::of(&exchange) else {
        return same_origin_redirect(exchange, end);
    };
    let done = |report| Some(Conclusion::Report(report));
    let refused = match end.kind {
        EventKind::ErrorOccurred => {
            let error = end.error.as_deref().unwrap_or("");
            if CORS_ERRORS.contains(&error) {
                true
            } else if firefox_refused_redirect(&exchange, &cors, end) {
                // The hop that redirected is the finding's URL; it is not
                // an earlier hop.
                if exchange.redirects.last() == Some(&exchange.url) {
                    exchange.redirects.pop();
                }
                true
            } else if ABORTED.contains(&error) {
                // Cancelled by the page or a navigation: nothing to say.
                return None;
            } else if BLOCKED_BY_CLIENT.contains(&error) {
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
                || (!is_preflight(&exchange)
                    && NetworkError::of(error) == NetworkError::Redirect)
            {
                return done(Report::Notice(notice(
                    &exchange,
                    &cors,
                    end,
                    NoticeKind::NoResponse,
                    error,
                )));
            } else if !is_preflight(&exchange) {
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
    if is_preflight(&exchange) {
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
    let cookie = exchange.request_headers.contains("cookie");
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

/// The finding for an actual request (not a preflight) that failed.
fn failure_finding(
    exchange: Exchange,
    cors: CorsRequest,
    end: &Event,
    failure: Failure,
    credentials: Credentials,
    allowed_before: &HashSet<u64>,
) -> Finding {
    let (status, allowed) = match &exchange.response {
        Some((status, headers)) => (*status, Allowed::of(headers)),
        None => (None, Allowed::of(&Headers::default())),
    };
    let endpoint_allowed_before = allowed_before.contains(&endpoint(&exchange.url));
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
        endpoint_allowed_before,
        exchange: exchange_seen,
        preflight: None,
        count: 1,
    }
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

/// Whether the request is a CORS preflight: `OPTIONS` with
/// `Access-Control-Request-Method`.
fn is_preflight(exchange: &Exchange) -> bool {
    exchange.method == "OPTIONS"
        && exchange
            .request_headers
            .contains("access-control-request-method")
}

/// Decides what a finished preflight was. The finding speaks of the actual
/// request (its method and headers), since that is what the page sent.
fn conclude_preflight(exchange: Exchange, cors: CorsRequest, end: &Event) -> Option<Conclusion> {
    let headers = &exchange.request_headers;
    let method = trim(headers.first("access-control-request-method")?).to_owned();
    let requested: Vec<String> = headers
        .first("access-control-request-headers")
        .map(|v| {
            v.split(',')
                .map(|h| trim(h).to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();
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
    // Chromium 156 and Firefox ESR 153 allow it, the Fetch standard does not.
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
    let (failure, credentials, pending) = match check(false) {
        Err(failure) => (failure, Credentials::Unknown, false),
        Ok(()) => match check(true) {
            Err(failure) => (failure, Credentials::IncludeFromFailure, true),
            Ok(()) => {
                return Some(Conclusion::PreflightPassed(
                    PassedPreflight {
                        tab_id: exchange.tab_id,
                        url: exchange.url.clone(),
                        method,
                        seen: seen(&exchange),
                        bytes: 0,
                    },
                    lenient,
                ))
            }
        },
    };
    let exchange_seen = seen(&exchange);
    let finding = Finding {
        request_id: end.request_id.clone(),
        tab_id: exchange.tab_id,
        time_ms: end.time_ms,
        method: method.clone(),
        url: exchange.url.clone(),
        resource_type: exchange.resource_type,
        origin: cors.request_origin,
        page_origin: cors.page_origin,
        status,
        reason: failure.reason,
        failed_parameter: failure.failed_parameter,
        allow_origin: allowed.origin,
        allow_credentials: allowed.credentials,
        allow_methods,
        allow_headers,
        requested_headers: requested,
        credentials,
        redirects: exchange.redirects,
        endpoint_allowed_before: false,
        exchange: exchange_seen,
        preflight: None,
        count: 1,
    };
    Some(if pending {
        Conclusion::Pending(Pending {
            tab_id: exchange.tab_id,
            url: exchange.url,
            method,
            time_ms: end.time_ms,
            finding,
            lenient,
            bytes: 0,
        })
    } else {
        Conclusion::Report(Report::Failure(finding))
    })
}

/// Whether `location`, resolved against `from`, carries a user name or a
/// password (Chromium's `RedirectContainsCredentials`).
fn has_credentials(from: &str, location: &str) -> bool {
    match url::Url::parse(from).and_then(|base| base.join(location)) {
        Ok(to) => !to.username().is_empty() || to.password().is_some(),
        Err(_) => false,
    }
}

/// Whether `location`, resolved against `from`, is an http(s) URL (or cannot
/// be read, in which case nothing is claimed about it).
fn is_http_target(from: &str, location: &str) -> bool {
    match url::Url::parse(from).and_then(|base| base.join(location)) {
        Ok(to) => matches!(to.scheme(), "http" | "https"),
        Err(_) => true,
    }
}

/// Whether an absolute URL is http(s); an unreadable one counts as http, so
/// that nothing is claimed about it.
fn is_http(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => matches!(u.scheme(), "http" | "https"),
        Err(_) => true,
    }
}

/// Whether `webRequest` reports what happens to a request after it was
/// redirected to `target`: an error event follows for these schemes
/// (measured on Chromium 156: `ftp:` ends with the CORS error, `ws:` and
/// `wss:` with `ERR_UNKNOWN_URL_SCHEME`). After a redirect to any other
/// scheme (`javascript:`, `mailto:`, an app's own scheme) no event follows.
fn reported_after_redirect(target: &str) -> bool {
    match url::Url::parse(target) {
        Ok(u) => matches!(u.scheme(), "http" | "https" | "ws" | "wss" | "ftp"),
        // Unreadable: wait for the browser's own end of the request.
        Err(_) => true,
    }
}

/// A CORS-mode request (same-origin ones too) redirected to a URL whose
/// scheme CORS does not work with: its redirect passed the check (the
/// browser followed it), so the scheme is the refusal.
fn redirect_to_disabled_scheme(
    mut exchange: Exchange,
    end: &Event,
    allowed_before: &HashSet<u64>,
) -> Option<Report> {
    let cors = CorsRequest::of_mode(&exchange)?;
    // The hop that redirected is the finding's URL; it is not an earlier hop.
    if exchange.redirects.last() == Some(&exchange.url) {
        exchange.redirects.pop();
    }
    let credentials = if exchange.request_headers.contains("cookie") {
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
fn same_origin_redirect(mut exchange: Exchange, end: &Event) -> Option<Conclusion> {
    let error = end.error.as_deref().unwrap_or("");
    let firefox = firefox_redirect_error(&exchange, end);
    if end.kind != EventKind::ErrorOccurred || !(CORS_ERRORS.contains(&error) || firefox) {
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
    let credentials = if exchange.request_headers.contains("cookie") {
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
        &HashSet::new(),
    ))))
}

/// Whether the request ended with a Firefox error (Chromium's all start with
/// `net::`) after Firefox reported following a redirect, before the next hop
/// was sent. Firefox ends a CORS request refused at a redirect this way, at
/// the new URL, with an error that is not its CORS one (measured on Firefox
/// ESR 153: `NS_ERROR_UNEXPECTED` or `NS_ERROR_NET_ON_RECEIVING_FROM`). A
/// network failure at the new URL ends the same way, so the error alone
/// proves nothing (see [`firefox_refused_redirect`]).
fn firefox_redirect_error(exchange: &Exchange, end: &Event) -> bool {
    let error = end.error.as_deref().unwrap_or("");
    end.kind == EventKind::ErrorOccurred
        && exchange.redirected_to.is_some()
        && error.starts_with("NS_")
        && !CORS_ERRORS.contains(&error)
        && !ABORTED.contains(&error)
        && !BLOCKED_BY_CLIENT.contains(&error)
        && !is_preflight(exchange)
}

/// A cross-origin request that Firefox ended after following a redirect
/// (see [`firefox_redirect_error`]) when the redirect itself explains the
/// refusal: its headers fail the check (Firefox names that reason, e.g.
/// `CORSMissingAllowOrigin`), or it leads to a URL with credentials (which
/// Firefox refuses as `CORSDidNotSucceed`, the name CORS Lens gives
/// `RedirectContainsCredentials`). Otherwise the end is a network failure
/// at the new URL, and not taken for a refusal.
fn firefox_refused_redirect(exchange: &Exchange, cors: &CorsRequest, end: &Event) -> bool {
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
        credentials: exchange.request_headers.contains("cookie"),
    })
    .is_err()
}

/// Whether `Access-Control-Allow-Headers` covers `Authorization` only through
/// `*` (it does not name it).
fn wildcard_covers_authorization(allow_headers: Option<&str>) -> bool {
    let Some(value) = allow_headers else {
        return false;
    };
    let names: Vec<&str> = value.split(',').map(trim).collect();
    names.contains(&"*")
        && !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case("authorization"))
}

/// Risky configurations on a response that passed the check.
fn risk(
    exchange: &Exchange,
    cors: &CorsRequest,
    end: &Event,
    allowed: &Allowed,
    cookie: bool,
) -> Option<Notice> {
    let value = allowed.origin_joined.as_deref()?;
    let credentials_allowed = allowed.credentials.as_deref() == Some("true");
    let kind = if value == "*" && (credentials_allowed || cookie) {
        NoticeKind::WildcardWithCredentials
    } else if value == "null" {
        NoticeKind::NullOriginAllowed
    } else if value == cors.request_origin && credentials_allowed && !allowed.vary_origin {
        NoticeKind::CredentialedOriginWithoutVary
    } else {
        return None;
    };
    Some(notice(exchange, cors, end, kind, value))
}

fn notice(
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

/// An endpoint: the URL without its query and fragment, as a digest.
fn endpoint(url: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    url[..end].hash(&mut h);
    h.finish()
}

impl Exchange {
    /// The bytes this exchange holds, roughly: its strings and header lines.
    fn size(&self) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() + ENTRY_COST);
        let response = self
            .response
            .as_ref()
            .map_or(0, |(_, h)| headers_size(&h.0));
        ENTRY_COST * 4
            + self.method.len()
            + self.url.len()
            + self.resource_type.len()
            + opt(&self.initiator)
            + headers_size(&self.request_headers.0)
            + response
            + self
                .redirects
                .iter()
                .map(|r| r.len() + ENTRY_COST)
                .sum::<usize>()
            + opt(&self.redirected_to)
            + self.preflight.as_ref().map_or(0, seen_size)
            + self.actual_refused.as_ref().map_or(0, notice_size)
    }
}

impl Pending {
    fn size(&self) -> usize {
        self.url.len()
            + self.method.len()
            + finding_size(&self.finding)
            + self.lenient.as_ref().map_or(0, notice_size)
    }
}

fn headers_size(headers: &[crate::headers::Header]) -> usize {
    headers
        .iter()
        .map(|h| h.name.len() + h.value.len() + ENTRY_COST)
        .sum()
}

fn seen_size(s: &Seen) -> usize {
    ENTRY_COST
        + s.method.len()
        + s.url.len()
        + headers_size(&s.request_headers)
        + headers_size(&s.response_headers)
}

fn notice_size(n: &Notice) -> usize {
    ENTRY_COST * 8
        + n.request_id.len()
        + n.method.len()
        + n.url.len()
        + n.resource_type.len()
        + n.origin.len()
        + n.page_origin.len()
        + n.detail.len()
}

fn finding_size(f: &Finding) -> usize {
    let strings = |v: &[String]| v.iter().map(|s| s.len() + ENTRY_COST).sum::<usize>();
    let opt = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() + ENTRY_COST);
    ENTRY_COST * 16
        + f.request_id.len()
        + f.method.len()
        + f.url.len()
        + f.resource_type.len()
        + f.origin.len()
        + f.page_origin.len()
        + f.failed_parameter.len()
        + strings(&f.allow_origin)
        + opt(&f.allow_credentials)
        + opt(&f.allow_methods)
        + opt(&f.allow_headers)
        + strings(&f.requested_headers)
        + strings(&f.redirects)
        + seen_size(&f.exchange)
        + f.preflight.as_ref().map_or(0, seen_size)
}

/// Header values as the HTTP parser hands them to the CORS check: without
/// surrounding spaces and tabs.
fn trim(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}
