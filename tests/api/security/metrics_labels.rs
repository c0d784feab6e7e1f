//! Nobody can grow `/metrics` from outside: made-up methods, random paths
//! and sites that do not exist, sent by the hundred without logging in,
//! add no series. Every label comes from a fixed set (methods outside the
//! standard ones are `other`, routes are patterns or `unmatched`) or from
//! the database.

use crate::support::sites::seed_site;
use futures::future::join_all;
use guichet_test_support::TestApp;
use reqwest::Method;
use std::collections::BTreeSet;

/// Rounds of the burst; each sends one request of every kind below.
const ROUNDS: usize = 80;
const KINDS: usize = 6;

/// A method nobody uses, different every time.
fn made_up_method() -> Method {
    let name = format!("X{:016X}", rand::random::<u64>());
    Method::from_bytes(name.as_bytes()).expect("a method token")
}

fn random_word() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// One request of every kind an attacker varies, all anonymous.
async fn round(base: &str, client: &reqwest::Client) {
    let word = random_word();
    let requests = [
        client.request(made_up_method(), format!("{base}/{word}/x")),
        client.request(made_up_method(), format!("{base}/healthz")),
        client.request(made_up_method(), format!("{base}/api/v1/sites/{word}")),
        client.get(format!("{base}/api/v1/{word}?q={word}")),
        client.get(format!("{base}/api/v1/sites/{word}/services/x/slots")),
        client.get(format!("{base}/kiosk/{word}")),
    ];
    assert_eq!(requests.len(), KINDS);
    for request in requests {
        let answer = request.send().await.expect("an answer");
        assert!(
            answer.status().is_client_error(),
            "{}: {}",
            answer.url(),
            answer.status()
        );
    }
}

/// The series of a scrape (each sample's name and labels, not its value)
/// and the scrape's size.
fn series(text: &str) -> (BTreeSet<String>, usize) {
    let keys = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            line.rsplit_once(' ')
                .map_or(line, |(key, _)| key)
                .to_owned()
        })
        .collect();
    (keys, text.len())
}

#[tokio::test]
async fn made_up_methods_and_paths_add_no_series() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let client = reqwest::Client::new();
    // Warm-up: every kind once, and a scrape (which counts itself).
    round(&app.base, &client).await;
    app.metrics().await;
    let (before, size_before) = series(&app.metrics().await);
    assert!(
        before
            .iter()
            .any(|key| key.contains(r#"method="other""#) && key.contains(r#"route="unmatched""#)),
        "made-up methods are counted as other: {before:#?}"
    );

    let bursts = (0..ROUNDS).map(|_| round(&app.base, &client));
    join_all(bursts).await;

    let text = app.metrics().await;
    let (after, size_after) = series(&text);
    let added: Vec<_> = after.difference(&before).collect();
    assert!(
        added.is_empty(),
        "{} requests added series: {added:#?}",
        ROUNDS * KINDS
    );
    // Only the counts' digits may grow (a sum's decimals at most).
    let slack = 24 * before.len();
    assert!(
        size_after <= size_before + slack,
        "/metrics went from {size_before} to {size_after} bytes"
    );
    let total = format!(
        r#"guichet_http_requests_total{{method="other",route="unmatched",status="404"}} {}"#,
        ROUNDS + 1
    );
    assert!(text.contains(&total), "{text}");
}
