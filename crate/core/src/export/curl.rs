//! curl commands that reproduce a finding without a browser: the preflight
//! (`OPTIONS` with `Origin`, `Access-Control-Request-Method` and `-Headers`)
//! when there was one, then the request itself with `Origin`.
//!
//! Everything comes from a redacted [`ExportFinding`], and everything in it
//! is page- or server-controlled. The script is written to be pasted into
//! any POSIX shell, bash or zsh, whatever their options:
//!
//! - **Only single quotes.** Every piece of captured text (URL, method,
//!   header names and values, origin, the names of left-out headers) stands
//!   inside single quotes, `'` written `'\''`: nothing in it is expanded,
//!   not even `!` history expansion.
//! - **No `#` comments.** zsh's default `no_interactive_comments` makes a
//!   pasted `#` line a command whose words are expanded. Explanations are the
//!   no-op builtin `:` with one single-quoted argument (`: 'Preflight…'`),
//!   inert in every shell with or without `interactive_comments`.
//! - **No bare values.** Every value is the argument of an option that takes
//!   one (`--url`, `-X`, `-H`), so none can start an option of its own;
//!   `--proto '=http,https'` keeps curl to HTTP(S) whatever the URL says and
//!   `-g` turns off URL globbing (`[redacted]` has brackets).
//! - **The method verbatim.** Only an exact `GET` goes without `-X`, an exact
//!   `HEAD` is `--head`; anything else is `-X` with the method as the browser
//!   sent it (`patch` stays `patch`: servers and CORS compare it by case).
//! - **Nothing that hides or splits.** Control characters and invisible
//!   formatting characters (bidi overrides and isolates, zero-width
//!   characters, line separators; see [`is_invisible`]) are percent-encoded
//!   in URLs. In header names and values, which cannot carry CR or LF on the
//!   wire, a control character becomes a space (one header stays one line)
//!   and an invisible character becomes U+FFFD `�`, so the reader sees that
//!   something was there.
//!
//! Secret headers are **left out** of the commands (and named in a `:` line),
//! as is userinfo in the URL: a command never carries a secret or a
//! `[redacted]` placeholder the server would take for a credential.

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
    /// Everything above as one shell script, with `:` explanation lines.
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

/// The options every command starts with: quiet but with errors, response
/// headers shown, no globbing, HTTP(S) only.
const OPTIONS: &str = "curl -sS -i -g --proto '=http,https'";

/// `s` single-quoted for a POSIX shell: nothing inside is expanded.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Characters that change how text around them is shown without being seen
/// themselves: bidi embeddings, overrides, isolates and marks, zero-width
/// spaces and joiners, line and paragraph separators, the soft hyphen, the
/// byte order mark, invisible operators, interlinear annotations, tags and
/// the Hangul fillers. In a script they could make a command read as
/// something it is not.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Header and explanation text: a control character (newlines included)
/// becomes a space, so one header stays one header and one line stays one
/// line; an invisible character becomes U+FFFD.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                ' '
            } else if is_invisible(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Control and invisible characters in a URL are percent-encoded (UTF-8).
fn clean_url(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_invisible(c) {
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

/// An explanation line: the no-op `:` with the text as one quoted argument.
fn remark(text: &str) -> String {
    format!(": {}", quote(&clean(text)))
}

fn header_arg(name: &str, value: &str) -> String {
    format!(
        "-H {}",
        quote(&format!("{}: {}", clean(name), clean(value)))
    )
}

/// The curl options that send `method` exactly as the browser did.
fn method_arg(method: &str) -> Option<String> {
    match method {
        "GET" => None,
        // `-X HEAD` would wait for a body that never comes.
        "HEAD" => Some("--head".to_owned()),
        m => Some(format!("-X {}", quote(&clean(m)))),
    }
}

fn command(method: &str, url: &str, headers: &[String]) -> String {
    let mut first = OPTIONS.to_owned();
    if let Some(m) = method_arg(method) {
        first.push(' ');
        first.push_str(&m);
    }
    let mut parts = vec![first, format!("--url {}", quote(&clean_url(url)))];
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
/// explanations in `lang`.
pub fn curl(f: &ExportFinding, lang: Lang) -> Curl {
    let reason = CorsError::from_chromium_id(&f.reason);
    let on_preflight = reason.is_some_and(CorsError::is_preflight);
    let preflight_seen = if on_preflight {
        Some(&f.exchange)
    } else {
        f.preflight.as_ref()
    };
    let (url, had_userinfo) = super::strip_userinfo(&f.url);
    let mut script = vec![remark(&tf(
        lang,
        "curl_comment_head",
        &[
            ("reason", &f.reason),
            ("method", &f.method),
            ("url", &clean_url(&url)),
            ("origin", &f.origin),
        ],
    ))];
    if had_userinfo {
        script.push(remark(&tf(lang, "curl_comment_userinfo", &[])));
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
        script.push(remark(&tf(lang, "curl_comment_preflight", &[])));
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
                let name = clean(name);
                if !omitted
                    .iter()
                    .any(|o: &String| o.eq_ignore_ascii_case(&name))
                {
                    omitted.push(name);
                }
                continue;
            }
            headers.push(header_arg(name, value));
        }
    }
    let request = command(&f.method, &url, &headers);
    script.push(remark(&tf(lang, "curl_comment_request", &[])));
    script.push(request.clone());
    if !omitted.is_empty() {
        script.push(remark(&tf(
            lang,
            "curl_comment_omitted",
            &[("headers", &omitted.join(", "))],
        )));
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
