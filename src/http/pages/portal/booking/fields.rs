//! Small things every portal page reads the same way: names in the
//! visitor's language, phones as typed, tokens from addresses, modes.

use crate::http::pages::i18n::Lang;

/// The name of a site or service in the visitor's language.
pub fn name_in(lang: Lang, name: &str, name_ar: Option<&str>) -> String {
    match (lang, name_ar) {
        (Lang::Ar, Some(ar)) if !ar.is_empty() => ar.to_owned(),
        _ => name.to_owned(),
    }
}

/// A service's name in the visitor's language, with the language it is
/// written in when that is not the page's: an English page shows the
/// French name, marked `lang="fr"`, when the service has no English one.
pub fn service_name_in(
    lang: Lang,
    name: &str,
    name_ar: Option<&str>,
    name_en: Option<&str>,
) -> (String, Option<&'static str>) {
    match (lang, name_en) {
        (Lang::En, Some(en)) if !en.is_empty() => (en.to_owned(), None),
        (Lang::En, _) => (name.to_owned(), Some("fr")),
        _ => (name_in(lang, name, name_ar), None),
    }
}

/// A phone as typed: a Moroccan national number (`06…`) becomes
/// international, as the use cases want; anything else is left to them.
pub fn phone_input(typed: &str) -> String {
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect();
    match compact.strip_prefix('0') {
        Some(rest) if rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_digit()) => {
            format!("+212{rest}")
        }
        _ => compact,
    }
}

/// A token or reference from an address, if it could be one: anything
/// else is treated as absent (and so not found).
pub fn opaque(value: Option<&str>) -> Option<&str> {
    value.filter(|v| {
        !v.is_empty()
            && v.len() <= 200
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The appointment's manage page in full, with its token if it is one
/// (for the confirmation, its QR code and the calendar file).
pub fn manage_url(app: &crate::app::App, reference: &str, token: Option<&str>) -> String {
    match opaque(token) {
        Some(token) => app.links.manage_link(reference, token),
        None => app.links.manage_page(reference),
    }
}

/// The label of an appointment mode.
pub fn mode_label(lang: Lang, mode: &str) -> &'static str {
    let tr = lang.tr();
    if mode == "video" {
        tr.s("portal.mode.video")
    } else {
        tr.s("portal.mode.in_person")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_numbers_become_international_and_tokens_stay_plain() {
        assert_eq!(phone_input("06 12 34 56 78"), "+212612345678");
        assert_eq!(phone_input("+212 6.12.34.56.78"), "+212612345678");
        assert_eq!(phone_input("0612"), "0612");
        assert_eq!(opaque(Some("abc-DEF_12")), Some("abc-DEF_12"));
        assert_eq!(opaque(Some("a b")), None);
        assert_eq!(opaque(Some("")), None);
        assert_eq!(name_in(Lang::Ar, "Annexe", Some("ملحقة")), "ملحقة");
        assert_eq!(name_in(Lang::En, "Annexe", Some("ملحقة")), "Annexe");
        let named = |lang, en| service_name_in(lang, "Passeport", Some("جواز السفر"), en);
        assert_eq!(named(Lang::En, Some("Passport")), ("Passport".into(), None));
        assert_eq!(named(Lang::En, None), ("Passeport".into(), Some("fr")));
        assert_eq!(
            named(Lang::Ar, Some("Passport")),
            ("جواز السفر".into(), None)
        );
    }
}
