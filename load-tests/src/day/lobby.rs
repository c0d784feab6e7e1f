//! The public side of an office through the day: walk-ins taking tickets
//! at the kiosk (a few of them then following their ticket on their
//! phone), appointments checking in at their time at the same kiosk, one
//! citizen after the other, and the public queue
//! and statistics read now and then.

use super::plan::{Arrival, OPENS};
use super::requests::Answer;
use super::setup::{Appointment, WALK_INS};
use super::sockets::{self, Follower};
use super::state::Run;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::{Duration, Instant};
use tokio::time::sleep_until;

/// Booked citizens who never come.
const MISSED: f64 = 0.05;
/// How early a booked citizen checks in, at most (simulated minutes).
const EARLY: f64 = 20.0;

/// What the kiosk leaves behind: the citizens following their ticket.
pub struct Kiosk {
    pub followers: Vec<(Arc<Follower>, tokio::task::JoinHandle<()>)>,
}

/// Who comes to the kiosk, and when.
enum Visit {
    WalkIn(usize, Arrival),
    CheckIn(String),
}

/// Issues the walk-ins' tickets at their times and checks the appointments
/// in, one citizen at a time as at a real kiosk, then tells the counters
/// nobody else will come. `followers` of the walk-ins, spread over the
/// day, follow their ticket on `host`.
#[allow(clippy::too_many_arguments)]
pub async fn kiosk(
    run: Arc<Run>,
    site: usize,
    token: String,
    arrivals: Vec<Arrival>,
    appointments: Vec<Appointment>,
    followers: usize,
    host: SocketAddr,
    seed: u64,
) -> Kiosk {
    let mut rng = StdRng::seed_from_u64(seed);
    let day = run.day;
    let office = &run.sites[site];
    let every = (arrivals.len() / followers.max(1)).max(1);
    let mut visits: Vec<(Instant, Visit)> = arrivals
        .iter()
        .enumerate()
        .map(|(n, arrival)| (day.at(arrival.minute), Visit::WalkIn(n, *arrival)))
        .collect();
    for appointment in appointments {
        if rng.random_bool(MISSED) {
            continue;
        }
        let early = day.span(rng.random_range(0.0..EARLY));
        let at = appointment
            .start
            .checked_sub(early)
            .unwrap_or(day.start)
            .max(day.start);
        visits.push((at, Visit::CheckIn(appointment.reference)));
    }
    visits.sort_by_key(|(at, _)| *at);
    let poll = day.span(10.0);
    let mut kiosk = Kiosk {
        followers: Vec::new(),
    };
    let path = format!("/api/v1/sites/{}/tickets", office.id);
    for (at, visit) in visits {
        sleep_until(at.into()).await;
        let (n, arrival) = match visit {
            Visit::CheckIn(reference) => {
                let path = format!("/api/v1/appointments/{reference}/check-in");
                let answer =
                    run.requests
                        .post("appointment.check-in", &path, &token, json!({}), &[]);
                if let Answer::Ok(_) = answer.await {
                    office.checked_in.fetch_add(1, Relaxed);
                }
                continue;
            }
            Visit::WalkIn(n, arrival) => (n, arrival),
        };
        let priority = if arrival.priority {
            "priority"
        } else {
            "normal"
        };
        let body = json!({"service": WALK_INS[arrival.service].0, "priority": priority});
        let Answer::Ok(ticket) = run
            .requests
            .post("ticket.issue", &path, &token, body, &[])
            .await
        else {
            continue;
        };
        office.issued.fetch_add(1, Relaxed);
        if n % every == every / 2
            && kiosk.followers.len() < followers
            && let Some(id) = ticket["id"].as_str()
        {
            let follower = Arc::new(Follower::new(host, id.to_owned()));
            let task = tokio::spawn(sockets::follow(run.clone(), follower.clone(), poll));
            kiosk.followers.push((follower, task));
        }
    }
    office.arrivals_done.store(true, SeqCst);
    kiosk
}

/// Reads the office's public queue every 15 simulated minutes and its
/// public statistics every hour, from opening until `stop`.
pub async fn poll(run: Arc<Run>, site: usize, mut stop: tokio::sync::watch::Receiver<bool>) {
    let day = run.day;
    let id = &run.sites[site].id;
    let (queue, stats) = (
        format!("/api/v1/sites/{id}/queue"),
        format!("/api/v1/sites/{id}/public-stats"),
    );
    sleep_until(day.at(OPENS).into()).await;
    let mut every = tokio::time::interval(day.span(15.0).max(Duration::from_millis(100)));
    for n in 0u64.. {
        tokio::select! {
            _ = stop.changed() => return,
            _ = every.tick() => {}
        }
        run.requests.get("public.queue", &queue).await;
        if n.is_multiple_of(4) {
            run.requests.get("public.stats", &stats).await;
        }
    }
}
