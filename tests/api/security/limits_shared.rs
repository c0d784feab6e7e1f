//! The attacks of `limits`, split across two instances of one deployment
//! that share PostgreSQL and Redis: the limits are the deployment's, not
//! each instance's.

use super::burst::{Shot, release, tally};
use super::limits::{BURST, address, assert_refused_only_by_the_limit, count, let_through};
use crate::support::office::phone;
use guichet::app::rate_limit::{
    CITIZEN_LOGIN_PER_PHONE, LOGIN_FAILURES_PER_USER, WAITLIST_PER_PHONE,
};
use guichet_test_support::TestApp;
use serde_json::json;

/// Two instances behind the test as their proxy, on one PostgreSQL
/// database and one Redis, with rate-limit keys of their own.
async fn two_instances() -> (TestApp, TestApp) {
    let redis =
        std::env::var("GUICHET_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let prefix = format!("guichet-test:{}:rl:", guichet::secrets::new_id());
    let configure = |config: &mut guichet::config::Config| {
        config.trusted_proxies = "127.0.0.1".parse().unwrap();
        config.redis_url = Some(redis.parse().unwrap());
    };
    let first = TestApp::builder()
        .postgres()
        .config(configure)
        .prepare(|settings| settings.guards.limits.set_prefix(&prefix))
        .spawn()
        .await;
    let second = TestApp::builder()
        .join(&first.database_url)
        .config(configure)
        .prepare(|settings| settings.guards.limits.set_prefix(&prefix))
        .spawn()
        .await;
    (first, second)
}

/// Instance `n % 2` of the pair.
fn base(pair: &(TestApp, TestApp), n: usize) -> &str {
    if n.is_multiple_of(2) {
        &pair.0.base
    } else {
        &pair.1.base
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis"]
async fn passwords_codes_and_creations_are_limited_once_for_the_deployment() {
    let pair = two_instances().await;
    // Wrong passwords for one account, half to each instance.
    let wrong = json!({"username": "admin", "password": "not-the-password"});
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| Shot::json(base(&pair, n), "/api/v1/auth/login", &wrong).from(&address(n)))
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(
        count(&replies, 401),
        LOGIN_FAILURES_PER_USER.max as usize,
        "{:?}",
        tally(&replies)
    );
    // Codes for one phone: one SMS, whichever instance was asked.
    let target = phone(5);
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| {
            Shot::json(base(&pair, n), "/api/v1/otp", &json!({"phone": target}))
                .from(&address(BURST + n))
        })
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(count(&replies, 202), 1, "{:?}", tally(&replies));
    assert_eq!(pair.0.count("otp_codes").await, 1);
    // Guesses of that code: five tries in all.
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| {
            let login = json!({"phone": target, "otp": format!("{:06}", n)});
            Shot::json(base(&pair, n), "/api/v1/citizen/login", &login)
                .from(&address(2 * BURST + n))
        })
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    let evaluated = replies
        .iter()
        .filter(|r| r.message() == "otp: wrong code" || r.status == 200)
        .count();
    assert_eq!(evaluated, 5, "{:?}", tally(&replies));
    assert_eq!(let_through(&replies), CITIZEN_LOGIN_PER_PHONE.max as usize);
    // Places on a waiting list for one phone (a site that does not exist:
    // the limit comes first).
    let path = "/api/v1/sites/nowhere/services/passport/waitlist";
    let body = json!({"phone": phone(6), "from": "2026-12-01", "to": "2026-12-05"});
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| Shot::json(base(&pair, n), path, &body).from(&address(3 * BURST + n)))
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(
        let_through(&replies),
        WAITLIST_PER_PHONE.max as usize,
        "{:?}",
        tally(&replies)
    );
}
