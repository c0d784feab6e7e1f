//! Four weeks of an ordinary office's past for the demo: tickets served at
//! three counters, some no-shows and cancellations, some of them taken from
//! a phone (the remote queue), and document requests that became ready. The statistics, charts, monthly report and public
//! figures then have something to show on the first click.
//!
//! These are facts of the past, not actions of now, so they are written
//! straight through the store in one transaction, without events or
//! messages. A fixed seed draws them, so every demo shows the same office.

use super::super::sites::SiteContext;
use super::super::tickets::waiting;
use super::super::{App, AppError, AppResult};
use crate::domain::ticket::{Priority, Status};
use crate::secrets::{hash_token, new_id, new_token};
use crate::store::history::{self, REQUESTS, StepRow};
use crate::store::requests::RequestRow;
use crate::store::services::ServiceRow;
use crate::store::tickets::TicketRow;
use crate::store::{self, Tx};
use jiff::civil::{Date, Time};
use jiff::{Span, ToSpan};

/// How far back the demo's past goes.
const DAYS: i64 = 28;

/// Tickets that arrive in each half hour from 08:30, Monday to Friday: a
/// morning rush, a lull at lunch, a second wave before closing at 16:30.
const ARRIVALS: [u64; 16] = [12, 18, 20, 18, 15, 12, 9, 6, 6, 6, 8, 9, 9, 7, 5, 2];

/// Who worked where, and for which services, in the demo's past.
const DESKS: [(&str, &str, &[&str]); 3] = [
    ("guichet-1", "agent1", &["residence", "life", "single"]),
    ("guichet-2", "agent2", &["signature", "copies"]),
    (
        "guichet-3",
        "agent3",
        &["passport", "income", "residence", "signature"],
    ),
];

/// How often each service is asked for, out of 100.
const DEMAND: [(&str, u64); 7] = [
    ("residence", 30),
    ("signature", 28),
    ("copies", 14),
    ("life", 8),
    ("single", 6),
    ("income", 6),
    ("passport", 8),
];

const NAMES: [&str; 6] = [
    "Salma Bennani",
    "Youssef El Amrani",
    "Khadija Tazi",
    "Omar Chraibi",
    "Fatima Zahra Idrissi",
    "Hamza Alaoui",
];

/// The share of kiosk tickets, in percent, taken from a phone instead:
/// drawn from a sequence of their own, so the rest of the past is the same
/// with or without them.
const REMOTE_PERCENT: u64 = 15;

/// A small, fixed pseudo-random sequence (SplitMix64).
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Writes the past weeks of `site`. Returns the tickets written.
pub async fn seed(app: &App, site: &str) -> AppResult<usize> {
    let context = SiteContext::load(app, site).await?;
    let today = crate::domain::time::local_day(app.clock.now(), &context.zone);
    let mut draw = Draw(0x6775_6963_6865_7421);
    let mut phones = Draw(0x7265_6d6f_7465_2121);
    let mut tx = app.db.begin().await?;
    let mut written = 0;
    for back in (1..=DAYS).rev() {
        let day = today
            .checked_sub(back.days())
            .map_err(|e| AppError::Internal(e.into()))?;
        let weekend = matches!(day.weekday().to_monday_one_offset(), 6 | 7);
        if weekend || context.closures.contains(&day) {
            continue;
        }
        let draws = (&mut draw, &mut phones);
        written += day_of_tickets(&mut tx, &context, day, draws).await?;
        requests_of_day(&mut tx, &context, day, today, &mut draw).await?;
    }
    tx.commit().await?;
    Ok(written)
}

/// The instant of a local time on `day`, in milliseconds.
fn at(context: &SiteContext, day: Date, minutes: i64) -> AppResult<i64> {
    let time = Time::midnight()
        .checked_add(Span::new().minutes(minutes))
        .map_err(|e| AppError::Internal(e.into()))?;
    let zoned = day
        .to_datetime(time)
        .to_zoned(context.zone.clone())
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(zoned.timestamp().as_millisecond())
}

fn pick_service(draw: &mut Draw) -> &'static str {
    let mut roll = draw.below(100);
    for (service, share) in DEMAND {
        if roll < share {
            return service;
        }
        roll -= share;
    }
    "residence"
}

/// One day at the counters: each arrival goes to the desk for its service
/// that frees first, which is how a queue with call-next behaves.
async fn day_of_tickets(
    tx: &mut Tx,
    context: &SiteContext,
    day: Date,
    (draw, phones): (&mut Draw, &mut Draw),
) -> AppResult<usize> {
    let opening = at(context, day, 8 * 60 + 30)?;
    let mut free_at = [opening; DESKS.len()];
    let mut numbers: Vec<(&str, i64)> = Vec::new();
    // Days differ as in a real annex: Monday brings the weekend's
    // errands, Friday afternoon thins out, and no two days are alike.
    let weekday = match day.weekday().to_monday_one_offset() {
        1 => 125,
        5 => 85,
        _ => 100,
    };
    let percent = weekday * (85 + draw.below(31)) / 100;
    let mut arrivals = Vec::new();
    for (slot, count) in ARRIVALS.iter().enumerate() {
        for _ in 0..(count * percent + 50) / 100 {
            let offset = draw.below(30 * 60_000) as i64;
            arrivals.push((
                opening + slot as i64 * 30 * 60_000 + offset,
                pick_service(draw),
            ));
        }
    }
    arrivals.sort_unstable();
    let mut written = 0;
    for (issued_at, service_id) in arrivals {
        let Some(service) = context.services.iter().find(|s| s.id == service_id) else {
            continue;
        };
        let sequence = match numbers.iter_mut().find(|(s, _)| *s == service_id) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                numbers.push((service_id, 1));
                1
            }
        };
        let mut ticket = served_or_not(
            context,
            day,
            service,
            sequence,
            issued_at,
            &mut free_at,
            draw,
        );
        from_a_phone(context, &mut ticket, phones);
        store::tickets::insert(tx, &ticket).await?;
        written += 1;
    }
    Ok(written)
}

fn served_or_not(
    context: &SiteContext,
    day: Date,
    service: &ServiceRow,
    sequence: i64,
    issued_at: i64,
    free_at: &mut [i64; DESKS.len()],
    draw: &mut Draw,
) -> TicketRow {
    let priority = if draw.chance(8) {
        Priority::Priority
    } else {
        Priority::Normal
    };
    let source = if draw.chance(20) {
        "reception"
    } else {
        "kiosk"
    };
    let lang = if draw.chance(35) { "ar" } else { "fr" };
    let day = day.to_string();
    let mut ticket = TicketRow {
        lang: lang.to_owned(),
        status: Status::Done,
        ..waiting(
            &context.row.id,
            service,
            &day,
            sequence,
            issued_at,
            priority,
            source,
        )
    };
    if draw.chance(3) {
        ticket.status = Status::Cancelled;
        ticket.finished_at = Some(issued_at + (5 + draw.below(20) as i64) * 60_000);
        return ticket;
    }
    let desk = (0..DESKS.len())
        .filter(|d| DESKS[*d].2.contains(&service.id.as_str()))
        .min_by_key(|d| free_at[*d])
        .unwrap_or(0);
    let (counter, agent, _) = DESKS[desk];
    let called_at = free_at[desk].max(issued_at) + draw.below(40_000) as i64;
    ticket.counter_id = Some(counter.to_owned());
    ticket.agent = Some(agent.to_owned());
    ticket.called_at = Some(called_at);
    if draw.chance(5) {
        ticket.status = Status::NoShow;
        ticket.recalls = 2;
        ticket.last_recall_at = Some(called_at + 60_000);
        ticket.finished_at = Some(called_at + 2 * 60_000);
        free_at[desk] = called_at + 2 * 60_000;
        return ticket;
    }
    let serving_at = called_at + 20_000 + draw.below(60_000) as i64;
    // Between two thirds and one and a half times the usual time.
    let usual = service.service_minutes * 60_000;
    let took = usual * 2 / 3 + draw.below((usual * 5 / 6).max(1) as u64) as i64;
    ticket.serving_at = Some(serving_at);
    ticket.finished_at = Some(serving_at + took);
    free_at[desk] = serving_at + took + 15_000;
    ticket
}

/// Some kiosk tickets were taken from a phone: their holders checked in a
/// few minutes before their call, and half of those who did not answer it
/// never came at all (held aside at their turn, lapsed after the grace
/// period).
fn from_a_phone(context: &SiteContext, ticket: &mut TicketRow, phones: &mut Draw) {
    if ticket.source != "kiosk" || !phones.chance(REMOTE_PERCENT) {
        return;
    }
    ticket.source = "remote".to_owned();
    let Some(called_at) = ticket.called_at else {
        return;
    };
    if ticket.status == Status::NoShow && phones.chance(50) {
        let grace = context.row.remote_grace_minutes * 60_000;
        ticket.called_at = None;
        ticket.counter_id = None;
        ticket.agent = None;
        ticket.recalls = 0;
        ticket.last_recall_at = None;
        ticket.held_at = Some(called_at);
        ticket.finished_at = Some(called_at + grace);
        ticket.close_reason = Some("lapsed".to_owned());
        return;
    }
    let lobby = (2 + phones.below(11) as i64) * 60_000;
    ticket.present_at = Some(called_at - lobby.min((called_at - ticket.issued_at) / 2));
}

/// A few document requests a day for the services that deliver one, most
/// ready within their promised days, the oldest collected already.
async fn requests_of_day(
    tx: &mut Tx,
    context: &SiteContext,
    day: Date,
    today: Date,
    draw: &mut Draw,
) -> AppResult<()> {
    for service in context.services.iter().filter(|s| s.processing_days > 0) {
        for _ in 0..(1 + draw.below(3)) {
            let submitted = at(context, day, 9 * 60 + draw.below(7 * 60) as i64)?;
            let promised = context
                .hours
                .working_days_after(day, service.processing_days, &context.closures)
                .unwrap_or(day);
            // One in six is late by a day or two.
            let late = if draw.chance(16) {
                1 + draw.below(2)
            } else {
                0
            };
            let took = service.processing_days - draw.below(2) as i64 + late as i64;
            let ready_day = day
                .checked_add(took.max(1).days())
                .map_err(|e| AppError::Internal(e.into()))?;
            let mut steps = vec![
                ("submitted", submitted),
                ("processing", submitted + 3_600_000),
            ];
            if ready_day < today {
                steps.push(("ready", at(context, ready_day, 11 * 60)?));
                let collected = ready_day
                    .checked_add(2.days())
                    .map_err(|e| AppError::Internal(e.into()))?;
                if collected < today {
                    steps.push(("delivered", at(context, collected, 10 * 60)?));
                }
            }
            let (status, updated_at) = steps[steps.len() - 1];
            let row = RequestRow {
                id: new_id(),
                site_id: context.row.id.clone(),
                service_id: service.id.clone(),
                reference: format!("DR-{}", crate::secrets::human_code(6)),
                token_hash: hash_token(&new_token()),
                name: Some(NAMES[draw.below(NAMES.len() as u64) as usize].to_owned()),
                phone: None,
                email: None,
                lang: "fr".to_owned(),
                status: status.to_owned(),
                reason: None,
                expected_ready_on: promised.to_string(),
                created_at: submitted,
                updated_at,
                channel: "desk".to_owned(),
                ticket_id: None,
                personal_data_erased_at: None,
            };
            store::requests::insert(tx, &row).await?;
            for (status, at) in steps {
                let step = StepRow {
                    status: status.to_owned(),
                    at,
                    actor: (status != "submitted").then(|| "user:agent1".to_owned()),
                    note: None,
                };
                history::add(tx, REQUESTS, &row.id, &step).await?;
            }
        }
    }
    Ok(())
}
