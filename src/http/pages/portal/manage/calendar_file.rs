//! The appointment as an iCalendar file, `/appointments/{ref}/calendar.ics`:
//! for its holder (token or session) only, like the page it comes from.

use crate::app::AppError;
use crate::http::AppState;
use crate::http::pages::frame::PageError;
use crate::http::pages::portal::booking::ics;
use crate::http::pages::portal::held::Held;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The appointment as an iCalendar file, to add to the phone's calendar.
pub async fn calendar_file(
    State(state): State<AppState>,
    held: Held,
) -> Result<Response, PageError> {
    let a = held.shown(&state);
    let url = held.manage_url(&state);
    let (f, view) = (&held.f, &held.view);
    let location = match (&view.video_url, &a.bring.address) {
        (Some(video), _) => video.clone(),
        (None, Some(address)) => format!("{}, {address}", a.site_name),
        (None, None) => a.site_name.clone(),
    };
    let summary = format!("{} — {}", a.service_name, a.site_name);
    let more = crate::notify::messages::bring_text(f.lang.code(), &a.bring, &view.reference);
    let description = format!(
        "{}{more}",
        f.tr.f("portal.ics.description", &view.reference)
    );
    let event = ics::Event {
        reference: &view.reference,
        start: &view.start,
        end: &view.end,
        summary: &summary,
        location: &location,
        description: &description,
        url: &url,
        now: state.app.clock.now(),
    };
    let file = ics::calendar(&event).ok_or_else(|| {
        PageError::new(f, AppError::Internal(anyhow::anyhow!("unreadable times")))
    })?;
    let disposition = format!(
        "attachment; filename=\"rendez-vous-{}.ics\"",
        view.reference
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file,
    )
        .into_response())
}
