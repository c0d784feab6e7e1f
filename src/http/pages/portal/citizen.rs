//! What the citizen's own forms and follow pages share (document requests,
//! complaints, the waitlist): the phone-code step, errors said in the
//! visitor's language, local dates in words, and the offices to choose from.
//!
//! The phone-code step works without JavaScript. The first submit runs the
//! use case without a code: where the site verifies phones it stops at the
//! missing code before writing anything, which checks every other field
//! first, and only then is a code sent. The page comes back asking for the
//! code with the fields kept; the second submit runs the use case with it.

use super::super::frame::{Frame, PageError};
use super::super::i18n::{Lang, Tr};
use super::booking::dates;
use crate::app::sites::{self, SiteView};
use crate::app::{App, AppError, AppResult, otp};
use crate::domain::phone::Phone;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Deserializer};

/// The phone-code fields every citizen form carries, flattened into its
/// own: the phone (read as typed, `06…` as well as `+212…`), the code and
/// the button pressed.
#[derive(Debug, Default, Deserialize)]
pub struct Proof {
    #[serde(default, deserialize_with = "typed_phone")]
    pub phone: String,
    #[serde(default)]
    pub otp: String,
    #[serde(default)]
    pub step: String,
}

impl Proof {
    /// Runs this submit where the office does or does
    /// not `verify` phones.
    pub async fn run<T, F>(
        &self,
        verify: bool,
        app: &App,
        f: &Frame,
        client: &str,
        act: impl FnOnce(Option<String>) -> F,
    ) -> Result<Outcome<T>, PageError>
    where
        F: Future<Output = AppResult<T>>,
    {
        let step = Submit::new(verify, &self.step, &self.phone, &self.otp);
        match step.before(app, f, client).await {
            Some(outcome) => Ok(outcome),
            None => {
                let result = act(step.code()).await;
                step.after(app, f, client, result).await
            }
        }
    }
}

fn typed_phone<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d).map(|typed| super::booking::phone_input(&typed))
}

/// What a form page shows of the phone-code step.
#[derive(Debug, Clone, Default)]
pub struct CodeStep {
    /// The office asks for a code sent by SMS.
    pub verify: bool,
    /// The page asks for the code now (the other fields ride along hidden).
    pub shown: bool,
    /// The phone the code went to, as the citizen typed it.
    pub phone: String,
}

impl CodeStep {
    /// The step on a form's first showing: no code asked yet.
    pub fn first(verify: bool) -> Self {
        Self {
            verify,
            ..Self::default()
        }
    }
}

/// Where a filed record's confirmation is: `{base}/{reference}/filed`,
/// with the token it was given.
pub fn filed_at(base: &str, reference: &str, token: Option<String>) -> String {
    let token = token.unwrap_or_default();
    format!("{base}/{reference}/filed?token={token}")
}

/// How a form submit ended.
pub enum Outcome<T> {
    /// The use case ran: redirect to its confirmation.
    Done(T),
    /// Show the form again, with a notice or an error, at this status.
    Again {
        code: CodeStep,
        notice: Option<String>,
        error: Option<String>,
        status: StatusCode,
    },
}

impl<T> Outcome<T> {
    /// The answer: a redirect to `to(done)`, or the form again as `page`
    /// draws it from the code step, notice and error, at its status.
    pub fn answer(
        self,
        to: impl FnOnce(T) -> String,
        page: impl FnOnce(CodeStep, Option<String>, Option<String>) -> Response,
    ) -> Response {
        match self {
            Self::Done(done) => Redirect::to(&to(done)).into_response(),
            Self::Again {
                code,
                notice,
                error,
                status,
            } => {
                let mut response = page(code, notice, error);
                *response.status_mut() = status;
                response
            }
        }
    }
}

/// One submit of a form. `step` is the button pressed: `send` (the first
/// submit), `submit` (with the code), `resend` (a new code) or `edit` (back
/// to the fields). [`Proof::run`] runs the handler's use case, given the
/// code, unless the button asks for something else first.
struct Submit<'a> {
    verify: bool,
    step: &'a str,
    phone: &'a str,
    typed: &'a str,
}

impl<'a> Submit<'a> {
    /// The submit of the button `step`, with the `phone` and the code
    /// `typed`, where the office does or does not `verify` phones.
    fn new(verify: bool, step: &'a str, phone: &'a str, typed: &'a str) -> Self {
        Self {
            verify,
            step,
            phone,
            typed,
        }
    }

    fn code_given(&self) -> bool {
        self.step == "submit" && !self.typed.trim().is_empty()
    }

    /// The code to run the use case with.
    fn code(&self) -> Option<String> {
        self.code_given().then(|| self.typed.trim().to_owned())
    }

    fn again<T>(
        &self,
        tr: Tr,
        shown: bool,
        notice: Option<String>,
        error: Option<&AppError>,
    ) -> Outcome<T> {
        Outcome::Again {
            code: CodeStep {
                verify: self.verify,
                shown,
                phone: self.phone.trim().to_owned(),
            },
            notice,
            error: error.map(|e| say(tr, e)),
            status: error.map_or(StatusCode::OK, crate::http::error::status_of),
        }
    }

    /// The outcome when the use case is not to run at all.
    async fn before<T>(&self, app: &App, f: &Frame, client: &str) -> Option<Outcome<T>> {
        let tr = f.tr;
        match self.step {
            "edit" => Some(self.again(tr, false, None, None)),
            "resend" => Some(match send_code(app, f, client, self.phone).await {
                Ok(notice) => self.again(tr, true, Some(notice), None),
                Err(error) => self.again(tr, true, None, Some(&error)),
            }),
            "submit" if self.verify && !self.code_given() => {
                let missing = crate::domain::Invalid::new("otp", "asks for a code");
                Some(self.again(tr, true, None, Some(&missing.into())))
            }
            _ => None,
        }
    }

    /// The outcome of the use case's `result`.
    async fn after<T>(
        &self,
        app: &App,
        f: &Frame,
        client: &str,
        result: AppResult<T>,
    ) -> Result<Outcome<T>, PageError> {
        let tr = f.tr;
        let code_given = self.code_given();
        match result {
            Ok(done) => Ok(Outcome::Done(done)),
            Err(error) if is_page_error(&error) => Err(PageError::new(f, error)),
            // The code was the one thing missing: every other field is right.
            Err(AppError::Invalid(ref invalid)) if invalid.field == "otp" && !code_given => {
                Ok(match send_code(app, f, client, self.phone).await {
                    Ok(notice) => self.again(tr, true, Some(notice), None),
                    Err(error) => self.again(tr, false, None, Some(&error)),
                })
            }
            Err(error) => {
                let about_code = matches!(&error, AppError::Invalid(i) if i.field == "otp")
                    || matches!(error, AppError::RateLimited { .. });
                Ok(self.again(tr, code_given && about_code, None, Some(&error)))
            }
        }
    }
}

async fn send_code(app: &App, f: &Frame, client: &str, phone: &str) -> AppResult<String> {
    otp::send(app, &Phone::parse(phone)?, f.lang.code(), client).await?;
    // Isolated left-to-right, so that "+212…" keeps its "+" in Arabic.
    let phone = format!("\u{2066}{}\u{2069}", phone.trim());
    Ok(f.tr.f("portal.code.sent", phone))
}

/// Errors that are no fault of the form's fields get an error page.
fn is_page_error(error: &AppError) -> bool {
    matches!(
        error,
        AppError::NotFound(_) | AppError::Forbidden(_) | AppError::Unauthorized(_)
    )
}

/// An error of a form, in the visitor's language.
pub fn say(tr: Tr, error: &AppError) -> String {
    let known = |key: String| {
        let text = tr.s(&key);
        (text != key).then(|| text.to_owned())
    };
    match error {
        // The code's failures differ only in their message (app::otp).
        AppError::Invalid(invalid) if invalid.field == "otp" => {
            let message = invalid.message.as_str();
            let key = if message.contains("too many") {
                "portal.error.otp_tries"
            } else if message.contains("no valid code") || message.contains("already used") {
                "portal.error.otp_expired"
            } else if message.contains("asks for a code") {
                "portal.error.otp_missing"
            } else {
                "portal.error.otp_wrong"
            };
            tr.s(key).to_owned()
        }
        AppError::Invalid(invalid) => known(format!("portal.error.invalid_{}", invalid.field))
            .unwrap_or_else(|| tr.s("portal.error.invalid").to_owned()),
        AppError::Conflict { code, .. } => known(format!("portal.error.{code}"))
            .unwrap_or_else(|| tr.s("portal.error.conflict").to_owned()),
        AppError::RateLimited { retry_after_secs } => {
            crate::http::pages::frame::told_to_wait(*retry_after_secs);
            let wait = if *retry_after_secs < 60 {
                tr.f("portal.unit.seconds", retry_after_secs)
            } else {
                tr.f("common.minutes", retry_after_secs.div_ceil(60))
            };
            tr.f("portal.error.rate_limited", wait)
        }
        _ => tr.s("common.unavailable").to_owned(),
    }
}

/// A local day (`YYYY-MM-DD`) in words: "jeudi 3 décembre 2026".
pub fn long_date(lang: Lang, day: &str) -> String {
    match jiff::civil::Date::strptime("%Y-%m-%d", day) {
        Ok(date) => dates::long_day(lang, date),
        Err(_) => day.to_owned(),
    }
}

/// A local instant (RFC 3339 with the site's offset) as its day in words
/// and its wall-clock time: "jeudi 3 décembre 2026, 10:05".
pub fn date_time(lang: Lang, at: &str) -> String {
    dates::when(lang, at)
}

pub use super::booking::name_in as local_name;

/// Every office with its services, for the citizen to choose from.
pub async fn offices(app: &App) -> AppResult<Vec<SiteView>> {
    let offices = crate::app::directory::offices(app).await?;
    let mut all = Vec::with_capacity(offices.len());
    for office in offices {
        all.push(sites::get(app, &office.id).await?);
    }
    Ok(all)
}

/// A reference or token typed by hand: trimmed, and refused unless made
/// of the characters ours are made of.
pub fn clean_code(typed: &str, max: usize) -> Option<String> {
    let code = typed.trim();
    let ok = !code.is_empty()
        && code.len() <= max
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| code.to_owned())
}

/// Back to `{base}/{reference}{page}?token=…`, for a reference and token
/// made of their own characters only (without the token if it is not).
pub fn again(base: &str, reference: &str, page: &str, token: &str) -> Response {
    let to = match (clean_code(reference, 40), clean_code(token, 200)) {
        (Some(reference), Some(token)) => format!("{base}/{reference}{page}?token={token}"),
        (Some(reference), None) => format!("{base}/{reference}{page}"),
        _ => base.to_owned(),
    };
    Redirect::to(&to).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_each_language() {
        assert_eq!(long_date(Lang::Fr, "2026-12-03"), "jeudi 3 décembre 2026");
        assert_eq!(long_date(Lang::Ar, "2026-12-03"), "الخميس 3 دجنبر 2026");
        assert_eq!(
            date_time(Lang::En, "2026-11-26T10:05:00+01:00"),
            "Thursday 26 November 2026, 10:05"
        );
        assert_eq!(
            date_time(Lang::Ar, "2026-11-26T10:05:00+01:00"),
            "الخميس 26 نونبر 2026، 10:05"
        );
        assert_eq!(long_date(Lang::Fr, "not a day"), "not a day");
    }

    #[test]
    fn typed_codes_are_checked() {
        assert_eq!(clean_code(" DR-AB12CD ", 40).as_deref(), Some("DR-AB12CD"));
        assert_eq!(clean_code("a/b", 40), None);
        assert_eq!(clean_code("", 40), None);
    }
}
