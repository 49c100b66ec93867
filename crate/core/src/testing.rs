//! Test scaffolding shared by the core's unit tests, its integration tests
//! (`tests/`) and the binding's tests: one builder for findings and one for
//! event sequences, so that a test names only what its case is about.
//! Compiled for tests only (`cfg(test)`, or the `testing` feature that the
//! dev-dependencies turn on); never in a shipped build.

use crate::event::{Event, EventKind};
use crate::finding::{Credentials, Finding, Seen};
use crate::headers::{Header, Headers};
use crate::reason::CorsError;

/// The page the findings' requests come from.
pub const PAGE_ORIGIN: &str = "http://127.0.0.1:8080";
/// The cross-origin URL the findings' requests go to.
pub const API_URL: &str = "http://localhost:9090/api/data";

/// A failure of `reason` on a `GET` from [`PAGE_ORIGIN`] to [`API_URL`]
/// answered 200, seen once at time 0 in tab 1, with nothing else known: no
/// `Access-Control-*` value, no requested header, no redirect, no captured
/// exchange, credentials unknown. A test changes what its case is about
/// with struct update syntax:
///
/// ```text
/// Finding { method: "PUT".into(), ..testing::finding(reason) }
/// ```
pub fn finding(reason: CorsError) -> Finding {
    Finding {
        request_id: "1".to_owned(),
        tab_id: 1,
        time_ms: 0.0,
        method: "GET".to_owned(),
        url: API_URL.to_owned(),
        resource_type: "xmlhttprequest".to_owned(),
        origin: PAGE_ORIGIN.to_owned(),
        page_origin: PAGE_ORIGIN.to_owned(),
        status: Some(200),
        reason,
        failed_parameter: String::new(),
        allow_origin: Vec::new(),
        allow_credentials: None,
        allow_methods: None,
        allow_headers: None,
        requested_headers: Vec::new(),
        credentials: Credentials::Unknown,
        redirects: Vec::new(),
        endpoint_allowed_before: false,
        exchange: Seen::default(),
        preflight: None,
        count: 1,
    }
}

/// Header lines from `(name, value)` pairs, in order.
pub fn header_lines(pairs: &[(&str, &str)]) -> Vec<Header> {
    pairs.iter().map(|(n, v)| Header::new(*n, *v)).collect()
}

/// Headers from `(name, value)` pairs, in order.
pub fn headers(pairs: &[(&str, &str)]) -> Headers {
    Headers(header_lines(pairs))
}

/// One exchange as captured: the request line, the status and both header
/// lists.
pub fn seen(
    method: &str,
    url: &str,
    status: Option<u16>,
    request: &[(&str, &str)],
    response: &[(&str, &str)],
) -> Seen {
    Seen {
        method: method.to_owned(),
        url: url.to_owned(),
        status,
        request_headers: header_lines(request),
        response_headers: header_lines(response),
    }
}

/// The events of one request, as a browser reports them: every event the
/// builder makes carries the request's id, method, URL, tab, initiator and
/// resource type, and adds what its kind reports.
///
/// ```text
/// let r = Request::new("1", API_URL).method("PUT").tab(7).initiator(PAGE_ORIGIN);
/// let events = vec![r.send(headers(&[("Origin", PAGE_ORIGIN)])), r.answer(200, headers(&[])), r.completed()];
/// ```
#[derive(Clone, Debug)]
pub struct Request {
    template: Event,
}

impl Request {
    /// A `GET` of an `xmlhttprequest` in no tab (`Event::new`'s defaults).
    pub fn new(id: &str, url: &str) -> Request {
        Request {
            template: Event::new(EventKind::SendHeaders, id, url),
        }
    }

    pub fn method(mut self, method: &str) -> Request {
        self.template.method = method.to_owned();
        self
    }

    pub fn tab(mut self, tab_id: i64) -> Request {
        self.template.tab_id = tab_id;
        self
    }

    pub fn initiator(mut self, initiator: &str) -> Request {
        self.template.initiator = Some(initiator.to_owned());
        self
    }

    pub fn time(mut self, time_ms: f64) -> Request {
        self.template.time_ms = time_ms;
        self
    }

    /// The same request under another id (a later request to the same URL).
    pub fn id(mut self, request_id: &str) -> Request {
        self.template.request_id = request_id.to_owned();
        self
    }

    pub fn resource_type(mut self, resource_type: &str) -> Request {
        self.template.resource_type = resource_type.to_owned();
        self
    }

    /// The same request at another URL: the next hop after a redirect.
    pub fn at(&self, url: &str) -> Request {
        let mut next = self.clone();
        next.template.url = url.to_owned();
        next
    }

    /// An event of this kind with nothing but the request's own fields.
    pub fn event(&self, kind: EventKind) -> Event {
        Event {
            kind,
            ..self.template.clone()
        }
    }

    /// `onSendHeaders`, with the request headers as sent.
    pub fn send(&self, request_headers: Headers) -> Event {
        Event {
            request_headers: Some(request_headers),
            ..self.event(EventKind::SendHeaders)
        }
    }

    /// `onHeadersReceived`, with the status (`204`, or an `Option`) and the
    /// response headers.
    pub fn answer(&self, status: impl Into<Option<u16>>, response_headers: Headers) -> Event {
        Event {
            status: status.into(),
            response_headers: Some(response_headers),
            ..self.event(EventKind::HeadersReceived)
        }
    }

    /// `onBeforeRedirect` to `to`.
    pub fn redirect(&self, to: &str) -> Event {
        Event {
            redirect_url: Some(to.to_owned()),
            ..self.event(EventKind::BeforeRedirect)
        }
    }

    /// `onCompleted` without a status (as Chromium's tests record it).
    pub fn completed(&self) -> Event {
        self.event(EventKind::Completed)
    }

    /// `onErrorOccurred` with the browser's error text.
    pub fn error(&self, error: &str) -> Event {
        Event {
            error: Some(error.to_owned()),
            ..self.event(EventKind::ErrorOccurred)
        }
    }
}
