//! Shared by the targets: everything a report goes through after the engine
//! (transfer record, JSON, explanation, fix snippets, the panel's filter),
//! so a panic anywhere downstream of ingestion is found too.

use cors_lens_core::filter::{Filter, Kind};
use cors_lens_core::fix::{self, Stack};
use cors_lens_core::l10n::Lang;
use cors_lens_core::wire::Record;
use cors_lens_core::{explain, notice_text, Report};

pub fn exercise(report: &Report) {
    let record = Record::from(report);
    let json = serde_json::to_string(&record).expect("a record serializes");
    let back: Record = serde_json::from_str(&json).expect("a record reads back");
    assert_eq!(back, record, "a record survives storage");
    // The filter: no panic, an empty filter keeps everything, and a word and
    // its negation split the records between them.
    assert!(Filter::default().keeps(&record, Lang::En));
    for word in ["get", "api", "200", "reason:missing", "host:localhost", "status:4", "é", "<"] {
        let kept = Filter::new(word, Kind::All).keeps(&record, Lang::Fr);
        let negated = Filter::new(&format!("-{word}"), Kind::All).keeps(&record, Lang::Fr);
        assert_ne!(kept, negated, "{word:?} and -{word:?} on {json}");
    }
    match report {
        Report::Failure(f) => {
            for lang in [Lang::En, Lang::Fr] {
                let _ = explain::explain(f, lang);
                for stack in Stack::ALL {
                    let _ = fix::snippets(f, stack, lang);
                }
            }
        }
        Report::Notice(n) => {
            let _ = notice_text::describe(n, Lang::En);
            let _ = notice_text::describe(n, Lang::Fr);
        }
    }
}
