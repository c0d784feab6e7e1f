//! Provinces (or prefectures): named sets of sites, and the province a
//! province account reads. A site is in at most one province
//! (`province_sites.site_id` is its key).

use super::rows::{self, execute};
use super::{Db, StoreError, Tx};
use crate::read;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProvinceRow {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub created_at: i64,
}

/// A site of a province, with what a comparison needs of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberSite {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub timezone: String,
}

const COLUMNS: &str = "id, name, name_ar, created_at";

pub async fn get(db: &Db, id: &str) -> Result<Option<ProvinceRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM provinces WHERE id = $1");
    rows::one(db, &sql, id).await
}

pub async fn list(db: &Db) -> Result<Vec<ProvinceRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM provinces ORDER BY id");
    Ok(read!(db, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Creates the province or renames it.
pub async fn upsert(tx: &mut Tx, row: &ProvinceRow) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO provinces (id, name, name_ar, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_ar = excluded.name_ar",
        &row.id,
        &row.name,
        &row.name_ar,
        row.created_at
    )?;
    Ok(())
}

/// The sites of a province, by id.
pub async fn sites(db: &Db, province: &str) -> Result<Vec<MemberSite>, StoreError> {
    rows::all(
        db,
        "SELECT s.id, s.name, s.name_ar, s.timezone
         FROM province_sites p JOIN sites s ON s.id = p.site_id
         WHERE p.province_id = $1 ORDER BY s.id",
        province,
    )
    .await
}

/// The ids of a province's sites, as a province account's scope.
pub async fn site_ids(db: &Db, province: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = rows::all(
        db,
        "SELECT site_id FROM province_sites WHERE province_id = $1 ORDER BY site_id",
        province,
    )
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// How many sites the province has, read inside a change to it.
pub async fn count_sites_in(tx: &mut Tx, province: &str) -> Result<i64, StoreError> {
    let (n,): (i64,) = crate::write!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM province_sites WHERE province_id = $1"
    )
    .bind(province)
    .fetch_one(c)
    .await)?;
    Ok(n)
}

/// Puts a site in the province, moving it from another one if it was.
pub async fn add_site(tx: &mut Tx, province: &str, site: &str, now: i64) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO province_sites (site_id, province_id, added_at) VALUES ($1, $2, $3)
         ON CONFLICT (site_id) DO UPDATE SET province_id = excluded.province_id,
             added_at = excluded.added_at",
        site,
        province,
        now
    )?;
    Ok(())
}

/// Takes a site out of the province: whether it was in it.
pub async fn remove_site(tx: &mut Tx, province: &str, site: &str) -> Result<bool, StoreError> {
    let n = execute!(
        tx,
        "DELETE FROM province_sites WHERE province_id = $1 AND site_id = $2",
        province,
        site
    )?;
    Ok(n > 0)
}

/// Gives a province account its province.
pub async fn set_user_province(
    tx: &mut Tx,
    username: &str,
    province: Option<&str>,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE users SET province_id = $2 WHERE username = $1",
        username,
        province
    )?;
    Ok(())
}
