//! Files of other administrations (docs/partners.md): a partner pushes a
//! file's status, signed as Guichet signs its webhooks; a citizen follows
//! it at a kiosk of a site the partner chose, or on the portal, with its
//! reference and the holder's identifier.
//!
//! A push changes nothing unless its signature is the partner's (compared
//! in constant time), its timestamp is within 5 minutes of now, its
//! signature was not seen before, and its version is newer than the stored
//! one; the same version again is answered 200 and changes nothing. The
//! holder's identifier is kept only as a keyed hash; a phone, as other
//! phones are, to send the "ready" SMS once.

use super::auth::Principal;
use super::rate_limit::{
    FILE_FOLLOW_PER_IP, FILE_FOLLOW_PER_REFERENCE, PARTNER_PUSH_PER_IP, PARTNER_PUSH_PER_PARTNER,
};
use super::{App, AppError, AppResult};
use crate::domain::partner_file::{self, KINDS, PUSH_WINDOW_MS, STATUSES, one_of};
use crate::domain::role::DeviceKind;
use crate::domain::{Invalid, parse_label, phone::Phone};
use crate::notify::signature::webhook_signature;
use crate::notify::{self, messages};
use crate::secrets::{constant_time_eq, keyed_hash};
use crate::store::partners::{FileRow, PartnerRow};
use crate::store::{self, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest push body, in bytes.
pub const MAX_PUSH_BYTES: usize = 4 * 1024;

/// What every refused signature is told, whatever the reason.
const REFUSED: &str = "signature refused";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilePush {
    /// The partner's reference, as the citizen will type it: 1 to 40 of
    /// `A-Z 0-9 - / .` (lower case is taken as upper case).
    pub reference: String,
    /// `passport`, `national_id`, `weapon_permit`, `hunting_permit`,
    /// `driving_licence`, `residence_card` or `other`.
    pub kind: String,
    /// `received`, `processing`, `awaiting_documents`, `ready`,
    /// `delivered` or `rejected`.
    pub status: String,
    pub label: Label,
    /// When it is (or is expected to be) ready, RFC 3339.
    pub ready_at: Option<String>,
    /// Grows with each change of the file: 1 to 2^53.
    pub version: i64,
    /// The second identifier the citizen gives to follow the file (the
    /// national ID number): 1 to 32 letters and digits, spaces and dashes
    /// ignored. Only a keyed hash of it is kept.
    pub holder_id: String,
    /// Told by SMS when the file is ready (E.164, `+212…`).
    pub phone: Option<String>,
    /// The SMS's language: `fr` (default), `ar` or `en`.
    pub lang: Option<String>,
}

/// A label in the two office languages, 120 characters each at most.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub fr: String,
    pub ar: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PushOutcome {
    pub reference: String,
    /// The version now stored.
    pub version: i64,
    pub status: String,
    /// `false` when this version was already stored: nothing changed.
    pub changed: bool,
}

/// A push as it came: its two headers and its body, exactly as sent.
pub struct Signed<'a> {
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

/// Takes a partner's push from `client`.
pub async fn push(
    app: &App,
    client: &str,
    partner: &str,
    signed: Signed<'_>,
) -> AppResult<PushOutcome> {
    let now = app.clock.now_ms();
    app.guards
        .limits
        .hit(PARTNER_PUSH_PER_IP, client, now)
        .await?;
    let found = store::partners::get(&app.db, partner)
        .await?
        .filter(|p| p.disabled_at.is_none());
    let timestamp = signed
        .timestamp
        .filter(|t| t.len() <= 20)
        .and_then(|t| t.parse::<i64>().ok());
    let signature = signed.signature.filter(|s| s.len() <= 100);
    // The same work whether or not the partner exists.
    let secret = found
        .as_ref()
        .map_or("no partner has this secret", |p| p.secret.as_str());
    let expected = webhook_signature(secret, timestamp.unwrap_or(0), signed.body);
    let matches = constant_time_eq(&expected, signature.unwrap_or(""));
    let (Some(partner), Some(timestamp), Some(signature), true) =
        (found, timestamp, signature, matches)
    else {
        return Err(AppError::Unauthorized(REFUSED));
    };
    app.guards
        .limits
        .hit(PARTNER_PUSH_PER_PARTNER, &partner.id, now)
        .await?;
    if !partner_file::timestamp_is_fresh(timestamp, now) {
        return Err(AppError::Unauthorized(
            "stale timestamp: sign with the current time",
        ));
    }
    let input: FilePush = serde_json::from_slice(signed.body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Invalid::new("body", e.to_string()).into(),
        _ => AppError::Malformed(format!("invalid JSON body: {e}")),
    })?;
    let file = parse(&partner, input, now)?;
    let mut tx = app.db.begin().await?;
    let forget = now - 2 * PUSH_WINDOW_MS;
    if !store::partners::remember_signature(&mut tx, &partner.id, signature, now, forget).await? {
        return Err(AppError::conflict(
            "replayed",
            "this push was already received",
        ));
    }
    let stored = store::partners::file_locked(&mut tx, &partner.id, &file.reference).await?;
    if let Some(stored) = &stored {
        if stored.version > file.version {
            return Err(stale(stored.version));
        }
        if stored.version == file.version {
            // Already taken: the signature is kept, nothing else changes.
            tx.commit().await?;
            return Ok(outcome(stored, false));
        }
    }
    let mut row = file;
    if let Some(stored) = &stored {
        row.created_at = stored.created_at;
    }
    if !store::partners::upsert_file(&mut tx, &row).await? {
        // A push of the same file committed since it was read.
        let now_stored = store::partners::file_locked(&mut tx, &partner.id, &row.reference).await?;
        return match now_stored {
            Some(same) if same.version == row.version => {
                tx.commit().await?;
                Ok(outcome(&same, false))
            }
            _ => Err(stale(row.version)),
        };
    }
    tell_when_ready(&mut tx, &partner, &row, now).await?;
    tx.commit().await?;
    Ok(outcome(&row, true))
}

fn stale(stored: i64) -> AppError {
    AppError::conflict(
        "stale_version",
        format!("version {stored} or newer is already stored"),
    )
}

fn outcome(row: &FileRow, changed: bool) -> PushOutcome {
    PushOutcome {
        reference: row.reference.clone(),
        version: row.version,
        status: row.status.clone(),
        changed,
    }
}

/// Checks every field of a push; the file as it would be stored.
fn parse(partner: &PartnerRow, input: FilePush, now: i64) -> AppResult<FileRow> {
    let reference = partner_file::reference(&input.reference)?;
    let holder = partner_file::holder_id(&input.holder_id)?;
    let kind = one_of("kind", &input.kind, KINDS)?;
    let status = one_of("status", &input.status, STATUSES)?;
    if !(1..=(1_i64 << 53)).contains(&input.version) {
        return Err(Invalid::new("version", "1 to 2^53").into());
    }
    let ready_at = input
        .ready_at
        .as_deref()
        .map(|at| {
            let parsed = (at.len() <= 40).then(|| at.parse::<jiff::Timestamp>().ok());
            parsed
                .flatten()
                .map(|t| t.as_millisecond())
                .ok_or_else(|| Invalid::new("ready_at", "an RFC 3339 instant"))
        })
        .transpose()?;
    let phone = input
        .phone
        .as_deref()
        .map(|p| Phone::parse(p).map(|p| p.to_string()))
        .transpose()?;
    let lang = super::tickets::parse_lang(input.lang.as_deref())?;
    Ok(FileRow {
        partner_id: partner.id.clone(),
        reference,
        kind: kind.to_owned(),
        status: status.to_owned(),
        label_fr: parse_label("label", &input.label.fr, 120)?,
        label_ar: parse_label("label", &input.label.ar, 120)?,
        ready_at,
        version: input.version,
        holder_hash: keyed_hash(&partner.holder_key, &holder),
        phone,
        lang: lang.to_owned(),
        created_at: now,
        updated_at: now,
    })
}

/// Queues the "your document is ready" SMS, once per file whatever is
/// pushed after (the outbox keeps one message per key).
async fn tell_when_ready(
    tx: &mut Tx,
    partner: &PartnerRow,
    f: &FileRow,
    now: i64,
) -> AppResult<()> {
    let (Some(phone), "ready") = (&f.phone, f.status.as_str()) else {
        return Ok(());
    };
    let lang = f.lang.as_str();
    let (label, office) = match lang {
        "ar" => (
            &f.label_ar,
            partner.name_ar.as_ref().unwrap_or(&partner.name),
        ),
        _ => (&f.label_fr, &partner.name),
    };
    let body = messages::request_ready(lang, &f.reference, label, office);
    let key = format!("partner_ready:{}:{}", partner.id, f.reference);
    let sms = notify::sms(None, "partner_file_ready", phone, body, key, now);
    store::outbox::enqueue(tx, &sms).await?;
    Ok(())
}

/// A partner's file as a citizen sees it.
#[derive(Debug, Clone, Serialize)]
pub struct FileView {
    pub partner: String,
    pub partner_ar: Option<String>,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub label_fr: String,
    pub label_ar: String,
    /// The local day it is (expected to be) ready.
    pub ready_on: Option<String>,
    /// The local day of the last change.
    pub updated_on: String,
}

/// Where a citizen follows a file from.
pub enum Asker<'a> {
    /// A kiosk: the files of partners that chose its site.
    Kiosk(&'a Principal),
    /// The portal: the files of partners that chose any site.
    Portal,
}

/// The file with this reference whose holder's identifier is `holder_id`.
/// Anything wrong (no such reference, another identifier, a partner that
/// did not choose this site or was disabled, input that is not a
/// reference) is the same `NotFound`, after the same work.
pub async fn follow(
    app: &App,
    asker: Asker<'_>,
    client: &str,
    reference: &str,
    holder_id: &str,
) -> AppResult<FileView> {
    let site = match asker {
        Asker::Kiosk(Principal::Device {
            kind: DeviceKind::Kiosk,
            site,
            ..
        }) => Some(site.as_str()),
        Asker::Kiosk(_) => return Err(AppError::Forbidden("kiosks only")),
        Asker::Portal => None,
    };
    let now = app.clock.now_ms();
    let limits = &app.guards.limits;
    // A kiosk is a device of the office, signed in: only the public is
    // limited by address (every look-up at a kiosk comes from its one).
    if site.is_none() {
        limits.hit(FILE_FOLLOW_PER_IP, client, now).await?;
    }
    let reference = partner_file::reference(reference).unwrap_or_default();
    let holder = partner_file::holder_id(holder_id).unwrap_or_default();
    limits
        .hit(FILE_FOLLOW_PER_REFERENCE, &reference, now)
        .await?;
    let files = match reference.is_empty() {
        true => Vec::new(),
        false => store::partners::files_by_reference(&app.db, &reference).await?,
    };
    let partners = store::partners::list(&app.db).await?;
    let mut found = None;
    let mut compared = false;
    for file in files {
        let Some(partner) = partners.iter().find(|p| p.id == file.partner_id) else {
            continue;
        };
        let sites = super::partners::sites_of(partner);
        let shown = partner.disabled_at.is_none()
            && site.map_or(!sites.is_empty(), |s| sites.iter().any(|p| p == s));
        let same = constant_time_eq(&keyed_hash(&partner.holder_key, &holder), &file.holder_hash);
        compared = true;
        if shown && same && !holder.is_empty() && found.is_none() {
            found = Some((partner, sites, file));
        }
    }
    if !compared {
        // As much work as one comparison.
        let _ = constant_time_eq(&keyed_hash("no partner", &holder), &"0".repeat(64));
    }
    let (partner, sites, file) = found.ok_or(AppError::NotFound("file"))?;
    // The right identifier gives its place back: only wrong guesses count.
    limits
        .take_back(FILE_FOLLOW_PER_REFERENCE, &reference)
        .await;
    let zone_site = site.or(sites.first().map(String::as_str)).unwrap_or("");
    let zone = super::sites::zone_of(app, zone_site).await?;
    let day = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| crate::domain::time::local_day(t, &zone).to_string())
            .unwrap_or_default()
    };
    Ok(FileView {
        partner: partner.name.clone(),
        partner_ar: partner.name_ar.clone(),
        ready_on: file.ready_at.map(day),
        updated_on: day(file.updated_at),
        reference: file.reference,
        kind: file.kind,
        status: file.status,
        label_fr: file.label_fr,
        label_ar: file.label_ar,
    })
}
