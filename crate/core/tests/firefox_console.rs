//! Every CORS console message Firefox ESR ships, in English and in French,
//! read by the paste mapping (`paste::console`): the strings come from the
//! installed Firefox itself (`security.properties`: the English one in
//! `/usr/lib/firefox-esr/omni.ja`, the French one in the langpack of Debian's
//! `firefox-esr-l10n-fr`, `browser/extensions/langpack-fr@*.xpi`), filled
//! with sample values as Firefox fills them, and pasted. Each one that names
//! a reason must give that reason (its MDN id, or the id Firefox prints for
//! it, is the message's key), with the URL, the quoted value and the status
//! code it holds; the ones that name no single reason must not be taken for
//! one. Firefox ESR and the langpack are required (`make setup-browsers`):
//! without them this test fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use cors_lens_core::paste::{analyze, Pasted};
use cors_lens_core::CorsError;

const FIREFOX: &str = "/usr/lib/firefox-esr";
const URL: &str = "http://localhost:9000/api/x?lab=1";
const STATUS: u16 = 404;

/// Messages whose key names no single reason, and why: a pasted one is
/// recognised as no CORS failure at all, never as another reason.
const NO_SINGLE_REASON: [(&str, &str); 4] = [
    ("CORSDisabled", "CORS is turned off in the browser's settings (content.cors.disable): no server answer is at fault"),
    ("CORSDidNotSucceed", "the request got no usable answer: a network error (refused connection, DNS, TLS) as often as a refused redirect; the line does not say which"),
    ("CORSOriginHeaderNotAdded", "the browser could not add the Origin header: an internal failure, no server answer is at fault"),
    ("CORSAllowHeaderFromPreflightDeprecation", "a deprecation warning on a request that passed (Authorization covered by `*`), not a refusal"),
];

/// The `security.properties` of a Firefox package (a zip: omni.ja or a
/// langpack), through Debian's `unzip`.
fn properties(zip: &Path, inner: &str) -> Vec<(String, String)> {
    let out = Command::new("unzip")
        .arg("-p")
        .arg(zip)
        .arg(inner)
        .output()
        .unwrap_or_else(|e| panic!("unzip (apt-get install -y unzip): {e}"));
    let text = String::from_utf8(out.stdout).expect("UTF-8 properties");
    assert!(!text.is_empty(), "{inner} in {}", zip.display());
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), unescape(v.trim())))
        .filter(|(k, _)| k.starts_with("CORS"))
        .collect()
}

/// `\uXXXX` and `\\` escapes of a `.properties` value.
fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).expect("a \\u escape");
                out.push(char::from_u32(code).expect("a character"));
            }
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn langpack() -> PathBuf {
    let dir = Path::new(FIREFOX).join("browser/extensions");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (apt-get install -y firefox-esr-l10n-fr)",
                dir.display()
            )
        })
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("langpack-fr@") && n.ends_with(".xpi"))
        })
        .expect("the French langpack (apt-get install -y firefox-esr-l10n-fr)")
}

/// The message's key without its version digits (`CORSMissingAllowOrigin2`).
fn base_key(key: &str) -> &str {
    key.trim_end_matches(|c: char| c.is_ascii_digit())
}

/// The value Firefox puts in `%2$S`: the status code after "Status code" /
/// "Code d’état", else the header value or name the reason quotes.
fn sample(key: &str, template: &str) -> String {
    let before = template.split("%2$S").next().unwrap_or("");
    if before.trim_end().ends_with(':') {
        STATUS.to_string()
    } else if base_key(key) == "CORSAllowOriginNotMatchingOrigin" {
        "http://other.test".to_owned()
    } else {
        "x-token".to_owned()
    }
}

struct Message {
    lang: &'static str,
    key: String,
    text: String,
    value: String,
}

fn messages() -> Vec<Message> {
    let en = properties(
        &Path::new(FIREFOX).join("omni.ja"),
        "chrome/en-US/locale/en-US/global/security/security.properties",
    );
    let fr = properties(
        &langpack(),
        "chrome/fr/locale/fr/global/security/security.properties",
    );
    assert_eq!(
        en.iter().map(|m| &m.0).collect::<Vec<_>>(),
        fr.iter().map(|m| &m.0).collect::<Vec<_>>(),
        "the same CORS keys in both languages"
    );
    [("en", en), ("fr", fr)]
        .into_iter()
        .flat_map(|(lang, list)| {
            list.into_iter().map(move |(key, template)| {
                let value = sample(&key, &template);
                let text = template.replace("%1$S", URL).replace("%2$S", &value);
                Message {
                    lang,
                    key,
                    text,
                    value,
                }
            })
        })
        .collect()
}

/// The reasons a key names: those whose MDN id, or the id Firefox prints
/// for them, is the key.
fn reasons_of(key: &str) -> Vec<CorsError> {
    CorsError::ALL
        .into_iter()
        .filter(|r| r.mdn_id() == base_key(key) || r.firefox_id() == base_key(key))
        .collect()
}

#[test]
fn every_cors_message_firefox_ships_in_english_and_french_gives_its_reason_and_values() {
    let all = messages();
    assert!(all.len() >= 30, "{} CORS messages", all.len());
    let mut wrong = Vec::new();
    for m in &all {
        let base = base_key(&m.key);
        let pasted = analyze(&m.text);
        if let Some((_, why)) = NO_SINGLE_REASON.iter().find(|(k, _)| *k == base) {
            if let Pasted::Console(line) = &pasted {
                wrong.push(format!(
                    "{} {}: read as {:?}, but {why}",
                    m.lang, m.key, line.reason
                ));
            }
            continue;
        }
        let expected = reasons_of(&m.key);
        assert!(
            !expected.is_empty(),
            "{}: a key no reason of the table names; add it to a row or to NO_SINGLE_REASON",
            m.key
        );
        let Pasted::Console(line) = pasted else {
            wrong.push(format!("{} {}: not recognised: {}", m.lang, m.key, m.text));
            continue;
        };
        if !expected.contains(&line.reason) {
            wrong.push(format!(
                "{} {}: {:?}, expected one of {expected:?}",
                m.lang, m.key, line.reason
            ));
        }
        if line.url != URL {
            wrong.push(format!("{} {}: URL {:?}", m.lang, m.key, line.url));
        }
        let has_status = m.value == STATUS.to_string();
        if has_status && line.status != Some(STATUS) {
            wrong.push(format!("{} {}: status {:?}", m.lang, m.key, line.status));
        }
        // The header value or name the message quotes.
        if !has_status && m.text.contains(&m.value) && line.value != m.value {
            wrong.push(format!(
                "{} {}: value {:?}, expected {:?}",
                m.lang, m.key, line.value, m.value
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn each_reason_firefox_names_has_a_message_in_both_languages() {
    let all = messages();
    for lang in ["en", "fr"] {
        for r in CorsError::ALL {
            // Local Network Access has no Firefox console message of its own.
            if matches!(
                r,
                CorsError::InsecureLocalNetwork | CorsError::LocalNetworkAccessPermissionDenied
            ) {
                continue;
            }
            assert!(
                all.iter()
                    .any(|m| m.lang == lang && reasons_of(&m.key).contains(&r)),
                "{lang}: no Firefox message names {r:?}"
            );
        }
    }
}
