//! The offline analysis in words: why a file is not a readable HAR, the
//! summary of one that was read, and what a pasted text was read as. The adapter (`har`) decides, knowing no
//! text; this is their presentation, shared by the command-line tool and
//! the standalone page.

use crate::har::{Analysis, HarError};
use crate::l10n::{t, tf, Lang};
use crate::paste::{console::Browser, Pasted};
use crate::report::Report;

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

/// What a pasted text was read as, in one language.
pub fn paste(p: &Pasted, lang: Lang) -> String {
    match p {
        Pasted::Console(line) => t(
            lang,
            match line.browser {
                Browser::Chromium => "paste_console_chromium",
                Browser::Firefox => "paste_console_firefox",
            },
        ),
        Pasted::Exchange { reports } if reports.is_empty() => t(lang, "paste_passes"),
        Pasted::Exchange { reports } => {
            let failures = reports
                .iter()
                .filter(|r| matches!(r, Report::Failure(_)))
                .count();
            tf(
                lang,
                "paste_judged",
                &[
                    ("failures", &failures.to_string()),
                    ("notices", &(reports.len() - failures).to_string()),
                ],
            )
        }
        Pasted::NoOrigin => t(lang, "paste_no_origin"),
        Pasted::Unrecognised => t(lang, "paste_unrecognised"),
    }
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
