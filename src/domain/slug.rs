//! Slugs: the ids admins choose for sites, services and counters
//! (`[a-z0-9-]{1,40}`), and the one-letter ticket prefix of a service.

use super::Invalid;
use std::fmt;

/// An admin-chosen id: lowercase ASCII letters, digits and dashes, 1 to 40.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub fn parse(field: &'static str, value: &str) -> Result<Self, Invalid> {
        let ok_len = (1..=40).contains(&value.len());
        let ok_chars = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok_len && ok_chars {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid::new(
                field,
                "1 to 40 characters among a-z, 0-9 and '-'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The letter that starts a service's ticket numbers (`A` in `A042`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix(char);

impl Prefix {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let mut chars = value.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_uppercase() => Ok(Self(c)),
            _ => Err(Invalid::new("prefix", "one capital letter A-Z")),
        }
    }

    pub fn as_char(&self) -> char {
        self.0
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("id", "casa-anfa-1").is_ok());
        for bad in ["", "Casa", "casa anfa", "casa_anfa", "é", &"a".repeat(41)] {
            assert!(Slug::parse("id", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn prefixes() {
        assert_eq!(Prefix::parse("A").unwrap().as_char(), 'A');
        for bad in ["", "a", "AB", "1", "É"] {
            assert!(Prefix::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
