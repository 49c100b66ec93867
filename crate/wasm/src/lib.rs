//! The wasm binding: a thin, coarse boundary between the extension's
//! JavaScript and the core. One event in, a small result out; the engine's
//! state stays behind an opaque handle.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod detail;
mod dom;
mod export;
mod panel;
mod rows;
mod view;

use cors_lens_core::fix::{self, Stack};
use cors_lens_core::l10n::Lang;
use cors_lens_core::wire::{EventIn, FindingRecord, Record};
use cors_lens_core::{EventKind, Finding};
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use panel::{filter_records, localize_page, t};
pub use view::FindingsView;

/// Runs once when the module is instantiated: panics are reported to the
/// console with their message instead of a bare `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// In a test build, a request whose URL contains this panics the engine.
#[cfg(feature = "test-panic")]
const TEST_PANIC: &str = "cors-lens-test-panic";

/// The service worker's handle on the core's assembly state.
#[wasm_bindgen]
pub struct Engine {
    inner: cors_lens_core::Engine,
}

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Engine {
        Engine {
            inner: cors_lens_core::Engine::new(),
        }
    }

    /// Feeds one `webRequest` event: `listener` is the listener's name
    /// (`onSendHeaders`, ...), `details` the object the browser passed.
    /// Returns a record when this event ends a request the browser refused
    /// for a CORS reason (`kind: "failure"`) or one worth a notice
    /// (`kind: "notice"`), `undefined` otherwise.
    pub fn ingest(&mut self, listener: &str, details: JsValue) -> Result<JsValue, JsError> {
        let kind = EventKind::from_listener(listener)
            .ok_or_else(|| JsError::new(&format!("unknown webRequest listener {listener:?}")))?;
        let event: EventIn = serde_wasm_bindgen::from_value(details)
            .map_err(|e| JsError::new(&format!("unreadable {listener} details: {e}")))?;
        #[cfg(feature = "test-panic")]
        if kind == EventKind::SendHeaders && event.url.contains(TEST_PANIC) {
            panic!("deliberate panic of a test build ({TEST_PANIC})");
        }
        match self.inner.ingest(event.into_event(kind)) {
            Some(report) => to_js(&Record::from(&report)),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// How many requests are waiting for their last event.
    #[wasm_bindgen(getter, js_name = inFlight)]
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight()
    }
}

/// The fix snippets for a stored failure record in one stack: the same
/// function the panel renders, exposed for exports and for the tests that
/// apply each snippet to a real server.
#[wasm_bindgen(js_name = fixSnippets)]
pub fn fix_snippets(record: JsValue, stack_id: &str, lang_tag: &str) -> Result<JsValue, JsError> {
    let record: FindingRecord = serde_wasm_bindgen::from_value(record)
        .map_err(|e| JsError::new(&format!("not a failure record: {e}")))?;
    let finding = Finding::try_from(record).map_err(|e| JsError::new(&e.to_string()))?;
    let stack = Stack::from_id(stack_id)
        .ok_or_else(|| JsError::new(&format!("unknown stack {stack_id:?}")))?;
    let lang = Lang::from_tag(lang_tag);
    let out: Vec<SnippetOut> = fix::snippets(&finding, stack, lang)
        .into_iter()
        .map(|s| SnippetOut {
            stack: s.stack.id(),
            variant: s.variant.id(),
            flavor: s.flavor,
            title: s.title,
            parts: s
                .parts
                .into_iter()
                .map(|p| PartOut {
                    placement: p.placement,
                    label: p.label,
                    code: p.code,
                })
                .collect(),
        })
        .collect();
    to_js(&out)
}

/// A snippet as JavaScript sees it.
#[derive(Serialize)]
struct SnippetOut {
    stack: &'static str,
    variant: &'static str,
    flavor: &'static str,
    title: String,
    parts: Vec<PartOut>,
}

#[derive(Serialize)]
struct PartOut {
    placement: &'static str,
    label: String,
    code: String,
}

/// Serializes for JavaScript as plain objects and `null`s (what
/// `storage.session` and `JSON.stringify` expect).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}
