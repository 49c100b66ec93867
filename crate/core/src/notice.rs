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
    /// The response passed, but headers the server sent (named in the
    /// detail) are not in `Access-Control-Expose-Headers`: the page's
    /// script cannot read them. Informational.
    UnexposedResponseHeaders,
    /// A cross-origin `fetch` with `mode: "no-cors"` (`Sec-Fetch-Mode:
    /// no-cors`): no CORS error, and an opaque response the page cannot read.
    NoCorsOpaqueResponse,
    /// A credentialed cross-site response sets cookies the browser will not
    /// store or send back (`SameSite` missing, `Lax` or `Strict`, `None`
    /// without `Secure` and not `Partitioned`).
    CookieNotStoredCrossSite,
    /// A passing preflight asked to be cached longer than browsers keep one
    /// (`Access-Control-Max-Age` above Chromium's 2 hours).
    MaxAgeAboveBrowserCap,
    /// The response named the requesting origin without `Vary: Origin` (no
    /// credentials), and a shared cache sits in between (`Age`, `X-Cache`,
    /// `CF-Cache-Status`): the warning of [`Self::CredentialedOriginWithoutVary`]
    /// for requests without credentials.
    OriginWithoutVaryBehindCache,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 13] = [
        NoticeKind::CredentialedOriginWithoutVary,
        NoticeKind::NullOriginAllowed,
        NoticeKind::WildcardWithCredentials,
        NoticeKind::AllowCredentialsNotTrue,
        NoticeKind::BlockedByClient,
        NoticeKind::NoResponse,
        NoticeKind::AuthorizationCoveredByWildcard,
        NoticeKind::CorsReasonNotShown,
        NoticeKind::UnexposedResponseHeaders,
        NoticeKind::NoCorsOpaqueResponse,
        NoticeKind::CookieNotStoredCrossSite,
        NoticeKind::MaxAgeAboveBrowserCap,
        NoticeKind::OriginWithoutVaryBehindCache,
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
            NoticeKind::UnexposedResponseHeaders => "UnexposedResponseHeaders",
            NoticeKind::NoCorsOpaqueResponse => "NoCorsOpaqueResponse",
            NoticeKind::CookieNotStoredCrossSite => "CookieNotStoredCrossSite",
            NoticeKind::MaxAgeAboveBrowserCap => "MaxAgeAboveBrowserCap",
            NoticeKind::OriginWithoutVaryBehindCache => "OriginWithoutVaryBehindCache",
        }
    }

    pub fn from_id(id: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Warnings are about responses that passed and will break (or leak);
    /// the others are informational: requests that failed for a reason
    /// other than CORS, and what passed but works otherwise than the
    /// developer may expect (unexposed headers, a capped `Max-Age`).
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            NoticeKind::CredentialedOriginWithoutVary
                | NoticeKind::NullOriginAllowed
                | NoticeKind::WildcardWithCredentials
                | NoticeKind::AllowCredentialsNotTrue
                | NoticeKind::AuthorizationCoveredByWildcard
                | NoticeKind::NoCorsOpaqueResponse
                | NoticeKind::CookieNotStoredCrossSite
                | NoticeKind::OriginWithoutVaryBehindCache
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

/// The evidence each notice of a passing response rests on, read from the
/// headers alone: pure functions, one per notice, tested below on both the
/// headers that show the problem and the passing controls that do not.
pub mod evidence {
    use crate::headers::Headers;
    use crate::http::is_cors_safelisted_response_header;

    /// How long Chromium keeps a preflight at most, in seconds (2 hours;
    /// Firefox keeps one 24 hours at most: MDN, `Access-Control-Max-Age`).
    pub const CHROMIUM_MAX_AGE_CAP: u64 = 7200;

    /// Response headers that are the transport's or the browser's own
    /// business, never data a script is meant to read: sent by most servers,
    /// they are not worth a notice when they are not exposed.
    const NOT_FOR_SCRIPTS: [&str; 30] = [
        "accept-ranges",
        "age",
        "alt-svc",
        "connection",
        "content-encoding",
        "content-security-policy",
        "content-security-policy-report-only",
        "cross-origin-embedder-policy",
        "cross-origin-opener-policy",
        "cross-origin-resource-policy",
        "date",
        "keep-alive",
        "nel",
        "origin-agent-cluster",
        "permissions-policy",
        "referrer-policy",
        "report-to",
        "reporting-endpoints",
        "server",
        "server-timing",
        "strict-transport-security",
        "timing-allow-origin",
        "trailer",
        "transfer-encoding",
        "vary",
        "via",
        "x-content-type-options",
        "x-frame-options",
        "x-powered-by",
        "x-xss-protection",
    ];

    /// Whether a script could never read this header, exposed or not, or
    /// it is the transport's or a cache's: the CORS headers themselves,
    /// `Set-Cookie` (a forbidden response header name), and the list above.
    fn never_for_scripts(name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower.starts_with("access-control-")
            || lower.starts_with("cf-")
            || lower.starts_with("x-cache")
            || lower == "set-cookie"
            || lower == "set-cookie2"
            || NOT_FOR_SCRIPTS.contains(&lower.as_str())
    }

    /// The response headers the server sent that the page's script cannot
    /// read (`response.headers.get` gives `null`): not CORS-safelisted, not
    /// in `Access-Control-Expose-Headers`, and not the transport's. `*`
    /// exposes every header, but only to a request without credentials
    /// (`credentialed`: the request carried cookies). Names as the server
    /// spelled them, each once, in order.
    pub fn unexposed_headers(response: &Headers, credentialed: bool) -> Vec<String> {
        let exposed: Vec<String> = response
            .all("access-control-expose-headers")
            .flat_map(|v| v.split(','))
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        if !credentialed && exposed.iter().any(|n| n == "*") {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for h in &response.0 {
            let lower = h.name.to_ascii_lowercase();
            if is_cors_safelisted_response_header(&lower)
                || never_for_scripts(&lower)
                || exposed.contains(&lower)
                || out.iter().any(|n| n.eq_ignore_ascii_case(&lower))
            {
                continue;
            }
            out.push(h.name.clone());
        }
        out
    }

    /// Whether `url`'s host and `page_origin`'s are of different sites, as
    /// far as can be told without the Public Suffix List: IP addresses
    /// and `localhost` by equality, names by their last two labels. Names
    /// under a multi-label public suffix (`a.co.uk`, `b.co.uk`) count as the
    /// same site: this errs on the side of saying nothing.
    pub fn cross_site(url: &str, page_origin: &str) -> bool {
        // The host and whether it is an address, as the URL parser read it
        // (not parsed again as an `IpAddr`: std's address parser would add
        // 4 KB to the worker's package).
        let host = |u: &str| {
            let u = url::Url::parse(u).ok()?;
            let address = !matches!(u.host()?, url::Host::Domain(_));
            u.host_str()
                .map(|h| (address, h.trim_end_matches('.').to_ascii_lowercase()))
        };
        let (Some(a), Some(b)) = (host(url), host(page_origin)) else {
            return false;
        };
        let site = |(address, h): &(bool, String)| -> String {
            if *address {
                return h.to_owned();
            }
            let labels: Vec<&str> = h.rsplitn(3, '.').collect();
            match labels.as_slice() {
                [tld, name, ..] => format!("{name}.{tld}"),
                _ => h.to_owned(),
            }
        };
        site(&a) != site(&b)
    }

    /// The cookies of a cross-site response that the browser will not
    /// store or send back on later cross-site requests, each as its name and
    /// what is wrong (`name: SameSite missing`, `name: SameSite=Lax`,
    /// `name: SameSite=None without Secure`), as Chromium 156 refuses them
    /// when third-party cookies are allowed (`blockedCookies`:
    /// `SchemefulSameSiteUnspecifiedTreatedAsLax`, `SchemefulSameSiteLax`,
    /// `SameSiteNoneInsecure`); a `Partitioned` one with `SameSite=None` it
    /// keeps, `Secure` or not. Only names and attributes: never a value.
    pub fn cookies_not_stored(response: &Headers) -> Vec<String> {
        let mut out = Vec::new();
        // Chromium hands several `Set-Cookie` lines over one by one;
        // Firefox joins them with newlines.
        for line in response.all("set-cookie").flat_map(|v| v.split('\n')) {
            let mut parts = line.split(';');
            let Some((name, _)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let name = name.trim();
            let mut same_site: Option<String> = None;
            let (mut secure, mut partitioned) = (false, false);
            for attr in parts {
                let (key, value) = attr.split_once('=').unwrap_or((attr, ""));
                match key.trim().to_ascii_lowercase().as_str() {
                    "samesite" => same_site = Some(value.trim().to_owned()),
                    "secure" => secure = true,
                    "partitioned" => partitioned = true,
                    _ => {}
                }
            }
            let mut problems: Vec<String> = Vec::new();
            match same_site.as_deref() {
                None => problems.push("SameSite missing".to_owned()),
                // A partitioned cookie is kept for this top-level site even
                // without `Secure` (measured: docs/browser-facts.md).
                Some(v) if v.eq_ignore_ascii_case("none") => {
                    if !secure && !partitioned {
                        problems.push("SameSite=None without Secure".to_owned());
                    }
                }
                Some(v) => problems.push(format!("SameSite={v}")),
            }
            if problems.is_empty() {
                continue;
            }
            let problem = problems.join(", ");
            out.push(format!("{name}: {problem}"));
        }
        out
    }

    /// `Access-Control-Max-Age` in seconds when it asks for longer than
    /// Chromium keeps a preflight; `None` otherwise (or unreadable: the
    /// browsers then ignore it, keeping their default of 5 seconds).
    pub fn max_age_above_cap(response: &Headers) -> Option<u64> {
        let value = response.first("access-control-max-age")?.trim();
        let seconds: u64 = value.parse().ok()?;
        (seconds > CHROMIUM_MAX_AGE_CAP).then_some(seconds)
    }

    /// Whether `Vary` lines name `Origin` (or `*`): a cache then keeps one
    /// answer per requesting origin.
    pub fn varies_on_origin<'a>(values: impl Iterator<Item = &'a str>) -> bool {
        values
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .any(|t| t == "*" || t.eq_ignore_ascii_case("origin"))
    }

    /// The headers a shared cache adds, which [`cache`] reads.
    pub const CACHE_HEADERS: [&str; 4] = ["age", "x-cache", "x-cache-status", "cf-cache-status"];

    /// A cache seen between the server and the browser, from the headers it
    /// adds: `Age`, `X-Cache`, `X-Cache-Status`, `CF-Cache-Status`. The first
    /// such line as `Name: value`, and whether it says the response was
    /// served from the cache (any `Age`, a `HIT`, a stale or revalidated
    /// copy) rather than only passing through it (`MISS`, `BYPASS`...).
    pub fn cache(response: &[crate::headers::Header]) -> Option<(String, bool)> {
        response.iter().find_map(|h| {
            let lower = h.name.to_ascii_lowercase();
            if !CACHE_HEADERS.contains(&lower.as_str()) {
                return None;
            }
            let value = h.value.trim();
            let upper = value.to_ascii_uppercase();
            let hit = lower == "age"
                || ["HIT", "STALE", "REVALIDATED", "UPDATING"]
                    .iter()
                    .any(|w| upper.contains(w));
            Some((format!("{}: {value}", h.name), hit))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::evidence;
    use crate::browser_error::NetworkError;
    use crate::headers::Header;

    #[test]
    fn sites_are_told_apart_only_where_the_hosts_show_it() {
        for (url, page, want) in [
            ("http://localhost:8081/x", "http://127.0.0.1:8080", true),
            ("http://127.0.0.1:8081/x", "http://127.0.0.1:8080", false),
            (
                "https://api.example.com/x",
                "https://app.example.com",
                false,
            ),
            ("https://api.example.com/x", "https://example.com", false),
            ("https://api.example.net/x", "https://example.com", true),
            ("https://EXAMPLE.com./x", "https://example.com", false),
            ("http://[::1]:8081/x", "http://[::1]:8080", false),
            ("http://[::1]:8081/x", "http://127.0.0.1:8080", true),
            // Addresses whole, never by their last two numbers; as the URL
            // parser reads them.
            ("http://10.1.2.3/x", "http://10.9.2.3", true),
            ("http://0x7f.0.0.1:8081/x", "http://127.0.0.1:8080", false),
            // Without the Public Suffix List: said to be one site, so no notice.
            ("https://a.co.uk/x", "https://b.co.uk", false),
            ("https://api.example.com/x", "null", false),
        ] {
            assert_eq!(evidence::cross_site(url, page), want, "{url} from {page}");
        }
    }

    #[test]
    fn a_cache_is_seen_from_the_headers_it_adds() {
        for (name, value, want) in [
            ("Age", "0", Some(("Age: 0", true))),
            (
                "X-Cache",
                "Hit from cloudfront",
                Some(("X-Cache: Hit from cloudfront", true)),
            ),
            ("x-cache", "MISS", Some(("x-cache: MISS", false))),
            (
                "X-Cache-Status",
                "STALE",
                Some(("X-Cache-Status: STALE", true)),
            ),
            (
                "CF-Cache-Status",
                "DYNAMIC",
                Some(("CF-Cache-Status: DYNAMIC", false)),
            ),
            (
                "CF-Cache-Status",
                "REVALIDATED",
                Some(("CF-Cache-Status: REVALIDATED", true)),
            ),
            ("Cache-Control", "max-age=60", None),
            ("Via", "1.1 varnish", None),
        ] {
            let got = evidence::cache(&[Header::new(name, value)]);
            assert_eq!(
                got,
                want.map(|(line, hit)| (line.to_owned(), hit)),
                "{name}: {value}"
            );
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
    }
}
