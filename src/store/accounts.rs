//! Staff accounts and the bearer tokens of users, devices and citizens.
//! Tokens are kept only as their SHA-256: a leaked table opens no session.

use super::StoreError;
use super::rows::execute;
use super::{Db, Tx};
use crate::domain::role::{DeviceKind, Role};
use crate::{read, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub site_id: Option<String>,
    /// When the account was disabled; `None` while it may log in.
    pub disabled_at: Option<i64>,
}

/// Whom a token speaks for, joined with the account or device behind it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    /// `user`, `device` or `citizen`.
    pub kind: String,
    pub subject: String,
    /// When the token was issued.
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub user_role: Option<Role>,
    pub user_site: Option<String>,
    /// A province account's province.
    pub user_province: Option<String>,
    pub device_kind: Option<DeviceKind>,
    pub device_site: Option<String>,
    pub device_seen: Option<i64>,
}

/// One account by its username, read from a pool or inside a change.
const USER_BY_NAME: &str =
    "SELECT username, password_hash, role, site_id, disabled_at FROM users WHERE username = $1";

pub async fn user(db: &Db, username: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(USER_BY_NAME)
            .bind(username)
            .fetch_optional(c)
            .await
    })?)
}

/// Creates the user or resets its password, role, site and whether it is
/// disabled; a reset ends the user's open sessions.
pub async fn upsert_user(tx: &mut Tx, user: &UserRow, now: i64) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO users (username, password_hash, role, site_id, created_at, updated_at,
                                disabled_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6)
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,
                 role = excluded.role, site_id = excluded.site_id, updated_at = excluded.updated_at,
                 disabled_at = excluded.disabled_at",
        &user.username,
        &user.password_hash,
        user.role,
        &user.site_id,
        now,
        user.disabled_at
    )?;
    revoke_subject(tx, "user", &user.username).await
}

pub async fn insert_token(
    tx: &mut Tx,
    token_hash: &str,
    kind: &str,
    subject: &str,
    now: i64,
    expires_at: Option<i64>,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO auth_tokens (token_hash, kind, subject, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        token_hash,
        kind,
        subject,
        now,
        expires_at
    )?;
    Ok(())
}

pub async fn token(db: &Db, token_hash: &str) -> Result<Option<TokenRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT t.kind, t.subject, t.created_at, t.expires_at,
                    u.role AS user_role, u.site_id AS user_site,
                    u.province_id AS user_province,
                    d.kind AS device_kind, d.site_id AS device_site, d.last_seen_at AS device_seen
             FROM auth_tokens t
             LEFT JOIN users u ON t.kind = 'user' AND u.username = t.subject
                                  AND u.disabled_at IS NULL
             LEFT JOIN devices d ON t.kind = 'device' AND d.id = t.subject AND d.revoked_at IS NULL
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await
    })?)
}

pub async fn delete_token(
    tx: &mut Tx,
    token_hash: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_as("DELETE FROM auth_tokens WHERE token_hash = $1 RETURNING kind, subject")
            .bind(token_hash)
            .fetch_optional(c)
            .await
    })?)
}

/// Ends every token of one user, device or citizen.
pub async fn revoke_subject(tx: &mut Tx, kind: &str, subject: &str) -> Result<(), StoreError> {
    execute!(
        tx,
        "DELETE FROM auth_tokens WHERE kind = $1 AND subject = $2",
        kind,
        subject
    )?;
    Ok(())
}

/// The staff accounts, of one site when `site` is given, by username.
pub async fn users(db: &Db, site: Option<&str>) -> Result<Vec<UserRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT username, password_hash, role, site_id, disabled_at FROM users
             WHERE CAST($1 AS TEXT) IS NULL OR site_id = CAST($1 AS TEXT)
             ORDER BY username",
        )
        .bind(site)
        .fetch_all(c)
        .await
    })?)
}

/// The account inside a change to it.
pub async fn user_in(tx: &mut Tx, username: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_as(USER_BY_NAME)
            .bind(username)
            .fetch_optional(c)
            .await
    })?)
}

/// A new account; a taken username is a unique violation.
pub async fn insert_user(tx: &mut Tx, user: &UserRow, now: i64) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO users (username, password_hash, role, site_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
        &user.username,
        &user.password_hash,
        user.role,
        &user.site_id,
        now
    )?;
    Ok(())
}

/// Removes an account and ends its sessions.
pub async fn delete_user(tx: &mut Tx, username: &str) -> Result<(), StoreError> {
    revoke_subject(tx, "user", username).await?;
    execute!(tx, "DELETE FROM users WHERE username = $1", username)?;
    Ok(())
}
