//! Partners against the real server: admins register them (their secret
//! shown once), rotate and disable them; their signed pushes are taken
//! once, and every bad push (signature, timestamp, replay, older version)
//! changes nothing, as read back from the table.

use crate::support::partners::{PARTNER, Partnered, Push, REFERENCE, file, now_s, partnered};
use guichet::domain::role::Role;
use guichet_test_support::{Backend, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    only_admins_register_partners_and_secrets_are_shown_once,
    bad_pushes_change_nothing,
    pushes_are_bounded_and_checked,
);

async fn only_admins_register_partners_and_secrets_are_shown_once(backend: Backend) {
    let p = partnered(backend).await;
    let app = &p.desk.app;
    assert!(p.secret.starts_with("gps_"), "{}", p.secret);
    let supervisor = app
        .add_staff("agdal-chef", Role::Supervisor, &p.desk.site)
        .await;
    let body = json!({"id": "permis", "name": "Bureau des permis", "sites": []});
    for token in [&p.desk.agent, &supervisor] {
        let refused = app
            .post("/api/v1/partners", Some(token), body.clone())
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let listed = app.get("/api/v1/partners", Some(token)).await;
        assert_eq!(listed.status, StatusCode::FORBIDDEN, "{}", listed.body);
    }
    let anonymous = app.post("/api/v1/partners", None, body.clone()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let again = json!({"id": PARTNER, "name": "Autre", "sites": []});
    let taken = app
        .post("/api/v1/partners", Some(&p.desk.admin), again)
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let bad_site = json!({"id": "permis", "name": "Permis", "sites": ["nowhere"]});
    let bad = app
        .post("/api/v1/partners", Some(&p.desk.admin), bad_site)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.body["error"]["code"], "invalid_sites");

    let listed = app.get("/api/v1/partners", Some(&p.desk.admin)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let partners = listed.body.as_array().expect("a list");
    assert_eq!(partners.len(), 1, "{}", listed.body);
    assert_eq!(partners[0]["sites"], json!([p.desk.site]));
    assert!(partners[0].get("secret").is_none(), "shown once only");
    assert!(!listed.body.to_string().contains(&p.secret));

    // A new secret: the old one stops at once, the new one signs.
    let path = format!("/api/v1/partners/{PARTNER}/secret");
    let rotated = app.post(&path, Some(&p.desk.admin), json!({})).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().expect("a new secret");
    assert_ne!(new_secret, p.secret);
    let old = p.push(&file(1, "received")).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "{}", old.body);
    assert_eq!(p.stored().await, None);
    let new = Push::signed(new_secret, now_s(), &file(1, "received"));
    let taken = new.send(app, PARTNER).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(p.stored().await, Some((1, "received".to_owned())));

    // Disabled: its pushes are refused like a stranger's.
    let path = format!("/api/v1/partners/{PARTNER}/disable");
    let disabled = app.post(&path, Some(&p.desk.admin), json!({})).await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{}", disabled.body);
    let late = Push::signed(new_secret, now_s(), &file(2, "processing"));
    let refused = late.send(app, PARTNER).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(p.stored().await, Some((1, "received".to_owned())));

    // Each admin action is in the audit log.
    let audit = app.get("/api/v1/audit", Some(&p.desk.admin)).await;
    let text = audit.body.to_string();
    for action in ["/api/v1/partners", "/secret", "/disable"] {
        assert!(text.contains(action), "{action} not audited: {text}");
    }
}

async fn bad_pushes_change_nothing(backend: Backend) {
    let p = partnered(backend).await;
    let app = &p.desk.app;
    let first = Push::signed(&p.secret, now_s(), &file(2, "processing"));
    let taken = first.send(app, PARTNER).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(taken.body["changed"], true);
    assert_eq!(taken.body["reference"], REFERENCE);
    let kept = Some((2, "processing".to_owned()));
    assert_eq!(p.stored().await, kept);

    // A wrong secret, and a partner that does not exist: the same 401.
    let forged = Push::signed("gps_guess", now_s(), &file(3, "ready"));
    let refused = forged.send(app, PARTNER).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    let stranger = Push::signed(&p.secret, now_s(), &file(3, "ready"));
    let unknown = stranger.send(app, "nobody").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{}", unknown.body);
    assert_eq!(refused.body, unknown.body, "no detail tells them apart");
    // A signature over another body.
    let mut tampered = Push::signed(&p.secret, now_s(), &file(3, "ready"));
    tampered.body = serde_json::to_vec(&file(4, "ready")).unwrap();
    let refused = tampered.send(app, PARTNER).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(p.stored().await, kept);

    // Six minutes old, and six minutes ahead.
    for skew in [-360, 360] {
        let stale = Push::signed(&p.secret, now_s() + skew, &file(3, "ready"));
        let refused = stale.send(app, PARTNER).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
        assert_eq!(p.stored().await, kept);
    }

    // The very same request again.
    let replayed = first.send(app, PARTNER).await;
    assert_eq!(replayed.status, StatusCode::CONFLICT, "{}", replayed.body);
    assert_eq!(replayed.body["error"]["code"], "replayed");
    assert_eq!(p.stored().await, kept);

    // An older version, freshly signed.
    let older = p.push(&file(1, "ready")).await;
    assert_eq!(older.status, StatusCode::CONFLICT, "{}", older.body);
    assert_eq!(older.body["error"]["code"], "stale_version");
    assert_eq!(p.stored().await, kept);

    // The same version again, even with another status: 200, unchanged.
    let mut same = file(2, "ready");
    same["label"]["fr"] = json!("Autre");
    let again = p.push(&same).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["changed"], false);
    assert_eq!(again.body["status"], "processing");
    assert_eq!(p.stored().await, kept);

    let newer = p.push(&file(3, "ready")).await;
    assert_eq!(newer.status, StatusCode::OK, "{}", newer.body);
    assert_eq!(newer.body["changed"], true);
    assert_eq!(p.stored().await, Some((3, "ready".to_owned())));
}

async fn pushes_are_bounded_and_checked(backend: Backend) {
    let p = partnered(backend).await;
    let app = &p.desk.app;
    let mut cases = Vec::new();
    let mut kind = file(1, "received");
    kind["kind"] = json!("spaceship");
    cases.push((kind, "invalid_kind"));
    let mut status = file(1, "lost");
    status["status"] = json!("lost");
    cases.push((status, "invalid_status"));
    let mut label = file(1, "received");
    label["label"]["ar"] = json!("ا".repeat(121));
    cases.push((label, "invalid_label"));
    let mut reference = file(1, "received");
    reference["reference"] = json!("A".repeat(41));
    cases.push((reference, "invalid_reference"));
    let mut holder = file(1, "received");
    holder["holder_id"] = json!("AB/123");
    cases.push((holder, "invalid_holder_id"));
    let mut version = file(0, "received");
    version["version"] = json!(0);
    cases.push((version, "invalid_version"));
    let mut phone = file(1, "received");
    phone["phone"] = json!("0612");
    cases.push((phone, "invalid_phone"));
    let mut extra = file(1, "received");
    extra["surprise"] = json!(true);
    cases.push((extra, "invalid_body"));
    for (body, code) in cases {
        let refused = p.push(&body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {}",
            refused.body
        );
        assert_eq!(refused.body["error"]["code"], code, "{}", refused.body);
    }
    let mut big = file(1, "received");
    big["label"]["fr"] = json!("x".repeat(5000));
    let refused = p.push(&big).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let unsigned = app
        .http
        .post(format!("{}/api/v1/partners/{PARTNER}/files", app.base))
        .json(&file(1, "received"));
    let refused = app.send(unsigned).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(p.stored().await, None);
    assert_no_partner_files(&p).await;
}

async fn assert_no_partner_files(p: &Partnered) {
    assert_eq!(p.desk.app.count("partner_files").await, 0);
}
