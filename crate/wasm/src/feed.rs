//! The DevTools feed for the DevTools page: the HAR entries DevTools hands
//! over for the tab it is open on, turned by the core (`har::Live`) into the
//! `webRequest` events the worker's engine takes. It runs in the DevTools
//! page with the panel's package, so the worker's package, loaded on every
//! wake, stays without the HAR reader.

use cors_lens_core::har;
use cors_lens_core::wire::EventIn;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One tab's feed.
#[wasm_bindgen]
pub struct DevtoolsFeed {
    live: har::Live,
}

/// One event as the worker takes it: the listener's name and its details.
#[derive(Serialize)]
struct Out(&'static str, EventIn);

#[wasm_bindgen]
impl DevtoolsFeed {
    #[wasm_bindgen(constructor)]
    pub fn new(tab_id: f64) -> DevtoolsFeed {
        DevtoolsFeed {
            live: har::Live::new(tab_id as i64),
        }
    }

    /// Takes one HAR entry (JSON text) that arrived at `now` (ms); its
    /// events come from [`DevtoolsFeed::tick`].
    pub fn entry(&mut self, entry: &str, now: f64) -> Result<(), JsError> {
        let entry: har::Entry = serde_json::from_str(entry)
            .map_err(|e| JsError::new(&format!("not a HAR entry: {e}")))?;
        self.live.entry(entry, now);
        Ok(())
    }

    /// The events ready at `now`, in order: an array of `[listener,
    /// details]`, the details shaped as `webRequest` gives them.
    pub fn tick(&mut self, now: f64) -> Result<JsValue, JsError> {
        let out: Vec<Out> = self
            .live
            .tick(now)
            .iter()
            .map(|e| Out(e.kind.listener(), EventIn::from(e)))
            .collect();
        let text = serde_json::to_string(&out).map_err(|e| JsError::new(&e.to_string()))?;
        js_sys::JSON::parse(&text).map_err(|_| JsError::new("events that JSON.parse refused"))
    }

    /// An entry is on its way at `now` (ms): the page holds one back until
    /// DevTools gives its response, and the feed does not settle meanwhile.
    pub fn expect(&mut self, now: f64) {
        self.live.expect(now);
    }

    /// Whether entries or ends still wait (tick again a little later).
    #[wasm_bindgen(getter)]
    pub fn pending(&self) -> bool {
        self.live.pending()
    }
}
