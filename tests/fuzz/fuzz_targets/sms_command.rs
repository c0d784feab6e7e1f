//! Commands citizens send by SMS (`sms_command::parse`). Any text gives a
//! command; a reference is in the printed form (uppercase ASCII letters,
//! digits, hyphens; bounded), and sent again after either keyword it is
//! read as the same reference. Joining names at most three non-empty,
//! bounded, lowercase words, and the same words sent again join the same way.
#![no_main]

use guichet::domain::sms_command::{Command, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    let command = parse(body);
    assert_eq!(parse(body), command, "parsing is a function of the text");
    let reference = match &command {
        Command::Status(r) | Command::Cancel(r) => r,
        Command::Join(words) => return check_join(words),
        Command::Leave => {
            assert_eq!(parse("annuler"), Command::Leave);
            return;
        }
        Command::Help => return,
    };
    assert!((3..=20).contains(&reference.len()), "{reference:?}: length");
    assert!(
        reference
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'),
        "{reference:?}: not in printed form"
    );
    assert!(
        reference.bytes().any(|b| b.is_ascii_alphanumeric()),
        "{reference:?}: no letter or digit"
    );
    assert_eq!(
        parse(&format!("STATUS {reference}")),
        Command::Status(reference.clone())
    );
    assert_eq!(
        parse(&format!("annuler {}", reference.to_lowercase())),
        Command::Cancel(reference.clone())
    );
});

fn check_join(words: &[String]) {
    assert!(words.len() <= 3, "{words:?}: too many words");
    for word in words {
        assert!(!word.is_empty(), "{words:?}: empty word");
        assert!(word.chars().count() <= 40, "{word:?}: too long");
        assert_eq!(&word.to_lowercase(), word, "{word:?}: not lowercase");
        assert!(!word.chars().any(char::is_whitespace), "{word:?}: spaces");
    }
    assert_eq!(
        parse(&format!("FILE {}", words.join(" "))),
        Command::Join(words.to_vec()),
        "the tidied words join the same way"
    );
}
