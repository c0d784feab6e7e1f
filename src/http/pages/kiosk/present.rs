//! A ticket taken from afar (web or SMS) confirmed present at the kiosk's
//! check-in form: by its number (`A012`, typed) or by the tracking link
//! its SMS carries (`https://…/t/{id}`, scanned from the QR code). The
//! screen says "present, wait for your number" with the number, or why
//! not: unknown number, already lapsed, not a ticket taken from afar.

/// What was typed or scanned, when it is a ticket rather than an
/// appointment reference.
#[derive(Debug, PartialEq, Eq)]
pub enum Arrival {
    /// A ticket number: one letter and 3 to 6 digits, uppercase.
    Number(String),
    /// A ticket's id, from its tracking link.
    Ticket(String),
}

/// Longest id a tracking link carries (ids are 22 characters).
const MAX_ID: usize = 64;

/// The ticket in `input`: a tracking link's id (kept as typed: ids are
/// case-sensitive), or a ticket number; `None` for anything else, which
/// is an appointment reference. Appointment references are 8 characters
/// in two halves, never one letter and digits only up to 7 characters.
pub fn arrival(input: &str) -> Option<Arrival> {
    let input = input.trim();
    if let Some((_, after)) = input.split_once("/t/") {
        let id: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(MAX_ID + 1)
            .collect();
        return (!id.is_empty() && id.len() <= MAX_ID).then_some(Arrival::Ticket(id));
    }
    let number: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .take(16)
        .collect();
    let mut chars = number.chars();
    let letter = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let digits = chars.as_str();
    let is_number =
        letter && (3..=6).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    is_number.then_some(Arrival::Number(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_links_are_tickets_references_are_not() {
        let number = |n: &str| Some(Arrival::Number(n.to_owned()));
        assert_eq!(arrival("A012"), number("A012"));
        assert_eq!(arrival(" a012 \n"), number("A012"));
        assert_eq!(arrival("B1000"), number("B1000"));
        let id = "Zk3_q-9PxYw2Lm8Nn4Rr1A";
        let ticket = Some(Arrival::Ticket(id.to_owned()));
        assert_eq!(
            arrival(&format!("https://guichet.example.ma/t/{id}")),
            ticket
        );
        assert_eq!(arrival(&format!("http://x/t/{id}?lang=ar")), ticket);
        assert_eq!(arrival(&format!("/t/{id}/\n")), ticket);
        for reference in [
            "K7M2-Q9PX",
            "k7m2q9px",
            "A0123456",
            "DR-004217",
            "A01",
            "AB012",
            "",
            "/t/",
        ] {
            assert_eq!(arrival(reference), None, "{reference:?}");
        }
        assert_eq!(arrival(&format!("/t/{}", "a".repeat(65))), None);
    }
}
