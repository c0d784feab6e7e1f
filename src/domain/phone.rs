//! Phone numbers in E.164 form (`+212612345678`), the only form stored.

use super::Invalid;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts `+` and 8 to 15 digits, ignoring spaces, dots and dashes that
    /// people type; a leading 0 is not guessed into a country code.
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let compact: String = value
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or("");
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(compact))
        } else {
            Err(Invalid::new(
                "phone",
                "an international number such as +212612345678",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        assert_eq!(
            Phone::parse("+212 6 12-34.56 78").unwrap().as_str(),
            "+212612345678"
        );
        for bad in [
            "0612345678",
            "+0612345678",
            "+212",
            "+2126123456789012",
            "+2126a2345678",
            "",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
