//! What the appointment tests share: an office that takes bookings, and
//! the calls a citizen makes.

use guichet::clock::ManualTime;
use guichet::domain::role::Role;
use guichet_test_support::{Answer, Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const SERVICE: &str = "passport";

/// An office open Monday to Saturday 08:00–16:00 in `timezone`, with the
/// service `passport` (prefix P, in person and video, 30-minute slots of
/// `capacity` places, no minimum notice) and one open counter serving it.
pub struct Office {
    pub app: TestApp,
    pub time: ManualTime,
    pub admin: String,
    pub agent: String,
    pub site: String,
}

pub async fn office(
    backend: Backend,
    now: &str,
    timezone: &str,
    capacity: i64,
    verify_phone: bool,
) -> Office {
    let (app, time) = TestApp::builder().backend(backend).spawn_at(now).await;
    office_on(app, time, timezone, capacity, verify_phone).await
}

/// The office most booking tests use, at `now`: in Casablanca, two places
/// a slot, phones not verified.
pub async fn casablanca_office(backend: Backend, now: &str) -> Office {
    office(backend, now, "Africa/Casablanca", 2, false).await
}

/// The same office on a server the test started (with settings of its own).
pub async fn office_on(
    app: TestApp,
    time: ManualTime,
    timezone: &str,
    capacity: i64,
    verify_phone: bool,
) -> Office {
    let admin = app.admin().await;
    let site = "rabat-agdal".to_owned();
    let open = json!([["08:00", "16:00"]]);
    let body = json!({"id": site, "name": "Annexe Agdal", "name_ar": "ملحقة أكدال", "timezone": timezone,
        "opening_hours": {"mon": open, "tue": open, "wed": open, "thu": open, "fri": open, "sat": open},
        "closures": ["2026-12-25"], "verify_phone": verify_phone});
    let created = app.post("/api/v1/sites", Some(&admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let service = json!({"id": SERVICE, "prefix": "P", "name": "Passeport", "name_ar": "جواز السفر",
        "walk_in": true, "appointment_modes": ["in_person", "video"], "slot_minutes": 30,
        "slot_capacity": capacity, "service_minutes": 10, "min_notice_minutes": 0, "horizon_days": 60});
    let created = app
        .post(
            &format!("/api/v1/sites/{site}/services"),
            Some(&admin),
            service,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let counter = json!({"id": "agdal-g1", "label": "Guichet 1", "services": [SERVICE]});
    let created = app
        .post(
            &format!("/api/v1/sites/{site}/counters"),
            Some(&admin),
            counter,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let agent = app.add_staff("agdal-agent", Role::Agent, &site).await;
    let opened = app
        .post("/api/v1/counters/agdal-g1/open", Some(&agent), json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    Office {
        app,
        time,
        admin,
        agent,
        site,
    }
}

impl Office {
    /// Books `start` for a phone, in person, with no code.
    pub async fn book(&self, start: &str, phone: &str) -> Answer {
        self.book_with(json!({"start": start, "phone": phone}))
            .await
    }

    /// Books with `fields` added to a citizen's usual ones.
    pub async fn book_with(&self, fields: Value) -> Answer {
        let mut body = json!({"service": SERVICE, "name": "Amina Alaoui"});
        for (key, value) in fields.as_object().expect("an object") {
            body[key] = value.clone();
        }
        self.app
            .post(
                &format!("/api/v1/sites/{}/appointments", self.site),
                None,
                body,
            )
            .await
    }

    /// The slots of local days `from..=to`, in person.
    pub async fn slots(&self, from: &str, to: &str) -> Vec<Value> {
        let answer = self.slot_answer(from, to, "in_person").await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["slots"].as_array().expect("slots").clone()
    }

    pub async fn slot_answer(&self, from: &str, to: &str, mode: &str) -> Answer {
        let path = format!(
            "/api/v1/sites/{}/services/{SERVICE}/slots?from={from}&to={to}&mode={mode}",
            self.site
        );
        self.app.get(&path, None).await
    }

    /// Places left in the slot starting at `start`.
    pub async fn available(&self, start: &str) -> i64 {
        let day = &start[..10];
        let slots = self.slots(day, day).await;
        let slot = slots
            .iter()
            .find(|s| s["start"] == start)
            .unwrap_or_else(|| panic!("no slot {start} in {slots:?}"));
        slot["available"].as_i64().expect("available")
    }

    /// A call on an appointment by its holder (`X-Manage-Token`).
    pub async fn manage(
        &self,
        method: Method,
        reference: &str,
        action: &str,
        token: &str,
        body: Option<Value>,
    ) -> Answer {
        let path = format!("{}/api/v1/appointments/{reference}{action}", self.app.base);
        let mut request = self
            .app
            .http
            .request(method, path)
            .header("X-Manage-Token", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.app.send(request).await
    }

    /// The messages queued for a recipient, newest first: (template, text).
    pub async fn messages(&self, recipient: &str) -> Vec<(String, String)> {
        guichet::store::outbox::to_recipient(&self.app.app.db, recipient)
            .await
            .expect("outbox read")
    }

    /// The text of the message of `template` queued for `recipient`.
    pub async fn message(&self, recipient: &str, template: &str) -> String {
        let all = self.messages(recipient).await;
        let found = all.into_iter().find(|(t, _)| t == template);
        found.map(|(_, text)| text).expect("the message was queued")
    }

    /// Waits (5 s at most) until the outbox has sent everything queued;
    /// returns how many messages are still pending.
    pub async fn pending_after_sending(&self) -> i64 {
        let sql = "SELECT COUNT(*) FROM notifications WHERE status = 'pending'";
        let pending = async || -> i64 {
            guichet_test_support::read!(&self.app.app.db, |c| sqlx::query_scalar(sql)
                .fetch_one(c)
                .await)
            .expect("outbox read")
        };
        let within = std::time::Duration::from_secs(5);
        guichet_test_support::holds_within(within, async || pending().await == 0).await;
        pending().await
    }

    pub fn set_time(&self, at: &str) {
        self.time.set(at.parse().expect("a timestamp"));
    }
}

/// A distinct Moroccan mobile number for citizen `n`.
pub fn phone(n: usize) -> String {
    format!("+2126{:08}", n)
}

/// Field of a booking answer, as text.
pub fn text<'a>(answer: &'a Answer, field: &str) -> &'a str {
    answer.body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {}", answer.body))
}
