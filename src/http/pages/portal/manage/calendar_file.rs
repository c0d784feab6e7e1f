//! The appointment as an iCalendar file, `/appointments/{ref}/calendar.ics`:
//! for its holder (token or session) only, like the page it comes from.

use super::{load, shown};
use crate::app::AppError;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError};
use crate::http::pages::portal::booking::{TokenQuery, ics, manage_url};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// The appointment as an iCalendar file, to add to the phone's calendar.
pub async fn calendar_file(
    State(state): State<AppState>,
    f: Frame,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = query.token.as_deref();
    let (view, context) = load(&state, &f, &headers, &reference, token).await?;
    let a = shown(&state, f.lang, &view, &context, token);
    let url = manage_url(&state.app, &view.reference, token);
    let location = view
        .video_url
        .clone()
        .unwrap_or_else(|| a.site_name.clone());
    let summary = format!("{} — {}", a.service_name, a.site_name);
    let description = f.tr.f("portal.ics.description", &view.reference);
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
        PageError::new(&f, AppError::Internal(anyhow::anyhow!("unreadable times")))
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
