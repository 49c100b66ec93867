//! Reading one `webRequest` details object into the core's `EventIn`, in the
//! two ways the worker's engine takes it: field by field with `Reflect` (any
//! object, the reference), and from the compact text that the worker's glue
//! packs (`extension/engine.js`: one string across the boundary instead of a
//! crossing per field and per header; docs/performance.md).

use std::cell::RefCell;

use cors_lens_core::wire::{EventIn, HeaderIn};
use cors_lens_core::{Event, EventKind};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

/// Why a details object could not be read (a field of the wrong type).
#[derive(Debug, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The property names read, created once: a key made from a `&str` on every
/// read would cross the boundary as text each time.
struct Keys {
    request_id: JsValue,
    url: JsValue,
    method: JsValue,
    resource_type: JsValue,
    tab_id: JsValue,
    time_stamp: JsValue,
    initiator: JsValue,
    origin_url: JsValue,
    document_url: JsValue,
    status_code: JsValue,
    request_headers: JsValue,
    response_headers: JsValue,
    redirect_url: JsValue,
    error: JsValue,
    name: JsValue,
    value: JsValue,
    binary_value: JsValue,
}

thread_local! {
    static KEYS: RefCell<Option<Keys>> = const { RefCell::new(None) };
}

fn with_keys<T>(f: impl FnOnce(&Keys) -> T) -> T {
    KEYS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let keys = cell.get_or_insert_with(|| Keys {
            request_id: "requestId".into(),
            url: "url".into(),
            method: "method".into(),
            resource_type: "type".into(),
            tab_id: "tabId".into(),
            time_stamp: "timeStamp".into(),
            initiator: "initiator".into(),
            origin_url: "originUrl".into(),
            document_url: "documentUrl".into(),
            status_code: "statusCode".into(),
            request_headers: "requestHeaders".into(),
            response_headers: "responseHeaders".into(),
            redirect_url: "redirectUrl".into(),
            error: "error".into(),
            name: "name".into(),
            value: "value".into(),
            binary_value: "binaryValue".into(),
        });
        f(keys)
    })
}

/// A property; `undefined` when it is missing or cannot be read (a getter
/// that throws is treated as missing).
fn get(obj: &JsValue, key: &JsValue) -> JsValue {
    Reflect::get(obj, key).unwrap_or(JsValue::UNDEFINED)
}

fn wrong(field: &str, what: &str) -> Unreadable {
    Unreadable(format!("{field} is not {what}"))
}

/// A string field that defaults to "" when absent.
fn string(obj: &JsValue, key: &JsValue, field: &str) -> Result<String, Unreadable> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(String::new());
    }
    v.as_string().ok_or_else(|| wrong(field, "a string"))
}

fn opt_string(obj: &JsValue, key: &JsValue, field: &str) -> Result<Option<String>, Unreadable> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| wrong(field, "a string"))
}

fn opt_number(obj: &JsValue, key: &JsValue, field: &str) -> Result<Option<f64>, Unreadable> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_f64().map(Some).ok_or_else(|| wrong(field, "a number"))
}

fn opt_headers(
    obj: &JsValue,
    key: &JsValue,
    field: &str,
    keys: &Keys,
) -> Result<Option<Vec<HeaderIn>>, Unreadable> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if !Array::is_array(&v) {
        return Err(wrong(field, "an array"));
    }
    let list = Array::from(&v);
    let mut out = Vec::with_capacity(list.length() as usize);
    for line in list.iter() {
        if !line.is_object() {
            return Err(wrong(field, "a list of header objects"));
        }
        let binary_value = match get(&line, &keys.binary_value) {
            b if b.is_undefined() || b.is_null() => None,
            b if Array::is_array(&b) => Some(
                Array::from(&b)
                    .iter()
                    .map(|x| x.as_f64().ok_or_else(|| wrong("binaryValue", "numbers")))
                    .collect::<Result<Vec<f64>, _>>()?,
            ),
            _ => return Err(wrong("binaryValue", "an array")),
        };
        out.push(HeaderIn {
            name: string(&line, &keys.name, "a header name")?,
            value: opt_string(&line, &keys.value, "a header value")?,
            binary_value,
        });
    }
    Ok(Some(out))
}

/// Reads a details object field by field: absent fields take their
/// defaults, a field of the wrong type is an error (as `serde` would say).
pub fn details(obj: &JsValue) -> Result<EventIn, Unreadable> {
    if !obj.is_object() {
        return Err(Unreadable("the details are not an object".into()));
    }
    with_keys(|k| {
        Ok(EventIn {
            request_id: string(obj, &k.request_id, "requestId")?,
            url: string(obj, &k.url, "url")?,
            method: string(obj, &k.method, "method")?,
            resource_type: string(obj, &k.resource_type, "type")?,
            tab_id: opt_number(obj, &k.tab_id, "tabId")?,
            time_stamp: opt_number(obj, &k.time_stamp, "timeStamp")?,
            initiator: opt_string(obj, &k.initiator, "initiator")?,
            origin_url: opt_string(obj, &k.origin_url, "originUrl")?,
            document_url: opt_string(obj, &k.document_url, "documentUrl")?,
            status_code: opt_number(obj, &k.status_code, "statusCode")?,
            request_headers: opt_headers(obj, &k.request_headers, "requestHeaders", k)?,
            response_headers: opt_headers(obj, &k.response_headers, "responseHeaders", k)?,
            redirect_url: opt_string(obj, &k.redirect_url, "redirectUrl")?,
            error: opt_string(obj, &k.error, "error")?,
        })
    })
}

/// Which optional fields a packed event carries (`present`), the same bits
/// as in `extension/engine.js`.
pub mod has {
    pub const TAB_ID: u32 = 1;
    pub const TIME_STAMP: u32 = 2;
    pub const STATUS_CODE: u32 = 4;
    pub const INITIATOR: u32 = 8;
    pub const ORIGIN_URL: u32 = 16;
    pub const DOCUMENT_URL: u32 = 32;
    pub const REDIRECT_URL: u32 = 64;
    pub const ERROR: u32 = 128;
    pub const REQUEST_HEADERS: u32 = 256;
    pub const RESPONSE_HEADERS: u32 = 512;
}

/// The numbers of a packed event, passed as numbers (no text to parse).
#[derive(Clone, Copy, Debug)]
pub struct PackedNumbers {
    pub present: u32,
    pub tab_id: f64,
    pub time_stamp: f64,
    pub status_code: f64,
    pub request_headers: u32,
    pub response_headers: u32,
}

/// Reads a packed event: `text` holds its strings joined by NUL, in this
/// order: requestId, url, method, type, then those of initiator, originUrl,
/// documentUrl, redirectUrl and error that `present` names, then the name
/// and value of each request header, then of each response header.
///
/// `None` when the text holds another number of strings than announced: one
/// of them contained a NUL, and the glue must fall back to [`details`].
pub fn packed(n: PackedNumbers, text: &str) -> Option<EventIn> {
    let optional = [
        has::INITIATOR,
        has::ORIGIN_URL,
        has::DOCUMENT_URL,
        has::REDIRECT_URL,
        has::ERROR,
    ]
    .iter()
    .filter(|&&bit| n.present & bit != 0)
    .count();
    let count = |bit: u32, lines: u32| {
        if n.present & bit != 0 {
            lines as usize
        } else {
            0
        }
    };
    let headers = count(has::REQUEST_HEADERS, n.request_headers)
        + count(has::RESPONSE_HEADERS, n.response_headers);
    let expected = (4 + optional).checked_add(headers.checked_mul(2)?)?;
    // Counting first costs one pass over bytes and spares building an event
    // that would be thrown away.
    if text.bytes().filter(|&b| b == 0).count() + 1 != expected {
        return None;
    }
    let mut parts = text.split('\0');
    let mut next = || parts.next().unwrap_or_default().to_owned();
    let request_id = next();
    let url = next();
    let method = next();
    let resource_type = next();
    let mut optional = |bit: u32| (n.present & bit != 0).then(&mut next);
    let initiator = optional(has::INITIATOR);
    let origin_url = optional(has::ORIGIN_URL);
    let document_url = optional(has::DOCUMENT_URL);
    let redirect_url = optional(has::REDIRECT_URL);
    let error = optional(has::ERROR);
    let mut lines = |count: u32, bit: u32| {
        (n.present & bit != 0).then(|| {
            (0..count)
                .map(|_| HeaderIn {
                    name: next(),
                    value: Some(next()),
                    binary_value: None,
                })
                .collect()
        })
    };
    let request_headers = lines(n.request_headers, has::REQUEST_HEADERS);
    let response_headers = lines(n.response_headers, has::RESPONSE_HEADERS);
    let number = |bit: u32, v: f64| (n.present & bit != 0).then_some(v);
    Some(EventIn {
        request_id,
        url,
        method,
        resource_type,
        tab_id: number(has::TAB_ID, n.tab_id),
        time_stamp: number(has::TIME_STAMP, n.time_stamp),
        initiator,
        origin_url,
        document_url,
        status_code: number(has::STATUS_CODE, n.status_code),
        request_headers,
        response_headers,
        redirect_url,
        error,
    })
}

/// The listeners a packed event names by index (`extension/engine.js` keeps
/// the same order).
pub const LISTENERS: [(&str, EventKind); 5] = [
    ("onSendHeaders", EventKind::SendHeaders),
    ("onHeadersReceived", EventKind::HeadersReceived),
    ("onBeforeRedirect", EventKind::BeforeRedirect),
    ("onCompleted", EventKind::Completed),
    ("onErrorOccurred", EventKind::ErrorOccurred),
];

/// A listener index that [`LISTENERS`] does not have.
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownListener(pub u32);

/// The one decoder of a packed event, with the arguments `Engine.ingestPacked`
/// receives (the shipped way in; the bench's variants call it too): the
/// listener's index in [`LISTENERS`], the numbers, the text ([`packed`]).
/// `Ok(None)` when the text does not hold what the numbers announce.
#[allow(clippy::too_many_arguments)]
pub fn packed_event(
    kind: u32,
    present: u32,
    tab_id: f64,
    time_stamp: f64,
    status_code: f64,
    request_headers: u32,
    response_headers: u32,
    text: &str,
) -> Result<Option<Event>, UnknownListener> {
    let kind = LISTENERS.get(kind as usize).ok_or(UnknownListener(kind))?.1;
    let numbers = PackedNumbers {
        present,
        tab_id,
        time_stamp,
        status_code,
        request_headers,
        response_headers,
    };
    Ok(packed(numbers, text).map(|event| event.into_event(kind)))
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    /// What a read event must hold: url, initiator, error, request header lines.
    type Expected<'a> = Option<(&'a str, Option<&'a str>, Option<&'a str>, Option<usize>)>;

    fn numbers(present: u32, request_headers: u32, response_headers: u32) -> PackedNumbers {
        PackedNumbers {
            present,
            tab_id: 3.0,
            time_stamp: 1.5,
            status_code: 200.0,
            request_headers,
            response_headers,
        }
    }

    #[test]
    fn a_packed_event_is_read_when_its_strings_match_what_the_numbers_announce() {
        let all = has::TAB_ID | has::STATUS_CODE | has::INITIATOR | has::ERROR;
        // (what, numbers, text, expected: url, initiator, error, request header lines)
        let cases: [(&str, PackedNumbers, &str, Expected); 7] = [
            (
                "no optional string",
                numbers(0, 0, 0),
                "1\0http://a/\0GET\0xmlhttprequest",
                Some(("http://a/", None, None, None)),
            ),
            (
                "an initiator and an error",
                numbers(all, 0, 0),
                "1\0http://a/\0GET\0other\0http://p\0net::ERR_FAILED",
                Some(("http://a/", Some("http://p"), Some("net::ERR_FAILED"), None)),
            ),
            (
                "two request header lines, empty values kept",
                numbers(has::REQUEST_HEADERS, 2, 0),
                "1\0u\0GET\0t\0Origin\0http://p\0X-Empty\0",
                Some(("u", None, None, Some(2))),
            ),
            (
                "an empty header list",
                numbers(has::REQUEST_HEADERS, 0, 0),
                "1\0u\0GET\0t",
                Some(("u", None, None, Some(0))),
            ),
            (
                "a NUL inside a value: one string too many",
                numbers(has::REQUEST_HEADERS, 1, 0),
                "1\0u\0GET\0t\0Origin\0a\0b",
                None,
            ),
            (
                "fewer strings than announced",
                numbers(has::INITIATOR | has::REQUEST_HEADERS, 3, 0),
                "1\0u\0GET\0t\0http://p",
                None,
            ),
            (
                "counts that would overflow",
                numbers(
                    has::REQUEST_HEADERS | has::RESPONSE_HEADERS,
                    u32::MAX,
                    u32::MAX,
                ),
                "1\0u\0GET\0t",
                None,
            ),
        ];
        for (what, n, text, expected) in cases {
            let got = packed(n, text);
            match (got, expected) {
                (None, None) => {}
                (Some(e), Some((url, initiator, error, lines))) => {
                    assert_eq!(e.request_id, "1", "{what}");
                    assert_eq!(e.url, url, "{what}");
                    assert_eq!(e.initiator.as_deref(), initiator, "{what}");
                    assert_eq!(e.error.as_deref(), error, "{what}");
                    assert_eq!(e.request_headers.as_ref().map(Vec::len), lines, "{what}");
                    assert_eq!(
                        e.tab_id,
                        (n.present & has::TAB_ID != 0).then_some(3.0),
                        "{what}"
                    );
                    assert_eq!(
                        e.status_code,
                        (n.present & has::STATUS_CODE != 0).then_some(200.0),
                        "{what}"
                    );
                    assert_eq!(e.time_stamp, None, "{what}: not announced, not read");
                }
                (got, expected) => panic!("{what}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn packed_header_lines_keep_their_order_names_and_values() {
        let n = numbers(has::REQUEST_HEADERS | has::RESPONSE_HEADERS, 1, 2);
        let e = packed(
            n,
            "1\0u\0GET\0t\0Origin\0http://p\0Vary\0Origin\0X-A\0é <b>",
        )
        .expect("read");
        let lines = |h: &Option<Vec<HeaderIn>>| -> Vec<(String, Option<String>)> {
            h.iter()
                .flatten()
                .map(|l| (l.name.clone(), l.value.clone()))
                .collect()
        };
        assert_eq!(
            lines(&e.request_headers),
            [("Origin".into(), Some("http://p".into()))]
        );
        assert_eq!(
            lines(&e.response_headers),
            [
                ("Vary".into(), Some("Origin".into())),
                ("X-A".into(), Some("é <b>".into()))
            ]
        );
    }
}
