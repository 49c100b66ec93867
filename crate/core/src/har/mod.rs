//! Offline analysis of a HAR 1.2 file: its entries (Chromium's and
//! Firefox's exports, Playwright's `recordHar`, sanitized exports without
//! cookies) become the `webRequest` events the engine judges, so a HAR gets
//! the same verdicts, explanations and fixes as the live panel.
//!
//! Layer: input (ARCHITECTURE.md, "Layers"): it feeds the engine and reads
//! the transfer records; it knows no text.
//!
//! What a HAR cannot tell: the credentials mode (inferred from a `Cookie`
//! header or the `cookies` list, else unknown, as with `webRequest`), and
//! the reason of a request recorded without its response (Playwright's
//! recorder keeps none for a refused request; a sanitized export may drop
//! headers). Those end as the engine's "reason not shown" notices, never as
//! a guessed reason.

mod adapt;
mod live;
mod read;

use std::io::Read;

use crate::engine::Engine;
use crate::report::Report;
use crate::wire::Record;

pub use adapt::{Adapter, Counts};
pub use live::Live;
pub use read::{entries, Entry, HarError};

/// What a HAR held, judged.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The reports, in the order the engine made them (redacted and cut).
    pub reports: Vec<Report>,
    pub counts: Counts,
}

impl Analysis {
    /// How many CORS failures were found.
    pub fn failures(&self) -> usize {
        self.reports
            .iter()
            .filter(|r| matches!(r, Report::Failure(_)))
            .count()
    }

    /// How many notices (warnings and problems that are not CORS failures).
    pub fn notices(&self) -> usize {
        self.reports.len() - self.failures()
    }

    /// The reports as the records the findings view and the exports read,
    /// one per grouping key (the same problem seen again is counted, as the
    /// live panel's list does), in the order first seen.
    pub fn records(&self) -> Vec<Record> {
        let mut out: Vec<Record> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = Default::default();
        for r in &self.reports {
            let record = Record::from(r);
            let key = match &record {
                Record::Failure(f) => f.key.clone(),
                Record::Notice(n) => n.key.clone(),
            };
            match at.get(&key) {
                Some(&i) => match &mut out[i] {
                    Record::Failure(f) => f.count += 1,
                    Record::Notice(n) => n.count += 1,
                },
                None => {
                    at.insert(key, out.len());
                    out.push(record);
                }
            }
        }
        out
    }
}

/// Reads `reader` as a HAR and judges every entry with the engine.
pub fn analyze<R: Read>(reader: R) -> Result<Analysis, HarError> {
    let mut engine = Engine::new();
    let mut adapter = Adapter::new();
    let mut reports = Vec::new();
    entries(reader, &mut |entry| {
        for event in adapter.entry(entry) {
            reports.extend(engine.ingest(event));
        }
    })?;
    for event in adapter.finish() {
        reports.extend(engine.ingest(event));
    }
    Ok(Analysis {
        reports,
        counts: adapter.counts,
    })
}

#[cfg(test)]
mod tests;
