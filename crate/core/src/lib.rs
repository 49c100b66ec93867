//! CORS Lens core: rebuilds each request from `webRequest` events, recomputes
//! the browser's CORS verdict from the raw headers, and explains the failures.
//!
//! Plain Rust with no browser dependency: the wasm binding (`crate/wasm`) feeds
//! it one event at a time, and the native tests drive it the same way.

pub mod address_space;
pub mod browser_error;
pub mod check;
pub mod engine;
pub mod event;
pub mod explain;
pub mod export;
pub mod filter;
pub mod finding;
pub mod fix;
pub mod har;
pub mod har_text;
pub mod headers;
pub mod http;
pub mod l10n;
pub mod notice;
pub mod notice_text;
pub mod origin;
pub mod paste;
pub mod reason;
pub mod record;
pub mod redact;
pub mod report;
pub mod time;
pub mod wire;
// Test scaffolding: compiled for tests only (Cargo.toml, feature `testing`).
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
#[doc(hidden)]
pub mod workload;

pub use engine::Engine;
pub use event::{Event, EventKind};
pub use finding::{Credentials, Finding, Seen};
pub use notice::{Notice, NoticeKind};
pub use reason::CorsError;
pub use report::Report;
