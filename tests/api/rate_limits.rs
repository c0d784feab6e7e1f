//! Rate limits as a citizen, an agent or the SMS provider meets them: 429
//! `rate_limited` with `Retry-After` once a phone, a username or a client
//! address has tried too often, per phone far sooner than per address, the
//! client address read from `X-Forwarded-For` only when a trusted proxy
//! sent it, and (with Redis) one count for every instance.

use crate::support::office::{Office, office_on, phone};
use guichet::app::rate_limit::{
    BOOKINGS_PER_IP, BOOKINGS_PER_PHONE, COMPLAINTS_PER_IP, COMPLAINTS_PER_PHONE,
    INBOUND_SMS_PER_PHONE, LOGIN_FAILURES_PER_IP, LOGIN_FAILURES_PER_USER, OTP_PER_IP,
    REQUESTS_PER_PHONE, Rule, WAITLIST_PER_PHONE,
};
use guichet::clock::Clock;
use guichet_test_support::{Answer, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A server behind a proxy at 127.0.0.1 (the test itself): each request
/// says which client it comes from in `X-Forwarded-For`.
async fn behind_proxy() -> TestApp {
    behind_proxy_with(Clock::system()).await
}

async fn behind_proxy_with(clock: Clock) -> TestApp {
    TestApp::builder()
        .clock(clock)
        .config(|config| {
            config.trusted_proxies = "127.0.0.1".parse().unwrap();
        })
        .spawn()
        .await
}

/// The office of `booking::office` (2 places a slot, phones not verified)
/// on a Monday morning, behind the proxy.
async fn office_behind_proxy() -> Office {
    let (clock, time) = Clock::manual("2026-11-23T07:00:00Z".parse().unwrap());
    let app = behind_proxy_with(clock).await;
    office_on(app, time, "Africa/Casablanca", 2, false).await
}

/// Posts JSON with `X-Forwarded-For: forwarded` when given.
async fn post_from(app: &TestApp, forwarded: Option<&str>, path: &str, body: Value) -> Answer {
    let mut request = app.http.post(format!("{}{path}", app.base)).json(&body);
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    app.send(request).await
}

/// A refusal as docs/api.md has it, with a wait no longer than the rule's window.
fn assert_limited(answer: &Answer, rule: Rule) {
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    assert_eq!(answer.code(), "rate_limited");
    let retry: i64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!(
        (1..=rule.window_ms / 1000).contains(&retry),
        "Retry-After {retry} for {rule:?}"
    );
}

fn assert_not_limited(answer: &Answer) {
    assert_ne!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );
    assert!(answer.status.as_u16() < 500, "{}", answer.body);
}

/// Address number `n`, all different.
fn address(n: usize) -> String {
    format!("198.51.{}.{}", n / 250, n % 250 + 1)
}

#[tokio::test]
async fn bookings_are_limited_per_phone_and_far_later_per_address() {
    let office = office_behind_proxy().await;
    let booked = office.book("2026-11-24T09:00:00+00:00", &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let path = format!("/api/v1/sites/{}/appointments", office.site);
    let attempt_at = |start: &str, n: usize| {
        json!({"service": "passport", "name": "Amina Alaoui",
        "start": start, "phone": phone(n)})
    };
    let attempt = |n: usize| attempt_at("2026-11-24T09:00:00+00:00", n);
    // One phone, from ever new addresses: the first try above counted.
    for n in 1..BOOKINGS_PER_PHONE.max as usize {
        let again = post_from(&office.app, Some(&address(n)), &path, attempt(1)).await;
        assert_not_limited(&again);
    }
    let refused = post_from(&office.app, Some(&address(999)), &path, attempt(1)).await;
    assert_limited(&refused, BOOKINGS_PER_PHONE);
    // The booking page refuses that phone too, says so, and for how long.
    let csrf = "rate-limits-csrf-token-0123456789";
    let page = office
        .app
        .http
        .post(format!("{}/book/{}/passport", office.app.base, office.site))
        .header("x-forwarded-for", address(998))
        .header("Cookie", format!("guichet_csrf={csrf}"))
        .form(&[
            ("mode", "in_person"),
            ("day", "2026-11-24"),
            ("start", "2026-11-24T09:00:00+00:00"),
            ("name", "Amina Alaoui"),
            ("phone", phone(1).as_str()),
            ("persons", "1"),
            ("csrf", csrf),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = page.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=BOOKINGS_PER_PHONE.window_ms / 1000).contains(&wait));
    // Another phone from an address that tried already is not refused.
    let other = post_from(&office.app, Some(&address(1)), &path, attempt(2)).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    // One address (an office's Wi-Fi), ever new phones.
    let wifi = Some("203.0.113.7");
    for n in 0..BOOKINGS_PER_IP.max as usize {
        let tried = post_from(&office.app, wifi, &path, attempt_at("soon", 1000 + n)).await;
        assert_eq!(
            tried.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            tried.body
        );
    }
    let later = attempt_at("2026-11-24T09:30:00+00:00", 5000);
    let refused = post_from(&office.app, wifi, &path, later.clone()).await;
    assert_limited(&refused, BOOKINGS_PER_IP);
    let elsewhere = post_from(&office.app, Some("203.0.113.8"), &path, later).await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.body);
    assert_eq!(
        office.app.count("appointments").await,
        3,
        "refusals book nothing"
    );
}

#[tokio::test]
async fn waitlist_requests_and_complaints_are_limited_per_phone() {
    let office = office_behind_proxy().await;
    let site = office.site.clone();
    let routes = [
        (
            format!("/api/v1/sites/{site}/services/passport/waitlist"),
            json!({"phone": phone(7), "from": "2026-12-01", "to": "2026-12-05"}),
            WAITLIST_PER_PHONE,
        ),
        (
            format!("/api/v1/sites/{site}/requests"),
            json!({"service": "passport", "name": "Amina Alaoui", "phone": phone(7)}),
            REQUESTS_PER_PHONE,
        ),
        (
            format!("/api/v1/sites/{site}/complaints"),
            json!({"subject": "Attente", "body": "Trop long.", "phone": phone(7)}),
            COMPLAINTS_PER_PHONE,
        ),
    ];
    for (path, body, rule) in routes {
        for n in 0..rule.max as usize {
            let tried = post_from(&office.app, Some(&address(n)), &path, body.clone()).await;
            assert_not_limited(&tried);
        }
        let refused = post_from(&office.app, Some(&address(900)), &path, body.clone()).await;
        assert_limited(&refused, rule);
        let mut other = body;
        other["phone"] = json!(phone(8));
        let tried = post_from(&office.app, Some(&address(900)), &path, other).await;
        assert_not_limited(&tried);
    }
}

#[tokio::test]
async fn codes_are_limited_per_address() {
    let app = behind_proxy().await;
    let wifi = Some("203.0.113.7");
    for n in 0..OTP_PER_IP.max as usize {
        let sent = post_from(&app, wifi, "/api/v1/otp", json!({"phone": phone(n)})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    }
    let refused = post_from(&app, wifi, "/api/v1/otp", json!({"phone": phone(999)})).await;
    assert_limited(&refused, OTP_PER_IP);
    let elsewhere = post_from(
        &app,
        Some("203.0.113.8"),
        "/api/v1/otp",
        json!({"phone": phone(999)}),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::ACCEPTED, "{}", elsewhere.body);
    assert_eq!(app.count("otp_codes").await, OTP_PER_IP.max as i64 + 1);
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_username_and_per_address() {
    let app = behind_proxy().await;
    let login = "/api/v1/auth/login";
    let wrong = |user: &str| json!({"username": user, "password": "not-the-password"});
    // One username guessed at from many addresses.
    for n in 0..LOGIN_FAILURES_PER_USER.max as usize {
        let failed = post_from(&app, Some(&address(n)), login, wrong("admin")).await;
        assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    }
    let right = json!({"username": "admin", "password": guichet_test_support::ADMIN_PASSWORD});
    let refused = post_from(&app, Some(&address(500)), login, right).await;
    assert_limited(&refused, LOGIN_FAILURES_PER_USER);
    // The agents' login page waits as well, and says for how long.
    let csrf = "rate-limits-csrf-token-0123456789";
    let page = app
        .http
        .post(format!("{}/agent/login", app.base))
        .header("x-forwarded-for", address(501))
        .header("Cookie", format!("guichet_csrf={csrf}"))
        .form(&[
            ("username", "admin"),
            ("password", guichet_test_support::ADMIN_PASSWORD),
            ("csrf", csrf),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers().contains_key("retry-after"));
    // Many usernames from one address.
    let office = Some("203.0.113.7");
    for n in 0..LOGIN_FAILURES_PER_IP.max as usize {
        let failed = post_from(&app, office, login, wrong(&format!("agent{n}"))).await;
        assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    }
    let refused = post_from(&app, office, login, wrong("someone-else")).await;
    assert_limited(&refused, LOGIN_FAILURES_PER_IP);
    let elsewhere = post_from(&app, Some("203.0.113.8"), login, wrong("someone-else")).await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    let path = "/api/v1/sites/nowhere/complaints";
    let body = |n: usize| json!({"subject": "Attente", "body": "Trop long.", "phone": phone(n)});
    // No trusted proxy: a client that makes up addresses is still itself.
    let direct = TestApp::builder().spawn().await;
    for n in 0..COMPLAINTS_PER_IP.max as usize {
        let tried = post_from(&direct, Some(&address(n)), path, body(n)).await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND, "{}", tried.body);
    }
    let refused = post_from(&direct, Some("192.0.2.1"), path, body(9999)).await;
    assert_limited(&refused, COMPLAINTS_PER_IP);
    // Behind the trusted proxy, the client is the address the proxy saw:
    // the right-most one, whatever the client wrote before it.
    let proxied = behind_proxy().await;
    for n in 0..COMPLAINTS_PER_IP.max as usize {
        let forwarded = format!("{}, 203.0.113.7", address(n));
        let tried = post_from(&proxied, Some(&forwarded), path, body(n)).await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND, "{}", tried.body);
    }
    let refused = post_from(&proxied, Some("192.0.2.1, 203.0.113.7"), path, body(9999)).await;
    assert_limited(&refused, COMPLAINTS_PER_IP);
    let other = post_from(&proxied, Some("203.0.113.8"), path, body(9999)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
}

#[tokio::test]
async fn texts_are_limited_per_sending_phone() {
    let twilio = crate::fakes::twilio::FakeTwilio::start().await;
    let office = crate::support::sms::office_sending_through(Backend::Sqlite, Some(&twilio)).await;
    for _ in 0..INBOUND_SMS_PER_PHONE.max {
        let answered = crate::support::sms::text_in(&office.app, &phone(3), "AIDE").await;
        assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    }
    let refused = crate::support::sms::text_in(&office.app, &phone(3), "AIDE").await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    assert!(refused.retry_after.is_some_and(|s| s >= 1), "Retry-After");
    let other = crate::support::sms::text_in(&office.app, &phone(4), "AIDE").await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
}

#[tokio::test]
async fn a_redis_that_does_not_answer_leaves_the_count_to_each_instance() {
    let app = TestApp::builder()
        .config(|config| {
            config.redis_url = Some("redis://127.0.0.1:1".parse().unwrap());
        })
        .spawn()
        .await;
    let path = "/api/v1/sites/nowhere/appointments";
    let body = json!({"service": "passport", "name": "Amina", "start": "2026-11-24T09:00:00Z",
        "phone": phone(1)});
    for _ in 0..BOOKINGS_PER_PHONE.max {
        let tried = post_from(&app, None, path, body.clone()).await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND, "{}", tried.body);
    }
    let refused = post_from(&app, None, path, body).await;
    assert_limited(&refused, BOOKINGS_PER_PHONE);
}

/// An instance on its own SQLite file sharing `redis` under `prefix`.
async fn counting_in(redis: &str, prefix: &str) -> TestApp {
    let (redis, prefix) = (redis.to_owned(), prefix.to_owned());
    TestApp::builder()
        .config(|config| config.redis_url = Some(redis.parse().unwrap()))
        .prepare(|settings| settings.guards.limits.set_prefix(&prefix))
        .spawn()
        .await
}

#[tokio::test]
#[ignore = "needs Redis"]
async fn instances_on_one_redis_share_the_count() {
    let redis =
        std::env::var("GUICHET_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let prefix = format!("guichet-test:{}:rl:", guichet::secrets::new_id());
    let (first, second) = (
        counting_in(&redis, &prefix).await,
        counting_in(&redis, &prefix).await,
    );
    let path = "/api/v1/sites/nowhere/appointments";
    let body = json!({"service": "passport", "name": "Amina", "start": "2026-11-24T09:00:00Z",
        "phone": phone(1)});
    for n in 0..BOOKINGS_PER_PHONE.max as usize {
        let instance = if n % 2 == 0 { &first } else { &second };
        let tried = post_from(instance, None, path, body.clone()).await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND, "{}", tried.body);
    }
    // Each instance saw half the tries; together they saw them all.
    let refused = post_from(&first, None, path, body.clone()).await;
    assert_limited(&refused, BOOKINGS_PER_PHONE);
    let refused = post_from(&second, None, path, body.clone()).await;
    assert_limited(&refused, BOOKINGS_PER_PHONE);
    // Another deployment on the same Redis (another prefix) counts apart.
    let other_prefix = format!("guichet-test:{}:rl:", guichet::secrets::new_id());
    let apart = counting_in(&redis, &other_prefix).await;
    let tried = post_from(&apart, None, path, body).await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND, "{}", tried.body);
    // Keys hold no phone in clear, and expire.
    let client = redis::Client::open(redis.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(!keys.is_empty());
    for key in &keys {
        assert!(!key.contains("2126"), "{key}");
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!(ttl > 0, "{key} expires");
    }
}
