//! `DATABASE_REPLICA_URL` as an operator may get it wrong: beside SQLite
//! (refused at start, saying why), or naming a server that is not a
//! replica (never read from). A real streaming replica is in
//! `tests/faults/replica.rs`.

use crate::support::sites::seed_site;
use guichet::clock::Clock;
use guichet::config::Config;
use guichet::startup::Server;
use guichet_test_support::client::metric_sum;
use guichet_test_support::{TestApp, holds_within};
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn a_replica_beside_sqlite_is_refused_at_start_saying_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("guichet.db").display());
    let mut config = Config::local(&url);
    config.database_replica_url = Some("postgres://postgres@127.0.0.1:1/postgres".parse().unwrap());
    let error = match Server::build(&config, Clock::system()).await {
        Ok(_) => panic!("a replica beside SQLite was accepted"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("DATABASE_REPLICA_URL") && error.contains("SQLite"),
        "{error}"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_server_that_is_not_a_replica_is_never_read_from() {
    // The test server itself: a primary, not in recovery, as a replica
    // promoted by mistake would be.
    let primary = std::env::var("GUICHET_TEST_POSTGRES").expect("GUICHET_TEST_POSTGRES");
    let app = TestApp::builder()
        .postgres()
        .config(|config: &mut Config| {
            config.database_replica_url = Some(primary.parse().unwrap());
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let path = "/api/v1/sites/anfa/services/residence/slots";
    // Checked every second: after three, still not used.
    let used = holds_within(Duration::from_secs(3), async || {
        let ready = app.get("/readyz", None).await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
        assert_eq!(app.get(path, None).await.status, StatusCode::OK);
        ready.body["replica"] != "down"
    })
    .await;
    assert!(!used, "a server not in recovery taken as a replica");
    let metrics = app.metrics().await;
    assert_eq!(metric_sum(&metrics, "guichet_replica_in_use", &[]), 0.0);
    assert_eq!(
        metric_sum(&metrics, "guichet_replica_reads_total", &["by=\"replica\""]),
        0.0
    );
    assert!(metric_sum(&metrics, "guichet_replica_reads_total", &["by=\"primary\""]) > 0.0);
}
