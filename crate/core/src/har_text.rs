//! The offline analysis in words: why a file is not a readable HAR, and the
//! summary of one that was read. The adapter (`har`) decides, knowing no
//! text; this is their presentation, shared by the command-line tool and
//! the standalone page.

use crate::har::{Analysis, HarError};
use crate::l10n::{t, tf, Lang};

/// Why a file could not be read, in one language.
pub fn error(e: &HarError, lang: Lang) -> String {
    let key = format!("har_error_{}", e.key());
    match e {
        HarError::NotJson { line, column } => tf(
            lang,
            &key,
            &[("line", &line.to_string()), ("column", &column.to_string())],
        ),
        HarError::NotHar { detail } | HarError::Io(detail) => tf(lang, &key, &[("detail", detail)]),
        HarError::Binary | HarError::Truncated => t(lang, &key),
    }
}

/// "N requests read: ... failures, ... notices; ... without a response".
pub fn summary(a: &Analysis, lang: Lang) -> String {
    tf(
        lang,
        "har_summary",
        &[
            ("entries", &a.counts.entries.to_string()),
            ("failures", &a.failures().to_string()),
            ("notices", &a.notices().to_string()),
            ("unanswered", &a.counts.without_response.to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_error_has_its_words_in_each_language() {
        let errors = [
            HarError::Binary,
            HarError::NotJson { line: 3, column: 7 },
            HarError::NotHar {
                detail: "no log.entries list".to_owned(),
            },
            HarError::Truncated,
            HarError::Io("denied".to_owned()),
        ];
        for lang in Lang::ALL {
            for e in &errors {
                let text = error(e, lang);
                assert!(
                    !text.contains('{') && !text.starts_with("har_error"),
                    "{text}"
                );
            }
            assert!(error(&errors[1], lang).contains('3'));
        }
    }
}
