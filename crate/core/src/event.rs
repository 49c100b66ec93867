//! One `webRequest` event, as the core sees it once the binding has
//! translated the browser's details object.

use crate::headers::Headers;

/// The `webRequest` events the verdict needs (observing costs more than
/// analysing, docs/browser-facts.md: the worker registers only these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// `onSendHeaders`: the request headers as sent (a new hop after a redirect).
    SendHeaders,
    /// `onHeadersReceived`: the raw response status and headers of one hop.
    HeadersReceived,
    /// `onBeforeRedirect`: the hop was a redirect to `redirect_url`.
    BeforeRedirect,
    /// `onCompleted`: the browser delivered the response.
    Completed,
    /// `onErrorOccurred`: the request failed; `error` says how.
    ErrorOccurred,
}

impl EventKind {
    /// Parses the listener name the worker passes (`onSendHeaders`, ...).
    pub fn from_listener(name: &str) -> Option<EventKind> {
        Some(match name {
            "onSendHeaders" | "onBeforeSendHeaders" => EventKind::SendHeaders,
            "onHeadersReceived" => EventKind::HeadersReceived,
            "onBeforeRedirect" => EventKind::BeforeRedirect,
            "onCompleted" => EventKind::Completed,
            "onErrorOccurred" => EventKind::ErrorOccurred,
            _ => return None,
        })
    }

    /// The listener that reports this kind of event.
    pub fn listener(self) -> &'static str {
        match self {
            EventKind::SendHeaders => "onSendHeaders",
            EventKind::HeadersReceived => "onHeadersReceived",
            EventKind::BeforeRedirect => "onBeforeRedirect",
            EventKind::Completed => "onCompleted",
            EventKind::ErrorOccurred => "onErrorOccurred",
        }
    }
}

/// One event of one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub request_id: String,
    pub url: String,
    pub method: String,
    /// The `webRequest` resource type (`xmlhttprequest`, `image`, ...).
    pub resource_type: String,
    pub tab_id: i64,
    pub time_ms: f64,
    /// The URL or origin of the page that made the request: Chromium's
    /// `initiator`, Firefox's `originUrl` / `documentUrl`.
    pub initiator: Option<String>,
    pub status: Option<u16>,
    pub request_headers: Option<Headers>,
    pub response_headers: Option<Headers>,
    pub redirect_url: Option<String>,
    pub error: Option<String>,
}

impl Event {
    /// An event with only the identifying fields set; tests and the binding
    /// fill in the rest.
    pub fn new(kind: EventKind, request_id: &str, url: &str) -> Event {
        Event {
            kind,
            request_id: request_id.to_owned(),
            url: url.to_owned(),
            method: "GET".to_owned(),
            resource_type: "xmlhttprequest".to_owned(),
            tab_id: -1,
            time_ms: 0.0,
            initiator: None,
            status: None,
            request_headers: None,
            response_headers: None,
            redirect_url: None,
            error: None,
        }
    }
}
