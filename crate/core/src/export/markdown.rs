//! The Markdown report: a summary table, then one section per finding with
//! the headers that matter, the explanation, the suggested fix and the curl
//! commands. Values from servers and pages are attacker-controlled: in prose
//! and tables they are escaped (no HTML, link, mention or math survives), in
//! code they sit inside fences longer than any run of backticks they
//! contain; bidi and zero-width characters are shown as `<U+202E>` in both.

use super::curl::curl;
use super::json::{Export, ExportFinding};
use crate::finding::Credentials;
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

/// Bidi controls (U+202A–E, U+2066–9, U+200E/F, U+061C) and zero-width
/// characters (U+200B–D, U+2060, U+FEFF): they reorder or hide text, so a
/// report shows them as `<U+202E>`.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200B}'..='\u{200F}'
            | '\u{061C}'
            | '\u{2060}'
            | '\u{FEFF}'
    )
}

/// `<U+XXXX>` for an invisible character.
fn shown(c: char) -> String {
    format!("<U+{:04X}>", c as u32)
}

/// Escapes inline text for GitHub's Markdown: no HTML, no link or autolink,
/// no emphasis, no mention (`@` sits in a code span of its own), no math
/// (`$` likewise); invisible characters shown as `\<U+202E\>`, other
/// control characters (newlines too) as spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '(' | ')' | '{'
            | '}' | '~' | '&' | ':' => {
                out.push('\\');
                out.push(c);
            }
            // `www.` starts an autolink.
            '.' if out
                .get(out.len().saturating_sub(3)..)
                .is_some_and(|t| t.eq_ignore_ascii_case("www")) =>
            {
                out.push_str("\\.");
            }
            '@' | '$' => {
                out.push_str(&format!("`{c}`"));
            }
            c if invisible(c) => out.push_str(&format!("\\<U+{:04X}\\>", c as u32)),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a code span or block: invisible characters shown, other
/// control characters as spaces (newlines kept in blocks).
fn code_text(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if invisible(c) => out.push_str(&shown(c)),
            '\n' if keep_newlines => out.push(c),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An inline code span that holds `s` whatever backticks it contains.
fn code(s: &str) -> String {
    let s = code_text(s, false);
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    format!("{fence} {s} {fence}")
}

/// A fenced block that `s` cannot close.
fn block(lang: &str, s: &str) -> String {
    let s = code_text(s, true);
    let fence = "`".repeat((longest_run(&s, '`') + 1).max(3));
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
            match f.credentials {
                Credentials::IncludeFromCookie => t(lang, "ui_credentials_cookie"),
                Credentials::IncludeFromFailure => t(lang, "ui_credentials_failure"),
                Credentials::Unknown => t(lang, "ui_credentials_unknown"),
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
                escape(n.severity.id()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_renders_no_mention_math_html_link_or_invisible_character() {
        let cases = [
            ("plain words", "plain words"),
            (
                "https://app.example.com @team",
                "https\\://app.example.com `@`team",
            ),
            ("ping @octocat", "ping `@`octocat"),
            ("mail a@b.test", "mail a`@`b.test"),
            ("$x^2$ and $$y$$", "`$`x^2`$` and `$``$`y`$``$`"),
            (
                "<img src=x onerror=alert(1)>",
                "\\<img src=x onerror=alert\\(1\\)\\>",
            ),
            (
                "[click](http://evil.test)",
                "\\[click\\]\\(http\\://evil.test\\)",
            ),
            ("see WWW.evil.test", "see WWW\\.evil.test"),
            ("a\u{202E}b\u{2066}c", "a\\<U+202E\\>b\\<U+2066\\>c"),
            (
                "zero\u{200B}width\u{FEFF}",
                "zero\\<U+200B\\>width\\<U+FEFF\\>",
            ),
            (
                "\u{061C}\u{200E}\u{200F}\u{2060}",
                "\\<U+061C\\>\\<U+200E\\>\\<U+200F\\>\\<U+2060\\>",
            ),
            ("one\ntwo\rthree", "one two three"),
            (
                "`code` *em* _u_ ~s~ | &amp;",
                "\\`code\\` \\*em\\* \\_u\\_ \\~s\\~ \\| \\&amp;",
            ),
            ("é.www", "é.www"),
        ];
        for (input, want) in cases {
            assert_eq!(escape(input), want, "{input:?}");
        }
    }

    #[test]
    fn code_spans_and_blocks_hold_anything_and_show_invisible_characters() {
        let spans = [
            ("a`b", "`` a`b ``"),
            ("x\u{202E}y", "` x<U+202E>y `"),
            ("@u $m$ <b>", "` @u $m$ <b> `"),
            ("new\nline", "` new line `"),
        ];
        for (input, want) in spans {
            assert_eq!(code(input), want, "{input:?}");
        }
        let blocks = [
            ("x\ny", "```sh\nx\ny\n```\n"),
            ("```\nz\u{2067}", "````sh\n```\nz<U+2067>\n````\n"),
        ];
        for (input, want) in blocks {
            assert_eq!(block("sh", input), want, "{input:?}");
        }
    }

    /// The text of `md` outside code spans and fenced blocks, with escaped
    /// characters dropped: what GitHub would parse for mentions, math,
    /// HTML and links.
    fn prose(md: &str) -> String {
        let mut out = String::new();
        let mut fence: Option<usize> = None;
        for line in md.lines() {
            let ticks = line.len() - line.trim_start_matches('`').len();
            match fence {
                Some(n) if ticks >= n && line.trim_start_matches('`').is_empty() => fence = None,
                Some(_) => {}
                None if ticks >= 3 => fence = Some(ticks),
                None => {
                    // A block quote is the report's own syntax.
                    let line = line.strip_prefix("> ").unwrap_or(line);
                    let chars: Vec<char> = line.chars().collect();
                    let mut i = 0;
                    while i < chars.len() {
                        if chars[i] == '\\' {
                            i += 2;
                            continue;
                        }
                        if chars[i] == '`' {
                            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                            // The closing run of the same length.
                            let mut j = i + run;
                            let close = loop {
                                if j >= chars.len() {
                                    break None;
                                }
                                let r = chars[j..].iter().take_while(|&&c| c == '`').count();
                                if r == run {
                                    break Some(j + r);
                                }
                                j += r.max(1);
                            };
                            match close {
                                Some(end) => i = end,
                                None => panic!("unclosed code span in {line:?}"),
                            }
                            continue;
                        }
                        out.push(chars[i]);
                        i += 1;
                    }
                    out.push('\n');
                }
            }
        }
        out
    }

    #[test]
    fn a_report_of_hostile_values_leaves_nothing_active_outside_code() {
        use super::super::json::export;
        use crate::finding::Finding;
        use crate::testing::seen;
        use crate::wire::{FindingRecord, Record};
        let hostile = "https://app.example.com @team $x$ <b>hi</b> [l](http://e.test) www.e.test \u{202E}gpj.exe\u{200B} ```";
        let f = Finding {
            time_ms: 1_700_000_000_000.0,
            url: format!("http://api.test/a?q={hostile}"),
            origin: "http://page.test".into(),
            page_origin: "http://page.test".into(),
            failed_parameter: hostile.into(),
            allow_origin: vec![hostile.into()],
            exchange: seen(
                "GET",
                "http://api.test/a",
                Some(200),
                &[("Origin", "http://page.test")],
                &[("Access-Control-Allow-Origin", hostile)],
            ),
            ..crate::testing::finding(crate::reason::CorsError::AllowOriginMismatch)
        };
        let record = serde_json::to_value(Record::Failure(FindingRecord::from(&f))).unwrap();
        for lang in crate::l10n::Lang::ALL {
            let meta = super::super::Meta::default();
            let (ex, _) = export(std::slice::from_ref(&record), &meta, lang);
            let md = markdown(&ex, lang);
            // The value itself is quoted, not rewritten.
            assert!(md.contains("https://app.example.com @team $x$"), "{md}");
            assert!(!md.chars().any(invisible), "{md}");
            let text = prose(&md);
            for bad in ['@', '$', '<', '>'] {
                assert!(
                    !text.contains(bad),
                    "{bad} outside code in:\n{text}\n---\n{md}"
                );
            }
            assert!(!text.contains("://"), "a link outside code in:\n{text}");
            assert!(!text.to_ascii_lowercase().contains("www."), "{text}");
        }
    }
}
