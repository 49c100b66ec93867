//! The findings table's model: one `Entry` per grouped finding or notice
//! (what its row shows, and the whole record in its domain value once
//! read), the table's columns and their sort order. No DOM here, so it is
//! tested natively.

use std::cell::OnceCell;
use std::cmp::Ordering;

use cors_lens_core::explain::explain;
use cors_lens_core::filter::{Filter, Item};
use cors_lens_core::l10n::Lang;
use cors_lens_core::notice_text::describe;
use cors_lens_core::reason::CorsError;
use cors_lens_core::wire::Record;
use cors_lens_core::{Finding, Notice, NoticeKind};

/// A stored record, read.
#[derive(Debug)]
pub enum Kind {
    Failure(Box<Finding>),
    Notice(Box<Notice>),
}

/// How bad a row is: its status icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The browser refused the response (a CORS failure).
    Failure,
    /// A response that passed but is risky.
    Warning,
    /// A request that failed for a reason other than CORS.
    Notice,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Failure => "failure",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Severity::Failure => "ui_severity_failure",
            Severity::Warning => "ui_severity_warning",
            Severity::Notice => "ui_severity_notice",
        }
    }
}

/// What a row says it is: a failure's reason or a notice's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    Failure(CorsError),
    Notice(NoticeKind),
}

/// What the table shows of a record, read for every row before anything
/// else: 2 000 stored records read whole (their exchanges' headers too)
/// took most of the panel's first paint (docs/performance.md). The whole
/// record is read when first needed ([`Entry::full`]).
#[derive(Clone, Debug)]
pub struct Row {
    pub what: What,
    pub request_id: String,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub resource_type: String,
    pub page_origin: String,
    pub count: u32,
    /// When it was last seen (ms since the epoch).
    pub time: f64,
}

impl Row {
    /// The row of a record read whole (the tests' way in; the view reads
    /// rows from the stored objects).
    #[cfg(test)]
    fn of(kind: &Kind) -> Row {
        match kind {
            Kind::Failure(f) => Row {
                what: What::Failure(f.reason),
                request_id: f.request_id.clone(),
                method: f.method.clone(),
                url: f.url.clone(),
                status: f.status,
                resource_type: f.resource_type.clone(),
                page_origin: f.page_origin.clone(),
                count: f.count,
                time: f.time_ms,
            },
            Kind::Notice(n) => Row {
                what: What::Notice(n.kind),
                request_id: n.request_id.clone(),
                method: n.method.clone(),
                url: n.url.clone(),
                status: n.status,
                resource_type: n.resource_type.clone(),
                page_origin: n.page_origin.clone(),
                count: n.count,
                time: n.time_ms,
            },
        }
    }
}

/// A record read whole into its domain value (a stored record that did not
/// deserialize never gets here: `None` is kept for the callers' one path).
pub fn kind_of(record: Record) -> Option<Kind> {
    Some(match record {
        Record::Failure(r) => Kind::Failure(Box::new(Finding::from(r))),
        Record::Notice(r) => Kind::Notice(Box::new(Notice::from(r))),
    })
}

/// One row of the table.
#[derive(Debug)]
pub struct Entry {
    /// Index of the record in the list the panel was given.
    pub index: u32,
    /// The grouping key: the same problem keeps its key when seen again, so
    /// the selection follows it across updates.
    pub key: String,
    pub row: Row,
    /// When the problem was first seen (ms since the epoch), when stored.
    pub first_seen: Option<f64>,
    /// The title in the panel's language, built once when first needed.
    pub title: OnceCell<String>,
    /// The whole record, read when first needed (a filter word the row does
    /// not decide, the title, the detail pane); `None` inside when it cannot
    /// be read.
    pub full: OnceCell<Option<Kind>>,
}

impl Entry {
    /// Reads one stored record whole; `None` when it cannot be read.
    #[cfg(test)]
    pub fn read(index: u32, record: Record, first_seen: Option<f64>) -> Option<Entry> {
        let key = match &record {
            Record::Failure(r) => r.key.clone(),
            Record::Notice(r) => r.key.clone(),
        };
        let kind = kind_of(record)?;
        let entry = Entry::of_row(index, key, Row::of(&kind), first_seen);
        // Just set: the cell was empty.
        let _ = entry.full.set(Some(kind));
        Some(entry)
    }

    /// A row whose whole record is read later.
    pub fn of_row(index: u32, key: String, row: Row, first_seen: Option<f64>) -> Entry {
        Entry {
            index,
            key,
            row,
            first_seen: first_seen.filter(|t| t.is_finite()),
            title: OnceCell::new(),
            full: OnceCell::new(),
        }
    }

    /// The whole record, when read and readable.
    pub fn kind(&self) -> Option<&Kind> {
        self.full.get().and_then(Option::as_ref)
    }

    pub fn is_failure(&self) -> bool {
        matches!(self.row.what, What::Failure(_))
    }

    /// The title, once the whole record is read ("" before, or when it
    /// cannot be read).
    pub fn title(&self, lang: Lang) -> &str {
        match self.kind() {
            Some(kind) => self.title.get_or_init(|| match kind {
                Kind::Failure(f) => explain(f, lang).title,
                Kind::Notice(n) => describe(n, lang).title,
            }),
            None => "",
        }
    }

    /// Whether the filter keeps this row: a filter with words needs the
    /// whole record (the caller reads it first); one that cannot be read is
    /// kept only when nothing is filtered.
    pub fn kept_by(&self, filter: &Filter, lang: Lang) -> bool {
        if filter.is_empty() {
            return true;
        }
        let item = match self.kind() {
            Some(Kind::Failure(f)) => Item::Failure(f),
            Some(Kind::Notice(n)) => Item::Notice(n),
            None => return false,
        };
        filter.keeps_item(item, &self.title, lang)
    }

    pub fn severity(&self) -> Severity {
        match self.row.what {
            What::Failure(_) => Severity::Failure,
            What::Notice(n) if n.is_warning() => Severity::Warning,
            What::Notice(_) => Severity::Notice,
        }
    }

    pub fn method(&self) -> &str {
        &self.row.method
    }

    pub fn url(&self) -> &str {
        &self.row.url
    }

    pub fn status(&self) -> Option<u16> {
        self.row.status
    }

    pub fn resource_type(&self) -> &str {
        &self.row.resource_type
    }

    pub fn page_origin(&self) -> &str {
        &self.row.page_origin
    }

    /// Chromium's reason id, or the notice's id.
    pub fn reason(&self) -> &'static str {
        match self.row.what {
            What::Failure(r) => r.chromium_id(),
            What::Notice(n) => n.id(),
        }
    }

    /// The MDN / Firefox id of a failure.
    pub fn mdn_id(&self) -> Option<&'static str> {
        match self.row.what {
            What::Failure(r) => Some(r.mdn_id()),
            What::Notice(_) => None,
        }
    }

    pub fn count(&self) -> u32 {
        self.row.count
    }

    /// When it was last seen (ms since the epoch).
    pub fn time(&self) -> f64 {
        self.row.time
    }

    pub fn request_id(&self) -> &str {
        &self.row.request_id
    }
}

/// A column of the table, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Severity,
    Method,
    Url,
    Status,
    Type,
    Page,
    Reason,
    Count,
    Time,
}

impl Col {
    pub const ALL: [Col; 9] = [
        Col::Severity,
        Col::Method,
        Col::Url,
        Col::Status,
        Col::Type,
        Col::Page,
        Col::Reason,
        Col::Count,
        Col::Time,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Col::Severity => "severity",
            Col::Method => "method",
            Col::Url => "url",
            Col::Status => "status",
            Col::Type => "type",
            Col::Page => "page",
            Col::Reason => "reason",
            Col::Count => "count",
            Col::Time => "time",
        }
    }

    pub fn from_id(id: &str) -> Option<Col> {
        Col::ALL.into_iter().find(|c| c.id() == id)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Col::Severity => "ui_col_severity",
            Col::Method => "ui_col_method",
            Col::Url => "ui_col_url",
            Col::Status => "ui_col_status",
            Col::Type => "ui_col_type",
            Col::Page => "ui_col_page",
            Col::Reason => "ui_col_reason",
            Col::Count => "ui_col_count",
            Col::Time => "ui_col_time",
        }
    }

    /// Width in CSS pixels before the user resizes it. The URL column
    /// takes what is left (this is its least width).
    pub fn default_width(self) -> f64 {
        match self {
            Col::Severity => 30.0,
            Col::Method => 70.0,
            Col::Url => 220.0,
            Col::Status => 56.0,
            Col::Type => 110.0,
            Col::Page => 170.0,
            Col::Reason => 250.0,
            Col::Count => 56.0,
            Col::Time => 80.0,
        }
    }

    /// Whether the column stays when the detail pane is open beside the
    /// table (the others are hidden, as in the Network panel).
    pub fn shown_beside_detail(self) -> bool {
        matches!(
            self,
            Col::Severity | Col::Method | Col::Url | Col::Status | Col::Reason
        )
    }

    /// The direction a first click sorts in: numbers and times largest first.
    pub fn first_descending(self) -> bool {
        matches!(self, Col::Count | Col::Time)
    }

    /// Orders two rows by this column, ascending.
    pub fn compare(self, a: &Entry, b: &Entry) -> Ordering {
        match self {
            Col::Severity => a.severity().cmp(&b.severity()),
            Col::Method => a.method().cmp(b.method()),
            Col::Url => a.url().cmp(b.url()),
            Col::Status => a.status().cmp(&b.status()),
            Col::Type => a.resource_type().cmp(b.resource_type()),
            Col::Page => a.page_origin().cmp(b.page_origin()),
            Col::Reason => a.reason().cmp(b.reason()),
            Col::Count => a.count().cmp(&b.count()),
            Col::Time => a.time().total_cmp(&b.time()),
        }
    }
}

/// The order of the table: a column and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub col: Col,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first, as the Network panel's waterfall reads.
    fn default() -> Sort {
        Sort {
            col: Col::Time,
            descending: true,
        }
    }
}

impl Sort {
    /// The order after a click on `col`'s header: the other direction when
    /// it is the sorted column, else its first direction.
    pub fn clicked(self, col: Col) -> Sort {
        if self.col == col {
            Sort {
                col,
                descending: !self.descending,
            }
        } else {
            Sort {
                col,
                descending: col.first_descending(),
            }
        }
    }

    /// Sorts positions into `entries`. Ties keep the later record first
    /// when descending (the one stored last is the newest).
    pub fn apply(self, entries: &[Entry], shown: &mut [usize]) {
        shown.sort_by(|&a, &b| {
            let (ea, eb) = (&entries[a], &entries[b]);
            let order = self.col.compare(ea, eb).then(ea.index.cmp(&eb.index));
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
    }
}

/// The URL split for display: the scheme and host (dimmed), then the path
/// and query (emphasised). The two parts always join back into `url`.
pub fn split_url(url: &str) -> (&str, &str) {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].find(['/', '?', '#']) {
        Some(i) => url.split_at(start + i),
        None => (url, ""),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)] // a test's expectations
mod tests {
    use super::*;
    use cors_lens_core::wire::{FindingRecord, NoticeRecord};
    use cors_lens_core::{CorsError, NoticeKind};

    fn failure(index: u32, method: &str, url: &str, time: f64, count: u32) -> Entry {
        let f = Finding {
            request_id: index.to_string(),
            time_ms: time,
            method: method.into(),
            url: url.into(),
            origin: "http://app.test".into(),
            page_origin: "http://app.test".into(),
            count,
            ..cors_lens_core::testing::finding(CorsError::MissingAllowOriginHeader)
        };
        let record = Record::Failure(FindingRecord::from(&f));
        Entry::read(index, record, None).expect("a readable record")
    }

    fn notice(index: u32, kind: NoticeKind, time: f64) -> Entry {
        let n = Notice {
            request_id: index.to_string(),
            tab_id: 1,
            time_ms: time,
            method: "GET".into(),
            url: "http://api.test/n".into(),
            resource_type: "xmlhttprequest".into(),
            origin: "http://app.test".into(),
            page_origin: "http://app.test".into(),
            status: None,
            kind,
            detail: String::new(),
            count: 1,
        };
        Entry::read(index, Record::Notice(NoticeRecord::from(&n)), None).expect("a notice")
    }

    fn order(entries: &[Entry], sort: Sort) -> Vec<u32> {
        let mut shown: Vec<usize> = (0..entries.len()).collect();
        sort.apply(entries, &mut shown);
        shown.into_iter().map(|i| entries[i].index).collect()
    }

    #[test]
    fn sorts_newest_first_by_default_and_by_any_column_on_click() {
        let entries = [
            failure(0, "PUT", "http://b.test/", 10.0, 1),
            failure(1, "GET", "http://c.test/", 30.0, 5),
            failure(2, "DELETE", "http://a.test/", 20.0, 2),
        ];
        let cases = [
            (Sort::default(), vec![1, 2, 0]),
            (Sort::default().clicked(Col::Time), vec![0, 2, 1]),
            (Sort::default().clicked(Col::Method), vec![2, 1, 0]),
            (Sort::default().clicked(Col::Url), vec![2, 0, 1]),
            (Sort::default().clicked(Col::Count), vec![1, 2, 0]),
            (
                Sort::default().clicked(Col::Count).clicked(Col::Count),
                vec![0, 2, 1],
            ),
        ];
        for (sort, want) in cases {
            assert_eq!(order(&entries, sort), want, "{sort:?}");
        }
    }

    #[test]
    fn equal_keys_keep_the_record_stored_last_first_when_descending() {
        let entries = [
            failure(0, "GET", "http://a.test/", 5.0, 1),
            failure(1, "GET", "http://a.test/", 5.0, 1),
        ];
        assert_eq!(order(&entries, Sort::default()), vec![1, 0]);
    }

    #[test]
    fn severity_puts_failures_before_warnings_before_notices() {
        let entries = [
            notice(0, NoticeKind::NoResponse, 1.0),
            notice(1, NoticeKind::NullOriginAllowed, 2.0),
            failure(2, "GET", "http://a.test/", 3.0, 1),
        ];
        let sort = Sort {
            col: Col::Severity,
            descending: false,
        };
        assert_eq!(order(&entries, sort), vec![2, 1, 0]);
        let ids: Vec<_> = entries.iter().map(|e| e.severity().id()).collect();
        assert_eq!(ids, ["notice", "warning", "failure"]);
    }

    #[test]
    fn split_url_dims_the_host_and_keeps_every_character() {
        let cases = [
            ("http://api.test/x?y=1", ("http://api.test", "/x?y=1")),
            ("http://api.test", ("http://api.test", "")),
            ("https://h.test?q", ("https://h.test", "?q")),
            ("not a url", ("not a url", "")),
            ("", ("", "")),
        ];
        for (url, want) in cases {
            let got = split_url(url);
            assert_eq!(got, want, "{url}");
            assert_eq!(format!("{}{}", got.0, got.1), url);
        }
    }

    #[test]
    fn columns_round_trip_through_their_ids() {
        for col in Col::ALL {
            assert_eq!(Col::from_id(col.id()), Some(col));
        }
        assert_eq!(Col::from_id("nope"), None);
    }
}
