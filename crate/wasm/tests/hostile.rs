//! The hostile corpus (`tests/fixtures/hostile.json`) through the binding, as
//! the service worker calls it: every event either gives a record, nothing, or
//! a `JsError`; never a trap. Strings keep what JavaScript strings may hold
//! (lone surrogates included).
#![cfg(target_arch = "wasm32")]

use cors_lens::Engine;
use js_sys::{Array, JsString, Object, Reflect};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const CORPUS: &str = include_str!("../../../tests/fixtures/hostile.json");

/// A JSON value as a JavaScript value, expanding the corpus' shorthands.
fn js(v: &Value, i: usize) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JsValue::from_str(&s.replace("{i}", &i.to_string())),
        Value::Array(list) => list.iter().map(|x| js(x, i)).collect::<Array>().into(),
        Value::Object(map) => {
            if let (Some(s), Some(n)) = (
                map.get("repeat").and_then(Value::as_str),
                map.get("times").and_then(Value::as_u64),
            ) {
                return JsValue::from_str(&s.repeat(n as usize));
            }
            if let Some(parts) = map.get("concat").and_then(Value::as_array) {
                let mut out = JsString::from("");
                for p in parts {
                    out = out.concat(&js(p, i));
                }
                return out.into();
            }
            if let Some(units) = map.get("utf16").and_then(Value::as_array) {
                let units: Vec<u16> = units
                    .iter()
                    .filter_map(Value::as_u64)
                    .map(|u| u as u16)
                    .collect();
                return JsString::from_char_code(&units).into();
            }
            let o = Object::new();
            for (k, x) in map {
                Reflect::set(&o, &k.into(), &js(x, i)).expect("set");
            }
            o.into()
        }
    }
}

#[wasm_bindgen_test]
fn every_hostile_case_goes_through_the_binding_without_a_trap() {
    let doc: Value = serde_json::from_str(CORPUS).expect("hostile.json is JSON");
    let cases = doc["cases"].as_array().expect("cases");
    let (mut records, mut errors) = (0, 0);
    for case in cases {
        let mut engine = Engine::new();
        for entry in case["events"].as_array().expect("events") {
            let (n, list) = match entry.get("each").and_then(Value::as_u64) {
                Some(n) => (
                    n as usize,
                    entry["events"].as_array().expect("each: events").clone(),
                ),
                None => (1, vec![entry.clone()]),
            };
            for i in 0..n {
                for e in &list {
                    let listener = e[0].as_str().unwrap_or("onCompleted");
                    // A trap here aborts the whole test run: that is the failure.
                    match engine.ingest(listener, js(&e[1], i)) {
                        Ok(v) if v.is_undefined() => {}
                        Ok(_) => records += 1,
                        Err(_) => errors += 1,
                    }
                }
            }
        }
    }
    assert!(records >= 10, "{records} records from the corpus");
    assert!(errors >= 5, "{errors} events refused (wrong types)");
}

#[wasm_bindgen_test]
fn a_lone_surrogate_in_a_header_value_comes_back_as_text() {
    let doc: Value = serde_json::from_str(CORPUS).expect("hostile.json is JSON");
    let case = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == "lone-surrogates")
        .expect("lone-surrogates")
        .clone();
    let mut engine = Engine::new();
    let mut last = JsValue::UNDEFINED;
    for e in case["events"].as_array().expect("events") {
        last = engine
            .ingest(e[0].as_str().expect("listener"), js(&e[1], 0))
            .unwrap_or_else(|_| panic!("refused {e}"));
    }
    let allow = Reflect::get(&last, &"allowOrigin".into()).expect("allowOrigin");
    let first = Array::from(&allow).get(0).as_string().expect("a string");
    assert_eq!(first, "\u{fffd}<b>\u{fffd}");
}
