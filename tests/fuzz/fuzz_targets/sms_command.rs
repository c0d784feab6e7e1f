//! Commands citizens send by SMS (`sms_command::parse`). Any text gives a
//! command; a reference is in the printed form (uppercase ASCII letters,
//! digits, hyphens; bounded), and sent again after either keyword it is
//! read as the same reference.
#![no_main]

use guichet::domain::sms_command::{Command, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    let command = parse(body);
    assert_eq!(parse(body), command, "parsing is a function of the text");
    let reference = match &command {
        Command::Status(r) | Command::Cancel(r) => r,
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
