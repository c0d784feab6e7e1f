//! The admin pages as a browser uses them, redirects not followed: a page
//! read with a staff session, a form posted with its CSRF field or forged
//! without it.

use guichet_test_support::TestApp;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

const CSRF: &str = "forms-csrf-token-0123456789abcdefghijklmnop";

/// A page as a browser gets it, redirects not followed.
pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub cache: String,
    pub html: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// A header of the answer as text; empty when absent or not text.
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// A CSV text as its header's columns and its records' cells.
pub fn csv_table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let columns = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned);
    let columns = columns.collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
        .collect();
    (columns, rows)
}

async fn read(response: reqwest::Response) -> Page {
    let header = |name: &str| header(&response, name);
    let (location, cache) = (header("location"), header("cache-control"));
    let status = response.status();
    let html = response.text().await.expect("page text");
    Page {
        status,
        location,
        cache,
        html,
    }
}

/// `GET path` with the session of `token` (none: anonymous).
pub async fn open(app: &TestApp, token: Option<&str>, path: &str) -> Page {
    let mut request = client().get(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.header("Cookie", format!("guichet_session={token}"));
    }
    read(request.send().await.expect("sent")).await
}

/// Posts a form with its CSRF field, as the page's own form does.
pub async fn send(app: &TestApp, token: &str, path: &str, form: &[(&str, &str)]) -> Page {
    let mut fields = vec![("csrf", CSRF)];
    fields.extend_from_slice(form);
    post(app, token, path, &fields).await
}

/// Posts a form exactly as given (a forged one has no CSRF field).
pub async fn post(app: &TestApp, token: &str, path: &str, form: &[(&str, &str)]) -> Page {
    let response = client()
        .post(format!("{}{path}", app.base))
        .header(
            "Cookie",
            format!("guichet_session={token}; guichet_csrf={CSRF}"),
        )
        .form(form)
        .send()
        .await
        .expect("sent");
    read(response).await
}

/// The text between `start` and the next `<` after it.
pub fn between<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html.find(start).map_or("", |at| &html[at + start.len()..]);
    from.split('<').next().unwrap_or("")
}
