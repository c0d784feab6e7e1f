//! The shape of a site's statistics, as the API, the charts page and the
//! monthly report read it. Counts are 0 and means `null` without data.

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
