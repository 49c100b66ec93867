//! What from the request may be written into a fix's code: the origin, the
//! method and the request header names are attacker-controlled, so each is
//! kept only when it consists of characters that cannot end a string, a line,
//! a comment or a pattern in any stack, and within a length.

use crate::http;

/// Used in code when the request's origin cannot be written safely.
pub const PLACEHOLDER_ORIGIN: &str = "https://app.example";
/// Longest request origin written into code (a host name is at most 253
/// characters; scheme and port add a few).
const MAX_CODE_ORIGIN_LEN: usize = 300;
/// Longest method written into code.
const MAX_CODE_METHOD_LEN: usize = 32;
/// Longest request header name written into code.
const MAX_CODE_HEADER_LEN: usize = 64;
/// Most request header names written into code (besides Content-Type and
/// Authorization).
pub(super) const MAX_CODE_HEADERS: usize = 32;

/// Whether `origin` can be pasted into code as is: the characters of a
/// serialized origin only, nothing that could end a quoted string, a line, a
/// comment or a regular expression group.
pub fn usable_in_code(origin: &str) -> bool {
    !origin.is_empty()
        && origin.len() <= MAX_CODE_ORIGIN_LEN
        && origin.contains("://")
        && origin
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":/.-[]_".contains(&b))
}

/// The method as the browser sends it (`http::normalize_method`), or `None`
/// when it cannot be written into code safely.
pub(super) fn normalized_method(method: &str) -> Option<String> {
    if method.is_empty()
        || method.len() > MAX_CODE_METHOD_LEN
        || !method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    Some(http::normalize_method(method))
}

/// Whether a request with this method needs a preflight for its method.
pub(super) fn needs_preflight(method: &str) -> bool {
    !http::is_cors_safelisted_method(method)
}

/// A request header name as written into code, or `None` when it cannot be
/// written safely. The names come from `Access-Control-Request-Headers`,
/// which the page chooses: only a conservative subset of the HTTP token
/// characters is kept (letters, digits, `-`, `_`, `.`), so that no name can
/// end a string, start a comment, name a variable (`$`, `%`) or act as a
/// wildcard (`*`) in any stack. Names are spelled with a capital after each
/// `-` (`X-Api-Key`), as header names are case-insensitive.
pub(crate) fn header_in_code(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty()
        || name.len() > MAX_CODE_HEADER_LEN
        || !name.bytes().any(|b| b.is_ascii_alphanumeric())
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for ch in name.chars() {
        out.push(if upper {
            ch.to_ascii_uppercase()
        } else {
            ch.to_ascii_lowercase()
        });
        upper = ch == '-';
    }
    Some(out)
}
