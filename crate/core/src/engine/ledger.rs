//! The ledger of preflights kept for their actual requests: those that
//! passed (shown beside the request they let go), those that fail only with
//! credentials (pending until the actual request tells the credentials
//! mode), and those reported as failed (their actual request's refusal is
//! the same failure). One key type, [`RequestKey`], and one bounded,
//! time-limited queue, [`Ledger`], serve all three.
//!
//! Architecture Invariant: the ledger knows keys, entries, bounds and time,
//! nothing else. It never sees an event or an exchange, never runs the
//! check, and never decides what an entry means: the engine (`mod.rs`,
//! `quirks.rs`) asks it for the entry that matches and decides.
//!
//! Architecture Invariant: every entry holds what it was measured at when
//! pushed ([`Ledger::bytes`]), so the engine's byte budget counts kept
//! preflights without walking them.

use std::collections::VecDeque;

use crate::finding::{Finding, Seen};
use crate::notice::Notice;

use super::size::{finding_size, notice_size, seen_size};

/// How many passed preflights are remembered.
const MAX_PASSED: usize = 64;
/// How many failed preflights are remembered.
const MAX_FAILED: usize = 64;
/// How many pending preflights are kept; the oldest go first.
const MAX_PENDING: usize = 64;
/// How long a pending preflight waits for its actual request.
pub(super) const PENDING_WINDOW_MS: f64 = 10_000.0;

/// A request as the preflight ledger matches it: the tab, the URL and the
/// method of the actual request (for a preflight: the request it is for,
/// `Access-Control-Request-Method`, never `OPTIONS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RequestKey {
    pub tab_id: i64,
    pub url: String,
    pub method: String,
}

impl RequestKey {
    pub fn new(tab_id: i64, url: &str, method: &str) -> RequestKey {
        RequestKey {
            tab_id,
            url: url.to_owned(),
            method: method.to_owned(),
        }
    }

    /// Same tab and URL, whatever the method: a redirect's next hop may be
    /// sent with another method than the request that redirected, and a
    /// failed preflight explains any refusal at its URL.
    pub fn same_target(&self, tab_id: i64, url: &str) -> bool {
        self.tab_id == tab_id && self.url == url
    }

    /// The bytes its strings hold.
    pub fn size(&self) -> usize {
        self.url.len() + self.method.len()
    }
}

/// What a ledger keeps: a key, the time it was concluded, its size.
pub(super) trait Entry {
    fn key(&self) -> &RequestKey;
    fn time_ms(&self) -> f64;
    fn size(&self) -> usize;
}

/// A bounded queue of entries, oldest first. Pushing past the bound drops
/// the oldest; [`Ledger::prune`] drops those older than the time window.
#[derive(Debug)]
pub(super) struct Ledger<T> {
    /// Each entry with the bytes it held when pushed.
    entries: VecDeque<(T, usize)>,
    capacity: usize,
    /// How long an entry stays matchable; `None`: until pushed out.
    window_ms: Option<f64>,
}

impl<T: Entry> Ledger<T> {
    fn new(capacity: usize, window_ms: Option<f64>) -> Ledger<T> {
        Ledger {
            entries: VecDeque::new(),
            capacity,
            window_ms,
        }
    }

    /// Keeps `entry`, measured now; the oldest goes when the ledger is full.
    pub fn push(&mut self, entry: T) {
        if self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        let bytes = entry.size();
        self.entries.push_back((entry, bytes));
    }

    /// Drops the entries concluded more than the window before `now_ms`.
    pub fn prune(&mut self, now_ms: f64) {
        if let Some(window) = self.window_ms {
            self.entries.retain(|(e, _)| now_ms - e.time_ms() <= window);
        }
    }

    /// Takes the oldest entry whose key matches.
    pub fn take_first(&mut self, matches: impl Fn(&RequestKey) -> bool) -> Option<T> {
        let i = self.entries.iter().position(|(e, _)| matches(e.key()))?;
        self.entries.remove(i).map(|(e, _)| e)
    }

    /// Takes the newest entry whose key matches.
    pub fn take_last(&mut self, matches: impl Fn(&RequestKey) -> bool) -> Option<T> {
        let i = self.entries.iter().rposition(|(e, _)| matches(e.key()))?;
        self.entries.remove(i).map(|(e, _)| e)
    }

    /// Takes every entry whose key matches, oldest first.
    pub fn take_all(&mut self, matches: impl Fn(&RequestKey) -> bool) -> Vec<T> {
        let (taken, kept): (VecDeque<_>, VecDeque<_>) =
            self.entries.drain(..).partition(|(e, _)| matches(e.key()));
        self.entries = kept;
        taken.into_iter().map(|(e, _)| e).collect()
    }

    /// Whether an entry's key matches.
    pub fn any(&self, matches: impl Fn(&RequestKey) -> bool) -> bool {
        self.entries.iter().any(|(e, _)| matches(e.key()))
    }

    /// Forgets the oldest entry; returns the bytes it held.
    pub fn forget_oldest(&mut self) -> Option<usize> {
        self.entries.pop_front().map(|(_, bytes)| bytes)
    }

    /// The bytes the entries held when pushed.
    pub fn bytes(&self) -> usize {
        self.entries.iter().map(|(_, bytes)| bytes).sum()
    }
}

/// A preflight that passed, kept to be shown with its actual request.
#[derive(Debug)]
pub(super) struct Passed {
    pub key: RequestKey,
    pub time_ms: f64,
    pub seen: Seen,
}

/// A preflight that passes without credentials but fails with them. Only the
/// actual request reveals which: Chromium fails it without sending it when
/// the preflight failed, and sends it when the preflight passed.
#[derive(Debug)]
pub(super) struct Pending {
    pub key: RequestKey,
    pub time_ms: f64,
    /// The failure to report if the actual request fails unsent.
    pub finding: Finding,
    /// The warning to report if the actual request leaves (the preflight
    /// passed only through a leniency).
    pub lenient: Option<Notice>,
}

/// A preflight reported as failed: its actual request then fails unsent,
/// and that is the same failure. Matched on tab and URL
/// ([`RequestKey::same_target`]).
#[derive(Debug)]
pub(super) struct Failed {
    pub key: RequestKey,
    pub time_ms: f64,
}

impl Entry for Passed {
    fn key(&self) -> &RequestKey {
        &self.key
    }
    fn time_ms(&self) -> f64 {
        self.time_ms
    }
    fn size(&self) -> usize {
        self.key.size() + seen_size(&self.seen)
    }
}

impl Entry for Pending {
    fn key(&self) -> &RequestKey {
        &self.key
    }
    fn time_ms(&self) -> f64 {
        self.time_ms
    }
    fn size(&self) -> usize {
        self.key.size() + finding_size(&self.finding) + self.lenient.as_ref().map_or(0, notice_size)
    }
}

impl Entry for Failed {
    fn key(&self) -> &RequestKey {
        &self.key
    }
    fn time_ms(&self) -> f64 {
        self.time_ms
    }
    fn size(&self) -> usize {
        self.key.size()
    }
}

/// The three ledgers of preflights.
#[derive(Debug)]
pub(super) struct Preflights {
    pub passed: Ledger<Passed>,
    pub pending: Ledger<Pending>,
    pub failed: Ledger<Failed>,
}

impl Default for Preflights {
    fn default() -> Preflights {
        Preflights {
            passed: Ledger::new(MAX_PASSED, None),
            pending: Ledger::new(MAX_PENDING, Some(PENDING_WINDOW_MS)),
            failed: Ledger::new(MAX_FAILED, None),
        }
    }
}

impl Preflights {
    /// What the kept preflights hold, as the engine's budget counts it (the
    /// failed ones keep a key only, and are not counted).
    pub fn bytes(&self) -> usize {
        self.passed.bytes() + self.pending.bytes()
    }

    /// Forgets the oldest passed preflight, else the oldest pending one;
    /// returns the bytes freed.
    pub fn forget_oldest(&mut self) -> Option<usize> {
        self.passed
            .forget_oldest()
            .or_else(|| self.pending.forget_oldest())
    }

    /// The actual request `key` left: every preflight pending for it passed.
    /// Each is kept as passed; the first leniency warning among them is
    /// returned.
    pub fn actual_request_left(&mut self, key: &RequestKey) -> Option<Notice> {
        let mut lenient = None;
        for p in self.pending.take_all(|k| k == key) {
            lenient = lenient.or(p.lenient);
            self.passed.push(Passed {
                key: p.key,
                time_ms: p.time_ms,
                seen: p.finding.exchange,
            });
        }
        lenient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(tab_id: i64, url: &str, time_ms: f64) -> Failed {
        Failed {
            key: RequestKey::new(tab_id, url, "PUT"),
            time_ms,
        }
    }

    #[test]
    fn a_full_ledger_forgets_its_oldest_entry() {
        let mut ledger = Ledger::new(2, None);
        for (i, url) in ["https://a.test/", "https://b.test/", "https://c.test/"]
            .into_iter()
            .enumerate()
        {
            ledger.push(failed(1, url, i as f64));
        }
        assert!(!ledger.any(|k| k.url == "https://a.test/"));
        assert!(ledger.any(|k| k.url == "https://b.test/"));
        assert!(ledger.any(|k| k.url == "https://c.test/"));
    }

    #[test]
    fn pruning_keeps_only_the_entries_inside_the_window() {
        for (window, now, kept) in [
            (Some(10.0), 15.0, vec![false, true, true]),
            (Some(10.0), 30.0, vec![false, false, false]),
            (None, 1e12, vec![true, true, true]),
        ] {
            let mut ledger = Ledger::new(8, window);
            for (t, url) in [
                (0.0, "https://a.test/"),
                (5.0, "https://b.test/"),
                (10.0, "https://c.test/"),
            ] {
                ledger.push(failed(1, url, t));
            }
            ledger.prune(now);
            let got: Vec<bool> = ["https://a.test/", "https://b.test/", "https://c.test/"]
                .iter()
                .map(|u| ledger.any(|k| k.url == *u))
                .collect();
            assert_eq!(got, kept, "window {window:?}, now {now}");
        }
    }

    #[test]
    fn takes_find_the_oldest_the_newest_or_all_matches() {
        let mut ledger = Ledger::new(8, None);
        for (tab, t) in [(1, 0.0), (2, 1.0), (1, 2.0), (1, 3.0)] {
            ledger.push(failed(tab, "https://api.test/", t));
        }
        let on_tab_1 = |k: &RequestKey| k.same_target(1, "https://api.test/");
        assert_eq!(ledger.take_first(on_tab_1).map(|e| e.time_ms), Some(0.0));
        assert_eq!(ledger.take_last(on_tab_1).map(|e| e.time_ms), Some(3.0));
        let rest: Vec<f64> = ledger
            .take_all(on_tab_1)
            .iter()
            .map(|e| e.time_ms)
            .collect();
        assert_eq!(rest, vec![2.0]);
        assert!(ledger.take_first(on_tab_1).is_none());
        assert!(ledger.any(|k| k.tab_id == 2));
    }

    #[test]
    fn the_ledger_counts_what_its_entries_held_when_pushed() {
        let mut ledger = Ledger::new(8, None);
        ledger.push(failed(1, "https://api.test/", 0.0));
        ledger.push(failed(1, "https://api.test/longer", 0.0));
        let sizes = "https://api.test/".len() + "https://api.test/longer".len() + 2 * "PUT".len();
        assert_eq!(ledger.bytes(), sizes);
        assert_eq!(ledger.forget_oldest(), Some("https://api.test/".len() + 3));
        assert_eq!(ledger.bytes(), "https://api.test/longer".len() + 3);
    }
}
