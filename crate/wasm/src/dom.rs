//! Small DOM helpers for the panel's renderer. Text reaches the DOM only
//! through `textContent` and attribute setters: every URL and header value
//! comes from an untrusted server and must never meet an HTML parser.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

/// Creates an element with a class and, optionally, text (never HTML).
pub fn el(doc: &Document, tag: &str, class: &str, text: Option<&str>) -> Result<Element, JsError> {
    let e = doc.create_element(tag).map_err(js_error)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if let Some(text) = text {
        e.set_text_content(Some(text));
    }
    Ok(e)
}

/// Appends `child` to `parent`.
pub fn append(parent: &Element, child: &Element) -> Result<(), JsError> {
    parent.append_child(child).map(|_| ()).map_err(js_error)
}

/// Creates an element, appends it to `parent` and returns it.
pub fn add(
    parent: &Element,
    tag: &str,
    class: &str,
    text: Option<&str>,
) -> Result<Element, JsError> {
    let doc = parent
        .owner_document()
        .ok_or_else(|| JsError::new("an element without a document"))?;
    let e = el(&doc, tag, class, text)?;
    append(parent, &e)?;
    Ok(e)
}

/// Sets attributes (names and values are ours; values may be untrusted text).
pub fn attrs(e: &Element, pairs: &[(&str, &str)]) -> Result<(), JsError> {
    for (name, value) in pairs {
        e.set_attribute(name, value).map_err(js_error)?;
    }
    Ok(())
}

/// A `<button type="button">` with a label, an accessible name when the
/// label is a symbol, and a `data-action`.
pub fn button(
    parent: &Element,
    class: &str,
    label: &str,
    aria_label: Option<&str>,
    action: &str,
) -> Result<Element, JsError> {
    let b = add(parent, "button", class, Some(label))?;
    attrs(&b, &[("type", "button"), ("data-action", action)])?;
    if let Some(name) = aria_label {
        attrs(&b, &[("aria-label", name), ("title", name)])?;
    }
    Ok(b)
}

pub fn set_hidden(e: &Element, hidden: bool) -> Result<(), JsError> {
    if hidden {
        e.set_attribute("hidden", "").map_err(js_error)
    } else {
        e.remove_attribute("hidden").map_err(js_error)
    }
}

/// Sets a CSS custom property (or any property) on an element's style.
pub fn set_style(e: &Element, name: &str, value: &str) -> Result<(), JsError> {
    e.dyn_ref::<HtmlElement>()
        .ok_or_else(|| JsError::new("not an HTML element"))?
        .style()
        .set_property(name, value)
        .map_err(js_error)
}

pub fn focus(e: &Element) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        // Focus failing (a detached element) is harmless: nothing to report.
        let _ = h.focus();
    }
}

pub fn document() -> Result<Document, JsError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsError::new("no document: the renderer runs only in the panel"))
}

pub fn by_id(doc: &Document, id: &str) -> Result<Element, JsError> {
    doc.get_element_by_id(id)
        .ok_or_else(|| JsError::new(&format!("the panel has no #{id} element")))
}

pub fn js_error(value: JsValue) -> JsError {
    JsError::new(&value.as_string().unwrap_or_else(|| format!("{value:?}")))
}
