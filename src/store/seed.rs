//! A generated past for one site (`guichet seed`), written straight into
//! the database in one transaction of large INSERTs, one per table and
//! day: tickets through their whole lifecycle, appointments, document
//! requests with their history, feedback and complaints, spread over the
//! given days. It is for trying the statistics at the scale of years; no
//! event, message or audit entry is made. A fixed seed draws it.

use super::{Db, StoreError, Tx, write};
use jiff::ToSpan;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub struct Plan {
    pub site: String,
    /// Each service's id and ticket prefix.
    pub services: Vec<(String, String)>,
    pub agents: usize,
    /// Each day, and the instant (Unix ms) its office opened, at 08:30.
    pub days: Vec<(Date, i64)>,
    pub tickets_per_day: usize,
    pub appointments_per_day: usize,
    pub requests_per_day: usize,
}

/// What was written, to check the statistics' totals against.
#[derive(Debug, Default, serde::Serialize)]
pub struct Written {
    pub tickets: usize,
    pub appointments: usize,
    pub requests: usize,
    pub feedback: usize,
    pub complaints: usize,
}

/// The rows of one table for one day, written as one INSERT statement.
struct Inserter {
    head: &'static str,
    rows: Vec<String>,
}

impl Inserter {
    fn new(head: &'static str) -> Self {
        Self {
            head,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: String) {
        self.rows.push(row);
    }

    async fn flush(&mut self, tx: &mut Tx) -> Result<(), super::StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("{} VALUES {}", self.head, self.rows.join(","));
        self.rows.clear();
        write!(tx, |c| sqlx::query(&sql).execute(c).await.map(|_| ()))?;
        Ok(())
    }
}

fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn opt(value: Option<i64>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |v| v.to_string())
}

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

/// Writes `plan` in one transaction, one INSERT per table and day.
pub async fn write(db: &Db, plan: &Plan) -> Result<Written, StoreError> {
    if plan.services.is_empty() {
        return Err(StoreError::NotFound("service"));
    }
    let mut rng = StdRng::seed_from_u64(8);
    let mut written = Written::default();
    let mut tx = db.begin().await?;
    let mut tickets = Inserter::new(
        "INSERT INTO tickets (id, site_id, service_id, origin_service_id, local_day, number, sequence, priority, source, status, counter_id, agent, recalls, close_reason, issued_at, called_at, serving_at, finished_at)",
    );
    let mut appointments = Inserter::new(
        "INSERT INTO appointments (id, site_id, service_id, mode, start_at, end_at, local_day, reference, manage_token_hash, status, created_at, updated_at, checked_in_at)",
    );
    let mut requests = Inserter::new(
        "INSERT INTO document_requests (id, site_id, service_id, reference, token_hash, status, expected_ready_on, created_at, updated_at)",
    );
    let mut history =
        Inserter::new("INSERT INTO request_history (request_id, step, status, at, actor)");
    let mut feedback = Inserter::new(
        "INSERT INTO feedback (token_hash, site_id, service_id, agent, rating, created_at, answered_at)",
    );
    let mut complaints = Inserter::new(
        "INSERT INTO complaints (id, site_id, reference, token_hash, subject, body, status, answer, answer_due_on, created_at, answered_at)",
    );
    let site = text(&plan.site);
    let working_minutes = 8 * 60;
    for (d, &(day, opening)) in plan.days.iter().enumerate() {
        let local_day = text(&day.to_string());
        let mut sequences = vec![0_i64; plan.services.len()];
        for i in 0..plan.tickets_per_day {
            let s = i % plan.services.len();
            sequences[s] += 1;
            let (service, prefix) = &plan.services[s];
            let service = text(service);
            let issued =
                opening + (i as i64 * working_minutes * MINUTE) / plan.tickets_per_day as i64;
            let agent = rng.random_range(0..plan.agents);
            let called = issued + rng.random_range(0..45 * MINUTE);
            let roll = rng.random_range(0..100);
            let (status, called, serving, finished, reason) = match roll {
                0..5 => ("cancelled", None, None, Some(issued + 10 * MINUTE), None),
                5..12 => (
                    "no_show",
                    Some(called),
                    None,
                    Some(called + 3 * MINUTE),
                    None,
                ),
                12..15 => ("done", Some(called), None, Some(called + 2 * MINUTE), None),
                _ => {
                    let start = called + 30_000;
                    let end = start + rng.random_range(3 * MINUTE..15 * MINUTE);
                    ("done", Some(called), Some(start), Some(end), None::<&str>)
                }
            };
            let agent_cell = if called.is_some() {
                text(&format!("{}-agent{agent}", plan.site))
            } else {
                "NULL".to_owned()
            };
            let counter = if called.is_some() {
                text(&format!("{}-g{agent}", plan.site))
            } else {
                "NULL".to_owned()
            };
            let row = format!(
                "({id}, {site}, {service}, {service}, {local_day}, {number}, {seq}, 'normal', 'kiosk', '{status}', {counter}, {agent_cell}, 0, {reason}, {issued}, {called}, {serving}, {finished})",
                id = text(&format!("t{d}-{i}")),
                number = text(&format!("{prefix}{:03}", sequences[s])),
                seq = sequences[s],
                reason = reason.map_or("NULL".to_owned(), text),
                called = opt(called),
                serving = opt(serving),
                finished = opt(finished),
            );
            tickets.push(row);
            written.tickets += 1;
            if i % 4 == 0 && status == "done" {
                let rating = (rng.random_range(0..3) > 0).then(|| rng.random_range(1..=5));
                let row = format!(
                    "({token}, {site}, {service}, {agent_cell}, {rating}, {at}, {answered})",
                    token = text(&format!("f{d}-{i}")),
                    rating = opt(rating),
                    at = finished.unwrap_or(issued),
                    answered = opt(rating.map(|_| finished.unwrap_or(issued) + 3_600_000)),
                );
                feedback.push(row);
                written.feedback += 1;
            }
        }
        for a in 0..plan.appointments_per_day {
            let service = text(&plan.services[a % plan.services.len()].0);
            let start =
                opening + (a as i64 * working_minutes * MINUTE) / plan.appointments_per_day as i64;
            let (status, checked_in) = match rng.random_range(0..10) {
                0 => ("no_show", None),
                1 => ("cancelled", None),
                _ => ("done", Some(start - 5 * MINUTE)),
            };
            let row = format!(
                "({id}, {site}, {service}, 'in_person', {start}, {end}, {local_day}, {reference}, 'x', '{status}', {created}, {created}, {checked})",
                id = text(&format!("a{d}-{a}")),
                end = start + 15 * MINUTE,
                reference = text(&format!("RDV{d}-{a}")),
                created = start - 7 * DAY,
                checked = opt(checked_in),
            );
            appointments.push(row);
            written.appointments += 1;
        }
        for r in 0..plan.requests_per_day {
            let service = text(&plan.services[r % plan.services.len()].0);
            let id = format!("r{d}-{r}");
            let created =
                opening + (r as i64 * working_minutes * MINUTE) / plan.requests_per_day as i64;
            let expected = day.saturating_add(2.days()).to_string();
            let rejected = rng.random_range(0..20) == 0;
            let mut steps = vec![("submitted", created)];
            if rejected {
                steps.push(("rejected", created + DAY));
            } else {
                let ready = created + DAY + rng.random_range(0..3 * DAY);
                steps.extend([
                    ("processing", created + DAY / 2),
                    ("ready", ready),
                    ("delivered", ready + DAY),
                ]);
            }
            let (status, updated) = steps[steps.len() - 1];
            let row = format!(
                "({id}, {site}, {service}, {reference}, 'x', '{status}', {expected}, {created}, {updated})",
                id = text(&id),
                reference = text(&format!("DEM{d}-{r}")),
                expected = text(&expected),
            );
            requests.push(row);
            for (step, (status, at)) in steps.iter().enumerate() {
                let row = format!("({}, {step}, '{status}', {at}, 'load')", text(&id));
                history.push(row);
            }
            written.requests += 1;
        }
        let created = opening + 60 * MINUTE;
        let due = day.saturating_add(60.days()).to_string();
        let answered =
            (rng.random_range(0..4) > 0).then(|| created + rng.random_range(1..80) * DAY);
        let row = format!(
            "({id}, {site}, {reference}, 'x', 'Attente', 'Trop long', '{status}', {answer}, {due}, {created}, {answered})",
            id = text(&format!("c{d}")),
            reference = text(&format!("REC{d}")),
            status = if answered.is_some() {
                "answered"
            } else {
                "received"
            },
            answer = if answered.is_some() {
                "'Merci'"
            } else {
                "NULL"
            },
            due = text(&due),
            answered = opt(answered),
        );
        complaints.push(row);
        written.complaints += 1;
        // In the order of the foreign keys: a request before its history.
        for inserter in [
            &mut tickets,
            &mut appointments,
            &mut requests,
            &mut history,
            &mut feedback,
            &mut complaints,
        ] {
            inserter.flush(&mut tx).await?;
        }
    }
    tx.commit().await?;
    if let Db::Postgres(pool) = db {
        // What autovacuum does soon after a bulk load.
        sqlx::query("VACUUM ANALYZE").execute(pool).await?;
    }
    Ok(written)
}
