//! Pasted text: a browser console line (Chromium's, or Firefox's in English
//! or French) or the raw headers of a request and its response (`curl -v`,
//! `curl -i` after the request's headers, DevTools' "Copy request/response
//! headers"), turned into the records the findings view shows, so the
//! explanation and the fix are the ones of the live panel.
//!
//! Layer: input (ARCHITECTURE.md, "Layers"). A console line names its
//! reason: it is read, never judged again. Raw headers are judged by the
//! engine, as `webRequest` events would be.

pub mod console;
mod raw;

use crate::report::Report;
use crate::wire::Record;

pub use console::ConsoleLine;

/// What a pasted text was read as.
#[derive(Clone, Debug, PartialEq)]
pub enum Pasted {
    /// A console line and the failure it names.
    Console(ConsoleLine),
    /// Raw headers, judged: the engine's reports (empty when it passes).
    Exchange { reports: Vec<Report> },
    /// Raw headers without a request `Origin` (not a CORS request, or the
    /// copy left the request out): nothing to judge.
    NoOrigin,
    /// Neither a console line nor headers.
    Unrecognised,
}

impl Pasted {
    /// The records the findings view shows.
    pub fn records(&self) -> Vec<Record> {
        match self {
            Pasted::Console(line) => vec![Record::from(&Report::Failure(line.finding()))],
            Pasted::Exchange { reports } => reports.iter().map(Record::from).collect(),
            Pasted::NoOrigin | Pasted::Unrecognised => Vec::new(),
        }
    }
}

/// Reads a pasted text.
pub fn analyze(text: &str) -> Pasted {
    if let Some(line) = console::read(text) {
        return Pasted::Console(line);
    }
    match raw::read(text) {
        Some(raw::Read::Judged(reports)) => Pasted::Exchange { reports },
        Some(raw::Read::NoOrigin) => Pasted::NoOrigin,
        None => Pasted::Unrecognised,
    }
}

#[cfg(test)]
mod tests;
