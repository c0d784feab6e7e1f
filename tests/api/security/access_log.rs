//! The service's own request log names each request by its route's
//! pattern, never by the address the client sent: capability tokens in a
//! kiosk's `?device=`, a manage link's `?token=` or a feedback link's path
//! never reach it. The real binary runs with its request log on
//! (`RUST_LOG=tower_http=debug`) and JSON logs, SMS going to a
//! Twilio-speaking fake (the `log` transports write messages to the log on
//! purpose); its whole stderr is searched afterwards.

use crate::fakes::twilio::FakeTwilio;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const PASSWORD: &str = "Acc3ss-log-passw0rd";
const SITE: &str = "fes-jdid";
/// A feedback link's token, and a token-like query on a route nobody has.
const FEEDBACK_TOKEN: &str = "feedbackTokenNeverLogged0123456789abcdefgh";
const STRAY_TOKEN: &str = "strayTokenNeverLogged0123456789abcdefghijk";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn guichet(database_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"));
    command
        .env("DATABASE_URL", database_url)
        .env("GUICHET_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,tower_http=debug");
    command
}

/// Starts `guichet serve` and waits for its "ready" line; the rest of its
/// stderr is gathered by a task that ends when the process does.
async fn serve(
    database_url: &str,
    addr: &str,
    twilio: &FakeTwilio,
) -> (Child, tokio::task::JoinHandle<String>) {
    let mut command = Command::from(guichet(database_url));
    command
        .arg("serve")
        .env("GUICHET_ADDR", addr)
        .env("GUICHET_PUBLIC_URL", format!("http://{addr}"))
        .env("GUICHET_SMS", "twilio")
        .env("TWILIO_ACCOUNT_SID", "AC0123")
        .env("TWILIO_AUTH_TOKEN", "access-log-twilio-token")
        .env("TWILIO_FROM", "+212500000000")
        .env("TWILIO_API_BASE", &twilio.base)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("guichet serve runs");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = tokio::time::timeout(Duration::from_secs(30), stderr.read_line(&mut line))
            .await
            .expect("guichet ready within 30 s")
            .expect("stderr read");
        assert!(read > 0, "guichet stopped: {seen}");
        seen.push_str(&line);
        if line.contains("guichet ready") {
            break;
        }
    }
    let rest = tokio::spawn(async move {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest).await;
        seen + &rest
    });
    (child, rest)
}

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
    let addr = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{addr}");
    let (mut child, rest) = serve(&database_url, &addr, &twilio).await;
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

    let slots: Value = client
        .get(format!("{base}/api/v1/sites/{SITE}/services/cin/slots"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["available"].as_i64() > Some(0))
        .and_then(|s| s["start"].as_str())
        .expect("a free slot")
        .to_owned();
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

    let pid = child.id().expect("still running") as i32;
    std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("stopped")
        .unwrap();
    let logs = rest.await.unwrap();
    assert!(logs.contains("guichet stopped"), "the whole log: {logs}");

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
