//! Managing staff accounts from the admin pages: listing, creating,
//! changing a role or site, resetting a password, disabling and enabling,
//! removing. An admin
//! manages every account; a supervisor only the agents of their own site,
//! so only an admin ever makes an admin or a supervisor. A change that
//! touches an account ends its open sessions, and closes this instance's
//! live sockets opened with them at once (other instances' within
//! `live::sessions::RECHECK`).

use super::auth::{Principal, hash_password};
use super::{App, AppError, AppResult};
use crate::domain::role::Role;
use crate::domain::{Invalid, slug::Slug};
use crate::store::{self, accounts::UserRow};

/// One account as the pages show it; never its password hash.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub username: String,
    pub role: Role,
    pub site: Option<String>,
    /// Whether the account is disabled: it cannot log in.
    pub disabled: bool,
}

/// A new account as typed in the form.
#[derive(Debug, Default)]
pub struct NewAccount {
    pub username: String,
    pub role: String,
    pub site: Option<String>,
    pub password: String,
    pub password_again: String,
}

/// The accounts the caller may see: all for an admin, those of the
/// supervisor's site for a supervisor.
pub async fn list(app: &App, who: &Principal) -> AppResult<Vec<AccountView>> {
    let scope = scope_of(who)?;
    let rows = store::accounts::users(&app.db, scope.as_deref()).await?;
    Ok(rows.into_iter().filter_map(view).collect())
}

pub async fn create(app: &App, who: &Principal, input: NewAccount) -> AppResult<AccountView> {
    let (role, site) = parse_place(&input.role, input.site.as_deref())?;
    may_manage(who, role, site.as_deref())?;
    let username = Slug::parse("username", &input.username)?.to_string();
    check_password(&username, &input.password, &input.password_again)?;
    require_site(app, site.as_deref()).await?;
    let password_hash = hash(input.password).await?;
    let row = UserRow {
        username,
        password_hash,
        role,
        site_id: site,
        disabled_at: None,
    };
    let mut tx = app.db.begin().await?;
    if store::accounts::user_in(&mut tx, &row.username)
        .await?
        .is_some()
    {
        return Err(taken(&row.username));
    }
    store::accounts::insert_user(&mut tx, &row, app.clock.now_ms())
        .await
        .map_err(|e| AppError::unless_conflict(e, || taken(&row.username)))?;
    tx.commit().await?;
    view(row).ok_or(AppError::NotFound("user"))
}

/// Gives an account another role or site; its sessions end.
pub async fn change(
    app: &App,
    who: &Principal,
    username: &str,
    role: &str,
    site: Option<&str>,
) -> AppResult<AccountView> {
    let (role, site) = parse_place(role, site)?;
    not_yourself(who, username)?;
    may_manage(who, role, site.as_deref())?;
    require_site(app, site.as_deref()).await?;
    let mut tx = app.db.begin().await?;
    let mut row = managed(&mut tx, who, username).await?;
    row.role = role;
    row.site_id = site;
    store::accounts::upsert_user(&mut tx, &row, app.clock.now_ms()).await?;
    tx.commit().await?;
    sessions_ended(app, username);
    view(row).ok_or(AppError::NotFound("user"))
}

/// Sets a new password; the account's sessions end.
pub async fn reset_password(
    app: &App,
    who: &Principal,
    username: &str,
    password: &str,
    again: &str,
) -> AppResult<()> {
    check_password(username, password, again)?;
    let password_hash = hash(password.to_owned()).await?;
    let mut tx = app.db.begin().await?;
    let mut row = managed(&mut tx, who, username).await?;
    row.password_hash = password_hash;
    store::accounts::upsert_user(&mut tx, &row, app.clock.now_ms()).await?;
    tx.commit().await?;
    sessions_ended(app, username);
    Ok(())
}

/// Disables an account, ending its sessions, or enables it again. The
/// account stays, with its name in the history, but cannot log in while
/// disabled. Refused for one's own account and while the person works at
/// a counter; asking for the state it already has changes nothing.
pub async fn set_disabled(
    app: &App,
    who: &Principal,
    username: &str,
    disabled: bool,
) -> AppResult<()> {
    not_yourself(who, username)?;
    let mut tx = app.db.begin().await?;
    let mut row = managed(&mut tx, who, username).await?;
    if row.disabled_at.is_some() == disabled {
        return Ok(());
    }
    if disabled {
        not_at_counter(&mut tx, username).await?;
    }
    row.disabled_at = disabled.then(|| app.clock.now_ms());
    store::accounts::upsert_user(&mut tx, &row, app.clock.now_ms()).await?;
    tx.commit().await?;
    sessions_ended(app, username);
    Ok(())
}

/// Removes an account and ends its sessions. Refused while the person
/// works at a counter: the counter must be closed first.
pub async fn remove(app: &App, who: &Principal, username: &str) -> AppResult<()> {
    not_yourself(who, username)?;
    let mut tx = app.db.begin().await?;
    managed(&mut tx, who, username).await?;
    not_at_counter(&mut tx, username).await?;
    store::accounts::delete_user(&mut tx, username).await?;
    tx.commit().await?;
    sessions_ended(app, username);
    Ok(())
}

/// The account's sessions were just ended: its live sockets close too
/// (named as `Principal::actor` names a user).
fn sessions_ended(app: &App, username: &str) {
    super::auth::sessions_ended(app, format!("user:{username}"));
}

/// Refuses while the person holds a counter: it must be closed first.
async fn not_at_counter(tx: &mut store::Tx, username: &str) -> AppResult<()> {
    match store::counters::held_by(tx, username).await? {
        Some(counter) => Err(AppError::conflict(
            "user_at_counter",
            format!("{username} works at counter {counter}; close it first"),
        )),
        None => Ok(()),
    }
}

/// `None` for an admin (every site), the own site for a supervisor.
fn scope_of(who: &Principal) -> AppResult<Option<String>> {
    match who {
        Principal::User {
            role: Role::Admin, ..
        } => Ok(None),
        Principal::User {
            role: Role::Supervisor,
            site: Some(site),
            ..
        } => Ok(Some(site.clone())),
        _ => Err(AppError::Forbidden("admins and supervisors only")),
    }
}

/// Whether the caller may give an account this role and site.
fn may_manage(who: &Principal, role: Role, site: Option<&str>) -> AppResult<()> {
    match scope_of(who)? {
        None => Ok(()),
        Some(own) if role == Role::Agent && site == Some(own.as_str()) => Ok(()),
        Some(_) => Err(AppError::Forbidden(
            "a supervisor manages only the agents of their site",
        )),
    }
}

/// The account, locked for the change, if the caller may manage it as it is.
async fn managed(tx: &mut store::Tx, who: &Principal, username: &str) -> AppResult<UserRow> {
    let row = store::accounts::user_in(tx, username)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    let role = row.role;
    match may_manage(who, role, row.site_id.as_deref()) {
        // A supervisor does not learn about accounts outside their reach.
        Err(_) if scope_of(who)?.is_some_and(|own| row.site_id.as_deref() != Some(&own)) => {
            Err(AppError::NotFound("user"))
        }
        result => result.map(|()| row),
    }
}

fn not_yourself(who: &Principal, username: &str) -> AppResult<()> {
    if who.username() == Some(username) {
        return Err(AppError::conflict(
            "own_account",
            "you cannot change your own role, disable or remove yourself",
        ));
    }
    Ok(())
}

/// The role, and the site it needs (none for an admin).
fn parse_place(role: &str, site: Option<&str>) -> Result<(Role, Option<String>), Invalid> {
    let role = Role::parse(role)?;
    if role == Role::Province {
        return Err(Invalid::new(
            "role",
            "a province account is made on its province's page",
        ));
    }
    let site = site.map(str::trim).filter(|s| !s.is_empty());
    match (role.needs_site(), site) {
        (true, None) => Err(Invalid::new("site", "supervisors and agents need a site")),
        (false, Some(_)) => Err(Invalid::new("site", "an admin is not tied to a site")),
        (_, site) => Ok((role, site.map(str::to_owned))),
    }
}

async fn require_site(app: &App, site: Option<&str>) -> AppResult<()> {
    if let Some(site) = site {
        store::sites::get(&app.db, site)
            .await?
            .ok_or_else(|| Invalid::new("site", format!("no site {site:?}")))?;
    }
    Ok(())
}

/// At least 10 characters, not too repetitive, not built on the
/// username, typed the same twice.
fn check_password(username: &str, password: &str, again: &str) -> Result<(), Invalid> {
    if password.chars().count() < 10 || password.chars().count() > 200 {
        return Err(Invalid::new("password", "between 10 and 200 characters"));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return Err(Invalid::new("password", "too easy to guess"));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Invalid::new("password", "must not contain the username"));
    }
    if password != again {
        return Err(Invalid::new("password_again", "the two passwords differ"));
    }
    Ok(())
}

async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
}

fn taken(username: &str) -> AppError {
    AppError::conflict("user_exists", format!("user {username} already exists"))
}

fn view(row: UserRow) -> Option<AccountView> {
    Some(AccountView {
        role: row.role,
        username: row.username,
        site: row.site_id,
        disabled: row.disabled_at.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_must_be_long_varied_and_typed_twice() {
        assert!(check_password("nadia", "short", "short").is_err());
        assert!(check_password("nadia", "aaaaaaaaaaaa", "aaaaaaaaaaaa").is_err());
        assert!(check_password("nadia", "nadia-2026-x", "nadia-2026-x").is_err());
        let differ = check_password("nadia", "Tajine-rouge-42", "Tajine-rouge-43");
        assert_eq!(differ.map_err(|e| e.field), Err("password_again"));
        assert!(check_password("nadia", "Tajine-rouge-42", "Tajine-rouge-42").is_ok());
    }

    #[test]
    fn a_supervisor_manages_only_agents_of_their_site() {
        let sup = Principal::User {
            username: "s".into(),
            role: Role::Supervisor,
            site: Some("anfa".into()),
        };
        assert!(may_manage(&sup, Role::Agent, Some("anfa")).is_ok());
        assert!(may_manage(&sup, Role::Agent, Some("maarif")).is_err());
        assert!(may_manage(&sup, Role::Supervisor, Some("anfa")).is_err());
        assert!(may_manage(&sup, Role::Admin, None).is_err());
    }
}
