//! Which header and URL-parameter names say their value is a secret: by
//! class (pieces and whole words of the name), read in one pass over the
//! name's bytes.

use super::decode_name;

/// Pieces that, anywhere in a header name, say its value is a credential
/// (`X-Authorization`, `Cf-Access-Jwt-Assertion`, `X-Firebase-AppCheck`,
/// `DPoP`, `X-CSRF-Token`, `Set-Cookie`, `X-Client-Credential`, ...).
const SECRET_NAME_PARTS: [&str; 20] = [
    "auth",
    "token",
    "secret",
    "session",
    "sessid",
    "jwt",
    "assertion",
    "signature",
    "csrf",
    "xsrf",
    "dpop",
    "passw",
    "credential",
    "cookie",
    "apikey",
    "appcheck",
    "private",
    "saml",
    "bearer",
    "hmac",
];

/// Whole words (between `-`, `_`, `.` or a case change) that say the same
/// (`X-Api-Key`, `X-Functions-Key`, `X-Hub-Sig`, `X-Otp`, ...).
const SECRET_NAME_WORDS: [&str; 9] = [
    "key", "sig", "sid", "pw", "pwd", "pass", "otp", "pin", "nonce",
];

/// Whole words that, in a URL parameter's name, say its value is a secret
/// (OAuth's `code` and `state`, CAS's `ticket`, `sid`, ...), besides the
/// pieces and words headers use.
const SECRET_PARAM_WORDS: [&str; 4] = ["code", "state", "ticket", "verifier"];

/// Whether one of the pieces occurs in `squashed` (a name's ASCII letters
/// and digits, lowercased).
fn has_secret_part(squashed: &[u8]) -> bool {
    (0..squashed.len()).any(|i| {
        let rest = &squashed[i..];
        SECRET_NAME_PARTS
            .iter()
            .any(|p| rest.starts_with(p.as_bytes()))
    })
}

/// Whether a name says its value is secret, in one pass over its bytes and
/// without allocating (names up to 64 bytes): its ASCII letters and digits,
/// lowercased, are gathered for the pieces (`X-Auth_Token`, `xAuthToken`
/// and `x.auth.token` alike), and its words (split at `-`, `_`, `.`, spaces
/// and lower-to-upper case changes) compared as each one ends.
fn name_is_secret(name: &str, extra_words: &[&str]) -> bool {
    let bytes = name.as_bytes();
    let is_word = |w: &[u8]| {
        SECRET_NAME_WORDS
            .iter()
            .chain(extra_words)
            .any(|s| w.eq_ignore_ascii_case(s.as_bytes()))
    };
    let mut on_stack = [0u8; 64];
    let mut on_heap = Vec::new();
    let squashed: &mut [u8] = if bytes.len() <= on_stack.len() {
        &mut on_stack
    } else {
        on_heap.resize(bytes.len(), 0);
        &mut on_heap
    };
    let mut len = 0;
    let mut word_start: Option<usize> = None;
    let mut prev_lower = false;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if let Some(start) = word_start.take() {
                if is_word(&bytes[start..i]) {
                    return true;
                }
            }
            prev_lower = false;
            continue;
        }
        match word_start {
            Some(start) if b.is_ascii_uppercase() && prev_lower => {
                if is_word(&bytes[start..i]) {
                    return true;
                }
                word_start = Some(i);
            }
            Some(_) => {}
            None => word_start = Some(i),
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        squashed[len] = b.to_ascii_lowercase();
        len += 1;
    }
    word_start.is_some_and(|start| is_word(&bytes[start..])) || has_secret_part(&squashed[..len])
}

/// Whether a header of this name carries credentials, by class: names that
/// contain auth, token, key, secret, session, jwt, assertion, signature,
/// csrf/xsrf, dpop, password, credential or cookie (and a few more). The
/// `Access-Control-*` headers the check reads are never secret by name, nor
/// is HTTP/2's `:authority`.
pub fn is_secret_header(name: &str) -> bool {
    const CHECKED: &[u8] = b"access-control-";
    let checked = name
        .as_bytes()
        .get(..CHECKED.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(CHECKED));
    if checked
        || name
            .trim_start_matches(':')
            .eq_ignore_ascii_case("authority")
    {
        return false;
    }
    name_is_secret(name, &[])
}

/// Whether a URL parameter (query, path `;name=` or fragment) of this name
/// carries a secret: the header classes, plus `code`, `state`, `ticket`
/// (`SAMLResponse`, `PHPSESSID`, `X-Amz-Signature`, `X-Amz-Credential`,
/// `access_token`, `id_token`, `client_secret`, `pw`, `otp`, ...). The name
/// is read as the server reads it (percent-decoded).
pub fn is_secret_param(name: &str) -> bool {
    name_is_secret(&decode_name(name), &SECRET_PARAM_WORDS)
}
