//! Files of other administrations (a passport office, the permits office):
//! their kinds and statuses, from fixed lists; the reference and the
//! holder's identifier as typed by a citizen, made comparable; and the
//! window a signed push's timestamp must fall in.

use super::Invalid;

/// What a partner's file is about.
pub const KINDS: &[&str] = &[
    "passport",
    "national_id",
    "weapon_permit",
    "hunting_permit",
    "driving_licence",
    "residence_card",
    "other",
];

/// Where a partner's file stands.
pub const STATUSES: &[&str] = &[
    "received",
    "processing",
    "awaiting_documents",
    "ready",
    "delivered",
    "rejected",
];

/// How far a push's timestamp may be from now, either way (5 minutes).
pub const PUSH_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The longest reference, and the longest holder identifier.
pub const MAX_REFERENCE: usize = 40;
pub const MAX_HOLDER_ID: usize = 32;

/// One of `allowed`, as given.
pub fn one_of(
    field: &'static str,
    value: &str,
    allowed: &'static [&'static str],
) -> Result<&'static str, Invalid> {
    allowed
        .iter()
        .find(|a| **a == value)
        .copied()
        .ok_or_else(|| Invalid::new(field, format!("one of {}", allowed.join(", "))))
}

/// A reference as stored and compared: spaces dropped, upper case, 1 to 40
/// of `A-Z 0-9 - / .`.
pub fn reference(value: &str) -> Result<String, Invalid> {
    let message = "1 to 40 of A-Z, 0-9, '-', '/' and '.'";
    comparable(value, MAX_REFERENCE, |c| matches!(c, '-' | '/' | '.'))
        .ok_or_else(|| Invalid::new("reference", message))
}

/// A holder's identifier (the national ID number) as hashed: spaces and
/// dashes dropped, upper case, 1 to 32 letters and digits.
pub fn holder_id(value: &str) -> Result<String, Invalid> {
    let cleaned: String = value.chars().filter(|c| *c != '-').collect();
    comparable(&cleaned, MAX_HOLDER_ID, |_| false)
        .ok_or_else(|| Invalid::new("holder_id", "1 to 32 letters and digits"))
}

/// Whether a push signed at `timestamp_s` (Unix seconds) may be taken at
/// `now_ms`.
pub fn timestamp_is_fresh(timestamp_s: i64, now_ms: i64) -> bool {
    timestamp_s
        .checked_mul(1000)
        .is_some_and(|at| at.abs_diff(now_ms) <= PUSH_WINDOW_MS.unsigned_abs())
}

fn comparable(value: &str, max: usize, extra: impl Fn(char) -> bool) -> Option<String> {
    if value.chars().count() > max * 2 {
        return None;
    }
    let cleaned: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let ok_chars = cleaned
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || extra(c));
    (ok_chars && (1..=max).contains(&cleaned.len())).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_identifiers_are_made_comparable() {
        assert_eq!(reference(" pa-2026/0042 ").unwrap(), "PA-2026/0042");
        assert_eq!(holder_id("ab 123-456").unwrap(), "AB123456");
        assert!(reference("").is_err());
        assert!(reference(&"A".repeat(41)).is_err());
        assert!(reference("PA<script>").is_err());
        assert!(holder_id("AB/12").is_err());
        assert!(holder_id(&"1".repeat(33)).is_err());
        assert!(holder_id("é123").is_err());
    }

    #[test]
    fn kinds_and_statuses_come_from_their_lists() {
        assert_eq!(one_of("kind", "passport", KINDS), Ok("passport"));
        assert!(one_of("status", "lost", STATUSES).is_err());
        assert!(one_of("status", "READY", STATUSES).is_err());
    }

    #[test]
    fn timestamps_are_fresh_for_five_minutes_either_way() {
        let now = 1_700_000_000_000;
        assert!(timestamp_is_fresh(1_700_000_000, now));
        assert!(timestamp_is_fresh(1_700_000_300, now));
        assert!(timestamp_is_fresh(1_699_999_700, now));
        assert!(!timestamp_is_fresh(1_700_000_301, now));
        assert!(!timestamp_is_fresh(1_699_999_699, now));
        assert!(!timestamp_is_fresh(i64::MAX, now));
        assert!(!timestamp_is_fresh(i64::MIN, now));
    }
}
