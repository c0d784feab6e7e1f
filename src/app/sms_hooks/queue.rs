//! Joining a walk-in queue by SMS (`FILE A`, `FILE anfa certificat-residence`,
//! `طابور A`) and leaving it (`ANNULER` alone). The words name the office
//! by its id (needed only when the number serves several offices, in any
//! order with the service) and the service by its prefix letter, its id,
//! its kind or its name. The sender, proven by the provider's signature,
//! is the phone the ticket is for: no code is asked.

use super::queue_replies::{self as say, Joined};
use crate::app::remote_queue::{self, JoinRequest, Via};
use crate::app::sites::SiteContext;
use crate::app::{App, AppError, AppResult};
use crate::domain::phone::Phone;
use crate::store::{self, services::ServiceRow};

/// Offices named in a "which office" answer at most: an SMS stays short.
const MAX_LISTED_OFFICES: usize = 12;
/// Services named in a "which service" answer at most.
const MAX_LISTED_SERVICES: usize = 10;

/// The answer to a join: the ticket, or why not, in `lang`.
pub async fn join(
    app: &App,
    from: &str,
    words: &[String],
    lang: &'static str,
) -> AppResult<String> {
    let (site, rest) = match office(app, words).await? {
        Ok(found) => found,
        Err(offices) => return Ok(say::which_office(lang, &offices)),
    };
    let context = SiteContext::load(app, &site).await?;
    let offered: Vec<&ServiceRow> = context
        .services
        .iter()
        .filter(|s| open_to_remote(s))
        .collect();
    let named = (words.len() > rest.len()).then_some(site.as_str());
    let which = || {
        let listed = offered.iter().take(MAX_LISTED_SERVICES);
        let listed: Vec<(String, String)> = listed
            .map(|s| (s.prefix.clone(), name_in(s, lang).to_owned()))
            .collect();
        say::which_service(lang, named, &listed)
    };
    let Some(service) = service(&offered, &rest) else {
        return Ok(which());
    };
    let Ok(phone) = Phone::parse(from) else {
        // The provider always sends a full number; anything else cannot hold a ticket.
        return Ok(super::replies::help(lang));
    };
    let request = JoinRequest {
        service: service.id.clone(),
        phone,
        lang,
    };
    match remote_queue::join(app, &site, request, Via::Sms).await {
        Ok(t) => Ok(say::joined(
            lang,
            &Joined {
                number: &t.number,
                service: name_in(service, lang),
                ahead: t.position.map_or(0, |p| (p - 1).max(0)),
                estimated_wait_s: t.estimated_wait_s.unwrap_or(0),
                track_url: &t.track_url,
            },
        )),
        Err(AppError::Conflict { code, .. }) => Ok(match code {
            "already_in_queue" => say::already(lang),
            "remote_share_full" => say::share_full(lang, name_in(service, lang)),
            "queue_closing" => say::closing(lang),
            "site_closed" => say::site_closed(lang),
            _ => which(),
        }),
        Err(AppError::Invalid(_)) => Ok(which()),
        Err(AppError::RateLimited { .. }) => Ok(say::too_many(lang)),
        Err(other) => Err(other),
    }
}

/// The answer to `ANNULER` alone: the sender's ticket joined from afar is
/// cancelled.
pub async fn leave(app: &App, from: &str, lang: &str) -> AppResult<String> {
    let Ok(phone) = Phone::parse(from) else {
        return Ok(say::nothing_to_leave(lang));
    };
    match remote_queue::leave(app, &phone, None).await {
        Ok(ticket) => Ok(say::left(lang, &ticket.number)),
        Err(AppError::NotFound(_)) => Ok(say::nothing_to_leave(lang)),
        Err(other) => Err(other),
    }
}

/// The office the words name, with the words left for the service; the
/// only office when there is one; else (`Err`) the offices to choose from.
async fn office(
    app: &App,
    words: &[String],
) -> AppResult<Result<(String, Vec<String>), Vec<String>>> {
    let sites = store::sites::list(&app.db).await?;
    let named = words.iter().position(|w| sites.iter().any(|s| s.id == *w));
    if let Some(at) = named {
        let mut rest = words.to_vec();
        let site = rest.remove(at);
        return Ok(Ok((site, rest)));
    }
    match sites.as_slice() {
        [only] => Ok(Ok((only.id.clone(), words.to_vec()))),
        _ => {
            let mut ids: Vec<String> = sites.into_iter().map(|s| s.id).collect();
            if ids.len() > MAX_LISTED_OFFICES {
                ids.truncate(MAX_LISTED_OFFICES);
                ids.push("…".to_owned());
            }
            Ok(Err(ids))
        }
    }
}

/// Whether the service takes tickets joined from afar.
fn open_to_remote(s: &ServiceRow) -> bool {
    s.walk_in && s.remote_share_percent > 0
}

/// The service the words name: its prefix letter, id or kind (words joined
/// by `-`), or its name in any language (words joined by spaces).
fn service<'a>(offered: &[&'a ServiceRow], words: &[String]) -> Option<&'a ServiceRow> {
    if words.is_empty() {
        return None;
    }
    let dashed = words.join("-");
    let spaced = words.join(" ");
    let same = |name: &Option<String>| name.as_deref().is_some_and(|n| n.to_lowercase() == spaced);
    offered.iter().copied().find(|s| {
        s.prefix.to_lowercase() == dashed
            || s.id == dashed
            || s.kind.as_deref() == Some(dashed.as_str())
            || s.name.to_lowercase() == spaced
            || same(&s.name_ar)
            || same(&s.name_en)
    })
}

/// A service's name in the language of the message.
fn name_in<'a>(s: &'a ServiceRow, lang: &str) -> &'a str {
    let named = match lang {
        "ar" => s.name_ar.as_deref(),
        "en" => s.name_en.as_deref(),
        _ => None,
    };
    named.filter(|n| !n.trim().is_empty()).unwrap_or(&s.name)
}
