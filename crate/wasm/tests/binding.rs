//! The wasm boundary as the service worker and the fix tests use it: a
//! `webRequest` details object in, a plain record out, errors as `JsError`s.
#![cfg(target_arch = "wasm32")]

use cors_lens::{filter_records, fix_snippets, tf, Engine};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const PAGE: &str = "http://127.0.0.1:8080";
const URL: &str = "http://localhost:8081/api";

fn header(name: &str, value: &str) -> JsValue {
    let h = Object::new();
    Reflect::set(&h, &"name".into(), &name.into()).expect("set name");
    Reflect::set(&h, &"value".into(), &value.into()).expect("set value");
    h.into()
}

fn details(fields: &[(&str, JsValue)]) -> JsValue {
    let d = Object::new();
    for (k, v) in [
        ("requestId", JsValue::from("7")),
        ("url", URL.into()),
        ("method", "GET".into()),
        ("type", "xmlhttprequest".into()),
        ("tabId", 3.into()),
        ("initiator", PAGE.into()),
        ("timeStamp", 1.0e12.into()),
    ] {
        Reflect::set(&d, &k.into(), &v).expect("set field");
    }
    for (k, v) in fields {
        Reflect::set(&d, &(*k).into(), v).expect("set field");
    }
    d.into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("get field")
}

#[wasm_bindgen_test]
fn a_missing_header_comes_out_as_a_plain_failure_record() {
    let mut engine = Engine::new();
    let request: Array = [header("Origin", PAGE), header("Sec-Fetch-Mode", "cors")]
        .into_iter()
        .collect();
    let sent = engine
        .ingest(
            "onSendHeaders",
            details(&[("requestHeaders", request.into())]),
        )
        .expect("onSendHeaders");
    assert!(sent.is_undefined());
    let response: Array = [header("Content-Type", "text/plain")].into_iter().collect();
    engine
        .ingest(
            "onHeadersReceived",
            details(&[
                ("statusCode", 200.into()),
                ("responseHeaders", response.into()),
            ]),
        )
        .expect("onHeadersReceived");
    let record = engine
        .ingest(
            "onErrorOccurred",
            details(&[("error", "net::ERR_FAILED".into())]),
        )
        .expect("onErrorOccurred");
    assert_eq!(get(&record, "kind").as_string().as_deref(), Some("failure"));
    assert_eq!(
        get(&record, "reason").as_string().as_deref(),
        Some("MissingAllowOriginHeader")
    );
    assert_eq!(get(&record, "tabId").as_f64(), Some(3.0));
    // JSON-compatible: absent values are null, not undefined.
    assert!(get(&record, "allowCredentials").is_null());
    assert_eq!(engine.in_flight(), 0);

    // The same record gives the panel's snippets back.
    let snippets = fix_snippets(record, "nginx", "fr").expect("snippets");
    let snippets = Array::from(&snippets);
    assert!(snippets.length() >= 2);
    let parts = Array::from(&get(&snippets.get(0), "parts"));
    let code = get(&parts.get(0), "code").as_string().expect("code");
    assert!(code.contains(&format!("\"{PAGE}\" always")), "{code}");
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    let mut engine = Engine::new();
    assert!(engine.ingest("onSomethingElse", details(&[])).is_err());
    assert!(engine.ingest("onCompleted", JsValue::from(42)).is_err());
    assert!(engine
        .ingest(
            "onSendHeaders",
            details(&[("requestHeaders", "not a list".into())])
        )
        .is_err());
    // Binary header values are read as text.
    let bytes: Array = [104, 105].into_iter().map(JsValue::from).collect();
    let binary = Object::new();
    Reflect::set(&binary, &"name".into(), &"Origin".into()).expect("set");
    Reflect::set(&binary, &"binaryValue".into(), &bytes).expect("set");
    let request: Array = [JsValue::from(binary)].into_iter().collect();
    assert!(engine
        .ingest(
            "onSendHeaders",
            details(&[("requestHeaders", request.into())])
        )
        .is_ok());
    assert!(fix_snippets(JsValue::NULL, "nginx", "en").is_err());
    assert!(fix_snippets(details(&[]), "nginx", "en").is_err());
}

/// A failure record for `url` (no `Access-Control-Allow-Origin`), as the
/// engine makes it.
fn failure_for(id: &str, url: &str) -> JsValue {
    let mut engine = Engine::new();
    let at = |fields: &[(&str, JsValue)]| {
        let d = details(fields);
        Reflect::set(&d, &"requestId".into(), &id.into()).expect("set id");
        Reflect::set(&d, &"url".into(), &url.into()).expect("set url");
        d
    };
    let request: Array = [header("Origin", PAGE)].into_iter().collect();
    engine
        .ingest("onSendHeaders", at(&[("requestHeaders", request.into())]))
        .expect("onSendHeaders");
    engine
        .ingest(
            "onHeadersReceived",
            at(&[
                ("statusCode", 200.into()),
                ("responseHeaders", Array::new().into()),
            ]),
        )
        .expect("onHeadersReceived");
    engine
        .ingest(
            "onErrorOccurred",
            at(&[("error", "net::ERR_FAILED".into())]),
        )
        .expect("onErrorOccurred")
}

#[wasm_bindgen_test]
fn the_filter_returns_the_indices_of_the_records_it_keeps() {
    let records: Array = [
        failure_for("1", "http://localhost:8081/users"),
        JsValue::from("not a record"),
        failure_for("2", "http://localhost:8081/orders"),
    ]
    .into_iter()
    .collect();
    let records: JsValue = records.into();
    let kept = |query: &str, kind: &str| {
        filter_records(records.clone(), query, kind, "en").expect("filterRecords")
    };
    assert_eq!(kept("", "all"), vec![0, 1, 2]);
    assert_eq!(kept("orders", "all"), vec![2]);
    assert_eq!(kept("-orders", "all"), vec![0]);
    assert_eq!(kept("", "failures"), vec![0, 2]);
    assert_eq!(kept("", "notices"), Vec::<u32>::new());
    assert_eq!(kept("reason:MissingAllowOrigin", "all"), vec![0, 2]);
    assert!(filter_records(JsValue::from(3), "", "all", "en").is_err());
}

/// An object of placeholder values, as the panel passes them.
fn values(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).expect("set value");
    }
    o.into()
}

#[wasm_bindgen_test]
fn placeholders_are_filled_once_so_a_file_named_like_one_stays_as_named() {
    // (language, key, values, the text expected)
    let cases: [(&str, &str, JsValue, &str); 7] = [
        (
            "en",
            "ui_import_failed",
            values(&[
                ("file", "{message}.json".into()),
                ("message", "not JSON".into()),
            ]),
            "Could not import {message}.json: not JSON",
        ),
        (
            "fr",
            "ui_import_failed",
            values(&[("file", "a.json".into()), ("message", "{file}".into())]),
            "Impossible d’importer a.json : {file}",
        ),
        // `$&` means "the match" to String.prototype.replace, not here.
        (
            "en",
            "ui_error",
            values(&[("message", "$& and $1".into())]),
            "CORS Lens could not load: $& and $1",
        ),
        (
            "en",
            "ui_filter_count",
            values(&[("shown", "3".into()), ("total", "12".into())]),
            "3 of 12 shown",
        ),
        // Numbers become their text; missing values leave the placeholder.
        (
            "en",
            "ui_filter_count",
            values(&[("shown", 3.into())]),
            "3 of {total} shown",
        ),
        (
            "en",
            "ui_filter_count",
            values(&[("shown", JsValue::NULL), ("total", JsValue::UNDEFINED)]),
            " of  shown",
        ),
        (
            "en",
            "ui_filter_count",
            JsValue::UNDEFINED,
            "{shown} of {total} shown",
        ),
    ];
    for (lang, key, args, want) in cases {
        assert_eq!(tf(lang, key, args).expect("tf"), want, "{lang} {key}");
    }
    assert!(tf("en", "ui_error", JsValue::from("not an object")).is_err());
}
