//! Partners (other administrations that push the status of their files),
//! their files, and the signatures of the pushes already taken.

use super::StoreError;
use super::rows::{self, execute, values};
use super::{Db, Tx};
use crate::{read, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// JSON list of the sites whose kiosks show the partner's files.
    pub sites: String,
    /// Signs the partner's pushes; kept as given (the signature needs it).
    pub secret: String,
    /// Keys the hashes of the holders' identifiers; never changes.
    pub holder_key: String,
    pub created_at: i64,
    pub secret_rotated_at: Option<i64>,
    pub disabled_at: Option<i64>,
}

const PARTNER: &str =
    "id, name, name_ar, sites, secret, holder_key, created_at, secret_rotated_at, disabled_at";

values! { PartnerRow { id, name, name_ar, sites, secret, holder_key, created_at, secret_rotated_at, disabled_at } }

/// `Conflict` if the id is taken.
pub async fn insert(tx: &mut Tx, p: &PartnerRow) -> Result<(), StoreError> {
    p.insert_into(tx, "partners").await
}

pub async fn get(db: &Db, id: &str) -> Result<Option<PartnerRow>, StoreError> {
    let sql = format!("SELECT {PARTNER} FROM partners WHERE id = $1");
    rows::one(db, &sql, id).await
}

/// Every partner, disabled ones included, by id.
pub async fn list(db: &Db) -> Result<Vec<PartnerRow>, StoreError> {
    let sql = format!("SELECT {PARTNER} FROM partners ORDER BY id");
    Ok(read!(db, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Renames a partner and sets its sites; `false` if there is no such one.
pub async fn update(
    tx: &mut Tx,
    id: &str,
    name: &str,
    name_ar: Option<&str>,
    sites: &str,
) -> Result<bool, StoreError> {
    let changed = execute!(
        tx,
        "UPDATE partners SET name = $2, name_ar = $3, sites = $4 WHERE id = $1",
        id,
        name,
        name_ar,
        sites
    )?;
    Ok(changed == 1)
}

/// Replaces a live partner's secret; `false` if there is no such one.
pub async fn set_secret(tx: &mut Tx, id: &str, secret: &str, now: i64) -> Result<bool, StoreError> {
    let changed = execute!(
        tx,
        "UPDATE partners SET secret = $2, secret_rotated_at = $3
         WHERE id = $1 AND disabled_at IS NULL",
        id,
        secret,
        now
    )?;
    Ok(changed == 1)
}

/// Stops a partner's pushes and hides its files; `false` if there is no
/// such live one.
pub async fn disable(tx: &mut Tx, id: &str, now: i64) -> Result<bool, StoreError> {
    let changed = execute!(
        tx,
        "UPDATE partners SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL",
        id,
        now
    )?;
    Ok(changed == 1)
}

/// A partner's file, as last pushed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub partner_id: String,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub label_fr: String,
    pub label_ar: String,
    pub ready_at: Option<i64>,
    pub version: i64,
    /// HMAC-SHA256 of the holder's identifier, keyed by the partner's
    /// `holder_key`.
    pub holder_hash: String,
    pub phone: Option<String>,
    pub lang: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const FILE: &str = "partner_id, reference, kind, status, label_fr, label_ar, ready_at, version,
    holder_hash, phone, lang, created_at, updated_at";

/// A file read inside the push that may change it, locked where the
/// backend has row locks.
pub async fn file_locked(
    tx: &mut Tx,
    partner: &str,
    reference: &str,
) -> Result<Option<FileRow>, StoreError> {
    let sql = format!(
        "SELECT {FILE} FROM partner_files WHERE partner_id = $1 AND reference = $2{}",
        tx.lock_rows()
    );
    Ok(write!(tx, |c| sqlx::query_as(&sql)
        .bind(partner)
        .bind(reference)
        .fetch_optional(c)
        .await)?)
}

/// Writes a file unless the stored one has the same version or a newer
/// one: `false` when it was kept.
pub async fn upsert_file(tx: &mut Tx, f: &FileRow) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO partner_files ({FILE})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (partner_id, reference) DO UPDATE SET
             kind = excluded.kind, status = excluded.status,
             label_fr = excluded.label_fr, label_ar = excluded.label_ar,
             ready_at = excluded.ready_at, version = excluded.version,
             holder_hash = excluded.holder_hash, phone = excluded.phone,
             lang = excluded.lang, updated_at = excluded.updated_at
         WHERE partner_files.version < excluded.version"
    );
    let changed = execute!(
        tx,
        &sql,
        &f.partner_id,
        &f.reference,
        &f.kind,
        &f.status,
        &f.label_fr,
        &f.label_ar,
        f.ready_at,
        f.version,
        &f.holder_hash,
        &f.phone,
        &f.lang,
        f.created_at,
        f.updated_at
    )?;
    Ok(changed == 1)
}

/// The files with this reference, of every partner.
pub async fn files_by_reference(db: &Db, reference: &str) -> Result<Vec<FileRow>, StoreError> {
    let sql = format!("SELECT {FILE} FROM partner_files WHERE reference = $1 ORDER BY partner_id");
    rows::all(db, &sql, reference).await
}

/// A file as the pool reads it (tests and the admin side).
pub async fn file(db: &Db, partner: &str, reference: &str) -> Result<Option<FileRow>, StoreError> {
    let sql = format!("SELECT {FILE} FROM partner_files WHERE partner_id = $1 AND reference = $2");
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(partner)
        .bind(reference)
        .fetch_optional(c)
        .await)?)
}

/// Records an accepted push's signature, after forgetting those seen
/// before `forget_before` (their timestamps can no longer pass): `false`
/// if this one was already seen.
pub async fn remember_signature(
    tx: &mut Tx,
    partner: &str,
    signature: &str,
    now: i64,
    forget_before: i64,
) -> Result<bool, StoreError> {
    execute!(
        tx,
        "DELETE FROM partner_signatures WHERE seen_at < $1",
        forget_before
    )?;
    let added = execute!(
        tx,
        "INSERT INTO partner_signatures (partner_id, signature, seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (partner_id, signature) DO NOTHING",
        partner,
        signature,
        now
    )?;
    Ok(added == 1)
}
