//! Exports: findings as a versioned JSON file (`json`), a Markdown report
//! (`markdown`) and curl commands that reproduce a request (`curl`), and the
//! import of an exported JSON file back into records for the panel.
//!
//! Redaction is not optional here: every export goes through
//! [`redact_finding`] / [`redact_notice`] first (the rules live in
//! [`crate::redact`]). Records are redacted at capture already; this second
//! pass covers imported files and older builds' records. The format is documented in
//! `docs/export-format.md` and `docs/export.schema.json`.

pub mod curl;
pub mod json;
pub mod markdown;

pub use crate::time::{format_iso, parse_iso};
pub use json::{
    export, import, ImportError, ImportSummary, Imported, MAX_IMPORT_BYTES, MAX_IMPORT_RECORDS,
};

use serde::Deserialize;

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

/// Every export applies these first: records are redacted at capture
/// already, but an imported file (or an older build's record) may hold
/// anything.
pub use crate::redact::{
    finding as redact_finding, is_secret_param, notice as redact_notice, redact_header, redact_url,
    strip_userinfo,
};

#[cfg(test)]
mod format_tests;
