//! The core's layers, checked on its source (ARCHITECTURE.md, "Layers"):
//! the verdict layer uses no presentation module, the transfer types do not
//! use the engine, nothing below the engine uses it, and no module of the
//! core names a browser binding. Every module must belong to a layer, so a
//! new one cannot slip past the rules.
//!
//! A module's dependencies are read from its source: `crate::name` paths
//! (also in `use crate::{a, b}` groups) and `super::` paths that climb to
//! the crate root. Comments, and tests (from the first `#[cfg(test)]` on:
//! tests may cross layers, a test that every text exists reads `l10n`), are
//! not read.
//!
//! The same source scan keeps every file of the core at most `MAX_LINES`
//! lines of non-test code (issue 10: a file a newcomer can read); above that,
//! a file is split by job into submodules.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The verdict layer: from `webRequest` events to findings and notices,
/// with no text. `http` is listed before it exists, so that it lands in its
/// layer when it is added.
const VERDICT: &[&str] = &[
    "event",
    "headers",
    "origin",
    "finding",
    "report",
    "reason",
    "http",
    "browser_error",
    "address_space",
    "check",
    "notice",
    "redact",
    "engine",
    // The bench's synthetic events (`make bench`): domain types only.
    "workload",
    // The shared test builders (tests only): domain types only.
    "testing",
    // ISO 8601 timestamps (HAR times, export dates): no text.
    "time",
];
/// Input adapters: files made elsewhere (a HAR) turned into events and
/// judged by the engine. They use the verdict and transfer layers, never the
/// presentation.
const INPUT: &[&str] = &["har", "paste"];
/// Transfer types: what crosses the wasm boundary and lands in storage.
const TRANSFER: &[&str] = &["wire", "record"];
/// Presentation: texts, explanations, fixes, exports, the panel's filter.
const PRESENTATION: &[&str] = &[
    "l10n",
    "explain",
    "notice_text",
    "fix",
    "export",
    "filter",
    "har_text",
];
/// Browser bindings the core never uses (it builds and tests natively).
const BINDINGS: &[&str] = &["wasm_bindgen", "web_sys", "js_sys"];

struct Rule {
    /// What the rule protects, said when it is broken.
    why: &'static str,
    /// The modules it applies to.
    modules: Vec<&'static str>,
    /// The crate modules they must not use.
    forbidden: Vec<&'static str>,
}

fn rules() -> Vec<Rule> {
    let below_engine: Vec<&str> = VERDICT.iter().copied().filter(|m| *m != "engine").collect();
    vec![
        Rule {
            why: "the verdict layer knows no text: it must not use a presentation module",
            modules: VERDICT.to_vec(),
            forbidden: PRESENTATION.to_vec(),
        },
        Rule {
            why: "transfer types are apart from the engine and from presentation",
            modules: TRANSFER.to_vec(),
            forbidden: [&["engine"][..], PRESENTATION].concat(),
        },
        Rule {
            why: "input adapters feed the engine and know no text: no presentation module",
            modules: INPUT.to_vec(),
            forbidden: PRESENTATION.to_vec(),
        },
        Rule {
            why: "nothing below the input adapters uses them",
            modules: [VERDICT, TRANSFER].concat(),
            forbidden: INPUT.to_vec(),
        },
        Rule {
            why: "the check and the domain types sit below the engine and must not use it",
            modules: below_engine,
            forbidden: vec!["engine"],
        },
    ]
}

/// One source file of the core: its top-level module, and how deep its own
/// module sits (`src/check.rs` and `src/engine/mod.rs`: 1;
/// `src/engine/ledger.rs`: 2).
struct Source {
    path: PathBuf,
    module: String,
    depth: usize,
    text: String,
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(&src).expect("under src");
            let parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if parts == ["lib"] {
                return None;
            }
            let depth = if parts.last().map(String::as_str) == Some("mod") {
                parts.len() - 1
            } else {
                parts.len()
            };
            let text = fs::read_to_string(&path).expect("a readable source file");
            Some(Source {
                module: parts[0].clone(),
                depth,
                path: rel.to_owned(),
                text,
            })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a source file: up to its tests, without comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| match line.find(" //") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The leading identifier of `s`.
fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The top-level names of a `{a, b::c, d::{e}}` group at the start of `s`.
fn group(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut level = 0;
    let mut item_start = true;
    for (i, c) in s.char_indices() {
        match c {
            '{' => {
                level += 1;
                if level == 1 {
                    item_start = true;
                    continue;
                }
            }
            '}' => {
                level -= 1;
                if level == 0 {
                    break;
                }
            }
            ',' if level == 1 => item_start = true,
            c if level == 1 && item_start && is_ident(c) => {
                names.push(ident(&s[i..]).to_owned());
                item_start = false;
            }
            c if level == 1 && !c.is_whitespace() => item_start = false,
            _ => {}
        }
    }
    names
}

/// The names after a path that reached the crate root.
fn after_root(rest: &str) -> Vec<String> {
    if rest.starts_with('{') {
        group(rest)
    } else {
        vec![ident(rest).to_owned()]
    }
}

/// The crate's top-level modules (and the crates named at the root, for
/// bindings) a module at `depth` uses in `source`.
fn uses(source: &str, depth: usize) -> BTreeSet<String> {
    let code = code(source);
    let mut used = BTreeSet::new();
    let preceded_by_path = |i: usize| {
        code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| is_ident(c) || c == ':')
    };
    for (i, _) in code.match_indices("crate::") {
        if !preceded_by_path(i) {
            used.extend(after_root(&code[i + "crate::".len()..]));
        }
    }
    for (i, _) in code.match_indices("super::") {
        if preceded_by_path(i) {
            continue;
        }
        let mut rest = &code[i..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            climbs += 1;
        }
        if climbs == depth {
            used.extend(after_root(rest));
        }
    }
    for binding in BINDINGS {
        for (i, _) in code.match_indices(binding) {
            let next = code[i + binding.len()..].chars().next();
            if !preceded_by_path(i) && !next.is_some_and(is_ident) {
                used.insert((*binding).to_owned());
            }
        }
    }
    used
}

#[test]
fn the_scanner_finds_every_way_of_naming_a_module() {
    struct Case {
        source: &'static str,
        depth: usize,
        uses: &'static [&'static str],
    }
    for case in [
        Case {
            source: "use crate::l10n::Lang;",
            depth: 1,
            uses: &["l10n"],
        },
        Case {
            source: "use crate::{check::cors_check, export, fix::{self, Stack}};",
            depth: 1,
            uses: &["check", "export", "fix"],
        },
        Case {
            source: "fn f() { crate::explain::explain(x, y); }",
            depth: 1,
            uses: &["explain"],
        },
        Case {
            source: "use super::super::l10n::t;\nuse super::ledger::Ledger;",
            depth: 2,
            uses: &["l10n"],
        },
        Case {
            source: "use super::{l10n, wire::Record};",
            depth: 1,
            uses: &["l10n", "wire"],
        },
        Case {
            source: "use wasm_bindgen::prelude::*;",
            depth: 1,
            uses: &["wasm_bindgen"],
        },
        Case {
            source: "//! See [`crate::explain`].\nlet u = 1; // crate::l10n\nuse crate::origin;",
            depth: 1,
            uses: &["origin"],
        },
        Case {
            source: "use crate::check;\n#[cfg(test)]\nmod tests { use crate::l10n::keys; }",
            depth: 1,
            uses: &["check"],
        },
        Case {
            source: "use other_crate::l10n; use cors_lens_core::explain;",
            depth: 1,
            uses: &[],
        },
    ] {
        let want: BTreeSet<String> = case.uses.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(uses(case.source, case.depth), want, "{}", case.source);
    }
}

#[test]
fn every_module_of_the_core_belongs_to_a_layer() {
    let known: Vec<&str> = [VERDICT, TRANSFER, INPUT, PRESENTATION].concat();
    let unplaced: BTreeSet<String> = sources()
        .into_iter()
        .map(|s| s.module)
        .filter(|m| !known.contains(&m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules in no layer (add them to VERDICT, TRANSFER, INPUT or PRESENTATION here and to \
         ARCHITECTURE.md's \"Layers\"): {unplaced:?}"
    );
}

#[test]
fn no_module_uses_a_layer_it_must_not() {
    let sources = sources();
    assert!(
        sources.iter().any(|s| s.module == "engine") && sources.len() > 20,
        "the core's sources were not found"
    );
    let mut broken = Vec::new();
    for source in &sources {
        let used = uses(&source.text, source.depth);
        for rule in rules() {
            if !rule.modules.contains(&source.module.as_str()) {
                continue;
            }
            for m in used.iter().filter(|m| rule.forbidden.contains(&m.as_str())) {
                broken.push(format!(
                    "src/{} uses crate::{m}: {}",
                    source.path.display(),
                    rule.why
                ));
            }
        }
        for b in used.iter().filter(|m| BINDINGS.contains(&m.as_str())) {
            broken.push(format!(
                "src/{} uses {b}: the core has no browser dependency",
                source.path.display()
            ));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Most lines of non-test code in one source file of the core.
const MAX_LINES: usize = 600;

/// The lines of non-test code in a file: every line but the test modules
/// (`#[cfg(test)]` then `mod name {` … a closing `}` at column 0, as rustfmt
/// writes them). Also returns the names of test modules kept in files of
/// their own (`#[cfg(test)]` then `mod name;`).
fn non_test_lines(text: &str) -> (usize, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut count = 0;
    let mut test_files = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
        if lines[i].trim() == "#[cfg(test)]" && next.starts_with("mod ") {
            if let Some(name) = next.strip_prefix("mod ").and_then(|n| n.strip_suffix(';')) {
                test_files.push(name.to_owned());
                i += 2;
                continue;
            }
            if next.ends_with('{') {
                i += 2;
                while i < lines.len() && lines[i] != "}" {
                    i += 1;
                }
                i += 1;
                continue;
            }
        }
        count += 1;
        i += 1;
    }
    (count, test_files)
}

/// Every source file of the core that is not a test module, with its lines
/// of non-test code.
fn sizes() -> Vec<(PathBuf, usize)> {
    let sources = sources();
    let mut test_paths = Vec::new();
    for s in &sources {
        let (_, tests) = non_test_lines(&s.text);
        // `a/mod.rs` keeps its children in `a/`, `a.rs` in `a/` too.
        let dir = if s.path.file_name().is_some_and(|n| n == "mod.rs") {
            s.path.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            s.path.with_extension("")
        };
        test_paths.extend(tests.iter().map(|t| dir.join(format!("{t}.rs"))));
    }
    sources
        .iter()
        .filter(|s| !test_paths.contains(&s.path))
        .map(|s| (s.path.clone(), non_test_lines(&s.text).0))
        .collect()
}

#[test]
fn the_line_counter_leaves_out_tests_only() {
    struct Case {
        source: &'static str,
        lines: usize,
        test_files: &'static [&'static str],
    }
    for case in [
        Case {
            source: "fn a() {}\nfn b() {}\n",
            lines: 2,
            test_files: &[],
        },
        Case {
            source:
                "fn a() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\nfn b() {}\n",
            lines: 2,
            test_files: &[],
        },
        Case {
            source: "fn a() {}\n\n#[cfg(test)]\nmod tests;\n",
            lines: 2,
            test_files: &["tests"],
        },
        Case {
            source: "#[cfg(test)]\nfn only_in_tests() {}\n",
            lines: 2,
            test_files: &[],
        },
    ] {
        let (lines, test_files) = non_test_lines(case.source);
        assert_eq!(lines, case.lines, "{}", case.source);
        assert_eq!(test_files, case.test_files, "{}", case.source);
    }
}

#[test]
fn no_file_of_the_core_is_over_the_line_budget() {
    let sizes = sizes();
    assert!(sizes.len() > 20, "the core's sources were not found");
    // `cargo test -p cors-lens-core --test layering -- --nocapture` prints them.
    let mut by_size = sizes.clone();
    by_size.sort_by_key(|(_, lines)| std::cmp::Reverse(*lines));
    for (path, lines) in by_size.iter().take(10) {
        println!("{lines:5} src/{}", path.display());
    }
    let over: Vec<String> = sizes
        .iter()
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(path, lines)| format!("src/{}: {lines} lines", path.display()))
        .collect();
    assert!(
        over.is_empty(),
        "files over {MAX_LINES} lines of non-test code (split them by job into \
         submodules; ARCHITECTURE.md, \"Code map\"):\n{}",
        over.join("\n")
    );
}
