//! A province's month as a PDF: its offices side by side with the
//! comparison's figures, read back by poppler in French and Arabic; for the
//! province's accounts and admins only.

mod mailing;

use crate::monthly_report::{pdf_picture, pdf_text};
use crate::support::province::{history, provinces};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;

on_both_backends!(a_province_s_month_reads_in_the_pdf);

async fn download(app: &TestApp, token: &str, query: &str) -> (StatusCode, String, Vec<u8>) {
    let answer = app
        .http
        .get(app.url(&format!("/api/v1/provinces/casa/report.pdf?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("answered");
    let status = answer.status();
    let kind = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    (status, kind, answer.bytes().await.expect("body").to_vec())
}

async fn a_province_s_month_reads_in_the_pdf(backend: Backend) {
    let (app, admin) = provinces(backend).await;
    history(&app).await;

    let (status, kind, pdf) = download(&app, &admin, "month=2026-11").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(kind, "application/pdf");
    let text = pdf_text(&pdf);
    for expected in [
        "Préfecture de Casablanca",
        "novembre 2026",
        "Annexe anfa",
        "Annexe maarif",
        // anfa: a third of its calls no-shows, feedback 3.5.
        "33,3",
        "3,5",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert!(
        !text.contains("agdal"),
        "another province's office:\n{text}"
    );
    pdf_picture(&pdf, "province-report-pdf-fr");

    // The province's own account, in Arabic.
    let head = app.login("casa-head", STAFF_PASSWORD).await;
    let (status, _, pdf) = download(&app, &head, "month=2026-11&lang=ar").await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    for expected in ["عمالة", "نونبر", "33,3"] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    pdf_picture(&pdf, "province-report-pdf-ar");

    // A site's supervisor, even of one of its offices, never gets it.
    let boss = app.add_staff("anfa-boss", Role::Supervisor, "anfa").await;
    let (status, _, _) = download(&app, &boss, "month=2026-11").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = download(&app, &admin, "month=novembre").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("invalid_month"));
}
