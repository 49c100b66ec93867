//! The stored record's life, in one place: what a record says of its
//! group (key, count, first and last seen), and the grouping of repeated
//! problems by key, which the worker's engine does before it hands a record
//! over, so the worker stores what the core returns.
//!
//! | event                        | group state (per tab, per key)       | record returned            |
//! |------------------------------|--------------------------------------|----------------------------|
//! | first report of a key        | new: count, first = last = time      | as reported, no `firstSeen` |
//! | the key reported again       | count added, last = time             | count = sum, `firstSeen`    |
//! | seeded from storage          | set from the stored record           | —                          |
//! | dropped from storage (caps)  | forgotten                            | —                          |
//! | tab cleared or closed        | the tab's groups forgotten           | —                          |
//! | more than [`MAX_GROUPS`]     | the groups seen least recently go    | —                          |

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use crate::wire::{Record, RequestFacts, Stored};

/// Most groups the engine remembers across tabs: the worker keeps at most
/// 2 000 records and forgets the groups of those it drops, so this bound
/// (twice that, for the findings not written yet) is only reached when it
/// could not say so (a bug, a storage failure, or `make bench`, which feeds
/// 33 334 distinct failures to an engine and tells it nothing).
pub const MAX_GROUPS: usize = 4096;
/// Past [`MAX_GROUPS`], this many of the groups seen least recently go at
/// once: one sort for many new groups, not a scan for each.
pub const FORGET_AT_ONCE: usize = MAX_GROUPS / 8;

impl Record {
    /// The grouping key: records with the same key are one problem seen again.
    pub fn key(&self) -> &str {
        match self {
            Record::Failure(r) => &r.key,
            Record::Notice(r) => &r.key,
        }
    }

    /// The request the record is about.
    pub fn request(&self) -> &RequestFacts {
        match self {
            Record::Failure(r) => &r.request,
            Record::Notice(r) => &r.request,
        }
    }

    /// The tab the record belongs to (`-1`: not from a tab).
    pub fn tab_id(&self) -> i64 {
        self.request().tab_id
    }

    /// When the problem was last seen (ms since the epoch).
    pub fn time(&self) -> f64 {
        self.request().time
    }

    /// How many occurrences were grouped into this record.
    pub fn count(&self) -> u32 {
        match self {
            Record::Failure(r) => r.count,
            Record::Notice(r) => r.count,
        }
    }

    fn count_mut(&mut self) -> &mut u32 {
        match self {
            Record::Failure(r) => &mut r.count,
            Record::Notice(r) => &mut r.count,
        }
    }

    /// What the stored record carries besides the report.
    pub fn stored(&self) -> &Stored {
        match self {
            Record::Failure(r) => &r.stored,
            Record::Notice(r) => &r.stored,
        }
    }

    pub fn stored_mut(&mut self) -> &mut Stored {
        match self {
            Record::Failure(r) => &mut r.stored,
            Record::Notice(r) => &mut r.stored,
        }
    }

    /// When the problem was first seen: `firstSeen` when it is a time no
    /// later than `time`, else `time` (a problem seen once).
    pub fn first_seen(&self) -> f64 {
        first_seen_or(self.stored().first_seen, self.time())
    }
}

impl Stored {
    /// What an imported record carries: its first time seen and its page.
    pub fn imported(first_seen: f64, page_url: String) -> Stored {
        Stored {
            first_seen: Some(first_seen),
            page_url: Some(page_url),
            imported: true,
        }
    }
}

/// One group: a problem and how often and when it was seen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Group {
    pub count: u32,
    pub first_seen: f64,
    pub last_seen: f64,
}

/// The groups of each tab, by key.
#[derive(Debug, Default)]
pub struct Groups {
    tabs: HashMap<i64, HashMap<String, Group>>,
    len: usize,
}

impl Groups {
    pub fn new() -> Groups {
        Groups::default()
    }

    /// How many groups are remembered, across tabs.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The group of `key` in `tab_id`, if remembered.
    pub fn get(&self, tab_id: i64, key: &str) -> Option<Group> {
        self.tabs.get(&tab_id)?.get(key).copied()
    }

    /// Groups a record just reported with the earlier ones of its key: the
    /// record leaves with the group's count and, when it was seen before,
    /// the first time it was seen. A record not from a tab (`tab_id < 0`) is
    /// stored nowhere and left as it is.
    pub fn merge(&mut self, record: &mut Record) {
        let tab_id = record.tab_id();
        if tab_id < 0 {
            return;
        }
        let time = record.time();
        let added = record.count();
        if self.get(tab_id, record.key()).is_none() && self.len >= MAX_GROUPS {
            self.forget_least_recent();
        }
        let groups = self.tabs.entry(tab_id).or_default();
        match groups.get_mut(record.key()) {
            Some(g) => {
                g.count = g.count.saturating_add(added);
                g.first_seen = g.first_seen.min(time);
                g.last_seen = g.last_seen.max(time);
                *record.count_mut() = g.count;
                record.stored_mut().first_seen = Some(g.first_seen);
            }
            None => {
                let group = Group {
                    count: added,
                    first_seen: record.first_seen(),
                    last_seen: time,
                };
                groups.insert(record.key().to_owned(), group);
                self.len += 1;
            }
        }
    }

    /// Remembers a stored record's group (a worker that starts again, or a
    /// fresh engine after a crash, learns what storage holds): what the
    /// record says replaces what was remembered.
    pub fn seed(&mut self, tab_id: i64, key: &str, group: Group) {
        if tab_id < 0 {
            return;
        }
        let groups = self.tabs.entry(tab_id).or_default();
        if groups.insert(key.to_owned(), group).is_none() {
            self.len += 1;
        }
        if self.len > MAX_GROUPS {
            self.forget_least_recent();
        }
    }

    /// Forgets one group (its record was dropped from storage).
    pub fn forget(&mut self, tab_id: i64, key: &str) {
        if let Some(groups) = self.tabs.get_mut(&tab_id) {
            if groups.remove(key).is_some() {
                self.len -= 1;
            }
            if groups.is_empty() {
                self.tabs.remove(&tab_id);
            }
        }
    }

    /// Forgets every group of a tab (cleared, closed or navigated away).
    pub fn forget_tab(&mut self, tab_id: i64) {
        if let Some(groups) = self.tabs.remove(&tab_id) {
            self.len -= groups.len();
        }
    }

    /// Forgets the [`FORGET_AT_ONCE`] groups seen least recently (ties in
    /// any order). Taken from a heap rather than with
    /// `select_nth_unstable`: the slice sorts' code costs the worker's wasm
    /// package several KB (docs/performance.md, "Size").
    fn forget_least_recent(&mut self) {
        let mut all: BinaryHeap<Reverse<LastSeen>> = self
            .tabs
            .iter()
            .flat_map(|(tab, groups)| {
                groups
                    .iter()
                    .map(move |(key, g)| Reverse(LastSeen(g.last_seen, *tab, key.clone())))
            })
            .collect();
        for _ in 0..FORGET_AT_ONCE {
            let Some(Reverse(LastSeen(_, tab, key))) = all.pop() else {
                return;
            };
            self.forget(tab, &key);
        }
    }
}

/// A group (its tab and key) by the time it was last seen, ordered by that
/// time alone (`f64::total_cmp`), for [`Groups::forget_least_recent`].
struct LastSeen(f64, i64, String);

impl Ord for LastSeen {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl PartialOrd for LastSeen {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for LastSeen {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for LastSeen {}

impl Group {
    /// The group a stored record stands for.
    pub fn of(record: &Record) -> Group {
        Group::stored(record.count(), record.first_seen(), record.time())
    }

    /// The group of a stored record's values: `first_seen` when it is a
    /// time no later than `time`, else `time` (seen once).
    pub fn stored(count: u32, first_seen: f64, time: f64) -> Group {
        Group {
            count,
            first_seen: first_seen_or(Some(first_seen), time),
            last_seen: time,
        }
    }
}

/// `first_seen` when it is a time no later than `time`, else `time`.
fn first_seen_or(first_seen: Option<f64>, time: f64) -> f64 {
    first_seen
        .filter(|t| t.is_finite() && *t <= time)
        .unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::{Notice, NoticeKind};
    use crate::wire::NoticeRecord;

    fn record(tab_id: i64, url: &str, time: f64) -> Record {
        Record::Notice(NoticeRecord::from(&Notice {
            request_id: "1".into(),
            tab_id,
            time_ms: time,
            method: "GET".into(),
            url: url.into(),
            resource_type: "xmlhttprequest".into(),
            origin: "http://page.test".into(),
            page_origin: "http://page.test".into(),
            status: None,
            kind: NoticeKind::NoResponse,
            detail: String::new(),
            count: 1,
        }))
    }

    /// Feeds `(tab, url, time)` reports; the (count, firstSeen) of each record returned.
    fn feed(groups: &mut Groups, reports: &[(i64, &str, f64)]) -> Vec<(u32, Option<f64>)> {
        reports
            .iter()
            .map(|&(tab, url, time)| {
                let mut r = record(tab, url, time);
                groups.merge(&mut r);
                (r.count(), r.stored().first_seen)
            })
            .collect()
    }

    struct Case {
        name: &'static str,
        /// Reports fed in order: (tab, URL, time).
        reports: Vec<(i64, &'static str, f64)>,
        /// Per report, the record's (count, firstSeen) as returned.
        returned: Vec<(u32, Option<f64>)>,
    }

    #[test]
    fn grouping_counts_repeats_and_keeps_the_first_time_per_tab_and_key() {
        let a = "http://a.test/";
        let cases = [
            Case {
                name: "a new key is returned as reported",
                reports: vec![(1, a, 10.0)],
                returned: vec![(1, None)],
            },
            Case {
                name: "a repeat adds its count and carries the first time",
                reports: vec![(1, a, 10.0), (1, a, 20.0), (1, a, 30.0)],
                returned: vec![(1, None), (2, Some(10.0)), (3, Some(10.0))],
            },
            Case {
                name: "the same key in another tab is another group",
                reports: vec![(1, a, 10.0), (2, a, 20.0)],
                returned: vec![(1, None), (1, None)],
            },
            Case {
                name: "a record not from a tab is never grouped",
                reports: vec![(-1, a, 10.0), (-1, a, 20.0)],
                returned: vec![(1, None), (1, None)],
            },
        ];
        for case in cases {
            let mut groups = Groups::new();
            assert_eq!(
                feed(&mut groups, &case.reports),
                case.returned,
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn a_seeded_group_continues_from_the_stored_record() {
        let mut groups = Groups::new();
        let mut stored = record(1, "http://a.test/", 50.0);
        stored.stored_mut().first_seen = Some(5.0);
        *stored.count_mut() = 7;
        groups.seed(1, stored.key(), Group::of(&stored));
        assert_eq!(
            feed(&mut groups, &[(1, "http://a.test/", 60.0)]),
            vec![(8, Some(5.0))]
        );
    }

    #[test]
    fn forgotten_groups_start_again_at_one() {
        let mut groups = Groups::new();
        feed(
            &mut groups,
            &[
                (1, "http://a.test/", 1.0),
                (1, "http://b.test/", 2.0),
                (2, "http://a.test/", 3.0),
            ],
        );
        assert_eq!(groups.len(), 3);
        groups.forget(1, record(1, "http://a.test/", 0.0).key());
        groups.forget_tab(2);
        assert_eq!(groups.len(), 1);
        let again = feed(
            &mut groups,
            &[
                (1, "http://a.test/", 4.0),
                (2, "http://a.test/", 5.0),
                (1, "http://b.test/", 6.0),
            ],
        );
        assert_eq!(again, vec![(1, None), (1, None), (2, Some(2.0))]);
    }

    #[test]
    fn past_the_cap_the_groups_seen_least_recently_are_forgotten() {
        let mut groups = Groups::new();
        let urls: Vec<String> = (0..=MAX_GROUPS)
            .map(|i| format!("http://a.test/{i}"))
            .collect();
        for (i, url) in urls.iter().enumerate() {
            feed(&mut groups, &[(1, url, i as f64)]);
        }
        assert_eq!(groups.len(), MAX_GROUPS - FORGET_AT_ONCE + 1);
        let known = |i: usize| groups.get(1, record(1, &urls[i], 0.0).key()).is_some();
        assert!(!known(0) && !known(FORGET_AT_ONCE - 1), "the oldest went");
        assert!(
            known(FORGET_AT_ONCE) && known(MAX_GROUPS),
            "the others stay"
        );
    }

    #[test]
    fn stored_fields_survive_a_round_trip_and_unknown_ids_are_refused() {
        let mut r = record(1, "http://a.test/", 10.0);
        *r.stored_mut() = Stored::imported(5.0, "http://page.test/x".into());
        let text = serde_json::to_string(&r).expect("serialized");
        assert!(
            text.contains("\"firstSeen\":5.0") && text.contains("\"imported\":true"),
            "{text}"
        );
        let back: Record = serde_json::from_str(&text).expect("read back");
        assert_eq!(back, r);
        assert_eq!(back.first_seen(), 5.0);
        let bad = text.replace("NoResponse", "NoSuchNotice");
        assert!(
            serde_json::from_str::<Record>(&bad).is_err(),
            "an unknown notice id is an error"
        );
        let once = serde_json::to_string(&record(1, "http://a.test/", 10.0)).expect("serialized");
        assert!(
            !once.contains("firstSeen") && !once.contains("imported"),
            "{once}"
        );
    }
}
