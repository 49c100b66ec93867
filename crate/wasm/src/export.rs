//! Exports for the panel: JSON and Markdown files, curl commands, and the
//! import of an exported file. All the work is in `cors_lens_core::export`;
//! this file only converts values at the boundary. Errors are `JsError`s
//! with a message in the panel's language; nothing here panics.

use cors_lens_core::export::{self, curl, json, markdown, Meta};
use cors_lens_core::l10n::Lang;
use serde_json::Value;
use wasm_bindgen::prelude::*;

fn records_of(records: JsValue) -> Result<Vec<Value>, JsError> {
    serde_wasm_bindgen::from_value(records).map_err(|e| JsError::new(&e.to_string()))
}

fn meta_of(meta: JsValue) -> Result<Meta, JsError> {
    if meta.is_undefined() || meta.is_null() {
        return Ok(Meta::default());
    }
    serde_wasm_bindgen::from_value(meta).map_err(|e| JsError::new(&e.to_string()))
}

/// The JSON export file (text) of `records` (stored records, as the panel
/// has them). `meta`: `{extension: {name, version}, browser, exportedAt,
/// page: {url, origin}}`. Secrets are redacted.
#[wasm_bindgen(js_name = exportJson)]
pub fn export_json(records: JsValue, meta: JsValue, lang_tag: &str) -> Result<String, JsError> {
    let (out, _) = export::export(
        &records_of(records)?,
        &meta_of(meta)?,
        Lang::from_tag(lang_tag),
    );
    Ok(json::to_text(&out))
}

/// The Markdown report of `records`, redacted.
#[wasm_bindgen(js_name = exportMarkdown)]
pub fn export_markdown(records: JsValue, meta: JsValue, lang_tag: &str) -> Result<String, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let (out, _) = export::export(&records_of(records)?, &meta_of(meta)?, lang);
    Ok(markdown::markdown(&out, lang))
}

/// curl commands reproducing one failure record: `{preflight, request,
/// omitted, script}` (see `cors_lens_core::export::curl`).
#[wasm_bindgen(js_name = curlFor)]
pub fn curl_for(record: JsValue, lang_tag: &str) -> Result<JsValue, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let value: Value =
        serde_wasm_bindgen::from_value(record).map_err(|e| JsError::new(&e.to_string()))?;
    let (out, _) = export::export(&[value], &Meta::default(), lang);
    let finding = out
        .findings
        .first()
        .ok_or_else(|| JsError::new("not a failure record"))?;
    crate::to_js(&curl::curl(finding, lang))
}

/// What `importJson` returns: the records, and what to tell the user when
/// some were left out or cut (in the panel's language).
#[derive(serde::Serialize)]
struct ImportResult {
    records: Vec<Value>,
    message: Option<String>,
}

/// Reads an exported JSON file back into records for the findings view:
/// `{records, message}`, where `message` says, in `lang`, what was left out
/// or cut (absent when nothing was). A file that is not an export of a
/// version this build reads is a `JsError` whose message is in `lang`.
#[wasm_bindgen(js_name = importJson)]
pub fn import_json(text: &str, lang_tag: &str) -> Result<JsValue, JsError> {
    let lang = Lang::from_tag(lang_tag);
    match export::import(text) {
        Ok(imported) => crate::to_js(&ImportResult {
            message: imported.summary.message(lang),
            records: imported.records,
        }),
        Err(e) => Err(JsError::new(&e.message(lang))),
    }
}

/// The largest file `importJson` reads, in bytes (the panel checks a file's
/// size before reading it).
#[wasm_bindgen(js_name = maxImportBytes)]
pub fn max_import_bytes() -> u32 {
    export::MAX_IMPORT_BYTES as u32
}

/// The message for a file too large to import, in `lang`.
#[wasm_bindgen(js_name = tooLargeMessage)]
pub fn too_large_message(bytes: f64, lang_tag: &str) -> String {
    export::ImportError::TooLarge {
        bytes: bytes.max(0.0) as usize,
    }
    .message(Lang::from_tag(lang_tag))
}
