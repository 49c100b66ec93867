//! Exports: findings as a versioned JSON file (`json`), a Markdown report
//! (`markdown`) and curl commands that reproduce a request (`curl`), and the
//! import of an exported JSON file back into records for the panel.
//!
//! Redaction is not optional here: every export goes through
//! [`redact_finding`] / [`redact_notice`] first, so header values that carry
//! credentials (already replaced at capture, replaced again in case an older
//! or imported record holds one), userinfo in URLs and secret-looking query
//! parameters never leave the extension. The format is documented in
//! `docs/export-format.md` and `docs/export.schema.json`.

pub mod curl;
pub mod json;
pub mod markdown;
mod time;

pub use json::{
    export, import, ImportError, ImportSummary, Imported, MAX_IMPORT_BYTES, MAX_IMPORT_RECORDS,
};
pub use time::{format_iso, parse_iso};

use serde::Deserialize;

use crate::finding::{Finding, Seen};
use crate::headers::Header;
use crate::notice::Notice;
use crate::redact::{is_secret_header, MARKER};

/// The `format` field of every export file.
pub const FORMAT: &str = "cors-lens-export";
/// The version of the format this build writes and the newest it reads.
pub const VERSION: u32 = 1;

/// What the panel knows about the export besides the records.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Meta {
    pub extension: ExtensionMeta,
    /// Browser brand and version (`Chromium 156`), never the full user agent.
    pub browser: String,
    /// When the export was made (ISO 8601, UTC).
    pub exported_at: String,
    pub page: PageMeta,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ExtensionMeta {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct PageMeta {
    pub url: String,
    pub origin: String,
}

/// Words that, inside a query parameter's name, say its value is a secret.
const SECRET_PARAM_WORDS: [&str; 11] = [
    "token",
    "key",
    "secret",
    "passw",
    "pwd",
    "signature",
    "session",
    "auth",
    "credential",
    "jwt",
    "sig",
];

/// Whether a query parameter of this (percent-decoded) name carries a secret.
pub fn is_secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PARAM_WORDS.iter().any(|w| name.contains(w))
}

/// Headers whose value is a URL, redacted as one.
const URL_HEADERS: [&str; 4] = ["referer", "location", "content-location", "refresh"];

/// `raw` with userinfo (`user:pass@`) and the values of secret query (and
/// fragment) parameters replaced by [`MARKER`]; parameter names stay. Works
/// on text, so a URL the `url` crate would reject is redacted all the same.
pub fn redact_url(raw: &str) -> String {
    let (before_fragment, fragment) = split_once_at(raw, '#');
    let (before_query, query) = split_once_at(before_fragment, '?');
    let mut out = redact_userinfo(before_query);
    if let Some(q) = query {
        out.push('?');
        out.push_str(&redact_params(q));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&redact_params(f));
    }
    out
}

/// `url` without its userinfo, for commands that must stay runnable.
pub fn strip_userinfo(url: &str) -> (String, bool) {
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            return (format!("{scheme}://{}", &rest[at + 1..]), true);
        }
    }
    (url.to_owned(), false)
}

fn split_once_at(s: &str, c: char) -> (&str, Option<&str>) {
    match s.split_once(c) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

fn redact_userinfo(s: &str) -> String {
    if let Some((scheme, rest)) = s.split_once("://") {
        let end = rest.find(['/', '\\']).unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            return format!("{scheme}://{MARKER}@{}", &rest[at + 1..]);
        }
    }
    s.to_owned()
}

fn redact_params(q: &str) -> String {
    q.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_param(&decode_name(name)) => format!("{name}={MARKER}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A parameter name as the server reads it: `+` is a space, `%XX` decoded
/// (up to three times, so double encoding hides nothing); invalid sequences
/// stay as written.
fn decode_name(name: &str) -> String {
    let mut s = name.replace('+', " ");
    for _ in 0..3 {
        let decoded = percent_decode(&s);
        if decoded == s {
            break;
        }
        s = decoded;
    }
    s
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

/// Redacts one header line: a credential's value, or the secrets in a URL.
pub fn redact_header(name: &str, value: &str) -> String {
    if is_secret_header(name) {
        MARKER.to_owned()
    } else if URL_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        redact_url(value)
    } else {
        value.to_owned()
    }
}

fn redact_headers(headers: &mut [Header]) {
    for h in headers {
        h.value = redact_header(&h.name, &h.value);
    }
}

fn redact_seen(s: &mut Seen) {
    s.url = redact_url(&s.url);
    redact_headers(&mut s.request_headers);
    redact_headers(&mut s.response_headers);
}

/// A value that may be a URL (a `failedParameter`, an allowed origin).
fn redact_maybe_url(v: &str) -> String {
    if v.contains("://") || v.contains('?') {
        redact_url(v)
    } else {
        v.to_owned()
    }
}

/// Applies every redaction rule to a finding, before it is explained (the
/// explanation quotes the URL) or exported.
pub fn redact_finding(f: &mut Finding) {
    f.url = redact_url(&f.url);
    f.origin = redact_maybe_url(&f.origin);
    f.page_origin = redact_maybe_url(&f.page_origin);
    f.failed_parameter = redact_maybe_url(&f.failed_parameter);
    for v in f.allow_origin.iter_mut().chain(f.redirects.iter_mut()) {
        *v = redact_maybe_url(v);
    }
    redact_seen(&mut f.exchange);
    if let Some(p) = f.preflight.as_mut() {
        redact_seen(p);
    }
}

/// Applies every redaction rule to a notice.
pub fn redact_notice(n: &mut Notice) {
    n.url = redact_url(&n.url);
    n.origin = redact_maybe_url(&n.origin);
    n.page_origin = redact_maybe_url(&n.page_origin);
    n.detail = redact_maybe_url(&n.detail);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_userinfo_and_secret_parameter_values() {
        let cases = [
            ("http://a.test/x?lab=1", "http://a.test/x?lab=1"),
            (
                "http://user:pass@a.test:8080/x",
                "http://[redacted]@a.test:8080/x",
            ),
            ("http://user@a.test/", "http://[redacted]@a.test/"),
            ("http://a.test/p@th?q=1", "http://a.test/p@th?q=1"),
            (
                "http://a.test/?token=abc&lab=2",
                "http://a.test/?token=[redacted]&lab=2",
            ),
            (
                "http://a.test/?access_token=abc",
                "http://a.test/?access_token=[redacted]",
            ),
            ("http://a.test/?API_KEY=k", "http://a.test/?API_KEY=[redacted]"),
            (
                "http://a.test/?client_secret=s&password=p&X-Amz-Signature=z&sessionid=1",
                "http://a.test/?client_secret=[redacted]&password=[redacted]&X-Amz-Signature=[redacted]&sessionid=[redacted]",
            ),
            // Encoded names are read as the server reads them.
            ("http://a.test/?%74oken=abc", "http://a.test/?%74oken=[redacted]"),
            ("http://a.test/?to%6Ben=abc", "http://a.test/?to%6Ben=[redacted]"),
            ("http://a.test/?%2574oken=abc", "http://a.test/?%2574oken=[redacted]"),
            ("http://a.test/?api+key=abc", "http://a.test/?api+key=[redacted]"),
            // A name without a value has nothing to hide.
            ("http://a.test/?token", "http://a.test/?token"),
            (
                "http://u:p@a.test/cb#access_token=t&state=s",
                "http://[redacted]@a.test/cb#access_token=[redacted]&state=s",
            ),
            ("http://a.test/?q=%", "http://a.test/?q=%"),
            ("not a url ?key=v", "not a url ?key=[redacted]"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(redact_url(input), want, "{input}");
        }
    }

    #[test]
    fn header_values_by_name() {
        let cases = [
            ("Cookie", "sid=1", MARKER),
            ("Authorization", "Bearer x", MARKER),
            ("X-API-Key", "k", MARKER),
            ("X-Goog-Api-Key", "k", MARKER),
            ("Ocp-Apim-Subscription-Key", "k", MARKER),
            ("X-Functions-Key", "k", MARKER),
            (
                "Referer",
                "http://u:p@a.test/?token=t",
                "http://[redacted]@a.test/?token=[redacted]",
            ),
            ("Content-Type", "text/plain", "text/plain"),
            ("Origin", "http://a.test", "http://a.test"),
        ];
        for (name, value, want) in cases {
            assert_eq!(redact_header(name, value), want, "{name}");
        }
    }

    #[test]
    fn userinfo_can_be_stripped_for_commands() {
        assert_eq!(
            strip_userinfo("http://u:p@a.test/x?y=1"),
            ("http://a.test/x?y=1".to_owned(), true)
        );
        assert_eq!(
            strip_userinfo("http://a.test/x@y"),
            ("http://a.test/x@y".to_owned(), false)
        );
    }
}

#[cfg(test)]
mod format_tests;
