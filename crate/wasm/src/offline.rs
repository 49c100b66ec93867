//! Offline analysis for the standalone page (`www/analyze.html`) and the
//! panel's import: a HAR file's bytes in, the records the findings view
//! shows out (`cors_lens_core::har` reads and judges; nothing here decides).
//! Panel build only (default features), never the worker's.

use cors_lens_core::export;
use cors_lens_core::har;
use cors_lens_core::har_text;
use cors_lens_core::l10n::Lang;
use cors_lens_core::paste;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// What `analyzeHar` and `importFile` return: the records, and a line to
/// show (what was read, or what an import left out).
#[derive(Serialize)]
struct Analyzed {
    records: Vec<serde_json::Value>,
    message: Option<String>,
    failures: usize,
    notices: usize,
}

fn analyzed(a: &har::Analysis, lang: Lang) -> Result<JsValue, JsError> {
    let records = a
        .records()
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| JsError::new(&e.to_string()))?;
    crate::to_js(&Analyzed {
        records,
        message: Some(har_text::summary(a, lang)),
        failures: a.failures(),
        notices: a.notices(),
    })
}

/// Judges a HAR file (its bytes): `{records, message, failures, notices}`.
/// A file that is not a readable HAR is a `JsError` whose message says why,
/// in `lang`.
#[wasm_bindgen(js_name = analyzeHar)]
pub fn analyze_har(bytes: &[u8], lang_tag: &str) -> Result<JsValue, JsError> {
    let lang = Lang::from_tag(lang_tag);
    match har::analyze(bytes) {
        Ok(a) => analyzed(&a, lang),
        Err(e) => Err(JsError::new(&har_text::error(&e, lang))),
    }
}

/// The panel's import: a CORS Lens export (as `importJson`), or a HAR file
/// (named `.har`, or JSON that is not an export): `{records, message}`.
#[wasm_bindgen(js_name = importFile)]
pub fn import_file(bytes: &[u8], name: &str, lang_tag: &str) -> Result<JsValue, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let as_har = || match har::analyze(bytes) {
        Ok(a) => analyzed(&a, lang),
        Err(e) => Err(JsError::new(&har_text::error(&e, lang))),
    };
    if name.to_ascii_lowercase().ends_with(".har") {
        return as_har();
    }
    if bytes.len() > export::MAX_IMPORT_BYTES {
        return Err(JsError::new(
            &export::ImportError::TooLarge { bytes: bytes.len() }.message(lang),
        ));
    }
    let text = String::from_utf8_lossy(bytes);
    match export::import(&text) {
        Ok(imported) => crate::to_js(&Analyzed {
            message: imported.summary.message(lang),
            records: imported.records,
            failures: 0,
            notices: 0,
        }),
        // Not an export: a HAR, or else the export's own refusal.
        Err(export::ImportError::NotAnExport) => match har::analyze(bytes) {
            Ok(a) => analyzed(&a, lang),
            Err(har::HarError::NotHar { .. }) => Err(JsError::new(
                &export::ImportError::NotAnExport.message(lang),
            )),
            Err(e) => Err(JsError::new(&har_text::error(&e, lang))),
        },
        Err(e) => Err(JsError::new(&e.message(lang))),
    }
}

/// Explains a pasted text (a console line, or raw request and response
/// headers): `{records, message}`, where `message` says what it was read as.
#[wasm_bindgen(js_name = analyzeText)]
pub fn analyze_text(text: &str, lang_tag: &str) -> Result<JsValue, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let pasted = paste::analyze(text);
    let records = pasted
        .records()
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| JsError::new(&e.to_string()))?;
    let failures = records.iter().filter(|r| r["kind"] == "failure").count();
    crate::to_js(&Analyzed {
        notices: records.len() - failures,
        failures,
        records,
        message: Some(har_text::paste(&pasted, lang)),
    })
}
