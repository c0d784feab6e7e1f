//! The shape of a site's statistics, as the API, the charts page and the
//! monthly report read it. Counts are 0 and means `null` without data.

pub use super::channels::{ChannelStats, RemoteStats, WaitSplit};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteStats {
    pub site: String,
    pub timezone: String,
    /// First local day, `YYYY-MM-DD`.
    pub from: String,
    /// Last local day, inclusive.
    pub to: String,
    pub totals: TicketFigures,
    /// Every service of the site, in prefix order.
    pub services: Vec<ServiceStats>,
    /// Every agent who handled a ticket, by username.
    pub agents: Vec<AgentStats>,
    /// The 24 local hours of the day, by the hour tickets were issued.
    pub hours: Vec<HourStats>,
    /// Every day of the range.
    pub days: Vec<DayStats>,
    pub appointments: AppointmentFigures,
    pub requests: RequestFigures,
    pub feedback: FeedbackFigures,
    pub complaints: ComplaintFigures,
    /// Document requests made ready in the range, per agent and service,
    /// and the open ones past their promised day.
    pub processing: ProcessingStats,
    /// The tickets by channel: `kiosk`, `desk`, `remote`, `appointment`,
    /// always all four in this order.
    pub channels: Vec<ChannelStats>,
    /// Remote tickets: their wait at home and in the lobby, those lapsed.
    pub remote: RemoteStats,
}

/// The walk-in figures of a group of tickets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct TicketFigures {
    pub issued: i64,
    pub served: i64,
    pub no_shows: i64,
    pub cancelled: i64,
    /// From issue to call, over the tickets that were called.
    pub mean_wait_seconds: Option<f64>,
    /// Nearest rank: the wait of rank ⌈n/2⌉ of the n sorted waits.
    pub median_wait_seconds: Option<f64>,
    /// Nearest rank: the wait of rank ⌈9n/10⌉.
    pub p90_wait_seconds: Option<f64>,
    /// From start to completion of the done tickets that were started.
    pub mean_service_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceStats {
    pub service: String,
    pub name: String,
    pub name_ar: Option<String>,
    #[serde(flatten)]
    pub figures: TicketFigures,
    pub target_wait_minutes: i64,
    /// Tickets that waited longer than the target.
    pub over_target: i64,
    pub appointments: AppointmentFigures,
    pub requests: RequestFigures,
    pub feedback: FeedbackFigures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentStats {
    pub agent: String,
    #[serde(flatten)]
    pub figures: TicketFigures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HourStats {
    /// Local hour of day, 0–23.
    pub hour: i8,
    pub issued: i64,
    pub served: i64,
    pub mean_wait_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayStats {
    pub day: String,
    pub issued: i64,
    pub served: i64,
    pub no_shows: i64,
    pub mean_wait_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct AppointmentFigures {
    pub booked: i64,
    pub honoured: i64,
    pub no_shows: i64,
    pub cancelled: i64,
    /// No-shows among the honoured and the no-shows.
    pub no_show_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RequestFigures {
    pub submitted: i64,
    pub processing: i64,
    pub ready: i64,
    pub delivered: i64,
    pub rejected: i64,
    /// Those that became ready (or were delivered).
    pub processed: i64,
    /// From filing to ready, in days of 24 hours.
    pub mean_processing_days: Option<f64>,
    /// The service's promised processing time (per service only).
    pub processing_days: Option<i64>,
    /// Ready on or before their promised local day.
    pub on_time: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct FeedbackFigures {
    pub answers: i64,
    pub mean_rating: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ComplaintFigures {
    pub received: i64,
    pub answered: i64,
    pub answered_in_time: i64,
    pub overdue: i64,
    pub open: i64,
}

/// How document requests were processed (docs/statistics.md): those made
/// ready on the range's days, by the agent who made them ready.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ProcessingStats {
    pub totals: HandledFigures,
    /// Every service of the site, in prefix order.
    pub services: Vec<ServiceProcessing>,
    /// Every staff member who made a request ready, by username.
    pub agents: Vec<AgentProcessing>,
    /// Open requests promised on or before `to` and before today.
    pub overdue_count: i64,
    /// The first of them (at most 200), the longest overdue first.
    pub overdue: Vec<OverdueRequest>,
}

/// The requests a group made ready, and how long they took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct HandledFigures {
    pub handled: i64,
    /// From filing to ready, nearest rank ⌈n/2⌉, in seconds.
    pub median_seconds: Option<f64>,
    /// From filing to ready, nearest rank ⌈9n/10⌉, in seconds.
    pub p90_seconds: Option<f64>,
    /// Ready on or before their promised local day.
    pub within_delay: i64,
    /// `within_delay / handled`, three decimals.
    pub within_delay_share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceProcessing {
    pub service: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// The promised processing time, in working days.
    pub processing_days: i64,
    #[serde(flatten)]
    pub figures: HandledFigures,
    /// Its open requests past their promised day.
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentProcessing {
    pub agent: String,
    #[serde(flatten)]
    pub figures: HandledFigures,
}

/// An open request past its promised day; nothing about the citizen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueRequest {
    pub reference: String,
    pub service: String,
    /// `submitted` or `processing`.
    pub status: String,
    pub filed_at: String,
    pub expected_ready_on: String,
    /// Local days since the promised day.
    pub days_late: i64,
    /// The staff member of its last step (who took it in hand, or filed it
    /// at the counter); `null` for one filed online and not touched since.
    pub agent: Option<String>,
}
