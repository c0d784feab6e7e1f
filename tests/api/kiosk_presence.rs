//! Remote tickets at the office: checked in at the kiosk's check-in form
//! (its number typed, or the tracking link scanned), shown in the agent
//! console with their presence and a "mark present" button, and called
//! and shown on the lobby like any other once present.

use crate::support::forms::{open, send};
use crate::support::tickets::kiosk;
use guichet::domain::role::Role;
use guichet_test_support::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    the_kiosk_confirms_remote_tickets_by_number_or_link,
    the_console_marks_remote_tickets_and_their_presence,
);

const START: &str = "2026-11-23T09:00:00Z";

/// A site open around the clock that asks no phone code, showing
/// Tamazight, with a walk-in service `residence` (`A`), one counter opened
/// by its agent, and a kiosk; returns (agent, kiosk).
async fn office(app: &TestApp) -> (String, String) {
    let admin = app.admin().await;
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": "anfa", "name": "Annexe Anfa", "name_ar": "ملحقة أنفا",
        "timezone": "Africa/Casablanca", "opening_hours": hours, "verify_phone": false});
    let created = app.post("/api/v1/sites", Some(&admin), site).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let on = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&admin),
            json!({"tamazight": true}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let service = json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence",
        "name_ar": "شهادة السكنى", "walk_in": true, "service_minutes": 5,
        "remote_share_percent": 100});
    let answer = app
        .post("/api/v1/sites/anfa/services", Some(&admin), service)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let counter = json!({"id": "anfa-g1", "label": "Guichet 1", "services": ["residence"]});
    let answer = app
        .post("/api/v1/sites/anfa/counters", Some(&admin), counter)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let agent = app.add_staff("anfa-agent", Role::Agent, "anfa").await;
    let opened = app
        .post("/api/v1/counters/anfa-g1/open", Some(&agent), json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    let kiosk = kiosk(app, &admin, "anfa").await;
    (agent, kiosk)
}

/// A remote ticket joined from the web for citizen `n`: (id, number).
async fn join(app: &TestApp, n: usize) -> (String, String) {
    let body = json!({"service": "residence", "phone": format!("+2126{n:08}")});
    let joined = app.post("/api/v1/sites/anfa/queue/join", None, body).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    let field = |name: &str| joined.body[name].as_str().expect(name).to_owned();
    (field("id"), field("number"))
}

async fn ticket(app: &TestApp, id: &str) -> Value {
    let seen = app.get(&format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    seen.body
}

/// The kiosk's check-in form posted with `typed`.
async fn check_in(app: &TestApp, kiosk: &str, typed: &str) -> (StatusCode, String) {
    let page = send(app, kiosk, "/kiosk/anfa/checkin", &[("reference", typed)]).await;
    (page.status, page.html)
}

async fn the_kiosk_confirms_remote_tickets_by_number_or_link(backend: Backend) {
    let (app, time) = TestApp::builder().backend(backend).spawn_at(START).await;
    let (agent, kiosk) = office(&app).await;
    let (first, first_number) = join(&app, 1).await;
    let (second, _) = join(&app, 2).await;
    assert_eq!(first_number, "A001");

    // The keypad types ticket numbers too.
    let form = open(&app, Some(&kiosk), "/kiosk/anfa/checkin").await;
    assert_eq!(form.status, StatusCode::OK);
    for key in [
        "data-key=\"0\"",
        "data-key=\"1\"",
        "data-key=\"A\"",
        "data-key=\"O\"",
    ] {
        assert!(form.html.contains(key), "{key}");
    }

    // By its number, as typed on the keypad: present, in both languages and Tifinagh.
    let (status, html) = check_in(&app, &kiosk, " a001 ").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Présence confirmée") && html.contains("تم تأكيد حضوركم"));
    assert!(html.contains("ⵜⵍⵍⵉⴷ ⴷⴰ"), "the Tamazight line");
    assert!(
        html.contains("id=\"present-number\" dir=\"ltr\">A001<"),
        "{html}"
    );
    assert!(
        html.contains("attendez l'appel de votre numéro") || html.contains("attendez l&#39;appel")
    );
    assert_eq!(ticket(&app, &first).await["present"], true);
    // Again: still present, nothing else.
    let (status, _) = check_in(&app, &kiosk, "A001").await;
    assert_eq!(status, StatusCode::OK);

    // By the tracking link the SMS's QR code carries (ids are case-sensitive).
    assert_eq!(ticket(&app, &second).await["present"], false);
    let link = format!("https://guichet.example.ma/t/{second}?lang=ar");
    let (status, html) = check_in(&app, &kiosk, &link).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(">A002<"), "{html}");
    assert_eq!(ticket(&app, &second).await["present"], true);

    // A ticket taken here needs none; an unknown number; a cancelled ticket.
    let taken = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&kiosk),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    assert_eq!(taken.body["number"], "A003");
    let (status, html) = check_in(&app, &kiosk, "A003").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    assert!(html.contains("Un ticket pris ici n"), "{html}");
    let taken_link = format!("/t/{}", taken.body["id"].as_str().unwrap());
    let (status, html) = check_in(&app, &kiosk, &taken_link).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("a été pris ici") && html.contains("أخذت هنا"),
        "{html}"
    );
    let (status, html) = check_in(&app, &kiosk, "A999").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    assert!(
        html.contains("value=\"A999\""),
        "what was typed stays: {html}"
    );
    let (third, _) = join(&app, 3).await;
    let cancelled = app
        .post(
            &format!("/api/v1/tickets/{third}/cancel"),
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let (status, html) = check_in(&app, &kiosk, &format!("/t/{third}")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("n'est plus en attente") || html.contains("n&#39;est plus en attente"),
        "{html}"
    );

    // Its turn came while away: held aside; past the grace period, lapsed.
    let (fourth, fourth_number) = join(&app, 4).await;
    let later = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&kiosk),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);
    for _ in 0..4 {
        let called = app
            .post(
                "/api/v1/counters/anfa-g1/call-next",
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(called.status, StatusCode::OK, "{}", called.body);
        assert_ne!(called.body["number"], fourth_number.as_str());
        let id = called.body["id"].as_str().unwrap().to_owned();
        let done = app
            .post(
                &format!("/api/v1/tickets/{id}/complete"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    }
    guichet::app::remote_queue::sweep(&app.app)
        .await
        .expect("sweep");
    assert_eq!(ticket(&app, &fourth).await["held"], true);
    time.set("2026-11-23T09:30:00Z".parse().unwrap());
    guichet::app::remote_queue::sweep(&app.app)
        .await
        .expect("sweep");
    assert_eq!(ticket(&app, &fourth).await["status"], "no_show");
    let (status, html) = check_in(&app, &kiosk, &fourth_number).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(
        html.contains("Ce ticket a expiré") && html.contains("انتهت صلاحية"),
        "{html}"
    );
}

/// The console's live panel of `anfa-g1`, as the agent's page fetches it.
async fn panel(app: &TestApp, agent: &str) -> String {
    let page = open(app, Some(agent), "/agent/counters/anfa-g1/panel").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page.html
}

/// The waiting list's row of ticket `number`.
fn row<'a>(html: &'a str, number: &str) -> &'a str {
    let start = format!("<tr id=\"t-{number}\"");
    let from = html.find(&start).map_or("", |at| &html[at..]);
    from.split("</tr>").next().unwrap_or("")
}

async fn the_console_marks_remote_tickets_and_their_presence(backend: Backend) {
    let (app, _time) = TestApp::builder().backend(backend).spawn_at(START).await;
    let (agent, kiosk) = office(&app).await;
    let (remote, number) = join(&app, 1).await;
    let walked_in = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&kiosk),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(walked_in.status, StatusCode::CREATED, "{}", walked_in.body);

    let html = panel(&app, &agent).await;
    let line = row(&html, &number);
    assert!(
        line.contains("À distance") && line.contains("En route"),
        "{line}"
    );
    assert!(
        line.contains(&format!("data-act=\"present\" data-ticket=\"{remote}\"")),
        "{line}"
    );
    let here = row(&html, "A002");
    assert!(
        !here.is_empty() && !here.contains("À distance") && !here.contains("data-act=\"present\""),
        "{here}"
    );

    // Nobody at the counter for it: call-next takes the one present, and
    // the remote ticket passed over is held aside.
    let called = app
        .post(
            "/api/v1/counters/anfa-g1/call-next",
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{}", called.body);
    assert_eq!(called.body["number"], "A002");
    let id = called.body["id"].as_str().unwrap().to_owned();
    let done = app
        .post(
            &format!("/api/v1/tickets/{id}/complete"),
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    guichet::app::remote_queue::sweep(&app.app)
        .await
        .expect("sweep");
    let html = panel(&app, &agent).await;
    let line = row(&html, &number);
    assert!(line.contains("Mis de côté"), "{line}");
    // Not present: it cannot be called out of order either.
    assert!(
        line.contains("data-act=\"call\"") && line.contains(" disabled>"),
        "{line}"
    );

    // The button's request: the agent marks it present.
    let marked = app
        .post(
            &format!("/api/v1/tickets/{remote}/present"),
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
    let line = row(&panel(&app, &agent).await, &number).to_owned();
    assert!(
        line.contains("Présent") && !line.contains("data-act=\"present\""),
        "{line}"
    );

    // Once present it is called and shown like any other.
    let called = app
        .post(
            "/api/v1/counters/anfa-g1/call-next",
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{}", called.body);
    assert_eq!(called.body["number"], number.as_str());
    let lobby = app.get("/api/v1/sites/anfa/queue", None).await;
    assert_eq!(
        lobby.body["counters"][0]["current"]["number"],
        number.as_str(),
        "{}",
        lobby.body
    );
    assert!(!lobby.body.to_string().contains("remote"), "{}", lobby.body);
}
