//! Notices: what the core saw that is not a CORS failure but matters to the
//! person debugging one — risky configurations on responses that passed, and
//! requests that never got a CORS verdict at all.

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

/// What kind of network error a request without a response met, read from
/// the browser's error name: each has its own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkError {
    ConnectionRefused,
    NameNotResolved,
    Certificate,
    TimedOut,
    /// A redirect the browser will not follow for reasons other than CORS:
    /// to `data:`, `about:`, `file:` or an extension (`ERR_UNSAFE_REDIRECT`),
    /// to a scheme it cannot fetch (`ERR_UNKNOWN_URL_SCHEME`), a loop.
    Redirect,
    Other,
}

impl NetworkError {
    pub const ALL: [NetworkError; 6] = [
        NetworkError::ConnectionRefused,
        NetworkError::NameNotResolved,
        NetworkError::Certificate,
        NetworkError::TimedOut,
        NetworkError::Redirect,
        NetworkError::Other,
    ];

    /// From `net::ERR_*` (Chromium) or `NS_ERROR_*` (Firefox).
    pub fn of(error: &str) -> NetworkError {
        let e = error.trim();
        let name = e.strip_prefix("net::").unwrap_or(e);
        if name == "ERR_CONNECTION_REFUSED" || name == "NS_ERROR_CONNECTION_REFUSED" {
            NetworkError::ConnectionRefused
        } else if name == "ERR_NAME_NOT_RESOLVED"
            || name == "ERR_NAME_RESOLUTION_FAILED"
            || name == "NS_ERROR_UNKNOWN_HOST"
        {
            NetworkError::NameNotResolved
        } else if name.starts_with("ERR_CERT_")
            || name == "ERR_SSL_PROTOCOL_ERROR"
            || name == "ERR_BAD_SSL_CLIENT_AUTH_CERT"
            || name.starts_with("SEC_ERROR_")
            || name.starts_with("SSL_ERROR_")
        {
            NetworkError::Certificate
        } else if name == "ERR_TIMED_OUT"
            || name == "ERR_CONNECTION_TIMED_OUT"
            || name == "NS_ERROR_NET_TIMEOUT"
        {
            NetworkError::TimedOut
        } else if matches!(
            name,
            "ERR_UNSAFE_REDIRECT"
                | "ERR_UNKNOWN_URL_SCHEME"
                | "ERR_INVALID_REDIRECT"
                | "ERR_TOO_MANY_REDIRECTS"
                | "NS_ERROR_REDIRECT_LOOP"
                | "NS_ERROR_UNKNOWN_PROTOCOL"
        ) {
            NetworkError::Redirect
        } else {
            NetworkError::Other
        }
    }

    /// The suffix of its message keys (`notice_what_NoResponse_refused`, ...).
    pub fn key_suffix(self) -> &'static str {
        match self {
            NetworkError::ConnectionRefused => "_refused",
            NetworkError::NameNotResolved => "_dns",
            NetworkError::Certificate => "_cert",
            NetworkError::TimedOut => "_timeout",
            NetworkError::Redirect => "_redirect",
            NetworkError::Other => "",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
