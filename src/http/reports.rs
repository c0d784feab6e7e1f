//! An office's monthly report as a PDF, and the addresses it is mailed to
//! (see the OpenAPI document and docs/statistics.md).

use super::AppState;
use super::auth::Caller;
use super::error::{ApiJson, ApiPath, ApiQuery};
use super::pages::i18n::{Lang, Tr};
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::monthly_report::province_recipients;
use crate::app::monthly_report::recipients::{self, Recipients};
use crate::app::monthly_report::{self, Pdf, Words};
use crate::domain::Invalid;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report_pdf))
        .routes(routes!(province_report_pdf))
        .routes(routes!(get_recipients, set_recipients))
        .routes(routes!(get_province_recipients, set_province_recipients))
}

/// The screens' words write the reports.
impl Words for Tr {
    fn lang(&self) -> &'static str {
        self.lang.code()
    }

    fn rtl(&self) -> bool {
        self.lang == Lang::Ar
    }

    fn text(&self, key: &str) -> String {
        self.s(key).to_owned()
    }

    fn number(&self, value: f64) -> String {
        self.lang.number(value)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The month, `YYYY-MM` (default: last month, in the site's time).
    pub month: Option<String>,
    /// `fr` (default), `ar` or `en`.
    pub lang: Option<String>,
}

/// The monthly report of an office as a PDF (admin, supervisor of the
/// site): the figures of the printable report page, in French, Arabic or
/// English.
#[utoipa::path(get, path = "/api/v1/sites/{site}/report.pdf", tag = "operations",
    security(("bearer" = [])), params(("site" = String, Path), ReportQuery),
    responses((status = 200, description = "the PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_pdf(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> AppResult<Response> {
    let lang = report_lang(query.lang.as_deref())?;
    let pdf =
        monthly_report::office_pdf(&state.app, &who, &site, query.month.as_deref(), &lang.tr())
            .await?;
    Ok(pdf_file(pdf))
}

/// A province's month as a PDF (admin, the province's accounts): its
/// offices side by side, with the columns of the comparison.
#[utoipa::path(get, path = "/api/v1/provinces/{province}/report.pdf", tag = "provinces",
    security(("bearer" = [])), params(("province" = String, Path), ReportQuery),
    responses((status = 200, description = "the PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn province_report_pdf(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(province): ApiPath<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> AppResult<Response> {
    let words = report_lang(query.lang.as_deref())?.tr();
    let pdf =
        monthly_report::province_pdf(&state.app, &who, &province, query.month.as_deref(), &words);
    Ok(pdf_file(pdf.await?))
}

fn report_lang(code: Option<&str>) -> AppResult<Lang> {
    match code {
        None => Ok(Lang::Fr),
        Some(code) => Lang::parse(code)
            .filter(|l| l.code() == code.trim())
            .ok_or_else(|| Invalid::new("lang", "fr, ar or en").into()),
    }
}

/// A PDF to download under its name.
pub fn pdf_file(pdf: Pdf) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", pdf.file_name);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf.bytes,
    )
        .into_response()
}

/// The addresses the office's monthly report is mailed to (admin).
#[utoipa::path(get, path = "/api/v1/sites/{site}/report/recipients", tag = "operations",
    security(("bearer" = [])), params(("site" = String, Path)),
    responses((status = 200, body = Recipients), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_recipients(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<Recipients>> {
    Ok(ApiJson(recipients::get(&state.app, &who, &site).await?))
}

/// Replaces the addresses the office's monthly report is mailed to, on its
/// first working day of each month (admin): at most 10 e-mail addresses.
#[utoipa::path(put, path = "/api/v1/sites/{site}/report/recipients", tag = "operations",
    security(("bearer" = [])), params(("site" = String, Path)), request_body = Recipients,
    responses((status = 200, body = Recipients), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn set_recipients(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<Recipients>,
) -> AppResult<ApiJson<Recipients>> {
    Ok(ApiJson(
        recipients::set(&state.app, &who, &site, &body).await?,
    ))
}

/// The addresses the province's monthly report is mailed to (admin).
#[utoipa::path(get, path = "/api/v1/provinces/{province}/report/recipients", tag = "provinces",
    security(("bearer" = [])), params(("province" = String, Path)),
    responses((status = 200, body = Recipients), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_province_recipients(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(province): ApiPath<String>,
) -> AppResult<ApiJson<Recipients>> {
    let list = province_recipients::get(&state.app, &who, &province).await?;
    Ok(ApiJson(list))
}

/// Replaces the addresses the province's monthly report is mailed to, on
/// the first working day of each month of its first site (admin): at most
/// 10 e-mail addresses.
#[utoipa::path(put, path = "/api/v1/provinces/{province}/report/recipients", tag = "provinces",
    security(("bearer" = [])), params(("province" = String, Path)), request_body = Recipients,
    responses((status = 200, body = Recipients), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn set_province_recipients(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(province): ApiPath<String>,
    ApiJson(body): ApiJson<Recipients>,
) -> AppResult<ApiJson<Recipients>> {
    let saved = province_recipients::set(&state.app, &who, &province, &body).await?;
    Ok(ApiJson(saved))
}
