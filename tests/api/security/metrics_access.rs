//! `/metrics` can be kept from the public: `GUICHET_METRICS_TOKEN` makes it
//! answer only a scraper with that bearer token, and `GUICHET_METRICS_ADDR`
//! serves it on a second address only (the public one answers 404 there).

use guichet::clock::Clock;
use guichet::config::Config;
use guichet::startup::Server;
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "scrape-token-0123456789abcdefghijklmnop";

/// A server of the test's settings; stopped when dropped.
struct Instance {
    base: String,
    /// The metrics' own address, when it has one.
    metrics: Option<String>,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn start(configure: impl FnOnce(&mut Config)) -> Instance {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("guichet.db").display());
    let mut config = Config::local(&url);
    configure(&mut config);
    let server = Server::build(&config, Clock::system())
        .await
        .expect("server starts");
    let base = format!("http://{}", server.addr());
    let metrics = server.metrics_addr().map(|at| format!("http://{at}"));
    let shutdown = CancellationToken::new();
    tokio::spawn(server.run(shutdown.clone()));
    Instance {
        base,
        metrics,
        shutdown,
        _dir: dir,
    }
}

/// `GET url`, with a bearer token if given: status, error code, body.
async fn get(url: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let text = response.text().await.expect("a body");
    let code = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|body| body["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (status, code, text)
}

#[tokio::test]
async fn a_metrics_token_keeps_out_whoever_lacks_it() {
    let app = start(|config| config.metrics_token = Some(TOKEN.parse().unwrap())).await;
    let url = format!("{}/metrics", app.base);
    let wrong = format!("{TOKEN}x");
    for token in [None, Some("guess"), Some(&wrong[..]), Some(&TOKEN[1..])] {
        let (status, code, body) = get(&url, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(code, "unauthorized", "{token:?}");
        assert!(!body.contains("guichet_http_requests"), "{body}");
    }
    let basic = reqwest::Client::new()
        .get(&url)
        .basic_auth("prometheus", Some(TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(basic.headers()["www-authenticate"], "Bearer");

    let (status, _, body) = get(&url, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"route="/metrics",status="401""#), "{body}");
    // The rest of the service does not ask for it.
    let (status, _, _) = get(&format!("{}/healthz", app.base), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_on_their_own_address_are_not_public() {
    let app = start(|config| config.metrics_addr = Some("127.0.0.1:0".to_owned())).await;
    let metrics = app.metrics.clone().expect("a metrics address");
    assert_ne!(metrics, app.base);

    let (status, code, _) = get(&format!("{}/metrics", app.base), None).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (status, _, _) = get(&format!("{}/healthz", app.base), None).await;
    assert_eq!(status, StatusCode::OK);

    // The metrics address counts the public one's requests, and serves
    // nothing else.
    let (status, _, body) = get(&format!("{metrics}/metrics"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(
            r#"guichet_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{body}"
    );
    for path in ["/healthz", "/api/v1/sites", "/agent/login", "/metrics/x"] {
        let (status, _, _) = get(&format!("{metrics}{path}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_token_guards_the_metrics_address_too() {
    let app = start(|config| {
        config.metrics_addr = Some("127.0.0.1:0".to_owned());
        config.metrics_token = Some(TOKEN.parse().unwrap());
    })
    .await;
    let url = format!(
        "{}/metrics",
        app.metrics.clone().expect("a metrics address")
    );
    let (status, code, _) = get(&url, None).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, _, body) = get(&url, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("# TYPE guichet_http_requests counter"),
        "{body}"
    );
    let (status, _, _) = get(&format!("{}/metrics", app.base), Some(TOKEN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
