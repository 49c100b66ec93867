//! The packed way in (`Engine::ingest_packed`, what `extension/engine.js`
//! calls) against the reference way (`Engine::ingest` on a details object):
//! the same record out, and a text that does not match its numbers is
//! refused with `null` before anything is fed.
#![cfg(target_arch = "wasm32")]

use cors_lens::read::has;
use cors_lens::Engine;
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const PAGE: &str = "http://127.0.0.1:8080";
const URL: &str = "http://localhost:8081/api";
const BASE: u32 = has::TAB_ID | has::TIME_STAMP | has::INITIATOR;

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &(*k).into(), v).expect("set");
    }
    o.into()
}

fn header_list(lines: &[(&str, &str)]) -> JsValue {
    lines
        .iter()
        .map(|(n, v)| object(&[("name", (*n).into()), ("value", (*v).into())]))
        .collect::<Array>()
        .into()
}

fn details(extra: &[(&str, JsValue)]) -> JsValue {
    let mut fields = vec![
        ("requestId", JsValue::from("7")),
        ("url", URL.into()),
        ("method", "GET".into()),
        ("type", "xmlhttprequest".into()),
        ("tabId", 3.into()),
        ("timeStamp", 1.0e12.into()),
        ("initiator", PAGE.into()),
    ];
    fields.extend(extra.iter().cloned());
    object(&fields)
}

fn text(strings: &[&str]) -> String {
    strings.join("\0")
}

#[wasm_bindgen_test]
fn a_refused_request_packed_gives_the_record_the_details_object_gives() {
    let mut packed = Engine::new();
    let common = ["7", URL, "GET", "xmlhttprequest", PAGE];
    let send = text(&[&common[..], &["Origin", PAGE, "Sec-Fetch-Mode", "cors"]].concat());
    let received = text(
        &[
            &common[..],
            &["Access-Control-Allow-Origin", "http://other.test"],
        ]
        .concat(),
    );
    let error = text(&[&common[..], &["net::ERR_FAILED"]].concat());
    let out = [
        packed.ingest_packed(
            0,
            BASE | has::REQUEST_HEADERS,
            3.0,
            1.0e12,
            0.0,
            2,
            0,
            &send,
        ),
        packed.ingest_packed(
            1,
            BASE | has::STATUS_CODE | has::RESPONSE_HEADERS,
            3.0,
            1.0e12,
            200.0,
            0,
            1,
            &received,
        ),
        packed.ingest_packed(4, BASE | has::ERROR, 3.0, 1.0e12, 0.0, 0, 0, &error),
    ]
    .map(|r| r.expect("fed"));
    assert!(out[0].is_undefined() && out[1].is_undefined());

    let mut reference = Engine::new();
    let request = header_list(&[("Origin", PAGE), ("Sec-Fetch-Mode", "cors")]);
    let response = header_list(&[("Access-Control-Allow-Origin", "http://other.test")]);
    reference
        .ingest("onSendHeaders", details(&[("requestHeaders", request)]))
        .expect("send");
    reference
        .ingest(
            "onHeadersReceived",
            details(&[("statusCode", 200.into()), ("responseHeaders", response)]),
        )
        .expect("received");
    let expected = reference
        .ingest(
            "onErrorOccurred",
            details(&[("error", "net::ERR_FAILED".into())]),
        )
        .expect("error");
    let json = |v: &JsValue| JSON::stringify(v).expect("stringify").as_string();
    assert_eq!(json(&out[2]), json(&expected));
    assert_eq!(
        Reflect::get(&out[2], &"reason".into())
            .expect("reason")
            .as_string()
            .as_deref(),
        Some("AllowOriginMismatch")
    );
}

#[wasm_bindgen_test]
fn a_text_that_does_not_match_its_numbers_is_refused_with_null_and_feeds_nothing() {
    let mut engine = Engine::new();
    // One header line announced, a NUL inside its value makes three strings.
    let nul = text(&["7", URL, "GET", "xmlhttprequest", PAGE, "Origin", "a", "b"]);
    let out = engine
        .ingest_packed(0, BASE | has::REQUEST_HEADERS, 3.0, 1.0e12, 0.0, 1, 0, &nul)
        .expect("no error");
    assert!(out.is_null());
    assert_eq!(engine.in_flight(), 0);
    assert!(
        engine
            .ingest_packed(9, 0, 0.0, 0.0, 0.0, 0, 0, "1\0u\0GET\0t")
            .is_err(),
        "an unknown listener index is an error"
    );
}
