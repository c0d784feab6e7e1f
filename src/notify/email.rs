//! E-mail over SMTP (lettre). `SMTP_URL` is lettre's URL form:
//! `smtp://host:25` (plain), `smtp://host:587?tls=required`, or
//! `smtps://user:password@host:465`.
//!
//! Every e-mail carries what receiving servers and clients expect:
//! `MIME-Version`, `Date`, a `Message-ID` at the public host's domain
//! (made from the message's idempotency key, so a copy sent again after a
//! crash has the same one), `Auto-Submitted: auto-generated` (RFC 3834:
//! no vacation or out-of-office reply to it), and a `multipart/alternative`
//! body of its text and its HTML part (`notify::email_html`). An e-mail
//! with a file (the monthly report's PDF) is `multipart/mixed`: its text,
//! then the file.

use super::Attempt;
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of Message-IDs: the public host.
    domain: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

impl Mailer {
    /// A mailer through the relay at `url`, from `from`, whose Message-IDs
    /// end with the host of `public_url`.
    pub fn new(url: &str, from: &str, public_url: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        Ok(Self {
            transport,
            from: from.parse()?,
            domain: message_id_domain(public_url)?,
        })
    }

    /// Sends `text`, with `html` as its alternative when there is one, and
    /// `file` (its name and bytes) attached when there is one.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        html: Option<&str>,
        file: Option<(&str, &[u8])>,
        key: &str,
    ) -> Attempt {
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
            .message_id(Some(format!(
                "<{}@{}>",
                key.replace([':', ' '], "."),
                self.domain
            )))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ));
        // A message queued before e-mails had an HTML part goes as text.
        let message = match (html, file) {
            (_, Some((name, data))) => {
                let kind = match name.ends_with(".pdf") {
                    true => "application/pdf",
                    false => "application/octet-stream",
                };
                let kind = ContentType::parse(kind).unwrap_or(ContentType::TEXT_PLAIN);
                message.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(text.to_owned()))
                        .singlepart(Attachment::new(name.to_owned()).body(data.to_vec(), kind)),
                )
            }
            (Some(html), None) => message.multipart(MultiPart::alternative_plain_html(
                text.to_owned(),
                html.to_owned(),
            )),
            (None, None) => message.singlepart(SinglePart::plain(text.to_owned())),
        };
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

/// The host of `public_url` as a Message-ID's domain: a name as it is, an
/// IPv4 address as a domain literal (`[127.0.0.1]`), as RFC 5322 wants.
fn message_id_domain(public_url: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(public_url)?;
    Ok(match url.host() {
        Some(url::Host::Domain(name)) => name.to_ascii_lowercase(),
        Some(url::Host::Ipv4(ip)) => format!("[{ip}]"),
        Some(url::Host::Ipv6(ip)) => format!("[IPv6:{ip}]"),
        None => anyhow::bail!("GUICHET_PUBLIC_URL has no host"),
    })
}

#[cfg(test)]
mod tests {
    use super::message_id_domain;

    #[test]
    fn message_ids_are_at_the_public_host() {
        let domain = |url: &str| message_id_domain(url).unwrap();
        assert_eq!(domain("https://Guichet.Berkane.ma"), "guichet.berkane.ma");
        assert_eq!(domain("http://127.0.0.1:8080"), "[127.0.0.1]");
        assert_eq!(domain("http://[::1]:8080/"), "[IPv6:::1]");
    }
}
