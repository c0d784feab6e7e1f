//! Messages to citizens: their texts, and the worker that sends what the
//! outbox holds.
//!
//! Every message is written to the outbox (`store::outbox`) in the
//! transaction of the change that causes it, so that a change and its
//! message are committed together or not at all. The worker takes due
//! messages and hands them to the transport: with `GUICHET_SMS=log` (the
//! default) it writes them to the log.

pub mod messages;
pub mod worker;

use crate::secrets::new_id;
use crate::store::outbox::NewMessage;

/// A message to one phone, queued once per `key`.
pub fn sms(
    site: Option<&str>,
    template: &'static str,
    phone: &str,
    body: String,
    key: String,
    now: i64,
) -> NewMessage {
    NewMessage {
        id: new_id(),
        site_id: site.map(str::to_owned),
        channel: "sms",
        template,
        recipient: phone.to_owned(),
        subject: None,
        body,
        idempotency_key: key,
        created_at: now,
    }
}

/// The same message by e-mail.
pub fn email(sms: &NewMessage, address: &str, subject: String) -> NewMessage {
    NewMessage {
        id: new_id(),
        channel: "email",
        recipient: address.to_owned(),
        subject: Some(subject),
        idempotency_key: format!("{}:email", sms.idempotency_key),
        ..sms.clone()
    }
}
