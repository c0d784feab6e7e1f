//! The offices of the `day` scenario: each with two walk-in services and
//! one by appointment, counters with an agent each, a kiosk and a display
//! device, and the appointments booked ahead on the real slots that fall
//! inside the run.

use crate::server;
use anyhow::Context;
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub const TIMEZONE: &str = "Africa/Casablanca";
/// The walk-in services: id, ticket prefix, mean service time (simulated
/// minutes), share of walk-ins.
pub const WALK_INS: [(&str, &str, f64, u32); 2] =
    [("residence", "A", 4.0, 3), ("legalisation", "B", 3.0, 2)];
/// The service by appointment, and its mean service time.
pub const BY_APPOINTMENT: (&str, &str, f64) = ("passeport", "P", 8.0);
/// Real minutes per slot (the smallest the service allows) and places in each.
const SLOT_MINUTES: i64 = 5;
const SLOT_CAPACITY: i64 = 30;
/// Counters serving the appointments (and residence between them).
pub const APPOINTMENT_COUNTERS: usize = 2;

/// A counter and the session of the agent who works at it.
pub struct Counter {
    pub id: String,
    pub token: String,
}

/// An appointment booked ahead: its reference and the real instant of its start.
pub struct Appointment {
    pub reference: String,
    pub start: Instant,
}

pub struct Office {
    pub id: String,
    pub kiosk: String,
    pub display: String,
    pub counters: Vec<Counter>,
    pub appointments: Vec<Appointment>,
}

/// Offices set up, and booked, at once: the admin's requests, the agents'
/// accounts (`guichet user add`) and logins overlap this many offices.
const AT_ONCE: usize = 6;

/// Creates `sites` offices open around the clock (the compressed day runs
/// at whatever time it is), with `counters` counters each, not yet open.
pub async fn create_offices(
    url: &str,
    (binary, database_url): (&str, &str),
    sites: usize,
    counters: usize,
) -> anyhow::Result<Vec<Office>> {
    let client = reqwest::Client::new();
    let admin = server::login(&client, url, "load-admin").await?;
    let creating = (0..sites).map(|s| {
        let (client, admin) = (&client, &admin);
        async move { create_office(client, url, admin, (binary, database_url), s, counters).await }
    });
    stream::iter(creating)
        .buffered(AT_ONCE)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

async fn create_office(
    client: &reqwest::Client,
    url: &str,
    admin: &str,
    (binary, database_url): (&str, &str),
    s: usize,
    counters: usize,
) -> anyhow::Result<Office> {
    let always = json!([["00:00", "24:00"]]);
    let hours: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| ((*d).to_owned(), always.clone()))
        .collect();
    let id = format!("day-{s}");
    let site = json!({"id": id, "name": format!("Annexe {s}"), "timezone": TIMEZONE,
        "opening_hours": hours, "verify_phone": false});
    server::post(client, url, admin, "/api/v1/sites", site).await?;
    let services = format!("/api/v1/sites/{id}/services");
    for (service, prefix, minutes, _) in WALK_INS {
        let body = json!({"id": service, "prefix": prefix, "name": service,
            "service_minutes": minutes as i64});
        server::post(client, url, admin, &services, body).await?;
    }
    let (service, prefix, minutes) = BY_APPOINTMENT;
    let body = json!({"id": service, "prefix": prefix, "name": service, "walk_in": false,
        "appointment_modes": ["in_person"], "slot_minutes": SLOT_MINUTES,
        "slot_capacity": SLOT_CAPACITY, "service_minutes": minutes as i64,
        "min_notice_minutes": 0});
    server::post(client, url, admin, &services, body).await?;
    let devices = &format!("/api/v1/sites/{id}/devices");
    let device = |kind: &'static str, label: &'static str| async move {
        let body = json!({"kind": kind, "label": label});
        let made = server::post(client, url, admin, devices, body).await?;
        anyhow::Ok(made["token"].as_str().unwrap_or_default().to_owned())
    };
    let kiosk = device("kiosk", "Borne").await?;
    let display = device("display", "Écran").await?;
    let mut office = Office {
        id: id.clone(),
        kiosk,
        display,
        counters: Vec::new(),
        appointments: Vec::new(),
    };
    for c in 0..counters {
        let counter = format!("{id}-g{c}");
        let services: Vec<&'static str> = if c < APPOINTMENT_COUNTERS {
            vec![BY_APPOINTMENT.0, WALK_INS[0].0]
        } else {
            WALK_INS.iter().map(|w| w.0).collect()
        };
        let body =
            json!({"id": counter, "label": format!("Guichet {}", c + 1), "services": services});
        let path = format!("/api/v1/sites/{id}/counters");
        server::post(client, url, admin, &path, body).await?;
        let agent = format!("{id}-agent{c}");
        server::add_user(binary, database_url, &agent, "agent", Some(&id)).await?;
        let token = server::login(client, url, &agent).await?;
        office.counters.push(Counter { id: counter, token });
    }
    Ok(office)
}

/// Books up to `per_site` appointments at each office, spread over the
/// slots that start between `from` and `to`, each with its own phone.
pub async fn book(
    url: &str,
    offices: &mut [Office],
    per_site: usize,
    from: Instant,
    to: Instant,
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let booking = offices.iter_mut().enumerate().map(|(s, office)| {
        let client = &client;
        async move { book_office(client, url, s, office, per_site, (from, to)).await }
    });
    stream::iter(booking)
        .buffer_unordered(AT_ONCE)
        .collect::<Vec<anyhow::Result<()>>>()
        .await
        .into_iter()
        .collect()
}

async fn book_office(
    client: &reqwest::Client,
    url: &str,
    s: usize,
    office: &mut Office,
    per_site: usize,
    (from, to): (Instant, Instant),
) -> anyhow::Result<()> {
    let today = server::local_today(TIMEZONE)?;
    let tomorrow = today.tomorrow()?;
    let service = BY_APPOINTMENT.0;
    let path = format!(
        "{url}/api/v1/sites/{}/services/{service}/slots?from={today}&to={tomorrow}&mode=in_person",
        office.id
    );
    let answer: Value = client
        .get(&path)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let slots: Vec<(String, Instant)> = answer["slots"]
        .as_array()
        .context("no `slots` in the slot list")?
        .iter()
        .filter_map(|slot| slot["start"].as_str())
        .filter_map(|start| Some((start.to_owned(), instant_of(start)?)))
        .filter(|(_, at)| *at >= from && *at <= to)
        .collect();
    if slots.is_empty() {
        return Ok(());
    }
    for n in 0..per_site.min(slots.len() * SLOT_CAPACITY as usize) {
        let (start, at) = &slots[n % slots.len()];
        let body = json!({"service": service, "mode": "in_person", "start": start,
            "name": format!("Citoyen {s}-{n}"), "phone": format!("+2126{:04}{:04}", s % 10_000, n)});
        let path = format!("/api/v1/sites/{}/appointments", office.id);
        let booked: Value = client
            .post(format!("{url}{path}"))
            .header(
                "X-Forwarded-For",
                crate::server::citizen_address((s as u64) << 16 | n as u64),
            )
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        office.appointments.push(Appointment {
            reference: booked["reference"].as_str().unwrap_or_default().to_owned(),
            start: *at,
        });
    }
    Ok(())
}

/// The real instant of an RFC 3339 time, from the clock now.
fn instant_of(time: &str) -> Option<Instant> {
    let at: jiff::Timestamp = time.parse().ok()?;
    let ahead_ms = at.as_millisecond() - jiff::Timestamp::now().as_millisecond();
    let now = Instant::now();
    if ahead_ms >= 0 {
        Some(now + Duration::from_millis(ahead_ms as u64))
    } else {
        now.checked_sub(Duration::from_millis(ahead_ms.unsigned_abs()))
    }
}
