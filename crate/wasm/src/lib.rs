//! The wasm binding: a thin, coarse boundary between the extension's
//! JavaScript and the core. One event in, a small result out; the engine's
//! state stays behind an opaque handle.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod panel;

use cors_lens_core::wire::{EventIn, Record};
use cors_lens_core::EventKind;
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use panel::{localize_page, render_findings, t};

/// Runs once when the module is instantiated: panics are reported to the
/// console with their message instead of a bare `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

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

/// Serializes for JavaScript as plain objects and `null`s (what
/// `storage.session` and `JSON.stringify` expect).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}
