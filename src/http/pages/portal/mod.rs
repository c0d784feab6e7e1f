//! The citizen portal `/`: phone-sized first, readable without JavaScript,
//! in French, Arabic and English.

pub mod booking;
pub mod citizen;
pub mod code_form;
pub mod complaints;
mod earliest;
pub mod feedback;
mod files;
mod follow;
pub mod guide;
pub mod held;
pub mod home;
pub mod manage;
pub mod me;
pub mod remote;
pub mod requests;
pub mod waitlist;

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(guide::router())
        .merge(booking::router())
        .merge(manage::router())
        .merge(me::router())
        .merge(requests::router())
        .merge(complaints::router())
        .merge(feedback::router())
        .merge(files::router())
        .merge(waitlist::router())
        .merge(remote::router())
}
