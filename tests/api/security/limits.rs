//! Every limit holds under a burst: 60 requests released at the same
//! instant (see `burst`) get no more evaluations than the limit allows,
//! and the right secret after the limit does not get in. Each scenario
//! runs on SQLite and on PostgreSQL; `limits_shared` runs the same
//! attacks across two instances that share PostgreSQL and Redis.

use super::burst::{Reply, Shot, release, tally};
use crate::support::office::{Office, office_on, phone};
use guichet::app::rate_limit::{
    BOOKINGS_PER_PHONE, CITIZEN_LOGIN_PER_PHONE, COMPLAINTS_PER_PHONE, EARLIEST_PER_IP,
    INBOUND_SMS_PER_PHONE, LOGIN_FAILURES_PER_IP, LOGIN_FAILURES_PER_USER, REQUESTS_PER_PHONE,
    Rule, WAITLIST_PER_PHONE,
};
use guichet::clock::Clock;
use guichet_test_support::on_both_backends;
use guichet_test_support::{ADMIN_PASSWORD, Backend, TestApp};
use serde_json::json;

pub(crate) const BURST: usize = 60;
const MONDAY_MORNING: &str = "2026-11-23T07:00:00Z";
const SLOT: &str = "2026-11-24T09:00:00+00:00";

on_both_backends!(
    staff_passwords,
    an_ipv6_network_is_one_client,
    phone_codes_sent,
    phone_code_guesses,
    citizen_logins,
    citizens_creations,
    citizens_texts,
    earliest_searches,
);

/// A server that takes the test for its proxy, so that each request can
/// come from an address of its own, as from a botnet.
async fn behind_proxy(backend: Backend) -> TestApp {
    TestApp::builder()
        .backend(backend)
        .config(|config| {
            config.trusted_proxies = "127.0.0.1".parse().unwrap();
        })
        .spawn()
        .await
}

/// The office of `booking` (phones verified by a code) behind the proxy,
/// on a Monday morning of the test's clock.
pub(crate) async fn office_verifying_phones(backend: Backend) -> Office {
    let (clock, time) = Clock::manual(MONDAY_MORNING.parse().unwrap());
    let app = behind_proxy_on(backend, clock).await;
    office_on(app, time, "Africa/Casablanca", 100, true).await
}

/// `behind_proxy` on the test's `clock`.
async fn behind_proxy_on(backend: Backend, clock: Clock) -> TestApp {
    TestApp::builder()
        .backend(backend)
        .clock(clock)
        .config(|config| {
            config.trusted_proxies = "127.0.0.1".parse().unwrap();
        })
        .spawn()
        .await
}

/// Address number `n` of the botnet.
pub(crate) fn address(n: usize) -> String {
    format!("198.51.{}.{}", n / 250, n % 250 + 1)
}

pub(crate) fn count(replies: &[Reply], status: u16) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

/// Replies that the limit let through, whatever the use case then said.
pub(crate) fn let_through(replies: &[Reply]) -> usize {
    replies.len() - count(replies, 429)
}

pub(crate) fn assert_refused_only_by_the_limit(replies: &[Reply]) {
    for reply in replies.iter().filter(|r| r.status == 429) {
        assert_eq!(reply.code(), "rate_limited", "{:?}", reply.body);
    }
    assert!(
        replies.iter().all(|r| r.status < 500),
        "{:?}",
        tally(replies)
    );
}

/// Wrong passwords for one account from 60 addresses at once: five are
/// checked, the others refused unchecked, and the right password that
/// comes next is refused too.
async fn staff_passwords(backend: Backend) {
    let app = behind_proxy(backend).await;
    let login = "/api/v1/auth/login";
    let wrong = json!({"username": "admin", "password": "not-the-password"});
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| Shot::json(&app.base, login, &wrong).from(&address(n)))
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(
        count(&replies, 401),
        LOGIN_FAILURES_PER_USER.max as usize,
        "{:?}",
        tally(&replies)
    );
    // A second burst with the right password among wrong ones: none is
    // checked, so the right one does not get in.
    let right = json!({"username": "admin", "password": ADMIN_PASSWORD});
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| {
            let body = if n == BURST / 2 { &right } else { &wrong };
            Shot::json(&app.base, login, body).from(&address(BURST + n))
        })
        .collect();
    let replies = release(&shots).await;
    assert_eq!(count(&replies, 429), BURST, "{:?}", tally(&replies));
    // Many accounts from one address: that address's limit holds too.
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| {
            let body = json!({"username": format!("agent{n}"), "password": "guess"});
            Shot::json(&app.base, login, &body).from("203.0.113.7")
        })
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(
        count(&replies, 401),
        LOGIN_FAILURES_PER_IP.max as usize,
        "{:?}",
        tally(&replies)
    );
}

/// A subscriber picks any address of its IPv6 /64: 60 of them guessing
/// passwords at once are one client, held to one address's limit, and a
/// neighbouring network is not.
async fn an_ipv6_network_is_one_client(backend: Backend) {
    let app = behind_proxy(backend).await;
    let login = "/api/v1/auth/login";
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| {
            let body = json!({"username": format!("agent{n}"), "password": "guess"});
            Shot::json(&app.base, login, &body).from(&format!("2001:db8:1:2::{:x}", n + 1))
        })
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(
        count(&replies, 401),
        LOGIN_FAILURES_PER_IP.max as usize,
        "{:?}",
        tally(&replies)
    );
    let body = json!({"username": "someone", "password": "guess"});
    let next = Shot::json(&app.base, login, &body).from("2001:db8:1:3::1");
    assert_eq!(release(&[next]).await[0].status, 401);
}

/// One phone asked for 60 codes at once, from 60 addresses: one SMS is
/// queued. A number abroad gets nothing.
async fn phone_codes_sent(backend: Backend) {
    let app = behind_proxy(backend).await;
    let target = phone(42);
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| Shot::json(&app.base, "/api/v1/otp", &json!({"phone": target})).from(&address(n)))
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(count(&replies, 202), 1, "{:?}", tally(&replies));
    assert_eq!(app.count("otp_codes").await, 1);
    let queued = guichet::store::outbox::to_recipient(&app.app.db, &target)
        .await
        .expect("outbox read");
    assert_eq!(queued.len(), 1, "one SMS for one phone: {queued:?}");
    // Premium-rate and foreign numbers are refused before anything is sent.
    let abroad = app
        .post("/api/v1/otp", None, json!({"phone": "+881612345678"}))
        .await;
    assert_eq!(abroad.status, 422, "{}", abroad.body);
    assert_eq!(abroad.code(), "invalid_phone");
    assert_eq!(app.count("otp_codes").await, 1);
}

/// 60 bookings with wrong codes for one phone at once: the code is tried
/// five times and then dead, so the right code sent next books nothing.
async fn phone_code_guesses(backend: Backend) {
    let office = office_verifying_phones(backend).await;
    let target = phone(7);
    let right = crate::support::desk::code_of(&office.app, &target).await;
    let path = format!("/api/v1/sites/{}/appointments", office.site);
    let booking = |otp: String| {
        json!({"service": "passport", "name": "Amina Alaoui", "start": SLOT,
            "phone": target, "otp": otp})
    };
    let wrong_codes = (0..)
        .map(|n: u32| format!("{:06}", n))
        .filter(|c| *c != right);
    let shots: Vec<Shot> = wrong_codes
        .take(BURST)
        .enumerate()
        .map(|(n, code)| Shot::json(&office.app.base, &path, &booking(code)).from(&address(n)))
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    let wrong = replies
        .iter()
        .filter(|r| r.message() == "otp: wrong code")
        .count();
    assert_eq!(wrong, 5, "{:?}", tally(&replies));
    assert_eq!(count(&replies, 201), 0);
    assert_eq!(let_through(&replies), BOOKINGS_PER_PHONE.max as usize);
    // The right code, from a fresh address, through another door.
    let login = json!({"phone": target, "otp": right});
    let tried = Shot::json(&office.app.base, "/api/v1/citizen/login", &login).from(&address(999));
    let replies = release(&[tried]).await;
    assert_eq!(replies[0].status, 422, "{:?}", replies[0].body);
    assert_eq!(
        replies[0].message(),
        "otp: too many wrong tries: ask for a new code"
    );
    assert_eq!(office.app.count("appointments").await, 0);
}

/// Citizens' logins for one phone are limited apart from the code's tries,
/// and the right code released among wrong ones gets in at most once.
async fn citizen_logins(backend: Backend) {
    let app = behind_proxy(backend).await;
    let target = phone(8);
    let right = crate::support::desk::code_of(&app, &target).await;
    let login = |otp: &str| json!({"phone": target, "otp": otp});
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| {
            let otp = if n == 0 { "000000" } else { "999999" };
            let otp = if otp == right { "111111" } else { otp };
            Shot::json(&app.base, "/api/v1/citizen/login", &login(otp)).from(&address(n))
        })
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(
        let_through(&replies),
        CITIZEN_LOGIN_PER_PHONE.max as usize,
        "{:?}",
        tally(&replies)
    );
    assert!(replies.iter().all(|r| r.status != 200));
    let wrong = replies
        .iter()
        .filter(|r| r.message() == "otp: wrong code")
        .count();
    assert_eq!(wrong, 5, "the code's own tries: {:?}", tally(&replies));
    let after = app.post("/api/v1/citizen/login", None, login(&right)).await;
    assert_eq!(after.status, 429, "{}", after.body);
}

/// Bookings, waiting-list places, document requests and complaints for
/// one phone, 60 of each at once from 60 addresses: each limit lets
/// exactly its number through.
async fn citizens_creations(backend: Backend) {
    let office = office_verifying_phones(backend).await;
    let (site, base) = (office.site.clone(), office.app.base.clone());
    let target = phone(9);
    let routes: [(String, serde_json::Value, Rule); 4] = [
        (
            format!("/api/v1/sites/{site}/appointments"),
            json!({"service": "passport", "name": "Amina Alaoui", "start": SLOT, "phone": target,
                "otp": "000000"}),
            BOOKINGS_PER_PHONE,
        ),
        (
            format!("/api/v1/sites/{site}/services/passport/waitlist"),
            json!({"phone": target, "from": "2026-12-01", "to": "2026-12-05", "otp": "000000"}),
            WAITLIST_PER_PHONE,
        ),
        (
            format!("/api/v1/sites/{site}/requests"),
            json!({"service": "passport", "name": "Amina Alaoui", "phone": target, "otp": "000000"}),
            REQUESTS_PER_PHONE,
        ),
        (
            format!("/api/v1/sites/{site}/complaints"),
            json!({"subject": "Attente", "body": "Trop long.", "phone": target, "otp": "000000"}),
            COMPLAINTS_PER_PHONE,
        ),
    ];
    for (route, (path, body, rule)) in routes.iter().enumerate() {
        let shots: Vec<Shot> = (0..BURST)
            .map(|n| Shot::json(&base, path, body).from(&address(route * BURST + n)))
            .collect();
        let replies = release(&shots).await;
        assert_refused_only_by_the_limit(&replies);
        assert_eq!(
            let_through(&replies),
            rule.max as usize,
            "{path}: {:?}",
            tally(&replies)
        );
    }
}

/// A citizen's phone texting the office 60 times at once (signed by the
/// provider): the limit per sending phone lets its number through.
async fn citizens_texts(backend: Backend) {
    let twilio = crate::fakes::twilio::FakeTwilio::start().await;
    let office = crate::support::sms::office_sending_through(backend, Some(&twilio)).await;
    let path = "/hooks/sms/inbound";
    let from = phone(3);
    let fields = [
        ("From", from.as_str()),
        ("To", "+212500000000"),
        ("Body", "AIDE"),
    ];
    let signature = crate::support::sms::sign(crate::support::sms::AUTH_TOKEN, path, &fields);
    let body = crate::support::sms::form(&fields);
    let shots: Vec<Shot> = (0..BURST)
        .map(|_| {
            Shot::form(&office.app.base, path, body.clone())
                .header("X-Twilio-Signature", &signature)
        })
        .collect();
    let replies = release(&shots).await;
    assert!(
        replies.iter().all(|r| r.status < 500),
        "{:?}",
        tally(&replies)
    );
    assert_eq!(
        let_through(&replies),
        INBOUND_SMS_PER_PHONE.max as usize,
        "{:?}",
        tally(&replies)
    );
}

/// The earliest-slot search from one address: once all but 40 of its
/// searches a minute are used, 60 released at once get exactly 40 answers,
/// and another address is still answered.
async fn earliest_searches(backend: Backend) {
    // A clock that stands still: the minute's count never starts again
    // between the searches that use it up and the burst.
    let (clock, _time) = Clock::manual(MONDAY_MORNING.parse().unwrap());
    let app = behind_proxy_on(backend, clock).await;
    let path = "/api/v1/slots/earliest?service=certificat-residence";
    let max = EARLIEST_PER_IP.max as usize;
    for _ in 0..max - 40 {
        let used = app
            .http
            .get(app.url(path))
            .header("X-Forwarded-For", address(1))
            .send()
            .await
            .expect("answered");
        assert_eq!(used.status(), 200);
    }
    let shots: Vec<Shot> = (0..BURST)
        .map(|_| Shot::get(&app.base, path).from(&address(1)))
        .collect();
    let replies = release(&shots).await;
    assert_refused_only_by_the_limit(&replies);
    assert_eq!(let_through(&replies), 40, "{:?}", tally(&replies));
    assert_eq!(count(&replies, 200), 40, "{:?}", tally(&replies));
    let other = app
        .http
        .get(app.url(path))
        .header("X-Forwarded-For", address(2))
        .send()
        .await
        .expect("answered");
    assert_eq!(other.status(), 200);
}
