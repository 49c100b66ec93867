//! Exchange assembly: everything seen so far of each unfinished request,
//! gathered by `requestId` (the request headers of the current hop, the last
//! response, the redirects), with its size and its age; and the endpoints
//! that answered with CORS headers before.
//!
//! Architecture Invariant: assembly records what the events say and never
//! judges it. No CORS check runs here and no preflight is matched with its
//! actual request; the verdict (`verdict.rs`) reads a finished [`Exchange`],
//! the ledger (`ledger.rs`) keeps preflights.
//!
//! Architecture Invariant: [`Assembly::bytes`] is the sum of the measured
//! sizes of the exchanges held; every path that removes an exchange goes
//! through [`Assembly::take`], which keeps it so, and every exchange
//! forgotten to stay within a cap is counted in [`Assembly::dropped`].

use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::event::Event;
use crate::finding::Seen;
use crate::headers::Headers;
use crate::notice::Notice;

use super::ledger::RequestKey;
use super::size::{headers_size, notice_size, opt_size, seen_size, ENTRY_COST};
use super::trim;

/// How many unfinished requests the engine remembers. A page that opens more
/// requests than this without any of them ending loses the oldest ones (they
/// are forgotten, never misreported, and counted).
const MAX_IN_FLIGHT: usize = 4096;
/// How many endpoints the engine remembers as having answered with CORS
/// headers; the memory starts over when full.
const MAX_ENDPOINTS: usize = 2048;

/// Everything seen so far of one request.
#[derive(Debug, Default)]
pub(super) struct Exchange {
    pub seq: u64,
    /// What this exchange holds, as last measured ([`Exchange::size`]).
    pub bytes: usize,
    pub method: String,
    pub url: String,
    pub resource_type: String,
    pub tab_id: i64,
    pub initiator: Option<String>,
    /// The request headers of the current hop.
    pub request_headers: Headers,
    /// The response status and headers of the current hop.
    pub response: Option<(Option<u16>, Headers)>,
    /// URLs of the hops that redirected.
    pub redirects: Vec<String>,
    /// Where the last hop redirected to, until that next hop is sent: a
    /// request that fails in between failed before leaving again.
    pub redirected_to: Option<String>,
    /// The preflight that let this request go, taken when it was sent: a
    /// request that reused a cached preflight has none.
    pub preflight: Option<Seen>,
    /// On a preflight still running: its actual request already ended,
    /// refused with no response (Firefox reports the actual request before
    /// its preflight, and may end it first). What to say about that refusal
    /// if this preflight's outcome does not explain it.
    pub actual_refused: Option<Notice>,
}

impl Exchange {
    /// Whether the request is a CORS preflight: `OPTIONS` with
    /// `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS"
            && self
                .request_headers
                .contains("access-control-request-method")
    }

    /// The request as the ledger matches it.
    pub fn key(&self) -> RequestKey {
        RequestKey::new(self.tab_id, &self.url, &self.method)
    }

    /// For a preflight: the actual request it is for (its first URL, the
    /// method it asks for).
    pub fn preflight_key(&self) -> Option<RequestKey> {
        if !self.is_preflight() {
            return None;
        }
        let method = trim(
            self.request_headers
                .first("access-control-request-method")?,
        );
        let url = self.redirects.first().unwrap_or(&self.url);
        Some(RequestKey::new(self.tab_id, url, method))
    }

    /// Whether the request carried a `Cookie` header.
    pub fn sent_cookie(&self) -> bool {
        self.request_headers.contains("cookie")
    }

    /// The bytes this exchange holds, roughly: its strings and header lines.
    pub fn size(&self) -> usize {
        let response = self
            .response
            .as_ref()
            .map_or(0, |(_, h)| headers_size(&h.0));
        ENTRY_COST * 4
            + self.method.len()
            + self.url.len()
            + self.resource_type.len()
            + opt_size(&self.initiator)
            + headers_size(&self.request_headers.0)
            + response
            + self
                .redirects
                .iter()
                .map(|r| r.len() + ENTRY_COST)
                .sum::<usize>()
            + opt_size(&self.redirected_to)
            + self.preflight.as_ref().map_or(0, seen_size)
            + self.actual_refused.as_ref().map_or(0, notice_size)
    }
}

/// The unfinished requests, by `requestId`.
#[derive(Debug, Default)]
pub(super) struct Assembly {
    in_flight: HashMap<String, Exchange>,
    next_seq: u64,
    /// The sum of the unfinished requests' `bytes`.
    bytes: usize,
    /// Requests forgotten to stay within the caps.
    dropped: u64,
}

impl Assembly {
    pub fn len(&self) -> usize {
        self.in_flight.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn contains(&self, id: &str) -> bool {
        self.in_flight.contains_key(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Exchange> {
        self.in_flight.get_mut(id)
    }

    pub fn values(&self) -> impl Iterator<Item = &Exchange> {
        self.in_flight.values()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut Exchange)> {
        self.in_flight.iter_mut()
    }

    /// The exchange for this event, created on first sight. Past
    /// [`MAX_IN_FLIGHT`], the older half of the unfinished requests is
    /// forgotten first.
    pub fn exchange(&mut self, event: &Event) -> &mut Exchange {
        if !self.in_flight.contains_key(&event.request_id) && self.in_flight.len() >= MAX_IN_FLIGHT
        {
            self.forget_older_half();
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

    /// Removes an unfinished request, keeping the byte count.
    pub fn take(&mut self, id: &str) -> Option<Exchange> {
        let exchange = self.in_flight.remove(id)?;
        self.bytes -= exchange.bytes;
        Some(exchange)
    }

    /// Forgets an unfinished request to stay within a cap, and counts it.
    pub fn forget(&mut self, id: &str) {
        if self.take(id).is_some() {
            self.dropped += 1;
        }
    }

    /// Measures the exchange `id` after an event changed it; one holding
    /// more than `max` bytes is forgotten.
    pub fn measure(&mut self, id: &str, max: usize) {
        let Some(exchange) = self.in_flight.get_mut(id) else {
            return;
        };
        let size = exchange.size();
        self.bytes = self.bytes - exchange.bytes + size;
        exchange.bytes = size;
        if size > max {
            self.forget(id);
        }
    }

    /// The ids of the unfinished requests, oldest first. Sorted through a
    /// heap rather than `sort_unstable`: the slice sorts' code costs the
    /// worker's wasm package several KB (docs/performance.md, "Size").
    pub fn oldest_first(&self) -> Vec<String> {
        let by_age: BinaryHeap<(u64, &String)> =
            self.in_flight.iter().map(|(id, e)| (e.seq, id)).collect();
        by_age
            .into_sorted_vec()
            .into_iter()
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// Forgets the older half of the unfinished requests.
    fn forget_older_half(&mut self) {
        let oldest = self.oldest_first();
        for id in &oldest[..oldest.len() / 2] {
            self.forget(id);
        }
    }
}

/// Endpoints whose responses carried `Access-Control-Allow-Origin`, as
/// digests of their URLs without query and fragment (a few bytes each,
/// whatever the URL's length).
#[derive(Debug, Default)]
pub(super) struct Endpoints(HashSet<u64>);

impl Endpoints {
    pub fn remember(&mut self, url: &str) {
        if self.0.len() >= MAX_ENDPOINTS {
            self.0.clear();
        }
        self.0.insert(endpoint(url));
    }

    pub fn contains(&self, url: &str) -> bool {
        self.0.contains(&endpoint(url))
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
