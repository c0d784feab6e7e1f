//! `/admin/users`: the staff accounts (an admin sees all, a supervisor
//! those of their site), creating one, changing its role or site,
//! resetting its password, disabling or enabling it and removing it,
//! through `app::accounts`.

use super::fields::Fields;
use super::{created, flash_of, saved, submit, with_status};
use crate::app::accounts::{self, AccountView, NewAccount};
use crate::app::{AppError, AppResult, console};
use crate::domain::role::Role;
use crate::http::AppState;
use crate::http::pages::admin::{Admin, FormError, Nav, Staff};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(show).post(create))
        .route("/admin/users/{username}", post(change))
        .route("/admin/users/{username}/password", post(password))
        .route("/admin/users/{username}/disable", post(disable))
        .route("/admin/users/{username}/enable", post(enable))
        .route("/admin/users/{username}/remove", post(remove))
}

#[derive(Template)]
#[template(path = "admin_setup_users.html")]
struct UsersPage {
    f: Frame,
    nav: Nav,
    me: String,
    accounts: Vec<AccountView>,
    /// `(id, name)` of the sites an account may be given.
    sites: Vec<(String, String)>,
    roles: Vec<&'static str>,
    /// The new account's values as typed (never its password).
    username: String,
    role: String,
    site: String,
    error: Option<FormError>,
    /// Which form the error is about: `new` or an account's username.
    error_for: String,
    flash: Option<&'static str>,
}

impl UsersPage {
    fn role_name(&self, role: &Role) -> String {
        self.f
            .tr
            .s(&format!("admin.setup.user.role_{}", role.as_str()))
            .to_owned()
    }

    fn role_label(&self, role: &str) -> String {
        self.f
            .tr
            .s(&format!("admin.setup.user.role_{role}"))
            .to_owned()
    }

    /// Whether the caller may change this account (never their own role).
    fn manages(&self, account: &AccountView) -> bool {
        account.username != self.me && (self.nav.is_admin || account.role == Role::Agent)
    }

    fn error_here(&self, form: &str) -> Option<&FormError> {
        self.error.as_ref().filter(|_| self.error_for == form)
    }
}

async fn show(admin: Admin) -> Response {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let blank = Fields::default();
    page(&state, frame.for_office(), &staff, &blank, None, "").await
}

async fn create(admin: Admin, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let input = NewAccount {
        username: form.get("username").trim().to_owned(),
        role: form.get("role").to_owned(),
        site: form.opt("site"),
        password: form.get("password").to_owned(),
        password_again: form.get("password_again").to_owned(),
    };
    let name = format!("user:{}", input.username);
    let act = accounts::create(&state.app, &staff.who, input);
    let done = |_| created("/admin/users", name);
    let again = |frame, error| page(&state, frame, &staff, &form, Some(error), "new");
    submit(frame, None, act, done, again).await
}

async fn change(
    admin: Admin,
    Path(username): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Response {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let site = form.opt("site");
    let result = accounts::change(
        &state.app,
        &staff.who,
        &username,
        form.get("role"),
        site.as_deref(),
    )
    .await;
    on_account(state, frame, staff, &username, result.map(drop), "saved").await
}

async fn password(
    admin: Admin,
    Path(username): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Response {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let result = accounts::reset_password(
        &state.app,
        &staff.who,
        &username,
        form.get("password"),
        form.get("password_again"),
    )
    .await;
    on_account(state, frame, staff, &username, result, "saved").await
}

async fn disable(
    admin: Admin,
    Path(username): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Response {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    set_disabled(state, frame, staff, &username, true).await
}

async fn enable(
    admin: Admin,
    Path(username): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Response {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    set_disabled(state, frame, staff, &username, false).await
}

async fn set_disabled(
    state: AppState,
    frame: Frame,
    staff: Staff,
    username: &str,
    disabled: bool,
) -> Response {
    let result = accounts::set_disabled(&state.app, &staff.who, username, disabled).await;
    let flash = if disabled { "disabled" } else { "enabled" };
    on_account(state, frame, staff, username, result, flash).await
}

async fn remove(
    admin: Admin,
    Path(username): Path<String>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Response {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let result = accounts::remove(&state.app, &staff.who, &username).await;
    on_account(state, frame, staff, &username, result, "removed").await
}

/// After a form of one account's row: its errors are shown beside it.
async fn on_account(
    state: AppState,
    frame: Frame,
    staff: Staff,
    username: &str,
    result: AppResult<()>,
    flash: &str,
) -> Response {
    let form = Fields::default();
    let done = |()| saved("/admin/users", flash);
    let again = |frame, error| page(&state, frame, &staff, &form, Some(error), username);
    submit(frame, None, async { result }, done, again).await
}

async fn page(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    form: &Fields,
    error: Option<FormError>,
    error_for: &str,
) -> Response {
    let read = async {
        let nav = staff.nav(state, &frame, None).await?;
        let accounts = accounts::list(&state.app, &staff.who).await?;
        let sites = console::sites_of(&state.app, &staff.who).await?;
        Ok::<_, AppError>((nav, accounts, sites))
    };
    let (nav, accounts, sites) = match read.await {
        Ok(found) => found,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    let roles = if staff.is_admin {
        vec!["agent", "supervisor", "admin"]
    } else {
        vec!["agent"]
    };
    let page = UsersPage {
        flash: flash_of(&frame),
        f: frame,
        me: staff.username.clone(),
        accounts,
        sites,
        roles,
        username: form.get("username").to_owned(),
        role: form.get("role").to_owned(),
        site: form.get("site").to_owned(),
        error: error.clone(),
        error_for: error_for.to_owned(),
        nav,
    };
    with_status(render(&page), &error)
}
