//! `cors-lens check FILE.har…`: the CORS verdicts of HAR files on the
//! command line, with the same core as the extension (`cors_lens_core::har`
//! for the reading, the engine for the verdicts, `export` for JSON and
//! Markdown). Exit status: 0 nothing to report, 1 a CORS failure (or a
//! notice with `--fail-on warnings`), 2 unreadable input or a wrong command.

use std::fs::File;
use std::io::{BufReader, Write};
use std::process::ExitCode;

use cors_lens_core::export::{self, Meta};
use cors_lens_core::har::{self, Analysis};
use cors_lens_core::har_text;
use cors_lens_core::l10n::{t, tf, Lang};
use cors_lens_core::notice_text;
use cors_lens_core::{Credentials, Report};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Markdown,
}

struct Options {
    format: Format,
    fail_on_warnings: bool,
    lang: Lang,
    files: Vec<String>,
}

enum Command {
    Help(Lang),
    Check(Options),
}

/// The language of the output: `--lang`, else `LC_ALL`, `LC_MESSAGES`, `LANG`.
fn env_lang() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .map(|v| Lang::from_tag(v.split(['.', '_']).next().unwrap_or("en")))
        .unwrap_or(Lang::En)
}

fn parse(args: &[String]) -> Result<Command, (Lang, String)> {
    let mut lang = env_lang();
    // The language first, so that every message is in it.
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--lang" {
            if let Some(v) = args.get(i + 1) {
                lang = Lang::from_tag(v);
            }
        } else if let Some(v) = args[i].strip_prefix("--lang=") {
            lang = Lang::from_tag(v);
        }
        i += 1;
    }
    let mut opts = Options {
        format: Format::Table,
        fail_on_warnings: false,
        lang,
        files: Vec::new(),
    };
    let usage = |detail: String| Err((lang, detail));
    let mut rest = args.iter().peekable();
    match rest.peek().map(|s| s.as_str()) {
        None | Some("-h" | "--help" | "help") => return Ok(Command::Help(lang)),
        Some("check") => {
            rest.next();
        }
        // `check` may be left out.
        Some(_) => {}
    }
    while let Some(arg) = rest.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, (Lang, String)> {
            inline
                .clone()
                .or_else(|| rest.next().cloned())
                .ok_or_else(|| {
                    (
                        lang,
                        tf(lang, "cli_bad_value", &[("option", name), ("value", "")]),
                    )
                })
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help(lang)),
            "--lang" => {
                value(name)?;
            }
            "--format" => {
                let v = value(name)?;
                opts.format = match v.as_str() {
                    "table" => Format::Table,
                    "json" => Format::Json,
                    "markdown" | "md" => Format::Markdown,
                    _ => {
                        return usage(tf(
                            lang,
                            "cli_bad_value",
                            &[("option", name), ("value", &v)],
                        ))
                    }
                };
            }
            "--fail-on" => {
                let v = value(name)?;
                opts.fail_on_warnings = match v.as_str() {
                    "failures" | "errors" => false,
                    "warnings" | "notices" => true,
                    _ => {
                        return usage(tf(
                            lang,
                            "cli_bad_value",
                            &[("option", name), ("value", &v)],
                        ))
                    }
                };
            }
            "--" => opts.files.extend(rest.by_ref().cloned()),
            n if n.starts_with('-') && n != "-" => {
                return usage(tf(lang, "cli_unknown_option", &[("option", n)]))
            }
            _ => opts.files.push(arg.clone()),
        }
    }
    if opts.files.is_empty() {
        return usage(t(lang, "cli_no_files"));
    }
    Ok(Command::Check(opts))
}

fn read(file: &str) -> Result<Analysis, har::HarError> {
    if file == "-" {
        return har::analyze(BufReader::new(std::io::stdin().lock()));
    }
    let f = File::open(file).map_err(|e| har::HarError::Io(e.to_string()))?;
    har::analyze(BufReader::with_capacity(1 << 16, f))
}

fn credentials(c: Credentials, lang: Lang) -> String {
    t(
        lang,
        match c {
            Credentials::Unknown => "cli_credentials_unknown",
            Credentials::IncludeFromCookie => "cli_credentials_cookie",
            Credentials::IncludeFromFailure => "cli_credentials_failure",
        },
    )
}

/// One table row per report: reason, method, status, URL, origin, credentials.
fn row(r: &Report, lang: Lang) -> [String; 6] {
    match r {
        Report::Failure(f) => [
            t(lang, f.reason.row().title_key),
            f.method.clone(),
            f.status.map(|s| s.to_string()).unwrap_or_default(),
            f.url.clone(),
            f.origin.clone(),
            credentials(f.credentials, lang),
        ],
        Report::Notice(n) => [
            notice_text::describe(n, lang).title,
            n.method.clone(),
            n.status.map(|s| s.to_string()).unwrap_or_default(),
            n.url.clone(),
            n.origin.clone(),
            String::new(),
        ],
    }
}

/// Control characters of server text never reach the terminal as such.
fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn table(reports: &[Report], lang: Lang) -> String {
    let head: [String; 6] = [
        "cli_col_reason",
        "cli_col_method",
        "cli_col_status",
        "cli_col_url",
        "cli_col_origin",
        "cli_col_credentials",
    ]
    .map(|k| t(lang, k));
    let rows: Vec<[String; 6]> = reports
        .iter()
        .map(|r| row(r, lang).map(|c| plain(&c)))
        .collect();
    let mut width = head.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count().min(100));
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&head).chain(&rows) {
        let cells: Vec<String> = r
            .iter()
            .zip(width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn now_iso() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0);
    export::format_iso(ms)
}

fn run(opts: &Options) -> (ExitCode, String, String) {
    let lang = opts.lang;
    let (mut out, mut err) = (String::new(), String::new());
    let mut all = Vec::new();
    let mut records: Vec<serde_json::Value> = Vec::new();
    let mut unreadable = false;
    // "FILE: message", one line on standard error.
    let about = |file: &str, message: &str| {
        let line = tf(
            lang,
            "cli_file_error",
            &[("file", &plain(file)), ("message", message)],
        );
        format!("{line}\n")
    };
    for file in &opts.files {
        match read(file) {
            Ok(a) => {
                if opts.format == Format::Table {
                    out.push_str(&format!("{}\n", plain(file)));
                    if a.reports.is_empty() {
                        out.push_str(&t(lang, "cli_nothing"));
                        out.push('\n');
                    } else {
                        out.push_str(&table(&a.reports, lang));
                    }
                }
                err.push_str(&about(file, &har_text::summary(&a, lang)));
                records.extend(
                    a.records()
                        .iter()
                        .filter_map(|r| serde_json::to_value(r).ok()),
                );
                all.extend(a.reports);
            }
            Err(e) => {
                unreadable = true;
                err.push_str(&about(file, &har_text::error(&e, lang)));
            }
        }
    }
    if opts.format != Format::Table {
        let mut meta = Meta::default();
        meta.extension.name = "cors-lens".to_owned();
        meta.extension.version = env!("CARGO_PKG_VERSION").to_owned();
        meta.exported_at = now_iso();
        let (export, _) = export::export(&records, &meta, lang);
        out.push_str(&match opts.format {
            Format::Markdown => export::markdown::markdown(&export, lang),
            _ => export::json::to_text(&export),
        });
    }
    let failures = all.iter().any(|r| matches!(r, Report::Failure(_)));
    let notices = all.iter().any(|r| matches!(r, Report::Notice(_)));
    let code = if unreadable {
        2
    } else if failures || (opts.fail_on_warnings && notices) {
        1
    } else {
        0
    };
    (ExitCode::from(code), out, err)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Command::Help(lang)) => {
            println!("{}", t(lang, "cli_help"));
            ExitCode::SUCCESS
        }
        Err((lang, detail)) => {
            eprintln!("{}", tf(lang, "cli_usage_error", &[("detail", &detail)]));
            ExitCode::from(2)
        }
        Ok(Command::Check(opts)) => {
            let (code, out, err) = run(&opts);
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().lock().write_all(out.as_bytes());
            let _ = std::io::stderr().lock().write_all(err.as_bytes());
            code
        }
    }
}
