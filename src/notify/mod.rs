//! Messages to citizens: their texts, and the worker that sends what the
//! outbox holds.
//!
//! Every message is written to the outbox (`store::outbox`) in the
//! transaction of the change that causes it, so that a change and its
//! message are committed together or not at all. The worker takes due
//! messages and hands them to their transport: SMS to a Twilio-compatible
//! API (or, with `GUICHET_SMS=log`, the default, to the log), e-mail over
//! SMTP (or the log when no `SMTP_URL` is set), webhooks over HTTPS
//! (`outbound`: only to the addresses they may reach). No transport logs a message's body or its recipient in clear
//! (`redact`): the `log` transports log that a message was not sent, and
//! `serve --demo` shows the demo's messages on a page of their own.

pub mod breaker;
pub mod email;
pub mod email_html;
pub mod messages;
pub mod outbound;
pub mod redact;
pub mod remote_messages;
pub mod signature;
pub mod twilio;
pub mod webhooks;
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
        html: None,
        attachment: None,
        body,
        idempotency_key: key,
        created_at: now,
    }
}

/// The same message by e-mail: its text, and an HTML part that names the
/// office and the reference of `card`.
pub fn email(
    sms: &NewMessage,
    address: &str,
    subject: String,
    card: &email_html::EmailCard<'_>,
) -> NewMessage {
    NewMessage {
        id: new_id(),
        channel: "email",
        recipient: address.to_owned(),
        html: Some(email_html::render(card, &subject, &sms.body)),
        subject: Some(subject),
        idempotency_key: format!("{}:email", sms.idempotency_key),
        ..sms.clone()
    }
}

/// The largest attachment an e-mail carries (the report's PDF is a tenth
/// of it).
pub const MAX_ATTACHMENT: usize = 2 * 1024 * 1024;

/// An e-mail to `address` with its `(subject, text)` and a file attached,
/// queued once per `key`; `None` when the file is larger than
/// `MAX_ATTACHMENT`.
pub fn email_with_file(
    site: Option<&str>,
    template: &'static str,
    address: &str,
    (subject, text): (String, String),
    file: (String, Vec<u8>),
    key: String,
    now: i64,
) -> Option<NewMessage> {
    if file.1.len() > MAX_ATTACHMENT {
        return None;
    }
    Some(NewMessage {
        id: new_id(),
        site_id: site.map(str::to_owned),
        channel: "email",
        template,
        recipient: address.to_owned(),
        subject: Some(subject),
        html: None,
        attachment: Some(file),
        body: text,
        idempotency_key: key,
        created_at: now,
    })
}

/// How one attempt to send a message ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent {
        provider_id: Option<String>,
    },
    /// Worth trying again: after `after` if the provider said so.
    Retry {
        after: Option<std::time::Duration>,
        error: String,
    },
    /// No retry can help (an invalid number, an endpoint gone).
    Permanent {
        error: String,
    },
}

/// Where messages go, by channel.
#[derive(Debug, Clone, Default)]
pub struct Transports {
    /// `None`: SMS are written to the log.
    pub sms: Option<twilio::TwilioClient>,
    /// `None`: e-mails are written to the log.
    pub email: Option<email::Mailer>,
    /// For webhooks: internal addresses refused unless allowed, no redirect.
    pub http: outbound::Outbound,
}

impl Transports {
    /// The channels whose messages only go to the log: sent to nobody.
    pub fn log_only(&self) -> Vec<&'static str> {
        let mut channels = Vec::new();
        if self.sms.is_none() {
            channels.push("sms");
        }
        if self.email.is_none() {
            channels.push("email");
        }
        channels
    }
}
