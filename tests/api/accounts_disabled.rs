//! Disabling a staff account from `/admin/users`: the person's sessions
//! end and the right password no longer opens one, yet the account stays
//! listed, with its name in the history, until it is enabled again. Refused
//! changes leave the account as it was.

use crate::support::forms::{open, post, send};
use crate::support::sites::open_site;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    a_disabled_account_cannot_log_in_until_enabled_again,
    disabling_is_refused_for_oneself_at_a_counter_or_out_of_reach,
);

const SITE: &str = "anfa";

/// The office: one counter opened by `anfa-agent1`, plus the agent
/// `amina` (no counter) and the supervisor `anfa-chef`. Returns the app,
/// the admin's token and amina's token.
async fn office(backend: Backend) -> (TestApp, String, String) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    open_site(&app, &admin, SITE, "Africa/Casablanca", 1).await;
    let amina = app.add_staff("amina", Role::Agent, SITE).await;
    app.add_staff("anfa-chef", Role::Supervisor, SITE).await;
    (app, admin, amina)
}

async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    let answer = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": username, "password": password}),
        )
        .await;
    (answer.status, answer.body)
}

/// Whether a token still opens a session: the statistics of the site
/// answer anything but 401 (an agent gets 403).
async fn works(app: &TestApp, token: &str) -> bool {
    let path = format!("/api/v1/sites/{SITE}/stats?from=2026-01-01&to=2026-01-02");
    let answer = app.get(&path, Some(token)).await;
    answer.status != StatusCode::UNAUTHORIZED
}

/// The `disabled_at` of an account, straight from the table.
async fn disabled_at(app: &TestApp, username: &str) -> Option<i64> {
    guichet_test_support::read!(&app.app.db, |c| sqlx::query_scalar::<_, Option<i64>>(
        "SELECT disabled_at FROM users WHERE username = $1"
    )
    .bind(username)
    .fetch_one(c)
    .await)
    .expect("the account")
}

/// The row of `username` in the accounts list.
fn row<'a>(html: &'a str, username: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"user-{username}\""))
        .unwrap_or_else(|| panic!("{username} listed: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

async fn a_disabled_account_cannot_log_in_until_enabled_again(backend: Backend) {
    let (app, admin, amina) = office(backend).await;
    assert!(works(&app, &amina).await);
    let forged = post(&app, &admin, "/admin/users/amina/disable", &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF field");
    assert_eq!(disabled_at(&app, "amina").await, None, "nothing changed");

    let done = send(&app, &admin, "/admin/users/amina/disable", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location, "/admin/users?disabled=1");
    assert!(!works(&app, &amina).await, "her open session ended");
    let (status, body) = login(&app, "amina", STAFF_PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["message"], "this account is disabled");
    let (status, body) = login(&app, "amina", "not-her-password-1").await;
    assert_eq!(
        (status, &body["error"]["message"]),
        (
            StatusCode::UNAUTHORIZED,
            &json!("unknown user or wrong password")
        ),
        "a wrong password learns nothing about the account"
    );

    // The login page says why, in the office's language.
    let form = [
        ("username", "amina"),
        ("password", STAFF_PASSWORD),
        ("next", "/agent"),
    ];
    let page = send(&app, "", "/agent/login", &form).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.html.contains("Ce compte est désactivé"),
        "{}",
        page.html
    );
    assert!(
        !page.html.contains(STAFF_PASSWORD),
        "the password is not sent back"
    );

    // Listed as disabled, with the button to enable it; others unchanged.
    let list = open(&app, Some(&admin), "/admin/users?disabled=1").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("Compte désactivé"), "the flash says so");
    let amina_row = row(&list.html, "amina");
    assert!(amina_row.contains("désactivé"), "{amina_row}");
    assert!(
        amina_row.contains("/admin/users/amina/enable"),
        "{amina_row}"
    );
    let other = row(&list.html, "anfa-agent1");
    assert!(
        other.contains("/admin/users/anfa-agent1/disable"),
        "{other}"
    );

    // A complaint cannot be given to her.
    let patched = app
        .patch(
            &format!("/api/v1/sites/{SITE}"),
            Some(&admin),
            json!({"verify_phone": false}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let complaint = app
        .post(
            &format!("/api/v1/sites/{SITE}/complaints"),
            None,
            json!({"subject": "Attente", "body": "Deux heures d'attente.", "phone": "+212612345678"}),
        )
        .await;
    assert_eq!(complaint.status, StatusCode::CREATED, "{}", complaint.body);
    let reference = complaint.body["reference"].as_str().expect("reference");
    let assign = format!("/api/v1/complaints/{reference}/assign");
    let refused = app
        .post(&assign, Some(&admin), json!({"to": "amina"}))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let path = format!("/admin/sites/{SITE}/complaints/{reference}");
    let page = open(&app, Some(&admin), &path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("value=\"anfa-agent1\""), "{}", page.html);
    assert!(!page.html.contains("value=\"amina\""), "not offered");

    // Enabled again: the password works, the old session stays ended.
    let done = send(&app, &admin, "/admin/users/amina/enable", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(disabled_at(&app, "amina").await, None);
    assert!(!works(&app, &amina).await);
    let fresh = app.login("amina", STAFF_PASSWORD).await;
    assert!(works(&app, &fresh).await);
    let given = app
        .post(&assign, Some(&admin), json!({"to": "amina"}))
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
}

async fn disabling_is_refused_for_oneself_at_a_counter_or_out_of_reach(backend: Backend) {
    let (app, admin, amina) = office(backend).await;
    let chief = app.login("anfa-chef", STAFF_PASSWORD).await;
    let at_counter = app.login("anfa-agent1", STAFF_PASSWORD).await;

    let own = send(&app, &admin, "/admin/users/admin/disable", &[]).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.html);
    assert!(own.html.contains("class=\"form-error\""));
    let busy = send(&app, &admin, "/admin/users/anfa-agent1/disable", &[]).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{}", busy.html);
    assert!(
        busy.html.contains("anfa-g1"),
        "names the counter: {}",
        busy.html
    );
    assert!(works(&app, &at_counter).await, "still at work");
    let beyond = send(&app, &chief, "/admin/users/admin/disable", &[]).await;
    assert_eq!(beyond.status, StatusCode::NOT_FOUND, "{}", beyond.html);
    let peer = send(&app, &chief, "/admin/users/anfa-chef/disable", &[]).await;
    assert_eq!(peer.status, StatusCode::CONFLICT, "{}", peer.html);
    let ghost = send(&app, &admin, "/admin/users/nobody/disable", &[]).await;
    assert_eq!(ghost.status, StatusCode::NOT_FOUND);
    for user in ["admin", "anfa-agent1", "anfa-chef"] {
        assert_eq!(disabled_at(&app, user).await, None, "{user} unchanged");
    }
    assert!(works(&app, &admin).await && works(&app, &chief).await);

    // The supervisor may disable an agent of the site; many clicks at once
    // all land on the same disabled account.
    let clicks = (0..8).map(|_| send(&app, &chief, "/admin/users/amina/disable", &[]));
    for page in futures::future::join_all(clicks).await {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    }
    assert!(disabled_at(&app, "amina").await.is_some());
    assert!(!works(&app, &amina).await);

    // The operator's `guichet user add` resets the account and enables it.
    guichet::app::auth::add_user(&app.app, "amina", Role::Agent, Some(SITE), STAFF_PASSWORD)
        .await
        .expect("reset");
    assert_eq!(disabled_at(&app, "amina").await, None);
    app.login("amina", STAFF_PASSWORD).await;
}
