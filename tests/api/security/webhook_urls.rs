//! Webhook addresses as an attacker writes them (finding 3 of issue 17):
//! every form of an internal address is refused when registered, with
//! nothing stored; an allowed receiver beside the service still gets its
//! deliveries, but a redirect is never followed with the signed body; and
//! an address the operator no longer allows gets nothing at delivery.

use crate::fakes::receiver::FakeReceiver;
use crate::support::hooks::{WITHIN, check_signature, register};
use crate::support::office::{Office, phone};
use crate::support::sms::{
    MONDAY_MORNING, PUBLIC_URL, TUESDAY_9, TUESDAY_930, office_sending_through,
};
use guichet::clock::Clock;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use guichet_test_support::{holds_within, until_some};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    internal_and_disguised_addresses_are_refused_and_nothing_is_stored,
    an_allowed_receiver_gets_deliveries_but_no_redirect_is_followed,
    an_address_no_longer_allowed_gets_nothing,
);

async fn internal_and_disguised_addresses_are_refused_and_nothing_is_stored(backend: Backend) {
    let receiver = FakeReceiver::start().await;
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let port = receiver
        .url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/hook");
    let refused = [
        // The hand-made rule took this for localhost; it goes to 127.0.0.1.
        format!("http://127.1:{port}\\@localhost/hook"),
        format!("http://localhost:{port}/hook"),
        format!("http://127.0.0.1:{port}/hook"),
        format!("https://user:password@127.0.0.1:{port}/hook"),
        "https://guichet@etat-civil.gov.ma/hook".to_owned(),
        "https://etat-civil.gov.ma@169.254.169.254/hook".to_owned(),
        "https://127.1/hook".to_owned(),
        "https://2130706433/hook".to_owned(),
        "https://0x7f.0.0.1/hook".to_owned(),
        "https://0177.0.0.1/hook".to_owned(),
        "https://0.0.0.0/hook".to_owned(),
        "https://[::]/hook".to_owned(),
        "https://[::1]/hook".to_owned(),
        "https://[::ffff:127.0.0.1]/hook".to_owned(),
        "https://[fe80::1]/hook".to_owned(),
        "https://[fd00::1]/hook".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://10.0.0.1/hook".to_owned(),
        "https://192.168.1.10/hook".to_owned(),
        "https://100.64.0.1/hook".to_owned(),
        "https://172.16.0.1/hook".to_owned(),
        "https://239.1.1.1/hook".to_owned(),
        "https://api.localhost/hook".to_owned(),
        "ftp://etat-civil.gov.ma/hook".to_owned(),
        "file:///etc/passwd".to_owned(),
        "http://etat-civil.gov.ma/hook".to_owned(),
    ];
    for url in &refused {
        let body = json!({"url": url, "events": ["appointment.booked"]});
        let answer = app.post("/api/v1/webhooks", Some(&admin), body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_url"),
            "{url}: {}",
            answer.body
        );
        let message = answer.body["error"]["message"].as_str().unwrap_or("");
        assert!(message.len() > 20, "{url}: a reason is given: {message}");
    }
    let why = |url: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let body = json!({"url": url, "events": ["appointment.booked"]});
            let answer = app.post("/api/v1/webhooks", Some(admin), body).await;
            answer.body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        }
    };
    assert!(why("https://169.254.169.254/").await.contains("link-local"));
    assert!(why("https://2130706433/").await.contains("loopback"));
    assert!(
        why("https://a:b@etat-civil.gov.ma/")
            .await
            .contains("password")
    );
    assert_eq!(app.count("webhooks").await, 0, "nothing stored");
    assert!(receiver.received().is_empty());

    // A public https address is still taken, as the parser reads it.
    let body = json!({"url": "HTTPS://Etat-Civil.gov.MA/hooks", "events": ["ticket.done"]});
    let answer = app.post("/api/v1/webhooks", Some(&admin), body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["url"], "https://etat-civil.gov.ma/hooks");
}

/// The webhook deliveries of the outbox, as the admin lists them.
async fn deliveries(office: &Office) -> Vec<Value> {
    let listed = office.app.get("/api/v1/outbox", Some(&office.admin)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let all = listed.body.as_array().expect("a list").clone();
    all.into_iter()
        .filter(|m| m["channel"] == "webhook")
        .collect()
}

/// Waits until a webhook delivery's `last_error` contains `text`.
async fn wait_error(office: &Office, text: &str) -> Value {
    let what = format!("a delivery failed with {text:?}");
    until_some(WITHIN, &what, async || {
        deliveries(office).await.into_iter().find(|m| {
            m["last_error"]
                .as_str()
                .is_some_and(|error| error.contains(text))
        })
    })
    .await
}

/// Waits until the webhook delivery has `attempts` attempts recorded and
/// waits for its next one.
async fn recorded_attempts(office: &Office, attempts: usize) {
    let what = format!("{attempts} attempts recorded");
    until_some(WITHIN, &what, async || {
        deliveries(office)
            .await
            .into_iter()
            .find(|m| m["attempts"].as_u64() == Some(attempts as u64) && m["status"] == "retrying")
    })
    .await;
}

async fn an_allowed_receiver_gets_deliveries_but_no_redirect_is_followed(backend: Backend) {
    let receiver = FakeReceiver::start().await;
    let elsewhere = FakeReceiver::start().await;
    // Allowed: GUICHET_WEBHOOK_ALLOW=127.0.0.1, where both receivers listen.
    let office = office_sending_through(backend, None).await;
    let (_, secret) = register(&office, &receiver.url, &["appointment.booked"]).await;
    receiver.redirect_to(&elsewhere.url);
    receiver.script(vec![302, 307]);
    let booked = office.book(TUESDAY_9, &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);

    let failed = wait_error(&office, "redirects are not followed").await;
    assert_eq!(failed["status"], "retrying", "{failed}");
    assert!(failed["last_error"].as_str().unwrap_or("").contains("302"));
    for attempts in [2, 3] {
        // The attempt before is recorded, its next try set from the clock
        // as it was, before the clock moves on an hour.
        recorded_attempts(&office, attempts - 1).await;
        office
            .time
            .set(office.time.now() + jiff::SignedDuration::from_secs(3600));
        holds_within(WITHIN, async || receiver.received().len() >= attempts).await;
    }
    let accepted = receiver.wait_for_accepted(1, WITHIN).await;
    assert_eq!(accepted.len(), 1, "{:?}", receiver.received());
    check_signature(&accepted[0], &secret);
    let answered: Vec<u16> = receiver.received().iter().map(|d| d.answered).collect();
    assert_eq!(answered, [302, 307, 200]);
    assert!(
        elsewhere.received().is_empty(),
        "the redirect's target got {:?}",
        elsewhere.received()
    );
}

async fn an_address_no_longer_allowed_gets_nothing(backend: Backend) {
    let receiver = FakeReceiver::start().await;
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    // Registered while the operator allowed this machine (127.0.0.1, which
    // `localhost` names)…
    let office = office_sending_through(backend, None).await;
    register(&office, &by_name, &["appointment.booked"]).await;
    register(&office, &receiver.url, &["appointment.booked"]).await;
    let Office {
        app,
        time,
        admin,
        agent,
        site,
    } = office;
    let database_url = app.database_url.clone();
    // Stopped, but kept: its database and files go when it is dropped.
    let stopped = app;
    stopped.stop();
    // …then restarted without the allowance.
    let (clock, time_now) = Clock::manual(MONDAY_MORNING.parse().expect("a timestamp"));
    time_now.set(time.now());
    let restarted = TestApp::builder()
        .join(&database_url)
        .clock(clock)
        .config(|config| {
            config.public_url = Some(PUBLIC_URL.into());
        })
        .spawn()
        .await;
    let office = Office {
        app: restarted,
        time: time_now,
        admin,
        agent,
        site,
    };
    let booked = office.book(TUESDAY_930, &phone(2)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let dead = until_some(WITHIN, "both deliveries refused", async || {
        let all = deliveries(&office).await;
        let refused: Vec<Value> = all
            .into_iter()
            .filter(|m| {
                m["last_error"]
                    .as_str()
                    .unwrap_or("")
                    .contains("address refused")
            })
            .collect();
        (refused.len() == 2).then_some(refused)
    })
    .await;
    for delivery in &dead {
        assert_eq!(delivery["status"], "dead", "no retry can help: {delivery}");
        let error = delivery["last_error"].as_str().unwrap_or("");
        assert!(error.contains("loopback"), "{delivery}");
    }
    assert!(receiver.received().is_empty(), "{:?}", receiver.received());
    drop(stopped);
}
