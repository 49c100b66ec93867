//! The DevTools feed: the HAR entries DevTools hands over one at a time
//! (`devtools.network.onRequestFinished`) for the tab it is open on, turned
//! into the engine's events in the order `webRequest` would have given them.
//!
//! DevTools reports a request when it ends, and its HAR entry holds what the
//! verdict needs (the response headers of a refused request, the preflight as
//! an entry of its own), so a tab being debugged is observed without the
//! `webRequest` machinery (docs/performance.md). Two orders differ from
//! `webRequest`'s: entries arrive by end rather than by start (a preflight
//! may be reported after its actual request), and a request refused before
//! it was sent starts before the preflight that refused it. So entries wait
//! [`Live::HOLD_MS`] and leave by start time, and a refused-unsent request's
//! end follows its preflight (or leaves once the feed has been quiet for
//! [`Live::SETTLE_MS`], as does the end of a redirect no next hop followed).

use crate::event::Event;

use super::adapt::{is_preflight, Adapter};
use super::read::Entry;

/// One tab's feed.
#[derive(Debug)]
pub struct Live {
    adapter: Adapter,
    /// Entries waiting, with when they arrived (ms, the caller's clock).
    waiting: Vec<(Entry, f64)>,
    /// Ends of requests refused before they were sent, waiting for their
    /// preflight (by URL).
    refused: Vec<(String, Event)>,
    /// Preflights fed lately (URL, when): a refused request reported after
    /// its preflight ends at once.
    preflights: Vec<(String, f64)>,
    /// When the last entry arrived.
    last_arrival: f64,
}

impl Live {
    /// How long an entry waits for the entries that started before it (ms).
    pub const HOLD_MS: f64 = 250.0;
    /// How long the feed must be quiet before the ends nothing explained
    /// leave (ms): a preflight or a next hop arrives within a burst.
    pub const SETTLE_MS: f64 = 2000.0;

    pub fn new(tab: i64) -> Live {
        Live {
            adapter: Adapter::for_tab(tab),
            waiting: Vec::new(),
            refused: Vec::new(),
            preflights: Vec::new(),
            last_arrival: 0.0,
        }
    }

    /// Takes an entry that arrived at `now` (ms); its events come from
    /// [`Live::tick`].
    pub fn entry(&mut self, mut entry: Entry, now: f64) {
        // No start time (DevTools had none yet): it arrived just now.
        if crate::time::parse_iso(&entry.started).is_none() {
            entry.started = crate::time::format_iso(now);
        }
        self.waiting.push((entry, now));
        self.last_arrival = now;
    }

    /// An entry is on its way at `now` (ms): the DevTools page holds one
    /// back until DevTools gives its response (extension/har-ledger.js).
    /// The feed does not settle until [`Live::SETTLE_MS`] after the last
    /// call: a redirect's next hop or a preflight may be the entry held.
    pub fn expect(&mut self, now: f64) {
        self.last_arrival = self.last_arrival.max(now);
    }

    /// Whether anything is still waiting (the caller ticks again later).
    pub fn pending(&self) -> bool {
        !self.waiting.is_empty() || !self.refused.is_empty() || self.adapter.following()
    }

    /// The events of the entries that have waited long enough at `now`, by
    /// start time. Once the feed has settled, the ends nothing explained
    /// follow: refused requests whose preflight never came, and redirects no
    /// next hop followed.
    pub fn tick(&mut self, now: f64) -> Vec<Event> {
        let (mut ready, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|(_, at)| now - at >= Self::HOLD_MS);
        self.waiting = rest;
        ready.sort_by(|(a, _), (b, _)| {
            let at = |e: &Entry| crate::time::parse_iso(&e.started).unwrap_or(0.0);
            at(a).total_cmp(&at(b))
        });
        let mut out = Vec::new();
        for (entry, _) in ready {
            let preflight = is_preflight(&entry).then(|| entry.request.url.clone());
            out.extend(self.adapter.entry(entry));
            for end in self.adapter.take_refused() {
                if self.preflights.iter().any(|(u, _)| *u == end.url) {
                    out.push(end);
                } else {
                    self.refused.push((end.url.clone(), end));
                }
            }
            if let Some(url) = preflight {
                self.preflights.retain(|(_, at)| now - at < Self::SETTLE_MS);
                self.preflights.push((url.clone(), now));
                let (decided, left): (Vec<_>, Vec<_>) = std::mem::take(&mut self.refused)
                    .into_iter()
                    .partition(|(u, _)| *u == url);
                self.refused = left;
                out.extend(decided.into_iter().map(|(_, end)| end));
            }
        }
        out.extend(self.adapter.release_held());
        if self.waiting.is_empty() && now - self.last_arrival >= Self::SETTLE_MS {
            out.extend(self.adapter.finish());
            out.extend(self.refused.drain(..).map(|(_, end)| end));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::har::read::{NameValue, Request, Response};

    fn entry(
        method: &str,
        url: &str,
        kind: &str,
        started: &str,
        status: i64,
        error: Option<&str>,
    ) -> Entry {
        let mut headers = vec![NameValue {
            name: "Origin".into(),
            value: "http://page.test".into(),
        }];
        if kind == "preflight" {
            headers.push(NameValue {
                name: "Access-Control-Request-Method".into(),
                value: "PUT".into(),
            });
        }
        Entry {
            started: started.into(),
            request: Request {
                method: method.into(),
                url: url.into(),
                headers,
                ..Request::default()
            },
            response: Response {
                status,
                error: error.map(str::to_owned),
                ..Response::default()
            },
            resource_type: Some(kind.into()),
            ..Entry::default()
        }
    }

    const URL: &str = "http://api.test/x";

    fn kinds(events: &[Event]) -> Vec<(String, EventKind)> {
        events.iter().map(|e| (e.method.clone(), e.kind)).collect()
    }

    #[test]
    fn entries_wait_then_leave_by_start_time_as_the_tab_s_requests() {
        let mut live = Live::new(7);
        live.entry(
            entry("GET", URL, "fetch", "2026-01-01T00:00:02Z", 200, None),
            0.0,
        );
        live.entry(
            entry(
                "OPTIONS",
                URL,
                "preflight",
                "2026-01-01T00:00:01Z",
                204,
                None,
            ),
            10.0,
        );
        assert!(
            live.tick(100.0).is_empty(),
            "nothing leaves before it waited"
        );
        let events = live.tick(Live::SETTLE_MS + 10.0);
        assert_eq!(events.first().map(|e| e.method.as_str()), Some("OPTIONS"));
        assert!(events
            .iter()
            .all(|e| e.tab_id == 7 && e.request_id.starts_with("dt7-")));
        assert!(!live.pending());
    }

    #[test]
    fn a_request_refused_unsent_ends_after_its_preflight_whichever_arrives_first() {
        for preflight_first in [false, true] {
            let mut live = Live::new(1);
            let actual = entry(
                "PUT",
                URL,
                "fetch",
                "2026-01-01T00:00:01Z",
                0,
                Some("net::ERR_FAILED"),
            );
            let preflight = entry(
                "OPTIONS",
                URL,
                "preflight",
                "2026-01-01T00:00:02Z",
                204,
                None,
            );
            let (a, b) = if preflight_first {
                (preflight, actual)
            } else {
                (actual, preflight)
            };
            live.entry(a, 0.0);
            let mut events = live.tick(300.0);
            live.entry(b, 400.0);
            events.extend(live.tick(700.0));
            let last = events.last().map(|e| (e.method.clone(), e.kind));
            assert_eq!(
                last,
                Some(("PUT".to_owned(), EventKind::ErrorOccurred)),
                "preflight first: {preflight_first}: {:?}",
                kinds(&events)
            );
            assert!(events
                .iter()
                .any(|e| e.method == "OPTIONS" && e.kind == EventKind::Completed));
        }
    }

    #[test]
    fn a_cors_request_leaves_with_its_batch_not_at_the_next_entry() {
        let mut live = Live::new(1);
        live.entry(
            entry(
                "GET",
                URL,
                "fetch",
                "2026-01-01T00:00:01Z",
                200,
                Some("net::ERR_FAILED"),
            ),
            0.0,
        );
        let events = live.tick(300.0);
        assert_eq!(
            events.last().map(|e| (e.method.as_str(), e.kind)),
            Some(("GET", EventKind::ErrorOccurred)),
            "{:?}",
            kinds(&events)
        );
    }

    #[test]
    fn an_entry_without_times_or_status_is_read_as_arrived_then() {
        let text = r#"{"startedDateTime": null, "time": null, "timings": null,
            "request": {"method": "GET", "url": "http://api.test/x", "headers": [{"name": "Origin", "value": "http://page.test"}]},
            "response": {"status": null, "headers": [], "redirectURL": null, "_error": "net::ERR_FAILED"},
            "_resourceType": "fetch"}"#;
        let entry: Entry = serde_json::from_str(text).expect("a lenient read");
        let mut live = Live::new(1);
        let now = 1_700_000_000_000.0;
        live.entry(entry, now);
        let events = live.tick(now + Live::SETTLE_MS);
        assert_eq!(
            events.last().map(|e| e.kind),
            Some(EventKind::ErrorOccurred),
            "{:?}",
            kinds(&events)
        );
        assert!(events.iter().all(|e| e.time_ms == now));
    }

    #[test]
    fn a_redirect_waits_for_its_next_hop_while_the_page_holds_an_entry() {
        let mut live = Live::new(1);
        let mut hop = entry("GET", URL, "fetch", "2026-01-01T00:00:01Z", 302, None);
        hop.response.redirect_url = "ftp://files.test/x".into();
        live.entry(hop, 0.0);
        let mut events = live.tick(300.0);
        // The next hop is held back by the page for a while (no response yet).
        for now in [600.0, 1200.0, 1800.0, 2400.0] {
            live.expect(now);
            events.extend(live.tick(now));
        }
        assert!(
            events.iter().all(|e| e.kind != EventKind::Completed),
            "the redirect's end left before its next hop: {:?}",
            kinds(&events)
        );
        live.entry(
            entry(
                "GET",
                "ftp://files.test/x",
                "fetch",
                "2026-01-01T00:00:01Z",
                0,
                Some("net::ERR_UNKNOWN_URL_SCHEME"),
            ),
            2500.0,
        );
        events.extend(live.tick(2800.0));
        events.extend(live.tick(2500.0 + Live::SETTLE_MS));
        let ids: std::collections::BTreeSet<&str> =
            events.iter().map(|e| e.request_id.as_str()).collect();
        assert_eq!(ids.len(), 1, "one request, both hops: {:?}", kinds(&events));
        assert_eq!(
            events.last().map(|e| e.kind),
            Some(EventKind::ErrorOccurred),
            "{:?}",
            kinds(&events)
        );
    }

    #[test]
    fn a_refused_request_whose_preflight_never_comes_ends_once_nothing_waits() {
        let mut live = Live::new(1);
        live.entry(
            entry(
                "PUT",
                URL,
                "fetch",
                "2026-01-01T00:00:01Z",
                0,
                Some("net::ERR_FAILED"),
            ),
            0.0,
        );
        assert!(
            live.tick(300.0).is_empty(),
            "the end waits for its preflight"
        );
        assert!(live.pending());
        let events = live.tick(Live::SETTLE_MS);
        assert_eq!(
            kinds(&events),
            vec![("PUT".to_owned(), EventKind::ErrorOccurred)]
        );
        assert!(!live.pending());
    }
}
