//! The service's own request log names each request by its route's
//! pattern, never by the address the client sent: capability tokens in a
//! kiosk's `?device=`, a manage link's `?token=` or a feedback link's path
//! never reach it. The real binary runs with its request log on
//! (`RUST_LOG=tower_http=debug`) and JSON logs, SMS going to a
//! Twilio-speaking fake; its whole stderr is searched afterwards.

use crate::fakes::twilio::FakeTwilio;
use crate::logs::{free_start, guichet, serve};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

const PASSWORD: &str = "Acc3ss-log-passw0rd";
const SITE: &str = "fes-jdid";
/// A feedback link's token, and a token-like query on a route nobody has.
const FEEDBACK_TOKEN: &str = "feedbackTokenNeverLogged0123456789abcdefgh";
const STRAY_TOKEN: &str = "strayTokenNeverLogged0123456789abcdefghijk";

async fn post(client: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn get(client: &reqwest::Client, url: String) -> StatusCode {
    client.get(url).send().await.expect("answer").status()
}

#[tokio::test]
async fn the_request_log_holds_no_capability_token() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("access.db").display());
    let mut add = guichet(&database_url)
        .args(["user", "add", "admin", "--role", "admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("guichet user add runs");
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());

    let twilio = FakeTwilio::start().await;
    let envs = [
        ("RUST_LOG", "info,tower_http=debug"),
        ("GUICHET_SMS", "twilio"),
        ("TWILIO_ACCOUNT_SID", "AC0123"),
        ("TWILIO_AUTH_TOKEN", "access-log-twilio-token"),
        ("TWILIO_FROM", "+212500000000"),
        ("TWILIO_API_BASE", &twilio.base),
    ];
    let served = serve(&database_url, &[], &envs).await;
    let base = served.base.clone();
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();

    let login = post(
        &client,
        format!("{base}/api/v1/auth/login"),
        None,
        json!({"username": "admin", "password": PASSWORD}),
    )
    .await;
    let admin = login["token"].as_str().unwrap().to_owned();
    let open = json!([["00:00", "24:00"]]);
    let site = json!({"id": SITE, "name": "Annexe Fès Jdid", "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": open, "tue": open, "wed": open, "thu": open, "fri": open,
        "sat": open, "sun": open}, "verify_phone": false});
    post(&client, format!("{base}/api/v1/sites"), Some(&admin), site).await;
    let service = json!({"id": "cin", "prefix": "C", "name": "CIN", "walk_in": true,
        "appointment_modes": ["in_person"], "slot_minutes": 30, "slot_capacity": 2,
        "service_minutes": 10, "min_notice_minutes": 0, "horizon_days": 30});
    let services = format!("{base}/api/v1/sites/{SITE}/services");
    post(&client, services, Some(&admin), service).await;
    let kiosk = json!({"kind": "kiosk", "label": "Entrée"});
    let devices = format!("{base}/api/v1/sites/{SITE}/devices");
    let device = post(&client, devices, Some(&admin), kiosk).await;
    let device = device["token"].as_str().unwrap().to_owned();

    // The kiosk's first start, from the link its browser was given.
    let adopted = get(&client, format!("{base}/kiosk/{SITE}?device={device}")).await;
    assert_eq!(adopted, StatusCode::SEE_OTHER);

    let start = free_start(&client, &base, SITE, "cin").await;
    let booking = json!({"service": "cin", "start": start, "name": "Said Alaoui",
        "phone": "+212611223344"});
    let appointments = format!("{base}/api/v1/sites/{SITE}/appointments");
    let booked = post(&client, appointments, None, booking).await;
    let manage = booked["manage_token"].as_str().unwrap().to_owned();
    let reference = booked["reference"].as_str().unwrap().to_owned();
    // The manage link of the confirmation, opened by the citizen.
    let page = format!("{base}/appointments/{reference}?token={manage}");
    assert_eq!(get(&client, page).await, StatusCode::OK);
    let feedback = get(&client, format!("{base}/feedback/{FEEDBACK_TOKEN}")).await;
    assert!(feedback.is_client_error(), "{feedback}");
    let stray = get(&client, format!("{base}/nothing/here?token={STRAY_TOKEN}")).await;
    assert_eq!(stray, StatusCode::NOT_FOUND);
    twilio.wait_for_delivered(1, Duration::from_secs(10)).await;

    let logs = served.stop().await;

    // The request log is on, and names the requests by their routes.
    for route in [
        "/kiosk/{site}",
        "/appointments/{reference}",
        "/feedback/{token}",
        "unmatched",
    ] {
        assert!(
            logs.contains(&format!(r#""route":"{route}""#)),
            "no request logged for {route}: {logs}"
        );
    }
    for secret in [&device, &manage, &admin, FEEDBACK_TOKEN, STRAY_TOKEN] {
        assert!(!logs.contains(secret), "the log holds {secret:?}:\n{logs}");
    }
}
