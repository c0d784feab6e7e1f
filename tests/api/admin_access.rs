//! Who reaches the admin pages: admins everywhere, supervisors on their own
//! site, nobody else; and a login asked for by an admin page returns to it.

use crate::support::sites::seed_site;
use guichet::domain::role::Role;
use guichet_test_support::{STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

const CSRF: &str = "cccccccccccccccccccccccccccccccccccccccc";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

async fn page(app: &TestApp, path: &str, session: Option<&str>) -> (StatusCode, String, String) {
    let mut request = no_redirects().get(format!("{}{path}", app.base));
    if let Some(token) = session {
        request = request.header("Cookie", format!("guichet_session={token}"));
    }
    let answer = request.send().await.expect("page answer");
    let status = answer.status();
    let location = answer
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, answer.text().await.unwrap_or_default())
}

#[tokio::test]
async fn only_admins_and_the_sites_supervisors_get_in() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    let supervisor = app.add_staff("sup-anfa", Role::Supervisor, "anfa").await;
    let agent = app.add_staff("agent-anfa", Role::Agent, "anfa").await;

    let (status, location, _) = page(&app, "/admin?lang=ar", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/agent/login?next=%2Fadmin%3Flang%3Dar");

    let (status, _, body) = page(&app, "/admin", Some(&agent)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an agent is no supervisor");
    assert!(!body.contains("Annexe maarif"));

    let (status, _, body) = page(&app, "/admin", Some(&supervisor)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Annexe anfa"), "{body}");
    assert!(
        !body.contains("Annexe maarif"),
        "only the supervisor's own site"
    );
    assert!(!body.contains("/admin/outbox"), "the outbox is for admins");

    let (status, _, body) = page(&app, "/admin?lang=ar", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(body.contains("Annexe anfa") && body.contains("Annexe maarif"));
    assert!(body.contains("/admin/outbox"));
}

#[tokio::test]
async fn a_login_asked_for_by_an_admin_page_returns_to_it_and_nowhere_else() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    app.add_staff("sup-anfa", Role::Supervisor, "anfa").await;

    let (status, _, form) = page(&app, "/agent/login?next=%2Fadmin%2Fstats%2Fanfa", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(r#"name="next" value="/admin/stats/anfa""#),
        "{form}"
    );

    for (next, lands) in [
        ("/admin/stats/anfa", "/admin/stats/anfa"),
        ("https://evil.example/admin", "/agent"),
        ("//evil.example/admin", "/agent"),
        ("/\\evil.example", "/agent"),
    ] {
        let answer = no_redirects()
            .post(format!("{}/agent/login", app.base))
            .header("Cookie", format!("guichet_csrf={CSRF}"))
            .form(&[
                ("csrf", CSRF),
                ("username", "sup-anfa"),
                ("password", STAFF_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .expect("login answer");
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(answer.headers()["location"], lands, "{next}");
    }
}
