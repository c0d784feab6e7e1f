//! Sockets of sessions that ended (issue 17, finding 4): a staff or device
//! socket closes with 1008 "session ended" at once when its account is
//! disabled, its session logged out or its device revoked on this
//! instance, and within the token check when another instance ends it,
//! while public sockets and the account's other sessions stay open.

use crate::support::forms::send;
use crate::support::sites::open_site;
use crate::support::tickets::{issue, kiosk};
use guichet::domain::role::Role;
use guichet_test_support::live::{connect, refused};
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    a_disabled_agents_socket_closes_at_once_and_the_lobby_stays_open,
    a_logout_closes_that_sessions_socket_at_once_and_no_other,
    a_revoked_displays_socket_closes_at_once,
);

/// The office: one counter with its agent, and the agent `amina`, who
/// follows that counter without holding it. Returns the admin's token and
/// amina's.
async fn office(app: &TestApp) -> (String, String) {
    let admin = app.admin().await;
    open_site(app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let amina = app.add_staff("amina", Role::Agent, "anfa").await;
    (admin, amina)
}

/// The close frame a socket gets next: (code, reason).
async fn closed_with(live: &mut guichet_test_support::live::Live) -> (u16, String) {
    let frame = live.close_frame().await.expect("a close frame");
    (u16::from(frame.code), frame.reason.to_string())
}

async fn a_disabled_agents_socket_closes_at_once_and_the_lobby_stays_open(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let (admin, amina) = office(&app).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let path = "/ws/counters/anfa-g1";
    let mut console = connect(&app, path, Some(&amina)).await;
    assert_eq!(console.next().await["type"], "snapshot");
    let mut lobby = connect(&app, "/ws/sites/anfa", None).await;
    assert_eq!(lobby.next().await["type"], "snapshot");

    let done = send(&app, &admin, "/admin/users/amina/disable", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    // Well before the periodic check of the token (30 s): at once.
    assert_eq!(
        closed_with(&mut console).await,
        (1008, "session ended".to_owned())
    );
    assert_eq!(refused(&app, path, Some(&amina)).await, 401);

    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(lobby.next().await["type"], "ticket.issued");
}

async fn a_logout_closes_that_sessions_socket_at_once_and_no_other(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let (admin, office_pc) = office(&app).await;
    let phone = app.login("amina", STAFF_PASSWORD).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let path = "/ws/counters/anfa-g1";
    let mut at_the_office = connect(&app, path, Some(&office_pc)).await;
    assert_eq!(at_the_office.next().await["type"], "snapshot");
    let mut on_the_phone = connect(&app, path, Some(&phone)).await;
    assert_eq!(on_the_phone.next().await["type"], "snapshot");

    let out = app
        .post("/api/v1/auth/logout", Some(&phone), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
    assert_eq!(
        closed_with(&mut on_the_phone).await,
        (1008, "session ended".to_owned())
    );
    // The session at the office goes on, and hears the queue.
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let heard = at_the_office.next().await;
    assert_ne!(heard["type"], "snapshot", "{heard}");
}

async fn a_revoked_displays_socket_closes_at_once(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let (admin, _) = office(&app).await;
    let device = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&admin),
            json!({"kind": "display", "label": "Écran 1"}),
        )
        .await
        .body;
    let token = device["token"].as_str().expect("a token");
    let path = "/ws/counters/anfa-g1";
    let mut board = connect(&app, path, Some(token)).await;
    assert_eq!(board.next().await["type"], "snapshot");

    let id = device["id"].as_str().expect("an id");
    let revoked = app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/devices/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        closed_with(&mut board).await,
        (1008, "session ended".to_owned())
    );
    assert_eq!(refused(&app, path, Some(token)).await, 401);
}

/// Two instances on one PostgreSQL database: what one instance ends closes
/// the other's sockets within its token check (shortened here), without
/// Redis. A logout is seen the same way.
#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn another_instances_sockets_close_within_the_token_check() {
    let first = TestApp::builder().postgres().spawn().await;
    let (admin, amina) = office(&first).await;
    let agent = first
        .login("anfa-agent1", guichet_test_support::STAFF_PASSWORD)
        .await;
    let second = TestApp::builder()
        .join(&first.database_url)
        .prepare(|settings| settings.live.hub.session_recheck = Duration::from_millis(200))
        .spawn()
        .await;
    let path = "/ws/counters/anfa-g1";
    let mut console = connect(&second, path, Some(&amina)).await;
    assert_eq!(console.next().await["type"], "snapshot");
    let mut other = connect(&second, path, Some(&agent)).await;
    assert_eq!(other.next().await["type"], "snapshot");

    let done = send(&first, &admin, "/admin/users/amina/disable", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        closed_with(&mut console).await,
        (1008, "session ended".to_owned())
    );
    // The socket closed when the second instance read the token again:
    // its requests are refused from then on too.
    assert_eq!(refused(&second, path, Some(&amina)).await, 401);

    let out = first
        .post("/api/v1/auth/logout", Some(&agent), json!({}))
        .await;
    assert!(out.status.is_success(), "{}", out.body);
    assert_eq!(
        closed_with(&mut other).await,
        (1008, "session ended".to_owned())
    );
}
