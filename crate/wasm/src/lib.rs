//! The wasm binding: a thin, coarse boundary between the extension's
//! JavaScript and the core. One event in, a small result out; the engine's
//! state stays behind an opaque handle.
//!
//! Built twice (Cargo features, `make build`): `engine` is the worker's
//! package (the `Engine` handle), `panel` the panel's (the findings view,
//! exports, fix snippets, texts).
#![deny(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "bench")]
pub mod bench;
#[cfg(feature = "panel")]
mod detail;
#[cfg(feature = "panel")]
mod dom;
#[cfg(feature = "panel")]
mod export;
#[cfg(feature = "panel")]
mod feed;
#[cfg(feature = "panel")]
mod offline;
#[cfg(feature = "panel")]
mod panel;
#[cfg(feature = "engine")]
pub mod read;
#[cfg(feature = "panel")]
mod rows;
#[cfg(feature = "panel")]
mod view;

#[cfg(feature = "panel")]
use cors_lens_core::fix::{self, Stack};
#[cfg(feature = "panel")]
use cors_lens_core::l10n::Lang;
#[cfg(feature = "engine")]
use cors_lens_core::record::{Group, Groups};
#[cfg(feature = "engine")]
use cors_lens_core::wire::Record;
#[cfg(feature = "panel")]
use cors_lens_core::{wire::FindingRecord, Finding};
#[cfg(feature = "engine")]
use cors_lens_core::{Event, EventKind};
#[cfg(feature = "panel")]
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg(feature = "panel")]
pub use feed::DevtoolsFeed;
#[cfg(feature = "panel")]
pub use panel::{filter_records, localize_page, t, tf};
#[cfg(feature = "panel")]
pub use view::FindingsView;

/// The worker's package allocates with Talc rather than the default
/// dlmalloc: a few KB smaller (docs/performance.md, "Size"). The panel's
/// package keeps the default.
#[cfg(all(target_arch = "wasm32", feature = "engine", not(feature = "panel")))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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
#[cfg(feature = "engine")]
#[wasm_bindgen]
pub struct Engine {
    inner: cors_lens_core::Engine,
    /// Repeated problems grouped by tab and key: the records handed over
    /// carry their group's count and first time seen.
    groups: Groups,
}

#[cfg(feature = "engine")]
#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Engine {
        Engine {
            inner: cors_lens_core::Engine::new(),
            groups: Groups::new(),
        }
    }

    /// Remembers a stored record's group (`extension/worker.js` seeds a
    /// fresh engine from storage before feeding it): the next report of
    /// `key` in `tabId` continues its count. `firstSeen` is the record's
    /// (`NaN` when it has none: seen once, at `time`).
    pub fn seed(&mut self, tab_id: f64, key: &str, count: u32, first_seen: f64, time: f64) {
        self.groups
            .seed(tab_id as i64, key, Group::stored(count, first_seen, time));
    }

    /// Forgets a group whose record left storage (the caps).
    pub fn forget(&mut self, tab_id: f64, key: &str) {
        self.groups.forget(tab_id as i64, key);
    }

    /// Forgets a tab's groups (cleared, closed, or a new page's log).
    #[wasm_bindgen(js_name = forgetTab)]
    pub fn forget_tab(&mut self, tab_id: f64) {
        self.groups.forget_tab(tab_id as i64);
    }

    /// How many groups are remembered, across tabs.
    #[wasm_bindgen(getter)]
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// Feeds one `webRequest` event: `listener` is the listener's name
    /// (`onSendHeaders`, ...), `details` the object the browser passed.
    /// Returns a record when this event ends a request the browser refused
    /// for a CORS reason (`kind: "failure"`) or one worth a notice
    /// (`kind: "notice"`), `undefined` otherwise.
    pub fn ingest(&mut self, listener: &str, details: JsValue) -> Result<JsValue, JsError> {
        // `{listener}` in quotes, not `{listener:?}`: Debug formatting of
        // strings would add Unicode tables to the worker's package.
        let kind = EventKind::from_listener(listener)
            .ok_or_else(|| JsError::new(&format!("unknown webRequest listener \"{listener}\"")))?;
        let event = read::details(&details)
            .map_err(|e| JsError::new(&format!("unreadable {listener} details: {e}")))?;
        self.feed(event.into_event(kind))
    }

    /// The fast way in, used by the worker's glue (`extension/engine.js`):
    /// the same event packed as numbers and one string (`read::packed`
    /// says how). `kind` is the index of the listener in `read::LISTENERS`.
    /// Returns what [`Engine::ingest`] returns, or `null` when the text does
    /// not hold what the numbers announce (a string contained a NUL): the
    /// event was not fed, and the glue passes it to `ingest` instead.
    #[wasm_bindgen(js_name = ingestPacked)]
    #[allow(clippy::too_many_arguments)]
    pub fn ingest_packed(
        &mut self,
        kind: u32,
        present: u32,
        tab_id: f64,
        time_stamp: f64,
        status_code: f64,
        request_headers: u32,
        response_headers: u32,
        text: &str,
    ) -> Result<JsValue, JsError> {
        match read::packed_event(
            kind,
            present,
            tab_id,
            time_stamp,
            status_code,
            request_headers,
            response_headers,
            text,
        ) {
            Ok(Some(event)) => self.feed(event),
            Ok(None) => Ok(JsValue::NULL),
            Err(read::UnknownListener(kind)) => {
                Err(JsError::new(&format!("unknown listener index {kind}")))
            }
        }
    }

    /// How many requests are waiting for their last event.
    #[wasm_bindgen(getter, js_name = inFlight)]
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight()
    }

    /// How many unfinished requests the engine forgot to stay within its
    /// caps (4096 requests, 1 MB each, 32 MB in all): their verdicts are
    /// missing, never wrong.
    #[wasm_bindgen(getter)]
    pub fn dropped(&self) -> f64 {
        self.inner.dropped() as f64
    }
}

#[cfg(feature = "engine")]
impl Engine {
    fn feed(&mut self, event: Event) -> Result<JsValue, JsError> {
        #[cfg(feature = "test-panic")]
        if event.kind == EventKind::SendHeaders && event.url.contains(TEST_PANIC) {
            panic!("deliberate panic of a test build ({TEST_PANIC})");
        }
        match self.inner.ingest(event) {
            Some(report) => {
                let mut record = Record::from(&report);
                self.groups.merge(&mut record);
                record_to_js(&record)
            }
            None => Ok(JsValue::UNDEFINED),
        }
    }
}

/// The record as a plain JavaScript object: serialized to JSON text in wasm
/// and parsed by `JSON.parse`, which is faster than building the object
/// property by property across the boundary (docs/performance.md). Absent
/// values are `null`, as `storage.session` and `JSON.stringify` expect.
#[cfg(feature = "engine")]
pub(crate) fn record_to_js(record: &Record) -> Result<JsValue, JsError> {
    // A record always serializes (no maps, no custom serializers); the
    // error's text is left out so its formatting stays out of the package.
    let text = serde_json::to_string(record).map_err(|_| JsError::new("unserializable record"))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("a record that JSON.parse refused"))
}

/// The fix snippets for a stored failure record in one stack: the same
/// function the panel renders, exposed for exports and for the tests that
/// apply each snippet to a real server.
#[cfg(feature = "panel")]
#[wasm_bindgen(js_name = fixSnippets)]
pub fn fix_snippets(record: JsValue, stack_id: &str, lang_tag: &str) -> Result<JsValue, JsError> {
    let record: FindingRecord = serde_wasm_bindgen::from_value(record)
        .map_err(|e| JsError::new(&format!("not a failure record: {e}")))?;
    let finding = Finding::from(record);
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

/// The complete fix for a stored failure record: the changes in order (an
/// id and the sentence the explanation shows) and whether they make the
/// request pass. For the real-server tests and the panel.
#[cfg(feature = "panel")]
#[wasm_bindgen(js_name = fixPlan)]
pub fn fix_plan(record: JsValue, lang_tag: &str) -> Result<JsValue, JsError> {
    let record: FindingRecord = serde_wasm_bindgen::from_value(record)
        .map_err(|e| JsError::new(&format!("not a failure record: {e}")))?;
    let finding = Finding::from(record);
    let exchange = fix::plan::Exchange::of(&finding);
    let planned = fix::plan::plan(&exchange, &finding);
    let texts = cors_lens_core::explain::explain(&finding, Lang::from_tag(lang_tag)).changes;
    let out = PlanOut {
        complete: planned.complete,
        changes: planned
            .changes
            .iter()
            .zip(texts)
            .map(|(c, text)| ChangeOut { id: c.id(), text })
            .collect(),
    };
    to_js(&out)
}

#[cfg(feature = "panel")]
#[derive(Serialize)]
struct PlanOut {
    complete: bool,
    changes: Vec<ChangeOut>,
}

#[cfg(feature = "panel")]
#[derive(Serialize)]
struct ChangeOut {
    id: &'static str,
    text: String,
}

/// A snippet as JavaScript sees it.
#[cfg(feature = "panel")]
#[derive(Serialize)]
struct SnippetOut {
    stack: &'static str,
    variant: &'static str,
    flavor: &'static str,
    title: String,
    parts: Vec<PartOut>,
}

#[cfg(feature = "panel")]
#[derive(Serialize)]
struct PartOut {
    placement: &'static str,
    label: String,
    code: String,
}

/// Serializes for JavaScript as plain objects and `null`s (what
/// `storage.session` and `JSON.stringify` expect).
#[cfg(feature = "panel")]
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}
