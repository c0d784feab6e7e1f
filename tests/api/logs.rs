//! What an operator's log collector receives holds no secret and no
//! personal data, whichever way messages go: the real binary, with JSON
//! logs, goes through a login, phone codes, a booking with a name, phone
//! and e-mail (whose confirmation carries the manage link), a citizen's
//! text and the messages that follow; then its whole stderr is searched
//! for every one of them. Three setups: SMS and e-mail only to the log;
//! SMS through a Twilio-speaking fake (which refuses one number, writing
//! it in its error as Twilio does) with e-mail falling back to the log;
//! and Twilio with a local SMTP receiver. The start warnings say which
//! messages reach nobody.
//!
//! The helpers that run the binary are shared with the other tests that
//! read its output (`security::demo_messages`).

use crate::fakes::smtp::FakeSmtp;
use crate::fakes::twilio::{FakeTwilio, Reply};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const PASSWORD: &str = "Tr3s-secret-passw0rd";
const AUTH_TOKEN: &str = "twilio-auth-token-do-not-log";
const NAME: &str = "Zineb Bennani-Loggée";
const EMAIL: &str = "zineb.bennani@example.ma";
const PHONE: &str = "+212612345678";
const HOLDER_ID: &str = "ZB998877";
/// Every way the phone could show up.
const PHONE_FORMS: [&str; 6] = [
    "+212612345678",
    "212612345678",
    "0612345678",
    "612345678",
    "06 12 34 56 78",
    "%2B212612345678",
];
/// A number the SMS provider refuses, naming it in its error.
const REFUSED: &str = "+212698765432";
const REFUSED_FORMS: [&str; 4] = ["+212698765432", "212698765432", "0698765432", "698765432"];

/// The built binary on `database_url`, logging JSON, with none of the
/// developer's own message settings.
pub(crate) fn guichet(database_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"));
    command
        .env("DATABASE_URL", database_url)
        .env("GUICHET_LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .env_remove("GUICHET_SMS")
        .env_remove("SMTP_URL")
        .env_remove("REDIS_URL");
    command
}

/// The first start of `service` at `site` with a place left.
pub(crate) async fn free_start(
    client: &reqwest::Client,
    base: &str,
    site: &str,
    service: &str,
) -> String {
    let slots: Value = client
        .get(format!(
            "{base}/api/v1/sites/{site}/services/{service}/slots"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    slots["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .find(|s| s["available"].as_i64() > Some(0))
        .and_then(|s| s["start"].as_str())
        .expect("a free slot")
        .to_owned()
}

/// A running `guichet serve`: its standard output, and its whole stderr
/// once it has stopped.
pub(crate) struct Served {
    pub child: Child,
    pub stdout: BufReader<tokio::process::ChildStdout>,
    pub stderr: tokio::task::JoinHandle<String>,
    pub base: String,
}

/// Starts `guichet serve` with `args` and `envs` and waits for its
/// "ready" line; the rest of its stderr is gathered by a task that ends
/// when the process does.
pub(crate) async fn serve(database_url: &str, args: &[&str], envs: &[(&str, &str)]) -> Served {
    let addr = format!("127.0.0.1:{}", guichet_test_support::free_port());
    let base = format!("http://{addr}");
    let mut command = Command::from(guichet(database_url));
    command
        .arg("serve")
        .args(args)
        .env("GUICHET_ADDR", &addr)
        .env("GUICHET_PUBLIC_URL", &base)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("guichet serve runs");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = tokio::time::timeout(Duration::from_secs(60), stderr.read_line(&mut line))
            .await
            .expect("guichet ready within 60 s")
            .expect("stderr read");
        assert!(read > 0, "guichet stopped: {seen}");
        seen.push_str(&line);
        if line.contains("guichet ready") {
            break;
        }
    }
    let stderr = tokio::spawn(async move {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest).await;
        seen + &rest
    });
    Served {
        child,
        stdout,
        stderr,
        base,
    }
}

impl Served {
    /// Stops it with SIGTERM, as an orchestrator does, and gives its whole
    /// stderr.
    pub(crate) async fn stop(mut self) -> String {
        let pid = self.child.id().expect("still running");
        std::process::Command::new("kill")
            .arg(pid.to_string())
            .status()
            .unwrap();
        tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("stopped")
            .unwrap();
        let logs = self.stderr.await.unwrap();
        assert!(
            logs.contains("guichet stopped"),
            "the whole log was read: {logs}"
        );
        logs
    }
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

/// Where the service sends its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    /// No provider: SMS and e-mail only to the log.
    LogOnly,
    /// SMS through Twilio; no `SMTP_URL`, so e-mail to the log.
    Twilio,
    /// SMS through Twilio, e-mail over SMTP.
    TwilioAndSmtp,
}

#[tokio::test]
async fn no_secret_in_the_log_when_messages_only_go_to_the_log() {
    logs_hold_no_secret_and_no_personal_data(Setup::LogOnly).await;
}

#[tokio::test]
async fn no_secret_in_the_log_with_twilio_and_e_mail_to_the_log() {
    logs_hold_no_secret_and_no_personal_data(Setup::Twilio).await;
}

#[tokio::test]
async fn no_secret_in_the_log_with_twilio_and_smtp() {
    logs_hold_no_secret_and_no_personal_data(Setup::TwilioAndSmtp).await;
}

async fn logs_hold_no_secret_and_no_personal_data(setup: Setup) {
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
    let mut envs = Vec::new();
    if setup != Setup::LogOnly {
        envs.extend([
            ("GUICHET_SMS", "twilio"),
            ("TWILIO_ACCOUNT_SID", "AC0123"),
            ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
            ("TWILIO_FROM", "+212500000000"),
            ("TWILIO_API_BASE", &twilio.base),
        ]);
    }
    if setup == Setup::TwilioAndSmtp {
        envs.push(("SMTP_URL", &smtp.url));
    }
    let served = serve(&database_url, &[], &envs).await;
    let base = served.base.clone();
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

    let mut messages = 3;
    if setup != Setup::LogOnly {
        // A code to a number the provider refuses, naming it in its error.
        twilio.script(vec![Reply::InvalidNumber]);
        let (status, body) = post(
            &client,
            format!("{base}/api/v1/otp"),
            None,
            json!({"phone": REFUSED}),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        messages += 1;
        settled(&client, &base, &admin, 1).await;
        assert_eq!(twilio.received()[0].answered, 400);
    }

    let (status, body) = post(
        &client,
        format!("{base}/api/v1/otp"),
        None,
        json!({"phone": PHONE}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let otp = code_sent_to(&database_url, PHONE).await;

    let start = free_start(&client, &base, "fes-medina", "cin").await;
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
        ("From", PHONE),
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
    // Without a provider nothing can sign the citizen's text.
    let expected = match setup {
        Setup::LogOnly => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    };
    assert_eq!(texted.status(), expected);
    // The codes, the booking's SMS and its e-mail have all gone their way.
    settled(&client, &base, &admin, messages).await;
    let (sms, mails) = (twilio.delivered().len(), smtp.received().len());
    match setup {
        Setup::LogOnly => assert_eq!((sms, mails), (0, 0)),
        Setup::Twilio => assert_eq!((sms, mails), (2, 0)),
        Setup::TwilioAndSmtp => assert_eq!((sms, mails), (2, 1)),
    }

    // A partner's push, its holder's identifier and phone, and a forged one.
    let partner =
        json!({"id": "passeports", "name": "Bureau des passeports", "sites": ["fes-medina"]});
    let (status, registered) = post(
        &client,
        format!("{base}/api/v1/partners"),
        Some(&admin),
        partner,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let partner_secret = registered["secret"].as_str().unwrap().to_owned();
    let file = json!({"reference": "PA-77", "kind": "passport", "status": "processing",
        "label": {"fr": "Passeport", "ar": "جواز السفر"}, "version": 1,
        "holder_id": HOLDER_ID, "phone": PHONE});
    let body = serde_json::to_vec(&file).unwrap();
    let now = jiff::Timestamp::now().as_second();
    let pushes = [
        (partner_secret.as_str(), StatusCode::OK),
        ("gps_forged", StatusCode::UNAUTHORIZED),
    ];
    for (secret, expected) in pushes {
        let signature = guichet::notify::signature::webhook_signature(secret, now, &body);
        let pushed = client
            .post(format!("{base}/api/v1/partners/passeports/files"))
            .header("content-type", "application/json")
            .header("X-Guichet-Timestamp", now.to_string())
            .header("X-Guichet-Signature", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(pushed.status(), expected);
    }

    let out = client
        .post(format!("{base}/api/v1/auth/logout"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    logs.push_str(&served.stop().await);

    let mut secrets = vec![
        PASSWORD,
        AUTH_TOKEN,
        NAME,
        "Zineb",
        "Bennani",
        "zineb.bennani",
        EMAIL,
        &otp,
        &admin,
        &manage,
        "token=",
        &partner_secret,
        HOLDER_ID,
    ];
    secrets.extend(PHONE_FORMS);
    secrets.extend(REFUSED_FORMS);
    for secret in secrets {
        assert!(!logs.contains(secret), "the log holds {secret:?}:\n{logs}");
    }
    // What the log does say: which messages reach nobody, and to whom (masked).
    let sms_warning = logs.contains("SMS ARE NOT SENT") && logs.contains("GUICHET_SMS=twilio");
    let email_warning = logs.contains("E-MAILS ARE NOT SENT") && logs.contains("set SMTP_URL");
    match setup {
        Setup::LogOnly => assert!(sms_warning && email_warning, "{logs}"),
        Setup::Twilio => assert!(!sms_warning && email_warning, "{logs}"),
        Setup::TwilioAndSmtp => assert!(!sms_warning && !email_warning, "{logs}"),
    }
    if setup != Setup::TwilioAndSmtp {
        assert!(
            logs.contains("no provider for its channel") && logs.contains("z•••@example.ma"),
            "{logs}"
        );
    }
    if setup == Setup::LogOnly {
        assert!(logs.contains("+••••••••5678"), "{logs}");
    }
}

/// The code last sent to `phone`, as the outbox holds it.
async fn code_sent_to(database_url: &str, phone: &str) -> String {
    let db = guichet::store::Db::connect(database_url)
        .await
        .expect("the database opens");
    let sent = guichet::store::outbox::to_recipient(&db, phone)
        .await
        .expect("the outbox reads");
    db.close().await;
    let (_, body) = sent
        .iter()
        .find(|(template, _)| template == "otp")
        .expect("a code was queued");
    body.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .unwrap_or_else(|| panic!("no code in {body}"))
        .to_owned()
}

/// Waits until `count` messages are in the outbox, each sent or given up.
async fn settled(client: &reqwest::Client, base: &str, admin: &str, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows: Value = client
            .get(format!("{base}/api/v1/outbox"))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rows = rows.as_array().cloned().unwrap_or_default();
        let done = rows
            .iter()
            .filter(|m| m["status"] == "sent" || m["status"] == "dead")
            .count();
        if rows.len() >= count && done == rows.len() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "messages still waiting: {rows:?}"
        );
        // A poll, as `guichet_test_support::eventually` does, that says
        // which messages were still waiting when it gave up.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
