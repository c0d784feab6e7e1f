//! The OpenAPI document as a client generator reads it: every path
//! parameter is in its path's template (and every template's name is a
//! path parameter), and a Python client generated from it by
//! `openapi-python-client` drives the main flows: taking a ticket,
//! calling the next one, listing slots over a range, booking, a day's
//! appointments and the statistics of a range. A query parameter declared
//! in the wrong place makes the generator refuse the document or the call
//! ignore it, and the answers below show which range was read.
//!
//! The generated-client test is `#[ignore]`d like the browser tests, since
//! it needs the generator, which `tests/services.sh` installs in a venv
//! (`GUICHET_OPENAPI_CLIENT_VENV`).

use crate::support::office::{SERVICE, office, phone};
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

#[tokio::test]
async fn path_parameters_are_those_of_their_path() {
    let app = TestApp::builder().spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().expect("paths");
    let mut query_names = BTreeSet::new();
    for (path, item) in paths {
        let in_template: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect();
        for (method, operation) in item.as_object().expect("an item") {
            let parameters = operation["parameters"].as_array().cloned();
            let parameters = parameters.unwrap_or_default();
            let declared = |place: &str| -> BTreeSet<String> {
                let here = parameters.iter().filter(|p| p["in"] == place);
                here.map(|p| p["name"].as_str().expect("a name").to_owned())
                    .collect()
            };
            let in_path = declared("path");
            let as_text: BTreeSet<String> = in_template.iter().map(|n| n.to_string()).collect();
            assert_eq!(in_path, as_text, "{method} {path}: path parameters");
            for name in declared("query") {
                query_names.insert(format!("{method} {path} {name}"));
            }
        }
    }
    // The query parameters a client needs are declared as such.
    for expected in [
        "get /api/v1/sites/{site}/stats from",
        "get /api/v1/sites/{site}/stats to",
        "get /api/v1/sites/{site}/stats format",
        "get /api/v1/sites/{site}/services/{service}/slots from",
        "get /api/v1/sites/{site}/services/{service}/slots to",
        "get /api/v1/sites/{site}/services/{service}/slots mode",
        "get /api/v1/sites/{site}/appointments date",
        "get /api/v1/sites/{site}/requests status",
        "get /api/v1/sites/{site}/complaints status",
        "get /api/v1/outbox status",
    ] {
        assert!(
            query_names.contains(expected),
            "{expected} not a query parameter"
        );
    }
}

/// The venv `tests/services.sh` installs the generator in.
fn client_venv() -> PathBuf {
    if let Some(venv) = std::env::var_os("GUICHET_OPENAPI_CLIENT_VENV") {
        return venv.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("test-tools/openapi-client")
}

#[tokio::test]
#[ignore = "needs openapi-python-client (tests/services.sh)"]
async fn a_generated_client_drives_the_main_flows() {
    // Monday 23 November 2026, 09:00 in Casablanca (UTC+0): the office is
    // open; Wednesday is asked for, which no default range starts with.
    let office = office(
        Backend::Sqlite,
        "2026-11-23T09:00:00Z",
        "Africa/Casablanca",
        2,
        false,
    )
    .await;
    let wednesday = "2026-11-25";
    let (stats_from, stats_to) = ("2026-11-02", "2026-11-20");
    let python = client_venv().join("bin/python");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openapi_client/flows.py");
    let base = office.app.base.clone();
    let (admin, agent, site) = (
        office.admin.clone(),
        office.agent.clone(),
        office.site.clone(),
    );
    let run = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(script)
            .env("GUICHET_BASE", base)
            .env("GUICHET_ADMIN", admin)
            .env("GUICHET_AGENT", agent)
            .env("GUICHET_SITE", site)
            .env("GUICHET_SERVICE", SERVICE)
            .env("GUICHET_COUNTER", "agdal-g1")
            .env("GUICHET_PHONE", phone(1))
            .env("GUICHET_DAY", wednesday)
            .env("GUICHET_STATS_FROM", stats_from)
            .env("GUICHET_STATS_TO", stats_to)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{} ran (tests/services.sh installs it): {e}",
                    python.display()
                )
            })
    })
    .await
    .expect("the client ran");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "the generated client failed:\n{stderr}"
    );
    let out: Value = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&run.stdout)));

    let status = |call: &str| out[call]["status"].as_u64().unwrap_or(0);
    assert_eq!(status("ticket"), 201, "{}", out["ticket"]);
    assert_eq!(status("called"), 200, "{}", out["called"]);
    let ticket = &out["ticket"]["body"];
    assert_eq!(out["called"]["body"]["id"], ticket["id"], "{out}");
    assert_eq!(out["called"]["body"]["status"], "called", "{out}");

    assert_eq!(status("slots"), 200, "{}", out["slots"]);
    let slots = out["slots"]["body"]["slots"].as_array().expect("slots");
    assert_eq!(slots.len(), 16, "08:00 to 16:00 in 30 minutes: {slots:?}");
    for slot in slots {
        let start = slot["start"].as_str().expect("a start");
        assert!(
            start.starts_with(wednesday),
            "{start} is not on {wednesday}"
        );
    }

    assert_eq!(status("booked"), 201, "{}", out["booked"]);
    let booked = &out["booked"]["body"];
    assert_eq!(booked["start"], slots[0]["start"], "{booked}");
    let reference = booked["reference"].as_str().expect("a reference");
    assert_eq!(status("day"), 200, "{}", out["day"]);
    let listed = out["day"]["body"].as_array().expect("a list");
    let references: Vec<&Value> = listed.iter().map(|a| &a["reference"]).collect();
    assert_eq!(references, [reference], "Wednesday's appointments");

    assert_eq!(status("stats"), 200, "{}", out["stats"]);
    let stats = &out["stats"]["body"];
    assert_eq!(
        (&stats["from"], &stats["to"]),
        (&stats_from.into(), &stats_to.into())
    );
}
