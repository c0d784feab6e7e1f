//! Calls said in Tamazight from clips an office records: which clips there
//! are, which a site needs, and what an uploaded clip is.
//!
//! A call is said as "ⵜⴰⵡⵔⵉⵇⵜ (ticket) A 4 2, ⴰⵙⴰⵔⵓ (counter) 3": the word
//! `ticket`, the ticket's letter (`letter-a`), its number digit by digit
//! (`digit-4`, `digit-2`, leading zeros left out), the word `counter`, and
//! the counter's number digit by digit. A site's full set is the two words,
//! the ten digits and the letter of each of its services' prefixes.

use super::Invalid;

/// The largest clip taken (a word or digit is a second or two of audio).
pub const MAX_CLIP_BYTES: usize = 512 * 1024;

/// The two words of a call.
pub const WORDS: [&str; 2] = ["ticket", "counter"];

/// Whether `name` is a clip the lobby can use: `ticket`, `counter`,
/// `digit-0` … `digit-9` or `letter-a` … `letter-z`.
pub fn is_clip_name(name: &str) -> bool {
    if WORDS.contains(&name) {
        return true;
    }
    let one = |rest: &str, ok: fn(char) -> bool| {
        let mut chars = rest.chars();
        matches!((chars.next(), chars.next()), (Some(c), None) if ok(c))
    };
    match (name.strip_prefix("digit-"), name.strip_prefix("letter-")) {
        (Some(rest), _) => one(rest, |c| c.is_ascii_digit()),
        (_, Some(rest)) => one(rest, |c| c.is_ascii_lowercase()),
        _ => false,
    }
}

/// A clip's name, checked.
pub fn parse_name(name: &str) -> Result<&str, Invalid> {
    if is_clip_name(name) {
        Ok(name)
    } else {
        Err(Invalid::new(
            "name",
            "a clip is ticket, counter, digit-0 … digit-9 or letter-a … letter-z",
        ))
    }
}

/// The clips a site needs to say every call it can make: the two words, the
/// ten digits, and the letter of each ticket prefix (`A` → `letter-a`).
pub fn required<'a>(prefixes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
    names.extend((0..10).map(|d| format!("digit-{d}")));
    let mut letters: Vec<char> = prefixes
        .into_iter()
        .filter_map(|p| p.chars().next())
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    letters.sort_unstable();
    letters.dedup();
    names.extend(letters.into_iter().map(|c| format!("letter-{c}")));
    names
}

/// The audio type of a clip, read from its first bytes (never from what the
/// client says): Ogg (Opus or Vorbis), MP3, WAV, or WebM.
pub fn audio_type(bytes: &[u8]) -> Result<&'static str, Invalid> {
    if bytes.len() > MAX_CLIP_BYTES {
        return Err(Invalid::new(
            "clip",
            format!("a clip is at most {} KiB", MAX_CLIP_BYTES / 1024),
        ));
    }
    let wav = bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE";
    let mp3_frame = bytes.len() > 4 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0;
    let kind = match bytes {
        [b'O', b'g', b'g', b'S', ..] => Some("audio/ogg"),
        [b'I', b'D', b'3', ..] => Some("audio/mpeg"),
        [0x1A, 0x45, 0xDF, 0xA3, ..] => Some("audio/webm"),
        _ if wav => Some("audio/wav"),
        _ if mp3_frame => Some("audio/mpeg"),
        _ => None,
    };
    kind.ok_or_else(|| {
        Invalid::new(
            "audio",
            "a clip is an Ogg, MP3, WAV or WebM recording (read from its content)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_names_are_words_digits_and_letters() {
        for ok in [
            "ticket", "counter", "digit-0", "digit-9", "letter-a", "letter-z",
        ] {
            assert!(is_clip_name(ok), "{ok}");
        }
        for bad in [
            "", "digit-10", "letter-A", "letter-", "digit-x", "../x", "tickets",
        ] {
            assert!(!is_clip_name(bad), "{bad}");
        }
        assert_eq!(parse_name("letter-B").unwrap_err().field, "name");
    }

    #[test]
    fn a_site_needs_the_words_the_digits_and_its_letters() {
        let names = required(["B", "A", "B"]);
        assert_eq!(names.len(), 14);
        assert_eq!(&names[..3], ["ticket", "counter", "digit-0"]);
        assert_eq!(&names[12..], ["letter-a", "letter-b"]);
    }

    #[test]
    fn the_type_comes_from_the_content() {
        assert_eq!(audio_type(b"OggS\0\x02rest"), Ok("audio/ogg"));
        assert_eq!(audio_type(b"ID3\x04\0\0\0\0"), Ok("audio/mpeg"));
        assert_eq!(audio_type(b"RIFF\x24\0\0\0WAVEfmt "), Ok("audio/wav"));
        assert_eq!(
            audio_type(b"<svg onload=alert(1)>").unwrap_err().field,
            "audio"
        );
        assert_eq!(audio_type(b"\x89PNG\r\n\x1a\n").unwrap_err().field, "audio");
        let big = [b"OggS".as_slice(), &vec![0; MAX_CLIP_BYTES]].concat();
        assert_eq!(audio_type(&big).unwrap_err().field, "clip");
    }
}
