//! Console lines: Chromium's ("Access to fetch at … has been blocked by
//! CORS policy: …", English whatever the UI language) and Firefox's
//! ("Cross-Origin Request Blocked: … (Reason: …)", or its French
//! "Blocage d’une requête multiorigine … Raison : …"). Each wording is
//! mapped to its reason by the words that tell the reasons apart.

use crate::finding::{Credentials, Finding, Seen};
use crate::reason::CorsError;

/// Which browser wrote the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Browser {
    Chromium,
    Firefox,
}

/// One console line, read.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleLine {
    pub browser: Browser,
    pub reason: CorsError,
    pub url: String,
    /// The page origin (Chromium's line names it; Firefox's does not).
    pub origin: String,
    /// The value the line quotes (a header value, a method, a header name).
    pub value: String,
    /// Firefox's "Status code".
    pub status: Option<u16>,
    /// `fetch`, `XMLHttpRequest`, `script`... (Chromium's line).
    pub resource: String,
    pub redirected_from: Option<String>,
}

impl ConsoleLine {
    /// The failure the line describes, as the engine would have reported
    /// it: what the line does not say stays empty.
    pub fn finding(&self) -> Finding {
        let reason = self.reason;
        let base = reason.base();
        let allow_origin = match base {
            CorsError::MultipleAllowOriginValues
            | CorsError::InvalidAllowOriginValue
            | CorsError::AllowOriginMismatch => vec![self.value.clone()],
            CorsError::WildcardOriginNotAllowed => vec!["*".to_owned()],
            _ => Vec::new(),
        };
        let credentials = match base {
            CorsError::WildcardOriginNotAllowed | CorsError::InvalidAllowCredentials => {
                Credentials::IncludeFromFailure
            }
            _ => Credentials::Unknown,
        };
        let method = match reason {
            CorsError::MethodDisallowedByPreflightResponse => self.value.clone(),
            _ => "GET".to_owned(),
        };
        let resource_type = match self.resource.to_ascii_lowercase().as_str() {
            "fetch" | "xmlhttprequest" | "" => "xmlhttprequest",
            "script" => "script",
            "image" | "img" => "image",
            "font" => "font",
            "stylesheet" => "stylesheet",
            _ => "other",
        }
        .to_owned();
        Finding {
            request_id: "paste-1".to_owned(),
            tab_id: -1,
            time_ms: 0.0,
            method: method.clone(),
            url: self.url.clone(),
            resource_type,
            origin: self.origin.clone(),
            page_origin: self.origin.clone(),
            status: self.status,
            reason,
            failed_parameter: self.value.clone(),
            allow_origin,
            allow_credentials: (base == CorsError::InvalidAllowCredentials)
                .then(|| self.value.clone()),
            allow_methods: None,
            allow_headers: None,
            requested_headers: match reason {
                CorsError::HeaderDisallowedByPreflightResponse => {
                    vec![self.value.to_ascii_lowercase()]
                }
                _ => Vec::new(),
            },
            credentials,
            redirects: self.redirected_from.iter().cloned().collect(),
            endpoint_allowed_before: false,
            exchange: Seen {
                method,
                url: self.url.clone(),
                status: self.status,
                request_headers: Vec::new(),
                response_headers: Vec::new(),
            },
            preflight: None,
            count: 1,
        }
    }
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// The first quoted value: '…', ‘…’ or « … ».
fn quoted(s: &str) -> Option<String> {
    for (open, close) in [("'", "'"), ("‘", "’"), ("« ", " »"), ("«", "»")] {
        if let Some(v) = between(s, open, close) {
            return Some(v.trim().to_owned());
        }
    }
    None
}

pub fn read(text: &str) -> Option<ConsoleLine> {
    // Console copies may carry a source location or several lines: read the
    // line that names the refusal.
    text.lines()
        .find_map(|l| chromium(l.trim()).or_else(|| firefox(l.trim())))
}

/// Chromium's wording of each reason (`services/network/public/cpp/cors/`),
/// after "blocked by CORS policy: " and an optional preflight prefix.
fn chromium_reason(message: &str) -> Option<(CorsError, String)> {
    use CorsError::*;
    let preflight_prefix = "Response to preflight request doesn't pass access control check: ";
    let (preflight, m) = match message.strip_prefix(preflight_prefix) {
        Some(rest) => (true, rest),
        None => (false, message),
    };
    let q = || quoted(m).unwrap_or_default();
    let (reason, value) = if m.contains("No 'Access-Control-Allow-Origin' header is present") {
        (MissingAllowOriginHeader, String::new())
    } else if m.contains("contains multiple values") {
        (
            MultipleAllowOriginValues,
            between(m, "multiple values '", "'")
                .unwrap_or_default()
                .to_owned(),
        )
    } else if m.contains("contains the invalid value") {
        (
            InvalidAllowOriginValue,
            between(m, "invalid value '", "'")
                .unwrap_or_default()
                .to_owned(),
        )
    } else if m.contains("not equal to the supplied origin") {
        (
            AllowOriginMismatch,
            between(m, "has a value '", "'")
                .unwrap_or_default()
                .to_owned(),
        )
    } else if m.contains("must not be the wildcard '*'") {
        (WildcardOriginNotAllowed, "*".to_owned())
    } else if m.contains("'Access-Control-Allow-Credentials' header in the response is") {
        (
            InvalidAllowCredentials,
            between(m, "response is '", "'")
                .unwrap_or_default()
                .to_owned(),
        )
    } else if m.contains("does not have HTTP ok status") {
        (PreflightInvalidStatus, String::new())
    } else if m.contains("Redirect is not allowed for a preflight request") {
        (PreflightDisallowedRedirect, String::new())
    } else if let Some(method) = between(
        m,
        "Method ",
        " is not allowed by Access-Control-Allow-Methods",
    ) {
        (
            MethodDisallowedByPreflightResponse,
            method.trim().to_owned(),
        )
    } else if let Some(h) = between(
        m,
        "Request header field ",
        " is not allowed by Access-Control-Allow-Headers",
    ) {
        (HeaderDisallowedByPreflightResponse, h.trim().to_owned())
    } else if m.contains("contains a username and password") {
        (RedirectContainsCredentials, q())
    } else if m.contains("only supported for protocol schemes") {
        (CorsDisabledScheme, String::new())
    } else if m.contains("Cannot parse Access-Control-Allow-Methods") {
        (InvalidAllowMethodsPreflightResponse, String::new())
    } else if m.contains("Cannot parse Access-Control-Allow-Headers") {
        (InvalidAllowHeadersPreflightResponse, String::new())
    } else {
        return None;
    };
    Some((
        if preflight {
            reason.on_preflight()
        } else {
            reason
        },
        value,
    ))
}

fn chromium(line: &str) -> Option<ConsoleLine> {
    let at = line.find("Access to ")?;
    let line = &line[at..];
    let message = line.split_once("blocked by CORS policy: ")?.1;
    let resource = between(line, "Access to ", " at '")?.trim().to_owned();
    let url = between(line, " at '", "'")?.to_owned();
    let redirected_from = between(line, "(redirected from '", "'").map(str::to_owned);
    let origin = between(line, "from origin '", "'")?.to_owned();
    let (reason, value) = chromium_reason(message)?;
    Some(ConsoleLine {
        browser: Browser::Chromium,
        reason,
        url,
        origin,
        value,
        status: None,
        resource,
        redirected_from,
    })
}

/// Firefox's reasons, told apart by words in English and French.
fn firefox_reason(r: &str) -> Option<CorsError> {
    use CorsError::*;
    let has = |words: &[&str]| words.iter().any(|w| r.contains(w));
    let acao = r.contains("Access-Control-Allow-Origin");
    Some(
        if has(&["Credential is not", "identification", "‘*’", "« * »"]) && acao {
            WildcardOriginNotAllowed
        } else if acao && has(&["Multiple", "plusieurs", "Plusieurs"]) {
            MultipleAllowOriginValues
        } else if acao && has(&["does not match", "ne correspond pas"]) {
            AllowOriginMismatch
        } else if acao && has(&["missing", "manquant"]) {
            MissingAllowOriginHeader
        } else if r.contains("Access-Control-Allow-Credentials") {
            InvalidAllowCredentials
        } else if r.contains("Access-Control-Allow-Methods") {
            if has(&["invalid token", "jeton", "invalide"]) {
                InvalidAllowMethodsPreflightResponse
            } else {
                MethodDisallowedByPreflightResponse
            }
        } else if r.contains("Access-Control-Allow-Headers") {
            if has(&["invalid token", "jeton", "invalide"]) {
                InvalidAllowHeadersPreflightResponse
            } else {
                HeaderDisallowedByPreflightResponse
            }
        } else if has(&["preflight", "pré-vérification", "prévérification"]) {
            PreflightInvalidStatus
        } else if has(&["external redirect", "redirection externe"]) {
            PreflightDisallowedRedirect
        } else if has(&["not http", "pas http", "pas HTTP"]) {
            CorsDisabledScheme
        } else {
            return None;
        },
    )
}

fn firefox(line: &str) -> Option<ConsoleLine> {
    let english = line.contains("Cross-Origin Request Blocked");
    let french = line.contains("multiorigine") || line.contains("Cross-Origin Request)");
    if !english && !french {
        return None;
    }
    let (url, reason_text, status) = if english {
        let url = between(line, "remote resource at ", ". (Reason")
            .or_else(|| between(line, "remote resource at ", " (Reason"))?;
        let reason = between(line, "(Reason: ", ")")
            .or_else(|| line.split_once("(Reason: ").map(|x| x.1))?;
        let status = line.split_once("Status code: ").map(|x| x.1);
        (url, reason, status)
    } else {
        let url = between(line, "située sur ", ". Raison")
            .or_else(|| between(line, "située sur ", " Raison"))?;
        let reason = line
            .split_once("Raison\u{a0}: ")
            .or_else(|| line.split_once("Raison : "))
            .map(|x| x.1)?;
        let reason = reason.split("Code d").next().unwrap_or(reason);
        let status = line
            .split_once("Code d’état\u{a0}: ")
            .or_else(|| line.split_once("Code d’état : "))
            .or_else(|| line.split_once("Code d'état : "))
            .map(|x| x.1);
        (url, reason, status)
    };
    let reason = firefox_reason(reason_text)?;
    let value = match reason {
        // The value after the header's own name: "… ‘Access-Control-Allow-Origin’ does not match ‘x’".
        CorsError::AllowOriginMismatch => reason_text
            .split_once("Allow-Origin")
            .and_then(|(_, rest)| rest.split_once(['’', '»']))
            .and_then(|(_, rest)| quoted(rest))
            .unwrap_or_default(),
        CorsError::HeaderDisallowedByPreflightResponse
        | CorsError::InvalidAllowMethodsPreflightResponse
        | CorsError::InvalidAllowHeadersPreflightResponse => {
            quoted(reason_text).unwrap_or_default()
        }
        CorsError::WildcardOriginNotAllowed => "*".to_owned(),
        _ => String::new(),
    };
    let status = status.and_then(|s| {
        s.trim()
            .trim_end_matches('.')
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|d| d.parse().ok())
    });
    Some(ConsoleLine {
        browser: Browser::Firefox,
        reason,
        // One message quotes it (`CORSNotSupportingCredentials`: "at ‘…’").
        url: url
            .trim()
            .trim_matches(['‘', '’', '\'', '«', '»', '\u{a0}', ' '])
            .to_owned(),
        origin: String::new(),
        value,
        status,
        resource: String::new(),
        redirected_from: None,
    })
}
