//! An office set up the way an operator and an admin would: accounts with
//! `guichet user add`, the rest through the API. Open around the clock,
//! phones not verified (no code to type), two services taking walk-ins and
//! 15-minute appointments, counters opened by their agents, and a kiosk.

use super::guichet::{Guichet, user_add};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PASSWORD: &str = "fault-tests-password-42";

pub struct Office {
    pub site: String,
    pub admin: String,
    pub kiosk: String,
    /// `(counter, agent's token)`, one agent per counter.
    pub counters: Vec<(String, String)>,
}

/// Sets up `site` with `counters` open counters and `slot_capacity`
/// places per appointment slot.
pub async fn open(
    guichet: &Guichet,
    database_url: &str,
    site: &str,
    counters: usize,
    slot_capacity: i64,
) -> Office {
    user_add(database_url, "admin", "admin", None, PASSWORD);
    let admin = guichet.login("admin", PASSWORD).await;
    let hours = guichet_test_support::around_the_clock();
    let body = json!({"id": site, "name": format!("Annexe {site}"), "timezone": "Africa/Casablanca",
        "opening_hours": hours, "verify_phone": false});
    created(guichet.post("/api/v1/sites", Some(&admin), body).await);
    for (id, prefix) in [("residence", "A"), ("signature", "B")] {
        let body = json!({"id": id, "prefix": prefix, "name": format!("Service {id}"),
            "walk_in": true, "appointment_modes": ["in_person"], "slot_minutes": 15,
            "slot_capacity": slot_capacity, "service_minutes": 5, "min_notice_minutes": 0,
            "horizon_days": 30});
        let path = format!("/api/v1/sites/{site}/services");
        created(guichet.post(&path, Some(&admin), body).await);
    }
    let mut opened = Vec::new();
    for i in 1..=counters {
        let counter = format!("{site}-g{i}");
        let body = json!({"id": counter, "label": format!("Guichet {i}"),
            "services": ["residence", "signature"]});
        let path = format!("/api/v1/sites/{site}/counters");
        created(guichet.post(&path, Some(&admin), body).await);
        let agent = format!("{site}-agent{i}");
        user_add(database_url, &agent, "agent", Some(site), PASSWORD);
        let token = guichet.login(&agent, PASSWORD).await;
        let path = format!("/api/v1/counters/{counter}/open");
        let answer = guichet.post(&path, Some(&token), json!({})).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        opened.push((counter, token));
    }
    let path = format!("/api/v1/sites/{site}/devices");
    let body = json!({"kind": "kiosk", "label": "Kiosque"});
    let kiosk = created(guichet.post(&path, Some(&admin), body).await)["token"]
        .as_str()
        .expect("kiosk token")
        .to_owned();
    Office {
        site: site.to_owned(),
        admin,
        kiosk,
        counters: opened,
    }
}

fn created(answer: guichet_test_support::Answer) -> Value {
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    answer.body
}

impl Office {
    /// The first `n` bookable starts of `service`, from now to the end of
    /// the day after tomorrow: at least 192 slots whatever the hour.
    pub async fn slots(&self, guichet: &Guichet, service: &str, n: usize) -> Vec<String> {
        let today = jiff::Zoned::now()
            .in_tz("Africa/Casablanca")
            .expect("zone")
            .date();
        let last = today
            .checked_add(jiff::Span::new().days(2))
            .expect("a date");
        let path = format!(
            "/api/v1/sites/{}/services/{service}/slots?from={today}&to={last}&mode=in_person",
            self.site
        );
        let answer = guichet.get(&path, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        let starts: Vec<String> = answer.body["slots"]
            .as_array()
            .expect("slots")
            .iter()
            .filter(|slot| slot["available"].as_i64() > Some(0))
            .filter_map(|slot| slot["start"].as_str().map(str::to_owned))
            .take(n)
            .collect();
        assert_eq!(starts.len(), n, "{n} slots to book");
        starts
    }

    /// Takes a ticket at the kiosk.
    pub async fn issue(&self, guichet: &Guichet, service: &str) -> guichet_test_support::Answer {
        let path = format!("/api/v1/sites/{}/tickets", self.site);
        let body = json!({"service": service});
        guichet.post(&path, Some(&self.kiosk), body).await
    }

    /// A booking for `phone` at `start`.
    pub async fn book(
        &self,
        guichet: &Guichet,
        service: &str,
        start: &str,
        phone: &str,
    ) -> guichet_test_support::Answer {
        let path = format!("/api/v1/sites/{}/appointments", self.site);
        let body = json!({"service": service, "mode": "in_person", "start": start,
            "name": "Citoyen Test", "phone": phone});
        // Each citizen books from an address of their own.
        let digits: u32 = phone[phone.len() - 6..].parse().unwrap_or(0);
        let [_, a, b, c] = digits.to_be_bytes();
        guichet
            .post_from(&path, body, &format!("10.{a}.{b}.{c}"))
            .await
    }

    /// The site's last event `seq`, as the public queue says.
    pub async fn head(&self, guichet: &Guichet) -> i64 {
        let answer = guichet
            .get(&format!("/api/v1/sites/{}/queue", self.site), None)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        answer.body["seq"].as_i64().expect("seq")
    }
}

/// A phone number of its own for booking `n`.
pub fn phone(n: usize) -> String {
    format!("+2126{:08}", n)
}
