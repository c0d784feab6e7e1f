//! Phone numbers as people type them (`Phone::parse`). A number that parses
//! is E.164, prints as itself, parses again to the same number, and the
//! separators people type (spaces, dots, dashes) do not change it.
#![no_main]

use guichet::domain::phone::Phone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let Ok(phone) = Phone::parse(input) else {
        return;
    };
    let text = phone.as_str();
    let digits = text.strip_prefix('+').expect("E.164 starts with +");
    assert!((8..=15).contains(&digits.len()), "{text:?}: digit count");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
    assert!(!digits.starts_with('0'), "{text:?}: leading 0");
    assert_eq!(phone.to_string(), text);
    assert_eq!(Phone::parse(text).as_ref(), Ok(&phone), "{text:?} re-parsed");

    // The same digits grouped another way are the same number.
    let spaced: String = text
        .chars()
        .enumerate()
        .flat_map(|(i, c)| [c, [' ', '.', '-'][i % 3]])
        .collect();
    assert_eq!(Phone::parse(&spaced).as_ref(), Ok(&phone), "{spaced:?}");
});
