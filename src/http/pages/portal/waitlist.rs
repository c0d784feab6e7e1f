//! The waitlist `/waitlist/{site}/{service}`: a citizen who found no
//! suitable slot gives a range of days and a phone (and the code sent to
//! it, where the office verifies phones); an SMS offers the first place
//! that frees in that range (`app::waitlist`).

use super::citizen::{Proof, local_name, long_date};
use super::code_form::{CodeForm, CodeFormPage, code_form_page};
use crate::app::sites::{self, SiteContext};
use crate::app::waitlist::{self, JoinWaitlist, WaitlistEntry};
use crate::app::{AppError, AppResult};
use crate::http::AppState;
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/waitlist/{site}/{service}", get(page).post(submit))
        .route("/waitlist/{site}/{service}/joined", get(joined))
}

#[derive(Debug, Default, Deserialize)]
struct Fields {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(flatten)]
    pub proof: Proof,
}

/// The office and service, and the days that may be asked for.
struct About {
    office: String,
    service: String,
    today: String,
    last: String,
    verify: bool,
}

#[derive(Template)]
#[template(path = "portal_waitlist.html")]
struct FormPage {
    f: Frame,
    form: CodeForm<About, Fields>,
}

code_form_page!(FormPage, About, Fields);

impl FormPage {
    fn first_day(&self) -> String {
        long_date(self.f.lang, &self.values.from)
    }

    fn last_day(&self) -> String {
        long_date(self.f.lang, &self.values.to)
    }
}

#[derive(Template)]
#[template(path = "portal_waitlist_joined.html")]
struct JoinedPage {
    f: Frame,
    office: String,
    service: String,
    from: String,
    to: String,
}

async fn about(state: &AppState, f: &Frame, site: &str, service: &str) -> AppResult<About> {
    let app = &state.app;
    let view = sites::get(app, site).await?;
    let found = view
        .services
        .iter()
        .find(|s| s.id == service && !s.appointment_modes.is_empty())
        .ok_or(AppError::NotFound("service"))?;
    let context = SiteContext::load(app, site).await?;
    let today = context.day_of(app.clock.now_ms());
    let last = jiff::civil::Date::strptime("%Y-%m-%d", &today)
        .ok()
        .and_then(|d| {
            d.checked_add(jiff::Span::new().days(found.horizon_days))
                .ok()
        })
        .map_or_else(|| today.clone(), |d| d.to_string());
    Ok(About {
        office: local_name(f.lang, &view.name, view.name_ar.as_deref()),
        service: local_name(f.lang, &found.name, found.name_ar.as_deref()),
        today,
        last,
        verify: view.verify_phone,
    })
}

async fn page(
    State(state): State<AppState>,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let about = about(&state, &f, &site, &service).await.or_page(&f)?;
    let values = Fields {
        from: about.today.clone(),
        to: about.today.clone(),
        ..Fields::default()
    };
    let verify = about.verify;
    Ok(FormPage::first(f, about, values, verify))
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let about = about(&state, &f, &site, &service).await.or_page(&f)?;
    let app = &state.app;
    let (typed, lang, client) = (&fields, f.lang.code(), client.as_str());
    let verify = about.verify;
    let outcome = (typed.proof)
        .run(verify, app, &f, client, |otp| {
            let input = JoinWaitlist {
                phone: typed.proof.phone.clone(),
                from: typed.from.trim().to_owned(),
                to: typed.to.trim().to_owned(),
                otp,
                lang: Some(lang.to_owned()),
            };
            waitlist::join(app, client, &site, &service, input)
        })
        .await?;
    let done = |entry: WaitlistEntry| {
        let (from, to) = (entry.from, entry.to);
        format!("/waitlist/{site}/{service}/joined?from={from}&to={to}")
    };
    Ok(FormPage::answer(f, about, fields, outcome, done))
}

#[derive(Deserialize)]
struct Range {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn joined(
    State(state): State<AppState>,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
    Query(range): Query<Range>,
) -> Result<Response, PageError> {
    let about = about(&state, &f, &site, &service).await.or_page(&f)?;
    Ok(render(&JoinedPage {
        from: long_date(f.lang, &range.from),
        to: long_date(f.lang, &range.to),
        office: about.office,
        service: about.service,
        f,
    }))
}
