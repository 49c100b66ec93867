//! The JSON export (format `cors-lens-export`, version 1) and its import.
//! `docs/export-format.md` documents every field; `docs/export.schema.json`
//! is the JSON Schema the end-to-end test validates downloads against.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{format_iso, parse_iso, redact_finding, redact_notice, Meta, FORMAT, VERSION};
use crate::explain::explain;
use crate::finding::Credentials;
use crate::finding::Finding;
use crate::l10n::{tf, Lang};
use crate::notice::{Notice, NoticeKind};
use crate::notice_text::describe;
use crate::reason::CorsError;
use crate::wire::{
    FindingRecord, NoticeRecord, NoticeSeverity, Record, RequestFacts, SeenRecord, Stored,
};

/// Largest file the import reads.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
/// Most records (findings and notices) an import keeps: as many as the
/// worker keeps across tabs. The first ones of the file are kept, findings
/// before notices; the rest are left out and the panel says so.
pub const MAX_IMPORT_RECORDS: usize = 2000;

/// A whole export file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub extension: Extension,
    pub browser: String,
    pub exported_at: String,
    pub page: Page,
    /// The language of the explanations (`en`, `fr`).
    pub language: String,
    /// Always `true`: secrets were replaced by `[redacted]`.
    pub redacted: bool,
    pub findings: Vec<ExportFinding>,
    pub notices: Vec<ExportNotice>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub url: String,
    pub origin: String,
}

/// One CORS failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFinding {
    /// The DevTools protocol `CorsError` name.
    pub reason: String,
    /// The MDN / Firefox reason id.
    pub mdn_id: String,
    /// Always `failure` for a finding.
    pub severity: String,
    pub failed_parameter: String,
    pub url: String,
    pub method: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub origin: String,
    pub page_origin: String,
    pub page_url: String,
    pub status: Option<u16>,
    /// `unknown`, `include-cookie` or `include-failure`.
    pub credentials: Credentials,
    /// Whether the credentials mode was inferred (`webRequest` never says).
    pub credentials_inferred: bool,
    pub allow_origin: Vec<String>,
    pub allow_credentials: Option<String>,
    pub allow_methods: Option<String>,
    pub allow_headers: Option<String>,
    pub requested_headers: Vec<String>,
    pub redirects: Vec<String>,
    pub endpoint_allowed_before: bool,
    pub exchange: SeenRecord,
    pub preflight: Option<SeenRecord>,
    pub first_seen: String,
    pub last_seen: String,
    pub count: u32,
    pub explanation: Explanation,
}

/// The explanation in the export's language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Explanation {
    pub title: String,
    pub summary: String,
    pub why: String,
    pub fix: String,
    pub warnings: Vec<String>,
}

/// A warning on a response that passed, or a failure that is not CORS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportNotice {
    pub notice: String,
    /// `warning` or `info`.
    pub severity: NoticeSeverity,
    pub url: String,
    pub method: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub origin: String,
    pub page_origin: String,
    pub page_url: String,
    pub status: Option<u16>,
    pub detail: String,
    pub first_seen: String,
    pub last_seen: String,
    pub count: u32,
    pub explanation: Explanation,
}

/// The export of one finding record (already parsed), redacted.
pub fn finding(mut f: Finding, first_seen: f64, page_url: &str, lang: Lang) -> ExportFinding {
    redact_finding(&mut f);
    let ex = explain(&f, lang);
    let r = FindingRecord::from(&f);
    ExportFinding {
        reason: r.reason.chromium_id().to_owned(),
        mdn_id: r.mdn_id,
        severity: "failure".to_owned(),
        failed_parameter: r.failed_parameter,
        url: r.request.url,
        method: r.request.method,
        resource_type: r.request.resource_type,
        origin: r.request.origin,
        page_origin: r.request.page_origin,
        page_url: super::redact_url(page_url),
        status: r.request.status,
        credentials_inferred: r.credentials.included(),
        credentials: r.credentials,
        allow_origin: r.allow_origin,
        allow_credentials: r.allow_credentials,
        allow_methods: r.allow_methods,
        allow_headers: r.allow_headers,
        requested_headers: r.requested_headers,
        redirects: r.redirects,
        endpoint_allowed_before: r.endpoint_allowed_before,
        exchange: r.exchange,
        preflight: r.preflight,
        first_seen: format_iso(first_seen),
        last_seen: format_iso(r.request.time),
        count: r.count,
        explanation: Explanation {
            title: ex.title,
            summary: ex.what,
            why: ex.why,
            fix: ex.fix,
            warnings: ex.warnings,
        },
    }
}

fn notice(mut n: Notice, first_seen: f64, page_url: &str, lang: Lang) -> ExportNotice {
    redact_notice(&mut n);
    let text = describe(&n, lang);
    let r = NoticeRecord::from(&n);
    ExportNotice {
        notice: r.notice.id().to_owned(),
        severity: r.severity,
        url: r.request.url,
        method: r.request.method,
        resource_type: r.request.resource_type,
        origin: r.request.origin,
        page_origin: r.request.page_origin,
        page_url: super::redact_url(page_url),
        status: r.request.status,
        detail: r.detail,
        first_seen: format_iso(first_seen),
        last_seen: format_iso(r.request.time),
        count: r.count,
        explanation: Explanation {
            title: text.title,
            summary: text.what,
            why: String::new(),
            fix: text.fix,
            warnings: Vec::new(),
        },
    }
}

/// Builds the export of `records` (stored records, as JSON values; ones
/// that cannot be read are left out and counted in the second value).
pub fn export(records: &[Value], meta: &Meta, lang: Lang) -> (Export, usize) {
    let mut out = Export {
        format: FORMAT.to_owned(),
        version: VERSION,
        extension: Extension {
            name: meta.extension.name.clone(),
            version: meta.extension.version.clone(),
        },
        browser: meta.browser.clone(),
        exported_at: meta.exported_at.clone(),
        page: Page {
            url: super::redact_url(&meta.page.url),
            origin: super::redact_url(&meta.page.origin),
        },
        language: lang.code().to_owned(),
        redacted: true,
        findings: Vec::new(),
        notices: Vec::new(),
    };
    let mut unreadable = 0;
    for v in records {
        let Ok(record) = Record::deserialize(v) else {
            unreadable += 1;
            continue;
        };
        let first = record.first_seen();
        let page_url = record.stored().page_url.clone();
        let page_url = page_url.as_deref().unwrap_or(&meta.page.url);
        match record {
            Record::Failure(r) => {
                out.findings
                    .push(finding(Finding::from(r), first, page_url, lang))
            }
            Record::Notice(r) => out
                .notices
                .push(notice(Notice::from(r), first, page_url, lang)),
        }
    }
    (out, unreadable)
}

/// The export as the text of a `.json` file (pretty, trailing newline).
pub fn to_text(export: &Export) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(export).unwrap_or_default();
    s.push('\n');
    s
}

/// Why a file could not be imported. Each case has a localised message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// Larger than [`MAX_IMPORT_BYTES`].
    TooLarge { bytes: usize },
    /// Not JSON at all.
    NotJson(String),
    /// JSON, but not a CORS Lens export (no `format: "cors-lens-export"`).
    NotAnExport,
    /// A CORS Lens export of a newer format version than this build reads.
    NewerVersion(u64),
    /// A CORS Lens export with fields of the wrong type or unknown values.
    WrongShape(String),
}

impl ImportError {
    /// The message key in `_locales`.
    pub fn key(&self) -> &'static str {
        match self {
            ImportError::TooLarge { .. } => "ui_import_too_large",
            ImportError::NotJson(_) => "ui_import_not_json",
            ImportError::NotAnExport => "ui_import_not_export",
            ImportError::NewerVersion(_) => "ui_import_newer",
            ImportError::WrongShape(_) => "ui_import_wrong_shape",
        }
    }

    /// The message in `lang`, with the details filled in.
    pub fn message(&self, lang: Lang) -> String {
        let mb = (MAX_IMPORT_BYTES / (1024 * 1024)).to_string();
        match self {
            ImportError::TooLarge { bytes } => tf(
                lang,
                self.key(),
                &[
                    ("size", &format!("{:.1}", *bytes as f64 / (1024.0 * 1024.0))),
                    ("max", &mb),
                ],
            ),
            ImportError::NotJson(d) | ImportError::WrongShape(d) => {
                tf(lang, self.key(), &[("detail", d)])
            }
            ImportError::NotAnExport => tf(lang, self.key(), &[]),
            ImportError::NewerVersion(v) => tf(
                lang,
                self.key(),
                &[
                    ("version", &v.to_string()),
                    ("supported", &VERSION.to_string()),
                ],
            ),
        }
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ImportError {}

/// What an import kept of a file that was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub export: Export,
    /// The records the panel renders, at most [`MAX_IMPORT_RECORDS`].
    pub records: Vec<Value>,
    pub summary: ImportSummary,
}

/// How much of a file an import left out or cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Findings and notices in the file.
    pub total: usize,
    /// How many were kept ([`MAX_IMPORT_RECORDS`] at most).
    pub kept: usize,
    /// How many of the kept ones had values longer than what a finding
    /// keeps (`wire`'s caps): cut and marked.
    pub cut: usize,
}

impl ImportSummary {
    /// What the panel says after the import, in `lang`; `None` when the
    /// whole file was kept as it was.
    pub fn message(&self, lang: Lang) -> Option<String> {
        let n = |v: usize| group_digits(v, lang);
        let mut parts = Vec::new();
        if self.kept < self.total {
            parts.push(tf(
                lang,
                "ui_import_left_out",
                &[
                    ("kept", &n(self.kept)),
                    ("total", &n(self.total)),
                    ("max", &n(MAX_IMPORT_RECORDS)),
                ],
            ));
        }
        if self.cut > 0 {
            parts.push(tf(
                lang,
                "ui_import_cut",
                &[
                    ("count", &n(self.cut)),
                    ("max", &n(crate::wire::MAX_HEADER_VALUE / 1024)),
                ],
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// `v` with its digits grouped by thousands as `lang` writes them
/// (`5,310`; `5 310` with a narrow no-break space).
fn group_digits(v: usize, lang: Lang) -> String {
    let sep = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The cuts of `wire` on an imported finding, and on the fields only an
/// import can make long (URLs and origins come capped from the engine).
fn cut_imported_finding(f: &mut Finding) {
    use crate::wire::{cap, cap_url, cut_finding, MAX_URL};
    cut_finding(f);
    for s in [&mut f.url, &mut f.origin, &mut f.page_origin] {
        *s = cap_url(std::mem::take(s), MAX_URL);
    }
    f.resource_type = cap(std::mem::take(&mut f.resource_type), 64);
    for r in &mut f.redirects {
        *r = cap_url(std::mem::take(r), MAX_URL);
    }
    for seen in std::iter::once(&mut f.exchange).chain(f.preflight.as_mut()) {
        seen.url = cap_url(std::mem::take(&mut seen.url), MAX_URL);
    }
}

fn cut_imported_notice(n: &mut Notice) {
    use crate::wire::{cap, cap_url, cut_notice, MAX_URL};
    cut_notice(n);
    for s in [&mut n.url, &mut n.origin, &mut n.page_origin] {
        *s = cap_url(std::mem::take(s), MAX_URL);
    }
    n.resource_type = cap(std::mem::take(&mut n.resource_type), 64);
}

/// Reads an export file back into records the panel renders (`kind:
/// failure` / `notice`, each with `firstSeen`, `pageUrl` and `imported:
/// true`): at most [`MAX_IMPORT_RECORDS`], each value cut to what a finding
/// keeps; the summary says what was left out or cut. Never panics; a file
/// that cannot be read is an [`ImportError`].
pub fn import(text: &str) -> Result<Imported, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge { bytes: text.len() });
    }
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| ImportError::NotJson(e.to_string()))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(ImportError::NotAnExport);
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v > u64::from(VERSION) => return Err(ImportError::NewerVersion(v)),
        Some(v) if v == u64::from(VERSION) => {}
        _ => {
            return Err(ImportError::WrongShape(
                "version is not a supported number".to_owned(),
            ))
        }
    }
    let export: Export =
        serde_json::from_value(value).map_err(|e| ImportError::WrongShape(e.to_string()))?;
    let total = export.findings.len() + export.notices.len();
    let mut records = Vec::with_capacity(total.min(MAX_IMPORT_RECORDS));
    let mut cut = 0;
    let notices_kept = MAX_IMPORT_RECORDS.saturating_sub(export.findings.len());
    for (i, f) in export.findings.iter().enumerate().take(MAX_IMPORT_RECORDS) {
        let at = |what: &str| ImportError::WrongShape(format!("findings[{i}]: {what}"));
        let reason = CorsError::from_chromium_id(&f.reason).ok_or_else(|| at("unknown reason"))?;
        let last = parse_iso(&f.last_seen).ok_or_else(|| at("lastSeen is not a date"))?;
        let first = parse_iso(&f.first_seen).ok_or_else(|| at("firstSeen is not a date"))?;
        let record = FindingRecord {
            key: String::new(),
            request: RequestFacts {
                request_id: format!("imported-{i}"),
                tab_id: -1,
                time: last,
                method: f.method.clone(),
                url: f.url.clone(),
                resource_type: f.resource_type.clone(),
                origin: f.origin.clone(),
                page_origin: f.page_origin.clone(),
                status: f.status,
            },
            reason,
            mdn_id: reason.mdn_id().to_owned(),
            failed_parameter: f.failed_parameter.clone(),
            allow_origin: f.allow_origin.clone(),
            allow_credentials: f.allow_credentials.clone(),
            allow_methods: f.allow_methods.clone(),
            allow_headers: f.allow_headers.clone(),
            requested_headers: f.requested_headers.clone(),
            credentials: f.credentials,
            redirects: f.redirects.clone(),
            endpoint_allowed_before: f.endpoint_allowed_before,
            exchange: f.exchange.clone(),
            preflight: f.preflight.clone(),
            count: f.count,
            stored: Stored::default(),
        };
        let whole = Finding::from(record);
        let mut kept = whole.clone();
        cut_imported_finding(&mut kept);
        let page_url = crate::wire::cap_url(f.page_url.clone(), crate::wire::MAX_URL);
        cut += usize::from(kept != whole || page_url != f.page_url);
        let mut record = Record::Failure(FindingRecord::from(&kept));
        *record.stored_mut() = Stored::imported(first, page_url);
        records.push(to_value(&record)?);
    }
    for (i, n) in export.notices.iter().enumerate().take(notices_kept) {
        let at = |what: &str| ImportError::WrongShape(format!("notices[{i}]: {what}"));
        let kind = NoticeKind::from_id(&n.notice).ok_or_else(|| at("unknown notice"))?;
        let last = parse_iso(&n.last_seen).ok_or_else(|| at("lastSeen is not a date"))?;
        let first = parse_iso(&n.first_seen).ok_or_else(|| at("firstSeen is not a date"))?;
        let notice = Notice {
            request_id: format!("imported-n{i}"),
            tab_id: -1,
            time_ms: last,
            method: n.method.clone(),
            url: n.url.clone(),
            resource_type: n.resource_type.clone(),
            origin: n.origin.clone(),
            page_origin: n.page_origin.clone(),
            status: n.status,
            kind,
            detail: n.detail.clone(),
            count: n.count,
        };
        let mut kept = notice.clone();
        cut_imported_notice(&mut kept);
        let page_url = crate::wire::cap_url(n.page_url.clone(), crate::wire::MAX_URL);
        cut += usize::from(kept != notice || page_url != n.page_url);
        let mut record = Record::Notice(NoticeRecord::from(&kept));
        *record.stored_mut() = Stored::imported(first, page_url);
        records.push(to_value(&record)?);
    }
    let summary = ImportSummary {
        total,
        kept: records.len(),
        cut,
    };
    Ok(Imported {
        export,
        records,
        summary,
    })
}

fn to_value(record: &Record) -> Result<Value, ImportError> {
    serde_json::to_value(record).map_err(|e| ImportError::WrongShape(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Credentials, Seen};
    use crate::headers::Header;
    use crate::wire::MAX_HEADER_VALUE;

    fn finding(i: usize) -> Finding {
        Finding {
            request_id: i.to_string(),
            tab_id: 1,
            time_ms: 1_700_000_000_000.0,
            method: "GET".into(),
            url: format!("http://api.test/{i}"),
            resource_type: "xmlhttprequest".into(),
            origin: "http://page.test".into(),
            page_origin: "http://page.test".into(),
            status: Some(200),
            reason: CorsError::AllowOriginMismatch,
            failed_parameter: "http://other.test".into(),
            allow_origin: vec!["http://other.test".into()],
            allow_credentials: None,
            allow_methods: None,
            allow_headers: None,
            requested_headers: vec![],
            credentials: Credentials::Unknown,
            redirects: vec![],
            endpoint_allowed_before: false,
            exchange: Seen {
                method: "GET".into(),
                url: format!("http://api.test/{i}"),
                status: Some(200),
                request_headers: vec![Header::new("Origin", "http://page.test")],
                response_headers: vec![Header::new(
                    "Access-Control-Allow-Origin",
                    "http://other.test",
                )],
            },
            preflight: None,
            count: 1,
        }
    }

    /// An export file holding `findings`, as text.
    fn file(findings: &[Finding]) -> String {
        let records: Vec<Value> = findings
            .iter()
            .map(|f| serde_json::to_value(Record::Failure(f.into())).expect("a record"))
            .collect();
        to_text(&export(&records, &Meta::default(), Lang::En).0)
    }

    #[test]
    fn a_file_kept_whole_says_nothing() {
        let imported = import(&file(&[finding(0), finding(1)])).expect("imported");
        assert_eq!(
            imported.summary,
            ImportSummary {
                total: 2,
                kept: 2,
                cut: 0
            }
        );
        for lang in Lang::ALL {
            assert_eq!(imported.summary.message(lang), None);
        }
    }

    #[test]
    fn past_the_record_cap_the_rest_is_left_out_and_said_so() {
        let many: Vec<Finding> = (0..MAX_IMPORT_RECORDS + 310).map(finding).collect();
        let imported = import(&file(&many)).expect("imported");
        assert_eq!(imported.records.len(), MAX_IMPORT_RECORDS);
        assert_eq!(imported.summary.total, MAX_IMPORT_RECORDS + 310);
        // The first ones of the file are kept.
        assert_eq!(imported.records[0]["url"], "http://api.test/0");
        let cases = [
            (Lang::En, "Imported 2,000 of the 2,310 findings and notices"),
            (Lang::Fr, "2\u{202f}000 des 2\u{202f}310 échecs"),
        ];
        for (lang, want) in cases {
            let message = imported.summary.message(lang).expect("a message");
            assert!(message.contains(want), "{message}");
            assert!(!message.contains('{'), "{message}");
        }
    }

    #[test]
    fn values_past_the_field_caps_are_cut_marked_and_counted() {
        let mut long = finding(0);
        long.failed_parameter = "x".repeat(100_000);
        long.allow_origin = vec!["y".repeat(100_000)];
        long.url = format!("http://api.test/{}", "z".repeat(100_000));
        long.exchange.response_headers[0].value = "w".repeat(100_000);
        let imported = import(&file(&[long, finding(1)])).expect("imported");
        assert_eq!(imported.summary.cut, 1);
        let r = &imported.records[0];
        for v in [
            &r["failedParameter"],
            &r["allowOrigin"][0],
            &r["exchange"]["responseHeaders"][0][1],
        ] {
            let v = v.as_str().expect("a string");
            assert!(
                v.len() <= MAX_HEADER_VALUE + crate::wire::MARK_ROOM,
                "{}",
                v.len()
            );
            assert!(v.ends_with("bytes cut]"), "marked");
        }
        let url = r["url"].as_str().expect("a URL");
        assert!(url.starts_with("http://api.test/zzz") && url.len() < 20_000);
        for (lang, want) in [(Lang::En, "1 of them"), (Lang::Fr, "1 d’entre eux")] {
            let message = imported.summary.message(lang).expect("a message");
            assert!(message.contains(want), "{message}");
        }
    }
}
