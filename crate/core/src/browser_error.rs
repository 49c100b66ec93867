//! The browser's error names (`net::ERR_*` from Chromium, `NS_*` from
//! Firefox) as `webRequest`'s `onErrorOccurred` reports them, read in one
//! place: the engine decides on them, the notices word them.

/// What an error name says about how a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrowserError {
    /// The browser refused the response for CORS: Chromium says
    /// `net::ERR_FAILED` for every CORS reason, Firefox `NS_ERROR_DOM_BAD_URI`.
    Cors,
    /// Cancelled (the page aborted, or navigated away).
    Aborted,
    /// Another extension (an ad blocker) stopped the request before it left.
    BlockedByClient,
    /// Local Network Access: the page may not reach a more private address
    /// without the user's permission, and has none. Chromium names it on an
    /// actual request only (its preflight ends with `net::ERR_FAILED`);
    /// docs/browser-facts.md, "Local Network Access".
    LocalNetworkAccess,
    /// Any other error: the request met a network failure (or Firefox ended
    /// it so after a refused redirect, which the engine tells apart).
    Network(NetworkError),
}

/// The exact names of the three kinds the engine acts on, Chromium's then
/// Firefox's.
const CORS: [&str; 2] = ["net::ERR_FAILED", "NS_ERROR_DOM_BAD_URI"];
const ABORTED: [&str; 2] = ["net::ERR_ABORTED", "NS_BINDING_ABORTED"];
const BLOCKED_BY_CLIENT: [&str; 2] = ["net::ERR_BLOCKED_BY_CLIENT", "NS_ERROR_ABORT"];
const LOCAL_NETWORK_ACCESS: [&str; 2] = [
    "net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS",
    "NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED",
];

impl BrowserError {
    /// Reads an error name (the empty string when there was none).
    pub fn of(error: &str) -> BrowserError {
        if CORS.contains(&error) {
            BrowserError::Cors
        } else if ABORTED.contains(&error) {
            BrowserError::Aborted
        } else if BLOCKED_BY_CLIENT.contains(&error) {
            BrowserError::BlockedByClient
        } else if LOCAL_NETWORK_ACCESS.contains(&error) {
            BrowserError::LocalNetworkAccess
        } else {
            BrowserError::Network(NetworkError::of(error))
        }
    }

    /// Whether the name is one of Firefox's (`NS_*`; Chromium's all start
    /// with `net::`).
    pub fn is_firefox_name(error: &str) -> bool {
        error.starts_with("NS_")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_are_read_as_the_browsers_mean_them() {
        use NetworkError::*;
        let cases = [
            ("net::ERR_FAILED", BrowserError::Cors),
            ("NS_ERROR_DOM_BAD_URI", BrowserError::Cors),
            ("net::ERR_ABORTED", BrowserError::Aborted),
            ("NS_BINDING_ABORTED", BrowserError::Aborted),
            ("net::ERR_BLOCKED_BY_CLIENT", BrowserError::BlockedByClient),
            ("NS_ERROR_ABORT", BrowserError::BlockedByClient),
            (
                "net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS",
                BrowserError::LocalNetworkAccess,
            ),
            (
                "NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED",
                BrowserError::LocalNetworkAccess,
            ),
            // Names are compared exactly: anything else is a network error.
            (" net::ERR_FAILED", BrowserError::Network(Other)),
            ("ERR_FAILED", BrowserError::Network(Other)),
            (
                "net::ERR_CONNECTION_REFUSED",
                BrowserError::Network(ConnectionRefused),
            ),
            (
                "NS_ERROR_CONNECTION_REFUSED",
                BrowserError::Network(ConnectionRefused),
            ),
            (
                "NS_ERROR_UNKNOWN_HOST",
                BrowserError::Network(NameNotResolved),
            ),
            (
                "SEC_ERROR_UNKNOWN_ISSUER",
                BrowserError::Network(Certificate),
            ),
            ("NS_ERROR_NET_TIMEOUT", BrowserError::Network(TimedOut)),
            ("net::ERR_UNSAFE_REDIRECT", BrowserError::Network(Redirect)),
            (
                " net::ERR_UNSAFE_REDIRECT ",
                BrowserError::Network(Redirect),
            ),
            ("NS_ERROR_UNEXPECTED", BrowserError::Network(Other)),
            ("", BrowserError::Network(Other)),
        ];
        for (error, want) in cases {
            assert_eq!(BrowserError::of(error), want, "{error:?}");
        }
    }

    #[test]
    fn firefox_names_start_with_ns() {
        let cases = [
            ("NS_ERROR_UNEXPECTED", true),
            ("NS_BINDING_ABORTED", true),
            ("net::ERR_FAILED", false),
            ("", false),
        ];
        for (error, want) in cases {
            assert_eq!(BrowserError::is_firefox_name(error), want, "{error:?}");
        }
    }
}
