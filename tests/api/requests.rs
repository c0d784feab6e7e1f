//! Document requests against the real server: filed at the counter or with
//! a phone code, moved on by agents, and what the citizen is told (through
//! the fake Twilio and SMTP relay), reads and lists.

use crate::support::desk::{AMINA, Desk, KARIM, desk, read_with_token, references};
use crate::support::office::text;
use crate::support::pages::page;
use crate::support::sites::site_body;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Answer, Backend, STAFF_PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SERVICE: &str = "residence";

on_both_backends!(
    a_ready_request_sends_one_sms_and_one_email,
    request_rules_refuse_bad_moves_and_change_nothing,
    citizens_file_with_a_code_and_see_their_history,
    the_agents_page_lists_overdue_ones_first_a_page_at_a_time,
);

async fn a_ready_request_sends_one_sms_and_one_email(backend: Backend) {
    let desk = desk(backend, false).await;
    let fields = json!({"phone": AMINA, "email": "amina@example.ma"});
    let filed = desk.file(Some(&desk.agent), fields).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let (reference, token) = (text(&filed, "reference"), text(&filed, "token"));
    assert!(reference.starts_with("DR-"), "{reference}");
    assert_eq!(filed.body["status"], "submitted");
    // Three working days from Thursday: Friday, then (weekend, closed
    // Monday) Tuesday and Wednesday.
    assert_eq!(filed.body["expected_ready_on"], "2026-12-02");

    let steps = [
        ("processing", "2026-11-26T11:00:00Z"),
        ("ready", "2026-11-27T10:30:00Z"),
        ("delivered", "2026-12-02T14:00:00Z"),
    ];
    for (status, at) in steps {
        desk.set_time(at);
        // Sessions last 12 hours: the agent logs in each day.
        let agent = desk.app.login("agdal-agent", STAFF_PASSWORD).await;
        let moved = desk.change(&agent, reference, status).await;
        assert_eq!(moved.status, StatusCode::OK, "{status}: {}", moved.body);
        assert_eq!(moved.body["status"], status);
    }
    // The acknowledgement of receipt, then "ready": one of each, by SMS
    // and by e-mail.
    let sms = desk.exactly_sms(2).await;
    assert!(
        sms.iter()
            .all(|s| s.to == AMINA && s.body.contains(reference))
    );
    let received = sms.iter().filter(|s| s.body.contains("bien reçu")).count();
    let ready = sms.iter().filter(|s| s.body.contains("est prête")).count();
    assert_eq!((received, ready), (1, 1), "{sms:?}");
    let mails = desk.exactly_mails(2).await;
    assert!(mails.iter().all(|m| m.to == ["amina@example.ma"]));
    assert!(
        mails.iter().all(|m| m.data.contains(reference)),
        "{mails:?}"
    );

    let read = desk.read(reference, None, Some(token)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["status"], "delivered");
    let history: Vec<(&str, &str)> = read.body["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|s| (s["status"].as_str().unwrap(), s["at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        history,
        [
            ("submitted", "2026-11-26T09:00:00+00:00"),
            ("processing", "2026-11-26T11:00:00+00:00"),
            ("ready", "2026-11-27T10:30:00+00:00"),
            ("delivered", "2026-12-02T14:00:00+00:00"),
        ]
    );
    let wrong = desk.read(reference, None, Some("not-the-token")).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.body);
    let none = desk.read(reference, None, None).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.body);
    let agent = desk.app.login("agdal-agent", STAFF_PASSWORD).await;
    let agent = desk.read(reference, Some(&agent), None).await;
    assert_eq!(agent.status, StatusCode::OK, "{}", agent.body);
    assert!(agent.body.get("token").is_none(), "the token is shown once");
}

async fn request_rules_refuse_bad_moves_and_change_nothing(backend: Backend) {
    let desk = desk(backend, false).await;
    let ready = desk.file_for(AMINA).await;
    for status in ["processing", "ready"] {
        let moved = desk.change(&desk.agent, &ready, status).await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    }
    let back = desk.change(&desk.agent, &ready, "processing").await;
    assert_eq!(back.status, StatusCode::CONFLICT, "{}", back.body);
    assert_eq!(back.code(), "invalid_transition");
    assert_eq!(
        desk.history(&ready).await,
        ["submitted", "processing", "ready"]
    );

    desk.set_time("2026-11-26T09:10:00Z");
    let rejected = desk.file_for(KARIM).await;
    let bad = [
        (json!({"status": "rejected"}), "invalid_reason"),
        (
            json!({"status": "rejected", "reason": "  "}),
            "invalid_reason",
        ),
        (json!({"status": "lost"}), "invalid_status"),
        (json!({"status": "submitted"}), "invalid_status"),
    ];
    for (body, code) in bad {
        let answer = desk.change_with(&desk.agent, &rejected, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.code(), code, "{body}: {}", answer.body);
    }
    assert_eq!(desk.history(&rejected).await, ["submitted"]);
    let reason = "Copie de la CIN illisible";
    let body = json!({"status": "rejected", "reason": reason});
    let answer = desk.change_with(&desk.agent, &rejected, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        (&answer.body["status"], &answer.body["reason"]),
        (&json!("rejected"), &json!(reason))
    );
    for status in ["processing", "ready", "delivered"] {
        let answer = desk.change(&desk.agent, &rejected, status).await;
        assert_eq!(
            answer.status,
            StatusCode::CONFLICT,
            "{status}: {}",
            answer.body
        );
        assert_eq!(answer.code(), "invalid_transition");
    }
    assert_eq!(desk.history(&rejected).await, ["submitted", "rejected"]);

    // An agent of another office can neither move nor list these.
    let created = desk
        .app
        .post("/api/v1/sites", Some(&desk.admin), site_body("sale-centre"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let stranger = desk
        .app
        .add_staff("sale-agent", Role::Agent, "sale-centre")
        .await;
    let answer = desk.change(&stranger, &ready, "delivered").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    let listing = desk.app.get(&desk.requests_path(""), Some(&stranger)).await;
    assert_eq!(listing.status, StatusCode::FORBIDDEN, "{}", listing.body);
    assert_eq!(
        desk.history(&ready).await,
        ["submitted", "processing", "ready"]
    );

    // Filed later: listings are in the order requests came.
    desk.set_time("2026-11-26T09:30:00Z");
    let waiting = desk.file_for("+212611111111").await;
    for (status, expected) in [
        ("?status=submitted", vec![&waiting]),
        ("?status=ready", vec![&ready]),
        ("?status=rejected", vec![&rejected]),
        ("?status=delivered", vec![]),
        ("", vec![&ready, &rejected, &waiting]),
    ] {
        let listing = desk
            .app
            .get(&desk.requests_path(status), Some(&desk.agent))
            .await;
        assert_eq!(listing.status, StatusCode::OK, "{status}: {}", listing.body);
        assert_eq!(references(&listing), expected, "{status}");
    }
    let nonsense = desk
        .app
        .get(&desk.requests_path("?status=nonsense"), Some(&desk.agent))
        .await;
    assert_eq!(
        nonsense.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nonsense.body
    );
    assert_eq!(nonsense.code(), "invalid_status");

    // Three acknowledgements of receipt, one SMS for the ready request and
    // one with the reason for the rejected.
    let sms = desk.exactly_sms(5).await;
    let received = sms.iter().filter(|s| s.body.contains("bien reçu")).count();
    assert_eq!(received, 3, "{sms:?}");
    let sms: Vec<_> = sms
        .into_iter()
        .filter(|s| !s.body.contains("bien reçu"))
        .collect();
    let to_karim: Vec<_> = sms.iter().filter(|s| s.to == KARIM).collect();
    assert_eq!(to_karim.len(), 1);
    assert!(to_karim[0].body.contains(reason) && to_karim[0].body.contains(&rejected));
    assert!(sms.iter().any(|s| s.to == AMINA && s.body.contains(&ready)));
}

async fn citizens_file_with_a_code_and_see_their_history(backend: Backend) {
    let desk = desk(backend, true).await;
    let without = desk.file(None, json!({"phone": AMINA})).await;
    assert_eq!(
        without.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        without.body
    );
    assert_eq!(without.code(), "invalid_otp");
    let code = desk.new_code(AMINA).await;
    let filed = desk.file(None, json!({"phone": AMINA, "otp": code})).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let mine = text(&filed, "reference");
    let reused = desk.file(None, json!({"phone": AMINA, "otp": code})).await;
    assert_eq!(reused.code(), "invalid_otp", "a code proves one action");
    assert_eq!(desk.app.count("document_requests").await, 1);
    let karims = desk.file_for(KARIM).await;

    // Logging in takes a new code: the first is used up, and a phone gets
    // one code a minute.
    let login = json!({"phone": AMINA, "otp": code});
    let used = desk.app.post("/api/v1/citizen/login", None, login).await;
    assert_eq!(used.code(), "invalid_otp", "{}", used.body);
    let soon = desk
        .app
        .post("/api/v1/otp", None, json!({"phone": AMINA}))
        .await;
    assert_eq!(soon.status, StatusCode::TOO_MANY_REQUESTS, "{}", soon.body);
    desk.set_time("2026-11-26T09:01:01Z");
    let code = desk.new_code(AMINA).await;
    let login = json!({"phone": AMINA, "otp": code});
    let session = desk.app.post("/api/v1/citizen/login", None, login).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    let citizen = text(&session, "token");

    let listed = desk.app.get("/api/v1/me/requests", Some(citizen)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(references(&listed), [mine]);
    assert_eq!(listed.body[0]["status"], "submitted");
    let appointments = desk.app.get("/api/v1/me/appointments", Some(citizen)).await;
    assert_eq!(appointments.status, StatusCode::OK, "{}", appointments.body);
    assert_eq!(appointments.body, json!([]));
    let anonymous = desk.app.get("/api/v1/me/requests", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let staff_only = desk.app.get(&desk.requests_path(""), Some(citizen)).await;
    assert_eq!(
        staff_only.status,
        StatusCode::FORBIDDEN,
        "{}",
        staff_only.body
    );
    let moved = desk.change(citizen, mine, "ready").await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN, "{}", moved.body);
    let own = desk.read(mine, Some(citizen), None).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.body["history"].as_array().map(Vec::len), Some(1));
    let other = desk.read(&karims, Some(citizen), None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
}

/// The agents' page on each backend: overdue ones first and marked, the
/// closed one last, 20 a page.
async fn the_agents_page_lists_overdue_ones_first_a_page_at_a_time(backend: Backend) {
    let desk = desk(backend, false).await;
    // Three filed on Thursday, due Wednesday 2 December; one rejected.
    let mut early = Vec::new();
    for n in 0..3 {
        early.push(desk.file_for(&format!("+21261230000{n}")).await);
    }
    let body = json!({"status": "rejected", "reason": "Pièce manquante"});
    let rejected = desk.change_with(&desk.agent, &early[0], body).await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    // A week later, 22 more, due after today.
    desk.set_time("2026-12-10T09:00:00Z");
    let agent = desk.app.login("agdal-agent", STAFF_PASSWORD).await;
    let mut later = Vec::new();
    for n in 10..32 {
        let body = json!({"service": SERVICE, "name": "Karim", "phone": format!("+2126123000{n}")});
        let filed = desk
            .app
            .post(&desk.requests_path(""), Some(&agent), body)
            .await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
        later.push(text(&filed, "reference").to_owned());
    }
    let (status, first, _) = page(&desk.app, "/agent/requests?lang=fr", Some(&agent)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(first.contains("Page 1 sur 2"), "{first}");
    assert_eq!(first.matches("class=\"overdue\"").count(), 2, "{first}");
    let at = |html: &str, reference: &str| html.find(&format!("id=\"req-{reference}\""));
    let newest = later
        .iter()
        .filter_map(|r| at(&first, r))
        .min()
        .expect("listed");
    for overdue in &early[1..] {
        assert!(
            at(&first, overdue).is_some_and(|i| i < newest),
            "{overdue} first"
        );
    }
    assert!(
        at(&first, &early[0]).is_none(),
        "the closed one is not on page 1"
    );
    let (status, second, _) = page(&desk.app, "/agent/requests?lang=fr&page=2", Some(&agent)).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let last = later
        .iter()
        .filter_map(|r| at(&second, r))
        .max()
        .expect("listed");
    assert!(
        at(&second, &early[0]).is_some_and(|i| i > last),
        "closed last"
    );
    let (status, only, _) = page(&desk.app, "/agent/requests?status=rejected", Some(&agent)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(only.matches("id=\"req-").count(), 1, "{only}");
}

impl Desk {
    /// Files a request for `residence` in Amina's name with `fields` added.
    async fn file(&self, bearer: Option<&str>, fields: Value) -> Answer {
        let mut body = json!({"service": SERVICE, "name": "Amina Alaoui"});
        for (key, value) in fields.as_object().expect("an object") {
            body[key] = value.clone();
        }
        self.app.post(&self.requests_path(""), bearer, body).await
    }

    /// A request the agent files for `phone`: its reference.
    async fn file_for(&self, phone: &str) -> String {
        let filed = self.file(Some(&self.agent), json!({"phone": phone})).await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
        text(&filed, "reference").to_owned()
    }

    fn requests_path(&self, query: &str) -> String {
        format!("/api/v1/sites/{}/requests{query}", self.site)
    }

    async fn change(&self, bearer: &str, reference: &str, status: &str) -> Answer {
        self.change_with(bearer, reference, json!({"status": status}))
            .await
    }

    async fn change_with(&self, bearer: &str, reference: &str, body: Value) -> Answer {
        let path = format!("/api/v1/requests/{reference}/status");
        self.app.post(&path, Some(bearer), body).await
    }

    async fn read(&self, reference: &str, bearer: Option<&str>, token: Option<&str>) -> Answer {
        let path = format!("/api/v1/requests/{reference}");
        read_with_token(&self.app, &path, bearer, token).await
    }

    /// The statuses a request went through, as its agent reads them.
    async fn history(&self, reference: &str) -> Vec<String> {
        let read = self.read(reference, Some(&self.agent), None).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        let steps = read.body["history"].as_array().expect("history");
        steps
            .iter()
            .map(|s| s["status"].as_str().unwrap().to_owned())
            .collect()
    }
}
