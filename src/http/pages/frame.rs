//! What every page shares: its language, the CSRF token of its forms, the
//! path for the language switch, and how a page or an error is rendered.

use super::cookies::{self, CSRF_COOKIE, LANG_COOKIE};
use super::i18n::{Lang, Tr};
use crate::app::AppError;
use crate::http::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use std::cell::Cell;

tokio::task_local! {
    /// The wait a refused form told its visitor, in seconds: [`prepare`]
    /// sends it as the page's `Retry-After`.
    static TOLD_TO_WAIT: Cell<Option<u64>>;
}

/// Notes that the page being made tells its visitor to wait `seconds`
/// (a rate limit), for the `Retry-After` header of its 429.
pub fn told_to_wait(seconds: u64) {
    let _ = TOLD_TO_WAIT.try_with(|told| told.set(Some(seconds.max(1))));
}

/// The CSRF token of this browser, set by [`prepare`].
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// The language of this request, chosen by [`prepare`].
#[derive(Debug, Clone, Copy)]
pub struct ChosenLang(pub Lang);

/// The frame of a page: its words, its forms' CSRF token, and where the
/// language switch links to.
#[derive(Debug, Clone)]
pub struct Frame {
    pub tr: Tr,
    pub lang: Lang,
    pub csrf: String,
    /// The path of the page, for the language switch.
    pub path: String,
    /// The page's query without `lang` (a token, a chosen day…), which the
    /// language switch keeps.
    pub query: String,
    /// The languages the switch offers: all three on citizen pages, French
    /// and Arabic on the office's screens.
    pub langs: &'static [Lang],
    /// `serve --demo` with messages that reach nobody: citizen pages point
    /// to `/demo/messages`, where their codes are.
    pub demo_messages: bool,
    /// The office's screens of a site that shows Tamazight: their fixed
    /// texts also in Tifinagh (`lang="zgh"`), under the other languages.
    pub zgh: bool,
}

impl Frame {
    /// The frame of a screen of a site that shows Tamazight or not.
    pub fn with_tamazight(mut self, on: bool) -> Self {
        self.zgh = on;
        self
    }

    /// `key` in Tamazight when this screen shows it and the catalogue has it.
    pub fn z(&self, key: &str) -> Option<&'static str> {
        self.zgh.then(|| super::i18n::zgh(key)).flatten()
    }

    /// `key` in Tamazight with `{}` replaced by `value`, as [`Frame::z`].
    pub fn zf(&self, key: &str, value: impl std::fmt::Display) -> Option<String> {
        self.zgh.then(|| super::i18n::zgh_f(key, value)).flatten()
    }

    /// The frame of an office screen: French and Arabic only, English
    /// showing as French.
    pub fn for_office(mut self) -> Self {
        if self.lang == Lang::En {
            self.lang = Lang::Fr;
            self.tr = Lang::Fr.tr();
        }
        self.langs = &Lang::OFFICE;
        self
    }

    /// The link to this page in `lang`.
    pub fn switch_to(&self, lang: &Lang) -> String {
        let query = if self.query.is_empty() {
            String::new()
        } else {
            format!("{}&", self.query)
        };
        format!("{}?{query}lang={}", self.path, lang.code())
    }

    /// The address of a static file, with its content hash so that it can
    /// be cached for good.
    pub fn asset(&self, name: &str) -> String {
        super::assets::url(name)
    }

    /// The same page's words in the office's other language (French ↔
    /// Arabic), for bilingual screens.
    pub fn other(&self) -> Tr {
        if self.lang == Lang::Ar {
            Lang::Fr.tr()
        } else {
            Lang::Ar.tr()
        }
    }
}

impl FromRequestParts<AppState> for Frame {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = parts
            .extensions
            .get::<ChosenLang>()
            .map_or(Lang::Fr, |c| c.0);
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        Ok(Frame {
            tr: lang.tr(),
            lang,
            csrf,
            path: parts.uri.path().to_owned(),
            query: parts
                .uri
                .query()
                .unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("lang=") && !p.starts_with("device="))
                .collect::<Vec<_>>()
                .join("&"),
            langs: &Lang::ALL,
            demo_messages: !crate::app::demo::messages::shown_channels(&state.app).is_empty(),
            zgh: false,
        })
    }
}

/// Chooses the language (`?lang=`, then the cookie, then the browser's
/// `Accept-Language`, then French), remembers an explicit choice in a
/// cookie, and gives a browser without one its CSRF token.
pub async fn prepare(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let device = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("device=")))
        .map(|token| (token.to_owned(), request.uri().path().to_owned()));
    if let Some(response) = adopt_device(&state, device).await {
        return response;
    }
    let headers = request.headers();
    let asked = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
        .and_then(Lang::parse);
    let lang = asked
        .or_else(|| cookies::read(headers, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept)
        })
        .unwrap_or(Lang::Fr);
    let known = cookies::read(headers, CSRF_COOKIE)
        .filter(|t| t.len() >= 32 && t.len() <= 64)
        .map(str::to_owned);
    let csrf = known.clone().unwrap_or_else(crate::secrets::new_token);
    request.extensions_mut().insert(ChosenLang(lang));
    request.extensions_mut().insert(CsrfToken(csrf.clone()));
    let (mut response, wait) = TOLD_TO_WAIT
        .scope(Cell::new(None), async {
            let response = next.run(request).await;
            (response, TOLD_TO_WAIT.with(Cell::get))
        })
        .await;
    let app = &state.app;
    let limited = response.status() == StatusCode::TOO_MANY_REQUESTS;
    // A page any cache may keep (the guide) carries no cookie: a shared
    // cache would hand one visitor's cookie to the next.
    let shared = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    let set = response.headers_mut();
    if let Some(seconds) = wait.filter(|_| limited) {
        set.entry(header::RETRY_AFTER)
            .or_insert(HeaderValue::from(seconds));
    }
    if let Some(lang) = asked.filter(|_| !shared) {
        set.append(
            header::SET_COOKIE,
            cookies::set(app, LANG_COOKIE, lang.code(), Some(365 * 86_400)),
        );
    }
    if known.is_none() && !shared {
        set.append(
            header::SET_COOKIE,
            cookies::set(app, CSRF_COOKIE, &csrf, None),
        );
    }
    set.entry(header::VARY)
        .or_insert(HeaderValue::from_static("Cookie, Accept-Language"));
    response
}

/// A kiosk or a counter display is set up once by opening its page with
/// `?device=TOKEN`: a valid device token becomes the browser's session
/// cookie (for a year) and the page is opened again without it, so the
/// token does not stay in the address bar or the history.
async fn adopt_device(state: &AppState, device: Option<(String, String)>) -> Option<Response> {
    use crate::app::auth::Principal;
    use crate::domain::role::DeviceKind;
    let (token, path) = device?;
    let principal = crate::app::auth::authenticate(&state.app, &token)
        .await
        .ok()?;
    // Only on a device's own page: a link elsewhere must not swap a
    // person's session for a device's.
    let Principal::Device { kind, site, .. } = principal else {
        return None;
    };
    let own_page = match kind {
        DeviceKind::Kiosk => path
            .strip_prefix("/kiosk/")
            .is_some_and(|rest| rest.split('/').next() == Some(site.as_str())),
        DeviceKind::Display => path.starts_with("/counter-display/"),
    };
    if !own_page {
        return None;
    }
    let cookie = cookies::set(
        &state.app,
        crate::http::auth::SESSION_COOKIE,
        &token,
        Some(365 * 86_400),
    );
    let mut response = axum::response::Redirect::to(&path).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Some(response)
}

/// JSON text made safe for a `<script type="application/json">` block:
/// `<`, `>` and `&` (which JSON only has inside strings) become `\u`
/// escapes, so no text can end the block or switch the HTML parser into
/// another script state.
pub fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A rendered page; a template that fails to render is logged and a 500.
/// The page, answered at `status` where one is given (a refused form's).
pub fn render_at(page: &impl Template, status: Option<StatusCode>) -> Response {
    let mut response = render(page);
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    response
}

pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    f: Frame,
    status: u16,
    message: String,
}

/// An error shown as a page in the visitor's language, with the status
/// docs/api.md gives the same error.
pub struct PageError {
    /// Boxed: handlers return `Result<_, PageError>`, and a frame is large.
    pub frame: Box<Frame>,
    pub error: AppError,
}

impl PageError {
    pub fn new(frame: &Frame, error: impl Into<AppError>) -> Self {
        Self {
            frame: Box::new(frame.clone()),
            error: error.into(),
        }
    }
}

/// A use case's error as the error page in the visitor's language:
/// `sites::get(app, id).await.or_page(&f)?`.
pub trait OrPage<T> {
    fn or_page(self, frame: &Frame) -> Result<T, PageError>;
}

impl<T, E: Into<AppError>> OrPage<T> for Result<T, E> {
    fn or_page(self, frame: &Frame) -> Result<T, PageError> {
        self.map_err(|error| PageError::new(frame, error))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = crate::http::error::status_of(&self.error);
        if let AppError::RateLimited { retry_after_secs } = self.error {
            told_to_wait(retry_after_secs);
        }
        let tr = self.frame.tr;
        let message = match status {
            StatusCode::NOT_FOUND => tr.s("common.not_found").to_owned(),
            StatusCode::UNAUTHORIZED => tr.s("common.login_needed").to_owned(),
            StatusCode::FORBIDDEN => tr.s("common.forbidden").to_owned(),
            s if s.is_server_error() => tr.s("common.unavailable").to_owned(),
            _ => self.error.to_string(),
        };
        if status.is_server_error() {
            tracing::error!(error = ?self.error, "page failed");
        }
        let page = ErrorPage {
            f: *self.frame,
            status: status.as_u16(),
            message,
        };
        let mut response = render(&page);
        *response.status_mut() = status;
        response
    }
}

#[cfg(test)]
mod tests {
    use super::script_json;

    #[test]
    fn script_json_cannot_end_or_confuse_its_script_block() {
        let json = serde_json::json!({"text": "<!--<script></script> & co"}).to_string();
        let safe = script_json(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["text"], "<!--<script></script> & co");
    }
}
