//! The screens: server-rendered askama pages (templates in
//! `displays/templates/`) and their static files (`displays/static/`).
//! Pages read through the same use cases as the JSON API and never write
//! SQL; their scripts only add live updates and one-click actions on top of
//! what the HTML already shows.

pub mod admin;
pub mod agent;
pub mod assets;
pub mod cookies;
pub mod counter_display;
pub mod csrf;
pub mod demo_messages;
pub mod frame;
pub mod i18n;
pub mod kiosk;
pub mod lobby;
pub mod portal;
pub mod province;
pub mod province_watch;
pub mod public_stats;
pub mod redirect;
pub mod tracking;

use super::AppState;
use axum::Router;
use tower_http::compression::CompressionLayer;

/// Every page and static file. Compressed, since citizens load them over
/// mobile data; each response carries the CSRF cookie its forms need.
pub fn router(state: AppState) -> Router<AppState> {
    let demo = demo_messages::router(&state).unwrap_or_default();
    Router::new()
        .merge(assets::router())
        .merge(lobby::router())
        .merge(counter_display::router())
        .merge(kiosk::router())
        .merge(tracking::router())
        .merge(agent::router())
        .merge(admin::router())
        .merge(portal::router())
        .merge(public_stats::router())
        .merge(province::router())
        .merge(province_watch::router())
        .merge(demo)
        .layer(axum::middleware::from_fn_with_state(state, frame::prepare))
        .layer(CompressionLayer::new())
}
