//! The stored records: what the engine reports, as kept in
//! `storage.session`, sent to the panel and exported (typed: serde enums for
//! the reason, the notice kind, the credentials and the severity), and their
//! conversions from and to the domain types.

use serde::{Deserialize, Serialize};

use crate::finding::{Credentials, Finding, Seen};
use crate::headers::Header;
use crate::notice::{Notice, NoticeKind};
use crate::reason::CorsError;
use crate::report::Report;

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
