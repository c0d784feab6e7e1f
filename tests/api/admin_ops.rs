//! The admin pages that run an office, against the real server: the lobby
//! announcements, devices, the outbox, webhooks and the complaints inbox.
//! Each change is checked through the JSON API or the tables; refused
//! forms change nothing; secrets are shown once.

use crate::support::desk::{AMINA, Desk, KARIM, desk};
use crate::support::forms::{between, open, post, send};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

/// The office of `requests::desk` with its supervisor.
async fn office(backend: Backend) -> (Desk, String) {
    let desk = desk(backend, false).await;
    let chief = desk
        .app
        .add_staff("agdal-chef", Role::Supervisor, &desk.site)
        .await;
    (desk, chief)
}

on_both_backends!(the_complaints_inbox_puts_overdue_ones_first_and_answers_them);

#[tokio::test]
async fn announcements_are_edited_as_one_list() {
    let (desk, chief) = office(Backend::Sqlite).await;
    let (app, site) = (&desk.app, &desk.site);
    let path = format!("/admin/sites/{site}/announcements");
    let api = format!("/api/v1/sites/{site}/announcements");
    let shown = open(app, Some(&chief), &path).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(
        shown.html.matches("<textarea name=\"fr_").count(),
        3,
        "blank rows to fill"
    );

    let saved = send(
        app,
        &chief,
        &path,
        &[
            ("order_0", "2"),
            ("fr_0", "Fermé vendredi"),
            ("ar_0", "مغلق يوم الجمعة"),
            ("order_1", "1"),
            ("fr_1", " Apportez votre CIN "),
            ("ar_1", "أحضروا بطاقتكم"),
            ("order_2", "3"),
            ("fr_2", " "),
            ("ar_2", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location, format!("{path}?done=saved"));
    let expected = json!({"announcements": [
        {"text_fr": "Apportez votre CIN", "text_ar": "أحضروا بطاقتكم"},
        {"text_fr": "Fermé vendredi", "text_ar": "مغلق يوم الجمعة"}]});
    assert_eq!(
        app.get(&api, None).await.body,
        expected,
        "in order, blank row dropped"
    );
    let shown = open(app, Some(&chief), &format!("{path}?done=saved")).await;
    assert!(shown.html.contains("class=\"flash\""), "{}", shown.html);
    assert!(shown.html.contains("Apportez votre CIN"));

    let long = "x".repeat(281);
    let refused = [
        vec![("order_0", "1"), ("fr_0", long.as_str()), ("ar_0", "نص")],
        vec![("order_0", "1"), ("fr_0", "Sans arabe"), ("ar_0", " ")],
        vec![("order_0", "premier"), ("fr_0", "Texte"), ("ar_0", "نص")],
    ];
    for form in refused {
        let page = send(app, &chief, &path, &form).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert!(page.html.contains("id=\"form-error\""), "{}", page.html);
        assert!(
            page.html.contains("aria-invalid=\"true\""),
            "the row is marked"
        );
        assert!(page.html.contains(form[1].1), "what was typed is kept");
        assert_eq!(app.get(&api, None).await.body, expected, "nothing changed");
    }
    let forged = post(app, &chief, &path, &[("fr_0", "Faux"), ("ar_0", "مزور")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&api, None).await.body, expected, "nothing changed");
}

#[tokio::test]
async fn a_device_token_is_shown_once_and_revoking_stops_it() {
    let (desk, chief) = office(Backend::Sqlite).await;
    let (app, site) = (&desk.app, &desk.site);
    let path = format!("/admin/sites/{site}/devices");
    let issued = send(
        app,
        &chief,
        &path,
        &[("kind", "kiosk"), ("label", "Borne de l'entrée")],
    )
    .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.html);
    assert_eq!(issued.cache, "no-store");
    let token = between(&issued.html, "id=\"token\">").to_owned();
    assert!(token.len() >= 32, "{}", issued.html);
    assert!(
        issued
            .html
            .contains(&format!("/kiosk/{site}?device={token}"))
    );
    let device = guichet::app::auth::authenticate(&app.app, &token).await;
    assert!(matches!(
        device,
        Ok(guichet::app::auth::Principal::Device { .. })
    ));

    let list = open(app, Some(&chief), &path).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.html.contains("Borne de l&#39;entrée") || list.html.contains("Borne de l&#x27;entrée"),
        "{}",
        list.html
    );
    assert!(
        !list.html.contains(&token),
        "the token is never shown again"
    );

    for (kind, label) in [("toaster", "Grille-pain"), ("kiosk", " ")] {
        let refused = send(app, &chief, &path, &[("kind", kind), ("label", label)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}");
        assert!(refused.html.contains("id=\"form-error\""));
        assert!(refused.html.contains("aria-invalid=\"true\""));
    }
    let forged = post(
        app,
        &chief,
        &path,
        &[("kind", "kiosk"), ("label", "Sans jeton")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("devices").await, 1, "refused forms made nothing");

    let id = between(&list.html, "<tr id=\"device-")
        .split('"')
        .next()
        .unwrap_or("")
        .to_owned();
    let revoke = format!("{path}/{id}/revoke");
    assert_eq!(
        post(app, &chief, &revoke, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        guichet::app::auth::authenticate(&app.app, &token)
            .await
            .is_ok()
    );
    let revoked = send(app, &chief, &revoke, &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(revoked.location, format!("{path}?done=revoked"));
    assert!(
        guichet::app::auth::authenticate(&app.app, &token)
            .await
            .is_err()
    );
    let list = open(app, Some(&chief), &path).await;
    assert!(!list.html.contains(&revoke), "no revoke button any more");
}

/// The "last seen" cell of a device's row in the list.
fn seen_in(html: &str, device: &str) -> String {
    let row = html
        .split(&format!("<tr id=\"device-{device}\""))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row for {device} in {html}"));
    let cell = row
        .split("<td class=\"seen\">")
        .nth(1)
        .expect("a last-seen cell");
    cell.split("</td>").next().unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_device_shows_when_it_was_last_seen() {
    let (desk, chief) = office(Backend::Sqlite).await;
    let (app, site) = (&desk.app, &desk.site);
    let counter = json!({"id": "agdal-g1", "label": "Guichet 1", "services": ["residence"]});
    let made = app
        .post(
            &format!("/api/v1/sites/{site}/counters"),
            Some(&desk.admin),
            counter,
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let mut devices = Vec::new();
    for kind in ["kiosk", "display"] {
        let issued = app
            .post(
                &format!("/api/v1/sites/{site}/devices"),
                Some(&desk.admin),
                json!({"kind": kind, "label": format!("{kind} 1")}),
            )
            .await;
        assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
        let field = |name: &str| issued.body[name].as_str().expect(name).to_owned();
        devices.push((field("id"), field("token")));
    }
    let [(kiosk, kiosk_token), (display, display_token)] = &devices[..] else {
        unreachable!()
    };
    let path = format!("/admin/sites/{site}/devices");
    let list = open(app, Some(&chief), &path).await;
    assert!(seen_in(&list.html, kiosk).contains("Jamais utilisé"));

    // The kiosk issues tickets: seen then, and written once a minute at most.
    let tickets = format!("/api/v1/sites/{site}/tickets");
    let take = || app.post(&tickets, Some(kiosk_token), json!({"service": "residence"}));
    assert_eq!(take().await.status, StatusCode::CREATED);
    desk.set_time("2026-11-26T09:00:40Z");
    assert_eq!(take().await.status, StatusCode::CREATED);
    let seen_at: Option<i64> = guichet_test_support::read!(&app.app.db, |c| sqlx::query_scalar(
        "SELECT last_seen_at FROM devices WHERE id = $1"
    )
    .bind(kiosk)
    .fetch_one(c)
    .await)
    .expect("device read");
    let first: jiff::Timestamp = "2026-11-26T09:00:00Z".parse().unwrap();
    assert_eq!(
        seen_at,
        Some(first.as_millisecond()),
        "not written again within the minute"
    );
    let list = open(app, Some(&chief), &path).await;
    assert!(
        seen_in(&list.html, kiosk).contains("2026-11-26 09:00"),
        "{}",
        list.html
    );
    desk.set_time("2026-11-26T09:07:30Z");
    assert_eq!(take().await.status, StatusCode::CREATED);
    let list = open(app, Some(&chief), &path).await;
    assert!(
        seen_in(&list.html, kiosk).contains("2026-11-26 09:07"),
        "{}",
        list.html
    );
    assert!(seen_in(&list.html, display).contains("Jamais utilisé"));

    // The counter display is seen when it opens its live connection.
    let live =
        guichet_test_support::live::connect(app, "/ws/counters/agdal-g1", Some(display_token))
            .await;
    let list = open(app, Some(&chief), &path).await;
    assert!(
        seen_in(&list.html, display).contains("2026-11-26 09:07"),
        "{}",
        list.html
    );
    live.close().await;
}

#[tokio::test]
async fn the_outbox_shows_messages_masked_and_sends_a_dead_one_again() {
    let (desk, chief) = office(Backend::Sqlite).await;
    let app = &desk.app;
    let now = desk.app.app.clock.now_ms();
    let message = guichet::notify::sms(
        Some(&desk.site),
        "complaint_answered",
        AMINA,
        "Votre réclamation a reçu une réponse.".into(),
        "ops-test:1".into(),
        now,
    );
    let mut tx = app.app.db.begin().await.expect("tx");
    guichet::store::outbox::enqueue(&mut tx, &message)
        .await
        .expect("queued");
    guichet_test_support::write!(&mut tx, |c| sqlx::query(
        "UPDATE notifications SET status = 'dead', attempts = 5, last_error = 'provider said 21211' WHERE id = $1")
        .bind(&message.id).execute(c).await.map(|r| r.rows_affected())).expect("dead");
    tx.commit().await.expect("commit");

    let admin = app.admin().await;
    let dead = open(app, Some(&admin), "/admin/outbox?status=dead").await;
    assert_eq!(dead.status, StatusCode::OK);
    assert!(dead.html.contains("+2126••••••78"), "{}", dead.html);
    assert!(!dead.html.contains(AMINA), "the phone is masked");
    assert!(dead.html.contains("provider said 21211"));
    let pending = open(app, Some(&admin), "/admin/outbox").await;
    assert!(!pending.html.contains(&message.id), "another tab");

    let retry = format!("/admin/outbox/{}/retry", message.id);
    for token in [&chief, &desk.agent] {
        assert_eq!(
            open(app, Some(token), "/admin/outbox").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(app, token, &retry, &[]).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        post(app, &admin, &retry, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let listed = app.get("/api/v1/outbox?status=dead", Some(&admin)).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1), "still dead");
    let retried = send(app, &admin, &retry, &[]).await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER);
    let listed = app.get("/api/v1/outbox?status=dead", Some(&admin)).await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(0),
        "{}",
        listed.body
    );
}

#[tokio::test]
async fn a_webhook_secret_is_shown_once() {
    let (desk, chief) = office(Backend::Sqlite).await;
    let app = &desk.app;
    let admin = &desk.admin;
    let registered = send(
        app,
        admin,
        "/admin/webhooks",
        &[
            ("url", "https://etat-civil.gov.ma/hooks/guichet"),
            ("events", "complaint.answered"),
            ("events", "ticket.done"),
            ("site", &desk.site),
        ],
    )
    .await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.html);
    assert_eq!(registered.cache, "no-store");
    let secret = between(&registered.html, "id=\"secret\">").to_owned();
    assert!(secret.len() >= 32, "{}", registered.html);
    let listed = app.get("/api/v1/webhooks", Some(admin)).await;
    assert_eq!(
        listed.body[0]["events"],
        json!(["complaint.answered", "ticket.done"])
    );
    assert_eq!(listed.body[0]["site"], json!(desk.site));
    let list = open(app, Some(admin), "/admin/webhooks").await;
    assert!(
        list.html
            .contains("https://etat-civil.gov.ma/hooks/guichet")
    );
    assert!(
        !list.html.contains(&secret),
        "the secret is never shown again"
    );

    let refused = [
        ("http://example.ma/hook", "ticket.done", "url"),
        ("https://example.ma/hook", "toaster.burnt", "events"),
    ];
    for (url, event, field) in refused {
        let page = send(
            app,
            admin,
            "/admin/webhooks",
            &[("url", url), ("events", event)],
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(page.html.contains("id=\"form-error\""));
        assert!(page.html.contains(url), "what was typed is kept");
    }
    let forged = post(
        app,
        admin,
        "/admin/webhooks",
        &[("url", "https://x.ma/h"), ("events", "ticket.done")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    for token in [&chief, &desk.agent] {
        assert_eq!(
            open(app, Some(token), "/admin/webhooks").await.status,
            StatusCode::FORBIDDEN
        );
        let page = send(
            app,
            token,
            "/admin/webhooks",
            &[("url", "https://x.ma/h"), ("events", "ticket.done")],
        )
        .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.count("webhooks").await, 1, "refused forms made nothing");

    let id = listed.body[0]["id"].as_str().expect("id");
    let revoke = format!("/admin/webhooks/{id}/revoke");
    assert_eq!(
        send(app, &chief, &revoke, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let revoked = send(app, admin, &revoke, &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let listed = app.get("/api/v1/webhooks", Some(admin)).await;
    assert_eq!(listed.body, json!([]));
}

async fn the_complaints_inbox_puts_overdue_ones_first_and_answers_them(backend: Backend) {
    let (desk, _) = office(backend).await;
    let (app, site) = (&desk.app, desk.site.clone());
    let file = |phone: &'static str, subject: &'static str| {
        let body = json!({"subject": subject, "phone": phone, "service": "residence",
            "body": "Trois heures d'attente\nau guichet 2."});
        let path = format!("/api/v1/sites/{site}/complaints");
        async move {
            let filed = app.post(&path, None, body).await;
            assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
            filed.body["reference"]
                .as_str()
                .expect("reference")
                .to_owned()
        }
    };
    // Due in 60 days; the next day a 30-day deadline makes the second due first.
    let later = file(AMINA, "Attente trop longue").await;
    desk.set_time("2026-11-27T09:00:00Z");
    let admin = app.admin().await;
    let patch = json!({"complaint_answer_days": 30});
    let patched = app
        .patch(&format!("/api/v1/sites/{site}"), Some(&admin), patch)
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let overdue = file(KARIM, "Guichet fermé").await;
    desk.set_time("2026-12-28T09:00:00Z");
    let chief = app.login("agdal-chef", STAFF_PASSWORD).await;

    let inbox = format!("/admin/sites/{site}/complaints");
    let list = open(app, Some(&chief), &inbox).await;
    assert_eq!(list.status, StatusCode::OK);
    let (first, second) = (list.html.find(&overdue), list.html.find(&later));
    assert!(
        first.is_some() && first < second,
        "the overdue one first: {}",
        list.html
    );
    assert!(list.html.contains(&format!(
        "<tr id=\"complaint-{overdue}\" class=\"overdue\">"
    )));
    assert!(list.html.contains("Certificat de résidence"));

    let detail = format!("{inbox}/{overdue}");
    let page = open(app, Some(&chief), &detail).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("Trois heures d&#39;attente")
            || page.html.contains("Trois heures d&#x27;attente"),
        "{}",
        page.html
    );
    assert!(page.html.contains("<option value=\"agdal-agent\""));

    // Sessions last 12 hours: the admin logs in again to read.
    let admin = &app.admin().await;
    let read = |reference: String| async move {
        app.get(&format!("/api/v1/complaints/{reference}"), Some(admin))
            .await
            .body
    };
    let assigned = send(
        app,
        &chief,
        &format!("{detail}/assign"),
        &[("to", "agdal-agent")],
    )
    .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    assert_eq!(assigned.location, format!("{detail}?done=assigned"));
    assert_eq!(read(overdue.clone()).await["assigned_to"], "agdal-agent");

    let sms_before = app.count("notifications").await;
    let empty = send(
        app,
        &chief,
        &format!("{detail}/answer"),
        &[("answer", "  ")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.html.contains("aria-invalid=\"true\""),
        "{}",
        empty.html
    );
    let forged = post(
        app,
        &chief,
        &format!("{detail}/answer"),
        &[("answer", "Réglé.")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        read(overdue.clone()).await["status"],
        "in_progress",
        "nothing changed"
    );
    assert_eq!(app.count("notifications").await, sms_before);

    let answer = "Le guichet 2 ouvre désormais à 8 h 30.";
    let answered = send(
        app,
        &chief,
        &format!("{detail}/answer"),
        &[("answer", answer)],
    )
    .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let now = read(overdue.clone()).await;
    assert_eq!(
        (now["status"].as_str(), now["answer"].as_str()),
        (Some("answered"), Some(answer))
    );
    let texts = guichet::store::outbox::to_recipient(&app.app.db, KARIM)
        .await
        .expect("outbox");
    assert!(
        texts.iter().any(|(t, _)| t == "complaint_answered"),
        "{texts:?}"
    );
    let again = send(
        app,
        &chief,
        &format!("{detail}/answer"),
        &[("answer", "Encore")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "already answered");
    assert!(again.html.contains("id=\"form-error\""), "{}", again.html);

    let closed = send(
        app,
        &chief,
        &format!("{inbox}/{later}/close"),
        &[("note", "Doublon.")],
    )
    .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert_eq!(read(later).await["status"], "closed");
}

#[tokio::test]
async fn only_admins_and_the_sites_supervisors_get_in() {
    let (desk, chief) = office(Backend::Sqlite).await;
    let app = &desk.app;
    let site = &desk.site;
    let body = json!({"id": "sale", "name": "Annexe Salé", "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": [["08:30", "16:30"]]}});
    let created = app.post("/api/v1/sites", Some(&desk.admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let stranger = app.add_staff("sale-chef", Role::Supervisor, "sale").await;
    let filed = app
        .post(
            &format!("/api/v1/sites/{site}/complaints"),
            None,
            json!({"subject": "Accueil", "body": "Rien.", "phone": AMINA}),
        )
        .await;
    let reference = filed.body["reference"].as_str().expect("reference");
    let pages = [
        format!("/admin/sites/{site}/announcements"),
        format!("/admin/sites/{site}/devices"),
        format!("/admin/sites/{site}/complaints"),
        format!("/admin/sites/{site}/complaints/{reference}"),
    ];
    for path in &pages {
        let anonymous = open(app, None, path).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
        let next = serde_urlencoded::to_string([("next", path.as_str())]).expect("query");
        assert_eq!(anonymous.location, format!("/agent/login?{next}"));
        assert_eq!(
            open(app, Some(&desk.agent), path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            open(app, Some(&stranger), path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            open(app, Some(&chief), path).await.status,
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            open(app, Some(&desk.admin), path).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    let posts = [
        (
            format!("/admin/sites/{site}/announcements"),
            vec![("fr_0", "Intrus"), ("ar_0", "دخيل")],
        ),
        (
            format!("/admin/sites/{site}/devices"),
            vec![("kind", "kiosk"), ("label", "Intrus")],
        ),
        (
            format!("/admin/sites/{site}/complaints/{reference}/answer"),
            vec![("answer", "Intrus")],
        ),
    ];
    for (path, form) in &posts {
        assert_eq!(
            send(app, &stranger, path, form).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            send(app, &desk.agent, path, form).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(app.count("announcements").await, 0);
    assert_eq!(app.count("devices").await, 0);
    let seen = app
        .get(&format!("/api/v1/complaints/{reference}"), Some(&chief))
        .await;
    assert_eq!(seen.body["status"], "received");
    for path in ["/admin/outbox", "/admin/webhooks"] {
        assert_eq!(
            open(app, Some(&chief), path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            open(app, Some(&desk.admin), path).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
}
