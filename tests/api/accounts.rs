//! Logins, sessions, device tokens and who may touch what.

use crate::support::sites::seed_site;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(
    login_good_and_bad,
    repeated_failures_are_rate_limited,
    logout_revokes_the_token,
    device_tokens_are_scoped_and_revocable,
    roles_and_sites_are_enforced,
);

async fn login_good_and_bad(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    seed_site(&app, &app.admin().await, "anfa").await;
    app.add_staff("amina", Role::Agent, "anfa").await;

    let good = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "amina", "password": STAFF_PASSWORD}),
        )
        .await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(
        good.body["user"],
        json!({"username": "amina", "role": "agent", "site": "anfa"})
    );
    assert!(good.body["token"].as_str().unwrap().len() >= 32);

    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "amina", "password": "nope-nope-nope"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "nobody", "password": "nope-nope-nope"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.body, unknown.body,
        "one answer for unknown user and wrong password"
    );

    let bad_token = app
        .post("/api/v1/sites/anfa/counters", Some("forged"), json!({}))
        .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    let no_token = app.post("/api/v1/sites", None, json!({})).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.code(), "unauthorized");
}

async fn repeated_failures_are_rate_limited(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    for _ in 0..5 {
        let answer = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": "admin", "password": "guess-guess"}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "admin", "password": guichet_test_support::ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert_eq!(limited.code(), "rate_limited");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
}

async fn logout_revokes_the_token(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let other_session = app.admin().await;
    let out = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&admin), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = app
        .post(
            "/api/v1/sites",
            Some(&admin),
            crate::support::sites::site_body("anfa"),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("sites").await, 0);
    let still = app
        .post(
            "/api/v1/sites",
            Some(&other_session),
            crate::support::sites::site_body("anfa"),
        )
        .await;
    assert_eq!(still.status, StatusCode::CREATED, "other sessions live on");
}

async fn device_tokens_are_scoped_and_revocable(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    let supervisor = app.add_staff("karim", Role::Supervisor, "anfa").await;

    let kiosk = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&supervisor),
            json!({"kind": "kiosk", "label": "Entrée"}),
        )
        .await;
    assert_eq!(kiosk.status, StatusCode::CREATED, "{}", kiosk.body);
    let display = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&supervisor),
            json!({"kind": "display", "label": "Salle"}),
        )
        .await;
    let display_token = display.body["token"].as_str().unwrap().to_owned();
    let kiosk_id = kiosk.body["id"].as_str().unwrap().to_owned();

    let elsewhere = app
        .post(
            "/api/v1/sites/maarif/devices",
            Some(&supervisor),
            json!({"kind": "kiosk", "label": "x"}),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let bad_kind = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&supervisor),
            json!({"kind": "toaster", "label": "x"}),
        )
        .await;
    assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("devices").await, 2);

    // A display only reads: it cannot create, change or open anything.
    let counter = json!({"id": "d1", "label": "D", "services": ["residence"]});
    let by_display = app
        .post("/api/v1/sites/anfa/counters", Some(&display_token), counter)
        .await;
    assert_eq!(by_display.status, StatusCode::FORBIDDEN);
    let open = app
        .post(
            "/api/v1/counters/anfa-g1/open",
            Some(&display_token),
            json!({}),
        )
        .await;
    assert_eq!(open.status, StatusCode::FORBIDDEN);
    let patch = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&display_token),
            json!({"name": "Hacked"}),
        )
        .await;
    assert_eq!(patch.status, StatusCode::FORBIDDEN);

    let kiosk_token = kiosk.body["token"].as_str().unwrap().to_owned();
    let revoke = app
        .call(
            Method::DELETE,
            &format!("/api/v1/devices/{kiosk_id}"),
            Some(&supervisor),
            None,
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT);
    let after = app
        .call(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&kiosk_token),
            None,
        )
        .await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "a revoked device token is dead"
    );
    let unknown = app
        .call(
            Method::DELETE,
            "/api/v1/devices/nope",
            Some(&supervisor),
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn roles_and_sites_are_enforced(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    let agent = app.add_staff("amina", Role::Agent, "anfa").await;
    let supervisor = app.add_staff("karim", Role::Supervisor, "anfa").await;

    // Agents work at counters of their own site only.
    let other_site = app
        .post("/api/v1/counters/maarif-g1/open", Some(&agent), json!({}))
        .await;
    assert_eq!(other_site.status, StatusCode::FORBIDDEN);
    let own_site = app
        .post("/api/v1/counters/anfa-g1/open", Some(&agent), json!({}))
        .await;
    assert_eq!(own_site.status, StatusCode::OK, "{}", own_site.body);

    // Agents do not configure; supervisors configure their own site only.
    let counter = |id: &str| json!({"id": id, "label": "Guichet", "services": ["residence"]});
    let by_agent = app
        .post("/api/v1/sites/anfa/counters", Some(&agent), counter("a2"))
        .await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN);
    let sup_elsewhere = app
        .post(
            "/api/v1/sites/maarif/counters",
            Some(&supervisor),
            counter("m2"),
        )
        .await;
    assert_eq!(sup_elsewhere.status, StatusCode::FORBIDDEN);
    let sup_home = app
        .post(
            "/api/v1/sites/anfa/counters",
            Some(&supervisor),
            counter("a2"),
        )
        .await;
    assert_eq!(sup_home.status, StatusCode::CREATED);

    // Only admins create sites and services or change a site.
    for token in [&agent, &supervisor] {
        let site = app
            .post(
                "/api/v1/sites",
                Some(token),
                crate::support::sites::site_body("x"),
            )
            .await;
        assert_eq!(site.status, StatusCode::FORBIDDEN);
        let service = json!({"id": "life", "prefix": "D", "name": "Certificat de vie"});
        let answer = app
            .post("/api/v1/sites/anfa/services", Some(token), service)
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        let patch = app
            .patch("/api/v1/sites/anfa", Some(token), json!({"name": "Autre"}))
            .await;
        assert_eq!(patch.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.count("sites").await, 2);
    assert_eq!(app.count("services").await, 4);
    assert_eq!(app.count("counters").await, 3);
}
