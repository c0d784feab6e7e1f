//! The deployed topology, end to end: `deploy/local-cluster.sh` starts a
//! private PostgreSQL and Redis, two instances and nginx with the
//! repository's configuration; kiosks, counters and lobby screens then work
//! through nginx only, as in an office, while requests and sockets land on
//! both instances.

mod cluster;
mod display;

use cluster::Cluster;
use display::Display;
use guichet_test_support::Client;
use guichet_test_support::client::metric_sum;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const SITE: &str = "rabat-agdal";
const PASSWORD: &str = "a-long-password";
const KIOSKS: usize = 2;
const COUNTERS: usize = 3;
const TICKETS_PER_KIOSK: usize = 20;
const LOBBY_SCREENS: usize = 4;

#[tokio::test]
#[ignore = "needs nginx, PostgreSQL and Redis binaries"]
async fn an_office_runs_through_nginx_on_two_instances() {
    let cluster = Cluster::start();
    let api = Client::new(&cluster.public_url());
    // Each instance is on the shared PostgreSQL and Redis, not on defaults
    // of its own; nginx passes the probes through.
    for instance in cluster.instance_urls() {
        let ready = Client::new(&instance).get("/readyz", None).await;
        assert_eq!(ready.status.as_u16(), 200, "{instance}: {}", ready.body);
        assert_eq!(
            (ready.body["backend"].as_str(), ready.body["bus"].as_str()),
            (Some("postgres"), Some("redis")),
            "{instance}: {}",
            ready.body
        );
    }
    assert_eq!(api.get("/healthz", None).await.status.as_u16(), 200);

    cluster.add_user("admin", "admin", None, PASSWORD);
    let admin = api.login("admin", PASSWORD).await;
    set_up_office(&api, &admin).await;
    let mut agents = Vec::new();
    for i in 1..=COUNTERS {
        let name = format!("agent{i}");
        cluster.add_user(&name, "agent", Some(SITE), PASSWORD);
        let agent = api.login(&name, PASSWORD).await;
        let counter = format!("g{i}");
        api.must(
            &format!("/api/v1/counters/{counter}/open"),
            &agent,
            json!({}),
            200,
        )
        .await;
        agents.push((counter, agent));
    }
    let devices = format!("/api/v1/sites/{SITE}/devices");
    let mut kiosks = Vec::new();
    for i in 1..=KIOSKS {
        let body = json!({"kind": "kiosk", "label": format!("Borne {i}")});
        let device = api.must(&devices, &admin, body, 201).await;
        kiosks.push(device["token"].as_str().expect("kiosk token").to_owned());
    }
    let display = api
        .must(
            &devices,
            &admin,
            json!({"kind": "display", "label": "Guichet 1"}),
            201,
        )
        .await;
    let display_token = display["token"].as_str().expect("display token");

    // The lobby TVs and a counter display, opened one after the other:
    // nginx spreads them over both instances.
    let mut screens = Vec::new();
    for _ in 0..LOBBY_SCREENS {
        screens.push(Display::open(&api.base, &format!("/ws/sites/{SITE}"), None).await);
    }
    screens.push(Display::open(&api.base, "/ws/counters/g1", Some(display_token)).await);
    for instance in cluster.instance_urls() {
        let metrics = Client::new(&instance).metrics().await;
        assert!(
            metric_sum(&metrics, "guichet_live_subscribers", &[]) >= 1.0,
            "{instance} follows some of the screens:\n{metrics}"
        );
    }

    // Kiosks issue while the counters call and complete, all at once.
    let kiosks_done = Arc::new(AtomicBool::new(false));
    let mut counters = Vec::new();
    for (counter, agent) in agents {
        counters.push(tokio::spawn(serve_counter(
            api.clone(),
            counter,
            agent,
            kiosks_done.clone(),
        )));
    }
    let mut issuing = Vec::new();
    for (k, kiosk) in kiosks.into_iter().enumerate() {
        issuing.push(tokio::spawn(issue_tickets(api.clone(), kiosk, k)));
    }
    let mut issued = Vec::new();
    for kiosk in issuing {
        issued.extend(kiosk.await.expect("kiosk task"));
    }
    kiosks_done.store(true, Ordering::SeqCst);
    let mut called = Vec::new();
    for counter in counters {
        called.extend(counter.await.expect("counter task"));
    }

    // Every ticket has its own number, and was called exactly once.
    let numbers: BTreeSet<&str> = issued.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        numbers.len(),
        KIOSKS * TICKETS_PER_KIOSK,
        "unique numbers: {issued:?}"
    );
    let mut called_sorted = called.clone();
    called_sorted.sort();
    let mut issued_sorted = issued.clone();
    issued_sorted.sort();
    assert_eq!(called_sorted, issued_sorted, "every ticket called once");

    // Every screen saw every event of the site, in order, with no gap, and
    // among them the call of every ticket.
    let queue = api.get(&format!("/api/v1/sites/{SITE}/queue"), None).await;
    let last = queue.body["seq"].as_i64().expect("queue seq");
    for screen in screens {
        let path = screen.path.clone();
        let seen = screen.received_until(last).await;
        assert_eq!(seen[0]["type"], "snapshot", "{path} starts with a snapshot");
        let mut seq = seen[0]["seq"].as_i64().expect("snapshot seq");
        let mut calls = BTreeSet::new();
        for event in &seen[1..] {
            assert_eq!(
                event["seq"].as_i64(),
                Some(seq + 1),
                "{path}: after {seq}, {event}"
            );
            seq += 1;
            if event["type"] == "ticket.called" {
                calls.insert(event["number"].as_str().expect("called number").to_owned());
            }
        }
        assert_eq!(seq, last, "{path} reached the end of the log");
        assert_eq!(
            calls,
            numbers.iter().map(|n| n.to_string()).collect(),
            "{path} saw every call"
        );
    }

    // Both instances did part of the work that came through nginx.
    for instance in cluster.instance_urls() {
        let metrics = Client::new(&instance).metrics().await;
        let name = "guichet_http_requests_total";
        let tickets = metric_sum(
            &metrics,
            name,
            &[r#"route="/api/v1/sites/{site}/tickets""#, r#"status="201""#],
        );
        let calls = metric_sum(
            &metrics,
            name,
            &[
                r#"route="/api/v1/counters/{counter}/call-next""#,
                r#"status="200""#,
            ],
        );
        assert!(
            tickets >= 1.0 && calls >= 1.0,
            "{instance} issued {tickets} tickets and made {calls} calls"
        );
    }

    // Lobby screens stay connected all day: nginx must not cut a socket
    // after its default 60 s without data, nor replay a POST on the other
    // instance.
    let config = cluster.nginx_config();
    let ws = config
        .split("location /ws/")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("a location for /ws/");
    let read_timeout =
        directive_seconds(ws, "proxy_read_timeout").expect("proxy_read_timeout in /ws/");
    assert!(
        read_timeout >= 600,
        "WebSocket read timeout {read_timeout}s"
    );
    assert!(
        ws.contains("proxy_buffering off"),
        "events are not buffered: {ws}"
    );
    let retries: Vec<&str> = config
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("proxy_next_upstream "))
        .collect();
    assert!(
        !retries.is_empty() && retries.iter().all(|line| !line.contains("non_idempotent")),
        "only idempotent requests go to the other instance: {retries:?}"
    );
}

/// The site open around the clock, two services, and the counters.
async fn set_up_office(api: &Client, admin: &str) {
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": SITE, "name": "Annexe Agdal", "timezone": "Africa/Casablanca", "opening_hours": hours});
    api.must("/api/v1/sites", admin, site, 201).await;
    for (id, prefix) in [("residence", "A"), ("signature", "B")] {
        let body = json!({"id": id, "prefix": prefix, "name": format!("Service {id}"), "service_minutes": 5});
        api.must(&format!("/api/v1/sites/{SITE}/services"), admin, body, 201)
            .await;
    }
    for i in 1..=COUNTERS {
        let body = json!({"id": format!("g{i}"), "label": format!("Guichet {i}"), "services": ["residence", "signature"]});
        api.must(&format!("/api/v1/sites/{SITE}/counters"), admin, body, 201)
            .await;
    }
}

/// One kiosk's tickets, alternating services; their numbers.
async fn issue_tickets(api: Client, kiosk: String, k: usize) -> Vec<String> {
    let mut numbers = Vec::new();
    for i in 0..TICKETS_PER_KIOSK {
        let service = if (i + k).is_multiple_of(2) {
            "residence"
        } else {
            "signature"
        };
        let ticket = api
            .must(
                &format!("/api/v1/sites/{SITE}/tickets"),
                &kiosk,
                json!({"service": service}),
                201,
            )
            .await;
        numbers.push(ticket["number"].as_str().expect("number").to_owned());
    }
    numbers
}

/// An agent calls and completes tickets until the kiosks are done and
/// nobody waits; the numbers called.
async fn serve_counter(
    api: Client,
    counter: String,
    agent: String,
    kiosks_done: Arc<AtomicBool>,
) -> Vec<String> {
    let mut called = Vec::new();
    loop {
        let done_before = kiosks_done.load(Ordering::SeqCst);
        let answer = api
            .post(
                &format!("/api/v1/counters/{counter}/call-next"),
                Some(&agent),
                json!({}),
            )
            .await;
        match answer.status.as_u16() {
            200 => {
                let id = answer.body["id"].as_str().expect("ticket id");
                called.push(answer.body["number"].as_str().expect("number").to_owned());
                api.must(
                    &format!("/api/v1/tickets/{id}/complete"),
                    &agent,
                    json!({}),
                    200,
                )
                .await;
            }
            204 if done_before => return called,
            // Nobody waits yet: the agent looks again shortly.
            204 => tokio::time::sleep(Duration::from_millis(20)).await,
            other => panic!("{counter} call-next: {other} {}", answer.body),
        }
    }
}

/// `directive 3600s;` in a block of `nginx -T` output, in seconds.
fn directive_seconds(block: &str, directive: &str) -> Option<u64> {
    block.lines().find_map(|line| {
        let value = line
            .trim()
            .strip_prefix(directive)?
            .trim()
            .trim_end_matches(';');
        match value.strip_suffix('s') {
            Some(seconds) => seconds.parse().ok(),
            None => value.strip_suffix('m')?.parse::<u64>().ok().map(|m| m * 60),
        }
    })
}
