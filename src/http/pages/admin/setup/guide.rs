//! `/admin/sites/{site}/services/{service}/guide`: a service's digital
//! guide (`app::guides`), written by an admin in French, Arabic and
//! English — summary, who may ask, steps, fees and channels. The documents
//! and the legal delay are the service's own, edited on its form, and only
//! shown here. Blank step rows are offered below the filled ones, so that
//! no script is needed to add one.

use super::fields::Fields;
use super::{May, admin_form, saved, submit};
use crate::app::guides::{self, ServiceDetail};
use crate::domain::guide::{Channel, Guide, Texts};
use crate::http::AppState;
use crate::http::pages::admin::{FormError, Nav, Office, Staff};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Blank step rows offered below the filled ones.
const BLANK_STEPS: usize = 3;
const LANGS: [&str; 3] = ["fr", "ar", "en"];
/// The one-text fields, in the order the form shows them.
const TEXTS: [&str; 3] = ["summary", "eligibility", "fees"];

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/admin/sites/{site}/services/{service}/guide",
        get(form).post(save),
    )
}

/// What the form shows: the stored guide, or what was typed.
#[derive(Debug, Clone, Default)]
struct Draft {
    /// `summary`, `eligibility`, `fees`: each in fr, ar, en.
    texts: Vec<(&'static str, [String; 3])>,
    steps: Vec<[String; 3]>,
    channels: Vec<(&'static str, bool)>,
}

fn langs_of(t: &Texts) -> [String; 3] {
    [t.fr.clone(), t.ar.clone(), t.en.clone()]
}

fn stored(detail: &ServiceDetail) -> Draft {
    let Some(g) = &detail.guide else {
        return Draft {
            texts: TEXTS.iter().map(|k| (*k, Default::default())).collect(),
            steps: Vec::new(),
            channels: Channel::ALL.iter().map(|c| (c.as_str(), false)).collect(),
        };
    };
    Draft {
        texts: vec![
            ("summary", langs_of(&g.summary)),
            ("eligibility", langs_of(&g.eligibility)),
            ("fees", langs_of(&g.fees)),
        ],
        steps: g.steps.iter().map(langs_of).collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.as_str(), g.channels.contains(c)))
            .collect(),
    }
}

fn typed(form: &Fields) -> Draft {
    let three = |prefix: &str| LANGS.map(|l| form.get(&format!("{prefix}_{l}")).trim().to_owned());
    // Each step row is `step_{row}_fr`, `…_ar`, `…_en`.
    let steps = form
        .pairs()
        .filter_map(|(name, _)| name.strip_suffix("_fr")?.strip_prefix("step_"))
        .map(|row| three(&format!("step_{row}")))
        .collect();
    Draft {
        texts: TEXTS.iter().map(|k| (*k, three(k))).collect(),
        steps,
        channels: Channel::ALL
            .iter()
            .map(|c| (c.as_str(), form.ticked(&format!("channel_{}", c.as_str()))))
            .collect(),
    }
}

fn texts([fr, ar, en]: &[String; 3]) -> Texts {
    Texts {
        fr: fr.clone(),
        ar: ar.clone(),
        en: en.clone(),
    }
}

/// The draft as the use case's input: blank step rows left out.
fn input_of(draft: &Draft) -> Guide {
    let text = |key: &str| {
        draft
            .texts
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, t)| texts(t))
            .unwrap_or_default()
    };
    Guide {
        summary: text("summary"),
        eligibility: text("eligibility"),
        fees: text("fees"),
        steps: draft
            .steps
            .iter()
            .filter(|s| s.iter().any(|t| !t.is_empty()))
            .map(texts)
            .collect(),
        channels: Channel::ALL
            .into_iter()
            .filter(|c| draft.channels.iter().any(|(k, on)| *on && *k == c.as_str()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "admin_setup_guide.html")]
struct GuidePage {
    f: Frame,
    nav: Nav,
    site: String,
    service: String,
    name: String,
    documents: usize,
    processing_days: i64,
    draft: Draft,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

impl GuidePage {
    fn label(&self, key: &str) -> String {
        self.f.tr.under("admin.setup.guide", key)
    }
}

async fn form(
    office: Office,
    Path((_, service)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    let detail = guides::service(&state.app, &site, &service).await;
    let detail = detail.or_page(&frame)?;
    let draft = stored(&detail);
    Ok(page(&state, frame, &staff, &site, &detail, draft, None).await)
}

async fn save(
    office: Office,
    Path((_, service)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let draft = typed(&form);
    let input = input_of(&draft);
    let act = guides::set(&state.app, &staff.who, &site, &service, &input);
    let to = format!("/admin/sites/{site}/services/{service}/guide");
    let done = |_| saved(&to, "saved");
    let again = |frame: Frame, error| async {
        match guides::service(&state.app, &site, &service).await {
            Ok(detail) => page(&state, frame, &staff, &site, &detail, draft, Some(error)).await,
            Err(e) => PageError::new(&frame, e).into_response(),
        }
    };
    submit(frame, Some(May::admin(&staff, &site)), act, done, again).await
}

/// The form, for an admin only: the API lets nobody else write a guide.
async fn page(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: &str,
    detail: &ServiceDetail,
    mut draft: Draft,
    error: Option<FormError>,
) -> Response {
    draft.steps.retain(|s| s.iter().any(|t| !t.is_empty()));
    draft
        .steps
        .extend(std::iter::repeat_n(Default::default(), BLANK_STEPS));
    let s = &detail.service;
    let name = match (frame.lang.code(), &s.name_ar) {
        ("ar", Some(ar)) => ar.clone(),
        _ => s.name.clone(),
    };
    let shown = error.clone();
    admin_form(state, frame, staff, site, &shown, |f, nav, flash| {
        GuidePage {
            f,
            nav,
            flash,
            site: site.to_owned(),
            service: s.id.clone(),
            name,
            documents: s.required_documents.len(),
            processing_days: s.processing_days,
            draft,
            error,
        }
    })
    .await
}
