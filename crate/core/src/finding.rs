//! The finding model: one request the browser refused, with the facts the
//! check used, ready to be explained, grouped and exported.

use crate::headers::Header;
use crate::reason::CorsError;

/// One HTTP exchange as the core saw it: raw inside the engine, redacted
/// before a report leaves it (see [`crate::redact`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Seen {
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub request_headers: Vec<Header>,
    pub response_headers: Vec<Header>,
}

/// Whether the request carried credentials, and how we know.
///
/// `webRequest` never says which credentials mode a request used, so it is
/// inferred and the finding says from what.
/// Stored and exported by the ids `unknown`, `include-cookie` and
/// `include-failure` (docs/export.schema.json).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Credentials {
    /// No sign of credentials.
    #[serde(rename = "unknown")]
    Unknown,
    /// The request carried a `Cookie` header: credentials mode was `include`.
    #[serde(rename = "include-cookie")]
    IncludeFromCookie,
    /// Only credentials explain the browser's refusal (for example `*` was
    /// refused): credentials mode must have been `include`.
    #[serde(rename = "include-failure")]
    IncludeFromFailure,
}

impl Credentials {
    pub fn included(self) -> bool {
        !matches!(self, Credentials::Unknown)
    }
}

/// One CORS failure the core recomputed.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The browser's `requestId`.
    pub request_id: String,
    /// The tab the request came from (`-1` when not from a tab).
    pub tab_id: i64,
    /// When the failure was seen, in milliseconds since the epoch.
    pub time_ms: f64,
    /// The request method, as sent; for a preflight failure, the method of
    /// the request the preflight asked about (`Access-Control-Request-Method`).
    pub method: String,
    /// The URL of the response that failed the check (the last hop).
    pub url: String,
    /// The `webRequest` resource type (`xmlhttprequest`, `image`, ...).
    pub resource_type: String,
    /// The serialized request origin the check compared against: the `Origin`
    /// header as sent, `null` after a cross-origin redirect.
    pub origin: String,
    /// The origin of the page that made the request.
    pub page_origin: String,
    /// The response status code, when a response arrived (the preflight's,
    /// for a preflight failure).
    pub status: Option<u16>,
    /// Which step failed.
    pub reason: CorsError,
    /// The header value the step rejected, as the DevTools protocol's
    /// `failedParameter` reports it (empty when the header was absent).
    pub failed_parameter: String,
    /// Every `Access-Control-Allow-Origin` value received, in order.
    pub allow_origin: Vec<String>,
    /// The `Access-Control-Allow-Credentials` value, if any.
    pub allow_credentials: Option<String>,
    /// For a preflight: `Access-Control-Allow-Methods` as received.
    pub allow_methods: Option<String>,
    /// For a preflight: `Access-Control-Allow-Headers` as received.
    pub allow_headers: Option<String>,
    /// For a preflight: the request headers the page wanted to send
    /// (`Access-Control-Request-Headers`, lowercase names). Empty otherwise.
    pub requested_headers: Vec<String>,
    /// Whether credentials were sent, and how we know.
    pub credentials: Credentials,
    /// URLs of the earlier hops when the request was redirected.
    pub redirects: Vec<String>,
    /// Whether an earlier response from the same endpoint (origin and path)
    /// carried `Access-Control-Allow-Origin`: with an error status, the
    /// server drops its CORS headers on errors (Nginx `add_header` without
    /// `always` is the classic case).
    pub endpoint_allowed_before: bool,
    /// The exchange that failed (for a preflight failure, the `OPTIONS`),
    /// last hop (redacted once reported).
    pub exchange: Seen,
    /// For a failure of the actual request, the preflight that let it go,
    /// when one was seen (a cached preflight is not repeated).
    pub preflight: Option<Seen>,
    /// How many identical failures were grouped into this one.
    pub count: u32,
}

impl Finding {
    /// Findings with the same key are the same problem seen again: the
    /// store counts them instead of listing them twice.
    pub fn group_key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.reason.chromium_id(),
            self.method,
            self.url,
            self.origin,
            self.failed_parameter
        )
    }
}
