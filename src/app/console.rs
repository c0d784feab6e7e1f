//! What the agent console shows: the counters of a site to choose from,
//! and one counter's state, its current ticket (with the appointment it
//! came from) and the tickets waiting for its services, with their ids so
//! that the agent may call one out of order. Staff of the site only: this
//! names appointment holders, and no public page reads it.

use super::auth::Principal;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::role::Role;
use crate::store::{self, Conn, tickets::TicketRow};

/// A service as the console names it, in French and Arabic.
#[derive(Debug, Clone)]
pub struct ServiceRef {
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// Working days to prepare its document; 0 when served on the spot.
    pub processing_days: i64,
}

impl ServiceRef {
    /// The service's name in `lang` (`ar` or anything else for French).
    pub fn name_in(&self, lang: &str) -> &str {
        match (lang, &self.name_ar) {
            ("ar", Some(arabic)) => arabic,
            _ => &self.name,
        }
    }
}

/// One counter of the site, for the agent to choose where to work.
#[derive(Debug, Clone)]
pub struct CounterLine {
    pub id: String,
    pub label: String,
    /// `open`, `paused` or `closed`.
    pub state: String,
    pub agent: Option<String>,
    /// The number of the ticket called or served there.
    pub current: Option<String>,
}

/// A ticket waiting for one of the counter's services.
#[derive(Debug, Clone)]
pub struct WaitingTicket {
    pub id: String,
    pub number: String,
    pub service: String,
    /// `normal`, `priority` or `appointment` (a checked-in appointment).
    pub priority: String,
    /// Local `HH:MM` of its issue.
    pub since: String,
    pub waited_minutes: i64,
    /// Joined from a phone (web or SMS) rather than at the office.
    pub remote: bool,
    /// Whether its holder is at the office: always for tickets taken there;
    /// for a remote ticket, once checked in (only then may it be called).
    pub present: bool,
}

/// The appointment a checked-in ticket came from.
#[derive(Debug, Clone)]
pub struct AppointmentDetails {
    pub reference: String,
    pub name: Option<String>,
    /// `in_person` or `video`.
    pub mode: String,
    /// Local `HH:MM` of its start.
    pub start: String,
    pub persons: i64,
    pub video_url: Option<String>,
}

/// The ticket called or served at the counter.
#[derive(Debug, Clone)]
pub struct CurrentTicket {
    pub id: String,
    pub number: String,
    pub service: String,
    /// `called` or `serving`.
    pub status: String,
    pub priority: String,
    pub recalls: i64,
    pub called_at: Option<String>,
    pub appointment: Option<AppointmentDetails>,
}

/// Everything the console of one counter shows.
#[derive(Debug, Clone)]
pub struct ConsoleView {
    pub site: String,
    /// The site's last event before this was read: a live stream that
    /// starts there has nothing newer to show.
    pub seq: i64,
    pub counter: CounterLine,
    /// The counter's services, most preferred first.
    pub services: Vec<ServiceRef>,
    /// Every service of the site: where a ticket may be transferred.
    pub all_services: Vec<ServiceRef>,
    pub current: Option<CurrentTicket>,
    pub waiting: Vec<WaitingTicket>,
    /// Recalls the site asks for before a no-show.
    pub min_recalls: i64,
}

/// The service `id` among `services`, named in `lang`; the id itself if it
/// is none of them.
pub fn name_of<'a>(services: &'a [ServiceRef], id: &'a str, lang: &str) -> &'a str {
    services
        .iter()
        .find(|s| s.id == id)
        .map_or(id, |s| s.name_in(lang))
}

impl ConsoleView {
    /// A service of the site by id, named in `lang`.
    pub fn service_name<'a>(&'a self, id: &'a str, lang: &str) -> &'a str {
        name_of(&self.all_services, id, lang)
    }

    pub fn is_open(&self) -> bool {
        self.counter.state == "open"
    }

    /// The current ticket's status, if there is one.
    pub fn current_status(&self) -> &str {
        self.current.as_ref().map_or("", |t| t.status.as_str())
    }

    /// Recalls the current called ticket still needs before "absent" may
    /// be recorded; 0 when it may be, or when nothing is called.
    pub fn recalls_left(&self) -> i64 {
        match &self.current {
            Some(t) if t.status == "called" => (self.min_recalls - t.recalls).max(0),
            _ => 0,
        }
    }

    /// The services whose documents the current ticket's citizen may
    /// request from here: those prepared in working days.
    pub fn request_targets(&self) -> Vec<&ServiceRef> {
        match self.current {
            Some(_) => self
                .all_services
                .iter()
                .filter(|s| s.processing_days > 0)
                .collect(),
            None => Vec::new(),
        }
    }

    /// The services the current ticket may be sent to: all but its own.
    pub fn transfer_targets(&self) -> Vec<&ServiceRef> {
        let own = self.current.as_ref().map(|t| t.service.as_str());
        self.all_services
            .iter()
            .filter(|s| Some(s.id.as_str()) != own)
            .collect()
    }
}

/// The sites the caller may work at: its own, or every site for an admin.
pub async fn sites_of(app: &App, who: &Principal) -> AppResult<Vec<(String, String)>> {
    match who {
        Principal::User {
            role: Role::Admin, ..
        } => Ok(store::sites::list(&app.db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect()),
        Principal::User {
            site: Some(site), ..
        } => {
            let row = super::sites::require(app, site).await?;
            Ok(vec![(row.id, row.name)])
        }
        _ => Err(AppError::Forbidden("staff only")),
    }
}

/// The counters of a site with their state, agent and current ticket.
pub async fn counters(app: &App, who: &Principal, site: &str) -> AppResult<Vec<CounterLine>> {
    who.require_staff(site, &[Role::Agent, Role::Supervisor])?;
    super::sites::require(app, site).await?;
    let active = store::tickets::active_of_site(&app.db, site).await?;
    Ok(store::counters::list(&app.db, site)
        .await?
        .into_iter()
        .map(|c| CounterLine {
            current: active
                .iter()
                .find(|t| t.counter_id.as_deref() == Some(&c.id))
                .map(|t| t.number.clone()),
            id: c.id,
            label: c.label,
            state: c.state,
            agent: c.agent,
        })
        .collect())
}

/// The console of one counter, for staff of its site.
pub async fn console(app: &App, who: &Principal, counter: &str) -> AppResult<ConsoleView> {
    let row = store::counters::get(&app.db, counter)
        .await?
        .ok_or(AppError::NotFound("counter"))?;
    who.require_staff(&row.site_id, &[Role::Agent, Role::Supervisor])?;
    let seq = store::events::last_seq(Conn::Db(&app.db), &row.site_id).await?;
    let context = SiteContext::load(app, &row.site_id).await?;
    let service_ids = store::counters::services(&app.db, counter).await?;
    let all_services: Vec<ServiceRef> = context.services.iter().map(service_ref).collect();
    let services = service_ids
        .iter()
        .filter_map(|id| all_services.iter().find(|s| &s.id == id).cloned())
        .collect();
    let now = app.clock.now_ms();
    let waiting = store::console::waiting(&app.db, &row.site_id, &service_ids)
        .await?
        .into_iter()
        .map(|t| WaitingTicket {
            since: hour_minute(&context, t.issued_at),
            waited_minutes: (now - t.issued_at).max(0) / 60_000,
            id: t.id,
            number: t.number,
            service: t.service_id,
            priority: t.priority.as_str().to_owned(),
            remote: t.source == "remote",
            present: t.source != "remote" || t.present_at.is_some(),
        })
        .collect();
    let current = match store::console::at_counter(&app.db, counter).await? {
        Some(ticket) => Some(current_ticket(app, &context, ticket).await?),
        None => None,
    };
    let active = current.as_ref().map(|t: &CurrentTicket| t.number.clone());
    Ok(ConsoleView {
        site: row.site_id,
        seq,
        counter: CounterLine {
            id: row.id,
            label: row.label,
            state: row.state,
            agent: row.agent,
            current: active,
        },
        services,
        all_services,
        current,
        waiting,
        min_recalls: context.row.min_recalls,
    })
}

async fn current_ticket(
    app: &App,
    context: &SiteContext,
    ticket: TicketRow,
) -> AppResult<CurrentTicket> {
    let appointment = match &ticket.appointment_id {
        Some(id) => store::console::appointment(&app.db, id)
            .await?
            .map(|a| AppointmentDetails {
                start: hour_minute(context, a.start_at),
                reference: a.reference,
                name: a.name,
                mode: a.mode,
                persons: a.persons,
                video_url: a.video_url,
            }),
        None => None,
    };
    Ok(CurrentTicket {
        called_at: ticket.called_at.map(|at| hour_minute(context, at)),
        id: ticket.id,
        number: ticket.number,
        service: ticket.service_id,
        status: ticket.status.as_str().to_owned(),
        priority: ticket.priority.as_str().to_owned(),
        recalls: ticket.recalls,
        appointment,
    })
}

fn service_ref(s: &store::services::ServiceRow) -> ServiceRef {
    ServiceRef {
        id: s.id.clone(),
        prefix: s.prefix.clone(),
        name: s.name.clone(),
        name_ar: s.name_ar.clone(),
        processing_days: s.processing_days,
    }
}

/// An instant as the site's local `HH:MM`.
fn hour_minute(context: &SiteContext, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|at| {
            at.to_zoned(context.zone.clone())
                .strftime("%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A site's services, as the console names them.
pub async fn services(app: &App, site: &str) -> AppResult<Vec<ServiceRef>> {
    let context = SiteContext::load(app, site).await?;
    Ok(context.services.iter().map(service_ref).collect())
}
