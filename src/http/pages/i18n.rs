//! The words of the screens in French, Arabic and English, read from
//! `displays/i18n/*.json` (one file per screen, each key an object with
//! `fr`, `ar` and, for the citizen pages, `en`). A key missing in a
//! language falls back to French, then to the key itself; a unit test
//! keeps every key the templates and scripts use present in the files.
//!
//! Digits stay Western (0–9) in Arabic too: that is what Moroccan
//! administrations print, and ticket numbers (`A042`) must read the same
//! on the ticket, the screen and the SMS.

use rust_embed::RustEmbed;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(RustEmbed)]
#[folder = "displays/i18n/"]
struct Files;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    Ar,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::Ar, Lang::En];
    /// The languages of the office's own screens (TV, kiosk, agents).
    pub const OFFICE: [Lang; 2] = [Lang::Fr, Lang::Ar];

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    pub fn dir(&self) -> &'static str {
        if *self == Lang::Ar { "rtl" } else { "ltr" }
    }

    /// A figure with at most one decimal, as the language writes it: "4,5"
    /// in French and Arabic (as Moroccan offices print it), "4.5" in
    /// English; "4" for 4.0. Every page writes its figures through this.
    pub fn number(&self, value: f64) -> String {
        let rounded = (value * 10.0).round() / 10.0;
        let text = match rounded.fract() == 0.0 {
            true => format!("{rounded:.0}"),
            false => format!("{rounded:.1}"),
        };
        // `-0` reads as 0.
        let text = if text == "-0" { "0".to_owned() } else { text };
        match self {
            Lang::En => text,
            Lang::Fr | Lang::Ar => text.replace('.', ","),
        }
    }

    /// The language's own name, for the language switch.
    pub fn name(&self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
            Lang::En => "English",
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept(header: &str) -> Option<Lang> {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
    }

    pub fn tr(self) -> Tr {
        Tr { lang: self }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Entry {
    fr: String,
    ar: Option<String>,
    en: Option<String>,
}

/// Every entry of every file, by key.
static CATALOG: LazyLock<BTreeMap<String, Entry>> = LazyLock::new(|| {
    let mut all = BTreeMap::new();
    for name in Files::iter() {
        if name == ZGH_FILE {
            continue;
        }
        let Some(file) = Files::get(&name) else {
            continue;
        };
        match serde_json::from_slice::<BTreeMap<String, Entry>>(&file.data) {
            Ok(entries) => all.extend(entries),
            Err(error) => tracing::error!(file = %name, %error, "unreadable i18n file"),
        }
    }
    all
});

/// The catalogue of Tamazight in Tifinagh (Standard Moroccan Amazigh,
/// IRCAM orthography): a flat map from a key of the other files to its
/// words. It holds the fixed texts of the lobby, the counter display and
/// the kiosk, for sites that show Tamazight; a key it lacks shows in the
/// other languages only.
const ZGH_FILE: &str = "zgh.json";

static ZGH: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    let Some(file) = Files::get(ZGH_FILE) else {
        return BTreeMap::new();
    };
    serde_json::from_slice(&file.data).unwrap_or_else(|error| {
        tracing::error!(file = ZGH_FILE, %error, "unreadable i18n file");
        BTreeMap::new()
    })
});

/// The Tamazight (Tifinagh) words of `key`, if the catalogue has them.
pub fn zgh(key: &str) -> Option<&'static str> {
    let catalog: &'static BTreeMap<String, String> = &ZGH;
    catalog.get(key).map(String::as_str)
}

/// `key` in Tamazight with `{}` replaced by `value`.
pub fn zgh_f(key: &str, value: impl std::fmt::Display) -> Option<String> {
    zgh(key).map(|text| text.replacen("{}", &value.to_string(), 1))
}

/// The Tamazight entries whose key starts with one of `prefixes`, for a
/// screen's script.
pub fn zgh_bundle(prefixes: &[&str]) -> serde_json::Value {
    let catalog: &'static BTreeMap<String, String> = &ZGH;
    catalog
        .iter()
        .filter(|(k, _)| prefixes.iter().any(|p| k.starts_with(p)))
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The words of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// The text of `key`.
    pub fn s<'a>(&self, key: &'a str) -> &'a str {
        let catalog: &'static BTreeMap<String, Entry> = &CATALOG;
        let Some(entry) = catalog.get(key) else {
            return key;
        };
        let text = match self.lang {
            Lang::Fr => Some(&entry.fr),
            Lang::Ar => entry.ar.as_ref(),
            Lang::En => entry.en.as_ref(),
        };
        text.unwrap_or(&entry.fr)
    }

    /// The text of `{prefix}.{key}`: a page's own family of words.
    pub fn under(&self, prefix: &str, key: &str) -> String {
        self.s(&format!("{prefix}.{key}")).to_owned()
    }

    /// The text of `key` with `{}` replaced by `value`.
    pub fn f(&self, key: &str, value: impl std::fmt::Display) -> String {
        self.s(key).replacen("{}", &value.to_string(), 1)
    }

    /// The text of `key` for a count, with `{}` replaced by it: the entry
    /// `{key}.one`, `.two`, `.few` or `.many` as the language's grammar
    /// wants for that number (Arabic has all four; French and English use
    /// `.one` for 1, and French for 0 too), else `{key}.other`.
    pub fn n(&self, key: &str, count: impl std::borrow::Borrow<i64>) -> String {
        let count = *count.borrow();
        let form = match (self.lang, count) {
            (Lang::Fr, 0 | 1) | (Lang::En | Lang::Ar, 1) => "one",
            (Lang::Ar, 2) => "two",
            (Lang::Ar, 3..=10) => "few",
            (Lang::Ar, 11..) => "many",
            _ => "other",
        };
        let wanted = format!("{key}.{form}");
        let chosen = if CATALOG.contains_key(&wanted) {
            wanted
        } else {
            format!("{key}.other")
        };
        self.f(&chosen, count)
    }

    /// The entries whose key starts with `prefix`, as a JSON object for a
    /// page's script (in a `<script type="application/json">` block, so
    /// escaped for it).
    pub fn bundle(&self, prefix: &str) -> String {
        let map: BTreeMap<&str, &str> = CATALOG
            .keys()
            .filter(|k| k.starts_with(prefix))
            .map(|k| (k.as_str(), self.s(k)))
            .collect();
        super::frame::script_json(&serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn counts_take_the_form_their_number_wants() {
        assert_eq!(Lang::Fr.tr().n("portal.book.left", 1), "1 place");
        assert_eq!(Lang::Fr.tr().n("portal.book.left", 2), "2 places");
        assert_eq!(Lang::En.tr().n("portal.book.left", 1), "1 place left");
        assert_eq!(Lang::Ar.tr().n("portal.book.left", 2), "مكانان متاحان");
        assert_eq!(Lang::Ar.tr().n("portal.book.left", 12), "12 مكانا متاحا");
        assert_eq!(
            Lang::Fr.tr().n("portal.request.delay", 1),
            "1 jour ouvrable"
        );
        assert_eq!(
            Lang::Fr.tr().n("portal.request.delay", 3),
            "3 jours ouvrables"
        );
        assert_eq!(Lang::Ar.tr().n("portal.request.delay", 2), "يوما عمل");
        assert_eq!(Lang::En.tr().n("portal.request.delay", 1), "1 working day");
    }

    #[test]
    fn languages_come_from_codes_and_headers() {
        assert_eq!(Lang::parse("ar-MA"), Some(Lang::Ar));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::from_accept("de-DE,ar;q=0.8,fr;q=0.5"), Some(Lang::Ar));
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::En.dir(), "ltr");
    }

    /// Every key a template (`tr.s("…")`, `tr.f("…", …)`, `tr.n("…", …)`) or script
    /// (`T("…")`) uses is in the catalog, in French and Arabic.
    #[test]
    fn every_key_used_is_translated() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("displays");
        let mut missing = Vec::new();
        for dir in ["templates", "static"] {
            for path in files_under(&root.join(dir)) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for key in keys_used(&text) {
                    // A counted text (`tr.n`) is its `.other` form and its kin.
                    let ok = CATALOG
                        .get(&key)
                        .or_else(|| CATALOG.get(&format!("{key}.other")))
                        .is_some_and(|e| e.ar.is_some());
                    if !ok {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "untranslated keys:\n{}",
            missing.join("\n")
        );
    }

    /// Every Tamazight entry names a key of the other files, is written in
    /// Tifinagh (no Latin or Arabic letters), and keeps their `{}`.
    #[test]
    fn tamazight_is_in_tifinagh_for_known_keys() {
        assert!(ZGH.len() >= 15, "zgh.json unread");
        for (key, text) in ZGH.iter() {
            let entry = CATALOG
                .get(key)
                .unwrap_or_else(|| panic!("{key}: no such key"));
            assert_eq!(entry.fr.contains("{}"), text.contains("{}"), "{key}");
            let foreign = text
                .chars()
                .any(|c| c.is_alphabetic() && !('\u{2D30}'..='\u{2D7F}').contains(&c));
            assert!(!foreign, "{key}: {text} is not all Tifinagh");
        }
    }

    /// The citizen pages are in English too.
    #[test]
    fn citizen_pages_are_in_english_too() {
        let untranslated: Vec<&String> = CATALOG
            .iter()
            .filter(|(k, e)| {
                (k.starts_with("portal.") || k.starts_with("common.")) && e.en.is_none()
            })
            .map(|(k, _)| k)
            .collect();
        assert!(untranslated.is_empty(), "no English for {untranslated:?}");
    }

    fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else if path.extension().is_some_and(|e| e == "html" || e == "js") {
                found.push(path);
            }
        }
        found
    }

    fn keys_used(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for opener in [".s(\"", ".f(\"", ".n(\"", "T(\""] {
            let mut rest = text;
            while let Some(at) = rest.find(opener) {
                rest = &rest[at + opener.len()..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    let well_formed = key.starts_with(|c: char| c.is_ascii_lowercase())
                        && key.contains('.')
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
                    if well_formed {
                        keys.push(key.to_owned());
                    }
                }
            }
        }
        keys
    }
}
