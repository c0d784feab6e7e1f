//! Dates and times as a citizen reads them: in the office's local time
//! (the slot list already gives it, with its offset) and the visitor's
//! language. Digits stay Western in Arabic, as Moroccan offices print them;
//! the month names are Morocco's (يناير … دجنبر).

use crate::http::pages::i18n::Lang;
use jiff::civil::{Date, DateTime, Weekday};

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_AR: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Monday first, as the calendar's columns.
const DAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const DAYS_AR: [&str; 7] = [
    "الاثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
    "الأحد",
];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Column heads of the calendar: short enough for a phone.
const SHORT_FR: [&str; 7] = ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"];
const SHORT_AR: [&str; 7] = ["إثنين", "ثلاثاء", "أربعاء", "خميس", "جمعة", "سبت", "أحد"];
const SHORT_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

pub fn month_name(lang: Lang, month: i8) -> &'static str {
    let names = match lang {
        Lang::Fr => &MONTHS_FR,
        Lang::Ar => &MONTHS_AR,
        Lang::En => &MONTHS_EN,
    };
    names[(month.clamp(1, 12) - 1) as usize]
}

pub fn weekday_name(lang: Lang, day: Weekday) -> &'static str {
    let names = match lang {
        Lang::Fr => &DAYS_FR,
        Lang::Ar => &DAYS_AR,
        Lang::En => &DAYS_EN,
    };
    names[day.to_monday_zero_offset() as usize]
}

/// The calendar's column heads, Monday first.
pub fn short_weekdays(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Fr => SHORT_FR,
        Lang::Ar => SHORT_AR,
        Lang::En => SHORT_EN,
    }
}

/// "novembre 2026".
pub fn month_year(lang: Lang, date: Date) -> String {
    format!("{} {}", month_name(lang, date.month()), date.year())
}

/// "mardi 24 novembre 2026" / "Tuesday 24 November 2026".
pub fn long_day(lang: Lang, date: Date) -> String {
    format!(
        "{} {} {} {}",
        weekday_name(lang, date.weekday()),
        date.day(),
        month_name(lang, date.month()),
        date.year()
    )
}

/// The local date and time of an RFC 3339 instant written with the site's
/// offset (`2026-11-24T09:00:00+01:00`): its wall-clock part.
pub fn local(rfc3339: &str) -> Option<DateTime> {
    rfc3339.get(..19)?.parse().ok()
}

/// "09:00".
pub fn clock(at: DateTime) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// "mardi 24 novembre 2026, 09:00", or the text as given if unreadable.
pub fn when(lang: Lang, rfc3339: &str) -> String {
    match local(rfc3339) {
        Some(at) => {
            let comma = if lang == Lang::Ar { "،" } else { "," };
            format!("{}{comma} {}", long_day(lang, at.date()), clock(at))
        }
        None => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_reads_in_each_language_in_local_time() {
        let start = "2026-11-24T09:00:00+01:00";
        assert_eq!(when(Lang::Fr, start), "mardi 24 novembre 2026, 09:00");
        assert_eq!(when(Lang::Ar, start), "الثلاثاء 24 نونبر 2026، 09:00");
        assert_eq!(when(Lang::En, start), "Tuesday 24 November 2026, 09:00");
        assert_eq!(when(Lang::Fr, "soon"), "soon");
    }
}
