//! Notices: what the core saw that is not a CORS failure but matters to the
//! person debugging one — risky configurations on responses that passed, and
//! requests that never got a CORS verdict at all.

use crate::browser_error::NetworkError;

/// What a notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// The response named the requesting origin and allowed credentials but
    /// had no `Vary: Origin`: if the server reflects origins, a shared cache
    /// can hand one origin's response to another.
    CredentialedOriginWithoutVary,
    /// `Access-Control-Allow-Origin: null` let the response through: any
    /// sandboxed iframe or `data:` page can read it.
    NullOriginAllowed,
    /// `*` together with `Access-Control-Allow-Credentials: true`, or `*` on
    /// a request that carried cookies: the server thinks it supports
    /// credentials, and the first credentialed request will fail.
    WildcardWithCredentials,
    /// The browser itself blocked the request before it left (an ad blocker
    /// or another extension): `net::ERR_BLOCKED_BY_CLIENT`.
    BlockedByClient,
    /// The request never got a response (connection refused, unknown host,
    /// timeout, TLS failure): whatever the console says, CORS is not the cause.
    NoResponse,
    /// The preflight passed only because `Access-Control-Allow-Headers: *`
    /// covered `Authorization`: the Fetch standard says `*` never does, and
    /// browsers are removing the leniency (Chromium's
    /// `CorsNonWildcardRequestHeadersSupport`).
    AuthorizationCoveredByWildcard,
    /// The browser refused the request with its CORS error before any
    /// response was seen and without a failed preflight: the reason is one
    /// the headers do not show (see docs/verdicts.md).
    CorsReasonNotShown,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 7] = [
        NoticeKind::CredentialedOriginWithoutVary,
        NoticeKind::NullOriginAllowed,
        NoticeKind::WildcardWithCredentials,
        NoticeKind::BlockedByClient,
        NoticeKind::NoResponse,
        NoticeKind::AuthorizationCoveredByWildcard,
        NoticeKind::CorsReasonNotShown,
    ];

    /// A stable identifier, used in records, message keys and the panel.
    pub fn id(self) -> &'static str {
        match self {
            NoticeKind::CredentialedOriginWithoutVary => "CredentialedOriginWithoutVary",
            NoticeKind::NullOriginAllowed => "NullOriginAllowed",
            NoticeKind::WildcardWithCredentials => "WildcardWithCredentials",
            NoticeKind::BlockedByClient => "BlockedByClient",
            NoticeKind::NoResponse => "NoResponse",
            NoticeKind::AuthorizationCoveredByWildcard => "AuthorizationCoveredByWildcard",
            NoticeKind::CorsReasonNotShown => "CorsReasonNotShown",
        }
    }

    pub fn from_id(id: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Warnings are about responses that passed; the others are requests
    /// that failed for a reason other than CORS.
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            NoticeKind::CredentialedOriginWithoutVary
                | NoticeKind::NullOriginAllowed
                | NoticeKind::WildcardWithCredentials
                | NoticeKind::AuthorizationCoveredByWildcard
        )
    }
}

/// One notice about one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub request_id: String,
    pub tab_id: i64,
    pub time_ms: f64,
    pub method: String,
    pub url: String,
    pub resource_type: String,
    /// The serialized request origin (`Origin` as sent).
    pub origin: String,
    pub page_origin: String,
    pub status: Option<u16>,
    pub kind: NoticeKind,
    /// The value the notice is about: the network error, or the header value.
    pub detail: String,
    pub count: u32,
}

impl Notice {
    /// Notices with the same key are the same thing seen again.
    pub fn group_key(&self) -> String {
        format!(
            "notice|{}|{}|{}|{}",
            self.kind.id(),
            self.method,
            self.url,
            self.origin
        )
    }
}

/// A notice in words, in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeText {
    pub title: String,
    pub what: String,
    pub fix: String,
}

/// Explains a notice with the request's own values.
pub fn describe(n: &Notice, lang: crate::l10n::Lang) -> NoticeText {
    use crate::l10n::{t, tf};
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
    NoticeText {
        title: t(lang, &format!("notice_title_{id}")),
        what: tf(lang, &format!("notice_what_{id}"), &args),
        fix: tf(lang, &format!("notice_fix_{id}"), &args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l10n::{keys, Lang};

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
        let n = Notice {
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
        };
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
    fn network_errors_are_named_for_what_they_are() {
        use NetworkError::*;
        for (error, want) in [
            ("net::ERR_CONNECTION_REFUSED", ConnectionRefused),
            ("net::ERR_NAME_NOT_RESOLVED", NameNotResolved),
            ("net::ERR_CERT_AUTHORITY_INVALID", Certificate),
            ("net::ERR_CERT_DATE_INVALID", Certificate),
            ("net::ERR_TIMED_OUT", TimedOut),
            ("net::ERR_CONNECTION_TIMED_OUT", TimedOut),
            ("net::ERR_UNSAFE_REDIRECT", Redirect),
            ("net::ERR_UNKNOWN_URL_SCHEME", Redirect),
            ("net::ERR_TOO_MANY_REDIRECTS", Redirect),
            ("net::ERR_CONNECTION_RESET", Other),
            ("", Other),
        ] {
            assert_eq!(NetworkError::of(error), want, "{error}");
        }
        let mut n = Notice {
            request_id: "1".into(),
            tab_id: 1,
            time_ms: 0.0,
            method: "GET".into(),
            url: "https://api.test/".into(),
            resource_type: "xmlhttprequest".into(),
            origin: "https://app.test".into(),
            page_origin: "https://app.test".into(),
            status: None,
            kind: NoticeKind::NoResponse,
            detail: "net::ERR_CERT_AUTHORITY_INVALID".into(),
            count: 1,
        };
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
