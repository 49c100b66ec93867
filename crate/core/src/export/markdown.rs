//! The Markdown report: a summary table, then one section per finding with
//! the headers that matter, the explanation, the suggested fix and the curl
//! commands. Values from servers and pages are attacker-controlled: in prose
//! and tables they are escaped, in code they sit inside fences longer than
//! any run of backticks they contain.

use super::curl::curl;
use super::json::{Export, ExportFinding};
use crate::l10n::{t, tf, Lang};

/// Headers shown in a section (the others are in the JSON export).
fn matters(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("access-control-")
        || matches!(
            n.as_str(),
            "origin"
                | "vary"
                | "cookie"
                | "set-cookie"
                | "authorization"
                | "content-type"
                | "location"
        )
        || crate::redact::is_secret_header(&n)
}

/// Escapes Markdown (and HTML) in inline text; newlines become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '(' | ')' | '{'
            | '}' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An inline code span that holds `s` whatever backticks it contains.
fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    format!("{fence} {s} {fence}")
}

/// A fenced block that `s` cannot close.
fn block(lang: &str, s: &str) -> String {
    let fence = "`".repeat((longest_run(s, '`') + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", s.trim_end_matches('\n'))
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for x in s.chars() {
        cur = if x == c { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

fn headers_text(title: &str, pairs: &[(String, String)]) -> Option<String> {
    let lines: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| matters(n))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    (!lines.is_empty()).then(|| format!("{title}\n{}", lines.join("\n")))
}

fn section(out: &mut String, i: usize, f: &ExportFinding, lang: Lang) {
    let status = f.status.map_or_else(|| "—".to_owned(), |s| s.to_string());
    out.push_str(&format!(
        "## {}. {}\n\n",
        i + 1,
        escape(&f.explanation.title)
    ));
    let facts = [
        (
            t(lang, "ui_reason"),
            format!("{} ({})", code(&f.reason), code(&f.mdn_id)),
        ),
        (
            t(lang, "ui_request"),
            format!("{} {}", code(&f.method), code(&f.url)),
        ),
        (t(lang, "ui_type"), code(&f.resource_type)),
        (t(lang, "ui_page_origin"), code(&f.page_origin)),
        (t(lang, "md_page_url"), code(&f.page_url)),
        (t(lang, "ui_origin_sent"), code(&f.origin)),
        (t(lang, "ui_status"), status),
        (
            t(lang, "md_failed_parameter"),
            if f.failed_parameter.is_empty() {
                t(lang, "md_failed_parameter_none")
            } else {
                code(&f.failed_parameter)
            },
        ),
        (
            t(lang, "ui_credentials"),
            // The panel's words; the JSON keeps the id.
            match f.credentials.as_str() {
                "include-cookie" => t(lang, "ui_credentials_cookie"),
                "include-failure" => t(lang, "ui_credentials_failure"),
                "unknown" => t(lang, "ui_credentials_unknown"),
                other => code(other),
            },
        ),
        (
            t(lang, "md_seen"),
            tf(
                lang,
                "md_seen_value",
                &[
                    ("count", &f.count.to_string()),
                    ("first", &f.first_seen),
                    ("last", &f.last_seen),
                ],
            ),
        ),
    ];
    for (label, value) in facts {
        out.push_str(&format!("- **{}**: {}\n", escape(&label), value));
    }
    out.push('\n');
    for (key, text) in [
        ("ui_what", &f.explanation.summary),
        ("ui_why", &f.explanation.why),
        ("ui_fix", &f.explanation.fix),
    ] {
        if !text.is_empty() {
            out.push_str(&format!(
                "**{}** {}\n\n",
                escape(&t(lang, key)),
                escape(text)
            ));
        }
    }
    for w in &f.explanation.warnings {
        out.push_str(&format!("> {}\n\n", escape(w)));
    }
    let mut exchanges = Vec::new();
    if let Some(p) = &f.preflight {
        exchanges.push((t(lang, "md_preflight"), p));
    }
    exchanges.push((t(lang, "md_exchange"), &f.exchange));
    for (label, ex) in exchanges {
        let status = ex.status.map_or_else(String::new, |s| s.to_string());
        let mut parts = vec![format!("{} {}", ex.method, ex.url)];
        parts.extend(headers_text(
            &format!("# {}", t(lang, "md_request_headers")),
            &ex.request_headers,
        ));
        parts.push(format!("# {} {status}", t(lang, "md_response_headers")));
        parts.extend(
            headers_text("", &ex.response_headers).map(|s| s.trim_start_matches('\n').to_owned()),
        );
        out.push_str(&format!("**{}**\n\n", escape(&label)));
        out.push_str(&block("http", &parts.join("\n")));
        out.push('\n');
    }
    out.push_str(&format!("**{}**\n\n", escape(&t(lang, "md_curl"))));
    out.push_str(&block("sh", &curl(f, lang).script));
    out.push('\n');
}

/// The report for `export` (already redacted), in `lang`.
pub fn markdown(export: &Export, lang: Lang) -> String {
    let mut out = format!("# {}\n\n", escape(&t(lang, "md_title")));
    let meta = [
        (t(lang, "md_page_url"), code(&export.page.url)),
        (t(lang, "md_exported_at"), code(&export.exported_at)),
        (
            t(lang, "md_tool"),
            escape(&format!(
                "{} {} · {}",
                export.extension.name, export.extension.version, export.browser
            )),
        ),
    ];
    for (label, value) in meta {
        out.push_str(&format!("- **{}**: {}\n", escape(&label), value));
    }
    out.push_str(&format!(
        "\n_{}_\n\n",
        escape(&t(lang, "ui_export_redacted"))
    ));
    if export.findings.is_empty() {
        out.push_str(&format!("{}\n\n", escape(&t(lang, "md_no_findings"))));
    } else {
        out.push_str(&format!(
            "| # | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
            escape(&t(lang, "ui_reason")),
            escape(&t(lang, "md_method")),
            "URL",
            escape(&t(lang, "ui_status")),
            escape(&t(lang, "md_count")),
        ));
        for (i, f) in export.findings.iter().enumerate() {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                i + 1,
                escape(&f.reason),
                escape(&f.method),
                escape(&f.url),
                f.status.map_or_else(|| "—".to_owned(), |s| s.to_string()),
                f.count
            ));
        }
        out.push('\n');
        for (i, f) in export.findings.iter().enumerate() {
            section(&mut out, i, f, lang);
        }
    }
    if !export.notices.is_empty() {
        out.push_str(&format!("## {}\n\n", escape(&t(lang, "ui_notices"))));
        for n in &export.notices {
            out.push_str(&format!(
                "- **{}** ({}) {} {}: {} {}\n",
                escape(&n.notice),
                escape(&n.severity),
                code(&n.method),
                code(&n.url),
                escape(&n.explanation.title),
                escape(&n.explanation.fix)
            ));
        }
        out.push('\n');
    }
    out
}
