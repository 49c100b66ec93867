//! "Copy as curl" and the Markdown report's curl script, run the real way:
//! pasted as typed input into Debian's zsh with its default
//! `no_interactive_comments` (macOS's default shell), and into zsh with
//! `interactive_comments`, `rc_quotes`, bash and dash, behind a fake `curl`
//! function that records its argv. Hostile captures (methods, URLs, header
//! names and values, origins full of `;`, `$(…)`, backticks, quotes,
//! newlines, `!`, `#`, bidi controls…) try to run `canary`, which touches a
//! file. Nothing may run, the end of the script must be reached (no quote
//! left open), and each curl call must receive exactly the captured request,
//! secrets excepted.
//!
//! The scripts are built the way the panel (`curlFor`: `export` then
//! `curl`) and the Markdown report (`export` then `markdown`) build them.
//! zsh, bash and dash are required: without them this test fails (install
//! zsh with `make setup` or `apt-get install -y zsh`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use cors_lens_core::export::{self, curl::curl, markdown::markdown, Meta};
use cors_lens_core::l10n::{t, Lang};
use cors_lens_core::wire::{FindingRecord, Record};
use cors_lens_core::{testing, CorsError, Finding, Seen};
use serde_json::{json, Value};

/// A shell to paste into, and what it must say about itself.
struct Shell {
    name: &'static str,
    argv: &'static [&'static str],
    /// Extra prelude lines (zsh: check the options really are in force).
    probe: &'static str,
}

const ZSH_PROBE: &str = "[[ -o interactive ]] && : > \"$D/zsh-interactive\"\n\
[[ -o interactivecomments ]] || : > \"$D/no-comments\"\n";

const SHELLS: [Shell; 5] = [
    Shell {
        name: "zsh (no_interactive_comments)",
        argv: &["zsh", "-f", "-i", "-o", "no_interactive_comments"],
        probe: ZSH_PROBE,
    },
    Shell {
        name: "zsh (interactive_comments)",
        argv: &["zsh", "-f", "-i", "-o", "interactive_comments"],
        probe: "",
    },
    Shell {
        name: "zsh (rc_quotes)",
        argv: &["zsh", "-f", "-i", "-o", "rc_quotes"],
        probe: "",
    },
    Shell {
        name: "bash",
        argv: &["bash", "--norc", "--noprofile", "-i"],
        probe: "",
    },
    Shell {
        name: "dash",
        argv: &["dash", "-i"],
        probe: "",
    },
];

/// The directory of this test process (under `target/tmp`): the canary
/// file and one directory per run, removed after it.
fn base() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("curl-zsh-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("create the test directory");
    dir
}

fn canary_path() -> PathBuf {
    base().join("canary")
}

/// What a shell did with a script.
struct Outcome {
    calls: Vec<Vec<String>>,
    canary: bool,
    end: bool,
    probes: Vec<String>,
    output: String,
}

/// Pastes `script` into `shell` behind the fake `curl` and a `canary`
/// function that creates `canary`.
fn paste(shell: &Shell, script: &str, canary: &Path) -> Outcome {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let dir = base().join(format!("run-{}", RUN.fetch_add(1, Ordering::Relaxed)));
    fs::create_dir_all(&dir).expect("create the run directory");
    let d = dir.to_str().expect("a UTF-8 temp path");
    assert!(
        !d.contains('\''),
        "the temp path must not hold a quote: {d}"
    );
    let input = format!(
        "D='{d}'\n\
         n=0\n\
         curl() {{ n=$((n+1)); printf '%s\\0' \"$@\" > \"$D/call.$n\"; }}\n\
         canary() {{ : > '{canary}'; }}\n\
         case $- in *i*) : > \"$D/interactive\";; esac\n\
         {probe}\
         {script}\n\
         : > \"$D/end\"\n",
        canary = canary.display(),
        probe = shell.probe,
    );
    let mut child = Command::new(shell.argv[0])
        .args(&shell.argv[1..])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", &dir)
        .env("HISTFILE", dir.join("history"))
        .env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e}; install it (make setup, or apt-get install -y zsh)",
                shell.argv[0]
            )
        });
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("write the script");
    let out = child.wait_with_output().expect("wait for the shell");
    let mut calls = Vec::new();
    for i in 1.. {
        match fs::read(dir.join(format!("call.{i}"))) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).expect("argv is UTF-8");
                let mut args: Vec<String> = text.split('\0').map(str::to_owned).collect();
                assert_eq!(args.pop().as_deref(), Some(""), "argv ends with NUL");
                calls.push(args);
            }
            Err(_) => break,
        }
    }
    let probes = ["interactive", "zsh-interactive", "no-comments"]
        .into_iter()
        .filter(|p| dir.join(p).exists())
        .map(str::to_owned)
        .collect();
    let outcome = Outcome {
        calls,
        canary: canary.exists(),
        end: dir.join("end").exists(),
        probes,
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    };
    fs::remove_dir_all(&dir).ok();
    outcome
}

/// Asserts that `script`, pasted into every shell, ran nothing but the
/// expected curl calls and reached its end.
fn assert_inert(what: &str, script: &str, want: &[Vec<String>]) {
    for shell in &SHELLS {
        let got = paste(shell, script, &canary_path());
        let context = format!(
            "{what} in {}\n--- script ---\n{script}\n--- shell output ---\n{}",
            shell.name, got.output
        );
        assert!(!got.canary, "a hostile value ran a command: {context}");
        assert!(got.end, "the end of the script was not reached: {context}");
        assert!(
            got.probes.iter().any(|p| p == "interactive"),
            "the shell was not interactive: {context}"
        );
        if !shell.probe.is_empty() {
            assert_eq!(
                got.probes,
                ["interactive", "zsh-interactive", "no-comments"],
                "zsh options not in force: {context}"
            );
        }
        assert_eq!(got.calls, want, "curl argv: {context}");
    }
}

fn finding(method: &str, url: &str, origin: &str, headers: &[(&str, &str)]) -> Finding {
    Finding {
        time_ms: 1_700_000_000_000.0,
        method: method.into(),
        url: url.into(),
        origin: origin.into(),
        page_origin: origin.into(),
        exchange: testing::seen(method, url, Some(200), headers, &[]),
        ..testing::finding(CorsError::MissingAllowOriginHeader)
    }
}

/// `f` with a successful preflight that asked for `method` and `headers`.
fn with_preflight(mut f: Finding, method: &str, headers: &str) -> Finding {
    f.preflight = Some(preflight_asking(&f.url, method, headers));
    f
}

/// `f` as a failed preflight: the exchange is the `OPTIONS`.
fn failed_preflight(mut f: Finding, method: &str, headers: &str) -> Finding {
    f.reason = CorsError::PreflightMissingAllowOriginHeader;
    f.exchange = preflight_asking(&f.url, method, headers);
    f.requested_headers = headers.split(',').map(str::to_owned).collect();
    f
}

/// A preflight to `url` answered 204 with no header, asking for `method`
/// and `headers`.
fn preflight_asking(url: &str, method: &str, headers: &str) -> Seen {
    testing::seen(
        "OPTIONS",
        url,
        Some(204),
        &[
            ("Access-Control-Request-Method", method),
            ("Access-Control-Request-Headers", headers),
        ],
        &[],
    )
}

/// The argv curl must receive: the fixed options, the method, the URL, the
/// headers (`Name: value`).
fn argv(method: &[&str], url: &str, headers: &[String]) -> Vec<String> {
    let mut a: Vec<String> = ["-sS", "-i", "-g", "--proto", "=http,https"]
        .into_iter()
        .chain(method.iter().copied())
        .chain(["--url", url])
        .map(str::to_owned)
        .collect();
    for h in headers {
        a.push("-H".into());
        a.push(h.clone());
    }
    a
}

fn h(name: &str, value: &str) -> String {
    format!("{name}: {value}")
}

fn record(f: &Finding) -> Value {
    let mut v = serde_json::to_value(Record::Failure(FindingRecord::from(f))).expect("a record");
    v["firstSeen"] = json!(f.time_ms);
    v
}

fn meta() -> Meta {
    serde_json::from_value(json!({
        "extension": {"name": "CORS Lens", "version": "0.1.0"},
        "browser": "Chromium 156",
        "exportedAt": "2024-01-01T00:00:00.000Z",
        "page": {"url": "https://page.example/", "origin": "https://page.example"}
    }))
    .expect("meta")
}

/// The script "Copy as curl" puts on the clipboard for `f`, as `curlFor`
/// builds it.
fn panel_script(f: &Finding, lang: Lang) -> String {
    let (ex, unreadable) = export::export(&[record(f)], &Meta::default(), lang);
    assert_eq!(unreadable, 0);
    curl(&ex.findings[0], lang).script
}

/// The `sh` code blocks of a Markdown report, in order.
fn sh_blocks(md: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = md.lines();
    while let Some(line) = lines.next() {
        let fence: String = line.chars().take_while(|&c| c == '`').collect();
        if fence.len() >= 3 && &line[fence.len()..] == "sh" {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != fence).collect();
            blocks.push(body.join("\n"));
        }
    }
    blocks
}

struct Case {
    name: &'static str,
    finding: Finding,
    want: Vec<Vec<String>>,
}

const O: &str = "https://page.example";

fn cases() -> Vec<Case> {
    let canary = canary_path();
    let canary = canary.to_str().expect("a UTF-8 temp path");
    let touch = format!("touch {canary}");
    let origin = h("Origin", O);
    vec![
        // Issue 14: page text in `#` comments ran under zsh's defaults.
        Case {
            name: "comment_injection_from_the_url",
            finding: finding("GET", "https://api.example/a;id;$(canary)", O, &[]),
            want: vec![argv(&[], "https://api.example/a;id;$(canary)", &[h("Origin", O)])],
        },
        Case {
            name: "comment_injection_from_an_omitted_header_name",
            finding: finding(
                "GET",
                "https://api.example/x",
                O,
                &[
                    ("X-Api-Key`canary`$(canary);canary", "k"),
                    ("Authorization", "Bearer s"),
                ],
            ),
            want: vec![argv(&[], "https://api.example/x", &[h("Origin", O)])],
        },
        Case {
            name: "comment_injection_from_the_method_and_origin",
            finding: finding(
                "X`canary`;canary",
                "https://api.example/m",
                "https://page.example\n;canary;$(canary)",
                &[],
            ),
            want: vec![argv(
                &["-X", "X`canary`;canary"],
                "https://api.example/m",
                &[h("Origin", "https://page.example ;canary;$(canary)")],
            )],
        },
        // Issue 14: "the page's Origin" left a quote open in every script.
        Case {
            name: "unbalanced_quote_in_the_request_comment",
            finding: finding(
                "PUT",
                "https://api.example/q",
                O,
                &[("X-Later", "it's ;canary; '"), ("X-Then", "$(canary)")],
            ),
            want: vec![argv(
                &["-X", "PUT"],
                "https://api.example/q",
                &[
                    origin.clone(),
                    h("X-Later", "it's ;canary; '"),
                    h("X-Then", "$(canary)"),
                ],
            )],
        },
        // Issue 14: `patch` was sent as `PATCH`.
        Case {
            name: "method_case_is_kept",
            finding: with_preflight(
                finding("patch", "https://api.example/p", O, &[("Content-Type", "text/plain")]),
                "patch",
                "content-type",
            ),
            want: vec![
                argv(
                    &["-X", "OPTIONS"],
                    "https://api.example/p",
                    &[
                        origin.clone(),
                        h("Access-Control-Request-Method", "patch"),
                        h("Access-Control-Request-Headers", "content-type"),
                    ],
                ),
                argv(
                    &["-X", "patch"],
                    "https://api.example/p",
                    &[origin.clone(), h("Content-Type", "text/plain")],
                ),
            ],
        },
        Case {
            name: "exact_head_is_head_and_lowercase_get_is_sent_as_is",
            finding: with_preflight(
                finding("get", "https://api.example/g", O, &[]),
                "get",
                "x-a",
            ),
            want: vec![
                argv(
                    &["-X", "OPTIONS"],
                    "https://api.example/g",
                    &[
                        origin.clone(),
                        h("Access-Control-Request-Method", "get"),
                        h("Access-Control-Request-Headers", "x-a"),
                    ],
                ),
                argv(&["-X", "get"], "https://api.example/g", &[h("Origin", O)]),
            ],
        },
        Case {
            name: "exact_head_uses_head",
            finding: finding("HEAD", "https://api.example/h", O, &[]),
            want: vec![argv(&["--head"], "https://api.example/h", &[h("Origin", O)])],
        },
        Case {
            name: "hostile_header_values",
            finding: finding(
                "POST",
                "https://api.example/v",
                O,
                &[
                    ("X-Semi", "a;canary;b"),
                    ("X-Subst", "$(canary)"),
                    ("X-Tick", "`canary`"),
                    ("X-Quote", "it's '; canary; '"),
                    ("X-Dquote", "\"$(canary)\" \"`canary`\""),
                    ("X-Newline", "a\ncanary\nb"),
                    ("X-Crlf", "a\r\ncanary"),
                    ("X-Ansi", "$'\\x27;canary;\\x27'"),
                    ("X-Bang", "!! !canary !# !$"),
                    ("X-Hash", "# canary"),
                    ("X-Backslash", "\\'; canary; \\"),
                    ("X-Glob", "* ~ ~root ? [a]"),
                    ("X-Touch", &format!("'; {touch}; '")),
                    ("X-Dash", "-o canary"),
                    ("X-Vars", "$HOME ${HOME} $((1+1)) %d"),
                ],
            ),
            want: vec![argv(
                &["-X", "POST"],
                "https://api.example/v",
                &[
                    origin.clone(),
                    h("X-Semi", "a;canary;b"),
                    h("X-Subst", "$(canary)"),
                    h("X-Tick", "`canary`"),
                    h("X-Quote", "it's '; canary; '"),
                    h("X-Dquote", "\"$(canary)\" \"`canary`\""),
                    h("X-Newline", "a canary b"),
                    h("X-Crlf", "a  canary"),
                    h("X-Ansi", "$'\\x27;canary;\\x27'"),
                    h("X-Bang", "!! !canary !# !$"),
                    h("X-Hash", "# canary"),
                    h("X-Backslash", "\\'; canary; \\"),
                    h("X-Glob", "* ~ ~root ? [a]"),
                    h("X-Touch", &format!("'; {touch}; '")),
                    h("X-Dash", "-o canary"),
                    h("X-Vars", "$HOME ${HOME} $((1+1)) %d"),
                ],
            )],
        },
        Case {
            name: "hostile_header_names",
            finding: finding(
                "POST",
                "https://api.example/n",
                O,
                &[
                    ("X-`canary`", "1"),
                    ("X-$(canary)", "2"),
                    ("X;canary;", "3"),
                    ("-o", canary),
                    ("X'\n$(canary)", "4"),
                ],
            ),
            want: vec![argv(
                &["-X", "POST"],
                "https://api.example/n",
                &[
                    origin.clone(),
                    h("X-`canary`", "1"),
                    h("X-$(canary)", "2"),
                    h("X;canary;", "3"),
                    h("-o", canary),
                    h("X' $(canary)", "4"),
                ],
            )],
        },
        Case {
            name: "hostile_urls_and_a_url_that_looks_like_an_option",
            finding: with_preflight(
                finding(
                    "DELETE",
                    "https://api.example/it's/$(canary)/`canary`/;canary;/!!/~/*?a=$'\\x27'&b=\"x\"&c=\n;canary",
                    O,
                    &[],
                ),
                "DELETE",
                "x-$(canary)",
            ),
            want: vec![
                argv(
                    &["-X", "OPTIONS"],
                    "https://api.example/it's/$(canary)/`canary`/;canary;/!!/~/*?a=$'\\x27'&b=\"x\"&c=%0A;canary",
                    &[
                        origin.clone(),
                        h("Access-Control-Request-Method", "DELETE"),
                        h("Access-Control-Request-Headers", "x-$(canary)"),
                    ],
                ),
                argv(
                    &["-X", "DELETE"],
                    "https://api.example/it's/$(canary)/`canary`/;canary;/!!/~/*?a=$'\\x27'&b=\"x\"&c=%0A;canary",
                    &[h("Origin", O)],
                ),
            ],
        },
        Case {
            name: "a_url_starting_with_a_dash_stays_the_url",
            finding: finding("-X", "-o/tmp/x", "-H", &[]),
            want: vec![argv(&["-X", "-X"], "-o/tmp/x", &[h("Origin", "-H")])],
        },
        Case {
            name: "bidi_and_zero_width_characters_cannot_disguise_the_script",
            finding: finding(
                "GET",
                "https://api.example/\u{202E}gpj.exe\u{202C}\u{2066}x\u{2069}\u{200B}\u{FEFF}\u{2028}",
                "https://page.example\u{200F}",
                &[("X-Bidi\u{202D}", "a\u{202E}b\u{061C}c\u{200D}d")],
            ),
            want: vec![argv(
                &[],
                "https://api.example/%E2%80%AEgpj.exe%E2%80%AC%E2%81%A6x%E2%81%A9%E2%80%8B%EF%BB%BF%E2%80%A8",
                &[
                    h("Origin", "https://page.example\u{FFFD}"),
                    h("X-Bidi\u{FFFD}", "a\u{FFFD}b\u{FFFD}c\u{FFFD}d"),
                ],
            )],
        },
        Case {
            name: "a_failed_preflight_is_reproduced_with_its_request",
            finding: failed_preflight(
                finding("PUT", "https://api.example/f", O, &[]),
                "PUT",
                "x-one,x-'two'",
            ),
            want: vec![
                argv(
                    &["-X", "OPTIONS"],
                    "https://api.example/f",
                    &[
                        origin.clone(),
                        h("Access-Control-Request-Method", "PUT"),
                        h("Access-Control-Request-Headers", "x-one,x-'two'"),
                    ],
                ),
                argv(&["-X", "PUT"], "https://api.example/f", &[h("Origin", O)]),
            ],
        },
        // Every explanation line at once: userinfo, preflight, request, omitted.
        Case {
            name: "every_comment_and_no_secret",
            finding: with_preflight(
                finding(
                    "PUT",
                    "https://u5er:pa55'$(canary)@api.example/s?token=t0k3n&ok=1",
                    O,
                    &[
                        ("Cookie", "sid=c00kie"),
                        ("Authorization", "Bearer b3ar3r"),
                        ("X-Api-Key", "k3y"),
                        ("X-Plain", "yes"),
                        ("Referer", "https://page.example/?session=r3f"),
                        ("Host", "api.example"),
                    ],
                ),
                "PUT",
                "authorization,x-api-key,x-plain",
            ),
            want: vec![
                argv(
                    &["-X", "OPTIONS"],
                    "https://api.example/s?token=[redacted]&ok=1",
                    &[
                        origin.clone(),
                        h("Access-Control-Request-Method", "PUT"),
                        h(
                            "Access-Control-Request-Headers",
                            "authorization,x-api-key,x-plain",
                        ),
                    ],
                ),
                argv(
                    &["-X", "PUT"],
                    "https://api.example/s?token=[redacted]&ok=1",
                    &[origin.clone(), h("X-Plain", "yes")],
                ),
            ],
        },
    ]
}

#[test]
fn copy_as_curl_runs_nothing_and_sends_the_captured_request() {
    for case in cases() {
        for lang in Lang::ALL {
            let script = panel_script(&case.finding, lang);
            assert_inert(
                &format!("{} ({})", case.name, lang.code()),
                &script,
                &case.want,
            );
        }
    }
}

#[test]
fn the_markdown_report_embeds_the_same_inert_scripts() {
    let cases = cases();
    let records: Vec<Value> = cases.iter().map(|c| record(&c.finding)).collect();
    for lang in Lang::ALL {
        let (ex, unreadable) = export::export(&records, &meta(), lang);
        assert_eq!((ex.findings.len(), unreadable), (cases.len(), 0));
        let md = markdown(&ex, lang);
        let blocks = sh_blocks(&md);
        assert_eq!(blocks.len(), cases.len(), "one sh block per finding:\n{md}");
        for (case, block) in cases.iter().zip(&blocks) {
            assert_eq!(
                format!("{block}\n"),
                panel_script(&case.finding, lang),
                "{}: the report embeds what Copy as curl copies",
                case.name
            );
            assert_inert(
                &format!("markdown {} ({})", case.name, lang.code()),
                block,
                &case.want,
            );
        }
        // All of them in one paste.
        let want: Vec<Vec<String>> = cases.iter().flat_map(|c| c.want.clone()).collect();
        assert_inert(
            &format!("the whole markdown report's scripts ({})", lang.code()),
            &blocks.join("\n"),
            &want,
        );
    }
}

/// Every `curl_comment_*` message, in both languages, is in the script of
/// the case that needs them all, and that script reached its end above; here
/// each one is also checked alone, as the only line of a script.
#[test]
fn every_curl_comment_in_every_language_is_inert() {
    let all = cases()
        .into_iter()
        .find(|c| c.name == "every_comment_and_no_secret")
        .expect("the every-comment case");
    for lang in Lang::ALL {
        let keys: Vec<String> = cors_lens_core::l10n::keys(lang)
            .into_iter()
            .filter(|k| k.starts_with("curl_comment_"))
            .collect();
        assert!(keys.len() >= 5, "{keys:?}");
        let script = panel_script(&all.finding, lang);
        for key in &keys {
            let message = t(lang, key);
            // The fixed text between placeholders.
            for fragment in message.split(['{', '}']).step_by(2) {
                let fragment = fragment.replace('\'', "'\\''");
                assert!(
                    script.contains(&fragment),
                    "{key} ({}): {fragment:?} missing from\n{script}",
                    lang.code()
                );
            }
        }
        for secret in [
            "t0k3n", "c00kie", "b3ar3r", "k3y", "r3f", "u5er", "pa55", "canary)@",
        ] {
            assert!(!script.contains(secret), "{secret} in\n{script}");
        }
        assert_inert(
            &format!("every comment ({})", lang.code()),
            &script,
            &all.want,
        );
    }
}

#[test]
fn the_fake_curl_and_the_canary_do_detect_a_bad_script() {
    // The harness itself: an unquoted substitution runs, an open quote
    // hides the end, a `#` line is a command under zsh's defaults.
    // Its own canary: the other tests run in parallel.
    let zsh = &SHELLS[0];
    let canary = base().join("harness-canary");
    let ran = paste(zsh, "curl -X $(canary) --url 'u'", &canary);
    assert!(ran.canary, "{}", ran.output);
    fs::remove_file(&canary).expect("remove the canary");
    let open = paste(zsh, "curl --url 'it's'", &canary);
    assert!(!open.end && open.calls.is_empty(), "{}", open.output);
    let comment = paste(zsh, "# x;canary", &canary);
    assert!(comment.canary && comment.end, "{}", comment.output);
    fs::remove_file(&canary).expect("remove the canary");
    let recorded = paste(zsh, "curl -H 'a b' --url ''", &canary);
    assert_eq!(recorded.calls, vec![vec!["-H", "a b", "--url", ""]]);
}

#[test]
fn a_script_is_one_of_remarks_curl_lines_and_quoted_continuations() {
    for case in cases() {
        for lang in Lang::ALL {
            let script = panel_script(&case.finding, lang);
            for line in script.lines() {
                assert!(
                    line.starts_with(": '")
                        || line.starts_with("curl -sS -i -g --proto '=http,https'")
                        || line.starts_with("  --url '")
                        || line.starts_with("  -H '"),
                    "{}: {line:?}",
                    case.name
                );
            }
            assert!(
                !script
                    .chars()
                    .any(|c| (c.is_control() && c != '\n') || export::curl::is_invisible(c)),
                "{}: {script:?}",
                case.name
            );
        }
    }
}
