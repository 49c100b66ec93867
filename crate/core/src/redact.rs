//! Redaction of secrets, by class rather than by a list of names: header
//! values that carry credentials, values that look like credentials in any
//! header (auth schemes, JWTs, long random tokens), cookies, authentication
//! challenges' nonces, and the secret parts of URLs (userinfo, secret query,
//! path and fragment parameters).
//!
//! Where it runs: [`report`] is applied by [`crate::Engine::ingest`] to every
//! report, after the verdict was reached on the raw values, so every record
//! the core hands to JavaScript (stored in `storage.session`, shown in the
//! panel) is already redacted. The engine's memory holds raw values only for
//! requests still in flight (the verdict needs them). The exports apply
//! [`finding`] / [`notice`] again, since an imported file may hold anything.
//! Redaction never decides a verdict, and rewrites only what holds a secret:
//! a name keeps its place, a value becomes [`MARKER`].

use std::borrow::Cow;

use crate::finding::{Finding, Seen};
use crate::headers::Header;
use crate::notice::Notice;
use crate::report::Report;

mod names;
mod urls;

pub use names::{is_secret_header, is_secret_param};
use urls::next_url;
pub use urls::{redact_url, strip_userinfo};

/// What replaces a secret value.
pub const MARKER: &str = "[redacted]";

/// Authentication schemes: a value that starts with one of these followed
/// by a credential is a credential, whatever the header.
const AUTH_SCHEMES: [&str; 24] = [
    "basic",
    "bearer",
    "digest",
    "negotiate",
    "ntlm",
    "token",
    "dpop",
    "aws4-hmac-sha256",
    "hoba",
    "mutual",
    "scram-sha-1",
    "scram-sha-256",
    "vapid",
    "oauth",
    "mac",
    "hawk",
    "jwt",
    "apikey",
    "key",
    "sharedkey",
    "signature",
    "gsso",
    "ssws",
    "bot",
];

/// Headers whose value is a URL (or a relative reference), redacted as one.
const URL_HEADERS: [&str; 3] = ["referer", "location", "content-location"];

/// Headers whose values are structured and never credentials, where long
/// random-looking runs are hashes, boundaries or ids: the long-token rule
/// leaves them alone (the scheme, JWT and URL rules still apply).
const NOT_TOKENS: [&str; 13] = [
    "content-type",
    "etag",
    "if-match",
    "if-none-match",
    "user-agent",
    "content-security-policy",
    "content-security-policy-report-only",
    "digest",
    "content-digest",
    "repr-digest",
    "traceparent",
    "tracestate",
    "integrity-policy",
];

/// Parameters of an authentication challenge that hold no secret.
const CHALLENGE_KEEP: [&str; 11] = [
    "realm",
    "charset",
    "algorithm",
    "qop",
    "stale",
    "error",
    "error_description",
    "error_uri",
    "scope",
    "userhash",
    "domain",
];

/// Redacts one header line: a credential's value, the secret parts of a
/// cookie, a challenge or a URL, or what looks like a credential.
pub fn redact_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "cookie" => cookie(value),
        "set-cookie" | "set-cookie2" => value
            .split('\n')
            .map(set_cookie)
            .collect::<Vec<_>>()
            .join("\n"),
        "www-authenticate"
        | "proxy-authenticate"
        | "authentication-info"
        | "proxy-authentication-info" => challenges(value),
        _ if is_secret_header(&lower) => MARKER.to_owned(),
        _ if URL_HEADERS.contains(&lower.as_str()) => redact_url(value),
        // `0; url=/next?code=…`: the URL may be relative.
        "refresh" => match value.to_ascii_lowercase().find("url=") {
            Some(i) => format!("{}{}", &value[..i + 4], redact_url(&value[i + 4..])),
            None => redact_value(value),
        },
        _ => redact_value_in(value, !NOT_TOKENS.contains(&lower.as_str())),
    }
}

/// Every header of a list through [`redact_header`].
pub fn headers(headers: &mut [Header]) {
    for h in headers {
        h.value = redact_header(&h.name, &h.value);
    }
}

/// A value whose meaning is unknown (an allowed origin, a detail): the URLs
/// in it redacted as URLs, and what looks like a credential replaced.
pub fn redact_value(value: &str) -> String {
    redact_value_in(value, true)
}

fn redact_value_in(value: &str, long_tokens: bool) -> String {
    if let Some(scheme_end) = auth_scheme_end(value) {
        return format!("{}{MARKER}", &value[..scheme_end]);
    }
    redact_text(value, long_tokens)
}

/// `Bearer x`, `Basic x`, ...: the byte index where the credential starts
/// (after the scheme and its spaces), when `value` is one.
fn auth_scheme_end(value: &str) -> Option<usize> {
    let start = value.len() - value.trim_start().len();
    let rest = &value[start..];
    let word_len = rest.find(char::is_whitespace)?;
    let word = &rest[..word_len];
    if !AUTH_SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s)) {
        return None;
    }
    let after = &rest[word_len..];
    let cred = after.trim_start();
    // Nothing after the scheme, or the marker already: nothing to hide.
    if cred.is_empty() || cred == MARKER {
        return None;
    }
    Some(start + word_len + (after.len() - cred.len()))
}

/// Free text: each URL in it (`scheme://…` or a leading `//…`, up to
/// whitespace or a quote) through [`redact_url`], and JWTs and long random
/// tokens elsewhere replaced.
fn redact_text(s: &str, long_tokens: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((start, end)) = next_url(rest) {
        out.push_str(&redact_tokens(&rest[..start], long_tokens));
        out.push_str(&redact_url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(&redact_tokens(rest, long_tokens));
    out
}

/// JWTs, and (when `long_tokens`) long random-looking runs, replaced.
fn redact_tokens(s: &str, long_tokens: bool) -> String {
    if !may_hold_token(s, long_tokens) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    // Each `=`-separated piece of a run on its own: `v=<token>` keeps `v=`.
    let flush = |run: &mut String, out: &mut String| {
        for (i, piece) in run.split('=').enumerate() {
            if i > 0 {
                out.push('=');
            }
            if is_jwt(piece) || (long_tokens && is_random_token(piece)) {
                out.push_str(MARKER);
            } else {
                out.push_str(piece);
            }
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '~' | '.') {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Whether `s` may hold what [`redact_tokens`] replaces: a JWT needs
/// `eyJ`, a random token a run of at least 24 characters. Most header values
/// hold neither and are kept as they are without being taken apart.
fn may_hold_token(s: &str, long_tokens: bool) -> bool {
    if s.contains("eyJ") {
        return true;
    }
    if !long_tokens || s.len() < 24 {
        return false;
    }
    let mut run = 0;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '~' | '.') {
            run += 1;
            if run >= 24 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// A JSON Web Token (or JWS/JWE): `eyJ…` base64url parts joined by dots.
fn is_jwt(run: &str) -> bool {
    run.split('/')
        .filter(|p| p.len() >= 3 && p.contains("eyJ"))
        .any(|p| {
            let p = &p[p.find("eyJ").unwrap_or(0)..];
            let parts: Vec<&str> = p.split('.').collect();
            parts.len() >= 2
                && parts[0].len() >= 8
                && parts[1].len() >= 2
                && parts.iter().all(|x| {
                    x.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                })
        })
}

/// A long run with upper- and lowercase letters and digits mixed the way
/// random strings mix them (API keys, session ids, base64 secrets). Words,
/// paths, origins, dates, hex ids and media types are not.
fn is_random_token(run: &str) -> bool {
    // Runs of letters joined by dots are host names and media types.
    let run = run.trim_matches(['.', '/', '=', '-']);
    if run.len() < 24 {
        return false;
    }
    let (mut upper, mut lower, mut digit) = (false, false, false);
    let mut changes = 0;
    let mut prev = 0u8;
    for c in run.chars() {
        let class = if c.is_ascii_uppercase() {
            upper = true;
            1
        } else if c.is_ascii_lowercase() {
            lower = true;
            2
        } else if c.is_ascii_digit() {
            digit = true;
            3
        } else {
            4
        };
        if prev != 0 && class != prev {
            changes += 1;
        }
        prev = class;
    }
    upper && lower && digit && changes * 3 >= run.len()
}

/// A `Cookie` header: every cookie's value replaced, names kept.
fn cookie(value: &str) -> String {
    value
        .split(';')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) => format!("{name}={MARKER}"),
            None if pair.trim().is_empty() => pair.to_owned(),
            None => MARKER.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// One `Set-Cookie` line: the cookie's value replaced; its attributes
/// (`Path`, `SameSite`, `Secure`, ...) kept, for they explain credentials.
fn set_cookie(line: &str) -> String {
    let mut parts = line.split(';');
    let first = parts.next().unwrap_or_default();
    let mut out = match first.split_once('=') {
        Some((name, _)) => format!("{name}={MARKER}"),
        None if first.trim().is_empty() => first.to_owned(),
        None => MARKER.to_owned(),
    };
    for attr in parts {
        out.push(';');
        out.push_str(&redact_value(attr));
    }
    out
}

/// Splits `s` at top-level commas (outside double quotes).
fn split_commas(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// `WWW-Authenticate` and its kin: schemes and harmless parameters (`realm`,
/// `error`, ...) kept; nonces, opaque values and token68 credentials
/// replaced.
fn challenges(value: &str) -> String {
    split_commas(value)
        .into_iter()
        .map(|item| {
            let lead = &item[..item.len() - item.trim_start().len()];
            let body = item.trim_start();
            // `Scheme rest`: a first word without `=`.
            let space = body.char_indices().find(|(_, c)| c.is_whitespace());
            let (scheme, rest) = match space {
                Some((i, c)) if !body[..i].contains('=') => {
                    let after = i + c.len_utf8();
                    (&body[..after], body[after..].trim_start())
                }
                _ if !body.contains('=') && !body.contains(' ') && !body.is_empty() => {
                    // A bare scheme (`Negotiate`), or a bare token68.
                    let bare = if AUTH_SCHEMES.iter().any(|s| body.eq_ignore_ascii_case(s))
                        || body.len() < 16
                    {
                        body.to_owned()
                    } else {
                        MARKER.to_owned()
                    };
                    return format!("{lead}{bare}");
                }
                _ => ("", body),
            };
            let rest = match rest.split_once('=') {
                Some((name, v))
                    if !name.is_empty()
                        && !name.contains(char::is_whitespace)
                        && !v.trim_start_matches('=').is_empty() =>
                {
                    let n = name.trim().to_ascii_lowercase();
                    if CHALLENGE_KEEP.contains(&n.as_str()) {
                        format!("{name}={}", redact_value(v))
                    } else if v.trim_start().starts_with('"') {
                        format!("{name}=\"{MARKER}\"")
                    } else {
                        format!("{name}={MARKER}")
                    }
                }
                _ if rest.is_empty() => String::new(),
                // A token68 credential.
                _ => MARKER.to_owned(),
            };
            format!("{lead}{scheme}{rest}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A parameter name as the server reads it: `+` is a space, `%XX` decoded
/// (up to three times, so double encoding hides nothing); invalid sequences
/// stay as written.
fn decode_name(name: &str) -> Cow<'_, str> {
    if !name.contains(['+', '%']) {
        return Cow::Borrowed(name);
    }
    let mut s = name.replace('+', " ");
    for _ in 0..3 {
        let decoded = percent_decode(&s);
        if decoded == s {
            break;
        }
        s = decoded;
    }
    Cow::Owned(s)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn redact_seen(s: &mut Seen) {
    s.url = redact_url(&s.url);
    headers(&mut s.request_headers);
    headers(&mut s.response_headers);
}

/// Applies every redaction rule to a finding: its URLs, the header values
/// it quotes and the exchanges it keeps.
pub fn finding(f: &mut Finding) {
    f.url = redact_url(&f.url);
    f.origin = redact_value(&f.origin);
    f.page_origin = redact_value(&f.page_origin);
    f.failed_parameter = redact_value(&f.failed_parameter);
    for v in &mut f.allow_origin {
        *v = redact_header("access-control-allow-origin", v);
    }
    for v in &mut f.redirects {
        *v = redact_url(v);
    }
    for (v, name) in [
        (&mut f.allow_credentials, "access-control-allow-credentials"),
        (&mut f.allow_methods, "access-control-allow-methods"),
        (&mut f.allow_headers, "access-control-allow-headers"),
    ] {
        if let Some(v) = v.as_mut() {
            *v = redact_header(name, v);
        }
    }
    redact_seen(&mut f.exchange);
    if let Some(p) = f.preflight.as_mut() {
        redact_seen(p);
    }
}

/// Applies every redaction rule to a notice.
pub fn notice(n: &mut Notice) {
    n.url = redact_url(&n.url);
    n.origin = redact_value(&n.origin);
    n.page_origin = redact_value(&n.page_origin);
    n.detail = redact_value(&n.detail);
}

/// A report as it may leave the engine: redacted.
pub fn report(mut r: Report) -> Report {
    match &mut r {
        Report::Failure(f) => finding(f),
        Report::Notice(n) => notice(n),
    }
    r
}

#[cfg(test)]
mod tests;
