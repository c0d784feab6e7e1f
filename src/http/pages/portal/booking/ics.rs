//! The "add to calendar" file of an appointment: one iCalendar (RFC 5545)
//! VEVENT with its start and end in UTC, so every calendar application
//! shows it at the right hour whatever the phone's timezone.

use jiff::Timestamp;

/// What the event says.
pub struct Event<'a> {
    pub reference: &'a str,
    /// RFC 3339 with an offset, as appointments give them.
    pub start: &'a str,
    pub end: &'a str,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub url: &'a str,
    pub now: Timestamp,
}

/// The calendar file, or `None` if the appointment's times are unreadable.
pub fn calendar(event: &Event<'_>) -> Option<String> {
    let utc = |text: &str| {
        text.parse::<Timestamp>()
            .ok()
            .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
    };
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Guichet//Rendez-vous//FR".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@guichet", text(event.reference)),
        format!("DTSTAMP:{}", event.now.strftime("%Y%m%dT%H%M%SZ")),
        format!("DTSTART:{}", utc(event.start)?),
        format!("DTEND:{}", utc(event.end)?),
        format!("SUMMARY:{}", text(event.summary)),
        format!("LOCATION:{}", text(event.location)),
        format!("DESCRIPTION:{}", text(event.description)),
        format!("URL:{}", event.url),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    Some(lines.iter().map(|l| fold(l)).collect())
}

/// A TEXT value: backslashes, separators and line breaks escaped.
fn text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// A content line ended by CRLF and folded at 75 octets, never inside a
/// character (Arabic names take two bytes a letter).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_is_in_utc_and_folded() {
        let long = "ملحقة أكدال, الرباط; ".repeat(5);
        let file = calendar(&Event {
            reference: "AB12CD",
            start: "2026-11-24T09:00:00+01:00",
            end: "2026-11-24T09:30:00+01:00",
            summary: "Passeport",
            location: &long,
            description: "Réf. AB12CD",
            url: "http://x/appointments/AB12CD?token=t",
            now: "2026-11-23T08:00:00Z".parse().unwrap(),
        })
        .unwrap();
        assert!(file.contains("\r\nDTSTART:20261124T080000Z\r\n"));
        assert!(file.contains("\r\nDTEND:20261124T083000Z\r\n"));
        assert!(file.contains("UID:AB12CD@guichet"));
        assert!(file.contains("\\, الرباط\\;"));
        assert!(file.split("\r\n").all(|l| l.len() <= 75));
        assert!(file.ends_with("END:VCALENDAR\r\n"));
    }
}
