//! The admin page of partners, against the real server: registering one
//! (its secret shown once, never stored by the browser, never listed
//! again), a new secret that stops the old one, disabling; refused forms
//! and other roles change nothing.

use crate::support::desk::desk;
use crate::support::forms::{between, open, post, send};
use crate::support::partners::{Push, file, now_s};
use guichet::domain::role::Role;
use guichet_test_support::{Backend, on_both_backends};
use reqwest::StatusCode;

on_both_backends!(a_partner_is_registered_on_its_page_and_its_secret_shown_once);

async fn a_partner_is_registered_on_its_page_and_its_secret_shown_once(backend: Backend) {
    let desk = desk(backend, false).await;
    let (app, admin) = (&desk.app, &desk.admin);
    let chief = app
        .add_staff("agdal-chef", Role::Supervisor, &desk.site)
        .await;
    let form = [
        ("id", "permis-armes"),
        ("name", "Bureau des permis"),
        ("name_ar", "مكتب الرخص"),
        ("sites", desk.site.as_str()),
    ];
    for token in [&chief, &desk.agent] {
        let page = open(app, Some(token), "/admin/partners").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let refused = send(app, token, "/admin/partners", &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    let forged = post(app, admin, "/admin/partners", &form[..2]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF field");
    let bad = send(
        app,
        admin,
        "/admin/partners",
        &[("id", "Permis Armes"), ("name", "X")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"form-error\""));
    assert!(bad.html.contains("Permis Armes"), "what was typed is kept");
    assert_eq!(app.count("partners").await, 0, "refused forms made nothing");

    let registered = send(app, admin, "/admin/partners", &form).await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.html);
    assert_eq!(registered.cache, "no-store");
    let secret = between(&registered.html, "id=\"secret\">").to_owned();
    assert!(secret.starts_with("gps_"), "{}", registered.html);
    let list = open(app, Some(admin), "/admin/partners").await;
    assert!(list.html.contains("Bureau des permis"));
    assert!(!list.html.contains(&secret), "never shown again");

    let push = |secret: &str, version| {
        let body = file(version, "received");
        Push::signed(secret, now_s(), &body)
    };
    let taken = push(&secret, 1).send(app, "permis-armes").await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);

    let rotated = send(app, admin, "/admin/partners/permis-armes/secret", &[]).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.html);
    assert_eq!(rotated.cache, "no-store");
    let new_secret = between(&rotated.html, "id=\"secret\">").to_owned();
    assert_ne!(new_secret, secret);
    let old = push(&secret, 2).send(app, "permis-armes").await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = push(&new_secret, 2).send(app, "permis-armes").await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);

    let refused = send(app, &chief, "/admin/partners/permis-armes/disable", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let disabled = send(app, admin, "/admin/partners/permis-armes/disable", &[]).await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(disabled.location, "/admin/partners?done=disabled");
    let late = push(&new_secret, 3).send(app, "permis-armes").await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
}
