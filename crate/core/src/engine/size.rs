//! What each kept value costs, as the engine's byte budgets count it: its
//! bytes plus a fixed cost per string or header line.
//!
//! Architecture Invariant: measuring only. Nothing here decides what to
//! keep or forget; `mod.rs` holds the budgets and enforces them.

use crate::finding::{Finding, Seen};
use crate::headers::Header;
use crate::notice::Notice;

/// What each kept string or header line costs besides its bytes.
pub(super) const ENTRY_COST: usize = 32;

/// An optional string: its bytes and the entry cost, or nothing.
pub(super) fn opt_size(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, |s| s.len() + ENTRY_COST)
}

fn strings_size(v: &[String]) -> usize {
    v.iter().map(|s| s.len() + ENTRY_COST).sum()
}

pub(super) fn headers_size(headers: &[Header]) -> usize {
    headers
        .iter()
        .map(|h| h.name.len() + h.value.len() + ENTRY_COST)
        .sum()
}

pub(super) fn seen_size(s: &Seen) -> usize {
    ENTRY_COST
        + s.method.len()
        + s.url.len()
        + headers_size(&s.request_headers)
        + headers_size(&s.response_headers)
}

pub(super) fn notice_size(n: &Notice) -> usize {
    ENTRY_COST * 8
        + n.request_id.len()
        + n.method.len()
        + n.url.len()
        + n.resource_type.len()
        + n.origin.len()
        + n.page_origin.len()
        + n.detail.len()
}

pub(super) fn finding_size(f: &Finding) -> usize {
    ENTRY_COST * 16
        + f.request_id.len()
        + f.method.len()
        + f.url.len()
        + f.resource_type.len()
        + f.origin.len()
        + f.page_origin.len()
        + f.failed_parameter.len()
        + strings_size(&f.allow_origin)
        + opt_size(&f.allow_credentials)
        + opt_size(&f.allow_methods)
        + opt_size(&f.allow_headers)
        + strings_size(&f.requested_headers)
        + strings_size(&f.redirects)
        + seen_size(&f.exchange)
        + f.preflight.as_ref().map_or(0, seen_size)
}
