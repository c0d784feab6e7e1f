//! Who is calling: staff logins, device tokens, and the rules of who may
//! touch which site.

use super::{App, AppError, AppResult, rate_limit};
use crate::domain::role::{DeviceKind, Role};
use crate::secrets::{hash_token, new_token};
use crate::store::{self, accounts::UserRow};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

/// How long a staff session lasts: one working day and then some.
pub const SESSION_HOURS: i64 = 12;

/// The caller of a request, once its token is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User {
        username: String,
        role: Role,
        site: Option<String>,
    },
    Device {
        id: String,
        kind: DeviceKind,
        site: String,
    },
    Citizen {
        phone: String,
    },
    /// A province account: reads (never changes) the sites of its province.
    Province {
        username: String,
        province: String,
        /// The province's sites when the request came in.
        sites: Vec<String>,
    },
}

impl Principal {
    /// How the event log and audit name this caller.
    pub fn actor(&self) -> String {
        match self {
            Self::User { username, .. } | Self::Province { username, .. } => {
                format!("user:{username}")
            }
            Self::Device { id, .. } => format!("device:{id}"),
            Self::Citizen { .. } => "citizen".to_owned(),
        }
    }

    pub fn require_admin(&self) -> AppResult<()> {
        match self {
            Self::User {
                role: Role::Admin, ..
            } => Ok(()),
            _ => Err(AppError::Forbidden("only an admin may do this")),
        }
    }

    /// Admins pass everywhere; staff with one of `roles` pass on their site.
    pub fn require_staff(&self, site: &str, roles: &[Role]) -> AppResult<()> {
        match self {
            Self::User {
                role: Role::Admin, ..
            } => Ok(()),
            Self::User {
                role,
                site: Some(own),
                ..
            } if roles.contains(role) && own == site => Ok(()),
            Self::Province { sites, .. }
                if roles.contains(&Role::Province) && sites.iter().any(|s| s == site) =>
            {
                Ok(())
            }
            Self::User { .. } | Self::Province { .. } => Err(AppError::Forbidden(
                "not allowed for your role on this site",
            )),
            _ => Err(AppError::Forbidden("staff only")),
        }
    }

    /// A staff member of the site, or a device of that kind at the site.
    pub fn require_staff_or_device(
        &self,
        site: &str,
        roles: &[Role],
        kinds: &[DeviceKind],
    ) -> AppResult<()> {
        match self {
            Self::Device {
                kind, site: own, ..
            } if kinds.contains(kind) && own == site => Ok(()),
            Self::Device { .. } => Err(AppError::Forbidden("this device may not do this")),
            _ => self.require_staff(site, roles),
        }
    }

    pub fn username(&self) -> Option<&str> {
        match self {
            Self::User { username, .. } | Self::Province { username, .. } => Some(username),
            _ => None,
        }
    }
}

const DEVICE_IDLE_MESSAGE: &str = "this device's token has expired, unused for too long: \
     an admin must give the device a new token";

/// The answer to a device token unused for `GUICHET_DEVICE_IDLE_DAYS`.
pub const DEVICE_IDLE: AppError = AppError::Unauthorized(DEVICE_IDLE_MESSAGE);

/// Whether `error` is a device token's expiry, which a device's page says.
pub fn is_device_idle(error: &AppError) -> bool {
    matches!(error, AppError::Unauthorized(m) if *m == DEVICE_IDLE_MESSAGE)
}

/// Resolves a bearer token to its principal.
pub async fn authenticate(app: &App, token: &str) -> AppResult<Principal> {
    const BAD: AppError = AppError::Unauthorized("invalid or expired token");
    let hash = hash_token(token);
    let row = app
        .caches
        .tokens
        .get_or_make(&hash, || async {
            store::accounts::token(&app.db, &hash).await?.ok_or(BAD)
        })
        .await?
        .value;
    if row.expires_at.is_some_and(|at| at <= app.clock.now_ms()) {
        return Err(BAD);
    }
    match row.kind.as_str() {
        "user" if row.user_role == Some(Role::Province) => {
            let province = row.user_province.clone().ok_or(BAD)?;
            let sites = store::provinces::site_ids(&app.db, &province).await?;
            Ok(Principal::Province {
                username: row.subject.clone(),
                province,
                sites,
            })
        }
        "user" => Ok(Principal::User {
            role: row.user_role.ok_or(BAD)?,
            site: row.user_site.clone(),
            username: row.subject.clone(),
        }),
        "device" => {
            let now = app.clock.now_ms();
            let kind = row.device_kind.ok_or(BAD)?;
            let site = row.device_site.clone().ok_or(BAD)?;
            // Unused (neither issued nor seen) for too long: dead until an
            // admin gives the device a new token.
            let used = row.device_seen.unwrap_or(0).max(row.created_at);
            if used <= now - i64::from(app.policy.device_idle_days) * 86_400_000 {
                return Err(DEVICE_IDLE);
            }
            if row
                .device_seen
                .is_none_or(|at| at <= now - store::devices::SEEN_EVERY_MS)
            {
                super::devices::seen(app, &row.subject).await;
                // The row remembered says when the device was seen before
                // this: read it again next time, or a device used only
                // now and then would look idle.
                app.caches.tokens.forget(&hash);
            }
            Ok(Principal::Device {
                kind,
                site,
                id: row.subject.clone(),
            })
        }
        "citizen" => Ok(Principal::Citizen {
            phone: row.subject.clone(),
        }),
        _ => Err(BAD),
    }
}

/// A successful login: the bearer token and who it is for.
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub username: String,
    pub role: Role,
    pub site: Option<String>,
}

/// The answer to the right password of a disabled account.
pub const DISABLED: AppError = AppError::Forbidden("this account is disabled");

/// Checks a password; repeated failures for one username or from one client
/// are refused for a while, and unknown users cost as much as wrong passwords
/// so that timing does not tell which usernames exist.
pub async fn login(app: &App, username: &str, password: &str, client: &str) -> AppResult<Session> {
    const WRONG: AppError = AppError::Unauthorized("unknown user or wrong password");
    let now = app.clock.now_ms();
    let keys = [
        (rate_limit::LOGIN_FAILURES_PER_IP, client),
        (rate_limit::LOGIN_FAILURES_PER_USER, username),
    ];
    // The places are taken before the password is hashed: however many
    // tries arrive together, no more than the limit are ever checked.
    for (rule, subject) in keys {
        app.guards.limits.hit(rule, subject, now).await?;
    }
    let user = store::accounts::user(&app.db, username).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let password = password.to_owned();
    // One hash a core at a time: a crowd of logins waits its turn instead
    // of taking every core from the requests being served.
    let _turn = app
        .guards
        .password_checks
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let matches =
        tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(WRONG);
    };
    app.guards
        .limits
        .clear(rate_limit::LOGIN_FAILURES_PER_USER, username)
        .await;
    app.guards
        .limits
        .take_back(rate_limit::LOGIN_FAILURES_PER_IP, client)
        .await;
    // Said only to whoever knows the password, so it reveals no account.
    if user.disabled_at.is_some() {
        return Err(DISABLED);
    }
    let role = user.role;
    let token = new_token();
    let mut tx = app.db.begin().await?;
    let expires = now + SESSION_HOURS * 3_600_000;
    store::accounts::insert_token(
        &mut tx,
        &hash_token(&token),
        "user",
        &user.username,
        now,
        Some(expires),
    )
    .await?;
    tx.commit().await?;
    Ok(Session {
        token,
        username: user.username,
        role,
        site: user.site_id,
    })
}

/// Ends the session or device token that made the call.
pub async fn logout(app: &App, token: &str) -> AppResult<()> {
    let hash = hash_token(token);
    let mut tx = app.db.begin().await?;
    let ended = store::accounts::delete_token(&mut tx, &hash).await?;
    tx.commit().await?;
    app.caches.tokens.forget(&hash);
    // The sockets this session opened close now; the account's other
    // sessions keep theirs (each socket checks its own token).
    if let Some((kind, subject)) = ended.filter(|(kind, _)| kind != "citizen") {
        app.live.hub.end_sessions(format!("{kind}:{subject}"));
    }
    Ok(())
}

/// The sessions of `actor` (as `Principal::actor` names an account or a
/// device) were just ended or changed: no token this instance remembers
/// speaks for them any more, and their live sockets here close.
pub(crate) fn sessions_ended(app: &App, actor: String) {
    app.caches.tokens.forget_all();
    app.live.hub.end_sessions(actor);
}

/// Creates a user or resets its password, role and site, enabling it again
/// (`guichet user add`).
pub async fn add_user(
    app: &App,
    username: &str,
    role: Role,
    site: Option<&str>,
    password: &str,
) -> AppResult<()> {
    if role == Role::Province {
        return Err(
            crate::domain::Invalid::new("province", "a province account needs --province").into(),
        );
    }
    save_user(app, username, role, site, None, password).await
}

/// Creates a province account reading `province`'s sites, or resets its
/// password and province (`guichet user add NAME --role province
/// --province P`).
pub async fn add_province_user(
    app: &App,
    username: &str,
    province: &str,
    password: &str,
) -> AppResult<()> {
    store::provinces::get(&app.db, province)
        .await?
        .ok_or(AppError::NotFound("province"))?;
    save_user(
        app,
        username,
        Role::Province,
        None,
        Some(province),
        password,
    )
    .await
}

async fn save_user(
    app: &App,
    username: &str,
    role: Role,
    site: Option<&str>,
    province: Option<&str>,
    password: &str,
) -> AppResult<()> {
    let username = crate::domain::slug::Slug::parse("username", username)?;
    if password.chars().count() < 10 {
        return Err(crate::domain::Invalid::new("password", "at least 10 characters").into());
    }
    let site = match (role.needs_site(), site) {
        (true, None) => {
            return Err(
                crate::domain::Invalid::new("site", "supervisors and agents need --site").into(),
            );
        }
        (false, Some(_)) => {
            return Err(
                crate::domain::Invalid::new("site", "an admin is not tied to a site").into(),
            );
        }
        (_, site) => site,
    };
    if let Some(site) = site {
        store::sites::get(&app.db, site)
            .await?
            .ok_or(AppError::NotFound("site"))?;
    }
    let password = password.to_owned();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let user = UserRow {
        username: username.to_string(),
        password_hash,
        role,
        site_id: site.map(str::to_owned),
        // The operator's reset is also how a disabled account comes back.
        disabled_at: None,
    };
    let mut tx = app.db.begin().await?;
    store::accounts::upsert_user(&mut tx, &user, app.clock.now_ms()).await?;
    store::provinces::set_user_province(&mut tx, &user.username, province).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// An argon2 hash of nothing anyone knows, verified when a user is unknown.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$2Pda6mEzXQhp7Kqj1N6TjFEmTaR1TO6YYXx6mPXyI/A";

/// Verifies against the stored hash, or against a fixed one when there is no
/// user, so that both cases take the same time.
fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let hash = stored.unwrap_or(DECOY_HASH);
    let verified = PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    verified && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, site: Option<&str>) -> Principal {
        Principal::User {
            username: "u".into(),
            role,
            site: site.map(Into::into),
        }
    }

    #[test]
    fn site_scoping() {
        let admin = user(Role::Admin, None);
        let sup = user(Role::Supervisor, Some("anfa"));
        let agent = user(Role::Agent, Some("anfa"));
        let kiosk = Principal::Device {
            id: "k".into(),
            kind: DeviceKind::Kiosk,
            site: "anfa".into(),
        };
        assert!(admin.require_staff("maarif", &[Role::Supervisor]).is_ok());
        assert!(sup.require_staff("anfa", &[Role::Supervisor]).is_ok());
        assert!(sup.require_staff("maarif", &[Role::Supervisor]).is_err());
        assert!(agent.require_staff("anfa", &[Role::Supervisor]).is_err());
        assert!(kiosk.require_staff("anfa", &[Role::Agent]).is_err());
        assert!(
            kiosk
                .require_staff_or_device("anfa", &[Role::Agent], &[DeviceKind::Kiosk])
                .is_ok()
        );
        assert!(
            kiosk
                .require_staff_or_device("maarif", &[Role::Agent], &[DeviceKind::Kiosk])
                .is_err()
        );
        assert!(
            kiosk
                .require_staff_or_device("anfa", &[Role::Agent], &[DeviceKind::Display])
                .is_err()
        );
        assert!(admin.require_admin().is_ok());
        assert!(sup.require_admin().is_err());
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong", Some(&hash)));
        assert!(!verify_password("anything", None));
        assert!(
            PasswordHash::new(DECOY_HASH).is_ok(),
            "the decoy must cost a real verification"
        );
    }
}
