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
}

impl CorsError {
    /// Every reason, in the order of the check that reports them.
    pub const ALL: [CorsError; 6] = [
        CorsError::WildcardOriginNotAllowed,
        CorsError::MissingAllowOriginHeader,
        CorsError::MultipleAllowOriginValues,
        CorsError::InvalidAllowOriginValue,
        CorsError::AllowOriginMismatch,
        CorsError::InvalidAllowCredentials,
    ];

    /// The DevTools protocol's name (`Network.CorsError`).
    pub fn chromium_id(self) -> &'static str {
        match self {
            CorsError::WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            CorsError::MissingAllowOriginHeader => "MissingAllowOriginHeader",
            CorsError::MultipleAllowOriginValues => "MultipleAllowOriginValues",
            CorsError::InvalidAllowOriginValue => "InvalidAllowOriginValue",
            CorsError::AllowOriginMismatch => "AllowOriginMismatch",
            CorsError::InvalidAllowCredentials => "InvalidAllowCredentials",
        }
    }

    /// Parses a DevTools protocol name.
    pub fn from_chromium_id(id: &str) -> Option<CorsError> {
        CorsError::ALL.into_iter().find(|r| r.chromium_id() == id)
    }

    /// The identifier Firefox prints and MDN documents (`CORSMissingAllowOrigin`, ...).
    pub fn mdn_id(self) -> &'static str {
        match self {
            CorsError::WildcardOriginNotAllowed => "CORSNotSupportingCredentials",
            CorsError::MissingAllowOriginHeader => "CORSMissingAllowOrigin",
            CorsError::MultipleAllowOriginValues => "CORSMultipleAllowOriginNotAllowed",
            CorsError::InvalidAllowOriginValue | CorsError::AllowOriginMismatch => {
                "CORSAllowOriginNotMatchingOrigin"
            }
            CorsError::InvalidAllowCredentials => "CORSMissingAllowCredentials",
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
        "https://fetch.spec.whatwg.org/#cors-check"
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
    fn mdn_links_name_the_firefox_reason() {
        assert_eq!(
            CorsError::MissingAllowOriginHeader.mdn_url("en-US"),
            "https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowOrigin"
        );
    }
}
