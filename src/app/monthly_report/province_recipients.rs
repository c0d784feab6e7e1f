//! The addresses a province's monthly report is mailed to: set by admins,
//! at most `recipients::MAX` per province, each a valid e-mail address
//! (the rules of an office's, `recipients::parse`).

use super::recipients::{Recipients, parse};
use crate::app::auth::Principal;
use crate::app::{App, AppError, AppResult};
use crate::store;
use crate::store::report_mailings::PROVINCES;

/// The addresses of `province`: for admins.
pub async fn get(app: &App, who: &Principal, province: &str) -> AppResult<Recipients> {
    who.require_admin()?;
    exists(app, province).await?;
    Ok(Recipients {
        addresses: PROVINCES.recipients(&app.db, province).await?,
    })
}

/// Replaces the addresses of `province`: for admins. An invalid address,
/// or more than `recipients::MAX`, changes nothing.
pub async fn set(
    app: &App,
    who: &Principal,
    province: &str,
    input: &Recipients,
) -> AppResult<Recipients> {
    who.require_admin()?;
    let addresses = parse(&input.addresses)?;
    exists(app, province).await?;
    let mut tx = app.db.begin().await?;
    PROVINCES
        .set_recipients(&mut tx, province, &addresses, app.clock.now_ms())
        .await?;
    tx.commit().await?;
    Ok(Recipients { addresses })
}

async fn exists(app: &App, province: &str) -> AppResult<()> {
    store::provinces::get(&app.db, province)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound("province"))
}
