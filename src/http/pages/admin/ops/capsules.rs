//! `/admin/sites/{site}/capsules`: the lobby capsules of a site. The list
//! (a preview, title, days and hours, size) with a form per capsule to
//! change its title, days and hours and a button to delete it; an upload
//! form, sent by `admin-capsules.js` as the raw file (streamed, like the
//! API's upload) with the page's CSRF token in a header. Every change goes
//! through `app::capsules`, as the API's.

use super::super::{FormError, Nav, Office};
use super::Flash;
use crate::app::AppError;
use crate::app::capsules::{self, Capsule, CapsuleFields};
use crate::app::media::{MB, Upload};
use crate::http::AppState;
use crate::http::created::Created;
use crate::http::pages::csrf::{CsrfForm, check_header};
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures_util::TryStreamExt;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/{site}/capsules", get(page))
        .route("/admin/sites/{site}/capsules/upload", post(upload))
        .route("/admin/sites/{site}/capsules/{capsule}", post(reschedule))
        .route(
            "/admin/sites/{site}/capsules/{capsule}/delete",
            post(delete),
        )
}

#[derive(Template)]
#[template(path = "admin_ops_capsules.html")]
struct CapsulesPage {
    f: Frame,
    nav: Nav,
    site: String,
    capsules: Vec<Capsule>,
    max_video_mb: u64,
    max_image_mb: u64,
    max_capsules: i64,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

impl CapsulesPage {
    fn on(&self, capsule: &Capsule, day: &u8) -> bool {
        capsule.days.contains(day)
    }
}

async fn page(office: Office, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let list = capsules::all(&state.app, &staff.who, &site)
        .await
        .map_err(|e| PageError::new(&frame, e))?;
    let settings = &state.app.media.settings;
    Ok(render(&CapsulesPage {
        f: frame,
        nav,
        site,
        capsules: list.capsules,
        max_video_mb: settings.max_video_bytes / MB,
        max_image_mb: settings.max_image_bytes / MB,
        max_capsules: capsules::MAX_CAPSULES,
        error: None,
        flash: flash.key(&[
            ("saved", "admin.saved"),
            ("uploaded", "admin.ops.capsules.uploaded"),
            ("deleted", "admin.ops.capsules.deleted"),
        ]),
    }))
}

/// The file as the body, the fields in the query; answered as the API's
/// upload (201 and the capsule, or the error as JSON) for the script.
async fn upload(
    office: Office,
    Query(fields): Query<CapsuleFields>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    check_header(&headers)?;
    let (state, _, staff, site) = office.into_parts();
    let upload = Upload {
        declared_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        declared_length: headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok()),
        body: body.into_data_stream().map_err(std::io::Error::other),
    };
    let made = capsules::upload(&state.app, &staff.who, &site, fields, upload).await?;
    Ok(Created(made).into_response())
}

/// The schedule form: title, `days` checked (one field each), from, until.
async fn reschedule(
    office: Office,
    Path((_, capsule)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let field = |name: &str| Some(super::one_of(&form, name));
    let days: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "days")
        .map(|(_, v)| v.as_str())
        .take(7)
        .collect();
    let fields = CapsuleFields {
        title: field("title"),
        days: Some(days.join(",")),
        from: field("from"),
        until: field("until"),
    };
    match capsules::reschedule(&state.app, &staff.who, &site, &capsule, fields).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/sites/{site}/capsules?done=saved")).into_response())
        }
        Err(error @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            Err(PageError::new(&frame, error))
        }
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            let list = capsules::all(&state.app, &staff.who, &site)
                .await
                .map_err(|e| PageError::new(&frame, e))?;
            let settings = &state.app.media.settings;
            let status = error.status;
            let mut response = render(&CapsulesPage {
                f: frame,
                nav,
                site,
                capsules: list.capsules,
                max_video_mb: settings.max_video_bytes / MB,
                max_image_mb: settings.max_image_bytes / MB,
                max_capsules: capsules::MAX_CAPSULES,
                error: Some(error),
                flash: None,
            });
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

async fn delete(
    office: Office,
    Path((_, capsule)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    capsules::delete(&state.app, &staff.who, &site, &capsule)
        .await
        .map_err(|e| PageError::new(&frame, e))?;
    Ok(Redirect::to(&format!("/admin/sites/{site}/capsules?done=deleted")).into_response())
}
