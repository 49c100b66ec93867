//! Turns HAR entries into the `webRequest` events the engine judges: one
//! entry is one hop (`onSendHeaders`, `onHeadersReceived`, then
//! `onBeforeRedirect` or the end), the hops of a redirect chain share one
//! request id, and a preflight entry stays a request of its own, as
//! `webRequest` reports it, so the engine's ledger matches it with its
//! actual request.
//!
//! Order: a HAR lists entries by start time, and an actual request starts
//! before its preflight (Chromium creates it first, and counts the wait
//! for the preflight in its `blocked` time), while `webRequest` reports the
//! preflight first. An answered CORS request is held until its preflight
//! (the same URL) is read, or until an entry that started after the request
//! was sent and done with (its `blocked` time, its whole `time`) shows that
//! no preflight is coming.

use std::collections::HashMap;

use crate::browser_error::BrowserError;
use crate::engine::redirect::has_credentials;
use crate::event::{Event, EventKind};
use crate::headers::{Header, Headers};
use crate::origin;

use super::read::{Entry, NameValue};

/// The error a HAR writer recorded for the entry, if any (Chromium's
/// `_error`, Playwright's `_failureText`).
fn entry_error(e: &Entry) -> Option<String> {
    [&e.response.error, &e.response.failure_text, &e.error]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `webRequest`'s resource type for a HAR `_resourceType` (DevTools' names),
/// or, where the writer names none (Firefox), for the request's
/// `Sec-Fetch-Dest` (`empty`: `fetch()` or `XMLHttpRequest`).
fn resource_type(e: &Entry, request: &Headers) -> String {
    let t = match e.resource_type.as_deref() {
        Some(t) => t.to_ascii_lowercase(),
        None => match request.first("sec-fetch-dest").map(str::trim) {
            Some(d) if d.eq_ignore_ascii_case("empty") => "fetch".to_owned(),
            Some(d) if d.eq_ignore_ascii_case("style") => "stylesheet".to_owned(),
            Some(d) => d.to_ascii_lowercase(),
            None => String::new(),
        },
    };
    match t.as_str() {
        "fetch" | "xhr" | "preflight" | "eventsource" => "xmlhttprequest",
        "image" | "img" => "image",
        "script" => "script",
        "stylesheet" => "stylesheet",
        "font" => "font",
        "media" | "audio" | "video" | "track" => "media",
        "document" => "main_frame",
        "websocket" => "websocket",
        "ping" => "ping",
        _ => "other",
    }
    .to_owned()
}

fn headers(list: &[NameValue]) -> Headers {
    Headers(
        list.iter()
            .filter(|h| !h.name.is_empty() && !h.name.starts_with(':'))
            .map(|h| Header::new(h.name.clone(), h.value.clone()))
            .collect(),
    )
}

/// The page that made the request: the `Referer`'s origin (every browser
/// sends at least the origin cross-site by default), else Chromium's
/// `_initiator` URL, else the `Origin` header. `None` when the HAR holds none.
fn page(e: &Entry, request: &Headers) -> Option<String> {
    let referer = request.first("referer").and_then(origin::of_url);
    let initiator = e
        .initiator
        .as_ref()
        .and_then(|i| i.url.as_deref())
        .and_then(origin::of_url);
    let sent = request
        .first("origin")
        .map(|o| o.trim().to_owned())
        .filter(|o| o != "null");
    referer.or(initiator).or(sent)
}

/// Whether a CORS request sent with `Origin: origin` is refused at a
/// redirect to `location` (resolved against `url`): a URL with credentials
/// of another origin (the Fetch standard's HTTP-redirect fetch).
fn refused_for_credentials(url: &str, location: &str, origin: &str) -> bool {
    !location.is_empty()
        && has_credentials(url, location)
        && url::Url::parse(url)
            .and_then(|base| base.join(location))
            .is_ok_and(|to| to.origin().ascii_serialization() != origin)
}

/// What the adapter tells about the HAR besides the events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entries read.
    pub entries: usize,
    /// Entries with no response recorded (status 0 or -1, no headers): the
    /// HAR cannot tell the CORS reason of these.
    pub without_response: usize,
    /// Entries with neither a `Cookie` header nor cookies (a sanitized
    /// export, or no credentials): the credentials mode is unknown.
    pub without_cookies: usize,
}

/// How many requests may wait for a preflight at once.
const MAX_HELD: usize = 256;

/// An answered CORS request whose preflight may come later in the file.
#[derive(Debug)]
struct Held {
    id: String,
    /// The page's tab and the URL, which its preflight shares.
    key: (i64, String),
    /// When it was sent and done with: an entry started later comes after
    /// any preflight.
    until_ms: f64,
    events: Vec<Event>,
}

/// The adapter's state: the redirects waiting for their next hop.
#[derive(Debug, Default)]
pub struct Adapter {
    next_id: u64,
    /// The tab every entry belongs to (the DevTools feed: `super::Live`);
    /// `None` for a file, whose pages (`pageref`) are its tabs.
    tab: Option<i64>,
    pages: HashMap<String, i64>,
    /// Redirect target URL (with its page) → the request id and the last
    /// hop's end, sent when no next hop follows.
    waiting: HashMap<(i64, String), (String, Event)>,
    /// The ends of requests refused before they were sent: a HAR lists them
    /// by start time, before the preflight that decided them, so they are
    /// judged after every entry was read.
    refused_unanswered: Vec<Event>,
    /// Answered CORS requests waiting for a preflight, in file order.
    held: Vec<Held>,
    pub counts: Counts,
}

/// Whether the entry is a CORS preflight (`OPTIONS` with
/// `Access-Control-Request-Method`; Chromium also types it `preflight`).
pub(super) fn is_preflight(e: &Entry) -> bool {
    e.resource_type.as_deref() == Some("preflight")
        || (e.request.method.eq_ignore_ascii_case("OPTIONS")
            && e.request
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("access-control-request-method")))
}

impl Adapter {
    pub fn new() -> Adapter {
        Adapter::default()
    }

    /// An adapter for the entries of one browser tab: their requests are
    /// that tab's, and their ids (`dt<tab>-<n>`) differ from every other
    /// tab's and from `webRequest`'s numbers.
    pub fn for_tab(tab: i64) -> Adapter {
        Adapter {
            tab: Some(tab),
            ..Adapter::default()
        }
    }

    /// Whether events wait: a redirect's end for its next hop, or a
    /// request for its preflight.
    pub(super) fn following(&self) -> bool {
        !self.waiting.is_empty() || !self.held.is_empty()
    }

    /// The held requests, all of them: the DevTools feed reports a preflight
    /// before its actual request (it ends first), so once a batch was read
    /// none waits for a later one.
    pub(super) fn release_held(&mut self) -> Vec<Event> {
        self.release(|_| true)
    }

    /// The ends of requests refused before they were sent, read since the
    /// last call (the DevTools feed places them after their preflight).
    pub(super) fn take_refused(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.refused_unanswered)
    }

    /// The events the entry lets out, in `webRequest`'s order: its own, and
    /// those of held requests it shows the preflight of, or shows no
    /// preflight is coming for.
    pub fn entry(&mut self, e: Entry) -> Vec<Event> {
        let start = crate::time::parse_iso(&e.started).unwrap_or(self.counts.entries as f64 + 1.0);
        let preflight = is_preflight(&e);
        let key = (self.tab(e.pageref.as_deref()), e.request.url.clone());
        let until_ms = start + e.timings.before_sending().max(e.time);
        let mut out = self.release(|h| h.until_ms < start);
        let (id, events, cors) = self.hop(e);
        // A later hop of a held request: the earlier hops first.
        out.extend(self.release(|h| h.id == id));
        if preflight {
            out.extend(events);
            out.extend(self.release(|h| h.key == key));
        } else if cors {
            self.held.push(Held {
                id,
                key,
                until_ms,
                events,
            });
            // Entries out of time order would hold everything: past the
            // cap, the oldest goes (at worst, its preflight's notices are
            // missed; its own verdict stands on its own response).
            if self.held.len() > MAX_HELD {
                out.extend(self.held.remove(0).events);
            }
        } else {
            out.extend(events);
        }
        out
    }

    /// How many requests wait for a preflight (for the tests).
    #[cfg(test)]
    pub fn held_len(&self) -> usize {
        self.held.len()
    }

    /// The events of the held requests `which` picks, in file order.
    fn release(&mut self, which: impl Fn(&Held) -> bool) -> Vec<Event> {
        if !self.held.iter().any(&which) {
            return Vec::new();
        }
        let (go, stay): (Vec<Held>, Vec<Held>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| which(h));
        self.held = stay;
        go.into_iter().flat_map(|h| h.events).collect()
    }

    /// The events of one entry, in `webRequest`'s order; its request id,
    /// and whether it is an answered CORS request (which may have had a
    /// preflight).
    fn hop(&mut self, e: Entry) -> (String, Vec<Event>, bool) {
        self.counts.entries += 1;
        let tab = self.tab(e.pageref.as_deref());
        let time_ms = crate::time::parse_iso(&e.started).unwrap_or(self.counts.entries as f64);
        let error = entry_error(&e);
        let mut request = headers(&e.request.headers);
        if !request.contains("cookie") {
            let cookies: Vec<String> = e
                .request
                .cookies
                .iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect();
            if cookies.is_empty() {
                self.counts.without_cookies += 1;
            } else {
                // The HAR lists the cookies apart: they were sent.
                request.0.push(Header::new("Cookie", cookies.join("; ")));
            }
        }
        let response = headers(&e.response.headers);
        let response_location = response.first("location").map(str::to_owned);
        let answered = e.response.status > 0 || !response.0.is_empty();
        if !answered {
            self.counts.without_response += 1;
        }
        let key = (tab, e.request.url.clone());
        let (id, next_hop, mut events) = match self.waiting.remove(&key) {
            Some((id, _)) => (id, true, Vec::new()),
            None => {
                self.next_id += 1;
                let id = match self.tab {
                    Some(t) => format!("dt{t}-{}", self.next_id),
                    None => format!("har-{}", self.next_id),
                };
                (id, false, Vec::new())
            }
        };
        let cors = answered && request.contains("origin");
        let sent_origin = request
            .first("origin")
            .unwrap_or_default()
            .trim()
            .to_owned();
        let base = Event {
            kind: EventKind::SendHeaders,
            request_id: id.clone(),
            url: e.request.url.clone(),
            method: e.request.method.clone(),
            resource_type: resource_type(&e, &request),
            tab_id: tab,
            time_ms,
            initiator: page(&e, &request),
            status: None,
            request_headers: None,
            response_headers: None,
            redirect_url: None,
            error: None,
        };
        // The next hop of a redirect that was never sent (a scheme the
        // browser refuses): `webRequest` reports only its end, and its
        // provisional headers would hide the ones the first hop sent.
        if answered || !next_hop {
            events.push(Event {
                request_headers: Some(request),
                ..base.clone()
            });
        }
        if answered {
            events.push(Event {
                kind: EventKind::HeadersReceived,
                status: u16::try_from(e.response.status).ok().filter(|s| *s > 0),
                response_headers: Some(response),
                ..base.clone()
            });
        }
        // A 3xx names where it leads in `redirectURL`; some writers leave
        // it empty when the browser did not follow, the `Location` stays.
        let location = match e.response.status {
            300..=399 => response_location.unwrap_or_default(),
            _ => String::new(),
        };
        let redirect = match e.response.redirect_url.trim() {
            "" => location.trim(),
            r => r,
        };
        // To a URL with credentials a CORS request is refused (the Fetch
        // standard; both browsers), as Chromium reports it: at the
        // redirect, before any next hop. A writer that keeps no error
        // (Firefox's export) shows the redirect alone. (A page's
        // `redirect: "manual"` would look the same.)
        let error = error.or_else(|| {
            (cors && refused_for_credentials(&e.request.url, redirect, &sent_origin))
                .then(|| "net::ERR_FAILED".to_owned())
        });
        let end = match &error {
            Some(err) => Event {
                kind: EventKind::ErrorOccurred,
                error: Some(err.clone()),
                ..base.clone()
            },
            None if answered => Event {
                kind: EventKind::Completed,
                ..base.clone()
            },
            // No response and no error: a request the HAR writer saw start
            // and never end (cancelled, or the export was taken too early).
            None => Event {
                kind: EventKind::ErrorOccurred,
                error: Some("net::ERR_ABORTED".to_owned()),
                ..base.clone()
            },
        };
        let target = (answered && !redirect.is_empty()).then(|| {
            url::Url::parse(&e.request.url)
                .and_then(|u| u.join(redirect))
                .map(|u| u.to_string())
                .unwrap_or_else(|_| redirect.to_owned())
        });
        // A redirect refused with an error: Chromium reports following it
        // (`onBeforeRedirect`) only to a scheme it then refuses (`ftp:`,
        // `ws:`, an app's own); to http(s) (credentials in the URL) and to
        // `data:` or `about:` it refuses before (tests/fixtures/scenarios.json,
        // `redirectFollowed`).
        let followed = |t: &str| {
            error.is_none()
                || url::Url::parse(t)
                    .is_ok_and(|u| !matches!(u.scheme(), "http" | "https" | "data" | "about"))
        };
        if let Some(target) = target.filter(|t| followed(t)) {
            events.push(Event {
                kind: EventKind::BeforeRedirect,
                redirect_url: Some(target.clone()),
                ..base
            });
            if error.is_some() {
                // Refused at the redirect: no next hop.
                events.push(end);
            } else {
                // The end waits for the next hop; if none comes, the
                // browser did not follow.
                self.waiting.insert((tab, target), (id.clone(), end));
            }
        } else if !answered
            && error
                .as_deref()
                .is_some_and(|e| BrowserError::of(e) == BrowserError::Cors)
        {
            // Refused before it was sent (its preflight failed): `webRequest`
            // reports only the error, after the preflight; a HAR lists the
            // request first, by start time.
            self.refused_unanswered.push(end);
            return (id, Vec::new(), false);
        } else {
            events.push(end);
        }
        (id, events, cors)
    }

    /// Once every entry was read: the requests still held, the ends of
    /// redirects no entry followed, then the requests refused before any
    /// response.
    pub fn finish(&mut self) -> Vec<Event> {
        let mut out = self.release(|_| true);
        let mut ends: Vec<Event> = self.waiting.drain().map(|(_, (_, end))| end).collect();
        ends.sort_by(|a, b| a.time_ms.total_cmp(&b.time_ms));
        out.append(&mut ends);
        out.append(&mut self.refused_unanswered);
        out
    }

    fn tab(&mut self, pageref: Option<&str>) -> i64 {
        if let Some(tab) = self.tab {
            return tab;
        }
        let next = self.pages.len() as i64;
        *self
            .pages
            .entry(pageref.unwrap_or("").to_owned())
            .or_insert(next)
    }
}
