//! What the SMS provider posts back (docs/api.md, "SMS provider callbacks"):
//! delivery statuses, and citizens' replies (`STATUT <ref>`, `ANNULER
//! <ref>`, joining a queue from afar with `FILE <service>` and leaving it
//! with `ANNULER` alone (`queue`), and the same in Arabic or English).
//! Both are signed by the
//! provider (`X-Twilio-Signature`); anything unsigned or badly signed is
//! refused with 403 and changes nothing. Replies are in the language of
//! the keyword (`replies`).

mod queue;
mod queue_replies;
mod replies;

use super::appointments::{self, Access};
use super::auth::Principal;
use super::{App, AppError, AppResult, rate_limit};
use crate::domain::sms_command::{self, Command};
use crate::notify::signature::twilio_signature_matches;
use crate::store;

/// Checks the provider's signature over the URL it called and its form.
fn verify(
    app: &App,
    url: &str,
    form: &[(String, String)],
    signature: Option<&str>,
) -> AppResult<()> {
    let token = app
        .messaging
        .transports
        .sms
        .as_ref()
        .map(|t| t.auth_token());
    match (token, signature) {
        (Some(token), Some(signature)) if twilio_signature_matches(token, url, form, signature) => {
            Ok(())
        }
        _ => Err(AppError::Forbidden("bad or missing X-Twilio-Signature")),
    }
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The order of delivery statuses: a status never moves back to an
/// earlier one, whatever order the callbacks arrive in.
fn rank(status: &str) -> Option<i64> {
    Some(match status {
        "accepted" | "queued" | "scheduled" => 1,
        "sending" => 2,
        "sent" => 3,
        "delivered" | "undelivered" | "failed" | "canceled" => 4,
        "read" => 5,
        _ => return None,
    })
}

/// A delivery status callback; `true` if it moved the status forward.
pub async fn delivery_status(
    app: &App,
    url: &str,
    form: &[(String, String)],
    signature: Option<&str>,
) -> AppResult<bool> {
    verify(app, url, form, signature)?;
    let (Some(sid), Some(status)) = (field(form, "MessageSid"), field(form, "MessageStatus"))
    else {
        return Ok(false);
    };
    let Some(rank) = rank(status) else {
        return Ok(false);
    };
    Ok(store::outbox::update_delivery(&app.db, sid, status, rank).await?)
}

/// A citizen's SMS to the office's number; the answer is TwiML. Limited
/// per calling address, then (once the signature proves the sender) per
/// phone.
pub async fn inbound(
    app: &App,
    client: &str,
    url: &str,
    form: &[(String, String)],
    signature: Option<&str>,
) -> AppResult<String> {
    let now = app.clock.now_ms();
    app.guards
        .limits
        .hit(rate_limit::INBOUND_SMS_PER_IP, client, now)
        .await?;
    verify(app, url, form, signature)?;
    let from = field(form, "From").unwrap_or("");
    app.guards
        .limits
        .hit(rate_limit::INBOUND_SMS_PER_PHONE, from, now)
        .await?;
    let body = field(form, "Body").unwrap_or("");
    let lang = sms_command::language(body);
    let citizen = Principal::Citizen {
        phone: from.to_owned(),
    };
    let reply = match sms_command::parse(body) {
        Command::Help => replies::help(lang),
        Command::Join(words) => queue::join(app, from, &words, lang).await?,
        Command::Leave => queue::leave(app, from, lang).await?,
        Command::Status(reference) => status_of(app, &citizen, &reference, lang).await?,
        Command::Cancel(reference) => {
            let access = Access {
                who: Some(&citizen),
                token: None,
            };
            match appointments::cancel(app, &reference, access).await {
                Ok(_) => replies::cancelled(lang, &reference),
                Err(AppError::NotFound(_)) => replies::unknown(lang, &reference),
                Err(AppError::Conflict { .. }) => replies::too_late_to_cancel(lang, &reference),
                Err(other) => return Err(other),
            }
        }
    };
    Ok(twiml(&reply))
}

/// The status of what the sender holds under `reference`; someone else's
/// reference is answered as unknown.
async fn status_of(
    app: &App,
    citizen: &Principal,
    reference: &str,
    lang: &str,
) -> AppResult<String> {
    let Principal::Citizen { phone } = citizen else {
        return Ok(replies::unknown(lang, reference));
    };
    let owned = |p: &Option<String>| p.as_deref() == Some(phone.as_str());
    if let Some(a) = store::appointments::by_reference(&app.db, reference)
        .await?
        .filter(|a| owned(&a.phone))
    {
        let context = super::sites::SiteContext::load(app, &a.site_id).await?;
        let when = context.local(a.start_at);
        let when = when.get(..16).unwrap_or(&when).replace('T', " ");
        return Ok(replies::appointment(lang, &a.reference, &a.status, &when));
    }
    if let Some(r) = store::requests::by_reference(&app.db, reference)
        .await?
        .filter(|r| owned(&r.phone))
    {
        let expected = &r.expected_ready_on;
        return Ok(replies::request(lang, &r.reference, &r.status, expected));
    }
    if let Some(c) = store::complaints::by_reference(&app.db, reference)
        .await?
        .filter(|c| owned(&c.phone))
    {
        let due = &c.answer_due_on;
        return Ok(replies::complaint(lang, &c.reference, &c.status, due));
    }
    Ok(replies::unknown(lang, reference))
}

/// A TwiML answer with one message.
fn twiml(message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{escaped}</Message></Response>"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_have_an_order_and_twiml_is_escaped() {
        use super::{rank, twiml};
        assert!(rank("queued") < rank("sent") && rank("sent") < rank("delivered"));
        assert_eq!(rank("delivered"), rank("failed"));
        assert_eq!(rank("nonsense"), None);
        assert!(twiml("a <b> & c").contains("a &lt;b&gt; &amp; c"));
    }
}
