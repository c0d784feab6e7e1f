//! The digital guide at the kiosk (`app::guides`): `/kiosk/{site}/guide`
//! lists the site's procedures as large buttons, and
//! `/kiosk/{site}/guide/{service}` shows one — summary, who may ask, the
//! steps, the documents to bring, the fees, the legal delay and where it
//! can be done — in the chosen office language with the other under it.

use super::{Kiosk, Names, Service};
use crate::app::AppError;
use crate::app::guides;
use crate::domain::guide::Texts;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::portal::guide::{channel_words, delay_words};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "kiosk_guide.html")]
struct ListPage {
    f: Frame,
    home: String,
    site: String,
    services: Vec<Service>,
}

pub async fn list(k: Kiosk) -> Response {
    let services = k.services();
    render(&ListPage {
        home: k.home(),
        site: k.site.id.clone(),
        services,
        f: k.f,
    })
}

/// A guide's texts as the kiosk shows them.
struct Written {
    summary: Names,
    eligibility: Names,
    steps: Vec<Names>,
    fees: Names,
    channels: Vec<Names>,
}

#[derive(Template)]
#[template(path = "kiosk_guide_service.html")]
struct ServicePage {
    f: Frame,
    home: String,
    site: String,
    service: Service,
    written: Option<Written>,
    delay: Names,
}

pub async fn show(k: Kiosk, Path((_, id)): Path<(String, String)>) -> Response {
    let Some(service) = k.service(&id).map(|s| k.service_of(s)) else {
        return PageError::new(&k.f, AppError::NotFound("service")).into_response();
    };
    let detail = match guides::service(&k.app, &k.site.id, &id).await {
        Ok(detail) => detail,
        Err(e) => return PageError::new(&k.f, e).into_response(),
    };
    let (tr, other) = (k.f.tr, k.f.other());
    let both = |t: &Texts| Names {
        main: t.in_lang(tr.lang.code()).to_owned(),
        other: Some(t.in_lang(other.lang.code()).to_owned()),
        zgh: None,
    };
    let written = detail.guide.as_ref().map(|g| Written {
        summary: both(&g.summary),
        eligibility: both(&g.eligibility),
        steps: g.steps.iter().map(both).collect(),
        fees: both(&g.fees),
        channels: match g.counter_only() {
            true => vec![Names::said(tr, other, "guide.counter_only", "")],
            false => g
                .channels
                .iter()
                .map(|c| Names {
                    main: channel_words(*c, tr),
                    other: Some(channel_words(*c, other)),
                    zgh: None,
                })
                .collect(),
        },
    });
    let days = detail.service.processing_days;
    render(&ServicePage {
        home: k.home(),
        site: k.site.id.clone(),
        delay: Names {
            main: delay_words(days, tr),
            other: Some(delay_words(days, other)),
            zgh: None,
        },
        service,
        written,
        f: k.f,
    })
}
