//! The offices a citizen can choose from: the portal's first page. Public,
//! and only what a visitor may see (names), never the settings of a site.

use super::App;
use super::AppResult;
use crate::store;

/// One office as the directory lists it.
#[derive(Debug, Clone)]
pub struct Office {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
}

/// Every office, in the order of their ids.
pub async fn offices(app: &App) -> AppResult<Vec<Office>> {
    let rows = store::sites::list(&app.db).await?;
    Ok(rows
        .into_iter()
        .map(|row| Office {
            id: row.id,
            name: row.name,
            name_ar: row.name_ar,
        })
        .collect())
}
