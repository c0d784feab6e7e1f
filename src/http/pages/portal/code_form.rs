//! The page of a citizen's form with the phone-code step (the remote-queue
//! join, the waitlist), drawn the same way for each: first with no code
//! asked, then after each submit until the use case is done. A form's page
//! struct holds its frame and a [`CodeForm`], and reaches the form's parts
//! through `Deref` ([`code_form_page!`]), so its template names `about`,
//! `values`, `code`, `notice` and `error` as its own.

use super::citizen::{CodeStep, Outcome};
use crate::http::pages::frame::{Frame, render};
use askama::Template;
use axum::response::Response;

/// What a form's page shows besides its frame.
pub struct CodeForm<A, V> {
    /// The office and service the form is about.
    pub about: A,
    /// The fields as typed.
    pub values: V,
    pub code: CodeStep,
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// A form's page, made from its frame and its form.
pub trait CodeFormPage: Template + Sized {
    type About;
    type Fields;

    fn of(f: Frame, form: CodeForm<Self::About, Self::Fields>) -> Self;

    /// The form's first showing, with `values`, where the office does or
    /// does not `verify` phones.
    fn first(f: Frame, about: Self::About, values: Self::Fields, verify: bool) -> Response {
        render(&Self::of(
            f,
            CodeForm {
                about,
                values,
                code: CodeStep::first(verify),
                notice: None,
                error: None,
            },
        ))
    }

    /// The answer to a submit: a redirect to `to(done)`, or the form again
    /// with the `values` typed, at the outcome's status.
    fn answer<T>(
        f: Frame,
        about: Self::About,
        values: Self::Fields,
        outcome: Outcome<T>,
        to: impl FnOnce(T) -> String,
    ) -> Response {
        outcome.answer(to, |code, notice, error| {
            let form = CodeForm {
                about,
                values,
                code,
                notice,
                error,
            };
            render(&Self::of(f, form))
        })
    }
}

/// Makes `$page { f: Frame, form: CodeForm<$about, $fields> }` a
/// [`CodeFormPage`] whose template reaches the form's parts by name.
macro_rules! code_form_page {
    ($page:ident, $about:ty, $fields:ty) => {
        impl ::std::ops::Deref for $page {
            type Target = $crate::http::pages::portal::code_form::CodeForm<$about, $fields>;

            fn deref(&self) -> &Self::Target {
                &self.form
            }
        }

        impl $crate::http::pages::portal::code_form::CodeFormPage for $page {
            type About = $about;
            type Fields = $fields;

            fn of(
                f: $crate::http::pages::frame::Frame,
                form: $crate::http::pages::portal::code_form::CodeForm<$about, $fields>,
            ) -> Self {
                Self { f, form }
            }
        }
    };
}
pub(crate) use code_form_page;
