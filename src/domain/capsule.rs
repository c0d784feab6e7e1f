//! When a lobby capsule shows: on some days of the week (ISO numbers,
//! Monday 1 to Sunday 7), between two local times of day or all day.

use super::Invalid;

/// A capsule's days and hours, in the site's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Bit `d - 1` set: shown on ISO weekday `d`.
    days: u8,
    /// Minutes after local midnight: shown from `from` until before
    /// `until`; `from > until` runs across midnight.
    hours: Option<(u16, u16)>,
}

impl Default for Schedule {
    /// Every day, all day.
    fn default() -> Self {
        Self {
            days: 0x7F,
            hours: None,
        }
    }
}

impl Schedule {
    /// `days` as ISO weekdays (empty: every day), and `from`/`until` as
    /// "HH:MM" (both or neither).
    pub fn parse(days: &[u8], from: Option<&str>, until: Option<&str>) -> Result<Self, Invalid> {
        let mut mask = 0u8;
        for &d in days {
            if !(1..=7).contains(&d) {
                return Err(Invalid::new("days", "days are 1 (Monday) to 7 (Sunday)"));
            }
            mask |= 1 << (d - 1);
        }
        let hours = match (from, until) {
            (None, None) => None,
            (Some(f), Some(u)) => {
                let (f, u) = (minutes("from", f)?, minutes("until", u)?);
                if f == u {
                    return Err(Invalid::new("until", "until must differ from from"));
                }
                Some((f, u))
            }
            (None, Some(_)) => return Err(Invalid::new("from", "give from with until")),
            (Some(_), None) => return Err(Invalid::new("until", "give until with from")),
        };
        Ok(Self {
            days: if mask == 0 { 0x7F } else { mask },
            hours,
        })
    }

    /// As stored: the day mask and the window's minutes.
    pub fn from_stored(days: i64, from: Option<i64>, until: Option<i64>) -> Self {
        let days = (days & 0x7F) as u8;
        let hours = match (from, until) {
            (Some(f), Some(u)) => Some(((f.clamp(0, 1439)) as u16, (u.clamp(0, 1439)) as u16)),
            _ => None,
        };
        Self {
            days: if days == 0 { 0x7F } else { days },
            hours,
        }
    }

    pub fn day_mask(&self) -> i64 {
        i64::from(self.days)
    }

    pub fn hours(&self) -> Option<(u16, u16)> {
        self.hours
    }

    /// ISO weekdays, in order.
    pub fn days(&self) -> Vec<u8> {
        (1..=7)
            .filter(|d| self.days & (1 << (d - 1)) != 0)
            .collect()
    }

    /// "HH:MM" of a window's end.
    pub fn clock(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    /// Whether it shows at local `minute` of ISO `weekday`. A window across
    /// midnight belongs to the day it starts on.
    pub fn shows(&self, weekday: u8, minute: u16) -> bool {
        let on = |d: u8| self.days & (1 << ((d + 6) % 7)) != 0;
        match self.hours {
            None => on(weekday),
            Some((f, u)) if f < u => on(weekday) && (f..u).contains(&minute),
            Some((f, u)) => {
                let yesterday = if weekday == 1 { 7 } else { weekday - 1 };
                (on(weekday) && minute >= f) || (on(yesterday) && minute < u)
            }
        }
    }
}

fn minutes(field: &'static str, text: &str) -> Result<u16, Invalid> {
    let bad = || Invalid::new(field, "a time of day as HH:MM");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || text.trim().len() != 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_hours() {
        let always = Schedule::parse(&[], None, None).unwrap();
        assert!(always.shows(7, 0) && always.shows(1, 1439));
        let weekdays = Schedule::parse(&[1, 2, 3, 4, 5], Some("08:30"), Some("12:00")).unwrap();
        assert!(weekdays.shows(1, 8 * 60 + 30));
        assert!(!weekdays.shows(1, 12 * 60));
        assert!(!weekdays.shows(6, 9 * 60));
        assert_eq!(weekdays.days(), vec![1, 2, 3, 4, 5]);
        // Friday 22:00 to 02:00: Saturday 01:00 too, not Saturday 22:00.
        let night = Schedule::parse(&[5], Some("22:00"), Some("02:00")).unwrap();
        assert!(night.shows(5, 23 * 60) && night.shows(6, 60));
        assert!(!night.shows(6, 23 * 60) && !night.shows(5, 60));
        let stored = Schedule::from_stored(weekdays.day_mask(), Some(510), Some(720));
        assert_eq!(stored, weekdays);
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(Schedule::parse(&[0], None, None).unwrap_err().field, "days");
        assert_eq!(Schedule::parse(&[8], None, None).unwrap_err().field, "days");
        assert_eq!(
            Schedule::parse(&[], Some("8:00"), Some("12:00"))
                .unwrap_err()
                .field,
            "from"
        );
        assert_eq!(
            Schedule::parse(&[], Some("08:00"), Some("24:00"))
                .unwrap_err()
                .field,
            "until"
        );
        assert_eq!(
            Schedule::parse(&[], Some("08:00"), None).unwrap_err().field,
            "until"
        );
        assert!(Schedule::parse(&[], Some("08:00"), Some("08:00")).is_err());
    }
}
