//! The panel's filter: which stored records a query and a kind keep, so the
//! list, and the exports of "the shown findings", agree on one definition.
//!
//! A query is words separated by spaces, all of which must match (as in the
//! Network panel's filter box). A word matches, ignoring case, when it is
//! part of the URL, the method, the status, the resource type, the page
//! origin, the reason (Chromium's and MDN's ids, or the notice kind), the
//! failing parameter, or the title in the panel's language. Prefixes narrow
//! a word to one field: `reason:`, `method:`, `status:`, `host:`, `type:`.
//! A leading `-` keeps the records that do **not** match the word.

use std::cell::OnceCell;

use crate::explain::explain;
use crate::l10n::Lang;
use crate::notice_text::describe;
use crate::wire::Record;
use crate::{Finding, Notice};

/// Which records, by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// Failures and notices.
    #[default]
    All,
    /// CORS failures only.
    Failures,
    /// Notices only: warnings on passing responses, non-CORS failures.
    Notices,
}

impl Kind {
    /// `failures`, `notices`; anything else is every record.
    pub fn from_id(id: &str) -> Kind {
        match id {
            "failures" => Kind::Failures,
            "notices" => Kind::Notices,
            _ => Kind::All,
        }
    }
}

/// The field a word is narrowed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Any,
    Reason,
    Method,
    Status,
    Host,
    Type,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Word {
    negated: bool,
    field: Field,
    /// Lowercase.
    text: String,
}

/// A parsed query and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    words: Vec<Word>,
    kind: Kind,
}

impl Filter {
    pub fn new(query: &str, kind: Kind) -> Filter {
        let words = query
            .split_whitespace()
            .map(|raw| {
                let (negated, rest) = match raw.strip_prefix('-') {
                    Some(rest) if !rest.is_empty() => (true, rest),
                    _ => (false, raw),
                };
                let (field, text) = match rest.split_once(':') {
                    Some((name, text)) if !text.is_empty() => {
                        match name.to_ascii_lowercase().as_str() {
                            "reason" => (Field::Reason, text),
                            "method" => (Field::Method, text),
                            "status" => (Field::Status, text),
                            "host" | "domain" => (Field::Host, text),
                            "type" => (Field::Type, text),
                            _ => (Field::Any, rest),
                        }
                    }
                    _ => (Field::Any, rest),
                };
                Word {
                    negated,
                    field,
                    text: fold(text),
                }
            })
            .collect();
        Filter { words, kind }
    }

    /// Whether this filter keeps every record.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.kind == Kind::All
    }

    /// Whether `record` is kept. Titles are looked up in `lang` only when a
    /// word is not found in the record's own values.
    pub fn keeps(&self, record: &Record, lang: Lang) -> bool {
        if self.is_empty() {
            return true;
        }
        // A record with an unknown reason or notice is no `Record` (its
        // reading fails and the renderer counts it as unreadable).
        match record.clone() {
            Record::Failure(r) => {
                self.keeps_item(Item::Failure(&Finding::from(r)), &OnceCell::new(), lang)
            }
            Record::Notice(r) => {
                self.keeps_item(Item::Notice(&Notice::from(r)), &OnceCell::new(), lang)
            }
        }
    }

    /// Whether a record already read into its domain type is kept. `title`
    /// holds the item's title in `lang` once built (a whole explanation):
    /// a caller that filters the same items again (the panel, at each
    /// keystroke) keeps the cell and builds each title at most once.
    pub fn keeps_item(&self, item: Item<'_>, title: &OnceCell<String>, lang: Lang) -> bool {
        let kind_ok = match self.kind {
            Kind::All => true,
            Kind::Failures => matches!(item, Item::Failure(_)),
            Kind::Notices => matches!(item, Item::Notice(_)),
        };
        kind_ok
            && self
                .words
                .iter()
                .all(|w| item.matches(w, title, lang) != w.negated)
    }

    /// Indices of the records of `records` that are kept, in order.
    pub fn indices(&self, records: &[Record], lang: Lang) -> Vec<usize> {
        records
            .iter()
            .enumerate()
            .filter(|(_, r)| self.keeps(r, lang))
            .map(|(i, _)| i)
            .collect()
    }
}

/// A record read into its domain type, borrowed.
#[derive(Clone, Copy, Debug)]
pub enum Item<'a> {
    Failure(&'a Finding),
    Notice(&'a Notice),
}

impl Item<'_> {
    fn title(&self, lang: Lang) -> String {
        match self {
            Item::Failure(f) => explain(f, lang).title,
            Item::Notice(n) => describe(n, lang).title,
        }
    }

    fn matches(&self, word: &Word, title: &OnceCell<String>, lang: Lang) -> bool {
        let has = |value: &str| fold(value).contains(&word.text);
        let (method, url, status, resource_type, page_origin) = match self {
            Item::Failure(f) => (
                &f.method,
                &f.url,
                f.status,
                &f.resource_type,
                &f.page_origin,
            ),
            Item::Notice(n) => (
                &n.method,
                &n.url,
                n.status,
                &n.resource_type,
                &n.page_origin,
            ),
        };
        let status = status.map(|s| s.to_string()).unwrap_or_default();
        let reason = || match self {
            Item::Failure(f) => has(f.reason.chromium_id()) || has(f.reason.mdn_id()),
            Item::Notice(n) => has(n.kind.id()),
        };
        match word.field {
            Field::Reason => reason(),
            Field::Method => has(method),
            Field::Status => status.starts_with(&word.text),
            Field::Host => host_of(url).is_some_and(|h| has(&h)),
            Field::Type => has(resource_type),
            Field::Any => {
                has(url)
                    || has(method)
                    || has(&status)
                    || has(resource_type)
                    || has(page_origin)
                    || reason()
                    || has(match self {
                        Item::Failure(f) => &f.failed_parameter,
                        Item::Notice(n) => &n.detail,
                    })
                    || has(title.get_or_init(|| self.title(lang)))
            }
        }
    }
}

/// Lowercase for matching: ASCII and the Latin-1 capitals French uses
/// (`É`, `À`, `Ç`, …). `str::to_lowercase` would do every script, but its
/// Unicode tables cost 18 KB of wasm for a filter box.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'À'..='Þ' if c != '×' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
            'Œ' => 'œ',
            _ => c,
        })
        .collect()
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{FindingRecord, NoticeRecord};
    use crate::{CorsError, NoticeKind};

    fn failure(reason: CorsError, method: &str, url: &str, status: u16, param: &str) -> Record {
        let f = Finding {
            time_ms: 1.0,
            method: method.into(),
            url: url.into(),
            origin: "http://app.test".into(),
            page_origin: "http://app.test".into(),
            status: Some(status),
            failed_parameter: param.into(),
            ..crate::testing::finding(reason)
        };
        Record::Failure(FindingRecord::from(&f))
    }

    fn notice(kind: NoticeKind, url: &str, detail: &str) -> Record {
        let n = Notice {
            request_id: "2".into(),
            tab_id: 1,
            time_ms: 1.0,
            method: "GET".into(),
            url: url.into(),
            resource_type: "image".into(),
            origin: "http://app.test".into(),
            page_origin: "http://app.test".into(),
            status: None,
            kind,
            detail: detail.into(),
            count: 1,
        };
        Record::Notice(NoticeRecord::from(&n))
    }

    fn records() -> Vec<Record> {
        vec![
            failure(
                CorsError::MissingAllowOriginHeader,
                "GET",
                "http://api.test/users?page=2",
                200,
                "",
            ),
            failure(
                CorsError::AllowOriginMismatch,
                "PUT",
                "http://other.test/items",
                404,
                "http://elsewhere.test",
            ),
            notice(
                NoticeKind::NoResponse,
                "http://down.test/x",
                "net::ERR_CONNECTION_REFUSED",
            ),
        ]
    }

    #[test]
    fn queries_keep_the_records_they_describe() {
        let cases: &[(&str, Kind, &[usize])] = &[
            ("", Kind::All, &[0, 1, 2]),
            ("   ", Kind::All, &[0, 1, 2]),
            ("", Kind::Failures, &[0, 1]),
            ("", Kind::Notices, &[2]),
            ("api.test", Kind::All, &[0]),
            ("API.TEST", Kind::All, &[0]),
            ("users 200", Kind::All, &[0]),
            ("users 404", Kind::All, &[]),
            ("-api.test", Kind::All, &[1, 2]),
            ("-api.test", Kind::Notices, &[2]),
            ("missingalloworigin", Kind::All, &[0]),
            ("CORSMissingAllowOrigin", Kind::All, &[0]),
            ("reason:mismatch", Kind::All, &[1]),
            ("reason:NoResponse", Kind::All, &[2]),
            ("method:put", Kind::All, &[1]),
            ("-method:get", Kind::All, &[1]),
            ("status:4", Kind::All, &[1]),
            ("status:20", Kind::All, &[0]),
            ("host:other", Kind::All, &[1]),
            ("type:image", Kind::All, &[2]),
            ("elsewhere", Kind::All, &[1]),
            ("connection_refused", Kind::All, &[2]),
            // An unknown prefix is plain text.
            ("http://api", Kind::All, &[0]),
            ("nope:x", Kind::All, &[]),
            // A lone `-` is a word, not a negation: the titles name the
            // `Access-Control-…` headers, the notice's does not.
            ("-", Kind::All, &[0, 1]),
        ];
        let all = records();
        for (query, kind, expected) in cases {
            assert_eq!(
                Filter::new(query, *kind).indices(&all, Lang::En),
                expected.to_vec(),
                "query {query:?} kind {kind:?}"
            );
        }
    }

    #[test]
    fn words_match_the_title_in_the_panel_language() {
        let all = records();
        let en = explain_title(&all[0], Lang::En);
        let fr = explain_title(&all[0], Lang::Fr);
        let en_word = longest_word(&en);
        let fr_word = longest_word(&fr);
        assert!(Filter::new(&en_word, Kind::All)
            .indices(&all, Lang::En)
            .contains(&0));
        assert!(Filter::new(&fr_word, Kind::All)
            .indices(&all, Lang::Fr)
            .contains(&0));
    }

    fn explain_title(record: &Record, lang: Lang) -> String {
        match record.clone() {
            Record::Failure(r) => explain(&Finding::from(r), lang).title,
            Record::Notice(_) => unreachable!("a failure"),
        }
    }

    fn longest_word(s: &str) -> String {
        s.split(|c: char| !c.is_alphanumeric())
            .max_by_key(|w| w.chars().count())
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn case_is_ignored_for_ascii_and_french_letters() {
        let cases = [
            ("ÉCHEC À L'ŒIL Ça", "échec à l'œil ça"),
            ("ABC xyz", "abc xyz"),
            ("×÷", "×÷"),
        ];
        for (raw, folded) in cases {
            assert_eq!(fold(raw), folded, "{raw}");
        }
    }

    #[test]
    fn a_stored_record_with_an_unknown_reason_is_no_record() {
        let good = serde_json::to_value(&records()[0]).expect("a record");
        let mut bad = good.clone();
        bad["reason"] = "NotAReason".into();
        assert!(serde_json::from_value::<Record>(good).is_ok());
        assert!(serde_json::from_value::<Record>(bad).is_err());
    }

    #[test]
    fn emptiness_is_no_word_and_every_kind() {
        assert!(Filter::new("  ", Kind::All).is_empty());
        assert!(!Filter::new("x", Kind::All).is_empty());
        assert!(!Filter::new("", Kind::Notices).is_empty());
        assert_eq!(Kind::from_id("failures"), Kind::Failures);
        assert_eq!(Kind::from_id("notices"), Kind::Notices);
        assert_eq!(Kind::from_id("whatever"), Kind::All);
    }
}
