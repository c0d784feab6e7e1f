//! The addresses an office's monthly report is mailed to: set by admins,
//! at most `MAX` per office, each a valid e-mail address.

use crate::app::auth::Principal;
use crate::app::sites::SiteContext;
use crate::app::{App, AppResult};
use crate::domain::Invalid;
use crate::store::report_mailings::OFFICES;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Addresses per office at most.
pub const MAX: usize = 10;

/// The addresses of one office.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipients {
    /// E-mail addresses, at most 10; duplicates count once.
    #[schema(max_items = 10, example = json!(["pachalik@example.ma"]))]
    pub addresses: Vec<String>,
}

/// The addresses of `site`: for admins.
pub async fn get(app: &App, who: &Principal, site: &str) -> AppResult<Recipients> {
    who.require_admin()?;
    SiteContext::load(app, site).await?;
    Ok(Recipients {
        addresses: OFFICES.recipients(&app.db, site).await?,
    })
}

/// Replaces the addresses of `site`: for admins. An invalid address, or
/// more than `MAX`, changes nothing.
pub async fn set(
    app: &App,
    who: &Principal,
    site: &str,
    input: &Recipients,
) -> AppResult<Recipients> {
    who.require_admin()?;
    let addresses = parse(&input.addresses)?;
    SiteContext::load(app, site).await?;
    let mut tx = app.db.begin().await?;
    OFFICES
        .set_recipients(&mut tx, site, &addresses, app.clock.now_ms())
        .await?;
    tx.commit().await?;
    Ok(Recipients { addresses })
}

/// Trimmed, lower-cased, sorted and deduplicated; refused if one is not
/// an address or there are more than `MAX`.
pub fn parse(input: &[String]) -> Result<Vec<String>, Invalid> {
    let too_many = || Invalid::new("addresses", format!("at most {MAX} addresses"));
    if input.len() > 4 * MAX {
        return Err(too_many());
    }
    let mut addresses = Vec::new();
    for value in input {
        let address = crate::app::appointments::parse_email(value).map_err(|_| {
            let shown: String = value.trim().chars().take(60).collect();
            Invalid::new("addresses", format!("{shown:?} is not an e-mail address"))
        })?;
        addresses.push(address.to_lowercase());
    }
    addresses.sort();
    addresses.dedup();
    if addresses.len() > MAX {
        return Err(too_many());
    }
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_kept_once() {
        let got = parse(&[
            " B@Example.ma".into(),
            "b@example.ma".into(),
            "a@x.ma".into(),
        ]);
        assert_eq!(got.unwrap(), vec!["a@x.ma", "b@example.ma"]);
        assert!(parse(&["not an address".into()]).is_err());
        assert!(parse(&["a@localhost".into()]).is_err());
        let many: Vec<String> = (0..11).map(|i| format!("p{i}@example.ma")).collect();
        assert!(parse(&many).is_err());
    }
}
