//! Kiosk and display tokens (finding 8 of issue 17): an admin gives a
//! device a new token from the API or the devices page (shown once, the
//! old one refused at once), and a token unused for
//! `GUICHET_DEVICE_IDLE_DAYS` (30 by default) expires, which the kiosk's
//! page says, until an admin gives it a new one.

use crate::support::forms::{between, open, post, send};
use crate::support::sites::open_site;
use guichet::clock::ManualTime;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_backends!(
    a_new_token_replaces_the_old_one_at_once,
    an_unused_token_expires_until_an_admin_gives_a_new_one,
);

/// A new kiosk of `anfa`: (id, token).
async fn new_kiosk(app: &TestApp, admin: &str) -> (String, String) {
    let body = json!({"kind": "kiosk", "label": "Borne"});
    let created = app
        .post("/api/v1/sites/anfa/devices", Some(admin), body)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let field = |name: &str| created.body[name].as_str().expect(name).to_owned();
    (field("id"), field("token"))
}

/// What a kiosk does all day: take a ticket. Its status.
async fn take_ticket(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let body = json!({"service": "residence"});
    let answer = app
        .post("/api/v1/sites/anfa/tickets", Some(token), body)
        .await;
    (answer.status, answer.body)
}

async fn rotate(app: &TestApp, token: &str, id: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/devices/{id}/token");
    let answer = app.call(Method::POST, &path, Some(token), None).await;
    (answer.status, answer.body)
}

async fn a_new_token_replaces_the_old_one_at_once(backend: Backend) {
    let (app, _time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    open_site(&app, &admin, "maarif", "Africa/Casablanca", 1).await;
    let (id, first) = new_kiosk(&app, &admin).await;
    assert_eq!(take_ticket(&app, &first).await.0, StatusCode::CREATED);

    // Through the API: the site's supervisor or an admin, no one else.
    let chief = app.add_staff("chief-anfa", Role::Supervisor, "anfa").await;
    let other = app
        .add_staff("chief-maarif", Role::Supervisor, "maarif")
        .await;
    let agent = app.add_staff("agent-anfa", Role::Agent, "anfa").await;
    for token in [&other, &agent, &first] {
        let (status, body) = rotate(&app, token, &id).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    assert_eq!(take_ticket(&app, &first).await.0, StatusCode::CREATED);
    let (status, body) = rotate(&app, &chief, &id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((&body["id"], &body["kind"]), (&json!(id), &json!("kiosk")));
    let second = body["token"].as_str().expect("a new token").to_owned();
    assert!(second.len() >= 32 && second != first);
    let (status, body) = take_ticket(&app, &first).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old one at once: {body}"
    );
    assert_eq!(take_ticket(&app, &second).await.0, StatusCode::CREATED);
    let listed = app.get("/api/v1/sites/anfa/devices", Some(&admin)).await;
    assert!(!listed.body.to_string().contains(&second), "shown once");

    // Through the devices page: a button, with its CSRF field.
    let list = open(&app, Some(&admin), "/admin/sites/anfa/devices").await;
    let action = format!("/admin/sites/anfa/devices/{id}/token");
    assert!(list.html.contains(&action), "{}", list.html);
    let forged = post(&app, &admin, &action, &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(take_ticket(&app, &second).await.0, StatusCode::CREATED);
    let page = send(&app, &admin, &action, &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.cache, "no-store");
    let third = between(&page.html, "id=\"token\">").to_owned();
    assert!(third.len() >= 32 && third != second, "{third}");
    assert!(page.html.contains(&format!("/kiosk/anfa?device={third}")));
    assert_eq!(take_ticket(&app, &second).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(take_ticket(&app, &third).await.0, StatusCode::CREATED);
    let again = open(&app, Some(&admin), "/admin/sites/anfa/devices").await;
    assert!(!again.html.contains(&third), "shown once");

    // Not for a device of another site, an unknown one or a revoked one.
    let wrong_site = send(
        &app,
        &admin,
        &format!("/admin/sites/maarif/devices/{id}/token"),
        &[],
    )
    .await;
    assert_eq!(wrong_site.status, StatusCode::NOT_FOUND);
    assert_eq!(take_ticket(&app, &third).await.0, StatusCode::CREATED);
    assert_eq!(rotate(&app, &admin, "nope").await.0, StatusCode::NOT_FOUND);
    let path = format!("/api/v1/devices/{id}");
    let revoked = app.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let (status, body) = rotate(&app, &admin, &id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "device_revoked");
    assert_eq!(take_ticket(&app, &third).await.0, StatusCode::UNAUTHORIZED);
}

fn later(time: &ManualTime, days: i64, minutes: i64) {
    let by = jiff::SignedDuration::from_secs(days * 86_400 + minutes * 60);
    time.set(time.now() + by);
}

async fn an_unused_token_expires_until_an_admin_gives_a_new_one(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let (id, token) = new_kiosk(&app, &admin).await;

    // Used within 30 days, it keeps working; each use counts.
    later(&time, 29, 0);
    assert_eq!(take_ticket(&app, &token).await.0, StatusCode::CREATED);
    later(&time, 29, 59);
    assert_eq!(take_ticket(&app, &token).await.0, StatusCode::CREATED);
    let home = open(&app, Some(&token), "/kiosk/anfa").await;
    assert_eq!(home.status, StatusCode::OK);

    // Unused for 30 days: refused, and the kiosk's page says why.
    later(&time, 30, 1);
    let (status, body) = take_ticket(&app, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("new token"), "{message}");
    let page = open(&app, Some(&token), "/kiosk/anfa").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.html.contains("a expiré"), "{}", page.html);
    assert!(page.html.contains("Nouveau jeton"), "{}", page.html);
    // A kiosk never set up is told something else.
    let unset = open(&app, None, "/kiosk/anfa").await;
    assert_eq!(unset.status, StatusCode::FORBIDDEN);
    assert!(!unset.html.contains("a expiré"), "{}", unset.html);

    // An admin gives it a new token: it works again, the old one does not.
    let admin = app.admin().await;
    let (status, body) = rotate(&app, &admin, &id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = body["token"].as_str().expect("a token").to_owned();
    assert_eq!(take_ticket(&app, &renewed).await.0, StatusCode::CREATED);
    assert_eq!(
        open(&app, Some(&renewed), "/kiosk/anfa").await.status,
        StatusCode::OK
    );
    assert_eq!(take_ticket(&app, &token).await.0, StatusCode::UNAUTHORIZED);
}
