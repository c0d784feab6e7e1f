//! The demo's messages: what the `log` transports did not send, for a
//! newcomer trying `serve --demo` to read a phone code or a link. Only
//! with `--demo`, and only the channels that go to the log; anywhere else
//! it is not found. Logs never hold a message's text (`notify::redact`).

use crate::app::{App, AppError, AppResult};
use crate::store::{self, outbox::Written};

/// Messages shown at most: the newest.
pub const SHOWN: i64 = 50;

/// The channels whose messages are shown: none unless `--demo`.
pub fn shown_channels(app: &App) -> Vec<&'static str> {
    if app.policy.demo {
        app.messaging.transports.log_only()
    } else {
        Vec::new()
    }
}

/// The newest messages of the channels that go to the log, newest first.
pub async fn recent(app: &App) -> AppResult<Vec<Written>> {
    let channels = shown_channels(app);
    let Some(first) = channels.first() else {
        return Err(AppError::NotFound("page"));
    };
    let second = channels.get(1).unwrap_or(first);
    Ok(store::outbox::latest(&app.db, first, second, SHOWN).await?)
}
