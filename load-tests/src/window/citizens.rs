//! The citizens of `window`, in an open loop: each arrives at its planned
//! time, reads slot lists one after the other, then books one slot, all
//! from an address and with a phone of its own. A request is timed from
//! when it was meant to leave: the first list from the citizen's arrival,
//! each next request from the answer before it (a citizen sends it at
//! once), so a stall delays everything behind it and shows.

use super::plan::Plan;
use crate::report::{histogram, record};
use crate::server::citizen_address;
use bytes::Bytes;
use hdrhistogram::Histogram;
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// No request waits longer than this for its answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Unexpected answers described on stderr, at most.
const SHOWN_ERRORS: u64 = 5;

/// An office as the citizens see it.
pub struct Office {
    pub id: String,
    /// The query of its second list: the local days 15 to 30 from today.
    pub later: String,
}

pub struct Crowd {
    pub client: reqwest::Client,
    /// nginx's address.
    pub url: String,
    pub offices: Vec<Office>,
    /// Slot lists each citizen reads before booking.
    pub reads: usize,
    /// A citizen books at random among the first this many free slots it saw.
    pub choice: usize,
}

impl Crowd {
    pub fn client() -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .timeout(REQUEST_TIMEOUT)
            .build()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Booking,
}

/// One request's answer.
struct Sample {
    kind: Kind,
    intended: Instant,
    answered: Instant,
    outcome: Outcome,
}

enum Outcome {
    Answer {
        status: u16,
        code: Option<String>,
        /// The site and reference of a 201.
        booked: Option<(String, String)>,
    },
    Transport(String),
}

/// Every answer of the run, counted and timed.
#[derive(Default)]
pub struct Results {
    pub list_burst: Option<Histogram<u64>>,
    pub list_between: Option<Histogram<u64>>,
    pub booking_burst: Option<Histogram<u64>>,
    pub booking_between: Option<Histogram<u64>>,
    /// Statuses of the slot lists and of the bookings.
    pub list_statuses: BTreeMap<String, u64>,
    pub booking_statuses: BTreeMap<String, u64>,
    /// The references answered 201, by site.
    pub references: BTreeMap<String, Vec<String>>,
    /// Citizens whose lists showed no free slot, who booked nothing.
    pub saw_no_free_slot: u64,
    /// Answers neither 200 (list), 201 nor 409 `slot_full` (booking).
    pub unexpected: u64,
    pub server_errors: u64,
    pub transport_errors: u64,
    /// Transport errors by their innermost cause.
    pub transport_causes: BTreeMap<String, u64>,
    /// From the start to the last answer.
    pub elapsed: Duration,
}

impl Results {
    fn add(&mut self, plan: &Plan, start: Instant, sample: Sample) {
        let in_burst = plan.in_burst(sample.intended - start);
        let timed = match (sample.kind, in_burst) {
            (Kind::List, true) => &mut self.list_burst,
            (Kind::List, false) => &mut self.list_between,
            (Kind::Booking, true) => &mut self.booking_burst,
            (Kind::Booking, false) => &mut self.booking_between,
        };
        let latency = sample.answered - sample.intended;
        record(timed.get_or_insert_with(histogram), latency);
        let unexpected = match sample.outcome {
            Outcome::Transport(error) => {
                self.transport_errors += 1;
                *self.transport_causes.entry(error.clone()).or_default() += 1;
                Some(error)
            }
            Outcome::Answer {
                status,
                code,
                booked,
            } => {
                let statuses = match sample.kind {
                    Kind::List => &mut self.list_statuses,
                    Kind::Booking => &mut self.booking_statuses,
                };
                *statuses.entry(status.to_string()).or_default() += 1;
                if status >= 500 {
                    self.server_errors += 1;
                }
                match (sample.kind, status, booked, code.as_deref()) {
                    (Kind::List, 200, _, _) => None,
                    (Kind::Booking, 201, Some((site, reference)), _) => {
                        self.references.entry(site).or_default().push(reference);
                        None
                    }
                    (Kind::Booking, 409, _, Some("slot_full")) => None,
                    (_, _, _, code) => Some(format!("{status} {}", code.unwrap_or("(no code)"))),
                }
            }
        };
        if let Some(what) = unexpected {
            if self.unexpected < SHOWN_ERRORS {
                eprintln!("window: {what}");
            }
            self.unexpected += 1;
        }
    }
}

/// Lets every citizen of `plan` arrive on time and waits for the last answer.
pub async fn arrive(crowd: Arc<Crowd>, plan: &Plan) -> Results {
    let start = Instant::now();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let (done_sender, mut done) = tokio::sync::mpsc::unbounded_channel();
    let dispatch = {
        let arrivals = plan.arrivals.clone();
        async move {
            for (n, offset) in arrivals.into_iter().enumerate() {
                let arrival = start + offset;
                tokio::time::sleep_until(arrival.into()).await;
                let (crowd, sender, done) = (crowd.clone(), sender.clone(), done_sender.clone());
                tokio::spawn(async move {
                    let saw_free = citizen(&crowd, n as u64, arrival, &sender).await;
                    let _ = done.send(saw_free);
                });
            }
        }
    };
    tokio::spawn(dispatch);
    let mut results = Results::default();
    let mut last = start;
    while let Some(sample) = receiver.recv().await {
        last = last.max(sample.answered);
        results.add(plan, start, sample);
    }
    while let Some(saw_free) = done.recv().await {
        if !saw_free {
            results.saw_no_free_slot += 1;
        }
    }
    results.elapsed = last - start;
    results
}

/// Citizen `n`: its lists, then its booking. Returns whether it saw a free slot.
async fn citizen(
    crowd: &Crowd,
    n: u64,
    arrival: Instant,
    samples: &tokio::sync::mpsc::UnboundedSender<Sample>,
) -> bool {
    let (own, neighbour) = {
        let mut rng = rand::rng();
        let own = rng.random_range(0..crowd.offices.len());
        (own, (own + 1) % crowd.offices.len())
    };
    let mut intended = arrival;
    // The free slots of the citizen's own office, in the order listed.
    let mut free: Vec<String> = Vec::new();
    for k in 0..crowd.reads {
        let (office, query) = match k % 3 {
            0 => (&crowd.offices[own], ""),
            1 => (&crowd.offices[own], crowd.offices[own].later.as_str()),
            _ => (&crowd.offices[neighbour], ""),
        };
        let url = format!(
            "{}/api/v1/sites/{}/services/residence/slots?mode=in_person{query}",
            crowd.url, office.id
        );
        let request = crowd.client.get(url);
        let (outcome, body) = send(request, n).await;
        let answered = Instant::now();
        if office.id == crowd.offices[own].id && free.is_empty() {
            free = free_slots(&body, crowd.choice);
        }
        drop(body);
        let sample = Sample {
            kind: Kind::List,
            intended,
            answered,
            outcome,
        };
        let _ = samples.send(sample);
        intended = answered;
    }
    if free.is_empty() {
        return false;
    }
    let start = free[rand::rng().random_range(0..free.len())].clone();
    let site = crowd.offices[own].id.clone();
    let body = json!({"service": "residence", "mode": "in_person", "start": start,
        "name": format!("Citoyen {n}"), "phone": crate::booking::phone(n)});
    let url = format!("{}/api/v1/sites/{site}/appointments", crowd.url);
    let (outcome, _) = send(crowd.client.post(url).json(&body), n).await;
    let outcome = match outcome {
        Outcome::Answer {
            status,
            code,
            booked: Some((_, reference)),
        } => Outcome::Answer {
            status,
            code,
            booked: Some((site, reference)),
        },
        other => other,
    };
    let sample = Sample {
        kind: Kind::Booking,
        intended,
        answered: Instant::now(),
        outcome,
    };
    let _ = samples.send(sample);
    true
}

/// Sends a request from citizen `n`'s address; its outcome and body. The
/// body is read as JSON only where the outcome needs it (an error, a
/// booking): a slot list is parsed by `free_slots`, and only when the
/// citizen chooses from it, so that the generator's share of the 2 cores
/// stays small.
async fn send(request: reqwest::RequestBuilder, n: u64) -> (Outcome, Bytes) {
    let request = request.header("X-Forwarded-For", citizen_address(n));
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return (Outcome::Transport(cause(&error)), Bytes::new()),
    };
    let status = response.status().as_u16();
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(error) => return (Outcome::Transport(cause(&error)), Bytes::new()),
    };
    let small: Value = if status == 200 {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    let outcome = Outcome::Answer {
        status,
        code: small["error"]["code"].as_str().map(str::to_owned),
        booked: small["reference"]
            .as_str()
            .map(|r| (String::new(), r.to_owned())),
    };
    (outcome, bytes)
}

/// What a transport error came from: its innermost cause ("connection
/// reset by peer", "operation timed out"…), which reqwest's own message
/// leaves out.
fn cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = error;
    while let Some(source) = inner.source() {
        inner = source;
    }
    inner.to_string()
}

/// A slot list, as much of it as a citizen reads.
#[derive(Deserialize)]
struct List {
    slots: Vec<ListedSlot>,
}

#[derive(Deserialize)]
struct ListedSlot {
    start: String,
    available: i64,
}

/// The starts of the first `choice` slots with a place left in a slot list.
fn free_slots(list: &[u8], choice: usize) -> Vec<String> {
    let Ok(list) = serde_json::from_slice::<List>(list) else {
        return Vec::new();
    };
    list.slots
        .into_iter()
        .filter(|slot| slot.available > 0)
        .map(|slot| slot.start)
        .take(choice)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_slots_skip_full_ones_and_keep_the_order() {
        let list = json!({"slots": [
            {"start": "a", "end": "a2", "available": 0},
            {"start": "b", "end": "b2", "available": 2},
            {"start": "c", "end": "c2", "available": 1},
            {"start": "d", "end": "d2", "available": 2},
        ]});
        let list = serde_json::to_vec(&list).expect("json");
        assert_eq!(free_slots(&list, 2), ["b", "c"]);
        assert!(free_slots(b"null", 2).is_empty());
    }
}
