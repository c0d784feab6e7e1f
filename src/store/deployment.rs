//! The deployment's name: one random id, made by the first instance to ask.

use super::Db;
use super::StoreError;
use super::rows::execute;
use crate::read;

/// This deployment's id, created on first use; every instance on the same
/// database reads the same one.
pub async fn id(db: &Db) -> Result<String, StoreError> {
    let candidate = crate::secrets::new_id();
    let mut tx = db.begin().await?;
    execute!(
        &mut tx,
        "INSERT INTO deployment (singleton, id) VALUES (1, $1) ON CONFLICT (singleton) DO NOTHING",
        &candidate
    )?;
    tx.commit().await?;
    Ok(read!(db, |c| {
        sqlx::query_scalar("SELECT id FROM deployment WHERE singleton = 1")
            .fetch_one(c)
            .await
    })?)
}
