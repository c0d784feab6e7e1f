//! The lobby announcements of a site, edited by its admins and supervisors:
//! news, procedure changes, documents to bring, each in French and Arabic,
//! shown in turn on the lobby displays between calls. Reading them is
//! public (the lobby shows them to anyone).

use super::auth::Principal;
use super::{App, AppResult};
use crate::domain::role::Role;
use crate::domain::{Invalid, parse_label};
use crate::secrets::new_id;
use crate::store::{self, announcements::AnnouncementRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Announcements a site may have at once: a display shows each for some
/// seconds, so more would never come round.
pub const MAX_ANNOUNCEMENTS: usize = 20;
/// Characters of one announcement in one language: what reads from across
/// a lobby in one screen.
pub const MAX_CHARS: usize = 280;

/// One announcement in both office languages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Announcement {
    pub text_fr: String,
    pub text_ar: String,
}

/// A site's whole list, in screen order.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Announcements {
    pub announcements: Vec<Announcement>,
}

/// The active announcements of a site, in order (public).
pub async fn list(app: &App, site: &str) -> AppResult<Announcements> {
    super::sites::require(app, site).await?;
    let rows = store::announcements::active_of_site(&app.db, site).await?;
    Ok(Announcements {
        announcements: rows
            .into_iter()
            .map(|r| Announcement {
                text_ar: r.text_ar.unwrap_or_default(),
                text_fr: r.text_fr,
            })
            .collect(),
    })
}

/// Replaces a site's announcements (admin, or supervisor of the site).
/// Invalid input changes nothing.
pub async fn replace(
    app: &App,
    who: &Principal,
    site: &str,
    input: Announcements,
) -> AppResult<Announcements> {
    who.require_staff(site, &[Role::Supervisor])?;
    super::sites::require(app, site).await?;
    let checked = parse(input)?;
    let now = app.clock.now_ms();
    let rows: Vec<AnnouncementRow> = checked
        .announcements
        .iter()
        .zip(0..)
        .map(|(a, position)| AnnouncementRow {
            id: new_id(),
            site_id: site.to_owned(),
            text_fr: a.text_fr.clone(),
            text_ar: Some(a.text_ar.clone()),
            position,
            active: true,
            created_at: now,
        })
        .collect();
    let mut tx = app.db.begin().await?;
    store::announcements::replace(&mut tx, site, &rows).await?;
    tx.commit().await?;
    Ok(checked)
}

/// Trims each text and checks the list's length and each text's.
fn parse(input: Announcements) -> Result<Announcements, Invalid> {
    if input.announcements.len() > MAX_ANNOUNCEMENTS {
        return Err(Invalid::new(
            "announcements",
            format!("at most {MAX_ANNOUNCEMENTS} announcements"),
        ));
    }
    let announcements = input
        .announcements
        .into_iter()
        .map(|a| {
            Ok(Announcement {
                text_fr: parse_label("text_fr", &a.text_fr, MAX_CHARS)?,
                text_ar: parse_label("text_ar", &a.text_ar, MAX_CHARS)?,
            })
        })
        .collect::<Result<_, Invalid>>()?;
    Ok(Announcements { announcements })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(fr: &str, ar: &str) -> Announcement {
        Announcement {
            text_fr: fr.to_owned(),
            text_ar: ar.to_owned(),
        }
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        let parsed = parse(Announcements {
            announcements: vec![one("  Fermé vendredi ", "مغلق يوم الجمعة")],
        })
        .unwrap();
        assert_eq!(parsed.announcements[0].text_fr, "Fermé vendredi");
        let empty_ar = parse(Announcements {
            announcements: vec![one("Fermé", " ")],
        });
        assert_eq!(empty_ar.unwrap_err().field, "text_ar");
        let long = "x".repeat(MAX_CHARS + 1);
        assert!(
            parse(Announcements {
                announcements: vec![one(&long, "نص")]
            })
            .is_err()
        );
        let many = vec![one("a", "ب"); MAX_ANNOUNCEMENTS + 1];
        assert!(
            parse(Announcements {
                announcements: many
            })
            .is_err()
        );
    }
}
