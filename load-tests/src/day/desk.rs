//! A counter through the day: its agent opens it at 08:30 (half the
//! counters pause for lunch), calls the next ticket, waits for the citizen
//! (who sometimes does not come: a recall, then a no-show or a late
//! arrival), serves for a randomized time, and completes the ticket or now
//! and then transfers it to the other walk-in service. The counter closes
//! once nobody is left and nobody may still come.

use super::plan::{self, CLOSES, LUNCH, OPENS};
use super::requests::Answer;
use super::setup::{BY_APPOINTMENT, Counter, WALK_INS};
use super::state::{Run, Site};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::Instant;
use tokio::time::{sleep, sleep_until};

/// Called citizens who are not at the counter at once.
const ABSENT: f64 = 0.06;
/// Tickets sent to the other walk-in service instead of completed.
const TRANSFERRED: f64 = 0.03;
/// No transfers after this time of day, so the last queue drains.
const TRANSFERS_UNTIL: f64 = 15.5 * 60.0;

pub async fn work(run: Arc<Run>, site: usize, counter: Counter, lunch: bool, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let day = run.day;
    let office = &run.sites[site];
    // Counters still working a whole day after closing give up.
    let give_up = day.at(CLOSES) + day.real;
    let path = |action: &str| format!("/api/v1/counters/{}/{action}", counter.id);
    let act = |kind: &'static str, action: &'static str| {
        let path = path(action);
        let run = run.clone();
        let token = counter.token.clone();
        async move { run.requests.post(kind, &path, &token, json!({}), &[]).await }
    };
    sleep_until(day.at(OPENS + rng.random_range(0.0..10.0)).into()).await;
    act("counter.open", "open").await;
    let mut lunch_taken = !lunch;
    while Instant::now() < give_up {
        if !lunch_taken && day.now() >= LUNCH.0 {
            lunch_taken = true;
            act("counter.pause", "pause").await;
            // Agents come back within the first minutes, not all at once.
            sleep_until(day.at(LUNCH.1 + rng.random_range(0.0..5.0)).into()).await;
            act("counter.open", "open").await;
        }
        let transfers = office.transfers.load(SeqCst);
        office.holding.fetch_add(1, SeqCst);
        run.watching.call_sent(site, &counter.id);
        let answer = run
            .requests
            .post(
                "call-next",
                &path("call-next"),
                &counter.token,
                json!({}),
                &[204],
            )
            .await;
        if let Answer::Ok(ticket) = answer {
            office.called.fetch_add(1, Relaxed);
            serve(&run, office, &counter.token, &ticket, &mut rng).await;
            office.holding.fetch_sub(1, SeqCst);
            continue;
        }
        office.holding.fetch_sub(1, SeqCst);
        let over = office.arrivals_done.load(SeqCst)
            && office.holding.load(SeqCst) == 0
            && office.transfers.load(SeqCst) == transfers;
        if over {
            break;
        }
        sleep(day.span(1.0)).await;
    }
    act("counter.close", "close").await;
}

/// The called ticket, from the call to its end at this counter.
async fn serve(run: &Run, office: &Site, token: &str, ticket: &Value, rng: &mut StdRng) {
    let Some(id) = ticket["id"].as_str() else {
        return;
    };
    let service = ticket["service"].as_str().unwrap_or_default();
    let day = run.day;
    let act = |kind: &'static str, action: &str, body: Value| {
        let path = format!("/api/v1/tickets/{id}/{action}");
        async move {
            matches!(
                run.requests.post(kind, &path, token, body, &[]).await,
                Answer::Ok(_)
            )
        }
    };
    if rng.random_bool(ABSENT) {
        sleep(day.span(2.0)).await;
        if !act("ticket.recall", "recall", json!({})).await {
            return;
        }
        office.recalls.fetch_add(1, Relaxed);
        sleep(day.span(2.0)).await;
        if rng.random_bool(0.5) {
            if act("ticket.no-show", "no-show", json!({})).await {
                office.no_shows.fetch_add(1, Relaxed);
            }
            return;
        }
    } else {
        sleep(day.span(rng.random_range(0.3..1.5))).await;
    }
    if !act("ticket.start", "start", json!({})).await {
        return;
    }
    let mean = WALK_INS
        .iter()
        .find(|w| w.0 == service)
        .map_or(BY_APPOINTMENT.2, |w| w.2);
    sleep(day.span(plan::service_minutes(rng, mean))).await;
    let other = WALK_INS.iter().map(|w| w.0).find(|s| *s != service);
    if let Some(other) = other
        && service != BY_APPOINTMENT.0
        && day.now() < TRANSFERS_UNTIL
        && rng.random_bool(TRANSFERRED)
    {
        if act("ticket.transfer", "transfer", json!({"service": other})).await {
            office.transfers.fetch_add(1, SeqCst);
        }
        return;
    }
    if act("ticket.complete", "complete", json!({})).await {
        office.completed.fetch_add(1, Relaxed);
    }
}
