//! Redaction of credentials: header values that carry secrets are replaced by
//! a marker as soon as the core sees them, so no finding, store or export
//! ever holds them. The header's name stays, so the reader knows it was sent.

use crate::headers::{Header, Headers};

/// What replaces a secret value.
pub const MARKER: &str = "[redacted]";

/// Header names that always carry credentials.
const SECRET_HEADERS: [&str; 6] = [
    "cookie",
    "set-cookie",
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
];

/// Words that, inside a header name, say the value is a credential
/// (`X-Auth-Token`, `X-Client-Secret`, `X-Session-Id`, ...).
const SECRET_WORDS: [&str; 9] = [
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "api-key",
    "api_key",
    "session",
    "signature",
];

/// Whether a header of this name carries credentials: the names above, and
/// API-key style names (`X-Goog-Api-Key`, `Ocp-Apim-Subscription-Key`,
/// `X-Functions-Key`, `X-Client-Credential`).
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&name.as_str())
        || SECRET_WORDS.iter().any(|w| name.contains(w))
        || name.ends_with("-key")
        || name.ends_with("_key")
        || name.contains("credential")
}

/// The headers with every credential value replaced by [`MARKER`].
pub fn headers(headers: &Headers) -> Vec<Header> {
    headers
        .0
        .iter()
        .map(|h| {
            if is_secret_header(&h.name) {
                Header::new(h.name.clone(), MARKER)
            } else {
                h.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_lose_their_value_and_keep_their_name() {
        let cases = [
            ("Cookie", true),
            ("set-cookie", true),
            ("Authorization", true),
            ("Proxy-Authorization", true),
            ("X-API-Key", true),
            ("X-Auth-Token", true),
            ("X-Client-Secret", true),
            ("X-Session-Id", true),
            ("X-Amz-Signature", true),
            ("X-Goog-Api-Key", true),
            ("Ocp-Apim-Subscription-Key", true),
            ("X-Functions-Key", true),
            ("X-Client-Credential", true),
            ("Origin", false),
            ("Access-Control-Allow-Origin", false),
            ("Access-Control-Request-Headers", false),
            ("Content-Type", false),
        ];
        for (name, secret) in cases {
            assert_eq!(is_secret_header(name), secret, "{name}");
            let list: Headers = [(name, "s3cr3t")].into_iter().collect();
            let out = headers(&list);
            assert_eq!(out[0].name, name);
            assert_eq!(out[0].value == MARKER, secret, "{name}");
        }
    }
}
