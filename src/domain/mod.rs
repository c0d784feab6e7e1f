//! Pure rules of the office: identifiers, roles, opening hours, local time.
//!
//! Nothing here does I/O, awaits, or knows SQL or HTTP. Values are built by
//! `parse` constructors so that everything past the HTTP edge is already valid.

pub mod capsule;
pub mod comparison;
pub mod estimate;
pub mod event;
pub mod guide;
pub mod media;
pub mod opening_hours;
pub mod ordering;
pub mod partner_file;
pub mod phone;
pub mod place;
pub mod request;
pub mod role;
pub mod slots;
pub mod slug;
pub mod sms;
pub mod sms_command;
pub mod stats;
pub mod ticket;
pub mod time;
pub mod voice;

use std::fmt;

/// A value from outside that does not satisfy a rule; `field` names it for
/// the client (it becomes the error code `invalid_<field>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Invalid {}

/// Trims a display name and checks it is present and of a sensible length.
/// A label that may be left out: blank is none (it clears a stored one),
/// anything else as [`parse_label`].
pub fn optional_label(
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> Result<Option<String>, Invalid> {
    match value.trim().is_empty() {
        true => Ok(None),
        false => parse_label(field, value, max_chars).map(Some),
    }
}

pub fn parse_label(field: &'static str, value: &str, max_chars: usize) -> Result<String, Invalid> {
    parse_bounded(field, value, max_chars, char::is_control)
}

/// A free text: trimmed, not empty, bounded; line breaks and tabs are
/// allowed.
pub fn parse_text(field: &'static str, value: &str, max_chars: usize) -> Result<String, Invalid> {
    let refused = |c: char| c.is_control() && c != '\n' && c != '\r' && c != '\t';
    parse_bounded(field, value, max_chars, refused)
}

/// Trimmed, not empty, at most `max_chars`, and no character `refused`.
fn parse_bounded(
    field: &'static str,
    value: &str,
    max_chars: usize,
    refused: impl Fn(char) -> bool,
) -> Result<String, Invalid> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(Invalid::new(
            field,
            format!("at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(refused) {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Checks that a whole-number setting lies within its bounds.
pub fn parse_within(
    field: &'static str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, Invalid> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::new(
            field,
            format!("must be between {} and {}", range.start(), range.end()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(
            parse_label("name", "  Guichet 1 ", 40).unwrap(),
            "Guichet 1"
        );
        assert!(parse_label("name", "   ", 40).is_err());
        assert!(parse_label("name", &"x".repeat(41), 40).is_err());
        assert!(parse_label("name", "a\u{0}b", 40).is_err());
        assert_eq!(
            parse_label("name", "شهادة السكنى", 20).unwrap(),
            "شهادة السكنى"
        );
    }
}
