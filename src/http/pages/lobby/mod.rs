//! The lobby display `/display/{site}`, for a 1920×1080 TV read from across
//! the room: the latest call large ("A042 → Guichet 3" and "الشباك رقم 3"),
//! the last calls, the waiting and estimated wait per service, the site's
//! clock and the office's announcements, in French and Arabic at once
//! (`?lang=ar` puts Arabic first, right to left).
//!
//! The page is complete as served (from the same snapshot as the
//! `/ws/sites/{site}` stream); `lobby.js` then follows the stream, flashes
//! and announces new calls aloud. No personal data is shown.

mod guide;
pub mod view;

use super::frame::{Frame, PageError, render};
use super::i18n::{Lang, zgh_bundle};
use crate::app::{announcements, capsules, guides, queue, sites, voice};
use crate::http::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;
use view::{Call, ServiceLine};

pub fn router() -> Router<AppState> {
    Router::new().route("/display/{site}", get(page))
}

#[derive(Template)]
#[template(path = "lobby.html")]
struct LobbyPage {
    f: Frame,
    /// The site's name in the screen's language, then in the other one.
    names: (String, String),
    other_lang: Lang,
    latest: Option<Call>,
    recent: Vec<Call>,
    services: Vec<ServiceLine>,
    news: Vec<announcements::Announcement>,
    /// The guide's slides, shown in turn after the announcements.
    guides: Vec<announcements::Announcement>,
    /// Whether capsules show in the panel too (`lobby.js` shows them).
    has_capsules: bool,
    clock: String,
    /// What `lobby.js` starts from, as JSON.
    data: String,
}

impl LobbyPage {
    /// Arabic first on an Arabic screen.
    fn news_texts<'a>(&self, a: &'a announcements::Announcement) -> (&'a str, &'a str) {
        if self.f.lang == Lang::Ar {
            (&a.text_ar, &a.text_fr)
        } else {
            (&a.text_fr, &a.text_ar)
        }
    }
}

async fn page(
    State(state): State<AppState>,
    frame: Frame,
    Path(site): Path<String>,
) -> Result<Response, PageError> {
    let f = frame.for_office();
    let app = &state.app;
    let info = sites::get(app, &site)
        .await
        .map_err(|e| PageError::new(&f, e))?;
    let f = f.with_tamazight(info.tamazight);
    let fail = |e| PageError::new(&f, e);
    let snapshot = queue::snapshot(app, &site).await.map_err(fail)?;
    let news = announcements::list(app, &site).await.map_err(fail)?;
    // The guide is a bonus on this screen: a lobby whose guides cannot be
    // read now still shows the queue.
    let guides = guides::of_site(app, &site)
        .await
        .map(|g| guide::slides(&g))
        .unwrap_or_default();
    // Capsules too: a lobby whose capsules cannot be read shows the rest.
    let capsules = capsules::showing(app, &site)
        .await
        .map(|c| c.capsules)
        .unwrap_or_default();
    let arabic = f.lang == Lang::Ar;
    let name_ar = info.name_ar.clone().unwrap_or_else(|| info.name.clone());
    let names = if arabic {
        (name_ar, info.name.clone())
    } else {
        (info.name.clone(), name_ar)
    };
    let context = sites::SiteContext::load(app, &site).await.map_err(fail)?;
    let mut sounds = view::sounds();
    // The office's own clips for Tamazight, when it has them all: the
    // announcer says the call in Tamazight too.
    let zgh_clips = voice::for_lobby(app, &context).await.map_err(fail)?;
    let voices = zgh_clips
        .iter()
        .map(|(name, url)| (name.clone(), json!(url)));
    sounds.extend(voices);
    let now = app.clock.now_ms();
    let (offset, clock) = view::clock(&info.timezone, now);
    let mut calls = view::calls(&snapshot, f.tr, f.other(), f.zgh);
    let latest = (!calls.is_empty()).then(|| calls.remove(0));
    calls.truncate(view::RECENT);
    let data = json!({
        "site": site,
        "lang": f.lang.code(),
        "now_ms": now,
        "offset_seconds": offset,
        "announcements": news.announcements,
        "guides": guides,
        "capsules": capsules,
        "sounds": sounds,
        "zgh_voice": !zgh_clips.is_empty(),
        "strings": {
            "fr": strings(Lang::Fr),
            "ar": strings(Lang::Ar),
            "zgh": f.zgh.then(|| zgh_bundle(&["lobby.", "common."])),
        },
    });
    Ok(render(&LobbyPage {
        other_lang: if arabic { Lang::Fr } else { Lang::Ar },
        services: view::services(&snapshot.services, arabic, |id| {
            let named = info.services.iter().find(|s| s.id == id);
            named.and_then(|s| s.name_zgh.clone()).filter(|_| f.zgh)
        }),
        news: news.announcements,
        guides,
        has_capsules: !capsules.is_empty(),
        names,
        latest,
        recent: calls,
        clock,
        data: view::script_json(&data),
        f,
    }))
}

/// The words the screens' scripts need in one language.
pub fn strings(lang: Lang) -> serde_json::Value {
    let tr = lang.tr();
    let mut all: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
    for prefix in ["lobby.", "common."] {
        if let Ok(serde_json::Value::Object(words)) = serde_json::from_str(&tr.bundle(prefix)) {
            all.extend(words);
        }
    }
    serde_json::Value::Object(all)
}
