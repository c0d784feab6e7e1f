//! `/agent/requests`: the site's document requests, a page at a time:
//! overdue ones first and marked, then the other open ones, then the
//! closed ones; `?status=` keeps one status. Each has the steps it may
//! take next as small forms (no script needed). A step goes through
//! `app::requests::set_status`, which tells the citizen.

use super::{Agent, AtSite, Desk, refused};
use crate::app::AppError;
use crate::app::requests::{self, ChangeStatus, DeskPage};
use crate::domain::Invalid;
use crate::domain::request::RequestStatus;
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// The statuses in the order an office works through them.
const STATUSES: [&str; 5] = ["submitted", "processing", "ready", "delivered", "rejected"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/requests", get(page))
        .route("/agent/requests/{reference}/status", post(change))
}

/// The requests listed on one page.
const PER_PAGE: i64 = 20;

/// A link of the page's filter: a status (or all), and how many.
struct Filter {
    /// A status, or `all`.
    name: &'static str,
    href: String,
    count: i64,
    current: bool,
}

#[derive(Template)]
#[template(path = "agent_requests.html")]
struct RequestsPage {
    f: Frame,
    user: String,
    desk: Desk,
    list: DeskPage,
    filters: Vec<Filter>,
    /// The status kept, if any.
    status: Option<String>,
    /// From 1; `pages` at least 1.
    page: i64,
    pages: i64,
    overdue: i64,
    error: Option<String>,
}

impl RequestsPage {
    /// The steps a request in `status` may take next.
    fn next_steps(&self, status: &str) -> Vec<&'static str> {
        let Some(from) = RequestStatus::parse(status) else {
            return Vec::new();
        };
        ["processing", "ready", "delivered"]
            .into_iter()
            .filter(|s| RequestStatus::parse(s).is_some_and(|to| from.may_become(to)))
            .collect()
    }

    fn may_reject(&self, status: &str) -> bool {
        RequestStatus::parse(status).is_some_and(|s| s.may_become(RequestStatus::Rejected))
    }

    /// The list's address, its status kept, at `page`.
    fn link(&self, page: i64) -> String {
        let mut to = format!("/agent/requests?site={}", self.desk.site);
        if let Some(status) = &self.status {
            to.push_str(&format!("&status={status}"));
        }
        if page > 1 {
            to.push_str(&format!("&page={page}"));
        }
        to
    }

    /// The address of this very list, for a step to come back to.
    fn here(&self) -> String {
        self.link(self.page)
    }

    /// The heading's key: the status kept, or all.
    fn heading(&self) -> String {
        format!("agent.request.{}", self.status.as_deref().unwrap_or("all"))
    }
}

/// Which requests the page lists: `?status=` and `?page=` (from 1).
#[derive(Deserialize, Default)]
struct Listing {
    status: Option<String>,
    page: Option<String>,
}

impl Listing {
    fn status(&self) -> Option<&str> {
        self.status.as_deref().filter(|s| !s.is_empty())
    }

    /// The page asked for, from 1; an error for anything but a number.
    fn page(&self) -> Result<i64, AppError> {
        match self.page.as_deref().filter(|p| !p.is_empty()) {
            None => Ok(1),
            Some(p) => p
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| Invalid::new("page", "a page number from 1").into()),
        }
    }
}

#[derive(Deserialize)]
struct Step {
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    site: String,
    /// The list the step was taken from, to come back to.
    #[serde(default)]
    back: String,
}

async fn page(
    State(state): State<AppState>,
    at: AtSite,
    Query(listing): Query<Listing>,
) -> Result<Response, PageError> {
    show(&state, at, &listing, None).await
}

async fn change(
    State(state): State<AppState>,
    Agent { frame, who }: Agent,
    Path(reference): Path<String>,
    CsrfForm(step): CsrfForm<Step>,
) -> Result<Response, PageError> {
    let reason = Some(step.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let input = ChangeStatus {
        status: step.status,
        reason,
    };
    match requests::set_status(&state.app, &who, &reference, input).await {
        Ok(done) => {
            // Back to the list it was taken from, if that is one.
            let plain = |c: char| c.is_ascii_alphanumeric() || "/?&=-_".contains(c);
            let to = match step.back.starts_with("/agent/requests?") && step.back.chars().all(plain)
            {
                true => step.back.clone(),
                false => format!("/agent/requests?site={}", done.site),
            };
            let to = format!("{to}#req-{reference}");
            Ok(Redirect::to(&to).into_response())
        }
        Err(error) => {
            let message = |frame: &Frame, error: &AppError| match error {
                AppError::Invalid(invalid) if invalid.field == "reason" => {
                    frame.tr.s("agent.requests.reason_needed").to_owned()
                }
                other => other.to_string(),
            };
            refused(frame, error, message, |frame, message| async move {
                let at = AtSite::resolve(&state, frame, who, Some(step.site)).await?;
                show(&state, at, &Listing::default(), Some(message)).await
            })
            .await
        }
    }
}

async fn show(
    state: &AppState,
    at: AtSite,
    listing: &Listing,
    error: Option<String>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(&at.frame, e);
    let page = listing.page().map_err(fail)?;
    let status = listing.status();
    let list = requests::desk_page(&state.app, &at.who, &at.site, status, page - 1, PER_PAGE)
        .await
        .map_err(fail)?;
    let desk = at.desk(state).await?;
    let count = |s: &str| {
        list.counts
            .iter()
            .filter(|c| c.status == s)
            .map(|c| c.n)
            .sum()
    };
    let all = STATUSES.iter().map(|s| count(s)).sum::<i64>();
    let href = |s: Option<&str>| {
        let kept = s.map(|s| format!("&status={s}")).unwrap_or_default();
        format!("/agent/requests?site={}{kept}", at.site)
    };
    let filter = |s: Option<&'static str>, count: i64| Filter {
        name: s.unwrap_or("all"),
        href: href(s),
        count,
        current: s == status,
    };
    let mut filters = vec![filter(None, all)];
    filters.extend(STATUSES.iter().map(|s| filter(Some(s), count(s))));
    let listed = status.map_or(all, count);
    let pages = ((listed + PER_PAGE - 1) / PER_PAGE).max(1);
    let overdue = list.counts.iter().map(|c| c.late).sum();
    Ok(render(&RequestsPage {
        user: at.user(),
        f: at.frame,
        desk,
        list,
        filters,
        status: status.map(str::to_owned),
        page,
        pages,
        overdue,
        error,
    }))
}
