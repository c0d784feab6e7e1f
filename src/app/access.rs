//! Who may read or act on what a citizen holds (an appointment, a request,
//! a complaint): the holder of its secret token, the citizen whose phone it
//! is (logged in, or texting from it), or staff of its site in some roles.
//! Anyone else is told it does not exist.

use super::auth::Principal;
use crate::domain::role::Role;
use crate::secrets::{constant_time_eq, hash_token};

#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub who: Option<&'a Principal>,
    /// The token given when it was made (a header of the request).
    pub token: Option<&'a str>,
}

impl Access<'_> {
    /// Whether this caller may see the thing whose token hashes to
    /// `token_hash`, held by `phone`, at `site`, where staff in `roles` may.
    pub fn allows(
        &self,
        token_hash: &str,
        phone: Option<&str>,
        site: &str,
        roles: &[Role],
    ) -> bool {
        let holder = self
            .token
            .is_some_and(|token| constant_time_eq(&hash_token(token), token_hash));
        let citizen = matches!(self.who, Some(Principal::Citizen { phone: own }) if Some(own.as_str()) == phone);
        let staff = self
            .who
            .is_some_and(|who| who.require_staff(site, roles).is_ok());
        holder || citizen || staff
    }
}
