//! `make bench` only (feature `bench`, never shipped): the ways in and out
//! that the shipped `Engine` does not use, so that `scripts/bench-wasm.mjs`
//! can print them beside the chosen one, and the core alone on the synthetic
//! workload, inside wasm, for the native-versus-wasm figure.

use cors_lens_core::wire::{EventIn, Record};
use cors_lens_core::{workload, Event, EventKind, Report};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::read;
use crate::Engine;

/// As the shipped `to_js` of the panel: `serde-wasm-bindgen`, JSON-compatible.
fn swb<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

#[wasm_bindgen]
impl Engine {
    /// The way in before: `serde-wasm-bindgen` reads the details object, and
    /// the record goes out through `serde-wasm-bindgen` too.
    #[wasm_bindgen(js_name = ingestSerde)]
    pub fn ingest_serde(&mut self, listener: &str, details: JsValue) -> Result<JsValue, JsError> {
        let kind = EventKind::from_listener(listener)
            .ok_or_else(|| JsError::new("unknown webRequest listener"))?;
        let event: EventIn =
            serde_wasm_bindgen::from_value(details).map_err(|e| JsError::new(&e.to_string()))?;
        match self.inner.ingest(event.into_event(kind)) {
            Some(report) => swb(&Record::from(&report)),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// `serde-wasm-bindgen` in, the shipped JSON record out.
    #[wasm_bindgen(js_name = ingestSerdeJson)]
    pub fn ingest_serde_json(
        &mut self,
        listener: &str,
        details: JsValue,
    ) -> Result<JsValue, JsError> {
        let kind = EventKind::from_listener(listener)
            .ok_or_else(|| JsError::new("unknown webRequest listener"))?;
        let event: EventIn =
            serde_wasm_bindgen::from_value(details).map_err(|e| JsError::new(&e.to_string()))?;
        self.feed(event.into_event(kind))
    }
}

/// The core alone in wasm: events built in wasm memory by `prepare`
/// (untimed), fed to an engine by `run` (timed by the caller).
#[wasm_bindgen]
pub struct CoreBench {
    engine: cors_lens_core::Engine,
    events: Vec<Event>,
}

#[wasm_bindgen]
impl CoreBench {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> CoreBench {
        CoreBench {
            engine: cors_lens_core::Engine::new(),
            events: Vec::new(),
        }
    }

    /// Builds the events of requests `first .. first + count`.
    pub fn prepare(&mut self, first: u32, count: u32) {
        self.events = (first as usize..(first + count) as usize)
            .flat_map(workload::request)
            .collect();
    }

    /// Feeds the prepared events; returns how many gave a record.
    pub fn run(&mut self) -> u32 {
        let mut records = 0;
        for event in self.events.drain(..) {
            if self.engine.ingest(event).is_some() {
                records += 1;
            }
        }
        records
    }
}

/// How far [`Engine::ingest_packed_via`] goes (`via`), the same numbers as
/// in `scripts/bench-wasm.mjs`.
pub mod via {
    /// Only the crossing: the packed event's string handed to wasm, unread.
    pub const CROSS_ONLY: u32 = 0;
    /// The crossing and the reading into the core's event, not fed.
    pub const READ_ONLY: u32 = 1;
    /// Fed, the record made and serialized to JSON text, not parsed into a
    /// JavaScript object.
    pub const TEXT_OUT: u32 = 2;
    /// Fed, the record out through `serde-wasm-bindgen`.
    pub const SERDE_OUT: u32 = 3;
    /// Fed, no record made: the report only says whether there was one.
    pub const FED_ONLY: u32 = 4;
}

#[wasm_bindgen]
impl Engine {
    /// The packed way in, cut short or with another way out (`via`), for
    /// the breakdown `make bench` prints and the ways out it compares; the
    /// other arguments are `ingestPacked`'s, read by the same decoder.
    #[wasm_bindgen(js_name = ingestPackedVia)]
    #[allow(clippy::too_many_arguments)]
    pub fn ingest_packed_via(
        &mut self,
        via: u32,
        kind: u32,
        present: u32,
        tab_id: f64,
        time_stamp: f64,
        status_code: f64,
        request_headers: u32,
        response_headers: u32,
        text: &str,
    ) -> Result<JsValue, JsError> {
        if via == via::CROSS_ONLY {
            return Ok(JsValue::from_bool(text.is_empty()));
        }
        let event = match read::packed_event(
            kind,
            present,
            tab_id,
            time_stamp,
            status_code,
            request_headers,
            response_headers,
            text,
        ) {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(JsValue::NULL),
            Err(_) => return Err(JsError::new("unknown listener index")),
        };
        if via == via::READ_ONLY {
            return Ok(JsValue::from_bool(event.url.is_empty()));
        }
        let Some(report) = self.inner.ingest(event) else {
            return Ok(JsValue::UNDEFINED);
        };
        if via == via::FED_ONLY {
            return Ok(JsValue::from_bool(matches!(report, Report::Notice(_))));
        }
        let record = Record::from(&report);
        if via == via::TEXT_OUT {
            return serde_json::to_string(&record)
                .map(|t| JsValue::from_bool(t.is_empty()))
                .map_err(|_| JsError::new("unserializable record"));
        }
        swb(&record)
    }
}
