//! The admin pages as a browser logged in with a session cookie reads
//! them, without following redirects, and the rows of their tables.

use guichet_test_support::TestApp;
use reqwest::StatusCode;

/// A page as a browser with `token` as its session would get it, not
/// following redirects: its status, text and `Location`.
pub async fn page(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut request = client.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.header("Cookie", format!("guichet_session={token}"));
    }
    let response = request.send().await.expect("page answered");
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, response.text().await.expect("page text"), location)
}

/// The HTML of the table row with id `id`.
pub fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id} in {html}"));
    let end = html[start..]
        .find("</tr>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}
