//! Sessions as browsers keep them: the cookie's attributes (HttpOnly,
//! SameSite=Strict, Secure behind https, Max-Age the session's own
//! length), and what an expired session meets: the login page on a page,
//! 401 on the API.

use crate::fakes::twilio::FakeTwilio;
use guichet_test_support::{ADMIN_PASSWORD, Backend, TestApp};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::time::Duration;

const CSRF: &str = "sessions-csrf-token-0123456789abcdef";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts a page form with its CSRF field and cookie.
async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut fields = fields.to_vec();
    fields.push(("csrf", CSRF));
    no_redirects()
        .post(format!("{}{path}", app.base))
        .header("Cookie", format!("guichet_csrf={CSRF}"))
        .form(&fields)
        .send()
        .await
        .expect("sent")
}

/// The `guichet_session` cookie set, as (token, attributes).
fn session_cookie(headers: &HeaderMap) -> (String, Vec<String>) {
    let cookie = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("guichet_session="))
        .unwrap_or_else(|| panic!("no session cookie in {headers:?}"));
    let mut parts = cookie.split(';').map(|p| p.trim().to_owned());
    let token = parts.next().unwrap()["guichet_session=".len()..].to_owned();
    (token, parts.collect())
}

async fn get_page(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    no_redirects()
        .get(format!("{}{path}", app.base))
        .header("Cookie", format!("guichet_session={token}"))
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn a_staff_session_lasts_twelve_hours_in_a_strict_cookie() {
    let (app, time) = TestApp::builder().spawn_at("2026-11-23T07:00:00Z").await;
    let login = post_form(
        &app,
        "/agent/login",
        &[("username", "admin"), ("password", ADMIN_PASSWORD)],
    )
    .await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let (token, attributes) = session_cookie(login.headers());
    for wanted in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{wanted} in {attributes:?}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a == "Secure"),
        "plain HTTP keeps no Secure cookie: {attributes:?}"
    );
    assert_eq!(
        get_page(&app, "/admin", &token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/outbox", Some(&token)).await.status,
        StatusCode::OK
    );

    time.set("2026-11-23T18:59:59Z".parse().unwrap());
    assert_eq!(
        get_page(&app, "/admin", &token).await.status(),
        StatusCode::OK
    );
    time.set("2026-11-23T19:00:01Z".parse().unwrap());
    let page = get_page(&app, "/admin", &token).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let to = page.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/agent/login"), "{to}");
    let api = app.get("/api/v1/outbox", Some(&token)).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.code(), "unauthorized");
}

#[tokio::test]
async fn a_citizen_session_lasts_a_day_in_a_secure_cookie_behind_https() {
    let twilio = FakeTwilio::start().await;
    // Public address https (see `sms_hooks`), clock on a Monday morning.
    let office = crate::support::sms::office_sending_through(Backend::Sqlite, Some(&twilio)).await;
    let app = &office.app;
    let phone = "+212612345670";
    let asked = post_form(app, "/me/login", &[("phone", phone), ("action", "code")]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let sent = twilio.wait_for_delivered(1, Duration::from_secs(10)).await;
    let code = sent[0]
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .expect("a code")
        .to_owned();
    let login = post_form(app, "/me/login", &[("phone", phone), ("otp", &code)]).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let (token, attributes) = session_cookie(login.headers());
    for wanted in ["HttpOnly", "SameSite=Strict", "Secure", "Max-Age=86400"] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "{wanted} in {attributes:?}"
        );
    }
    let mine = app.get("/api/v1/me/appointments", Some(&token)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(get_page(app, "/me", &token).await.status(), StatusCode::OK);

    office.set_time("2026-11-24T07:00:01Z");
    let api = app.get("/api/v1/me/appointments", Some(&token)).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    let page = get_page(app, "/me", &token).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let to = page.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/me/login"), "{to}");
}
