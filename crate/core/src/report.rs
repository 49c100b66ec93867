//! What ending a request can produce: a CORS failure or a notice. The
//! engine returns it; redaction, the transfer records and the exports take
//! it from here without knowing the engine.

use crate::finding::Finding;
use crate::notice::Notice;

/// What ending a request can produce.
#[derive(Clone, Debug, PartialEq)]
// One report per finished request, moved once: boxing would cost more than
// the size difference.
#[allow(clippy::large_enum_variant)]
pub enum Report {
    /// The browser refused the response for a CORS reason.
    Failure(Finding),
    /// Not a CORS failure, but worth knowing (see [`crate::notice::NoticeKind`]).
    Notice(Notice),
}
