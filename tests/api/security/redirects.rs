//! After logging in, the staff login form sends its user to `next` only
//! when it is a page of this service. The forms attackers put in a crafted
//! login link (a tab or backslash that browsers read as `//`, a scheme, a
//! header break, each also percent-encoded) all land on the console; an
//! admin page that asked for a login is where the login ends.

use guichet_test_support::{ADMIN_PASSWORD, TestApp};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

const CSRF: &str = "redirects-csrf-token-0123456789abcdefghijk";
/// Where a login goes when `next` is not a page of this service.
const DEFAULT: &str = "/agent";

/// `next` as an attacker writes it in a login link's query string.
const CRAFTED: [&str; 14] = [
    "/%09/evil.example/x",
    "/%09%09/evil.example",
    "/%0a/evil.example",
    "//evil.example",
    "%2F%2Fevil",
    "/%2F/evil.example",
    "/%5Cevil",
    "/%5C%5Cevil",
    "%5C%5Cevil",
    "/%252F/evil.example",
    "https://evil.example",
    "https:%2F%2Fevil.example",
    "javascript:alert(document.cookie)",
    "/%0d%0aSet-Cookie:%20guichet_session=stolen",
];

/// The same, written raw in a form field (as a page's own hidden field
/// would post it once the browser has decoded the link).
const RAW: [&str; 6] = [
    "/\t/evil",
    "/\t/evil.example/x",
    "/\\evil.example",
    "\\\\evil",
    "\\/evil.example",
    "/\r\nLocation: https://evil.example",
];

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

struct LoggedIn {
    status: StatusCode,
    location: String,
    session: Option<String>,
}

/// Posts the login form as its page does, with its CSRF field and `next`.
async fn log_in(base: &str, next: &str) -> LoggedIn {
    let form = [
        ("csrf", CSRF),
        ("username", "admin"),
        ("password", ADMIN_PASSWORD),
        ("next", next),
    ];
    let response = client()
        .post(format!("{base}/agent/login"))
        .header("Cookie", format!("guichet_csrf={CSRF}"))
        .form(&form)
        .send()
        .await
        .expect("login posted");
    let location = response
        .headers()
        .get(LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let session = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("guichet_session="))
        .and_then(|c| c.split(';').next())
        .filter(|token| !token.is_empty())
        .map(str::to_owned);
    LoggedIn {
        status: response.status(),
        location,
        session,
    }
}

/// The `next` the login page puts in its form for `?{query}`.
async fn next_on_page(base: &str, query: &str) -> String {
    let page = client()
        .get(format!("{base}/agent/login?{query}"))
        .send()
        .await
        .expect("login page");
    assert_eq!(page.status(), StatusCode::OK, "/agent/login?{query}");
    let html = page.text().await.expect("html");
    let field = html
        .split("name=\"next\" value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no next field in {html}"));
    field.split('"').next().unwrap_or_default().to_owned()
}

/// What the query parser hands the server for `value` written in a link.
fn decoded(value: &str) -> String {
    url::form_urlencoded::parse(format!("next={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn crafted_next_values_log_in_to_the_console() {
    let app = TestApp::builder().spawn().await;
    for crafted in CRAFTED {
        assert_eq!(
            next_on_page(&app.base, &format!("next={crafted}")).await,
            DEFAULT,
            "the login page for next={crafted}"
        );
        // As the page's field would post it, and as typed into the field.
        for next in [decoded(crafted), crafted.to_owned()] {
            let login = log_in(&app.base, &next).await;
            assert_eq!(login.status, StatusCode::SEE_OTHER, "next={next:?}");
            assert_eq!(login.location, DEFAULT, "next={next:?}");
            assert!(login.session.is_some(), "logged in for next={next:?}");
        }
    }
    for raw in RAW {
        let login = log_in(&app.base, raw).await;
        assert_eq!(login.status, StatusCode::SEE_OTHER, "next={raw:?}");
        assert_eq!(login.location, DEFAULT, "next={raw:?}");
    }
}

#[tokio::test]
async fn an_admin_page_that_asked_for_a_login_is_where_it_ends() {
    let app = TestApp::builder().spawn().await;
    let asked = client()
        .get(format!("{}/admin/users", app.base))
        .send()
        .await
        .expect("admin page");
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let to_login = asked.headers()[LOCATION].to_str().unwrap().to_owned();
    let query = to_login
        .strip_prefix("/agent/login?")
        .unwrap_or_else(|| panic!("sent to {to_login}"));
    let next = next_on_page(&app.base, query).await;
    assert_eq!(next, "/admin/users");

    let login = log_in(&app.base, &next).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(login.location, "/admin/users");
    let session = login.session.expect("a session cookie");
    let page = client()
        .get(format!("{}{}", app.base, login.location))
        .header("Cookie", format!("guichet_session={session}"))
        .send()
        .await
        .expect("users page");
    assert_eq!(page.status(), StatusCode::OK);
}
