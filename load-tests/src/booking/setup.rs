//! The office of the `booking` scenario, and the slots it offers.

use crate::report::{histogram, record};
use crate::server;
use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub const SITE: &str = "booking-0";
pub const SERVICE: &str = "passeport";
pub const TIMEZONE: &str = "Africa/Casablanca";
/// Places in each slot.
pub const CAPACITY: i64 = 3;
/// Days of slots the scenario books, from tomorrow.
const DAYS: u64 = 30;

/// Creates the office (phones not verified, open Monday to Saturday 08:00–16:00)
/// and its service of 15-minute slots of `CAPACITY` places, bookable from
/// now to 60 days ahead, in person or by video.
pub async fn create_office(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let admin = server::login(&client, url, "load-admin").await?;
    let day = json!([["08:00", "16:00"]]);
    let hours: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| ((*d).to_owned(), day.clone()))
        .collect();
    let site = json!({"id": SITE, "name": "Préfecture", "timezone": TIMEZONE,
        "opening_hours": hours, "verify_phone": false});
    server::post(&client, url, &admin, "/api/v1/sites", site).await?;
    let service = json!({"id": SERVICE, "prefix": "P", "name": "Passeport",
        "appointment_modes": ["in_person", "video"], "slot_minutes": 15,
        "slot_capacity": CAPACITY, "min_notice_minutes": 0, "horizon_days": 60});
    let path = format!("/api/v1/sites/{SITE}/services");
    server::post(&client, url, &admin, &path, service).await?;
    Ok(())
}

/// The starts of the in-person slots of the `DAYS` local days from
/// tomorrow, in time order and exactly as the API writes them.
pub async fn month_of_slots(url: &str) -> anyhow::Result<Vec<String>> {
    let answer: Value = reqwest::Client::new()
        .get(month_path(url)?)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let slots: Vec<String> = answer["slots"]
        .as_array()
        .context("no `slots` in the slot list")?
        .iter()
        .filter_map(|slot| slot["start"].as_str().map(str::to_owned))
        .collect();
    if slots.is_empty() {
        bail!("no slots in the month from tomorrow");
    }
    Ok(slots)
}

/// The slot list of the `DAYS` local days from tomorrow.
pub fn month_path(url: &str) -> anyhow::Result<String> {
    let from = server::local_today(TIMEZONE)?.tomorrow()?;
    let to = from.checked_add(Duration::from_secs(86_400 * (DAYS - 1)))?;
    Ok(format!(
        "{url}/api/v1/sites/{SITE}/services/{SERVICE}/slots?from={from}&to={to}&mode=in_person"
    ))
}

/// Reads the month's slot list `times` times, one after the other, and
/// returns the latencies: the cost of the list itself, on a month whose
/// slots all have bookings.
pub async fn time_month_lists(
    client: &reqwest::Client,
    url: &str,
    times: usize,
) -> anyhow::Result<Histogram<u64>> {
    let path = month_path(url)?;
    let mut latencies = histogram();
    for _ in 0..times {
        let started = Instant::now();
        let answer = client.get(&path).send().await?.error_for_status()?;
        answer.bytes().await?;
        record(&mut latencies, started.elapsed());
    }
    Ok(latencies)
}
