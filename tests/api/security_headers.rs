//! The security headers a browser gets on every answer: pages, the JSON
//! API, static files, errors; and HSTS only when the public address is
//! https.

use crate::support::sites::seed_site;
use guichet::http::security::CONTENT_SECURITY_POLICY;
use guichet_test_support::TestApp;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

async fn answer(app: &TestApp, method: Method, path: &str) -> (StatusCode, HeaderMap) {
    let response = app
        .http
        .request(method, format!("{}{path}", app.base))
        .send()
        .await
        .expect("request sent");
    (response.status(), response.headers().clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::builder()
        .backend(guichet_test_support::Backend::Sqlite)
        .spawn()
        .await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "casa-maarif").await;
    let asked = [
        (Method::GET, "/", StatusCode::OK),
        (Method::GET, "/display/casa-maarif", StatusCode::OK),
        (Method::GET, "/agent/login", StatusCode::OK),
        (Method::GET, "/api/v1/sites/casa-maarif", StatusCode::OK),
        (Method::GET, "/api/v1/openapi.json", StatusCode::OK),
        (Method::GET, "/healthz", StatusCode::OK),
        (Method::GET, "/no/such/page", StatusCode::NOT_FOUND),
        (Method::GET, "/display/nowhere", StatusCode::NOT_FOUND),
        (Method::POST, "/api/v1/sites", StatusCode::UNAUTHORIZED),
        (Method::POST, "/api/v1/otp", StatusCode::BAD_REQUEST),
        (Method::POST, "/hooks/sms/inbound", StatusCode::BAD_REQUEST),
    ];
    for (method, path, expected) in asked {
        let (status, headers) = answer(&app, method.clone(), path).await;
        assert_eq!(status, expected, "{method} {path}");
        assert_eq!(
            header(&headers, "content-security-policy"),
            CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(
            header(&headers, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&headers, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&headers, "referrer-policy"), "no-referrer", "{path}");
        assert!(
            header(&headers, "permissions-policy").contains("camera=()"),
            "{path}"
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "plain HTTP: {path}"
        );
    }
    // A static file, at the address the pages give it.
    let page = app
        .http
        .get(format!("{}/display/casa-maarif", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("/static/").expect("the page links a static file");
    let end = start + page[start..].find('"').unwrap();
    let (status, headers) =
        answer(&app, Method::GET, &page[start..end].replace("&amp;", "&")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "content-security-policy"),
        CONTENT_SECURITY_POLICY
    );
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn the_policy_is_strict() {
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(CONTENT_SECURITY_POLICY.contains(directive), "{directive}");
    }
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
}

#[tokio::test]
async fn https_adds_strict_transport_security() {
    let app = TestApp::builder()
        .backend(guichet_test_support::Backend::Sqlite)
        .config(|config| {
            config.public_url = Some("https://guichet.example.ma".into());
        })
        .spawn()
        .await;
    for path in ["/", "/api/v1/sites", "/no/such/page"] {
        let (_, headers) = answer(&app, Method::GET, path).await;
        let hsts = header(&headers, "strict-transport-security");
        assert!(hsts.starts_with("max-age=31536000"), "{path}: {hsts}");
    }
}
