//! A province's monthly mailing: addresses set by an admin (bounded,
//! checked), last month's province PDF mailed on the first working day of
//! the province's first site with its offices in it, once, even with two
//! instances sweeping at once, on either backend.

use crate::fakes::smtp::FakeSmtp;
use crate::monthly_report::mailing::attached_pdf;
use crate::monthly_report::pdf_text;
use crate::support::province::{history, provinces_in, put};
use guichet::app::monthly_report::{Words, province_mailing};
use guichet::domain::role::Role;
use guichet::http::pages::i18n::Lang;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp, on_both_backends, throughout};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    a_province_s_month_is_mailed_once_by_two_instances,
    admins_set_a_province_s_addresses_within_bounds
);

const RECIPIENTS: &str = "/api/v1/provinces/casa/report/recipients";

/// One sweep, as the instance's job runs it (French and Arabic).
async fn sweep(app: &TestApp) -> usize {
    let (fr, ar) = (Lang::Fr.tr(), Lang::Ar.tr());
    let words: [&dyn Words; 2] = [&fr, &ar];
    province_mailing::sweep(&app.app, &words)
        .await
        .expect("sweep")
}

/// Two instances on one database, mailing to a fake SMTP relay; the
/// provinces of `provinces_in` and their November.
async fn two_instances(
    backend: Backend,
    smtp: &FakeSmtp,
) -> (TestApp, TestApp, guichet::clock::ManualTime, String) {
    let url = smtp.url.clone();
    let (app, time) = TestApp::builder()
        .backend(backend)
        .config(|c| c.smtp_url = Some(url.parse().expect("url")))
        .spawn_at("2026-11-20T10:00:00Z")
        .await;
    let other = TestApp::builder()
        .join(&app.database_url)
        .config(|c| c.smtp_url = Some(smtp.url.parse().expect("url")))
        .clock(app.app.clock.clone())
        .spawn()
        .await;
    let admin = app.admin().await;
    provinces_in(&app, &admin).await;
    history(&app).await;
    (app, other, time, admin)
}

/// casa's first site, anfa, is closed on Tuesday 1 December 2026 (maarif
/// is open): its report of November goes out on the 2nd, once, to each
/// address, with both offices and nothing of another province.
async fn a_province_s_month_is_mailed_once_by_two_instances(backend: Backend) {
    let smtp = FakeSmtp::start().await;
    let (app, other, time, admin) = two_instances(backend, &smtp).await;
    let closed = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&admin),
            json!({"closures": ["2026-12-01"]}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let body = json!({"addresses": ["Wali@Example.ma", "stats@example.ma", "wali@example.ma"]});
    let saved = put(&app, RECIPIENTS, Some(&admin), body).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(
        saved.body["addresses"],
        json!(["stats@example.ma", "wali@example.ma"])
    );

    for (at, why) in [
        ("2026-11-30T20:00:00Z", "still November"),
        ("2026-12-01T10:00:00Z", "anfa, casa's first site, is closed"),
    ] {
        time.set(at.parse().expect("instant"));
        assert_eq!(sweep(&app).await + sweep(&other).await, 0, "{why}");
    }
    assert_eq!(app.count("province_report_mailings").await, 0);

    time.set("2026-12-02T08:00:00Z".parse().expect("instant"));
    let (a, b, c, d) = tokio::join!(sweep(&app), sweep(&other), sweep(&app), sweep(&other));
    assert_eq!(a + b + c + d, 1, "one province mailed once");
    assert_eq!(app.count("province_report_mailings").await, 1);
    let mails = smtp.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 2, "one e-mail per address");
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["stats@example.ma", "wali@example.ma"]);
    for mail in &mails {
        assert!(
            mail.data.contains("rapport-province-casa-2026-11.pdf"),
            "{}",
            mail.data
        );
        let text = pdf_text(&attached_pdf(mail));
        for expected in [
            "Préfecture de Casablanca",
            "novembre 2026",
            "Annexe anfa",
            "Annexe maarif",
            "33,3",
            "عمالة",
            "نونبر",
        ] {
            assert!(text.contains(expected), "{expected:?} in:\n{text}");
        }
        assert!(
            !text.contains("agdal"),
            "another province's office:\n{text}"
        );
    }

    // Later sweeps, from either instance, send nothing more.
    time.set("2026-12-02T15:00:00Z".parse().expect("instant"));
    assert_eq!(sweep(&other).await + sweep(&app).await, 0);
    throughout(
        Duration::from_millis(1500),
        "no second mailing",
        async || smtp.received().len() == 2,
    )
    .await;
}

async fn admins_set_a_province_s_addresses_within_bounds(backend: Backend) {
    let (app, _time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-20T10:00:00Z")
        .await;
    let admin = app.admin().await;
    provinces_in(&app, &admin).await;
    let saved = put(
        &app,
        RECIPIENTS,
        Some(&admin),
        json!({"addresses": ["a@example.ma"]}),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let eleven: Vec<String> = (0..11).map(|i| format!("p{i}@example.ma")).collect();
    for bad in [
        json!({"addresses": ["not an address"]}),
        json!({"addresses": eleven}),
        json!({"addresses": ["a@localhost"]}),
    ] {
        let answer = put(&app, RECIPIENTS, Some(&admin), bad.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            answer.body
        );
        assert_eq!(
            answer.body["error"]["code"], "invalid_addresses",
            "{}",
            answer.body
        );
    }
    let answer = put(
        &app,
        RECIPIENTS,
        Some(&admin),
        json!({"addresses": "a@example.ma"}),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );

    // The province's own account and a site's supervisor read nothing and
    // change nothing; an unknown province is 404.
    let head = app.login("casa-head", STAFF_PASSWORD).await;
    let chef = app.add_staff("anfa-chef", Role::Supervisor, "anfa").await;
    for token in [&head, &chef] {
        let answer = put(
            &app,
            RECIPIENTS,
            Some(token),
            json!({"addresses": ["b@example.ma"]}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        let answer = app.get(RECIPIENTS, Some(token)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    }
    let answer = app
        .get("/api/v1/provinces/nowhere/report/recipients", Some(&admin))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    let answer = app.get(RECIPIENTS, Some(&admin)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.body["addresses"],
        json!(["a@example.ma"]),
        "nothing changed"
    );
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    for method in ["get", "put"] {
        let operation = &doc["paths"]["/api/v1/provinces/{province}/report/recipients"][method];
        assert!(operation.is_object(), "{method} in the OpenAPI document");
    }

    // The admin pages list the provinces with their sites and addresses,
    // and set them: a bad address is shown again with the reason.
    let list = crate::support::forms::open(&app, Some(&admin), "/admin/provinces").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    let casa = crate::support::pages::row(&list.html, "province-casa");
    for expected in ["Préfecture de Casablanca", "anfa", "maarif", "a@example.ma"] {
        assert!(casa.contains(expected), "{expected} in {casa}");
    }
    assert!(!casa.contains("agdal"), "{casa}");
    let form = "/admin/provinces/casa/report-recipients";
    let page = crate::support::forms::send(
        &app,
        &admin,
        form,
        &[("addresses", "x@example.ma\ny@example.ma")],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let page = crate::support::forms::send(&app, &admin, form, &[("addresses", "nope")]).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    assert!(page.html.contains("nope"), "{}", page.html);
    let answer = app.get(RECIPIENTS, Some(&admin)).await;
    assert_eq!(
        answer.body["addresses"],
        json!(["x@example.ma", "y@example.ma"])
    );
    // A supervisor's session is refused the pages.
    for path in ["/admin/provinces", form] {
        let page = crate::support::forms::open(&app, Some(&chef), path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
}
