//! The DevTools panel's page-level bindings: the translation of the static
//! page, the one-string lookup for the glue, and the filter's indices. The
//! findings themselves are drawn by `view::FindingsView`, their one owner.
//! Text only ever reaches the DOM through `textContent` and attribute setters.

use cors_lens_core::filter::{Filter, Kind};
use cors_lens_core::l10n::{self, Lang};
use cors_lens_core::wire::Record;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::dom::{document, js_error};

/// Translates the static parts of the panel: every element with a
/// `data-i18n` attribute gets the message of that key as its text, and
/// `<html lang>` says which language is in use. Returns the language code.
#[wasm_bindgen(js_name = localizePage)]
pub fn localize_page(lang_tag: &str) -> Result<String, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let doc = document()?;
    let nodes = doc.query_selector_all("[data-i18n]").map_err(js_error)?;
    for i in 0..nodes.length() {
        let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if let Some(key) = el.get_attribute("data-i18n") {
            el.set_text_content(Some(&l10n::t(lang, &key)));
        }
    }
    // Attributes the user reads too: a search box's placeholder, its label.
    for attr in ["placeholder", "aria-label", "title"] {
        let marker = format!("data-i18n-{attr}");
        let nodes = doc
            .query_selector_all(&format!("[{marker}]"))
            .map_err(js_error)?;
        for i in 0..nodes.length() {
            let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            if let Some(key) = el.get_attribute(&marker) {
                el.set_attribute(attr, &l10n::t(lang, &key))
                    .map_err(js_error)?;
            }
        }
    }
    if let Some(root) = doc.document_element() {
        root.set_attribute("lang", lang.code()).map_err(js_error)?;
    }
    doc.set_title(&l10n::t(lang, "panelTitle"));
    Ok(lang.code().to_owned())
}

/// The indices of the `records` the panel's filter keeps (`query`: words,
/// see `cors_lens_core::filter`; `kind`: `all`, `failures` or `notices`),
/// in order. The shown list and the export of "the shown findings" both
/// come from these indices. Records that are not readable at all are kept
/// only when nothing is filtered.
#[wasm_bindgen(js_name = filterRecords)]
pub fn filter_records(
    records: JsValue,
    query: &str,
    kind: &str,
    lang_tag: &str,
) -> Result<Vec<u32>, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let values: Vec<serde_json::Value> =
        serde_wasm_bindgen::from_value(records).map_err(|e| JsError::new(&e.to_string()))?;
    let filter = Filter::new(query, Kind::from_id(kind));
    Ok(values
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let kept = filter.is_empty()
                || serde_json::from_value::<Record>(v).is_ok_and(|r| filter.keeps(&r, lang));
            kept.then_some(i as u32)
        })
        .collect())
}

/// One localised message, for the few strings the panel's glue shows itself.
#[wasm_bindgen]
pub fn t(lang_tag: &str, key: &str) -> String {
    l10n::t(Lang::from_tag(lang_tag), key)
}

/// One localised message with its `{name}` placeholders filled from `args`,
/// an object such as `{ file: "a.json", message: "..." }`, in one pass (the
/// core's): a value that itself contains `{message}` or `$&` is inserted as
/// written, never substituted again. Strings are inserted as they are,
/// `null` and `undefined` as nothing, other values as their JSON text.
#[wasm_bindgen]
pub fn tf(lang_tag: &str, key: &str, args: JsValue) -> Result<String, JsError> {
    let args: Vec<(String, serde_json::Value)> = if args.is_undefined() || args.is_null() {
        Vec::new()
    } else {
        serde_wasm_bindgen::from_value::<serde_json::Map<String, serde_json::Value>>(args)
            .map_err(|e| JsError::new(&format!("placeholder values for {key}: {e}")))?
            .into_iter()
            .collect()
    };
    let values: Vec<(&str, String)> = args
        .iter()
        .map(|(name, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (name.as_str(), text)
        })
        .collect();
    let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    Ok(l10n::tf(Lang::from_tag(lang_tag), key, &pairs))
}
