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
    /// The response allowed the request's origin with an
    /// `Access-Control-Allow-Credentials` that is neither `true` nor `false`
    /// (`TRUE`, `"true"`, `1`, repeated lines): the server means to allow
    /// credentials, and every request that carries them is refused. Firefox
    /// reports such a refusal as a completed request, so this is all its
    /// `webRequest` can show of it (docs/verdicts.md, "In Firefox").
    AllowCredentialsNotTrue,
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
    pub const ALL: [NoticeKind; 8] = [
        NoticeKind::CredentialedOriginWithoutVary,
        NoticeKind::NullOriginAllowed,
        NoticeKind::WildcardWithCredentials,
        NoticeKind::AllowCredentialsNotTrue,
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
            NoticeKind::AllowCredentialsNotTrue => "AllowCredentialsNotTrue",
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
                | NoticeKind::AllowCredentialsNotTrue
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
    use crate::browser_error::NetworkError;

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
