//! The monthly report as a PDF: its figures read back by poppler
//! (`pdftotext`, `pdftoppm`) in French and Arabic, who may download it,
//! the addresses admins set, and the mailing on the first working day of
//! the month, once, with two instances at once.

pub mod mailing;

use crate::support::sites::open_site;
use crate::support::tickets::{call_next, issue};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;
use std::process::Command;

on_both_backends!(the_pdf_has_the_months_figures_in_french_and_arabic);

/// The text poppler reads from `pdf` (`pdftotext`, in reading order).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).expect("pdf written");
    let out = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(out.status.success(), "pdftotext: {:?}", out);
    // Without the direction marks poppler puts around runs.
    String::from_utf8(out.stdout).expect("UTF-8 text").replace(
        ['\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}'],
        "",
    )
}

/// Renders the first page with `pdftoppm` into `target/screenshots/NAME.png`.
pub fn pdf_picture(pdf: &[u8], name: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).expect("pdf written");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots dir");
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(shots.join(name))
        .output()
        .expect("pdftoppm runs (poppler-utils)");
    assert!(out.status.success(), "pdftoppm: {:?}", out);
    let png = std::fs::read(shots.join(format!("{name}.png"))).expect("a picture");
    assert!(png.len() > 5_000, "a page with something on it");
}

/// The figure by `label` in `text`: on its line, or the next line with
/// something on it (pdftotext puts a table's cells on lines of their own).
fn figure_by<'a>(text: &'a str, label: &str) -> &'a str {
    let mut lines = text.lines().skip_while(|l| !l.contains(label));
    let line = lines
        .next()
        .unwrap_or_else(|| panic!("no {label:?} in {text}"));
    match line.replace(label, "").trim() {
        "" => lines.find(|l| !l.trim().is_empty()).unwrap_or("").trim(),
        _ => line.trim(),
    }
}

/// GETs `path` with `token` as a bearer (or a session cookie): status,
/// content type, bytes.
async fn fetch(
    app: &TestApp,
    path: &str,
    token: &str,
    cookie: bool,
) -> (StatusCode, String, Vec<u8>) {
    let request = app.http.get(format!("{}{path}", app.base));
    let request = match cookie {
        true => request.header("Cookie", format!("guichet_session={token}")),
        false => request.bearer_auth(token),
    };
    let answer = request.send().await.expect("answered");
    let status = answer.status();
    let kind = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, kind, answer.bytes().await.expect("body").to_vec())
}

/// An office with three tickets on 23 November 2026, two served.
pub async fn office_with_a_november(app: &TestApp, time: &guichet::clock::ManualTime) -> String {
    let admin = app.admin().await;
    let agents = open_site(app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let renamed = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&admin),
            json!({"name_ar": "ملحقة أنفا"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    for _ in 0..3 {
        issue(app, &agents[0], "anfa", json!({"service": "residence"})).await;
    }
    time.set("2026-11-23T09:12:00Z".parse().expect("instant"));
    for _ in 0..2 {
        let (status, ticket) = call_next(app, &agents[0], "anfa-g1").await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        let id = ticket["id"].as_str().expect("id");
        let done = app
            .post(
                &format!("/api/v1/tickets/{id}/complete"),
                Some(&agents[0]),
                json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    }
    admin
}

async fn the_pdf_has_the_months_figures_in_french_and_arabic(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    office_with_a_november(&app, &time).await;
    time.set("2026-12-02T08:00:00Z".parse().expect("instant"));
    let admin = app.admin().await;
    let chef = app.add_staff("anfa-chef", Role::Supervisor, "anfa").await;

    // French, November by default (last month).
    let (status, kind, pdf) = fetch(&app, "/api/v1/sites/anfa/report.pdf", &chef, false).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(kind, "application/pdf");
    let text = pdf_text(&pdf);
    assert!(text.contains("Rapport mensuel — novembre 2026"), "{text}");
    assert!(text.contains("Annexe anfa"), "{text}");
    assert!(text.contains("2026-11-01 – 2026-11-30"), "{text}");
    assert_eq!(figure_by(&text, "Tickets délivrés"), "3", "{text}");
    assert_eq!(figure_by(&text, "Servis"), "2", "{text}");
    assert!(text.contains("Service residence"), "{text}");
    pdf_picture(&pdf, "monthly-report-pdf-fr");

    // Arabic: the words come out of the PDF in their logical order. (Not
    // chosen: words with the lam-alef ligature, whose two letters poppler
    // gives in reverse, as it reverses a glyph's text in right-to-left runs.)
    let path = "/api/v1/sites/anfa/report.pdf?month=2026-11&lang=ar";
    let (status, _, pdf) = fetch(&app, path, &admin, false).await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    for words in [
        "التقرير الشهري",
        "نونبر 2026",
        "ملحقة أنفا",
        "التذاكر المسلمة",
    ] {
        assert!(text.contains(words), "{words} in {text}");
    }
    assert_eq!(figure_by(&text, "التذاكر المسلمة"), "3", "{text}");
    pdf_picture(&pdf, "monthly-report-pdf-ar");

    // The printable page offers it, and the page's link gives it.
    let (status, _, html) = fetch(&app, "/admin/report/anfa", &chef, true).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html).expect("html");
    assert!(html.contains("Télécharger le PDF"), "{html}");
    assert!(
        html.contains("/admin/report/anfa/pdf?month=2026-11"),
        "{html}"
    );
    let (status, kind, pdf) =
        fetch(&app, "/admin/report/anfa/pdf?month=2026-11", &chef, true).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf_text(&pdf).contains("Rapport mensuel"));

    // Bad input: a clear 422, no PDF.
    for (bad, code) in [
        ("?month=2026-13", "invalid_month"),
        ("?lang=de", "invalid_lang"),
        ("?month=2026-11&extra=1", "invalid_query"),
    ] {
        let answer = app
            .get(&format!("/api/v1/sites/anfa/report.pdf{bad}"), Some(&chef))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            answer.body
        );
        assert_eq!(answer.body["error"]["code"], code, "{bad}: {}", answer.body);
    }
}

#[tokio::test]
async fn only_the_offices_supervisors_and_admins_download_it() {
    let (app, _time) = TestApp::builder().spawn_at("2026-12-02T08:00:00Z").await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    open_site(&app, &admin, "maarif", "Africa/Casablanca", 1).await;
    let other = app
        .add_staff("maarif-chef", Role::Supervisor, "maarif")
        .await;
    for (path, cookie) in [
        ("/api/v1/sites/anfa/report.pdf", false),
        ("/admin/report/anfa/pdf", true),
    ] {
        for token in [&other, &agents[0]] {
            let (status, kind, _) = fetch(&app, path, token, cookie).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert_ne!(kind, "application/pdf");
        }
    }
    let answer = app.get("/api/v1/sites/anfa/report.pdf", None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = app
        .get("/api/v1/sites/nowhere/report.pdf", Some(&admin))
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}
