//! What an operator's log collector receives holds no secret and no
//! personal data: the real binary, with JSON logs and SMS through a
//! Twilio-speaking fake and e-mail through a local SMTP receiver (the
//! `log` transports are for trying the service: they write messages to the
//! log on purpose), goes through a login, a phone code, a booking
//! with a name, phone and e-mail, a citizen's text and the messages that
//! follow; then its whole stderr is searched for every one of them.

use crate::fakes::smtp::FakeSmtp;
use crate::fakes::twilio::FakeTwilio;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const PASSWORD: &str = "Tr3s-secret-passw0rd";
const AUTH_TOKEN: &str = "twilio-auth-token-do-not-log";
const NAME: &str = "Zineb Bennani-Loggée";
const EMAIL: &str = "zineb.bennani@example.ma";
const PHONE: &str = "+212612345678";
/// Every way the phone could show up.
const PHONE_FORMS: [&str; 6] = [
    "+212612345678",
    "212612345678",
    "0612345678",
    "612345678",
    "06 12 34 56 78",
    "%2B212612345678",
];

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
        .env_remove("RUST_LOG");
    command
}

/// Starts `guichet serve` and waits for its "ready" line; the rest of its
/// stderr is gathered by a task that ends when the process does.
async fn serve(
    database_url: &str,
    addr: &str,
    twilio: &FakeTwilio,
    smtp: &FakeSmtp,
) -> (Child, tokio::task::JoinHandle<String>) {
    let mut command = Command::from(guichet(database_url));
    command
        .arg("serve")
        .env("GUICHET_ADDR", addr)
        .env("GUICHET_PUBLIC_URL", format!("http://{addr}"))
        .env("GUICHET_SMS", "twilio")
        .env("TWILIO_ACCOUNT_SID", "AC0123")
        .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        .env("TWILIO_FROM", "+212500000000")
        .env("TWILIO_API_BASE", &twilio.base)
        .env("SMTP_URL", &smtp.url)
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

async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn logs_hold_no_secret_and_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let mut add = guichet(&database_url)
        .args(["user", "add", "admin", "--role", "admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("guichet user add runs");
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let mut logs = String::from_utf8_lossy(&added.stderr).into_owned();

    let (twilio, smtp) = (FakeTwilio::start().await, FakeSmtp::start().await);
    let addr = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{addr}");
    let (mut child, rest) = serve(&database_url, &addr, &twilio, &smtp).await;
    let client = reqwest::Client::new();

    let (status, login) = post(
        &client,
        format!("{base}/api/v1/auth/login"),
        None,
        json!({"username": "admin", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let admin = login["token"].as_str().unwrap().to_owned();
    let open = json!([["00:00", "24:00"]]);
    let site = json!({"id": "fes-medina", "name": "Annexe Médina", "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": open, "tue": open, "wed": open, "thu": open, "fri": open,
        "sat": open, "sun": open}, "verify_phone": true});
    let (status, body) = post(&client, format!("{base}/api/v1/sites"), Some(&admin), site).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let service = json!({"id": "cin", "prefix": "C", "name": "CIN", "walk_in": true,
        "appointment_modes": ["in_person"], "slot_minutes": 30, "slot_capacity": 2,
        "service_minutes": 10, "min_notice_minutes": 0, "horizon_days": 30});
    let (status, body) = post(
        &client,
        format!("{base}/api/v1/sites/fes-medina/services"),
        Some(&admin),
        service,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, body) = post(
        &client,
        format!("{base}/api/v1/otp"),
        None,
        json!({"phone": PHONE}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let sent = twilio.wait_for_delivered(1, Duration::from_secs(10)).await;
    let otp = sent[0]
        .body
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .unwrap_or_else(|| panic!("no code in {}", sent[0].body))
        .to_owned();

    let slots: Value = client
        .get(format!("{base}/api/v1/sites/fes-medina/services/cin/slots"))
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
    let booking = json!({"service": "cin", "start": start, "name": NAME, "phone": PHONE,
        "email": EMAIL, "otp": otp});
    let (status, booked) = post(
        &client,
        format!("{base}/api/v1/sites/fes-medina/appointments"),
        None,
        booking,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let manage = booked["manage_token"].as_str().unwrap().to_owned();
    let reference = booked["reference"].as_str().unwrap().to_owned();

    let path = "/hooks/sms/inbound";
    let fields = [
        ("From", "+212612345678"),
        ("To", "+212500000000"),
        ("Body", &*format!("STATUT {reference}")),
    ];
    let params: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let signature =
        guichet::notify::signature::twilio_signature(AUTH_TOKEN, &format!("{base}{path}"), &params);
    let texted = client
        .post(format!("{base}{path}"))
        .header("X-Twilio-Signature", signature)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(texted.status(), StatusCode::OK);
    // The code, then the booking's confirmation, went out.
    twilio.wait_for_delivered(2, Duration::from_secs(10)).await;
    smtp.wait_for(1, Duration::from_secs(10)).await;

    let out = client
        .post(format!("{base}/api/v1/auth/logout"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let pid = child.id().expect("still running") as i32;
    // SIGTERM, as an orchestrator stops it.
    std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("stopped")
        .unwrap();
    logs.push_str(&rest.await.unwrap());

    assert!(
        logs.contains("guichet stopped"),
        "the whole log was read: {logs}"
    );
    let mut secrets = vec![
        PASSWORD, AUTH_TOKEN, NAME, "Zineb", "Bennani", EMAIL, &otp, &admin, &manage,
    ];
    secrets.extend(PHONE_FORMS);
    for secret in secrets {
        assert!(!logs.contains(secret), "the log holds {secret:?}:\n{logs}");
    }
}
