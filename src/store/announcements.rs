//! The lobby announcements of a site: short notices in French and Arabic
//! that its lobby displays rotate between calls. A site's list is replaced
//! as a whole, in one transaction.

use super::StoreError;
use super::rows::execute;
use super::{Db, Tx};
use crate::{read, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnnouncementRow {
    pub id: String,
    pub site_id: String,
    pub text_fr: String,
    pub text_ar: Option<String>,
    /// Order on the screen, from 0.
    pub position: i64,
    pub active: bool,
    pub created_at: i64,
}

/// The active announcements of a site, in screen order.
pub async fn active_of_site(db: &Db, site: &str) -> Result<Vec<AnnouncementRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT id, site_id, text_fr, text_ar, position, active, created_at
             FROM announcements WHERE site_id = $1 AND active ORDER BY position, id",
        )
        .bind(site)
        .fetch_all(c)
        .await
    })?)
}

/// Puts `rows` in place of every announcement of the site.
pub async fn replace(tx: &mut Tx, site: &str, rows: &[AnnouncementRow]) -> Result<(), StoreError> {
    write!(tx, |c| {
        sqlx::query("DELETE FROM announcements WHERE site_id = $1")
            .bind(site)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for row in rows {
        execute!(tx, "INSERT INTO announcements (id, site_id, text_fr, text_ar, position, active, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)", &row.id, &row.site_id, &row.text_fr, &row.text_ar, row.position, row.active, row.created_at)?;
    }
    Ok(())
}
