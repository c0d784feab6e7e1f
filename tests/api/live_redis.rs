//! Live updates across instances: two servers on one PostgreSQL database
//! sharing events through the real Redis, events lost on the way read back
//! from the log, and an instance whose Redis is gone.

use crate::support::sites::open_site;
use crate::support::tickets::{call_next, finish, issue, kiosk};
use futures::future::join_all;
use guichet::app::auth;
use guichet::domain::role::Role;
use guichet_test_support::live::{connect, seqs};
use guichet_test_support::{ScratchDatabase, TestApp};
use reqwest::StatusCode;
use serde_json::json;

fn redis_url() -> String {
    std::env::var("GUICHET_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

async fn admin_of(app: &TestApp) -> String {
    auth::add_user(
        &app.app,
        "admin",
        Role::Admin,
        None,
        guichet_test_support::ADMIN_PASSWORD,
    )
    .await
    .expect("admin created");
    app.admin().await
}

async fn head(app: &TestApp, site: &str) -> i64 {
    app.get(&format!("/api/v1/sites/{site}/queue"), None)
        .await
        .body["seq"]
        .as_i64()
        .expect("seq")
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis"]
async fn calls_on_either_instance_reach_screens_on_both_in_order() {
    let database = ScratchDatabase::create().await;
    let redis = redis_url();
    let (a, b) = two_instances(&database.url, &redis).await;
    let admin = admin_of(&a).await;
    let agents = open_site(&a, &admin, "anfa", "Africa/Casablanca", 2).await;
    let kiosk = kiosk(&a, &admin, "anfa").await;
    assert_eq!(b.get("/readyz", None).await.body["bus"], "redis");

    let mut on_a = connect(&a, "/ws/sites/anfa", None).await;
    let mut on_b = connect(&b, "/ws/sites/anfa", None).await;
    let start_a = on_a.next().await["seq"].as_i64().unwrap();
    let start_b = on_b.next().await["seq"].as_i64().unwrap();

    // Kiosks on both instances, counter 1 calling through A and counter 2 through B.
    let issuers = [&a, &b, &a, &b].map(|instance| {
        let kiosk = &kiosk;
        async move {
            for _ in 0..6 {
                issue(instance, kiosk, "anfa", json!({"service": "residence"})).await;
            }
        }
    });
    let callers = [(&a, &agents[0], "anfa-g1"), (&b, &agents[1], "anfa-g2")].map(
        |(instance, agent, counter)| async move {
            for _ in 0..8 {
                if let (StatusCode::OK, ticket) = call_next(instance, agent, counter).await {
                    finish(instance, agent, &ticket).await;
                }
            }
        },
    );
    tokio::join!(join_all(issuers), join_all(callers));

    let last = head(&a, "anfa").await;
    assert_eq!(
        seqs(&on_a.until_seq(last).await),
        (start_a + 1..=last).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&on_b.until_seq(last).await),
        (start_b + 1..=last).collect::<Vec<_>>()
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis"]
async fn events_that_never_reach_redis_are_read_back_from_the_log() {
    let database = ScratchDatabase::create().await;
    let redis = redis_url();
    let (a, b) = two_instances(&database.url, &redis).await;
    // An instance whose events never go through Redis: as if every one of
    // its messages were dropped on the way.
    let lost = TestApp::builder().join(&database.url).spawn().await;
    let admin = admin_of(&a).await;
    open_site(&a, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&a, &admin, "anfa").await;

    let mut screen = connect(&b, "/ws/sites/anfa", None).await;
    let start = screen.next().await["seq"].as_i64().unwrap();

    // The last events of a burst, lost: the periodic check finds them.
    issue(&lost, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(
        seqs(&screen.until_seq(start + 2).await),
        [start + 1, start + 2]
    );

    // Lost events followed by a delivered one: the gap is filled first.
    issue(&lost, &kiosk, "anfa", json!({"service": "signature"})).await;
    issue(&a, &kiosk, "anfa", json!({"service": "residence"})).await;
    let seen = screen.until_seq(start + 6).await;
    assert_eq!(seqs(&seen), (start + 3..=start + 6).collect::<Vec<_>>());
    assert_eq!(seen[0]["number"], "B001");
    assert_eq!(seen[2]["number"], "A002");
}

#[tokio::test]
async fn without_redis_an_instance_still_serves_its_own_screens_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}", dir.path().join("guichet.db").display());
    // Nothing listens on port 1.
    let app = TestApp::builder()
        .join(&database_url)
        .redis("redis://127.0.0.1:1")
        .spawn()
        .await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(
        (ready.body["status"].as_str(), ready.body["bus"].as_str()),
        (Some("degraded"), Some("degraded"))
    );

    let admin = admin_of(&app).await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let mut screen = connect(&app, "/ws/sites/anfa", None).await;
    let start = screen.next().await["seq"].as_i64().unwrap();
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(
        seqs(&screen.until_seq(start + 2).await),
        [start + 1, start + 2]
    );
}

/// A private Redis server on a free port, killed when dropped.
struct PrivateRedis {
    child: std::process::Child,
    port: u16,
}

impl PrivateRedis {
    async fn start(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server runs (Debian package redis-server)");
        let within = std::time::Duration::from_secs(10);
        guichet_test_support::wait_for_port(port, within, "redis-server").await;
        Self { child, port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Two instances of one deployment: one database, one Redis.
async fn two_instances(database_url: &str, redis_url: &str) -> (TestApp, TestApp) {
    let instance = async || {
        let builder = TestApp::builder().join(database_url);
        builder.redis(redis_url).spawn().await
    };
    (instance().await, instance().await)
}

/// Polls `/readyz` until its `bus` says `expected`.
async fn bus_becomes(app: &TestApp, expected: &str) {
    let within = std::time::Duration::from_secs(15);
    let what = format!("bus {expected}");
    guichet_test_support::eventually(within, &what, async || {
        app.get("/readyz", None).await.body["bus"] == expected
    })
    .await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis"]
async fn instances_ride_out_a_redis_restart() {
    let port = guichet_test_support::free_port();
    let mut redis = PrivateRedis::start(port).await;
    let database = ScratchDatabase::create().await;
    let (a, b) = two_instances(&database.url, &redis.url()).await;
    let admin = admin_of(&a).await;
    open_site(&a, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&a, &admin, "anfa").await;
    bus_becomes(&a, "redis").await;
    bus_becomes(&b, "redis").await;
    let mut near = connect(&a, "/ws/sites/anfa", None).await;
    let mut far = connect(&b, "/ws/sites/anfa", None).await;
    let start = near.next().await["seq"].as_i64().unwrap();
    assert_eq!(far.next().await["seq"], start);

    redis.kill();
    bus_becomes(&a, "degraded").await;
    // Redis is gone: A still serves its own screens.
    issue(&a, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(
        seqs(&near.until_seq(start + 2).await),
        [start + 1, start + 2]
    );

    let _redis = PrivateRedis::start(port).await;
    bus_becomes(&a, "redis").await;
    bus_becomes(&b, "redis").await;
    // B reads what it missed from the log, then follows live again.
    assert_eq!(
        seqs(&far.until_seq(start + 2).await),
        [start + 1, start + 2]
    );
    issue(&a, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(
        seqs(&far.until_seq(start + 4).await),
        [start + 3, start + 4]
    );
}
