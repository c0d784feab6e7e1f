//! What a citizen's filed records share (document requests, complaints):
//! the phone proved by its code where the office verifies phones, a
//! reference to quote and a token that reads the record, the local day it
//! is filed, and the transaction that uses the code up.

use super::otp;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::phone::Phone;
use crate::secrets::{hash_token, human_code, new_id, new_token};
use crate::store::Tx;

/// A record being filed, before its row is written.
pub(super) struct Filing {
    /// The code that proves the phone, used up by the transaction.
    proof: Option<otp::Proof>,
    pub id: String,
    /// `{prefix}-XXXXXX`, what the citizen quotes.
    pub reference: String,
    /// Given once, in the answer; only its hash is stored.
    pub token: String,
    pub now: i64,
}

impl Filing {
    /// Starts filing a record referenced `{prefix}-…` at the site of
    /// `context`. Where the site verifies phones, `code` must prove the
    /// `phone` given, unless `seen` (an agent at the counter has seen the
    /// citizen); a record without a phone has nothing to prove.
    pub async fn begin(
        app: &App,
        context: &SiteContext,
        prefix: &str,
        phone: Option<&Phone>,
        code: Option<&str>,
        seen: bool,
    ) -> AppResult<Self> {
        let proof = match (phone, seen, context.row.verify_phone) {
            (Some(phone), false, true) => Some(otp::check(app, phone, code).await?),
            _ => None,
        };
        Ok(Self {
            proof,
            id: new_id(),
            reference: format!("{prefix}-{}", human_code(6)),
            token: new_token(),
            now: app.clock.now_ms(),
        })
    }

    pub fn token_hash(&self) -> String {
        hash_token(&self.token)
    }

    /// The local day it is filed, at the site of `context`.
    pub fn today(&self, context: &SiteContext) -> AppResult<jiff::civil::Date> {
        jiff::civil::Date::strptime("%Y-%m-%d", context.day_of(self.now))
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// The transaction that writes the record, with the code used up in it.
    pub async fn open(&self, app: &App) -> AppResult<Tx> {
        let mut tx = app.db.begin().await?;
        if let Some(proof) = &self.proof {
            otp::use_up(&mut tx, proof, self.now).await?;
        }
        Ok(tx)
    }
}
