//! E-mail over SMTP (lettre). `SMTP_URL` is lettre's URL form:
//! `smtp://host:25` (plain), `smtp://host:587?tls=required`, or
//! `smtps://user:password@host:465`.

use super::Attempt;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Ok(Self {
            transport,
            from: from.parse()?,
        })
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str, key: &str) -> Attempt {
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(error) => {
                return Attempt::Permanent {
                    error: format!("bad address: {error}"),
                };
            }
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            // The same key gives the same Message-ID: a receiver may drop a
            // copy sent again after a crash.
            .message_id(Some(format!("<{}@guichet>", key.replace([':', ' '], "."))))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned());
        let message = match message {
            Ok(message) => message,
            Err(error) => {
                return Attempt::Permanent {
                    error: format!("bad message: {error}"),
                };
            }
        };
        match self.transport.send(message).await {
            Ok(response) => Attempt::Sent {
                provider_id: response.message().next().map(str::to_owned),
            },
            Err(error) if error.is_permanent() => Attempt::Permanent {
                error: error.to_string(),
            },
            Err(error) => Attempt::Retry {
                after: None,
                error: error.to_string(),
            },
        }
    }
}
