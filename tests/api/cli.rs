//! The command line as an operator uses it: `demo`, `user add`, `migrate`,
//! `tally`, `seed`.

use std::io::Write;
use std::process::{Command, Stdio};

fn guichet(database_url: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("guichet runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A server on the database, at the base URL returned, until the token is
/// cancelled.
async fn serve(url: &str) -> (String, tokio_util::sync::CancellationToken) {
    let server = guichet::startup::Server::build(
        &guichet::config::Config::local(url),
        guichet::clock::Clock::system(),
    )
    .await
    .unwrap();
    let base = format!("http://{}", server.addr());
    let shutdown = tokio_util::sync::CancellationToken::new();
    tokio::spawn(server.run(shutdown.clone()));
    (base, shutdown)
}

/// The JSON answer of a request.
async fn json(request: reqwest::RequestBuilder) -> serde_json::Value {
    let answer = request.send().await.expect("request sent");
    answer.json().await.expect("a JSON answer")
}

/// Logs in through the API; the session's token.
async fn login(client: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let credentials = serde_json::json!({"username": username, "password": password});
    let login = json(
        client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&credentials),
    )
    .await;
    login["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn demo_and_user_add_give_working_logins() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let (ok, out, err) = guichet(&url, &["migrate"], "");
    assert!(ok, "{err}");
    assert!(out.contains("migrated"));

    let (ok, out, err) = guichet(&url, &["demo"], "");
    assert!(ok, "{err}");
    let admin_password = out
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("admin")
                .map(|rest| rest.split_whitespace().last().unwrap().to_owned())
        })
        .expect("admin password printed");
    let (ok, again, _) = guichet(&url, &["demo"], "");
    assert!(
        ok && again.contains("already"),
        "seeding twice changes nothing: {again}"
    );

    let (ok, _, err) = guichet(
        &url,
        &[
            "user",
            "add",
            "fatima",
            "--role",
            "agent",
            "--site",
            "casa-anfa",
        ],
        "a-long-password\n",
    );
    assert!(ok, "{err}");
    let (ok, _, err) = guichet(
        &url,
        &[
            "user", "add", "ghost", "--role", "agent", "--site", "nowhere",
        ],
        "a-long-password\n",
    );
    assert!(!ok && err.contains("site"), "{err}");
    let (ok, _, err) = guichet(
        &url,
        &["user", "add", "short", "--role", "admin"],
        "short\n",
    );
    assert!(!ok && err.contains("password"), "{err}");
    let (ok, _, _) = guichet(
        &url,
        &["user", "add", "x", "--role", "root"],
        "a-long-password\n",
    );
    assert!(!ok);

    // The accounts work against a server on the same database.
    let (base, shutdown) = serve(&url).await;
    let client = reqwest::Client::new();
    for (user, password) in [
        ("admin", admin_password.as_str()),
        ("fatima", "a-long-password"),
    ] {
        let answer = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{user} logs in");
    }
    let site = json(client.get(format!("{base}/api/v1/sites/casa-anfa"))).await;
    assert_eq!(site["timezone"], "Africa/Casablanca");
    assert!(site["services"].as_array().unwrap().len() >= 6);

    // The account made at the console is in the audit log, under its site.
    let token = &login(&client, &base, "admin", &admin_password).await;
    let log = json(
        client
            .get(format!("{base}/api/v1/audit"))
            .bearer_auth(token),
    )
    .await;
    let added: Vec<&serde_json::Value> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "user add")
        .collect();
    assert_eq!(added.len(), 1, "one console entry: {log:#}");
    assert_eq!(added[0]["actor"], "console");
    assert_eq!(added[0]["target"], "user:fatima");
    assert_eq!(added[0]["site"], "casa-anfa");
    shutdown.cancel();
}

/// The sum of a tally's `{status: count}` object.
fn total(counts: &serde_json::Value) -> i64 {
    counts
        .as_object()
        .expect("counts by status")
        .values()
        .map(|n| n.as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn seed_writes_a_past_that_tally_counts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let (ok, _, err) = guichet(
        &url,
        &["user", "add", "root", "--role", "admin"],
        "a-long-password\n",
    );
    assert!(ok, "{err}");
    // A new office with two services, made through the API.
    let (base, shutdown) = serve(&url).await;
    let client = reqwest::Client::new();
    let token = &login(&client, &base, "root", "a-long-password").await;
    let day = serde_json::json!([["08:30", "16:30"]]);
    let site = serde_json::json!({"id": "past", "name": "Past", "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": day, "tue": day}});
    let made = client
        .post(format!("{base}/api/v1/sites"))
        .bearer_auth(token)
        .json(&site);
    assert!(made.send().await.unwrap().status().is_success());
    for (id, prefix) in [("residence", "A"), ("signature", "B")] {
        let service = serde_json::json!({"id": id, "prefix": prefix, "name": id});
        let made = client
            .post(format!("{base}/api/v1/sites/past/services"))
            .bearer_auth(token)
            .json(&service);
        assert!(made.send().await.unwrap().status().is_success());
    }
    shutdown.cancel();

    let tally = |args: &[&str]| -> serde_json::Value {
        let (ok, out, err) = guichet(&url, args, "");
        assert!(ok, "{err}");
        serde_json::from_str(&out).expect("one JSON object")
    };
    let before = tally(&["tally", "past"]);
    assert_eq!(before["site"], "past");
    assert_eq!(before["tickets"], serde_json::json!({}));
    assert!(before.get("references").is_none(), "{before}");

    let args = [
        "seed",
        "past",
        "--days",
        "3",
        "--tickets",
        "10",
        "--appointments",
        "2",
        "--requests",
        "2",
    ];
    let (ok, out, err) = guichet(&url, &args, "");
    assert!(ok, "{err}");
    let seeded: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(seeded["tickets"], 30);
    assert_eq!(seeded["appointments"], 6);
    assert!(seeded["first_day"].as_str().unwrap() < seeded["last_day"].as_str().unwrap());

    let after = tally(&["tally", "past", "--references"]);
    assert_eq!(total(&after["tickets"]), 30);
    assert_eq!(total(&after["appointments"]), 6);
    assert_eq!(after["references"].as_array().expect("references").len(), 6);

    let (ok, _, err) = guichet(&url, &["tally", "nowhere"], "");
    assert!(!ok && err.contains("site"), "{err}");
}
