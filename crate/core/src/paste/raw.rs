//! Raw headers: a request and its response as `curl -v` prints them (`> `
//! and `< ` lines), or as DevTools copies them ("GET /path HTTP/1.1" then
//! headers; HTTP/2 pseudo-headers `:method`, `:authority`, `:path`,
//! `:scheme`), or a `curl -i` response after the request's headers. They
//! become the events of one exchange, judged by the engine.

use crate::engine::Engine;
use crate::event::{Event, EventKind};
use crate::headers::{Header, Headers};
use crate::report::Report;

pub enum Read {
    Judged(Vec<Report>),
    NoOrigin,
}

#[derive(Default)]
struct Block {
    /// Method and target of a request line, or the status of a response.
    method: Option<String>,
    target: Option<String>,
    status: Option<u16>,
    headers: Headers,
}

fn request_line(l: &str) -> Option<(String, String)> {
    let mut parts = l.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    (version.starts_with("HTTP/")
        && method.bytes().all(|b| b.is_ascii_uppercase())
        && parts.next().is_none())
    .then(|| (method.to_owned(), target.to_owned()))
}

fn status_line(l: &str) -> Option<u16> {
    let rest = l.strip_prefix("HTTP/")?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

pub fn read(text: &str) -> Option<Read> {
    let mut request: Option<Block> = None;
    let mut response: Option<Block> = None;
    let mut in_response = false;
    let mut tls = false;
    for raw in text.lines() {
        let (line, side) = match raw.get(..2) {
            Some("> ") => (&raw[2..], Some(false)),
            Some("< ") => (&raw[2..], Some(true)),
            _ if raw.starts_with('*') => {
                tls |= raw.contains("SSL") || raw.contains("TLS") || raw.contains(":443");
                continue;
            }
            _ => (raw, None),
        };
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if let Some((method, target)) = request_line(line) {
            request = Some(Block {
                method: Some(method),
                target: Some(target),
                ..Block::default()
            });
            in_response = false;
            continue;
        }
        if let Some(status) = status_line(line) {
            // The last response wins (after `100 Continue` or a redirect).
            response = Some(Block {
                status: Some(status),
                ..Block::default()
            });
            in_response = true;
            continue;
        }
        let in_resp = side.unwrap_or(in_response);
        let Some((name, value)) = line
            .strip_prefix(':')
            .map(|l| l.split_once(':').map(|(n, v)| (format!(":{n}"), v)))
            .unwrap_or_else(|| line.split_once(':').map(|(n, v)| (n.to_owned(), v)))
        else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(' ') {
            continue;
        }
        let value = value.trim().to_owned();
        if name == ":status" {
            response = Some(Block {
                status: value.parse().ok(),
                ..Block::default()
            });
            in_response = true;
            continue;
        }
        if in_resp {
            let block = response.get_or_insert_with(Block::default);
            block.headers.0.push(Header::new(name, value));
        } else {
            let block = request.get_or_insert_with(Block::default);
            match name {
                ":method" => block.method = Some(value),
                ":path" => block.target = Some(value),
                ":authority" => block.headers.0.push(Header::new("Host", value)),
                ":scheme" => tls |= value == "https",
                _ => block.headers.0.push(Header::new(name, value)),
            }
        }
    }
    let request = request?;
    let response = response?;
    let origin = request.headers.first("origin").map(str::to_owned);
    let Some(origin) = origin else {
        return Some(Read::NoOrigin);
    };
    let target = request.target.clone().unwrap_or_else(|| "/".to_owned());
    let url = if target.contains("://") {
        target
    } else {
        let host = request.headers.first("host").unwrap_or("localhost");
        let scheme = if tls { "https" } else { "http" };
        format!("{scheme}://{host}{target}")
    };
    let method = request.method.clone().unwrap_or_else(|| "GET".to_owned());
    let base = Event {
        kind: EventKind::SendHeaders,
        request_id: "paste-1".to_owned(),
        url,
        method,
        resource_type: "xmlhttprequest".to_owned(),
        tab_id: -1,
        time_ms: 0.0,
        initiator: Some(origin),
        status: None,
        request_headers: Some(request.headers),
        response_headers: None,
        redirect_url: None,
        error: None,
    };
    let events = [
        base.clone(),
        Event {
            kind: EventKind::HeadersReceived,
            status: response.status,
            response_headers: Some(response.headers),
            request_headers: None,
            ..base.clone()
        },
        Event {
            kind: EventKind::Completed,
            request_headers: None,
            ..base
        },
    ];
    let mut engine = Engine::new();
    let reports = events
        .into_iter()
        .filter_map(|e| engine.ingest(e))
        .collect();
    Some(Read::Judged(reports))
}
