//! The digital guide of procedures: per service, a summary, the steps, the
//! fees, who may ask and the channels, in French, Arabic and English
//! (`domain::guide`), shown with the service's own documents to bring and
//! legal delay. Reading is public (the portal, the kiosk, the lobby and
//! the API show it to anyone); only an admin writes a guide.

use super::auth::Principal;
use super::services::ServiceView;
use super::sites::{self, SiteView, from_json, json};
use super::{App, AppError, AppResult};
use crate::domain::guide::{Channel, Guide, Texts};
use crate::store::{self, guides::GuideRow};
use serde::Serialize;
use utoipa::ToSchema;

/// A document to bring, from the service's list: its French name, and its
/// Arabic and English ones where the list has them.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct DocumentTexts {
    pub fr: String,
    pub ar: Option<String>,
    pub en: Option<String>,
}

/// A service's guide as it is read: what the admin wrote, with the
/// service's documents and legal delay.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuideView {
    pub summary: Texts,
    /// In order.
    pub steps: Vec<Texts>,
    /// The service's `required_documents`.
    pub documents: Vec<DocumentTexts>,
    pub fees: Texts,
    /// The service's legal processing delay, in working days (0: served
    /// at once).
    pub processing_days: i64,
    /// Who may ask.
    pub eligibility: Texts,
    pub channels: Vec<Channel>,
}

impl GuideView {
    pub fn counter_only(&self) -> bool {
        self.channels == [Channel::Counter]
    }
}

/// A service with its guide (`null` when none was written yet).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDetail {
    #[serde(flatten)]
    pub service: ServiceView,
    pub guide: Option<GuideView>,
}

/// A site (its `services` left empty) with each of its services and
/// their guides.
#[derive(Debug)]
pub struct SiteGuides {
    pub site: SiteView,
    pub services: Vec<ServiceDetail>,
}

fn documents_of(service: &ServiceView) -> Vec<DocumentTexts> {
    service
        .required_documents
        .iter()
        .map(|d| DocumentTexts {
            fr: d.name.clone(),
            ar: d.name_ar.clone(),
            en: None,
        })
        .collect()
}

fn guide_view(service: &ServiceView, row: &GuideRow) -> AppResult<GuideView> {
    Ok(GuideView {
        summary: from_json(&row.summary)?,
        steps: from_json(&row.steps)?,
        documents: documents_of(service),
        fees: from_json(&row.fees)?,
        processing_days: service.processing_days,
        eligibility: from_json(&row.eligibility)?,
        channels: from_json(&row.channels)?,
    })
}

/// A service of a site with its guide (public).
pub async fn service(app: &App, site: &str, service: &str) -> AppResult<ServiceDetail> {
    let view = sites::get(app, site).await?;
    let found = view
        .services
        .into_iter()
        .find(|s| s.id == service)
        .ok_or(AppError::NotFound("service"))?;
    let row = store::guides::get(&app.db, site, service).await?;
    Ok(ServiceDetail {
        guide: row.map(|row| guide_view(&found, &row)).transpose()?,
        service: found,
    })
}

/// A site's services, each with its guide (public).
pub async fn of_site(app: &App, site: &str) -> AppResult<SiteGuides> {
    let mut site_view = sites::get(app, site).await?;
    let rows = store::guides::of_site(&app.db, site).await?;
    let mut services = Vec::with_capacity(site_view.services.len());
    for service in std::mem::take(&mut site_view.services) {
        let row = rows.iter().find(|r| r.service_id == service.id);
        services.push(ServiceDetail {
            guide: row.map(|row| guide_view(&service, row)).transpose()?,
            service,
        });
    }
    Ok(SiteGuides {
        site: site_view,
        services,
    })
}

/// Every site with its services and their guides, in the order of the
/// sites' ids (public: the portal's `/guide`).
pub async fn all(app: &App) -> AppResult<Vec<SiteGuides>> {
    let mut all = Vec::new();
    for site in store::sites::list(&app.db).await? {
        all.push(of_site(app, &site.id).await?);
    }
    Ok(all)
}

/// Writes a service's guide in place of the one it had (admin). Nothing
/// is written when a text breaks a rule or the service does not exist.
pub async fn set(
    app: &App,
    who: &Principal,
    site: &str,
    service: &str,
    input: &Guide,
) -> AppResult<GuideView> {
    who.require_admin()?;
    let guide = Guide::parse(input)?;
    let row = GuideRow {
        site_id: site.to_owned(),
        service_id: service.to_owned(),
        summary: json(&guide.summary),
        steps: json(&guide.steps),
        fees: json(&guide.fees),
        eligibility: json(&guide.eligibility),
        channels: json(&guide.channels),
        updated_at: app.clock.now_ms(),
    };
    let mut tx = app.db.begin().await?;
    let stored = store::services::get_for_update(&mut tx, site, service)
        .await?
        .ok_or(AppError::NotFound("service"))?;
    store::guides::put(&mut tx, &row).await?;
    tx.commit().await?;
    guide_view(&ServiceView::try_from(stored)?, &row)
}
