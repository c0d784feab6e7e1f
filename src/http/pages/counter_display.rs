//! The counter display `/counter-display/{counter}`: the ticket now called
//! at one counter, big, with the counter's name in French and Arabic, live
//! over `/ws/counters/{counter}`. That stream is for the site's display
//! devices: a TV is set up once by opening the page with `?device=TOKEN`
//! (the frame keeps the token as its session cookie). Without a valid
//! token the page says how to set it up instead of showing a broken screen.

use super::cookies;
use super::frame::{Frame, OrPage, PageError, render};
use super::i18n::{Lang, zgh_bundle};
use super::lobby::{strings, view};
use crate::app::{AppError, auth, calls, streams};
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/counter-display/{counter}", get(page))
}

#[derive(Template)]
#[template(path = "counter_display.html")]
struct CounterPage {
    f: Frame,
    other_lang: Lang,
    /// The site's name, then the counter's, each in the screen's language
    /// and the other one.
    site: (String, String),
    counter: (String, String),
    /// The counter's name in Tamazight, on a site that shows it.
    counter_zgh: Option<String>,
    /// The ticket called or served there now.
    current: Option<String>,
    /// Why nobody can be called here now (closed, paused), if so.
    state_words: Option<(String, String, Option<&'static str>)>,
    clock: String,
    data: String,
}

#[derive(Template)]
#[template(path = "counter_display_setup.html")]
struct SetupPage {
    f: Frame,
    other_lang: Lang,
    counter: String,
}

async fn page(
    State(state): State<AppState>,
    frame: Frame,
    Path(counter): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let f = frame.for_office();
    let app = &state.app;
    let other_lang = if f.lang == Lang::Ar {
        Lang::Fr
    } else {
        Lang::Ar
    };
    let (context, _) = calls::setting_of_counter(app, &counter).await.or_page(&f)?;
    let who = match cookies::read(&headers, SESSION_COOKIE) {
        Some(token) => auth::authenticate(app, token).await,
        None => Err(AppError::Unauthorized("no display token")),
    };
    let allowed = match who {
        Ok(who) => streams::counter_site(app, &who, &counter).await.map(|_| ()),
        Err(error) => Err(error),
    };
    if let Err(error) = allowed {
        let status = match error {
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            other => return Err(PageError::new(&f, other)),
        };
        let mut response = render(&SetupPage {
            f,
            other_lang,
            counter,
        });
        *response.status_mut() = status;
        return Ok(response);
    }
    let (_, snapshot) = streams::counter_snapshot(app, &counter).await.or_page(&f)?;
    let f = f.with_tamazight(context.row.tamazight);
    let now_counter = &snapshot["counter"];
    let label = now_counter["label"].as_str().unwrap_or(&counter);
    let other = f.other();
    let row = &context.row;
    let name_ar = row.name_ar.clone().unwrap_or_else(|| row.name.clone());
    let site = if f.lang == Lang::Ar {
        (name_ar, row.name.clone())
    } else {
        (row.name.clone(), name_ar)
    };
    let state_key = match now_counter["state"].as_str() {
        Some("closed") => Some("lobby.counter_closed"),
        Some("paused") => Some("lobby.counter_paused"),
        _ => None,
    };
    let now = app.clock.now_ms();
    let (offset, clock) = view::clock(&row.timezone, now);
    let data = json!({
        "counter": counter,
        "lang": f.lang.code(),
        "now_ms": now,
        "offset_seconds": offset,
        "strings": {"fr": strings(Lang::Fr), "ar": strings(Lang::Ar)},
        "zgh": f.zgh.then(|| zgh_bundle(&["lobby.", "common."])),
    });
    Ok(render(&CounterPage {
        counter: (
            view::counter_words(label, f.tr),
            view::counter_words(label, other),
        ),
        current: now_counter["current"]["number"].as_str().map(str::to_owned),
        counter_zgh: f.zgh.then(|| view::counter_zgh(label)).flatten(),
        state_words: state_key.map(|k| (f.tr.s(k).to_owned(), other.s(k).to_owned(), f.z(k))),
        site,
        other_lang,
        clock,
        data: view::script_json(&data),
        f,
    }))
}
