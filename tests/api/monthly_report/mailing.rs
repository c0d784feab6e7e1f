//! The monthly mailing: addresses set by an admin, last month's report
//! mailed on the first working day with its PDF attached, once, even with
//! two instances sweeping at once; nothing on a non-working day.

use super::{office_with_a_november, pdf_text};
use crate::fakes::smtp::{FakeSmtp, Mail};
use base64::Engine;
use guichet::app::monthly_report::{Words, mailing};
use guichet::domain::role::Role;
use guichet::http::pages::i18n::Lang;
use guichet_test_support::{TestApp, throughout};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// One sweep, as the instance's job runs it (French and Arabic).
async fn sweep(app: &TestApp) -> usize {
    let (fr, ar) = (Lang::Fr.tr(), Lang::Ar.tr());
    let words: [&dyn Words; 2] = [&fr, &ar];
    mailing::sweep(&app.app, &words).await.expect("sweep")
}

/// The PDF attached to `mail`, decoded.
pub fn attached_pdf(mail: &Mail) -> Vec<u8> {
    let data = mail.data.replace("\r\n", "\n");
    let at = data
        .find("Content-Type: application/pdf")
        .unwrap_or_else(|| panic!("no PDF part in {}", mail.data));
    let part = &data[at..];
    let body_start = part.find("\n\n").expect("part headers end") + 2;
    let body: String = part[body_start..]
        .lines()
        .take_while(|l| !l.starts_with("--") && !l.is_empty())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64 attachment")
}

async fn set_addresses(
    app: &TestApp,
    admin: &str,
    addresses: serde_json::Value,
) -> serde_json::Value {
    let answer = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/sites/anfa/report/recipients",
            Some(admin),
            Some(json!({ "addresses": addresses })),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

/// Two instances on one database sweep at 09:00 on Tuesday 1 December 2026
/// (their first working day): one mailing, one e-mail per address, each
/// with the PDF of November in French and Arabic.
async fn mailed_once(
    app: &TestApp,
    other: &TestApp,
    smtp: &FakeSmtp,
    time: &guichet::clock::ManualTime,
) {
    let admin = office_with_a_november(app, time).await;
    let saved = set_addresses(
        app,
        &admin,
        json!(["Pachalik@Example.ma", "stats@example.ma"]),
    )
    .await;
    assert_eq!(
        saved["addresses"],
        json!(["pachalik@example.ma", "stats@example.ma"])
    );
    // The last day of November: not yet.
    time.set("2026-11-30T20:00:00Z".parse().expect("instant"));
    assert_eq!(sweep(app).await, 0);
    time.set("2026-12-01T08:00:00Z".parse().expect("instant"));
    let (a, b, c) = tokio::join!(sweep(app), sweep(other), sweep(app));
    assert_eq!(a + b + c, 1, "one office mailed once");
    assert_eq!(app.count("report_mailings").await, 1);
    let mails = smtp.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 2, "one e-mail per address");
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["pachalik@example.ma", "stats@example.ma"]);
    for mail in &mails {
        assert!(
            mail.data.contains("rapport-anfa-2026-11.pdf"),
            "{}",
            mail.data
        );
        let text = pdf_text(&attached_pdf(mail));
        assert!(text.contains("Rapport mensuel — novembre 2026"), "{text}");
        assert!(text.contains("التقرير الشهري"), "{text}");
    }
    // Later sweeps, from either instance, send nothing more.
    time.set("2026-12-01T15:00:00Z".parse().expect("instant"));
    assert_eq!(sweep(other).await + sweep(app).await, 0);
    throughout(
        Duration::from_millis(1500),
        "no second mailing",
        async || smtp.received().len() == 2,
    )
    .await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn the_monthly_report_is_mailed_once_by_two_instances_on_postgres() {
    let smtp = FakeSmtp::start().await;
    let url = smtp.url.clone();
    let (app, time) = TestApp::builder()
        .postgres()
        .config(|c| c.smtp_url = Some(url.parse().expect("url")))
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let clock = app.app.clock.clone();
    // The same deployment: the same SMTP relay.
    let other = TestApp::builder()
        .join(&app.database_url)
        .config(|c| c.smtp_url = Some(smtp.url.parse().expect("url")))
        .clock(clock)
        .spawn()
        .await;
    mailed_once(&app, &other, &smtp, &time).await;
}

#[tokio::test]
async fn the_monthly_report_is_mailed_once_on_sqlite() {
    let smtp = FakeSmtp::start().await;
    let url = smtp.url.clone();
    let (app, time) = TestApp::builder()
        .config(|c| c.smtp_url = Some(url.parse().expect("url")))
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    mailed_once(&app, &app, &smtp, &time).await;
}

/// Monday to Friday, New Year's Day closed: January 2027's first working
/// day is Monday the 4th.
#[tokio::test]
async fn nothing_is_mailed_on_a_day_the_office_does_not_work() {
    let (app, time) = TestApp::builder().spawn_at("2026-12-15T09:00:00Z").await;
    let admin = app.admin().await;
    crate::support::sites::open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let week: serde_json::Value = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| ((*d).to_owned(), json!([["08:30", "16:30"]])))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let changed = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&admin),
            json!({"opening_hours": week, "closures": ["2027-01-01"]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    set_addresses(&app, &admin, json!(["pachalik@example.ma"])).await;
    for day in ["2027-01-01", "2027-01-02", "2027-01-03"] {
        time.set(format!("{day}T10:00:00Z").parse().expect("instant"));
        assert_eq!(sweep(&app).await, 0, "{day}");
    }
    assert_eq!(app.count("report_mailings").await, 0);
    time.set("2027-01-04T07:00:00Z".parse().expect("instant"));
    assert_eq!(sweep(&app).await, 1, "Monday 4 January");
    time.set("2027-01-05T07:00:00Z".parse().expect("instant"));
    assert_eq!(sweep(&app).await, 0);
}

#[tokio::test]
async fn admins_set_the_addresses_within_bounds() {
    let (app, _time) = TestApp::builder().spawn_at("2026-12-15T09:00:00Z").await;
    let admin = app.admin().await;
    crate::support::sites::open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let chef = app.add_staff("anfa-chef", Role::Supervisor, "anfa").await;
    let put = |token: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.call(
                reqwest::Method::PUT,
                "/api/v1/sites/anfa/report/recipients",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    set_addresses(&app, &admin, json!(["a@example.ma"])).await;
    let eleven: Vec<String> = (0..11).map(|i| format!("p{i}@example.ma")).collect();
    for bad in [
        json!(["not an address"]),
        json!(eleven),
        json!(["a@localhost"]),
    ] {
        let answer = put(admin.clone(), json!({ "addresses": bad })).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        assert_eq!(answer.body["error"]["code"], "invalid_addresses");
    }
    let answer = put(chef.clone(), json!({"addresses": ["b@example.ma"]})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = app
        .get("/api/v1/sites/anfa/report/recipients", Some(&admin))
        .await;
    assert_eq!(
        answer.body["addresses"],
        json!(["a@example.ma"]),
        "nothing changed"
    );
    // The admin page shows them.
    let (status, html, _) =
        crate::support::pages::page(&app, "/admin/sites/anfa/report-recipients", Some(&admin))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("a@example.ma") && html.contains("Destinataires du rapport mensuel"));
}
