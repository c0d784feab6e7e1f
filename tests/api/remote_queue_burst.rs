//! Remote joins under a burst, on two instances sharing the database and
//! Redis (docs/remote-queue.md): the cap on the remote share, one ticket a
//! phone, and the limits per phone and per address hold exactly.

use crate::support::office::{Office, office_on, phone};
use crate::support::remote::MONDAY_9;
use crate::support::tickets::{issue, kiosk};
use futures::future::join_all;
use guichet::app::rate_limit::{REMOTE_JOIN_PER_IP, REMOTE_JOIN_PER_PHONE};
use guichet::clock::Clock;
use guichet_test_support::{Answer, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn redis_url() -> String {
    std::env::var("GUICHET_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The office of `support::remote`, with `service` patched into its
/// service, served by two instances on one database that count limits in
/// one Redis (under a prefix of their own).
async fn two_instances(backend: Backend, service: Value) -> (Office, TestApp) {
    let prefix = format!("guichet-test:{}:rl:", guichet::secrets::new_id());
    let redis = redis_url();
    let (clock, time) = Clock::manual(MONDAY_9.parse().expect("a timestamp"));
    let app = TestApp::builder()
        .backend(backend)
        .clock(clock)
        .redis(&redis)
        .prepare(|settings| settings.guards.limits.set_prefix(&prefix))
        .spawn()
        .await;
    let office = office_on(app, time, "Africa/Casablanca", 2, false).await;
    // Before the other instance starts: it reads the service afresh.
    let patched = office
        .app
        .patch(
            &format!("/api/v1/sites/{}/services/passport", office.site),
            Some(&office.admin),
            service,
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let other = TestApp::builder()
        .join(&office.app.database_url)
        .clock(office.time.clock())
        .redis(&redis)
        .prepare(|settings| settings.guards.limits.set_prefix(&prefix))
        .spawn()
        .await;
    (office, other)
}

/// `n` joins at once, alternating instances; phone `phone_of(i)` for the `i`th.
async fn burst(
    office: &Office,
    other: &TestApp,
    n: usize,
    phone_of: impl Fn(usize) -> String,
) -> Vec<Answer> {
    let path = format!("/api/v1/sites/{}/queue/join", office.site);
    join_all((0..n).map(|i| {
        let instance = if i % 2 == 0 { &office.app } else { other };
        let body = json!({"service": "passport", "phone": phone_of(i)});
        let path = path.clone();
        async move { instance.post(&path, None, body).await }
    }))
    .await
}

fn tally(answers: &[Answer], status: StatusCode, code: &str) -> usize {
    answers
        .iter()
        .filter(|a| a.status == status && (code.is_empty() || a.code() == code))
        .count()
}

async fn remote_waiting(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM tickets WHERE source = 'remote' AND status = 'waiting'";
    guichet_test_support::read!(&app.app.db, |c| sqlx::query_scalar(sql).fetch_one(c).await)
        .expect("count read")
}

async fn the_cap_holds_under_a_burst(backend: Backend) {
    let (office, other) = two_instances(backend, json!({})).await;
    let kiosk = kiosk(&office.app, &office.admin, &office.site).await;
    for _ in 0..4 {
        issue(
            &office.app,
            &kiosk,
            &office.site,
            json!({"service": "passport"}),
        )
        .await;
    }
    // At most half of those waiting, rounded up: with 4 walk-ins, 5 joins
    // (5 of 9); a sixth would be 6 of 10, over the half.
    let answers = burst(&office, &other, 50, |i| phone(100 + i)).await;
    assert_eq!(
        tally(&answers, StatusCode::CREATED, ""),
        5,
        "{:?}",
        statuses(&answers)
    );
    assert_eq!(
        tally(&answers, StatusCode::CONFLICT, "remote_share_full"),
        45
    );
    assert_eq!(remote_waiting(&office.app).await, 5);
    let mut numbers: Vec<&str> = answers
        .iter()
        .filter_map(|a| a.body["number"].as_str())
        .collect();
    numbers.sort();
    assert_eq!(numbers, ["P005", "P006", "P007", "P008", "P009"]);
}

async fn one_phone_gets_one_ticket_and_its_limit(backend: Backend) {
    let (office, other) = two_instances(backend, json!({})).await;
    let amina = phone(1);
    let answers = burst(&office, &other, 50, |_| amina.clone()).await;
    let limit = REMOTE_JOIN_PER_PHONE.max as usize;
    assert_eq!(
        tally(&answers, StatusCode::CREATED, ""),
        1,
        "{:?}",
        statuses(&answers)
    );
    assert_eq!(
        tally(&answers, StatusCode::CONFLICT, "already_in_queue"),
        limit - 1
    );
    assert_eq!(
        tally(&answers, StatusCode::TOO_MANY_REQUESTS, ""),
        50 - limit
    );
    assert_eq!(remote_waiting(&office.app).await, 1);
    let joined = office.templates(&amina).await;
    let joined = joined.iter().filter(|t| *t == "remote_joined");
    assert_eq!(joined.count(), 1, "one SMS with the ticket");
}

async fn the_address_limit_holds_under_a_burst(backend: Backend) {
    // No cap, and visits short enough for all to be served before closing.
    let uncapped = json!({"remote_share_percent": 100, "service_minutes": 1});
    let (office, other) = two_instances(backend, uncapped).await;
    // Joins refused for their service still count for their address.
    let limit = REMOTE_JOIN_PER_IP.max as usize;
    let path = format!("/api/v1/sites/{}/queue/join", office.site);
    let refused = join_all((0..limit - 20).map(|i| {
        let body = json!({"service": "nothing", "phone": phone(5000 + i)});
        office.app.post(&path, None, body)
    }))
    .await;
    assert_eq!(
        tally(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_service"
        ),
        limit - 20
    );
    let answers = burst(&office, &other, 50, |i| phone(1000 + i)).await;
    assert_eq!(
        tally(&answers, StatusCode::CREATED, ""),
        20,
        "{:?}",
        statuses(&answers)
    );
    assert_eq!(tally(&answers, StatusCode::TOO_MANY_REQUESTS, ""), 30);
    assert_eq!(remote_waiting(&office.app).await, 20);
}

fn statuses(answers: &[Answer]) -> Vec<(u16, String)> {
    answers
        .iter()
        .map(|a| (a.status.as_u16(), a.code().to_owned()))
        .collect()
}

/// Each test on SQLite and PostgreSQL, both with Redis.
macro_rules! with_redis {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                #[ignore = "needs Redis"]
                async fn $name() {
                    super::$name(guichet_test_support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL and Redis"]
                async fn $name() {
                    super::$name(guichet_test_support::Backend::Postgres).await;
                }
            )*
        }
    };
}

with_redis!(
    the_cap_holds_under_a_burst,
    one_phone_gets_one_ticket_and_its_limit,
    the_address_limit_holds_under_a_burst,
);
