//! Exchange assembly: gathers the events of each request by `requestId`,
//! and when the request ends, decides whether it is a CORS failure.

use std::collections::HashMap;

use crate::check::{cors_check, CheckInput, Failure};
use crate::event::{Event, EventKind};
use crate::finding::{Credentials, Finding};
use crate::headers::Headers;
use crate::origin;

/// How many unfinished requests the engine remembers. A page that opens more
/// requests than this without any of them ending loses the oldest ones (they
/// are forgotten, never misreported).
const MAX_IN_FLIGHT: usize = 4096;

/// The errors that mean "the browser refused the response": Chromium says
/// `net::ERR_FAILED` for every CORS reason, Firefox `NS_ERROR_DOM_BAD_URI`.
const CORS_ERRORS: [&str; 2] = ["net::ERR_FAILED", "NS_ERROR_DOM_BAD_URI"];

/// Everything seen so far of one request.
#[derive(Debug, Default)]
struct Exchange {
    seq: u64,
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
}

/// The assembly state: one per service worker.
#[derive(Debug, Default)]
pub struct Engine {
    in_flight: HashMap<String, Exchange>,
    next_seq: u64,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// How many requests are between their first and last event.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Takes one event; returns a finding when it ends a request that the
    /// browser refused for a CORS reason.
    pub fn ingest(&mut self, event: Event) -> Option<Finding> {
        match event.kind {
            EventKind::SendHeaders => {
                let exchange = self.exchange(&event);
                exchange.url = event.url;
                exchange.method = event.method;
                // A new hop: its request headers replace the previous hop's,
                // and the previous response no longer applies.
                exchange.request_headers = event.request_headers.unwrap_or_default();
                exchange.response = None;
                None
            }
            EventKind::HeadersReceived => {
                let exchange = self.exchange(&event);
                exchange.url = event.url;
                exchange.response =
                    Some((event.status, event.response_headers.unwrap_or_default()));
                None
            }
            EventKind::BeforeRedirect => {
                let exchange = self.exchange(&event);
                exchange.redirects.push(event.url);
                None
            }
            EventKind::Completed | EventKind::ErrorOccurred => {
                let exchange = self.in_flight.remove(&event.request_id)?;
                let refused = match event.kind {
                    EventKind::ErrorOccurred => {
                        let error = event.error.as_deref().unwrap_or("");
                        if !CORS_ERRORS.contains(&error) {
                            // Connection refused, blocked by the client,
                            // aborted: not a CORS verdict.
                            return None;
                        }
                        true
                    }
                    _ => false,
                };
                verdict(exchange, refused, &event)
            }
        }
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
        self.in_flight.retain(|_, e| e.seq >= cutoff);
    }
}

/// Decides whether a finished request is a CORS failure.
///
/// `refused` says the browser reported the request as failed with its CORS
/// error. Chromium always does; Firefox reports a simple request that fails
/// CORS as completed, so a completed request is checked too, and only a
/// failure the headers prove is reported.
fn verdict(exchange: Exchange, refused: bool, end: &Event) -> Option<Finding> {
    let headers = &exchange.request_headers;
    // The request mode: `Sec-Fetch-Mode` when the browser sent it (only to
    // trustworthy URLs); otherwise an `Origin` header on a subresource.
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
    // Same-origin requests are not CORS-checked.
    if request_origin != "null"
        && origin::of_url(&exchange.url).as_deref() == Some(request_origin.as_str())
    {
        return None;
    }
    let (status, response) = exchange.response.as_ref()?;
    let allow_origin = response
        .all("access-control-allow-origin")
        .map(trim)
        .collect::<Vec<_>>();
    let allow_origin_joined = (!allow_origin.is_empty()).then(|| allow_origin.join(", "));
    let allow_credentials = {
        let values = response
            .all("access-control-allow-credentials")
            .map(trim)
            .collect::<Vec<_>>();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let check = |credentials: bool| {
        cors_check(CheckInput {
            request_origin: &request_origin,
            allow_origin: allow_origin_joined.as_deref(),
            allow_credentials: allow_credentials.as_deref(),
            credentials,
        })
    };
    let cookie = headers.contains("cookie");
    let (failure, credentials): (Failure, Credentials) = if cookie {
        (check(true).err()?, Credentials::IncludeFromCookie)
    } else {
        match check(false) {
            Err(failure) => (failure, Credentials::Unknown),
            // Passes without credentials: if the browser refused it anyway
            // and the check fails with credentials, credentials explain it.
            Ok(()) if refused => (check(true).err()?, Credentials::IncludeFromFailure),
            Ok(()) => return None,
        }
    };
    Some(Finding {
        request_id: end.request_id.clone(),
        tab_id: exchange.tab_id,
        time_ms: end.time_ms,
        method: exchange.method,
        url: exchange.url,
        resource_type: exchange.resource_type,
        origin: request_origin,
        page_origin,
        status: *status,
        reason: failure.reason,
        failed_parameter: failure.failed_parameter,
        allow_origin: allow_origin.into_iter().map(str::to_owned).collect(),
        allow_credentials,
        credentials,
        redirects: exchange.redirects,
        count: 1,
    })
}

/// Header values as the HTTP parser hands them to the CORS check: without
/// surrounding spaces and tabs.
fn trim(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}
