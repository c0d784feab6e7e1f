//! The database after a `day` run, read with `guichet tally` once the
//! servers have stopped, set against what the client counted: every ticket given (at the kiosk or by
//! a check-in) is stored, as many are done and no-shows as the counters
//! said, none is left waiting, called or serving, every appointment booked
//! is stored and those not checked in are still `booked`.

use super::state::Site;
use crate::server;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering::Relaxed;

/// Database and client figures over all sites, and the mismatches between them.
pub struct Tallies {
    pub summary: Value,
    pub mismatches: u64,
}

pub async fn check(
    (binary, database_url): (&str, &str),
    sites: &[Site],
) -> anyhow::Result<Tallies> {
    let mut tickets: BTreeMap<String, i64> = BTreeMap::new();
    let mut appointments: BTreeMap<String, i64> = BTreeMap::new();
    let mut mismatches = 0;
    let mut client = BTreeMap::<&str, u64>::new();
    for site in sites {
        let tally = server::tally(binary, database_url, &site.id, false).await?;
        let by_status = counts_of(&tally["tickets"]);
        let booked = counts_of(&tally["appointments"]);
        let count = |rows: &[(String, i64)], status: Option<&str>| -> u64 {
            rows.iter()
                .filter(|(s, _)| status.is_none_or(|status| s == status))
                .map(|(_, n)| *n as u64)
                .sum()
        };
        let given = site.issued.load(Relaxed) + site.checked_in.load(Relaxed);
        let pairs = [
            (count(&by_status, None), given),
            (
                count(&by_status, Some("done")),
                site.completed.load(Relaxed),
            ),
            (
                count(&by_status, Some("no_show")),
                site.no_shows.load(Relaxed),
            ),
            (count(&by_status, Some("waiting")), 0),
            (count(&by_status, Some("called")), 0),
            (count(&by_status, Some("serving")), 0),
            (count(&by_status, Some("cancelled")), 0),
            (count(&booked, None), site.booked.load(Relaxed)),
            // A checked-in appointment takes its ticket's outcome (done,
            // no-show); those still `booked` are the ones nobody came for.
            (
                count(&booked, Some("booked")),
                site.booked.load(Relaxed) - site.checked_in.load(Relaxed),
            ),
        ];
        mismatches += pairs.iter().filter(|(db, client)| db != client).count() as u64;
        for (status, n) in &by_status {
            *tickets.entry(status.clone()).or_default() += n;
        }
        for (status, n) in &booked {
            *appointments.entry(status.clone()).or_default() += n;
        }
        for (name, n) in [
            ("tickets_given", given),
            ("walk_in_tickets", site.issued.load(Relaxed)),
            ("appointments_booked", site.booked.load(Relaxed)),
            ("appointments_checked_in", site.checked_in.load(Relaxed)),
            ("calls", site.called.load(Relaxed)),
            ("completed", site.completed.load(Relaxed)),
            ("no_shows", site.no_shows.load(Relaxed)),
            ("recalls", site.recalls.load(Relaxed)),
            ("transfers", site.transfers.load(Relaxed)),
        ] {
            *client.entry(name).or_default() += n;
        }
    }
    let db_total: i64 = tickets.values().sum();
    Ok(Tallies {
        summary: json!({
            "client": client,
            "db_tickets": db_total,
            "db_tickets_by_status": tickets,
            "db_appointments_by_status": appointments,
            "mismatches": mismatches,
        }),
        mismatches,
    })
}

/// A tally's `{status: count}` object as pairs.
fn counts_of(counts: &Value) -> Vec<(String, i64)> {
    counts
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, n)| (status.clone(), n.as_i64().unwrap_or(0)))
        .collect()
}
