//! What the office's TVs show, built from the public queue snapshot: the
//! calls (latest first, one line per ticket), the waiting per service, the
//! site's local clock. Shared by the lobby display and the counter
//! display; nothing here names a person.

use crate::app::queue::{QueueView, ServiceQueue};
use crate::domain::time::parse_timezone;
use crate::http::pages::i18n::Tr;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

/// Calls a lobby lists under the latest one.
pub const RECENT: usize = 4;

/// A counter's name in one language: a label ending in a number
/// ("Guichet 3") is said the office's way ("الشباك رقم 3" in Arabic);
/// any other label ("Accueil") is shown as the admin wrote it.
pub fn counter_words(label: &str, tr: Tr) -> String {
    match counter_number(label) {
        Some(number) => tr.f("common.counter", number),
        None => label.to_owned(),
    }
}

/// A counter's name in Tamazight (Tifinagh) when it ends in a number
/// ("ⴰⵙⴰⵔⵓ 3"); any other label is the admin's, shown in the other lines.
pub fn counter_zgh(label: &str) -> Option<String> {
    counter_number(label).and_then(|n| crate::http::pages::i18n::zgh_f("common.counter", n))
}

fn counter_number(label: &str) -> Option<&str> {
    let trimmed = label.trim_end();
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()?
        .0;
    Some(&trimmed[start..])
}

/// One call on the screen.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub number: String,
    pub counter: String,
    pub counter_label: String,
    pub seq: i64,
    pub at: String,
    /// The counter in the screen's language, then in the other one.
    #[serde(skip)]
    pub words: (String, String),
    /// In Tamazight, on a site that shows it and for a numbered counter.
    #[serde(skip)]
    pub zgh: Option<String>,
}

/// The calls of a snapshot, latest first, each ticket once (a recall moves
/// its ticket up rather than listing it twice).
pub fn calls(queue: &QueueView, tr: Tr, other: Tr, tamazight: bool) -> Vec<Call> {
    let mut calls: Vec<Call> = Vec::new();
    for call in &queue.recent_calls {
        let text = |key: &str| call[key].as_str().unwrap_or_default().to_owned();
        let number = text("number");
        if number.is_empty() || calls.iter().any(|c| c.number == number) {
            continue;
        }
        let counter_label = text("counter_label");
        calls.push(Call {
            zgh: tamazight.then(|| counter_zgh(&counter_label)).flatten(),
            words: (
                counter_words(&counter_label, tr),
                counter_words(&counter_label, other),
            ),
            number,
            counter: text("counter"),
            counter_label,
            seq: call["seq"].as_i64().unwrap_or(0),
            at: text("at"),
        });
    }
    calls
}

/// One service's queue on the screen.
#[derive(Debug, Clone)]
pub struct ServiceLine {
    pub id: String,
    /// The name in the screen's language, then in the other one.
    pub names: (String, String),
    /// In Tamazight, when the site shows it and the service has the name.
    pub zgh: Option<String>,
    pub waiting: i64,
    /// Rounded up; `None` when nobody waits.
    pub minutes: Option<i64>,
}

/// `zgh` gives a service's Tamazight name by its id (nothing on a site
/// that does not show Tamazight).
pub fn services(
    services: &[ServiceQueue],
    arabic_first: bool,
    zgh: impl Fn(&str) -> Option<String>,
) -> Vec<ServiceLine> {
    services
        .iter()
        .map(|s| {
            let ar = s.name_ar.clone().unwrap_or_else(|| s.name.clone());
            let names = if arabic_first {
                (ar, s.name.clone())
            } else {
                (s.name.clone(), ar)
            };
            ServiceLine {
                zgh: zgh(&s.id),
                id: s.id.clone(),
                names,
                waiting: s.waiting,
                minutes: minutes(s.waiting, s.estimated_wait_seconds),
            }
        })
        .collect()
}

fn minutes(waiting: i64, seconds: i64) -> Option<i64> {
    (waiting > 0).then(|| (seconds.max(0) + 59) / 60)
}

/// The site's offset from UTC now, in seconds, and its local time `HH:MM`:
/// the screen's clock starts from these and ticks on its own.
pub fn clock(timezone: &str, now_ms: i64) -> (i64, String) {
    let Ok(zone) = parse_timezone(timezone) else {
        return (0, String::new());
    };
    let now = Timestamp::from_millisecond(now_ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let offset = zone.to_offset(now).seconds();
    (
        i64::from(offset),
        now.to_zoned(zone).strftime("%H:%M").to_string(),
    )
}

/// The sound clips the announcer joins (`displays/sounds-generate.sh`), by
/// name, with their cache-busted addresses: letters, the words numbers are
/// made of in each language, and the two phrases of each language.
pub fn sounds() -> serde_json::Map<String, Value> {
    let mut names: Vec<String> = Vec::new();
    for lang in ["fr", "ar"] {
        names.extend(('a'..='z').map(|c| format!("{lang}-letter-{c}")));
        names.push(format!("{lang}-ticket"));
        names.push(format!("{lang}-counter"));
    }
    let fr = (0..=16).chain([20, 30, 40, 50, 60, 100, 1000]);
    names.extend(fr.map(|n| format!("fr-n-{n}")));
    names.push("fr-et".into());
    let ar = (0..=10)
        .chain((20..=90).step_by(10))
        .chain((100..=900).step_by(100))
        .chain([1000, 2000]);
    names.extend(ar.map(|n| format!("ar-n-{n}")));
    names.extend(["ar-alaf", "ar-ahad", "ar-ithna", "ar-ashar", "ar-and"].map(String::from));
    names
        .into_iter()
        .map(|name| {
            let url = super::super::assets::url(&format!("sounds/{name}.ogg"));
            (name, Value::String(url))
        })
        .collect()
}

/// JSON for a `<script type="application/json">` block.
pub fn script_json(value: &Value) -> String {
    crate::http::pages::frame::script_json(&value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::pages::i18n::Lang;

    #[test]
    fn numbered_counters_are_said_in_each_language() {
        assert_eq!(counter_words("Guichet 3", Lang::Ar.tr()), "الشباك رقم 3");
        assert_eq!(counter_words("Guichet 12", Lang::Fr.tr()), "Guichet 12");
        assert_eq!(counter_words("Accueil", Lang::Ar.tr()), "Accueil");
        assert_eq!(counter_zgh("Guichet 3").as_deref(), Some("ⴰⵙⴰⵔⵓ 3"));
        assert_eq!(counter_zgh("Accueil"), None);
    }

    #[test]
    fn waits_round_up_to_minutes() {
        assert_eq!(minutes(0, 0), None);
        assert_eq!(minutes(2, 61), Some(2));
    }

    #[test]
    fn every_clip_the_announcer_names_is_there() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/displays/static/sounds");
        let names = sounds();
        assert_eq!(names.len(), 116);
        for name in names.keys() {
            let path = format!("{dir}/{name}.ogg");
            assert!(std::path::Path::new(&path).is_file(), "{path} missing");
        }
    }

    #[test]
    fn the_clock_follows_the_site_zone() {
        // 2026-01-15T10:05:00Z in Casablanca: UTC+1 before the 2026 change.
        let (offset, time) = clock("Africa/Casablanca", 1_768_471_500_000);
        assert_eq!((offset, time.as_str()), (3600, "11:05"));
    }
}
