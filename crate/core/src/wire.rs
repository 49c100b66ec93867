//! Transfer types: the shapes that cross the wasm boundary and land in
//! storage and exports, kept apart from the domain types so either can change.

use serde::{Deserialize, Serialize};

use crate::event::{Event, EventKind};
use crate::finding::{Finding, Seen};
use crate::headers::{Header, Headers};
use crate::notice::Notice;

mod records;
pub use records::*;

// Caps. The verdict is computed from the values the browser saw: at intake
// (`EventIn::into_event`) only what the verdict never reads is cut, and the
// cuts that remain there keep every fact the check uses (see each constant).
// What is kept after the verdict (findings, notices, records) is cut to these
// sizes and marked (`cut_finding`, `cut_notice`, `cut_seen`).

/// Longest header value kept in a finding; longer ones are cut and marked,
/// so a hostile server cannot fill the worker's memory or the session
/// storage. At intake, only values the verdict never reads are cut.
pub const MAX_HEADER_VALUE: usize = 8 * 1024;
/// Most header lines kept per request or response, besides the lines the
/// verdict reads ([`JUDGED_HEADERS`], [`PRESENCE_HEADERS`]), which are never
/// left out wherever they stand.
pub const MAX_HEADERS: usize = 256;
/// Longest header name kept; a line with a longer name keeps a cut name and
/// none of its value (it could be a secret the name no longer shows).
pub const MAX_HEADER_NAME: usize = 256;
/// Longest URL kept. A longer one is cut after its origin (scheme, userinfo,
/// host and port are always kept whole), and the mark carries a digest of
/// the whole URL, so two URLs that differ past the cut never compare equal.
pub const MAX_URL: usize = 16 * 1024;
/// Longest method kept in a finding (the verdict compares whole methods).
pub const MAX_METHOD: usize = 1024;

/// The header lines whose values the verdict reads (`engine.rs`,
/// `check.rs`, and the evidence of the notices, `notice::evidence`): kept
/// whole at intake, whatever their size or position.
pub const JUDGED_HEADERS: [&str; 17] = [
    "origin",
    "sec-fetch-mode",
    "access-control-request-method",
    "access-control-request-headers",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "vary",
    "location",
    "access-control-expose-headers",
    "access-control-max-age",
    "set-cookie",
    "age",
    "x-cache",
    "x-cache-status",
    "cf-cache-status",
];
/// The header lines whose presence the verdict reads (credentials): never
/// left out, though their values may be cut.
pub const PRESENCE_HEADERS: [&str; 1] = ["cookie"];

/// A `webRequest` details object (the fields the core uses; Chromium and
/// Firefox spellings both accepted). Also written: the DevTools feed hands
/// the worker its events in this shape (`From<&Event>`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventIn {
    pub request_id: String,
    pub url: String,
    pub method: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tab_id: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_stamp: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_headers: Option<Vec<HeaderIn>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<Vec<HeaderIn>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One header line of a details object: `value`, or `binaryValue` bytes.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderIn {
    pub name: String,
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<Vec<f64>>,
}

/// The details object `webRequest` would have given for the event (the
/// DevTools feed's events, `har::Live`, cross to the worker so).
impl From<&Event> for EventIn {
    fn from(e: &Event) -> EventIn {
        let lines = |h: &Option<Headers>| {
            h.as_ref().map(|h| {
                h.0.iter()
                    .map(|h| HeaderIn {
                        name: h.name.clone(),
                        value: Some(h.value.clone()),
                        binary_value: None,
                    })
                    .collect()
            })
        };
        EventIn {
            request_id: e.request_id.clone(),
            url: e.url.clone(),
            method: e.method.clone(),
            resource_type: e.resource_type.clone(),
            tab_id: Some(e.tab_id as f64),
            time_stamp: Some(e.time_ms),
            initiator: e.initiator.clone(),
            origin_url: None,
            document_url: None,
            status_code: e.status.map(f64::from),
            request_headers: lines(&e.request_headers),
            response_headers: lines(&e.response_headers),
            redirect_url: e.redirect_url.clone(),
            error: e.error.clone(),
        }
    }
}

impl EventIn {
    /// The domain event. Only what the verdict never reads is cut here:
    /// other headers' values and names, the URLs past their origin (see
    /// [`cap_url`]), the resource type and the error name (browser-given
    /// words). The method and the headers the check reads stay whole; the
    /// engine's byte budget bounds what it keeps of them.
    pub fn into_event(self, kind: EventKind) -> Event {
        Event {
            kind,
            request_id: self.request_id,
            url: cap_url(self.url, MAX_URL),
            method: self.method,
            resource_type: cap(self.resource_type, 64),
            tab_id: self.tab_id.map_or(-1, |t| t as i64),
            // NaN and infinities would be stored as `null` and the record
            // could not be read back (found by fuzzing).
            time_ms: self.time_stamp.filter(|t| t.is_finite()).unwrap_or(0.0),
            initiator: self
                .initiator
                .or(self.origin_url)
                .or(self.document_url)
                .map(|u| cap_url(u, MAX_URL)),
            status: self
                .status_code
                .and_then(|s| (0.0..=999.0).contains(&s).then_some(s as u16)),
            request_headers: self.request_headers.map(headers),
            response_headers: self.response_headers.map(headers),
            redirect_url: self.redirect_url.map(|u| cap_url(u, MAX_URL)),
            error: self.error.map(|e| cap(e, 256)),
        }
    }
}

fn headers(lines: Vec<HeaderIn>) -> Headers {
    let lines = lines.into_iter().map(|h| {
        let value = match (h.value, h.binary_value) {
            (Some(v), _) => v,
            (None, Some(bytes)) => {
                let bytes: Vec<u8> = bytes.iter().map(|&b| b.clamp(0.0, 255.0) as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            (None, None) => String::new(),
        };
        Header::new(h.name, value)
    });
    Headers(keep_lines(lines, false))
}

/// Whether the verdict reads this header's value.
pub fn is_judged(name: &str) -> bool {
    JUDGED_HEADERS.iter().any(|j| name.eq_ignore_ascii_case(j))
}

/// Whether the verdict reads this header's presence (and not its value).
fn is_presence(name: &str) -> bool {
    PRESENCE_HEADERS
        .iter()
        .any(|j| name.eq_ignore_ascii_case(j))
}

/// The header lines kept: every line the verdict reads, and the first
/// [`MAX_HEADERS`] others, names and values cut. Values of the judged lines
/// are cut only when `cut_judged` (after the verdict).
fn keep_lines(lines: impl IntoIterator<Item = Header>, cut_judged: bool) -> Vec<Header> {
    let mut others = 0;
    let mut kept = Vec::new();
    for mut h in lines {
        let judged = is_judged(&h.name);
        if !judged && !is_presence(&h.name) {
            if others >= MAX_HEADERS {
                continue;
            }
            others += 1;
        }
        if judged && !cut_judged {
            kept.push(h);
            continue;
        }
        if h.name.len() > MAX_HEADER_NAME + MARK_ROOM {
            h.name = cap(h.name, MAX_HEADER_NAME);
            h.value = cap(h.value, 0);
        } else {
            h.value = cap(h.value, MAX_HEADER_VALUE);
        }
        kept.push(h);
    }
    kept
}

/// What a cut mark may add: a value at most this much longer than its cap
/// is kept whole (cutting it would save less than the mark costs), which
/// also makes cutting twice the same as cutting once.
pub const MARK_ROOM: usize = 64;

/// Cuts `s` to `max` bytes on a character boundary, marking the cut, when it
/// is longer than `max` + [`MARK_ROOM`].
pub fn cap(mut s: String, max: usize) -> String {
    if s.len() <= max + MARK_ROOM {
        return s;
    }
    let total = s.len();
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s.push_str(&format!("… [{} bytes cut]", total - end));
    s
}

/// Cuts a URL to about `max` bytes without changing what the verdict reads
/// of it: the cut falls after the scheme and authority (and the character
/// that ends it), so the origin, the userinfo and the scheme are those of
/// the whole URL; and the mark carries a digest of the whole URL, so two
/// URLs equal after the cut were equal before it.
pub fn cap_url(mut s: String, max: usize) -> String {
    if s.len() <= max + MARK_ROOM {
        return s;
    }
    let total = s.len();
    let mut end = max.max(authority_end(&s) + 1).min(total);
    while !s.is_char_boundary(end) {
        end += 1;
    }
    // Cut only when it saves more than the mark costs (so a cut URL is not
    // cut again).
    if end + MARK_ROOM >= total {
        return s;
    }
    let digest = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        s.hash(&mut h);
        h.finish()
    };
    s.truncate(end);
    s.push_str(&format!("… [{} bytes cut, {digest:016x}]", total - end));
    s
}

/// Where the scheme and authority of a URL end (the byte index of the `/`,
/// `?`, `#` or `\` after them, or the length): `blob:` URLs are read
/// through to their inner URL's authority.
fn authority_end(url: &str) -> usize {
    let Some(colon) = url.find(':') else {
        return 0;
    };
    let scheme = &url[..colon];
    if !scheme
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return 0;
    }
    let rest = &url[colon + 1..];
    if scheme.eq_ignore_ascii_case("blob") {
        return colon + 1 + authority_end(rest);
    }
    let slashes = rest.len() - rest.trim_start_matches(['/', '\\']).len();
    let after = &rest[slashes..];
    let end = after.find(['/', '?', '#', '\\']).unwrap_or(after.len());
    colon + 1 + slashes + end
}

fn cut(s: &mut String, max: usize) {
    if s.len() > max + MARK_ROOM {
        *s = cap(std::mem::take(s), max);
    }
}

/// Cuts what a finding keeps, after the verdict: values, lists and the
/// exchanges shown (see the constants above). Cutting twice is cutting once.
pub fn cut_finding(f: &mut Finding) {
    cut(&mut f.method, MAX_METHOD);
    cut(&mut f.failed_parameter, MAX_HEADER_VALUE);
    f.allow_origin.truncate(MAX_HEADERS);
    for v in &mut f.allow_origin {
        cut(v, MAX_HEADER_VALUE);
    }
    for v in [
        &mut f.allow_credentials,
        &mut f.allow_methods,
        &mut f.allow_headers,
    ]
    .into_iter()
    .flatten()
    {
        cut(v, MAX_HEADER_VALUE);
    }
    f.requested_headers.truncate(MAX_HEADERS);
    for v in &mut f.requested_headers {
        cut(v, MAX_HEADER_NAME);
    }
    f.redirects.truncate(MAX_HEADERS);
    cut_seen(&mut f.exchange);
    if let Some(p) = &mut f.preflight {
        cut_seen(p);
    }
}

/// Cuts what a notice keeps, after the verdict.
pub fn cut_notice(n: &mut Notice) {
    cut(&mut n.method, MAX_METHOD);
    cut(&mut n.detail, MAX_HEADER_VALUE);
}

/// Cuts an exchange as shown: every line the verdict read stays (cut), and
/// the first [`MAX_HEADERS`] others.
pub fn cut_seen(s: &mut Seen) {
    cut(&mut s.method, MAX_METHOD);
    s.request_headers = keep_lines(std::mem::take(&mut s.request_headers), true);
    s.response_headers = keep_lines(std::mem::take(&mut s.response_headers), true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_cuts_on_a_char_boundary_and_says_how_much() {
        assert_eq!(cap("short".into(), 10), "short");
        let long = "é".repeat(100); // 200 bytes
        let cut = cap(long, 5);
        assert!(cut.starts_with("éé"), "{cut}");
        assert!(!cut.starts_with("ééé"), "{cut}");
        assert!(cut.ends_with("[196 bytes cut]"), "{cut}");
        // Cutting what was cut changes nothing.
        assert_eq!(cap(cut.clone(), 5), cut);
    }

    #[test]
    fn a_cut_url_keeps_its_origin_scheme_and_userinfo_and_stays_distinct() {
        let long = "x".repeat(MAX_URL * 2);
        let cases = [
            format!("http://localhost:8081/{long}"),
            format!("https://example.com/a?q={long}"),
            format!("http://[::1]:8080/#{long}"),
            format!("http://u:p@localhost:8082/{long}"),
            // The authority itself past the cap: kept whole.
            format!("http://{long}@localhost:8082/path/{long}"),
            format!("ftp://localhost/{long}"),
            format!("blob:http://localhost:8081/{long}"),
        ];
        for whole in cases {
            let cut = cap_url(whole.clone(), MAX_URL);
            assert!(cut.len() < whole.len(), "{}: cut", &whole[..30]);
            assert!(cut.ends_with(']'), "{}: marked", &whole[..30]);
            let parse = |u: &str| {
                url::Url::parse(u)
                    .map(|u| {
                        (
                            u.scheme().to_owned(),
                            u.username().to_owned(),
                            u.password().map(str::to_owned),
                            u.origin().ascii_serialization(),
                        )
                    })
                    .ok()
            };
            assert!(parse(&cut) == parse(&whole), "{}: parsed", &whole[..30]);
            assert_eq!(crate::origin::of_url(&cut), crate::origin::of_url(&whole));
            // Two URLs equal before the cut and different after it stay
            // different once cut; the same URL is cut the same way twice.
            let other = format!("{whole}y");
            assert!(cap_url(other, MAX_URL) != cut, "{}: distinct", &whole[..30]);
            assert!(
                cap_url(whole.clone(), MAX_URL) == cut,
                "{}: stable",
                &whole[..30]
            );
            assert!(
                cap_url(cut.clone(), MAX_URL) == cut,
                "{}: cut twice",
                &whole[..30]
            );
        }
    }

    #[test]
    fn binary_header_values_become_lossy_text() {
        let event = EventIn {
            request_id: "1".into(),
            response_headers: Some(vec![HeaderIn {
                name: "X-Bin".into(),
                value: None,
                binary_value: Some(vec![104.0, 105.0, 255.0, -3.0, 1e9]),
            }]),
            ..EventIn::default()
        }
        .into_event(EventKind::HeadersReceived);
        let headers = event.response_headers.expect("headers kept");
        assert_eq!(headers.first("x-bin"), Some("hi\u{fffd}\u{0}\u{fffd}"));
    }
}
