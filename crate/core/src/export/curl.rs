//! curl commands that reproduce a finding without a browser: the preflight
//! (`OPTIONS` with `Origin`, `Access-Control-Request-Method` and `-Headers`)
//! when there was one, then the request itself with `Origin`.
//!
//! Everything comes from a redacted [`ExportFinding`]. Secret headers are
//! **left out** of the commands (and named in a comment), as is userinfo in
//! the URL: a command never carries a secret or a `[redacted]` placeholder the
//! server would take for a credential. Every value is single-quoted (`'` as
//! `'\''`), control characters are dropped, and `-g` turns off curl's URL
//! globbing (`[redacted]` has brackets).

use serde::Serialize;

use super::json::ExportFinding;
use crate::l10n::{tf, Lang};
use crate::reason::CorsError;
use crate::redact::{is_secret_header, MARKER};

/// The commands for one finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Curl {
    /// The preflight, when the request needed one.
    pub preflight: Option<String>,
    /// The request itself.
    pub request: String,
    /// Header names left out because their values are secret.
    pub omitted: Vec<String>,
    /// Everything above as one shell script with comments.
    pub script: String,
}

/// Request headers the browser manages itself, or that curl sets: not copied.
const SKIPPED: [&str; 10] = [
    "host",
    "connection",
    "content-length",
    "accept-encoding",
    "origin",
    "user-agent",
    "referer",
    "cache-control",
    "pragma",
    "accept-language",
];

/// `s` single-quoted for a POSIX shell: nothing inside is expanded.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Control characters (newlines included) become a space: one header stays
/// one header, one comment stays one line.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Control characters in a URL are percent-encoded.
fn clean_url(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn header_arg(name: &str, value: &str) -> String {
    format!(
        "-H {}",
        quote(&format!("{}: {}", clean(name), clean(value)))
    )
}

fn command(method: &str, url: &str, headers: &[String]) -> String {
    let mut first = "curl -sS -i -g".to_owned();
    match method.to_ascii_uppercase().as_str() {
        "GET" => {}
        "HEAD" => first.push_str(" --head"),
        m => first.push_str(&format!(" -X {}", quote(&clean(m)))),
    }
    first.push(' ');
    first.push_str(&quote(&clean_url(url)));
    let mut parts = vec![first];
    parts.extend(headers.iter().cloned());
    parts.join(" \\\n  ")
}

fn header<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The commands for `f` (a finding from the export, already redacted), with
/// comments in `lang`.
pub fn curl(f: &ExportFinding, lang: Lang) -> Curl {
    let reason = CorsError::from_chromium_id(&f.reason);
    let on_preflight = reason.is_some_and(CorsError::is_preflight);
    let preflight_seen = if on_preflight {
        Some(&f.exchange)
    } else {
        f.preflight.as_ref()
    };
    let (url, had_userinfo) = super::strip_userinfo(&f.url);
    let mut script = vec![format!(
        "# {}",
        clean(&tf(
            lang,
            "curl_comment_head",
            &[
                ("reason", &f.reason),
                ("method", &f.method),
                ("url", &url),
                ("origin", &f.origin)
            ],
        ))
    )];
    if had_userinfo {
        script.push(format!(
            "# {}",
            clean(&tf(lang, "curl_comment_userinfo", &[]))
        ));
    }

    let preflight = preflight_seen.map(|p| {
        let method = header(&p.request_headers, "access-control-request-method")
            .map(str::to_owned)
            .unwrap_or_else(|| f.method.clone());
        let requested = header(&p.request_headers, "access-control-request-headers")
            .map(str::to_owned)
            .or_else(|| (!f.requested_headers.is_empty()).then(|| f.requested_headers.join(",")));
        let pre_url = if p.url.is_empty() {
            url.clone()
        } else {
            super::strip_userinfo(&p.url).0
        };
        let mut headers = vec![
            header_arg("Origin", &f.origin),
            header_arg("Access-Control-Request-Method", &method),
        ];
        if let Some(r) = requested {
            headers.push(header_arg("Access-Control-Request-Headers", &r));
        }
        command("OPTIONS", &pre_url, &headers)
    });
    if let Some(p) = &preflight {
        script.push(format!(
            "# {}",
            clean(&tf(lang, "curl_comment_preflight", &[]))
        ));
        script.push(p.clone());
    }

    let mut headers = vec![header_arg("Origin", &f.origin)];
    let mut omitted = Vec::new();
    if !on_preflight {
        for (name, value) in &f.exchange.request_headers {
            let lower = name.to_ascii_lowercase();
            if SKIPPED.contains(&lower.as_str())
                || lower.starts_with("sec-")
                || lower.starts_with("access-control-request-")
            {
                continue;
            }
            if is_secret_header(name) || value.contains(MARKER) {
                if !omitted
                    .iter()
                    .any(|o: &String| o.eq_ignore_ascii_case(name))
                {
                    omitted.push(clean(name));
                }
                continue;
            }
            headers.push(header_arg(name, value));
        }
    }
    let request = command(&f.method, &url, &headers);
    script.push(format!(
        "# {}",
        clean(&tf(lang, "curl_comment_request", &[]))
    ));
    script.push(request.clone());
    if !omitted.is_empty() {
        script.push(format!(
            "# {}",
            clean(&tf(
                lang,
                "curl_comment_omitted",
                &[("headers", &omitted.join(", "))]
            ))
        ));
    }
    let mut script = script.join("\n");
    script.push('\n');
    Curl {
        preflight,
        request,
        omitted,
        script,
    }
}
