//! Localisation: the extension's own `_locales` catalogs, embedded and looked
//! up by key, with `{name}` placeholders filled in by Rust.
//!
//! The same `messages.json` files serve `chrome.i18n` (manifest strings) and
//! the core (explanations, panel text), so there is one place to translate.
//! Messages never contain `$` (Chrome's placeholder marker); our placeholders
//! are `{name}` and are replaced in a single pass, so a value that itself
//! contains `{name}` is never substituted again.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// A language the catalogs are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// Every supported language, the fallback (English) first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The language for a BCP 47 tag (`fr`, `fr-FR`, `FR`, `fr_CA`); anything
    /// we do not translate into falls back to English.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// The `_locales` directory name (`en`, `fr`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The locale segment of MDN URLs (`en-US`, `fr`).
    pub fn mdn_locale(self) -> &'static str {
        match self {
            Lang::En => "en-US",
            Lang::Fr => "fr",
        }
    }
}

const EN_JSON: &str = include_str!("../../../_locales/en/messages.json");
const FR_JSON: &str = include_str!("../../../_locales/fr/messages.json");

type Catalog = BTreeMap<String, String>;

/// One entry of a Chrome `messages.json` file; `description` and
/// `placeholders` are for translators and Chrome, not for us.
#[derive(Deserialize)]
struct Entry {
    message: String,
}

fn parse(json: &str) -> Result<Catalog, serde_json::Error> {
    let raw: BTreeMap<String, Entry> = serde_json::from_str(json)?;
    Ok(raw.into_iter().map(|(k, e)| (k, e.message)).collect())
}

fn catalog(lang: Lang) -> &'static Catalog {
    static EN: OnceLock<Catalog> = OnceLock::new();
    static FR: OnceLock<Catalog> = OnceLock::new();
    // The catalogs are compiled in and parsed by the tests below: a parse
    // failure here is a build defect, not a runtime condition.
    match lang {
        Lang::En => EN.get_or_init(|| parse(EN_JSON).expect("embedded _locales/en is valid JSON")),
        Lang::Fr => FR.get_or_init(|| parse(FR_JSON).expect("embedded _locales/fr is valid JSON")),
    }
}

/// The message for `key` in `lang`; falls back to English, then to the key
/// itself, so a missing translation shows up without breaking anything.
pub fn t(lang: Lang, key: &str) -> String {
    catalog(lang)
        .get(key)
        .or_else(|| catalog(Lang::En).get(key))
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// The message for `key` with each `{name}` replaced by its value in `args`.
/// Unknown placeholders are left as written.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(&t(lang, key), args)
}

/// Every key of the catalog of `lang`, sorted.
pub fn keys(lang: Lang) -> Vec<String> {
    catalog(lang).keys().cloned().collect()
}

/// Single-pass substitution: inserted values are not scanned again.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Messages allowed to read the same in French as in English.
    const SAME_IN_FRENCH: &[(&str, &str)] = &[
        ("extName", "a product name is not translated"),
        ("cli_col_url", "URL is the same word in French"),
        ("panelTitle", "the panel tab shows the product name"),
        (
            "ui_lang_en",
            "a language picker names each language in that language",
        ),
        (
            "ui_lang_fr",
            "a language picker names each language in that language",
        ),
        ("ui_col_url", "URL is the French word too"),
        ("ui_col_type", "type is the French word too"),
        ("ui_tab_occurrences", "occurrences is the French word too"),
    ];

    fn raw(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
        let json = match lang {
            Lang::En => EN_JSON,
            Lang::Fr => FR_JSON,
        };
        match serde_json::from_str(json) {
            Ok(serde_json::Value::Object(map)) => map,
            other => panic!("{}: not a JSON object: {other:?}", lang.code()),
        }
    }

    fn placeholders(message: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut rest = message;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('}') {
                let name = &rest[..close];
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    found.insert(name.to_owned());
                }
            }
        }
        found
    }

    #[test]
    fn catalogs_parse_with_a_message_for_every_key() {
        for lang in Lang::ALL {
            for (key, entry) in raw(lang) {
                assert!(
                    entry.get("message").and_then(|m| m.as_str()).is_some(),
                    "{}: {key} has no string message",
                    lang.code()
                );
            }
            assert!(!keys(lang).is_empty());
        }
    }

    #[test]
    fn catalogs_have_identical_key_sets() {
        assert_eq!(keys(Lang::En), keys(Lang::Fr));
    }

    #[test]
    fn keys_are_chrome_message_names() {
        for lang in Lang::ALL {
            let mut folded = BTreeSet::new();
            for key in keys(lang) {
                assert!(
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{}: bad key {key:?}",
                    lang.code()
                );
                // Chrome looks message names up case-insensitively.
                assert!(
                    folded.insert(key.to_ascii_lowercase()),
                    "{key} collides by case"
                );
            }
        }
    }

    #[test]
    fn manifest_keys_exist() {
        for lang in Lang::ALL {
            assert_eq!(t(lang, "extName"), "CORS Lens");
            assert_ne!(t(lang, "extDescription"), "extDescription");
        }
    }

    #[test]
    fn no_message_or_description_contains_a_dollar() {
        for lang in Lang::ALL {
            for (key, entry) in raw(lang) {
                for field in ["message", "description"] {
                    let text = entry
                        .get(field)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default();
                    assert!(
                        !text.contains('$'),
                        "{}: {key}.{field} contains $",
                        lang.code()
                    );
                }
            }
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        for key in keys(Lang::En) {
            assert_eq!(
                placeholders(&t(Lang::En, &key)),
                placeholders(&t(Lang::Fr, &key)),
                "placeholders differ for {key}"
            );
        }
    }

    #[test]
    fn french_messages_are_translated() {
        for key in keys(Lang::En) {
            let same = t(Lang::En, &key) == t(Lang::Fr, &key);
            let allowed = SAME_IN_FRENCH.iter().any(|(k, _)| *k == key);
            assert_eq!(
                same, allowed,
                "{key}: same in French = {same}, allow-listed = {allowed}"
            );
        }
    }

    #[test]
    fn from_tag_picks_french_only_for_french_tags() {
        let cases = [
            ("fr", Lang::Fr),
            ("fr-FR", Lang::Fr),
            ("FR", Lang::Fr),
            ("fr_CA", Lang::Fr),
            (" fr-BE ", Lang::Fr),
            ("en", Lang::En),
            ("en-US", Lang::En),
            ("de", Lang::En),
            ("french", Lang::En),
            ("", Lang::En),
            ("-", Lang::En),
        ];
        for (tag, want) in cases {
            assert_eq!(Lang::from_tag(tag), want, "tag {tag:?}");
        }
    }

    #[test]
    fn codes_and_mdn_locales() {
        let cases = [(Lang::En, "en", "en-US"), (Lang::Fr, "fr", "fr")];
        for (lang, code, mdn) in cases {
            assert_eq!(lang.code(), code);
            assert_eq!(lang.mdn_locale(), mdn);
            assert_eq!(Lang::from_tag(code), lang);
        }
    }

    #[test]
    fn missing_keys_fall_back_to_the_key() {
        assert_eq!(t(Lang::Fr, "no_such_key"), "no_such_key");
        assert_eq!(tf(Lang::En, "no_such_key", &[("x", "y")]), "no_such_key");
    }

    #[test]
    fn fill_substitutes_once_and_keeps_unknown_braces() {
        let cases = [
            ("{a} and {b}", vec![("a", "1"), ("b", "2")], "1 and 2"),
            ("{a}", vec![("a", "{b}"), ("b", "no")], "{b}"),
            ("{unknown} {a}", vec![("a", "x")], "{unknown} x"),
            ("open { only", vec![("a", "x")], "open { only"),
            ("{a}{a}", vec![("a", "é")], "éé"),
            ("", vec![], ""),
        ];
        for (template, args, want) in cases {
            assert_eq!(fill(template, &args), want, "template {template:?}");
        }
        assert_eq!(
            tf(Lang::En, "ui_error", &[("message", "boom")]),
            "CORS Lens could not load: boom"
        );
    }
}
