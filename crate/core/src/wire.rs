//! Transfer types: the shapes that cross the wasm boundary and land in
//! storage and exports, kept apart from the domain types so either can change.

use serde::{Deserialize, Serialize};

use crate::engine::Report;
use crate::event::{Event, EventKind};
use crate::finding::{Credentials, Finding, Seen};
use crate::headers::{Header, Headers};
use crate::notice::{Notice, NoticeKind};
use crate::reason::CorsError;

/// Longest header value kept; longer ones are cut and marked, so a hostile
/// server cannot fill the worker's memory or the session storage.
pub const MAX_HEADER_VALUE: usize = 8 * 1024;
/// Most header lines kept per request or response.
pub const MAX_HEADERS: usize = 256;
/// Longest URL kept.
pub const MAX_URL: usize = 16 * 1024;

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
    /// The domain event, with oversized values cut down.
    pub fn into_event(self, kind: EventKind) -> Event {
        Event {
            kind,
            request_id: self.request_id,
            url: cap(self.url, MAX_URL),
            method: cap(self.method, 64),
            resource_type: cap(self.resource_type, 64),
            tab_id: self.tab_id.map_or(-1, |t| t as i64),
            // NaN and infinities would be stored as `null` and the record
            // could not be read back (found by fuzzing).
            time_ms: self.time_stamp.filter(|t| t.is_finite()).unwrap_or(0.0),
            initiator: self
                .initiator
                .or(self.origin_url)
                .or(self.document_url)
                .map(|u| cap(u, MAX_URL)),
            status: self
                .status_code
                .and_then(|s| (0.0..=999.0).contains(&s).then_some(s as u16)),
            request_headers: self.request_headers.map(headers),
            response_headers: self.response_headers.map(headers),
            redirect_url: self.redirect_url.map(|u| cap(u, MAX_URL)),
            error: self.error.map(|e| cap(e, 256)),
        }
    }
}

fn headers(lines: Vec<HeaderIn>) -> Headers {
    Headers(
        lines
            .into_iter()
            .take(MAX_HEADERS)
            .map(|h| {
                let value = match (h.value, h.binary_value) {
                    (Some(v), _) => v,
                    (None, Some(bytes)) => {
                        let bytes: Vec<u8> =
                            bytes.iter().map(|&b| b.clamp(0.0, 255.0) as u8).collect();
                        String::from_utf8_lossy(&bytes).into_owned()
                    }
                    (None, None) => String::new(),
                };
                Header::new(cap(h.name, 256), cap(value, MAX_HEADER_VALUE))
            })
            .collect(),
    )
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub fn cap(mut s: String, max: usize) -> String {
    if s.len() <= max {
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

/// A notice as stored and sent to the panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeRecord {
    pub key: String,
    pub request_id: String,
    pub tab_id: i64,
    pub time: f64,
    pub method: String,
    pub url: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub origin: String,
    pub page_origin: String,
    pub status: Option<u16>,
    /// The notice id (`NoResponse`, `NullOriginAllowed`, ...).
    pub notice: String,
    /// `warning` (a response that passed) or `info` (not a CORS failure).
    pub severity: String,
    pub detail: String,
    pub count: u32,
}

impl From<&Notice> for NoticeRecord {
    fn from(n: &Notice) -> NoticeRecord {
        NoticeRecord {
            key: n.group_key(),
            request_id: n.request_id.clone(),
            tab_id: n.tab_id,
            time: n.time_ms,
            method: n.method.clone(),
            url: n.url.clone(),
            resource_type: n.resource_type.clone(),
            origin: n.origin.clone(),
            page_origin: n.page_origin.clone(),
            status: n.status,
            notice: n.kind.id().to_owned(),
            severity: if n.kind.is_warning() {
                "warning"
            } else {
                "info"
            }
            .to_owned(),
            detail: n.detail.clone(),
            count: n.count,
        }
    }
}

impl TryFrom<NoticeRecord> for Notice {
    type Error = UnknownReason;

    fn try_from(r: NoticeRecord) -> Result<Notice, UnknownReason> {
        let kind = NoticeKind::from_id(&r.notice).ok_or(UnknownReason(r.notice))?;
        Ok(Notice {
            request_id: r.request_id,
            tab_id: r.tab_id,
            time_ms: r.time,
            method: r.method,
            url: r.url,
            resource_type: r.resource_type,
            origin: r.origin,
            page_origin: r.page_origin,
            status: r.status,
            kind,
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
    pub request_id: String,
    pub tab_id: i64,
    pub time: f64,
    pub method: String,
    pub url: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub origin: String,
    pub page_origin: String,
    pub status: Option<u16>,
    /// The Chromium / DevTools protocol reason id.
    pub reason: String,
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
    pub credentials: String,
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
}

impl From<&Finding> for FindingRecord {
    fn from(f: &Finding) -> FindingRecord {
        FindingRecord {
            key: f.group_key(),
            request_id: f.request_id.clone(),
            tab_id: f.tab_id,
            time: f.time_ms,
            method: f.method.clone(),
            url: f.url.clone(),
            resource_type: f.resource_type.clone(),
            origin: f.origin.clone(),
            page_origin: f.page_origin.clone(),
            status: f.status,
            reason: f.reason.chromium_id().to_owned(),
            mdn_id: f.reason.mdn_id().to_owned(),
            failed_parameter: f.failed_parameter.clone(),
            allow_origin: f.allow_origin.clone(),
            allow_credentials: f.allow_credentials.clone(),
            allow_methods: f.allow_methods.clone(),
            allow_headers: f.allow_headers.clone(),
            requested_headers: f.requested_headers.clone(),
            credentials: match f.credentials {
                Credentials::Unknown => "unknown",
                Credentials::IncludeFromCookie => "include-cookie",
                Credentials::IncludeFromFailure => "include-failure",
            }
            .to_owned(),
            redirects: f.redirects.clone(),
            endpoint_allowed_before: f.endpoint_allowed_before,
            exchange: (&f.exchange).into(),
            preflight: f.preflight.as_ref().map(Into::into),
            count: f.count,
        }
    }
}

/// Why a stored record could not be read back as a finding.
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownReason(pub String);

impl std::fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown reason {:?} in a stored record", self.0)
    }
}

impl std::error::Error for UnknownReason {}

impl TryFrom<FindingRecord> for Finding {
    type Error = UnknownReason;

    fn try_from(r: FindingRecord) -> Result<Finding, UnknownReason> {
        let reason = CorsError::from_chromium_id(&r.reason).ok_or(UnknownReason(r.reason))?;
        Ok(Finding {
            request_id: r.request_id,
            tab_id: r.tab_id,
            time_ms: r.time,
            method: r.method,
            url: r.url,
            resource_type: r.resource_type,
            origin: r.origin,
            page_origin: r.page_origin,
            status: r.status,
            reason,
            failed_parameter: r.failed_parameter,
            allow_origin: r.allow_origin,
            allow_credentials: r.allow_credentials,
            allow_methods: r.allow_methods,
            allow_headers: r.allow_headers,
            requested_headers: r.requested_headers,
            credentials: match r.credentials.as_str() {
                "include-cookie" => Credentials::IncludeFromCookie,
                "include-failure" => Credentials::IncludeFromFailure,
                _ => Credentials::Unknown,
            },
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
        let long = "é".repeat(10); // 20 bytes
        let cut = cap(long, 5);
        assert!(cut.starts_with("éé"), "{cut}");
        assert!(cut.ends_with("[16 bytes cut]"), "{cut}");
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
