//! Notices in words: the title, what happened and what to do, in one
//! language, with the request's own values. The notices themselves are
//! decided in the verdict layer (`notice.rs`, the engine), which knows no
//! text; this is the presentation of them, beside `explain.rs`.

use crate::browser_error::{BrowserError, NetworkError};
use crate::l10n::{t, tf, Lang};
use crate::notice::{Notice, NoticeKind};
use crate::reason::firefox_id_of_notice;

/// A notice in words, in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeText {
    pub title: String,
    pub what: String,
    pub fix: String,
}

/// Explains a notice with the request's own values.
pub fn describe(n: &Notice, lang: Lang) -> NoticeText {
    let status = n.status.map(|s| s.to_string()).unwrap_or_default();
    let args = [
        ("method", n.method.as_str()),
        ("url", n.url.as_str()),
        ("origin", n.origin.as_str()),
        ("detail", n.detail.as_str()),
        ("status", status.as_str()),
    ];
    let id = n.kind.id();
    // A request without a response is named for the network error it met.
    let id = match n.kind {
        NoticeKind::NoResponse => format!("{id}{}", NetworkError::of(&n.detail).key_suffix()),
        _ => id.to_owned(),
    };
    let mut what = tf(lang, &format!("notice_what_{id}"), &args);
    // Firefox (its `NS_*` error names) prints a CORS reason for it: named,
    // and said to be what it is.
    if let Some(firefox) =
        firefox_id_of_notice(n.kind).filter(|_| BrowserError::is_firefox_name(&n.detail))
    {
        what.push(' ');
        what.push_str(&tf(
            lang,
            &format!("notice_firefox_{}", n.kind.id()),
            &[("firefox", firefox)],
        ));
    }
    NoticeText {
        title: t(lang, &format!("notice_title_{id}")),
        what,
        fix: tf(lang, &format!("notice_fix_{id}"), &args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l10n::keys;

    fn refused_connection() -> Notice {
        Notice {
            request_id: "1".into(),
            tab_id: 1,
            time_ms: 0.0,
            method: "GET".into(),
            url: "http://localhost:9/<b>x</b>".into(),
            resource_type: "xmlhttprequest".into(),
            origin: "http://127.0.0.1:8080".into(),
            page_origin: "http://127.0.0.1:8080".into(),
            status: None,
            kind: NoticeKind::NoResponse,
            detail: "net::ERR_CONNECTION_REFUSED".into(),
            count: 1,
        }
    }

    #[test]
    fn every_notice_has_its_words_in_both_languages() {
        for lang in [Lang::En, Lang::Fr] {
            let known = keys(lang);
            for kind in NoticeKind::ALL {
                for part in ["title", "what", "fix"] {
                    let key = format!("notice_{part}_{}", kind.id());
                    assert!(known.contains(&key), "{lang:?} lacks {key}");
                }
            }
            for e in NetworkError::ALL {
                for part in ["title", "what", "fix"] {
                    let key = format!("notice_{part}_NoResponse{}", e.key_suffix());
                    assert!(known.contains(&key), "{lang:?} lacks {key}");
                }
            }
        }
    }

    #[test]
    fn notice_text_carries_the_request_values_as_given() {
        let n = refused_connection();
        for lang in [Lang::En, Lang::Fr] {
            let text = describe(&n, lang);
            assert!(
                text.what.contains("http://localhost:9/<b>x</b>"),
                "{text:?}"
            );
            assert!(
                text.what.contains("net::ERR_CONNECTION_REFUSED"),
                "{text:?}"
            );
            assert!(!text.title.is_empty() && !text.fix.is_empty());
        }
    }

    #[test]
    fn a_firefox_request_without_response_names_its_console_id_as_a_network_error() {
        let mut n = refused_connection();
        for (detail, named) in [
            ("NS_ERROR_CONNECTION_REFUSED", true),
            ("NS_ERROR_UNKNOWN_HOST", true),
            ("net::ERR_CONNECTION_REFUSED", false),
        ] {
            n.detail = detail.into();
            for lang in [Lang::En, Lang::Fr] {
                let text = describe(&n, lang);
                assert_eq!(text.what.contains("CORSDidNotSucceed"), named, "{text:?}");
                assert!(text.what.contains(detail), "{text:?}");
            }
        }
        for lang in [Lang::En, Lang::Fr] {
            assert!(keys(lang).contains(&"notice_firefox_NoResponse".to_owned()));
        }
    }

    #[test]
    fn a_request_without_response_is_titled_for_its_network_error() {
        let mut n = refused_connection();
        n.url = "https://api.test/".into();
        n.detail = "net::ERR_CERT_AUTHORITY_INVALID".into();
        for lang in [Lang::En, Lang::Fr] {
            let cert = describe(&n, lang);
            n.detail = "net::ERR_NAME_NOT_RESOLVED".into();
            let dns = describe(&n, lang);
            n.detail = "net::ERR_CERT_AUTHORITY_INVALID".into();
            assert_ne!(cert.title, dns.title);
            assert!(
                cert.what.contains("net::ERR_CERT_AUTHORITY_INVALID"),
                "{cert:?}"
            );
        }
    }
}
