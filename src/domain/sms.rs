//! How long an SMS is, in what operators bill: segments.
//!
//! A text goes out in GSM-7 when every character is in the GSM 03.38 default
//! alphabet or its extension table, otherwise in UCS-2, which holds less than
//! half as much. Longer texts are split into concatenated parts that lose room
//! to the concatenation header, and a part never ends in the middle of a
//! character: neither an escape pair (GSM-7) nor a surrogate pair (UCS-2).
//! This module only counts and cuts; it knows nothing of how texts are sent.

/// The alphabet a text is sent in, which decides how much fits in a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// The GSM 03.38 default alphabet, in table order, without the escape code
/// (0x1B). Position 0x09 is the uppercase `Ç` of the standard: some phones
/// show it as `ç`, but a lowercase `ç` is counted as UCS-2 so that a count
/// never promises more room than the operator gives.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                         ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: each of these is sent as the escape code followed by
/// one septet, so it costs two.
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Room in one message, and in each part of a concatenated one.
#[derive(Debug, Clone, Copy)]
struct Limits {
    single: u64,
    part: u64,
}

const GSM7_LIMITS: Limits = Limits {
    single: 160,
    part: 153,
};

const UCS2_LIMITS: Limits = Limits {
    single: 70,
    part: 67,
};

/// What `shorten` puts where it cut: `…` is not GSM-7, so a GSM-7 text gets
/// three dots rather than being switched to UCS-2 and losing half its room.
const GSM7_ELLIPSIS: &str = "...";
const UCS2_ELLIPSIS: &str = "…";

/// Septets a character costs in GSM-7, or `None` if GSM-7 cannot carry it.
fn gsm_septets(c: char) -> Option<u64> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// GSM-7 only if every character has a GSM-7 code.
pub fn encoding(text: &str) -> Encoding {
    if text.chars().all(|c| gsm_septets(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

/// The units (septets or UTF-16 code units) a character costs.
fn cost(encoding: Encoding, c: char) -> u64 {
    match encoding {
        Encoding::Gsm7 => gsm_septets(c).unwrap_or(1),
        Encoding::Ucs2 => c.len_utf16() as u64,
    }
}

fn limits(encoding: Encoding) -> Limits {
    match encoding {
        Encoding::Gsm7 => GSM7_LIMITS,
        Encoding::Ucs2 => UCS2_LIMITS,
    }
}

/// A running count of units and of the parts they fill, so that `shorten`
/// can try each cut without recounting the text before it.
#[derive(Debug, Clone, Copy)]
struct Tally {
    limits: Limits,
    total: u64,
    parts: u64,
    fill: u64,
}

impl Tally {
    fn new(limits: Limits) -> Self {
        Self {
            limits,
            total: 0,
            parts: 1,
            fill: 0,
        }
    }

    /// Adds one character; one that would not fit whole in the current part
    /// starts the next one, as the sender splits it.
    fn push(&mut self, units: u64) {
        self.total = self.total.saturating_add(units);
        if self.fill + units > self.limits.part {
            self.parts = self.parts.saturating_add(1);
            self.fill = units;
        } else {
            self.fill += units;
        }
    }

    fn push_str(&mut self, encoding: Encoding, text: &str) {
        for c in text.chars() {
            self.push(cost(encoding, c));
        }
    }

    /// A text that fits in one message needs no concatenation header.
    fn segments(&self) -> u64 {
        if self.total <= self.limits.single {
            1
        } else {
            self.parts
        }
    }
}

/// Segments the text is billed as; an empty text is still one message.
pub fn segments(text: &str) -> u32 {
    let encoding = encoding(text);
    let mut tally = Tally::new(limits(encoding));
    tally.push_str(encoding, text);
    u32::try_from(tally.segments()).unwrap_or(u32::MAX)
}

/// The text if it fits in `max_segments`, else its longest start that fits
/// with an ellipsis, cut after the last word that fits when there is one.
/// A message is at least one segment, so 0 is taken as 1.
pub fn shorten(text: &str, max_segments: u32) -> String {
    let max = u64::from(max_segments.max(1));
    if u64::from(segments(text)) <= max {
        return text.to_owned();
    }
    let encoding = encoding(text);
    let ellipsis = match encoding {
        Encoding::Gsm7 => GSM7_ELLIPSIS,
        Encoding::Ucs2 => UCS2_ELLIPSIS,
    };
    let cut = longest_fitting_prefix(text, encoding, ellipsis, max);
    format!("{}{ellipsis}", at_word_boundary(text, cut))
}

/// Byte length of the longest start of `text` that still fits in `max`
/// segments once `ellipsis` is added; adding characters never lowers the
/// count, so the scan stops at the first that does not fit.
fn longest_fitting_prefix(text: &str, encoding: Encoding, ellipsis: &str, max: u64) -> usize {
    let mut tally = Tally::new(limits(encoding));
    let mut best = 0;
    for (index, c) in text.char_indices() {
        tally.push(cost(encoding, c));
        let mut with_ellipsis = tally;
        with_ellipsis.push_str(encoding, ellipsis);
        if with_ellipsis.segments() > max {
            break;
        }
        best = index + c.len_utf8();
    }
    best
}

/// The start of `text` up to `cut`, less a partly kept last word and the
/// spaces before the cut; a text with no earlier space is cut inside its word.
fn at_word_boundary(text: &str, cut: usize) -> &str {
    let kept = &text[..cut];
    if text[cut..].starts_with(char::is_whitespace) {
        return match kept.trim_end() {
            "" => kept,
            trimmed => trimmed,
        };
    }
    match kept.rfind(char::is_whitespace) {
        Some(space) if !kept[..space].trim_end().is_empty() => kept[..space].trim_end(),
        _ => kept,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_complete() {
        assert_eq!(GSM_BASIC.chars().count(), 127);
        assert_eq!(GSM_EXTENSION.chars().count(), 10);
    }

    #[test]
    fn plain_french_fills_160_septets_then_153_per_part() {
        let text = "Votre tour approche. ".repeat(10);
        assert_eq!(encoding(&text), Encoding::Gsm7);
        assert_eq!(segments(&text[..160]), 1);
        assert_eq!(segments(&text[..161]), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
    }

    #[test]
    fn empty_text_is_one_segment() {
        assert_eq!(segments(""), 1);
        assert_eq!(encoding(""), Encoding::Gsm7);
    }

    #[test]
    fn some_accents_are_gsm_and_others_are_not() {
        for gsm in ["é", "à", "è", "ù", "É", "Ç", "ñ", "ü"] {
            assert_eq!(encoding(gsm), Encoding::Gsm7, "{gsm}");
        }
        for ucs2 in ["ê", "ç", "â", "ô", "î", "`", "\t"] {
            assert_eq!(encoding(ucs2), Encoding::Ucs2, "{ucs2}");
        }
        assert_eq!(encoding("Présentez-vous à l'accueil"), Encoding::Gsm7);
        assert_eq!(encoding("Votre requête est prête"), Encoding::Ucs2);
    }

    #[test]
    fn arabic_fits_70_then_67_per_part() {
        let seventy = "م".repeat(70);
        assert_eq!(encoding(&seventy), Encoding::Ucs2);
        assert_eq!(segments(&seventy), 1);
        assert_eq!(segments(&"م".repeat(71)), 2);
        assert_eq!(segments(&"م".repeat(134)), 2);
        assert_eq!(segments(&"م".repeat(135)), 3);
    }

    #[test]
    fn extension_characters_count_double() {
        assert_eq!(encoding("{€}"), Encoding::Gsm7);
        assert_eq!(segments(&"€".repeat(80)), 1);
        assert_eq!(segments(&"€".repeat(81)), 2);
    }

    #[test]
    fn an_escape_pair_is_not_split_across_parts() {
        // 152 septets then a 2-septet `€`: it starts the second part, so
        // parts hold 152 and 153 + 2 septets, which needs a third.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(segments(&text), 3);
        let text = format!("{}€{}", "a".repeat(151), "a".repeat(152));
        assert_eq!(segments(&text), 2);
    }

    #[test]
    fn emoji_take_two_units_and_stay_whole() {
        assert_eq!(encoding("👍"), Encoding::Ucs2);
        assert_eq!(segments(&"👍".repeat(35)), 1);
        assert_eq!(segments(&"👍".repeat(36)), 2);
        // 66 units then a pair: the pair starts the second part.
        let text = format!("{}👍{}", "م".repeat(66), "م".repeat(66));
        assert_eq!(segments(&text), 3);
    }

    #[test]
    fn short_text_is_left_alone() {
        for text in ["", "Bonjour", "مرحبا", "👍"] {
            assert_eq!(shorten(text, 1), text);
            assert_eq!(shorten(&shorten(text, 1), 1), text);
        }
    }

    /// Checks that `short` is a start of `text` cut before a space, with
    /// `ellipsis`, within `max` segments, and that shortening it again keeps it.
    fn assert_cut_at_a_word(text: &str, short: &str, ellipsis: &str, max: u32) {
        let kept = short.strip_suffix(ellipsis).unwrap();
        assert!(text.starts_with(kept), "{short:?}");
        assert!(text[kept.len()..].starts_with(' '), "{short:?}");
        assert!(segments(short) <= max, "{short:?}");
        assert_eq!(shorten(short, max), short);
    }

    #[test]
    fn gsm_text_is_cut_at_a_word_with_three_dots() {
        let text = "Votre rendez-vous est confirmé. ".repeat(20);
        for max in 1..=3 {
            let short = shorten(&text, max);
            assert_eq!(encoding(&short), Encoding::Gsm7);
            assert_cut_at_a_word(&text, &short, "...", max);
        }
        assert_eq!(shorten(&text, 1).chars().count(), 152);
    }

    #[test]
    fn ucs2_text_is_cut_with_an_ellipsis() {
        let text = "تم تأكيد موعدكم بنجاح ".repeat(20);
        for max in 1..=3 {
            assert_cut_at_a_word(&text, &shorten(&text, max), "…", max);
        }
    }

    #[test]
    fn a_cut_that_falls_between_words_keeps_the_last_word() {
        let text = format!("{} fin", "a".repeat(157));
        assert_eq!(shorten(&text, 1), format!("{}...", "a".repeat(157)));
    }

    #[test]
    fn a_text_without_spaces_is_cut_inside_it() {
        let short = shorten(&"a".repeat(200), 1);
        assert_eq!(short, format!("{}...", "a".repeat(157)));
        let short = shorten(&"👍".repeat(100), 1);
        assert_eq!(short, format!("{}…", "👍".repeat(34)));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        assert_eq!(shorten(&"a".repeat(200), 0), shorten(&"a".repeat(200), 1));
        assert_eq!(
            shorten(&"€".repeat(200), 1),
            format!("{}...", "€".repeat(78))
        );
        assert_eq!(
            shorten(&" ".repeat(200), 1),
            format!("{}...", " ".repeat(157))
        );
        assert_eq!(
            shorten(&"e\u{301}".repeat(100), 1).chars().last(),
            Some('…')
        );
    }
}
