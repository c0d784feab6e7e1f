//! The remote queue's calls that its tests make: an office taking remote
//! joins, a join, a check-in, and the sweeps of its jobs.

use crate::support::office::{Office, office};
use guichet_test_support::{Answer, Backend};
use serde_json::{Value, json};

/// Monday 09:00 in Casablanca (UTC+0 since 2026-09-20): the office is open.
pub const MONDAY_9: &str = "2026-11-23T09:00:00Z";

/// The office of `office::office` (service `passport`, 10 minutes a visit,
/// one open counter `agdal-g1`), at `MONDAY_9`.
pub async fn remote_office(backend: Backend, verify_phone: bool) -> Office {
    office(backend, MONDAY_9, "Africa/Casablanca", 2, verify_phone).await
}

impl Office {
    /// Joins the queue of `passport` from `phone`, with `fields` added.
    pub async fn join(&self, phone: &str, fields: Value) -> Answer {
        let mut body = json!({"service": "passport", "phone": phone});
        for (key, value) in fields.as_object().expect("an object") {
            body[key] = value.clone();
        }
        let path = format!("/api/v1/sites/{}/queue/join", self.site);
        self.app.post(&path, None, body).await
    }

    /// The public view of a ticket.
    pub async fn ticket(&self, id: &str) -> Value {
        let answer = self.app.get(&format!("/api/v1/tickets/{id}"), None).await;
        assert_eq!(answer.status, reqwest::StatusCode::OK, "{}", answer.body);
        answer.body
    }

    /// Marks present the remote ticket numbered `number`, as `token` (a
    /// kiosk or staff).
    pub async fn check_in(&self, token: &str, number: &str) -> Answer {
        let path = format!("/api/v1/sites/{}/queue/present", self.site);
        self.app
            .post(&path, Some(token), json!({"number": number}))
            .await
    }

    /// Runs the remote queue's sweep (holding aside, lapsing) once.
    pub async fn sweep(&self) -> usize {
        guichet::app::remote_queue::sweep(&self.app.app)
            .await
            .expect("sweep")
    }

    /// Runs the visit messages' job once.
    pub async fn follow_up(&self) -> usize {
        guichet::app::visits::follow_up(&self.app.app)
            .await
            .expect("follow-up")
    }

    /// The templates of the messages queued for a phone, sorted.
    pub async fn templates(&self, phone: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .messages(phone)
            .await
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        names.sort();
        names
    }
}

/// The 6-digit code in an SMS.
pub fn code_in(message: &str) -> String {
    message
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .unwrap_or_else(|| panic!("no code in {message:?}"))
        .to_owned()
}
