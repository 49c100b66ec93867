//! The secret parts of URLs, found in text: userinfo (`user:pass@`, in
//! absolute and scheme-relative URLs), the values of secret query, path and
//! fragment parameters, URLs nested in parameter values, and tokens.
//!
//! Architecture Invariant: works on text, never through a URL parser, so a
//! URL the `url` crate would reject is redacted all the same; which names
//! and values are secret is the parent module's to say.

use super::{is_secret_param, redact_tokens, MARKER};

fn url_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`')
}

/// The next URL in `s`: its byte range.
pub(super) fn next_url(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut search = 0;
    loop {
        let found = s[search..].find("//")? + search;
        let mut start = found;
        if found >= 1 && bytes[found - 1] == b':' {
            // Back over the scheme.
            let mut i = found - 1;
            while i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || b"+.-".contains(&bytes[i - 1]))
            {
                i -= 1;
            }
            if i < found - 1 && bytes[i].is_ascii_alphabetic() {
                start = i;
            }
        }
        let boundary = start == 0 || {
            let before = s[..start].chars().next_back().unwrap_or(' ');
            url_end(before) || matches!(before, '(' | '=' | ',' | ';')
        };
        if start != found || boundary {
            let end = s[found..].find(url_end).map_or(s.len(), |e| found + e);
            return Some((start, end));
        }
        search = found + 2;
    }
}

/// `raw` with userinfo (`user:pass@`, in absolute and scheme-relative URLs),
/// the values of secret query, path (`;jsessionid=`) and fragment parameters
/// (with `&` or `;` between them), URLs nested in parameter values, and
/// JWTs and long random tokens replaced by [`MARKER`]; names stay. Works on
/// text, so a URL the `url` crate would reject is redacted all the same.
pub fn redact_url(raw: &str) -> String {
    redact_url_depth(raw, 0)
}

pub(super) fn redact_url_depth(raw: &str, depth: u8) -> String {
    let (before_fragment, fragment) = split_once_at(raw, '#');
    let (before_query, query) = split_once_at(before_fragment, '?');
    let (prefix, path) = split_authority(before_query);
    let mut out = prefix;
    out.push_str(&redact_path(path, depth));
    if let Some(q) = query {
        out.push('?');
        out.push_str(&redact_params(q, depth));
    }
    if let Some(f) = fragment {
        out.push('#');
        // `#/route?code=…` as well as `#access_token=…`.
        match split_once_at(f, '?') {
            (route, Some(q)) => {
                out.push_str(&redact_path(route, depth));
                out.push('?');
                out.push_str(&redact_params(q, depth));
            }
            (f, None) if f.contains('=') => out.push_str(&redact_params(f, depth)),
            (f, None) => out.push_str(&redact_path(f, depth)),
        }
    }
    out
}

/// The byte range of the authority in `s`: after `scheme://` or a leading
/// `//`, up to a `/`, `\`, `?`, `#` or whitespace (`https://a.test @team`
/// has no userinfo).
fn authority(s: &str) -> Option<(usize, usize)> {
    let i = s.find("//")?;
    if !(i == 0 || (s[..i].ends_with(':') && is_scheme(&s[..i - 1]))) {
        return None;
    }
    let start = i + 2;
    let end = s[start..]
        .find(|c: char| matches!(c, '/' | '\\' | '?' | '#') || c.is_whitespace())
        .map_or(s.len(), |e| start + e);
    Some((start, end))
}

/// The byte range of the userinfo (before the last `@` of the authority).
fn userinfo(s: &str) -> Option<(usize, usize)> {
    let (start, end) = authority(s)?;
    match s[start..end].rfind('@') {
        Some(at) if at > 0 => Some((start, start + at)),
        _ => None,
    }
}

/// Splits `s` into its scheme and authority (userinfo redacted) and the
/// rest (the path). Without an authority, everything is path.
fn split_authority(s: &str) -> (String, &str) {
    match authority(s) {
        Some((_, end)) => {
            let head = match userinfo(s) {
                Some((a, b)) => format!("{}{MARKER}{}", &s[..a], &s[b..end]),
                None => s[..end].to_owned(),
            };
            (head, &s[end..])
        }
        None => (String::new(), s),
    }
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
}

/// `url` without its userinfo, for commands that must stay runnable, and
/// whether it had one.
pub fn strip_userinfo(url: &str) -> (String, bool) {
    match userinfo(url) {
        // The `@` goes too.
        Some((a, b)) => (format!("{}{}", &url[..a], &url[b + 1..]), true),
        None => (url.to_owned(), false),
    }
}

fn split_once_at(s: &str, c: char) -> (&str, Option<&str>) {
    match s.split_once(c) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

/// A path: each segment's `;name=value` parameters by the parameter rule,
/// and tokens in the segments themselves.
fn redact_path(path: &str, depth: u8) -> String {
    path.split('/')
        .map(|segment| {
            let mut parts = segment.split(';');
            let mut out = redact_tokens(parts.next().unwrap_or_default(), true);
            for p in parts {
                out.push(';');
                out.push_str(&redact_param(p, depth));
            }
            out
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Parameters separated by `&` or `;` (both kept as written).
fn redact_params(q: &str, depth: u8) -> String {
    let mut out = String::with_capacity(q.len());
    let mut start = 0;
    for (i, sep) in q.match_indices(['&', ';']) {
        out.push_str(&redact_param(&q[start..i], depth));
        out.push_str(sep);
        start = i + 1;
    }
    out.push_str(&redact_param(&q[start..], depth));
    out
}

fn redact_param(pair: &str, depth: u8) -> String {
    match pair.split_once('=') {
        Some((name, value)) if is_secret_param(name) && !value.is_empty() => {
            format!("{name}={MARKER}")
        }
        Some((name, value)) if depth < 3 && (value.contains("//")) => {
            format!("{name}={}", redact_url_depth(value, depth + 1))
        }
        Some((name, value)) => format!("{name}={}", redact_tokens(value, true)),
        None => redact_tokens(pair, true),
    }
}
