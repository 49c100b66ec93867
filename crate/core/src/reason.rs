//! The reasons a CORS check fails: one table, one row per reason, with the
//! names each browser and MDN give it, the phase of the fetch it belongs to,
//! its Fetch-standard link and its message keys.
//!
//! To add a reason, see "How to add a reason" in ARCHITECTURE.md: a row here,
//! the check that reports it, its texts and a scenario row.

use crate::notice::NoticeKind;

/// Which part of a fetch a reason is about. Explicit in every row, so that a
/// new reason is never taken for another phase's by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The CORS check on the actual request's response (or on the headers of
    /// a redirect it was answered with).
    Response,
    /// The preflight (`OPTIONS`): its response and what it allows. Reported
    /// under the actual request's method.
    Preflight,
    /// Where a redirect of the actual request leads, once its headers passed.
    Redirect,
    /// Where the request goes, before anything is sent: Local Network
    /// Access (crate/core/src/address_space.rs).
    LocalNetwork,
}

/// The Fetch standard's CORS check (origin and credentials steps).
const SPEC_CORS_CHECK: &str = "https://fetch.spec.whatwg.org/#cors-check";
/// The Fetch standard's CORS-preflight fetch.
const SPEC_PREFLIGHT: &str = "https://fetch.spec.whatwg.org/#cors-preflight-fetch";
/// The Fetch standard's HTTP-redirect fetch.
const SPEC_REDIRECT: &str = "https://fetch.spec.whatwg.org/#http-redirect-fetch";
/// Local Network Access, the WICG draft Chromium follows (not in the Fetch
/// standard yet).
const SPEC_LOCAL_NETWORK_ACCESS: &str = "https://wicg.github.io/local-network-access/";

/// What Firefox's console names a refusal (see [`CorsError::firefox_ids_for`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirefoxIds {
    /// The name Firefox prints.
    pub id: &'static str,
    /// The other name it may have printed, when the capture cannot tell.
    pub or: Option<&'static str>,
    /// The message key of the note that says why Firefox's name is not
    /// MDN's (placeholders `{firefox}` and `{alt}`), where it is not.
    pub note_key: Option<String>,
}

/// The name Firefox's console gives a CORS request that did not complete:
/// refused at a redirect it will not follow, or never answered at all (a
/// refused connection, an unknown host: a network error).
pub const FIREFOX_DID_NOT_SUCCEED: &str = "CORSDidNotSucceed";

/// One row of the table: everything known about a reason besides the check
/// that reports it (check.rs, engine.rs) and its words (`_locales`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The DevTools protocol's name (`Network.CorsError`): the variant's name.
    pub chromium_id: &'static str,
    pub phase: Phase,
    /// For a preflight step that repeats a step of the check on an actual
    /// response (the origin and credentials steps run on both, under two
    /// names): that step.
    pub repeats: Option<CorsError>,
    /// MDN's identifier (`CORSMissingAllowOrigin`, ...), which names its page
    /// and which Firefox prints for the same refusal.
    pub mdn_id: &'static str,
    /// What Firefox's console says instead of `mdn_id`, where it differs in
    /// the lab's scenarios (tests/e2e/firefox.test.mjs, docs/verdicts.md).
    pub firefox_id: Option<&'static str>,
    /// The section of the Fetch standard that defines the failing step.
    pub spec_url: &'static str,
    /// Message keys (`_locales/*/messages.json`), named after the variant:
    /// `title_<id>`, `what_<id>`, `why_<id>`, `fix_<id>`.
    pub title_key: &'static str,
    pub what_key: &'static str,
    pub why_key: &'static str,
    pub fix_key: &'static str,
    /// A second wording of `what`, for the other case of the header the step
    /// reads (explain.rs says which case takes it).
    pub what_alt_key: Option<&'static str>,
}

/// Declares `CorsError`, its `ALL` list and its table at once: each entry is
/// a variant (with its doc comment) and its row. The Chromium id and the
/// four message keys come from the variant's name.
macro_rules! reasons {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident {
            phase: $phase:expr,
            repeats: $repeats:expr,
            mdn_id: $mdn:expr,
            firefox_id: $firefox:expr,
            spec_url: $spec:expr,
            what_alt_key: $alt:expr $(,)?
        }
    )*) => {
        /// One failed step of the CORS check on a response.
        ///
        /// The variant names are the `corsError` values of the DevTools
        /// protocol (`Network.CorsError`), so a finding can be compared with
        /// the browser's own verdict without a translation table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum CorsError {
            $($(#[doc = $doc])* $name,)*
        }

        impl CorsError {
            /// Every reason, in the order of the table (the order of the
            /// checks that report them).
            pub const ALL: [CorsError; [$(CorsError::$name),*].len()] = [$(CorsError::$name),*];

            /// The DevTools protocol's name (`Network.CorsError`): the
            /// variant's name. This accessor and the three below read the
            /// table's values by a `match` of their own, not through
            /// [`CorsError::row`]: they are all the worker's engine reads,
            /// and the whole table (message keys, links) would add about
            /// 1 KB gzipped to its package (docs/performance.md, "Size").
            pub const fn chromium_id(self) -> &'static str {
                match self {
                    $(CorsError::$name => stringify!($name),)*
                }
            }

            /// The identifier MDN documents (`CORSMissingAllowOrigin`,
            /// ...), the one Firefox prints for the same refusal unless the
            /// row says otherwise.
            pub const fn mdn_id(self) -> &'static str {
                match self {
                    $(CorsError::$name => $mdn,)*
                }
            }

            /// The phase of the fetch this reason is about.
            pub const fn phase(self) -> Phase {
                match self {
                    $(CorsError::$name => $phase,)*
                }
            }

            /// The step of the check on an actual response that this
            /// preflight reason repeats, if it is one.
            pub const fn repeats(self) -> Option<CorsError> {
                match self {
                    $(CorsError::$name => $repeats,)*
                }
            }

            /// This reason's row of the table.
            pub const fn row(self) -> &'static Reason {
                match self {
                    $(CorsError::$name => {
                        const ROW: Reason = Reason {
                            chromium_id: stringify!($name),
                            phase: $phase,
                            repeats: $repeats,
                            mdn_id: $mdn,
                            firefox_id: $firefox,
                            spec_url: $spec,
                            title_key: concat!("title_", stringify!($name)),
                            what_key: concat!("what_", stringify!($name)),
                            why_key: concat!("why_", stringify!($name)),
                            fix_key: concat!("fix_", stringify!($name)),
                            what_alt_key: $alt,
                        };
                        &ROW
                    })*
                }
            }
        }
    };
}

reasons! {
    /// `Access-Control-Allow-Origin: *` on a request made with credentials.
    WildcardOriginNotAllowed {
        phase: Phase::Response,
        repeats: None,
        mdn_id: "CORSNotSupportingCredentials",
        firefox_id: None,
        spec_url: SPEC_CORS_CHECK,
        what_alt_key: None,
    }
    /// No `Access-Control-Allow-Origin` header at all.
    MissingAllowOriginHeader {
        phase: Phase::Response,
        repeats: None,
        mdn_id: "CORSMissingAllowOrigin",
        firefox_id: None,
        spec_url: SPEC_CORS_CHECK,
        what_alt_key: None,
    }
    /// More than one origin in `Access-Control-Allow-Origin` (a comma or a space).
    MultipleAllowOriginValues {
        phase: Phase::Response,
        repeats: None,
        mdn_id: "CORSMultipleAllowOriginNotAllowed",
        // For one line with a list, `*` and an origin, or spaces; two
        // header lines are `CORSMultipleAllowOriginNotAllowed` there too
        // (`firefox_ids_for`).
        firefox_id: Some("CORSAllowOriginNotMatchingOrigin"),
        spec_url: SPEC_CORS_CHECK,
        what_alt_key: None,
    }
    /// `Access-Control-Allow-Origin` is not a valid serialized origin.
    InvalidAllowOriginValue {
        phase: Phase::Response,
        repeats: None,
        mdn_id: "CORSAllowOriginNotMatchingOrigin",
        firefox_id: None,
        spec_url: SPEC_CORS_CHECK,
        what_alt_key: None,
    }
    /// `Access-Control-Allow-Origin` names another origin (or `null`).
    AllowOriginMismatch {
        phase: Phase::Response,
        repeats: None,
        mdn_id: "CORSAllowOriginNotMatchingOrigin",
        firefox_id: None,
        spec_url: SPEC_CORS_CHECK,
        what_alt_key: None,
    }
    /// Credentials were sent but `Access-Control-Allow-Credentials` is not `true`.
    InvalidAllowCredentials {
        phase: Phase::Response,
        repeats: None,
        mdn_id: "CORSMissingAllowCredentials",
        firefox_id: None,
        spec_url: SPEC_CORS_CHECK,
        what_alt_key: Some("what_InvalidAllowCredentials_value"),
    }
    /// A redirect whose headers passed led to a URL with a user name or a
    /// password (`http://user:pass@host/`), which a CORS request may not follow.
    RedirectContainsCredentials {
        phase: Phase::Redirect,
        repeats: None,
        // Firefox names no reason of its own: MDN's generic "CORS request
        // did not succeed" page is the nearest there is.
        mdn_id: FIREFOX_DID_NOT_SUCCEED,
        firefox_id: None,
        spec_url: SPEC_REDIRECT,
        what_alt_key: None,
    }
    /// A redirect whose headers passed led to a URL whose scheme is not one
    /// CORS works with (`ftp:`, `javascript:`, an app's own scheme...).
    CorsDisabledScheme {
        phase: Phase::Redirect,
        repeats: None,
        mdn_id: "CORSRequestNotHttp",
        // Firefox refuses these redirects as a request that did not succeed.
        firefox_id: Some(FIREFOX_DID_NOT_SUCCEED),
        spec_url: SPEC_REDIRECT,
        what_alt_key: None,
    }
    /// The preflight (`OPTIONS`) was answered with a redirect.
    PreflightDisallowedRedirect {
        phase: Phase::Preflight,
        repeats: None,
        mdn_id: "CORSExternalRedirectNotAllowed",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// The preflight failed step 1 of the check (see `WildcardOriginNotAllowed`).
    PreflightWildcardOriginNotAllowed {
        phase: Phase::Preflight,
        repeats: Some(CorsError::WildcardOriginNotAllowed),
        mdn_id: "CORSNotSupportingCredentials",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// The preflight response had no `Access-Control-Allow-Origin`.
    PreflightMissingAllowOriginHeader {
        phase: Phase::Preflight,
        repeats: Some(CorsError::MissingAllowOriginHeader),
        mdn_id: "CORSMissingAllowOrigin",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// The preflight response named several origins.
    PreflightMultipleAllowOriginValues {
        phase: Phase::Preflight,
        repeats: Some(CorsError::MultipleAllowOriginValues),
        mdn_id: "CORSMultipleAllowOriginNotAllowed",
        // As for `MultipleAllowOriginValues`.
        firefox_id: Some("CORSAllowOriginNotMatchingOrigin"),
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// The preflight response's `Access-Control-Allow-Origin` is not a URL.
    PreflightInvalidAllowOriginValue {
        phase: Phase::Preflight,
        repeats: Some(CorsError::InvalidAllowOriginValue),
        mdn_id: "CORSAllowOriginNotMatchingOrigin",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// The preflight response named another origin.
    PreflightAllowOriginMismatch {
        phase: Phase::Preflight,
        repeats: Some(CorsError::AllowOriginMismatch),
        mdn_id: "CORSAllowOriginNotMatchingOrigin",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// The preflight response lacked `Access-Control-Allow-Credentials: true`.
    PreflightInvalidAllowCredentials {
        phase: Phase::Preflight,
        repeats: Some(CorsError::InvalidAllowCredentials),
        mdn_id: "CORSMissingAllowCredentials",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: Some("what_PreflightInvalidAllowCredentials_value"),
    }
    /// The preflight passed the origin check but its status was not 2xx.
    PreflightInvalidStatus {
        phase: Phase::Preflight,
        repeats: None,
        mdn_id: "CORSPreflightDidNotSucceed",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// `Access-Control-Allow-Methods` could not be parsed.
    InvalidAllowMethodsPreflightResponse {
        phase: Phase::Preflight,
        repeats: None,
        mdn_id: "CORSInvalidAllowMethod",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// `Access-Control-Allow-Headers` could not be parsed.
    InvalidAllowHeadersPreflightResponse {
        phase: Phase::Preflight,
        repeats: None,
        mdn_id: "CORSInvalidAllowHeader",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: None,
    }
    /// The request's method is not in `Access-Control-Allow-Methods`.
    MethodDisallowedByPreflightResponse {
        phase: Phase::Preflight,
        repeats: None,
        mdn_id: "CORSMethodNotFound",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: Some("what_MethodDisallowedByPreflightResponse_absent"),
    }
    /// A request header is not in `Access-Control-Allow-Headers`.
    HeaderDisallowedByPreflightResponse {
        phase: Phase::Preflight,
        repeats: None,
        mdn_id: "CORSMissingAllowHeaderFromPreflight",
        firefox_id: None,
        spec_url: SPEC_PREFLIGHT,
        what_alt_key: Some("what_HeaderDisallowedByPreflightResponse_absent"),
    }
    /// Local Network Access from a page that is not a secure context (`http:`
    /// on a host other than loopback): such a page may not even ask the user,
    /// so a request to a more private address is refused outright. Chromium
    /// gives `webRequest` the same error name as for a denied permission;
    /// the page's origin tells them apart.
    InsecureLocalNetwork {
        phase: Phase::LocalNetwork,
        repeats: None,
        // No MDN page of its own either.
        mdn_id: "CORSDidNotSucceed",
        firefox_id: None,
        spec_url: SPEC_LOCAL_NETWORK_ACCESS,
        what_alt_key: Some("what_InsecureLocalNetwork_preflight"),
    }
    /// Local Network Access: the page asked for an address less public than
    /// its own (loopback, a local network) and the user has not allowed it
    /// (Chromium asks; a denied or dismissed prompt, or a headless browser,
    /// refuses). Nothing reaches the server. Read from the browser's error
    /// name on an actual request, inferred from the target's address space
    /// on a preflight refused unanswered (the `_preflight` wording says so).
    LocalNetworkAccessPermissionDenied {
        phase: Phase::LocalNetwork,
        repeats: None,
        // MDN has no page of its own for it: its generic "CORS request did
        // not succeed" is the nearest.
        mdn_id: "CORSDidNotSucceed",
        firefox_id: None,
        spec_url: SPEC_LOCAL_NETWORK_ACCESS,
        what_alt_key: Some("what_LocalNetworkAccessPermissionDenied_preflight"),
    }
}

impl CorsError {
    /// Whether the reason is about the preflight (`OPTIONS`) response.
    pub fn is_preflight(self) -> bool {
        self.phase() == Phase::Preflight
    }

    /// Whether the reason is about the target of a redirect rather than
    /// about a response's CORS headers.
    pub fn is_redirect(self) -> bool {
        self.phase() == Phase::Redirect
    }

    /// The same step of the check on the preflight response: the origin
    /// and credentials steps run on both responses, under two names.
    pub fn on_preflight(self) -> CorsError {
        CorsError::ALL
            .into_iter()
            .find(|r| r.repeats() == Some(self))
            .unwrap_or(self)
    }

    /// For the preflight variants of the origin and credentials steps, the
    /// same step on an actual response; every other reason is itself.
    pub fn base(self) -> CorsError {
        self.repeats().unwrap_or(self)
    }

    /// Whether the reason is about where the request goes (Local Network
    /// Access) rather than about any response.
    pub fn is_local_network(self) -> bool {
        self.phase() == Phase::LocalNetwork
    }

    /// Whether a change of the server's CORS headers can fix it: not where
    /// a redirect leads, nor where the request goes.
    pub fn fixed_by_headers(self) -> bool {
        !matches!(self.phase(), Phase::Redirect | Phase::LocalNetwork)
    }

    /// Parses a DevTools protocol name.
    pub fn from_chromium_id(id: &str) -> Option<CorsError> {
        CorsError::ALL.into_iter().find(|r| r.chromium_id() == id)
    }

    /// The identifier Firefox's console gives this refusal (the row's
    /// `firefox_id`, else MDN's).
    pub fn firefox_id(self) -> &'static str {
        let row = self.row();
        row.firefox_id.unwrap_or(row.mdn_id)
    }

    /// What Firefox's console names this refusal, knowing the
    /// `Access-Control-Allow-Origin` values of the refused response (one per
    /// header line, as captured): the name, and a second one when the
    /// capture cannot tell which of the two Firefox printed.
    ///
    /// Firefox names several lines `CORSMultipleAllowOriginNotAllowed`, as
    /// MDN does, but folds one line holding a list, `*` beside an origin or
    /// a value with spaces into `CORSAllowOriginNotMatchingOrigin` (the
    /// row's `firefox_id`). Its `webRequest` joins repeated lines with ", "
    /// before an extension sees them, so one value holding ", " may have
    /// been either. Measured in the lab (docs/verdicts.md, "In Firefox").
    pub fn firefox_ids_for(self, allow_origin: &[String]) -> FirefoxIds {
        let folded = self.firefox_id();
        // Firefox checks a redirected preflight's `Access-Control-Allow-Origin`
        // before the redirect (measured with none: `CORSMissingAllowOrigin`;
        // with the page's origin: `CORSExternalRedirectNotAllowed`).
        if self == CorsError::PreflightDisallowedRedirect && allow_origin.is_empty() {
            return FirefoxIds {
                id: CorsError::MissingAllowOriginHeader.mdn_id(),
                or: None,
                note_key: Some(self.note_key("_no_origin")),
            };
        }
        if self.base() != CorsError::MultipleAllowOriginValues {
            return FirefoxIds {
                id: folded,
                or: None,
                note_key: self.row().firefox_id.map(|_| self.note_key("")),
            };
        }
        match allow_origin {
            [_, _, ..] => FirefoxIds {
                id: self.mdn_id(),
                or: None,
                note_key: None,
            },
            [one] if one.contains(", ") => FirefoxIds {
                id: folded,
                or: Some(self.mdn_id()),
                note_key: Some(self.note_key("_joined")),
            },
            _ => FirefoxIds {
                id: folded,
                or: None,
                note_key: Some(self.note_key("")),
            },
        }
    }

    /// The key of a note on Firefox's name (one per step: the preflight
    /// variant shares its response step's).
    fn note_key(self, suffix: &str) -> String {
        format!("firefox_{}{suffix}", self.base().chromium_id())
    }

    /// The MDN page for this reason, in the given MDN locale (`en-US`, `fr`).
    pub fn mdn_url(self, mdn_locale: &str) -> String {
        format!(
            "https://developer.mozilla.org/{mdn_locale}/docs/Web/HTTP/Guides/CORS/Errors/{}",
            self.mdn_id()
        )
    }

    /// The section of the Fetch standard that defines the failing step.
    pub fn fetch_spec_url(self) -> &'static str {
        self.row().spec_url
    }
}

/// The identifier Firefox's console prints for the request a notice is
/// about, where it prints one: a CORS request that never got an answer (a
/// refused connection, an unknown host) is `CORSDidNotSucceed` there, a
/// network error the panel names as such; an allowed origin with a
/// misspelled `Access-Control-Allow-Credentials` is refused as
/// `CORSMissingAllowCredentials` whenever credentials were sent, which
/// Firefox's `webRequest` does not show.
pub fn firefox_id_of_notice(kind: NoticeKind) -> Option<&'static str> {
    match kind {
        NoticeKind::NoResponse => Some(FIREFOX_DID_NOT_SUCCEED),
        // Said of the refusal the notice warns of, when credentials are sent.
        NoticeKind::AllowCredentialsNotTrue => Some(CorsError::InvalidAllowCredentials.mdn_id()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l10n::{keys, Lang};

    #[test]
    fn the_table_lists_each_variant_once_under_its_own_name() {
        // The macro declares the enum and its rows together: every variant
        // has a row (the match in `row` is exhaustive) and is in `ALL`.
        for (i, reason) in CorsError::ALL.into_iter().enumerate() {
            assert!(!CorsError::ALL[..i].contains(&reason), "{reason:?} twice");
            let row = reason.row();
            assert_eq!(row.chromium_id, format!("{reason:?}"));
            assert!(row.mdn_id.starts_with("CORS"), "{reason:?}");
            if let Some(id) = row.firefox_id {
                assert!(
                    id.starts_with("CORS") && id != row.mdn_id,
                    "{reason:?}: a Firefox id is given only where it differs"
                );
            }
            assert!(
                row.spec_url.starts_with("https://fetch.spec.whatwg.org/#")
                    || (reason.is_local_network() && row.spec_url == SPEC_LOCAL_NETWORK_ACCESS),
                "{reason:?}"
            );
        }
    }

    #[test]
    fn every_message_key_of_the_table_exists_in_both_languages() {
        for lang in Lang::ALL {
            let known = keys(lang);
            for reason in CorsError::ALL {
                let row = reason.row();
                let texts = [row.title_key, row.what_key, row.why_key, row.fix_key];
                for key in texts.into_iter().chain(row.what_alt_key) {
                    assert!(
                        known.iter().any(|k| k == key),
                        "{lang:?} lacks {key} ({reason:?})"
                    );
                }
                if let Some(alt) = row.what_alt_key {
                    assert!(alt.starts_with(row.what_key), "{reason:?}: {alt}");
                }
            }
        }
    }

    #[test]
    fn chromium_ids_round_trip() {
        for reason in CorsError::ALL {
            assert_eq!(
                CorsError::from_chromium_id(reason.chromium_id()),
                Some(reason)
            );
        }
        assert_eq!(CorsError::from_chromium_id("NotAReason"), None);
    }

    #[test]
    fn preflight_variants_map_to_and_from_their_response_step() {
        let response = CorsError::ALL
            .into_iter()
            .filter(|r| r.phase() == Phase::Response);
        for reason in response {
            let preflight = reason.on_preflight();
            assert!(preflight.is_preflight(), "{reason:?}");
            assert_eq!(preflight.base(), reason);
            assert_eq!(preflight.mdn_id(), reason.mdn_id());
            assert_eq!(preflight.firefox_id(), reason.firefox_id());
            assert!(preflight.chromium_id().starts_with("Preflight"));
            assert!(preflight.chromium_id().ends_with(reason.chromium_id()));
        }
        // Only response steps are repeated, and each by one preflight step.
        for reason in CorsError::ALL {
            if let Some(step) = reason.row().repeats {
                assert!(reason.is_preflight(), "{reason:?}");
                assert_eq!(step.phase(), Phase::Response, "{reason:?}");
                assert_eq!(step.on_preflight(), reason);
            }
        }
        assert_eq!(
            CorsError::MethodDisallowedByPreflightResponse.mdn_id(),
            "CORSMethodNotFound"
        );
    }

    #[test]
    fn each_reason_links_its_section_of_the_fetch_standard() {
        let cases = [
            (CorsError::MissingAllowOriginHeader, "#cors-check"),
            (CorsError::InvalidAllowCredentials, "#cors-check"),
            (
                CorsError::PreflightMissingAllowOriginHeader,
                "#cors-preflight-fetch",
            ),
            (
                CorsError::HeaderDisallowedByPreflightResponse,
                "#cors-preflight-fetch",
            ),
            (
                CorsError::RedirectContainsCredentials,
                "#http-redirect-fetch",
            ),
            (CorsError::CorsDisabledScheme, "#http-redirect-fetch"),
        ];
        for (reason, anchor) in cases {
            assert_eq!(
                reason.fetch_spec_url(),
                format!("https://fetch.spec.whatwg.org/{anchor}"),
                "{reason:?}"
            );
        }
    }

    #[test]
    fn redirect_reasons_are_neither_response_nor_preflight_steps() {
        for reason in CorsError::ALL.into_iter().filter(|r| r.is_redirect()) {
            assert!(!reason.is_preflight(), "{reason:?}");
            assert_eq!(reason.base(), reason);
            assert_eq!(reason.on_preflight(), reason);
        }
        assert_eq!(CorsError::CorsDisabledScheme.mdn_id(), "CORSRequestNotHttp");
        assert!(CorsError::PreflightDisallowedRedirect.is_preflight());
        assert!(!CorsError::PreflightDisallowedRedirect.is_redirect());
    }

    #[test]
    fn firefox_ids_name_what_its_console_prints() {
        let cases = [
            (
                CorsError::MissingAllowOriginHeader,
                "CORSMissingAllowOrigin",
            ),
            (
                CorsError::MultipleAllowOriginValues,
                "CORSAllowOriginNotMatchingOrigin",
            ),
            (CorsError::RedirectContainsCredentials, "CORSDidNotSucceed"),
            (CorsError::CorsDisabledScheme, "CORSDidNotSucceed"),
            (
                CorsError::PreflightDisallowedRedirect,
                "CORSExternalRedirectNotAllowed",
            ),
        ];
        for (reason, id) in cases {
            assert_eq!(reason.firefox_id(), id, "{reason:?}");
        }
    }

    /// (reason, allow-origin lines, Firefox's id, the other it may be, a note)
    type FirefoxCase = (
        CorsError,
        &'static [&'static str],
        &'static str,
        Option<&'static str>,
        bool,
    );

    #[test]
    fn firefox_folds_one_line_lists_and_cannot_tell_joined_lines() {
        const LIST: &str = "http://a.test, http://b.test";
        let cases: [FirefoxCase; 10] = [
            (
                CorsError::PreflightDisallowedRedirect,
                &[],
                "CORSMissingAllowOrigin",
                None,
                true,
            ),
            (
                CorsError::PreflightDisallowedRedirect,
                &["http://a.test"],
                "CORSExternalRedirectNotAllowed",
                None,
                false,
            ),
            (
                CorsError::MultipleAllowOriginValues,
                &["http://a.test http://b.test"],
                "CORSAllowOriginNotMatchingOrigin",
                None,
                true,
            ),
            (
                CorsError::MultipleAllowOriginValues,
                &[LIST],
                "CORSAllowOriginNotMatchingOrigin",
                Some("CORSMultipleAllowOriginNotAllowed"),
                true,
            ),
            (
                CorsError::MultipleAllowOriginValues,
                &["http://a.test", "http://b.test"],
                "CORSMultipleAllowOriginNotAllowed",
                None,
                false,
            ),
            (
                CorsError::PreflightMultipleAllowOriginValues,
                &["*,http://a.test"],
                "CORSAllowOriginNotMatchingOrigin",
                None,
                true,
            ),
            (
                CorsError::PreflightMultipleAllowOriginValues,
                &["*", "*"],
                "CORSMultipleAllowOriginNotAllowed",
                None,
                false,
            ),
            (
                CorsError::CorsDisabledScheme,
                &[],
                "CORSDidNotSucceed",
                None,
                true,
            ),
            (
                CorsError::AllowOriginMismatch,
                &[LIST],
                "CORSAllowOriginNotMatchingOrigin",
                None,
                false,
            ),
            (
                CorsError::MissingAllowOriginHeader,
                &[],
                "CORSMissingAllowOrigin",
                None,
                false,
            ),
        ];
        for (reason, lines, id, or, note) in cases {
            let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let got = reason.firefox_ids_for(&lines);
            assert_eq!((got.id, got.or), (id, or), "{reason:?} {lines:?}");
            assert_eq!(got.note_key.is_some(), note, "{reason:?} {lines:?}");
        }
    }

    #[test]
    fn every_firefox_note_exists_in_both_languages() {
        let shapes: [&[&str]; 5] = [&[], &["a"], &["a b"], &["a, b"], &["a", "b"]];
        for lang in Lang::ALL {
            let known = keys(lang);
            for reason in CorsError::ALL {
                for lines in shapes {
                    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    if let Some(key) = reason.firefox_ids_for(&lines).note_key {
                        assert!(known.contains(&key), "{lang:?} lacks {key}");
                    }
                }
            }
        }
    }

    #[test]
    fn mdn_links_name_the_mdn_reason() {
        assert_eq!(
            CorsError::MissingAllowOriginHeader.mdn_url("en-US"),
            "https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin"
        );
    }
}
