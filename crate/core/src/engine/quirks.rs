//! Browser quirks: what Chromium and Firefox do that the Fetch standard
//! does not say, and the engine must know to read their events. The error
//! names each browser ends a request with, which redirects `webRequest`
//! follows with more events, and Firefox's orders: an actual request
//! reported before its preflight (and possibly ended first), a refused
//! redirect ended at the new URL with an error that is not its CORS one,
//! and a redirect to another scheme ended, unfollowed, at the old URL.
//! docs/verdicts.md ("In Firefox", "Browser versions") records what was
//! measured, and on which versions.
//!
//! Architecture Invariant: this is the one module of the engine that names a
//! browser's error or orders its events. The check itself stays the same
//! for every browser: a quirk decides which exchange and which preflight a
//! refusal belongs to, never whether headers pass.

use crate::browser_error::BrowserError;
use crate::event::{Event, EventKind};
use crate::notice::Notice;
use crate::report::Report;

use super::assembly::Exchange;
use super::ledger::RequestKey;
use super::redirect::is_http_target;
use super::{trim, Engine};

/// Whether the event ends a request with the browser's CORS error.
pub(super) fn is_cors_error(event: &Event) -> bool {
    event.kind == EventKind::ErrorOccurred
        && BrowserError::of(event.error.as_deref().unwrap_or("")) == BrowserError::Cors
}

/// Whether the request ended with a Firefox error (Chromium's all start with
/// `net::`) after Firefox reported following a redirect, before the next hop
/// was sent. Firefox ends a CORS request refused at a redirect this way, at
/// the new URL, with an error that is not its CORS one (measured:
/// `NS_ERROR_UNEXPECTED` or `NS_ERROR_NET_ON_RECEIVING_FROM`). A
/// network failure at the new URL ends the same way, so the error alone
/// proves nothing (see `redirect::firefox_refused_redirect`).
pub(super) fn firefox_redirect_error(exchange: &Exchange, end: &Event) -> bool {
    let error = end.error.as_deref().unwrap_or("");
    end.kind == EventKind::ErrorOccurred
        && exchange.redirected_to.is_some()
        && BrowserError::is_firefox_name(error)
        && matches!(BrowserError::of(error), BrowserError::Network(_))
        && !exchange.is_preflight()
}

/// Whether Firefox ended the request at a redirect it did not follow (no
/// `onBeforeRedirect`) because the `Location` leads to a scheme other than
/// http(s): measured for `data:`, `javascript:` and `ws:`, ended with
/// `NS_ERROR_CORRUPTED_CONTENT` at the redirecting URL, and refused in its
/// console as `CORSDidNotSucceed`. Chromium names such ends
/// `ERR_UNSAFE_REDIRECT` or follows the redirect first, so this is Firefox's
/// alone.
pub(super) fn firefox_unfollowed_redirect(exchange: &Exchange, end: &Event) -> bool {
    let error = end.error.as_deref().unwrap_or("");
    let Some((status, response)) = &exchange.response else {
        return false;
    };
    end.kind == EventKind::ErrorOccurred
        && error == "NS_ERROR_CORRUPTED_CONTENT"
        && exchange.redirected_to.is_none()
        && !exchange.is_preflight()
        && status.is_some_and(|s| (300..400).contains(&s))
        && response
            .first("location")
            .is_some_and(|l| !is_http_target(&exchange.url, trim(l)))
}

/// Whether `webRequest` reports what happens to a request after it was
/// redirected to `target`: an error event follows for these schemes
/// (measured in Chromium: `ws:` and `wss:` end with
/// `ERR_UNKNOWN_URL_SCHEME`). After a redirect to any other scheme
/// (`javascript:`, `mailto:`, an app's own scheme) no event follows; after
/// one to `ftp:` Chromium ends the request with its CORS error but Firefox
/// sends nothing more, so it is decided at the redirect too (Chromium's
/// later error then finds no request and says nothing).
pub(super) fn reported_after_redirect(target: &str) -> bool {
    match url::Url::parse(target) {
        Ok(u) => matches!(u.scheme(), "http" | "https" | "ws" | "wss"),
        // Unreadable: wait for the browser's own end of the request.
        Err(_) => true,
    }
}

impl Engine {
    /// An actual request answered while a preflight for it waits to learn
    /// the credentials mode: it went, so that preflight passed. Chromium says
    /// so at `onSendHeaders` (it sends the actual request only after its
    /// preflight); Firefox reports the actual request's `onSendHeaders`
    /// before its preflight's, so the answer is the first sign. The preflight
    /// is shown with the request, and its leniency warning returned.
    pub(super) fn preflight_passed_late(&mut self, event: &Event) -> Option<Notice> {
        if event.method == "OPTIONS" {
            return None;
        }
        let key = RequestKey::new(event.tab_id, &event.url, &event.method);
        let pending = self.preflights.pending.take_first(|k| *k == key)?;
        if let Some(exchange) = self.assembly.get_mut(&event.request_id) {
            if exchange.preflight.is_none() {
                exchange.preflight = Some(pending.finding.exchange);
            }
        }
        pending.lenient
    }

    /// A request that was sent, then refused for CORS with no response (the
    /// `CorsReasonNotShown` notice `n`). Firefox does this to the actual
    /// request of a failed preflight: it reports the actual request's
    /// `onSendHeaders` before the preflight's, then ends both with its CORS
    /// error, in either order. So a preflight for the same tab, URL and
    /// method explains the refusal: one that failed only for credentials
    /// (pending) is reported now; one reported as failed says it all; one
    /// still running decides when it ends. Only when none does is the notice
    /// given.
    pub(super) fn refused_unanswered(&mut self, n: Notice) -> Option<Report> {
        let key = RequestKey::new(n.tab_id, &n.url, &n.method);
        self.preflights.pending.prune(n.time_ms);
        if let Some(p) = self.preflights.pending.take_first(|k| *k == key) {
            return Some(Report::Failure(p.finding));
        }
        let failed = |k: &RequestKey| k.same_target(n.tab_id, &n.url);
        if self.preflights.failed.take_first(failed).is_some() {
            return None;
        }
        let running = self
            .assembly
            .iter_mut()
            .find(|(_, e)| e.actual_refused.is_none() && e.preflight_key().as_ref() == Some(&key));
        match running {
            Some((id, preflight)) => {
                preflight.actual_refused = Some(n);
                let id = id.clone();
                self.measure(&id);
                None
            }
            None => Some(Report::Notice(n)),
        }
    }
}
