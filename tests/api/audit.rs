//! The audit log: a representative set of staff and device actions, made
//! through the API and the admin pages, each found with its actor, site,
//! target and outcome; no citizen's personal data in it; who may read it;
//! filters and pages; the admin page.

use crate::support::forms::send;
use crate::support::sites::open_site;
use crate::support::tickets::{call_next, finish, issue, kiosk};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_backends!(staff_actions_are_audited_without_personal_data);

const PHONE: &str = "+212612345678";

async fn staff_actions_are_audited_without_personal_data(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    // Logins: a good one, a wrong password, a name that is no account.
    let admin = app.admin().await;
    let wrong = json!({"username": "admin", "password": "not-the-password"});
    let refused = app.post("/api/v1/auth/login", None, wrong).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let typo = json!({"username": "Secret-Typed-42", "password": "whatever-it-is"});
    let refused = app.post("/api/v1/auth/login", None, typo).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // Setting up: sites with services and an open counter, a kiosk, staff.
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    open_site(&app, &admin, "maarif", "Africa/Casablanca", 1).await;
    let agent = agents[0].clone();
    let patch = json!({"verify_phone": false});
    let patched = app.patch("/api/v1/sites/anfa", Some(&admin), patch).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let chief = app.add_staff("anfa-chief", Role::Supervisor, "anfa").await;
    // The queue (its counter opened by its agent): a ticket from the
    // kiosk, call-next, complete.
    let ticket = issue(
        &app,
        &kiosk,
        "anfa",
        json!({"service": "residence", "phone": PHONE}),
    )
    .await;
    let (called, _) = call_next(&app, &agent, "anfa-g1").await;
    assert_eq!(called, StatusCode::OK);
    finish(&app, &agent, &ticket).await;
    // Refused: an agent acting on another site's counter.
    let other = app
        .post("/api/v1/counters/maarif-g1/open", Some(&agent), json!({}))
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // A document request moved on, a complaint answered.
    let body = json!({"service": "residence", "name": "Amina Alaoui", "phone": PHONE});
    let filed = app
        .post("/api/v1/sites/anfa/requests", Some(&agent), body)
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let request = filed.body["reference"]
        .as_str()
        .expect("reference")
        .to_owned();
    let path = format!("/api/v1/requests/{request}/status");
    let moved = app
        .post(&path, Some(&agent), json!({"status": "ready"}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let body =
        json!({"subject": "Attente", "phone": PHONE, "body": "Trois heures au guichet 2, Amina."});
    let filed = app.post("/api/v1/sites/anfa/complaints", None, body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let complaint = filed.body["reference"].as_str().expect("ref").to_owned();
    let path = format!("/api/v1/complaints/{complaint}/answer");
    let answer = json!({"answer": "Nous avons renforcé le guichet 2."});
    let answered = app.post(&path, Some(&chief), answer).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    // An account made through the admin pages.
    let form = [
        ("username", "salma"),
        ("role", "agent"),
        ("site", "anfa"),
        ("password", "Tajine-rouge-42"),
        ("password_again", "Tajine-rouge-42"),
    ];
    let made = send(&app, &admin, "/admin/users", &form).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    // The admin revokes the kiosk (its site is looked up), the agent leaves.
    let device = kiosk_id(&app).await;
    let revoked = app
        .call(
            Method::DELETE,
            &format!("/api/v1/devices/{device}"),
            Some(&admin),
            None,
        )
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.body);
    let out = app
        .post("/api/v1/auth/logout", Some(&agent), json!({}))
        .await;
    assert!(out.status.is_success());

    let log = all_entries(&app, &admin, "").await;
    let ticket_id = ticket["id"].as_str().expect("id");
    let (complete, moved, answered, revoked) = (
        format!("id:{ticket_id}"),
        format!("reference:{request}"),
        format!("reference:{complaint}"),
        format!("id:{device}"),
    );
    let (created_device, created_request) =
        (format!("device:{device}"), format!("request:{request}"));
    let expect: [(&str, &str, Option<&str>, &str, &str); 16] = [
        ("login", "admin", None, "", "done"),
        ("login", "anfa-agent1", Some("anfa"), "", "done"),
        // A creation names what it created.
        ("POST /api/v1/sites", "admin", None, "site:maarif", "done"),
        (
            "POST /api/v1/sites/{site}/services",
            "admin",
            Some("anfa"),
            "service:residence",
            "done",
        ),
        (
            "POST /api/v1/sites/{site}/counters",
            "admin",
            Some("anfa"),
            "counter:anfa-g1",
            "done",
        ),
        (
            "POST /api/v1/sites/{site}/devices",
            "admin",
            Some("anfa"),
            &created_device,
            "done",
        ),
        (
            "POST /api/v1/counters/{counter}/open",
            "anfa-agent1",
            Some("anfa"),
            "counter:anfa-g1",
            "done",
        ),
        (
            "POST /api/v1/counters/{counter}/open",
            "anfa-agent1",
            Some("maarif"),
            "counter:maarif-g1",
            "refused",
        ),
        (
            "POST /api/v1/counters/{counter}/call-next",
            "anfa-agent1",
            Some("anfa"),
            "counter:anfa-g1",
            "done",
        ),
        (
            "POST /api/v1/tickets/{id}/complete",
            "anfa-agent1",
            Some("anfa"),
            &complete,
            "done",
        ),
        (
            "POST /api/v1/sites/{site}/requests",
            "anfa-agent1",
            Some("anfa"),
            &created_request,
            "done",
        ),
        (
            "POST /api/v1/requests/{reference}/status",
            "anfa-agent1",
            Some("anfa"),
            &moved,
            "done",
        ),
        (
            "POST /api/v1/complaints/{reference}/answer",
            "anfa-chief",
            Some("anfa"),
            &answered,
            "done",
        ),
        ("POST /admin/users", "admin", None, "user:salma", "done"),
        (
            "DELETE /api/v1/devices/{id}",
            "admin",
            Some("anfa"),
            &revoked,
            "done",
        ),
        (
            "POST /api/v1/auth/logout",
            "anfa-agent1",
            Some("anfa"),
            "",
            "done",
        ),
    ];
    for (action, actor, site, target, outcome) in expect {
        let found = log.iter().any(|e| {
            e["action"] == action
                && e["actor"] == actor
                && e["site"].as_str() == site
                && e["target"].as_str().unwrap_or("") == target
                && e["outcome"] == outcome
                && e["client_ip"] == "127.0.0.1"
        });
        assert!(
            found,
            "no {action} by {actor} on {site:?} {target} ({outcome}) in {log:#?}"
        );
    }
    let kiosk_issued = log.iter().any(|e| {
        e["action"] == "POST /api/v1/sites/{site}/tickets"
            && e["role"] == "kiosk"
            && e["site"] == "anfa"
    });
    assert!(kiosk_issued, "the kiosk's ticket is in the log");
    let refused_logins: Vec<&Value> = log
        .iter()
        .filter(|e| e["action"] == "login" && e["outcome"] == "refused")
        .collect();
    assert_eq!(refused_logins.len(), 2, "{refused_logins:?}");
    assert!(
        refused_logins
            .iter()
            .any(|e| e["actor"] == "admin" && e["status"] == 401)
    );
    assert!(refused_logins.iter().any(|e| e["actor"] == "unknown"));
    let text = serde_json::to_string(&log).expect("json");
    for private in [
        PHONE,
        "Amina",
        "Trois heures",
        "Secret-Typed",
        "Tajine",
        "not-the-password",
    ] {
        assert!(!text.contains(private), "{private} is in the audit log");
    }

    // Supervisors read their own site's entries only; agents nothing.
    let own = all_entries(&app, &chief, "").await;
    assert!(own.iter().all(|e| e["site"] == "anfa"), "{own:#?}");
    assert!(
        own.iter()
            .any(|e| e["action"] == "DELETE /api/v1/devices/{id}")
    );
    let elsewhere = app.get("/api/v1/audit?site=maarif", Some(&chief)).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let salma = app.login("salma", "Tajine-rouge-42").await;
    let agents = app.get("/api/v1/audit", Some(&salma)).await;
    assert_eq!(agents.status, StatusCode::FORBIDDEN);
    // Filters.
    let by_agent = all_entries(&app, &admin, "&actor=anfa-agent1").await;
    assert!(by_agent.len() >= 7 && by_agent.iter().all(|e| e["actor"] == "anfa-agent1"));
    let tomorrow = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .tomorrow()
        .expect("a day");
    let none = app
        .get(&format!("/api/v1/audit?from={tomorrow}"), Some(&admin))
        .await;
    assert_eq!(none.body["entries"], json!([]), "{}", none.body);
    let bad = app.get("/api/v1/audit?from=soon", Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.code(), "invalid_from");
    // Pages of 50, newest first, each entry once.
    for _ in 0..55 {
        let patch = json!({"name": "Annexe Anfa"});
        let patched = app.patch("/api/v1/sites/anfa", Some(&admin), patch).await;
        assert_eq!(patched.status, StatusCode::OK);
    }
    let first = app.get("/api/v1/audit", Some(&admin)).await;
    assert_eq!(first.body["entries"].as_array().map(Vec::len), Some(50));
    assert!(first.body["entries"][0]["action"] == "PATCH /api/v1/sites/{site}");
    let all = all_entries(&app, &admin, "").await;
    let mut ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().expect("id")).collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeat"
    );
    ids.dedup();
    assert_eq!(
        ids.len(),
        log.len() + 1 + 55,
        "the earlier entries, a login, the patches"
    );

    // The admin page, in both languages; a supervisor's other site refused.
    let client = reqwest::Client::new();
    for (lang, words, call) in [
        ("fr", "Filtrer", "Appel du suivant au"),
        ("ar", "سجل التدقيق", "نداء التالي في الشباك"),
    ] {
        let html = client
            .get(format!(
                "{}/admin/audit?actor=anfa-agent1&lang={lang}",
                app.base
            ))
            .header("Cookie", format!("guichet_session={admin}"))
            .send()
            .await
            .expect("page");
        assert_eq!(html.status(), StatusCode::OK);
        let html = html.text().await.expect("html");
        assert!(html.contains(words), "{html}");
        assert!(html.contains(call), "{html}");
    }
    let refused = client
        .get(format!("{}/admin/audit?site=maarif", app.base))
        .header("Cookie", format!("guichet_session={chief}"))
        .send()
        .await
        .expect("page");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let openapi = app.get("/api/v1/openapi.json", None).await;
    assert!(openapi.body["paths"]["/api/v1/audit"]["get"].is_object());
}

/// Every entry a reader sees with `filters`, following the pages.
async fn all_entries(app: &TestApp, token: &str, filters: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut before = String::new();
    loop {
        let path = format!("/api/v1/audit?{filters}{before}");
        let page = app.get(&path, Some(token)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        entries.extend(
            page.body["entries"]
                .as_array()
                .expect("entries")
                .iter()
                .cloned(),
        );
        match page.body["next"].as_i64() {
            Some(next) => before = format!("&before={next}"),
            None => return entries,
        }
    }
}

/// The kiosk's device id, from the database.
async fn kiosk_id(app: &TestApp) -> String {
    guichet_test_support::read!(&app.app.db, |c| sqlx::query_scalar::<_, String>(
        "SELECT id FROM devices ORDER BY created_at LIMIT 1"
    )
    .fetch_one(c)
    .await)
    .expect("a device")
}
