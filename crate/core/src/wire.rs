//! Transfer types: the shapes that cross the wasm boundary and land in
//! storage and exports, kept apart from the domain types so either can change.

use serde::{Deserialize, Serialize};

use crate::event::{Event, EventKind};
use crate::finding::{Credentials, Finding, Seen};
use crate::headers::{Header, Headers};
use crate::notice::{Notice, NoticeKind};
use crate::reason::CorsError;
use crate::report::Report;

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
/// Firefox spellings both accepted).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventIn {
    pub request_id: String,
    pub url: String,
    pub method: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub tab_id: Option<f64>,
    pub time_stamp: Option<f64>,
    pub initiator: Option<String>,
    pub origin_url: Option<String>,
    pub document_url: Option<String>,
    pub status_code: Option<f64>,
    pub request_headers: Option<Vec<HeaderIn>>,
    pub response_headers: Option<Vec<HeaderIn>>,
    pub redirect_url: Option<String>,
    pub error: Option<String>,
}

/// One header line of a details object: `value`, or `binaryValue` bytes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderIn {
    pub name: String,
    pub value: Option<String>,
    pub binary_value: Option<Vec<f64>>,
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

/// What the engine reports, as stored in `storage.session`, sent to the panel
/// and exported: `kind` says which of the two it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
// Built once per report and serialized at once: not worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Failure(FindingRecord),
    Notice(NoticeRecord),
}

impl From<&Report> for Record {
    fn from(report: &Report) -> Record {
        match report {
            Report::Failure(f) => Record::Failure(f.into()),
            Report::Notice(n) => Record::Notice(n.into()),
        }
    }
}

/// The request a stored record is about, one shape for failures and
/// notices (flattened into each: the stored JSON is unchanged).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestFacts {
    /// The browser's `requestId`.
    pub request_id: String,
    /// The tab the request came from (`-1` when not from a tab).
    pub tab_id: i64,
    /// When it was (last) seen, in ms since the epoch.
    pub time: f64,
    pub method: String,
    pub url: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub origin: String,
    pub page_origin: String,
    pub status: Option<u16>,
}

/// The request facts of a domain type ([`Finding`], [`Notice`]), by its
/// same-named fields.
macro_rules! request_facts {
    ($x:expr) => {
        RequestFacts {
            request_id: $x.request_id.clone(),
            tab_id: $x.tab_id,
            time: $x.time_ms,
            method: $x.method.clone(),
            url: $x.url.clone(),
            resource_type: $x.resource_type.clone(),
            origin: $x.origin.clone(),
            page_origin: $x.page_origin.clone(),
            status: $x.status,
        }
    };
}

/// A domain type ([`Finding`], [`Notice`]) from a record's request facts
/// and its own fields.
macro_rules! from_request_facts {
    ($ty:ident, $request:expr, { $($field:ident: $value:expr),* $(,)? }) => {{
        let q: RequestFacts = $request;
        $ty {
            request_id: q.request_id,
            tab_id: q.tab_id,
            time_ms: q.time,
            method: q.method,
            url: q.url,
            resource_type: q.resource_type,
            origin: q.origin,
            page_origin: q.page_origin,
            status: q.status,
            $($field: $value),*
        }
    }};
}

/// A notice as stored and sent to the panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeRecord {
    pub key: String,
    #[serde(flatten)]
    pub request: RequestFacts,
    /// The notice id (`NoResponse`, `NullOriginAllowed`, ...); an unknown
    /// id makes the record unreadable (never a silent fallback).
    #[serde(with = "notice_id")]
    pub notice: NoticeKind,
    /// `warning` (a response that passed) or `info` (not a CORS failure):
    /// written for readers of the stored JSON, always the notice's own.
    pub severity: NoticeSeverity,
    pub detail: String,
    pub count: u32,
    #[serde(flatten)]
    pub stored: Stored,
}

/// A notice's severity as stored and exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeSeverity {
    /// A response that passed, with a risky configuration.
    Warning,
    /// Not a CORS failure (blocked by the client, never answered).
    Info,
}

impl NoticeSeverity {
    /// The id as stored and exported.
    pub fn id(self) -> &'static str {
        match self {
            NoticeSeverity::Warning => "warning",
            NoticeSeverity::Info => "info",
        }
    }

    /// The severity of a notice of this kind.
    pub fn of(kind: NoticeKind) -> NoticeSeverity {
        if kind.is_warning() {
            NoticeSeverity::Warning
        } else {
            NoticeSeverity::Info
        }
    }
}

/// What a stored record carries besides the report itself, set where the
/// record's life says (crate/core/src/record.rs): `firstSeen` when repeats
/// were grouped into it, `pageUrl` and `imported` on import.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Stored {
    /// When the first of the grouped occurrences was seen (ms since the
    /// epoch); absent for a problem seen once (`time` is then both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<f64>,
    /// The page the record was captured on, for an imported record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// Whether the record came from an imported file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub imported: bool,
}

/// Stored enums by their ids: an unknown id is an error, never a default.
mod notice_id {
    use super::NoticeKind;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &NoticeKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NoticeKind, D::Error> {
        let id = String::deserialize(d)?;
        NoticeKind::from_id(&id).ok_or_else(|| D::Error::custom(format!("unknown notice {id:?}")))
    }
}

/// The reason by its Chromium (DevTools protocol) id.
mod chromium_id {
    use super::CorsError;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(reason: &CorsError, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(reason.chromium_id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CorsError, D::Error> {
        let id = String::deserialize(d)?;
        CorsError::from_chromium_id(&id)
            .ok_or_else(|| D::Error::custom(format!("unknown reason {id:?}")))
    }
}

impl From<&Notice> for NoticeRecord {
    fn from(n: &Notice) -> NoticeRecord {
        NoticeRecord {
            key: n.group_key(),
            request: request_facts!(n),
            notice: n.kind,
            severity: NoticeSeverity::of(n.kind),
            detail: n.detail.clone(),
            count: n.count,
            stored: Stored::default(),
        }
    }
}

impl From<NoticeRecord> for Notice {
    fn from(r: NoticeRecord) -> Notice {
        from_request_facts!(Notice, r.request, {
            kind: r.notice,
            detail: r.detail,
            count: r.count,
        })
    }
}

/// An exchange as stored: headers as `[name, value]` pairs, credentials
/// already redacted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SeenRecord {
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
}

impl From<&Seen> for SeenRecord {
    fn from(s: &Seen) -> SeenRecord {
        let pairs = |h: &[Header]| {
            h.iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect()
        };
        SeenRecord {
            method: s.method.clone(),
            url: s.url.clone(),
            status: s.status,
            request_headers: pairs(&s.request_headers),
            response_headers: pairs(&s.response_headers),
        }
    }
}

impl From<SeenRecord> for Seen {
    fn from(r: SeenRecord) -> Seen {
        let headers = |pairs: Vec<(String, String)>| {
            pairs.into_iter().map(|(n, v)| Header::new(n, v)).collect()
        };
        Seen {
            method: r.method,
            url: r.url,
            status: r.status,
            request_headers: headers(r.request_headers),
            response_headers: headers(r.response_headers),
        }
    }
}

/// A finding as stored in `storage.session`, sent to the panel and exported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingRecord {
    /// Grouping key: records with the same key are one problem seen again.
    pub key: String,
    #[serde(flatten)]
    pub request: RequestFacts,
    /// The Chromium / DevTools protocol reason id; an unknown id makes the
    /// record unreadable.
    #[serde(with = "chromium_id")]
    pub reason: CorsError,
    /// The MDN / Firefox reason id.
    pub mdn_id: String,
    pub failed_parameter: String,
    pub allow_origin: Vec<String>,
    pub allow_credentials: Option<String>,
    #[serde(default)]
    pub allow_methods: Option<String>,
    #[serde(default)]
    pub allow_headers: Option<String>,
    #[serde(default)]
    pub requested_headers: Vec<String>,
    /// `unknown`, `include-cookie` or `include-failure`.
    pub credentials: Credentials,
    pub redirects: Vec<String>,
    /// An earlier response of the same endpoint carried the header.
    #[serde(default)]
    pub endpoint_allowed_before: bool,
    /// The failing exchange (the `OPTIONS` for a preflight failure).
    #[serde(default)]
    pub exchange: SeenRecord,
    /// The preflight that let the actual request go, when one was seen.
    #[serde(default)]
    pub preflight: Option<SeenRecord>,
    pub count: u32,
    #[serde(flatten)]
    pub stored: Stored,
}

impl From<&Finding> for FindingRecord {
    fn from(f: &Finding) -> FindingRecord {
        FindingRecord {
            key: f.group_key(),
            request: request_facts!(f),
            reason: f.reason,
            mdn_id: f.reason.mdn_id().to_owned(),
            failed_parameter: f.failed_parameter.clone(),
            allow_origin: f.allow_origin.clone(),
            allow_credentials: f.allow_credentials.clone(),
            allow_methods: f.allow_methods.clone(),
            allow_headers: f.allow_headers.clone(),
            requested_headers: f.requested_headers.clone(),
            credentials: f.credentials,
            redirects: f.redirects.clone(),
            endpoint_allowed_before: f.endpoint_allowed_before,
            exchange: (&f.exchange).into(),
            preflight: f.preflight.as_ref().map(Into::into),
            count: f.count,
            stored: Stored::default(),
        }
    }
}

impl From<FindingRecord> for Finding {
    fn from(r: FindingRecord) -> Finding {
        from_request_facts!(Finding, r.request, {
            reason: r.reason,
            failed_parameter: r.failed_parameter,
            allow_origin: r.allow_origin,
            allow_credentials: r.allow_credentials,
            allow_methods: r.allow_methods,
            allow_headers: r.allow_headers,
            requested_headers: r.requested_headers,
            credentials: r.credentials,
            redirects: r.redirects,
            endpoint_allowed_before: r.endpoint_allowed_before,
            exchange: r.exchange.into(),
            preflight: r.preflight.map(Into::into),
            count: r.count,
        })
    }
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
