//! Commands citizens send by SMS to the office's number: the status of a
//! request, or cancelling it, by its reference; joining a walk-in queue
//! from afar (`FILE A`, `FILE anfa A`, `طابور A`), or leaving it (`ANNULER`
//! alone).
//!
//! Texts come from any phone, in French or Arabic, typed by hand: keywords
//! are matched without case or accents and with the usual Arabic spelling
//! variants, and references are tidied into the form the office prints.
//! Anything not understood is `Help`, so the reply can say how to write it;
//! parsing never fails and looks at a bounded part of the text.

/// What a message asks for. References are in the printed form: uppercase
/// ASCII letters, digits and hyphens (`K7M2-Q9PX`, `DR-004217`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Status(String),
    Cancel(String),
    /// Join a walk-in queue: the words after the keyword (at most
    /// `MAX_JOIN_WORDS`, lowercase, digits as ASCII), which name the
    /// service and, when one number serves several offices, the office.
    /// The words are matched against the offices and services by the use
    /// case, which knows them; none at all asks which service.
    Join(Vec<String>),
    /// Leave the queue joined from afar (`ANNULER` without a reference).
    Leave,
    Help,
}

/// Longer texts are not commands; reading only this much bounds the work a
/// sender can cause.
const MAX_CHARS: usize = 1_000;

/// Bounds on a reference other than an appointment's.
const MIN_REFERENCE: usize = 3;
const MAX_REFERENCE: usize = 20;

/// Keywords in their folded form (see `fold`).
const STATUS_WORDS: &[&str] = &["STATUT", "STATUS", "ETAT", "حاله", "وضعيه"];
const CANCEL_WORDS: &[&str] = &["ANNULER", "CANCEL", "الغاء"];
const JOIN_WORDS: &[&str] = &[
    "FILE",
    "REJOINDRE",
    "QUEUE",
    "JOIN",
    "طابور",
    "الطابور",
    "صف",
];
/// The keywords whose answer goes in English.
const ENGLISH_WORDS: &[&str] = &["STATUS", "CANCEL", "QUEUE", "JOIN"];

/// Words after a join keyword: an office and a service of up to two words
/// (`FILE anfa certificat residence`).
const MAX_JOIN_WORDS: usize = 3;
/// A word longer than this names no office or service.
const MAX_JOIN_WORD: usize = 40;

#[derive(Debug, Clone, Copy)]
enum Keyword {
    Status,
    Cancel,
    Join,
}

/// The command a text asks for: a keyword, then a reference and nothing else.
pub fn parse(body: &str) -> Command {
    let mut words = bounded(body).split_whitespace();
    let Some(keyword) = words.next().and_then(keyword) else {
        return Command::Help;
    };
    let rest: Vec<&str> = words.collect();
    match keyword {
        Keyword::Join => join_words(&rest).map_or(Command::Help, Command::Join),
        Keyword::Cancel if rest.is_empty() => Command::Leave,
        Keyword::Cancel => reference(&rest).map_or(Command::Help, Command::Cancel),
        Keyword::Status => reference(&rest).map_or(Command::Help, Command::Status),
    }
}

/// The words naming an office and a service, tidied for matching; `None`
/// when there are too many or one is too long to name anything.
fn join_words(words: &[&str]) -> Option<Vec<String>> {
    if words.len() > MAX_JOIN_WORDS {
        return None;
    }
    let tidy = |word: &&str| {
        let word = normalize(word).to_lowercase();
        (!word.is_empty() && word.chars().count() <= MAX_JOIN_WORD).then_some(word)
    };
    words.iter().map(tidy).collect()
}

/// The language to answer a text in: that of its keyword (`STATUS`,
/// `CANCEL`, `QUEUE` and `JOIN` are English, the other Latin keywords
/// French), else Arabic if
/// the text has Arabic letters, else French.
pub fn language(body: &str) -> &'static str {
    let text = bounded(body);
    let first = text.split_whitespace().next().unwrap_or("");
    let folded: String = first.chars().filter_map(fold).collect();
    let arabic = |t: &str| t.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    match folded.as_str() {
        english if ENGLISH_WORDS.contains(&english) => "en",
        _ if keyword(first).is_some() && arabic(first) => "ar",
        _ if keyword(first).is_some() => "fr",
        _ if arabic(text) => "ar",
        _ => "fr",
    }
}

/// The first `MAX_CHARS` characters of the text.
fn bounded(body: &str) -> &str {
    match body.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => &body[..end],
        None => body,
    }
}

fn keyword(word: &str) -> Option<Keyword> {
    let folded: String = word.chars().filter_map(fold).collect();
    if STATUS_WORDS.contains(&folded.as_str()) {
        Some(Keyword::Status)
    } else if CANCEL_WORDS.contains(&folded.as_str()) {
        Some(Keyword::Cancel)
    } else if JOIN_WORDS.contains(&folded.as_str()) {
        Some(Keyword::Join)
    } else {
        None
    }
}

/// One character of a keyword as it is compared: Latin letters uppercase
/// without accents; Arabic alef with or without hamza as a bare alef, tāʾ
/// marbūṭa as hāʾ and alef maqṣūra as yāʾ (phones and people write both);
/// vowel marks, tatweel and invisible marks dropped.
fn fold(c: char) -> Option<char> {
    match c {
        'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => Some('A'),
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => Some('E'),
        'î' | 'ï' | 'Î' | 'Ï' => Some('I'),
        'ô' | 'ö' | 'Ô' | 'Ö' => Some('O'),
        'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => Some('U'),
        'ç' | 'Ç' => Some('C'),
        'أ' | 'إ' | 'آ' | 'ٱ' => Some('ا'),
        'ة' => Some('ه'),
        'ى' => Some('ي'),
        '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' => None,
        c if is_invisible(c) => None,
        c => Some(c.to_ascii_uppercase()),
    }
}

/// Direction and zero-width marks: phones put them around Latin text in an
/// Arabic message, and they are not part of what the person typed.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// The reference in the words after the keyword: one word, or an
/// appointment's two halves typed apart (`k7m2 q9px`).
fn reference(words: &[&str]) -> Option<String> {
    let words: Vec<String> = words.iter().map(|word| normalize(word)).collect();
    match words.as_slice() {
        [one] => appointment(one).or_else(|| other(one)),
        [first, second] if is_half(first) && is_half(second) => Some(format!("{first}-{second}")),
        _ => None,
    }
}

/// Digits as ASCII, letters uppercase, invisible marks dropped; anything
/// else is kept, for `appointment` and `other` to refuse.
fn normalize(word: &str) -> String {
    word.chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| ascii_digit(c).unwrap_or(c.to_ascii_uppercase()))
        .collect()
}

/// Arabic-Indic (٠…٩) and Eastern Arabic-Indic (۰…۹) digits, which Arabic
/// keyboards type, as their ASCII digit.
fn ascii_digit(c: char) -> Option<char> {
    let value = match c {
        '\u{0660}'..='\u{0669}' => u32::from(c) - 0x0660,
        '\u{06F0}'..='\u{06F9}' => u32::from(c) - 0x06F0,
        _ => return None,
    };
    char::from_digit(value, 10)
}

/// An appointment reference, `XXXX-XXXX`, also when typed without its hyphen.
fn appointment(word: &str) -> Option<String> {
    match word.split_once('-') {
        Some((first, second)) if is_half(first) && is_half(second) => Some(word.to_owned()),
        None if word.len() == 8 && word.is_char_boundary(4) => {
            let (first, second) = word.split_at(4);
            (is_half(first) && is_half(second)).then(|| format!("{first}-{second}"))
        }
        _ => None,
    }
}

/// Four ASCII letters or digits: half an appointment reference.
fn is_half(part: &str) -> bool {
    part.len() == 4 && part.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Any other reference (`DR-…`, `RC-…`): uppercase letters, digits and
/// hyphens, with at least one letter or digit, of a sensible length.
fn other(word: &str) -> Option<String> {
    let ok = (MIN_REFERENCE..=MAX_REFERENCE).contains(&word.len())
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && word.bytes().any(|b| b.is_ascii_alphanumeric());
    ok.then(|| word.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(reference: &str) -> Command {
        Command::Status(reference.to_owned())
    }

    fn cancel(reference: &str) -> Command {
        Command::Cancel(reference.to_owned())
    }

    #[test]
    fn answers_go_in_the_language_of_the_keyword() {
        for (body, lang) in [
            ("STATUT K7M2-Q9PX", "fr"),
            ("état K7M2-Q9PX", "fr"),
            ("annuler k7m2q9px", "fr"),
            ("Status K7M2-Q9PX", "en"),
            ("cancel K7M2-Q9PX", "en"),
            ("FILE A", "fr"),
            ("file anfa a", "fr"),
            ("annuler", "fr"),
            ("QUEUE A", "en"),
            ("Join A", "en"),
            ("طابور A", "ar"),
            ("إلغاء", "ar"),
            ("حالة K7M2-Q9PX", "ar"),
            ("إلغاء K7M2-Q9PX", "ar"),
            ("مرحبا", "ar"),
            ("bonjour", "fr"),
            ("", "fr"),
        ] {
            assert_eq!(language(body), lang, "{body:?}");
        }
    }

    #[test]
    fn french_and_english_keywords() {
        for body in [
            "STATUT K7M2-Q9PX",
            "statut K7M2-Q9PX",
            "Status K7M2-Q9PX",
            "ETAT K7M2-Q9PX",
            "état K7M2-Q9PX",
            "ÉTAT K7M2-Q9PX",
            "  Etat\tK7M2-Q9PX \n",
        ] {
            assert_eq!(parse(body), status("K7M2-Q9PX"), "{body:?}");
        }
        for body in ["ANNULER K7M2-Q9PX", "annuler K7M2-Q9PX", "Cancel K7M2-Q9PX"] {
            assert_eq!(parse(body), cancel("K7M2-Q9PX"), "{body:?}");
        }
    }

    #[test]
    fn arabic_keywords() {
        for body in [
            "حالة K7M2-Q9PX",
            "حاله K7M2-Q9PX",
            "وضعية K7M2-Q9PX",
            "حـالـة K7M2-Q9PX",
        ] {
            assert_eq!(parse(body), status("K7M2-Q9PX"), "{body:?}");
        }
        for body in [
            "إلغاء K7M2-Q9PX",
            "الغاء K7M2-Q9PX",
            "ألغاء K7M2-Q9PX",
            "إِلْغَاء K7M2-Q9PX",
        ] {
            assert_eq!(parse(body), cancel("K7M2-Q9PX"), "{body:?}");
        }
    }

    #[test]
    fn direction_marks_are_ignored() {
        assert_eq!(
            parse("إلغاء \u{200F}K7M2-Q9PX\u{200E}"),
            cancel("K7M2-Q9PX")
        );
    }

    #[test]
    fn arabic_digits_become_ascii() {
        assert_eq!(parse("حالة K٧M٢-Q٩PX"), status("K7M2-Q9PX"));
        assert_eq!(parse("حالة K۷M۲-Q۹PX"), status("K7M2-Q9PX"));
        assert_eq!(parse("STATUT dr-٠٠٤٢١٧"), status("DR-004217"));
        assert_eq!(parse("STATUT rc-۰۰۴۲۱۷"), status("RC-004217"));
    }

    #[test]
    fn appointment_references_get_their_hyphen() {
        for body in [
            "statut k7m2q9px",
            "statut k7m2-q9px",
            "statut k7m2 q9px",
            "statut K7M2Q9PX",
        ] {
            assert_eq!(parse(body), status("K7M2-Q9PX"), "{body:?}");
        }
    }

    #[test]
    fn other_references_are_kept_as_typed() {
        assert_eq!(parse("statut DR-004217"), status("DR-004217"));
        assert_eq!(parse("annuler rc-000042"), cancel("RC-000042"));
        assert_eq!(parse("statut ABC"), status("ABC"));
        assert_eq!(parse("statut K7M-2Q9PX"), status("K7M-2Q9PX"));
    }

    #[test]
    fn anything_else_is_help() {
        for body in [
            "",
            "   ",
            "bonjour",
            "STATUT",
            "ANNULER K7M2-Q9PX merci",
            "FILE anfa certificat de residence",
            "STATUT AB",
            "STATUT ---",
            "STATUT K7M2_Q9PX",
            "STATUT kéké",
            "STATUT DR 004217",
            "STATUT ＫＫＫＫＫ",
            "K7M2-Q9PX",
            "STATUTK7M2-Q9PX",
            "RENDEZVOUS K7M2-Q9PX",
        ] {
            assert_eq!(parse(body), Command::Help, "{body:?}");
        }
        assert_eq!(parse(&format!("STATUT {}", "A".repeat(21))), Command::Help);
        assert_eq!(
            parse(&format!("STATUT {}", "A".repeat(20))),
            status(&"A".repeat(20))
        );
    }

    fn join(words: &[&str]) -> Command {
        Command::Join(words.iter().map(|w| (*w).to_owned()).collect())
    }

    #[test]
    fn joining_names_a_service_and_maybe_an_office() {
        assert_eq!(parse("FILE A"), join(&["a"]));
        assert_eq!(parse("file a"), join(&["a"]));
        assert_eq!(parse("  File\tAnfa  A \n"), join(&["anfa", "a"]));
        assert_eq!(
            parse("REJOINDRE certificat-residence"),
            join(&["certificat-residence"])
        );
        assert_eq!(
            parse("FILE anfa certificat residence"),
            join(&["anfa", "certificat", "residence"])
        );
        assert_eq!(parse("QUEUE A"), join(&["a"]));
        assert_eq!(parse("join passport"), join(&["passport"]));
        assert_eq!(parse("طابور A"), join(&["a"]));
        assert_eq!(parse("الطابور \u{200F}anfa B"), join(&["anfa", "b"]));
        assert_eq!(parse("FILE"), join(&[]));
        assert_eq!(parse("طابور"), join(&[]));
        assert_eq!(parse(&format!("FILE {}", "a".repeat(41))), Command::Help);
        assert_eq!(
            parse(&format!("FILE {}", "a".repeat(40))),
            join(&[&"a".repeat(40)])
        );
    }

    #[test]
    fn cancel_alone_leaves_the_queue() {
        for body in [
            "ANNULER",
            "annuler",
            "  Annuler \n",
            "CANCEL",
            "إلغاء",
            "الغاء",
            "ألغاء",
        ] {
            assert_eq!(parse(body), Command::Leave, "{body:?}");
        }
        assert_eq!(parse("ANNULER K7M2-Q9PX"), cancel("K7M2-Q9PX"));
    }

    #[test]
    fn only_the_start_of_a_long_text_is_read() {
        assert_eq!(parse(&"é".repeat(1_000_000)), Command::Help);
        let far = format!("STATUT{}K7M2Q9PX", " ".repeat(MAX_CHARS));
        assert_eq!(parse(&far), Command::Help);
        let near = format!("STATUT{}K7M2Q9PX", " ".repeat(MAX_CHARS - 20));
        assert_eq!(parse(&near), status("K7M2-Q9PX"));
    }
}
