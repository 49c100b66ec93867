//! The reasons a CORS check fails, named as Chromium's DevTools protocol spells
//! them, each carrying the matching MDN / Firefox identifier.

/// One failed step of the CORS check on a response.
///
/// The variant names are the `corsError` values of the DevTools protocol
/// (`Network.CorsError`), so a finding can be compared with the browser's own
/// verdict without a translation table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CorsError {
    /// `Access-Control-Allow-Origin: *` on a request made with credentials.
    WildcardOriginNotAllowed,
    /// No `Access-Control-Allow-Origin` header at all.
    MissingAllowOriginHeader,
    /// More than one origin in `Access-Control-Allow-Origin` (a comma or a space).
    MultipleAllowOriginValues,
    /// `Access-Control-Allow-Origin` is not a valid serialized origin.
    InvalidAllowOriginValue,
    /// `Access-Control-Allow-Origin` names another origin (or `null`).
    AllowOriginMismatch,
    /// Credentials were sent but `Access-Control-Allow-Credentials` is not `true`.
    InvalidAllowCredentials,
    /// A redirect whose headers passed led to a URL with a user name or a
    /// password (`http://user:pass@host/`), which a CORS request may not follow.
    RedirectContainsCredentials,
    /// A redirect whose headers passed led to a URL whose scheme is not one
    /// CORS works with (`ftp:`, `javascript:`, an app's own scheme...).
    CorsDisabledScheme,
    /// The preflight (`OPTIONS`) was answered with a redirect.
    PreflightDisallowedRedirect,
    /// The preflight failed step 1 of the check (see `WildcardOriginNotAllowed`).
    PreflightWildcardOriginNotAllowed,
    /// The preflight response had no `Access-Control-Allow-Origin`.
    PreflightMissingAllowOriginHeader,
    /// The preflight response named several origins.
    PreflightMultipleAllowOriginValues,
    /// The preflight response's `Access-Control-Allow-Origin` is not a URL.
    PreflightInvalidAllowOriginValue,
    /// The preflight response named another origin.
    PreflightAllowOriginMismatch,
    /// The preflight response lacked `Access-Control-Allow-Credentials: true`.
    PreflightInvalidAllowCredentials,
    /// The preflight passed the origin check but its status was not 2xx.
    PreflightInvalidStatus,
    /// `Access-Control-Allow-Methods` could not be parsed.
    InvalidAllowMethodsPreflightResponse,
    /// `Access-Control-Allow-Headers` could not be parsed.
    InvalidAllowHeadersPreflightResponse,
    /// The request's method is not in `Access-Control-Allow-Methods`.
    MethodDisallowedByPreflightResponse,
    /// A request header is not in `Access-Control-Allow-Headers`.
    HeaderDisallowedByPreflightResponse,
}

impl CorsError {
    /// Every reason, in the order of the check that reports them.
    pub const ALL: [CorsError; 20] = [
        CorsError::WildcardOriginNotAllowed,
        CorsError::MissingAllowOriginHeader,
        CorsError::MultipleAllowOriginValues,
        CorsError::InvalidAllowOriginValue,
        CorsError::AllowOriginMismatch,
        CorsError::InvalidAllowCredentials,
        CorsError::RedirectContainsCredentials,
        CorsError::CorsDisabledScheme,
        CorsError::PreflightDisallowedRedirect,
        CorsError::PreflightWildcardOriginNotAllowed,
        CorsError::PreflightMissingAllowOriginHeader,
        CorsError::PreflightMultipleAllowOriginValues,
        CorsError::PreflightInvalidAllowOriginValue,
        CorsError::PreflightAllowOriginMismatch,
        CorsError::PreflightInvalidAllowCredentials,
        CorsError::PreflightInvalidStatus,
        CorsError::InvalidAllowMethodsPreflightResponse,
        CorsError::InvalidAllowHeadersPreflightResponse,
        CorsError::MethodDisallowedByPreflightResponse,
        CorsError::HeaderDisallowedByPreflightResponse,
    ];

    /// The reasons of the check on an actual response.
    pub const RESPONSE: [CorsError; 6] = [
        CorsError::WildcardOriginNotAllowed,
        CorsError::MissingAllowOriginHeader,
        CorsError::MultipleAllowOriginValues,
        CorsError::InvalidAllowOriginValue,
        CorsError::AllowOriginMismatch,
        CorsError::InvalidAllowCredentials,
    ];

    /// The reasons about where a redirect of the actual request led, once
    /// its headers passed the check.
    pub const REDIRECT: [CorsError; 2] = [
        CorsError::RedirectContainsCredentials,
        CorsError::CorsDisabledScheme,
    ];

    /// Whether the reason is about the preflight (`OPTIONS`) response.
    pub fn is_preflight(self) -> bool {
        !CorsError::RESPONSE.contains(&self) && !self.is_redirect()
    }

    /// Whether the reason is about the target of a redirect rather than
    /// about a response's CORS headers.
    pub fn is_redirect(self) -> bool {
        CorsError::REDIRECT.contains(&self)
    }

    /// The same step of the check on the preflight response: the origin
    /// and credentials steps run on both responses, under two names.
    pub fn on_preflight(self) -> CorsError {
        match self {
            CorsError::WildcardOriginNotAllowed => CorsError::PreflightWildcardOriginNotAllowed,
            CorsError::MissingAllowOriginHeader => CorsError::PreflightMissingAllowOriginHeader,
            CorsError::MultipleAllowOriginValues => CorsError::PreflightMultipleAllowOriginValues,
            CorsError::InvalidAllowOriginValue => CorsError::PreflightInvalidAllowOriginValue,
            CorsError::AllowOriginMismatch => CorsError::PreflightAllowOriginMismatch,
            CorsError::InvalidAllowCredentials => CorsError::PreflightInvalidAllowCredentials,
            other => other,
        }
    }

    /// For the preflight variants of the origin and credentials steps, the
    /// same step on an actual response; every other reason is itself.
    pub fn base(self) -> CorsError {
        match self {
            CorsError::PreflightWildcardOriginNotAllowed => CorsError::WildcardOriginNotAllowed,
            CorsError::PreflightMissingAllowOriginHeader => CorsError::MissingAllowOriginHeader,
            CorsError::PreflightMultipleAllowOriginValues => CorsError::MultipleAllowOriginValues,
            CorsError::PreflightInvalidAllowOriginValue => CorsError::InvalidAllowOriginValue,
            CorsError::PreflightAllowOriginMismatch => CorsError::AllowOriginMismatch,
            CorsError::PreflightInvalidAllowCredentials => CorsError::InvalidAllowCredentials,
            other => other,
        }
    }

    /// The DevTools protocol's name (`Network.CorsError`).
    pub fn chromium_id(self) -> &'static str {
        match self {
            CorsError::WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            CorsError::MissingAllowOriginHeader => "MissingAllowOriginHeader",
            CorsError::MultipleAllowOriginValues => "MultipleAllowOriginValues",
            CorsError::InvalidAllowOriginValue => "InvalidAllowOriginValue",
            CorsError::AllowOriginMismatch => "AllowOriginMismatch",
            CorsError::InvalidAllowCredentials => "InvalidAllowCredentials",
            CorsError::RedirectContainsCredentials => "RedirectContainsCredentials",
            CorsError::CorsDisabledScheme => "CorsDisabledScheme",
            CorsError::PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            CorsError::PreflightWildcardOriginNotAllowed => "PreflightWildcardOriginNotAllowed",
            CorsError::PreflightMissingAllowOriginHeader => "PreflightMissingAllowOriginHeader",
            CorsError::PreflightMultipleAllowOriginValues => "PreflightMultipleAllowOriginValues",
            CorsError::PreflightInvalidAllowOriginValue => "PreflightInvalidAllowOriginValue",
            CorsError::PreflightAllowOriginMismatch => "PreflightAllowOriginMismatch",
            CorsError::PreflightInvalidAllowCredentials => "PreflightInvalidAllowCredentials",
            CorsError::PreflightInvalidStatus => "PreflightInvalidStatus",
            CorsError::InvalidAllowMethodsPreflightResponse => {
                "InvalidAllowMethodsPreflightResponse"
            }
            CorsError::InvalidAllowHeadersPreflightResponse => {
                "InvalidAllowHeadersPreflightResponse"
            }
            CorsError::MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            CorsError::HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
        }
    }

    /// Parses a DevTools protocol name.
    pub fn from_chromium_id(id: &str) -> Option<CorsError> {
        CorsError::ALL.into_iter().find(|r| r.chromium_id() == id)
    }

    /// The identifier Firefox prints and MDN documents (`CORSMissingAllowOrigin`, ...).
    /// Firefox names no reason of its own for a redirect to a URL with
    /// credentials: that one links MDN's generic "CORS request did not
    /// succeed" page, the nearest there is.
    pub fn mdn_id(self) -> &'static str {
        match self.base() {
            CorsError::WildcardOriginNotAllowed => "CORSNotSupportingCredentials",
            CorsError::MissingAllowOriginHeader => "CORSMissingAllowOrigin",
            CorsError::MultipleAllowOriginValues => "CORSMultipleAllowOriginNotAllowed",
            CorsError::InvalidAllowOriginValue | CorsError::AllowOriginMismatch => {
                "CORSAllowOriginNotMatchingOrigin"
            }
            CorsError::InvalidAllowCredentials => "CORSMissingAllowCredentials",
            CorsError::RedirectContainsCredentials => "CORSDidNotSucceed",
            CorsError::CorsDisabledScheme => "CORSRequestNotHttp",
            CorsError::PreflightDisallowedRedirect => "CORSExternalRedirectNotAllowed",
            CorsError::PreflightInvalidStatus => "CORSPreflightDidNotSucceed",
            CorsError::InvalidAllowMethodsPreflightResponse => "CORSInvalidAllowMethod",
            CorsError::InvalidAllowHeadersPreflightResponse => "CORSInvalidAllowHeader",
            CorsError::MethodDisallowedByPreflightResponse => "CORSMethodNotFound",
            CorsError::HeaderDisallowedByPreflightResponse => "CORSMissingAllowHeaderFromPreflight",
            // `base()` maps every other preflight variant to a response reason.
            _ => "CORSMissingAllowOrigin",
        }
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
        if self.is_redirect() {
            "https://fetch.spec.whatwg.org/#http-redirect-fetch"
        } else if self.is_preflight() {
            "https://fetch.spec.whatwg.org/#cors-preflight-fetch"
        } else {
            "https://fetch.spec.whatwg.org/#cors-check"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for reason in CorsError::RESPONSE {
            let preflight = reason.on_preflight();
            assert!(preflight.is_preflight(), "{reason:?}");
            assert_eq!(preflight.base(), reason);
            assert_eq!(preflight.mdn_id(), reason.mdn_id());
            assert!(preflight.chromium_id().starts_with("Preflight"));
        }
        assert_eq!(
            CorsError::MethodDisallowedByPreflightResponse.mdn_id(),
            "CORSMethodNotFound"
        );
    }

    #[test]
    fn redirect_reasons_are_neither_response_nor_preflight_steps() {
        for reason in CorsError::REDIRECT {
            assert!(reason.is_redirect() && !reason.is_preflight(), "{reason:?}");
            assert!(!CorsError::RESPONSE.contains(&reason));
            assert_eq!(reason.base(), reason);
            assert_eq!(reason.on_preflight(), reason);
            assert!(reason.fetch_spec_url().ends_with("#http-redirect-fetch"));
        }
        assert_eq!(CorsError::CorsDisabledScheme.mdn_id(), "CORSRequestNotHttp");
        assert!(CorsError::PreflightDisallowedRedirect.is_preflight());
        assert!(!CorsError::PreflightDisallowedRedirect.is_redirect());
    }

    #[test]
    fn mdn_links_name_the_firefox_reason() {
        assert_eq!(
            CorsError::MissingAllowOriginHeader.mdn_url("en-US"),
            "https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin"
        );
    }
}
