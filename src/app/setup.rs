//! What the admin pages read to set up an office that the public API does
//! not list: a site's counters with the services each handles.

use super::auth::Principal;
use super::counters::CounterView;
use super::{App, AppError, AppResult};
use crate::domain::role::Role;
use crate::store;

/// The counters of a site, each with its services in order of preference.
pub async fn counters(app: &App, who: &Principal, site: &str) -> AppResult<Vec<CounterView>> {
    who.require_staff(site, &[Role::Supervisor, Role::Province])?;
    let rows = store::counters::list(&app.db, site).await?;
    let pairs = store::counters::services_of_site(&app.db, site).await?;
    Ok(rows
        .into_iter()
        .map(|row| CounterView {
            services: pairs
                .iter()
                .filter(|(c, _)| *c == row.id)
                .map(|(_, s)| s.clone())
                .collect(),
            id: row.id,
            site: row.site_id,
            label: row.label,
            state: row.state,
            agent: row.agent,
        })
        .collect())
}

/// One counter of the site, or 404.
pub async fn counter(app: &App, who: &Principal, site: &str, id: &str) -> AppResult<CounterView> {
    counters(app, who, site)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound("counter"))
}
