//! The HTTP facts the CORS rules rest on, written once: which methods are
//! CORS-safelisted, how a method is normalised, what a token is, and which
//! request headers a page may not set.
//!
//! See the Fetch standard's "Methods" and "Terminology: headers"
//! (<https://fetch.spec.whatwg.org/#methods>) and Chromium's
//! `services/network/public/cpp/cors/cors.cc`.

/// The CORS-safelisted methods: a request with one of them needs no
/// preflight for its method, and a preflight never has to allow them.
pub const CORS_SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// The CORS-safelisted response headers: a page reads them on any
/// cross-origin response it may read, whatever
/// `Access-Control-Expose-Headers` says (Fetch, "CORS-safelisted response-header name").
pub const CORS_SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether a page reads response header `name` without it being exposed.
pub fn is_cors_safelisted_response_header(name: &str) -> bool {
    CORS_SAFELISTED_RESPONSE_HEADERS
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

/// The methods the Fetch standard normalises: matched without case, sent
/// upper-cased. Any other method is sent as written (`patch` stays `patch`).
const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Whether `method` is CORS-safelisted, compared without case as Chromium's
/// `IsCorsSafelistedMethod` does (its tests take `get` and `Get`). Browsers
/// normalise these three before sending, so on what `webRequest` reports the
/// case never matters.
pub fn is_cors_safelisted_method(method: &str) -> bool {
    CORS_SAFELISTED_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// The method as `fetch()` and `XMLHttpRequest` send it: one of DELETE,
/// GET, HEAD, OPTIONS, POST and PUT in any case becomes upper case; any
/// other method is kept byte for byte.
pub fn normalize_method(method: &str) -> String {
    NORMALIZED_METHODS
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), str::to_owned)
}

/// An HTTP token (RFC 9110 `tchar`s): what a method and a header name are.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The Fetch standard's forbidden request-header names besides the
/// prefixes: a page cannot set them, the browser writes them itself.
/// (Methods in `X-HTTP-Method-Override` and the like are not looked at.)
const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether a page may not set this request header (a forbidden
/// request-header name: the list above, or any `Proxy-` or `Sec-` name),
/// compared without case.
pub fn is_forbidden_request_header(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    FORBIDDEN_REQUEST_HEADERS.contains(&name.as_str())
        || name.starts_with("proxy-")
        || name.starts_with("sec-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safelisted_methods_compare_without_case() {
        let cases = [
            ("GET", true),
            ("get", true),
            ("Get", true),
            ("HEAD", true),
            ("post", true),
            ("PUT", false),
            ("OPTIONS", false),
            ("PATCH", false),
            ("GET ", false),
            ("", false),
        ];
        for (method, want) in cases {
            assert_eq!(is_cors_safelisted_method(method), want, "{method:?}");
        }
    }

    #[test]
    fn methods_are_normalized_as_fetch_does() {
        let cases = [
            ("get", "GET"),
            ("Post", "POST"),
            ("delete", "DELETE"),
            ("oPtIoNs", "OPTIONS"),
            ("put", "PUT"),
            ("head", "HEAD"),
            ("PATCH", "PATCH"),
            ("patch", "patch"),
            ("PROPFIND", "PROPFIND"),
            ("", ""),
            ("PU T", "PU T"),
        ];
        for (method, want) in cases {
            assert_eq!(normalize_method(method), want, "{method:?}");
        }
    }

    #[test]
    fn tokens_are_tchars_only() {
        let cases = [
            ("X-Api-Key", true),
            ("*", true),
            ("a!#$%&'*+-.^_`|~9", true),
            ("", false),
            ("x y", false),
            ("(GET)", false),
            ("a,b", false),
            ("é", false),
        ];
        for (s, want) in cases {
            assert_eq!(is_token(s), want, "{s:?}");
        }
    }

    #[test]
    fn forbidden_request_headers_include_the_prefixes() {
        let cases = [
            ("Origin", true),
            ("Host", true),
            ("Cookie", true),
            ("Access-Control-Request-Method", true),
            ("Sec-Fetch-Mode", true),
            ("Proxy-Authorization", true),
            ("Via", true),
            (" referer ", true),
            ("Authorization", false),
            ("Content-Type", false),
            ("X-Api-Key", false),
            ("User-Agent", false),
            ("Accept-Language", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_forbidden_request_header(name), want, "{name:?}");
        }
    }
}
