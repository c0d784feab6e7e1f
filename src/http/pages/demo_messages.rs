//! `/demo/messages`: the messages the demo did not send, newest first,
//! with their codes and links ready to use — how a newcomer running
//! `serve --demo` without an SMS provider reads a phone code. Mounted only
//! with `--demo` and while a channel goes to the log
//! (`app::demo::messages`); anywhere else the address is not found.

use crate::app::demo::messages;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;

/// The page, when `state`'s service shows it; `None` otherwise, so that
/// the address is not found.
pub fn router(state: &AppState) -> Option<Router<AppState>> {
    (!messages::shown_channels(&state.app).is_empty())
        .then(|| Router::new().route("/demo/messages", get(page)))
}

/// A piece of a message's text.
#[derive(Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    /// An address, shown as a link.
    Link(String),
    /// A six-digit code, selected whole by one click.
    Code(String),
}

struct Shown {
    when: String,
    channel: String,
    template: String,
    recipient: String,
    subject: Option<String>,
    parts: Vec<Part>,
}

#[derive(Template)]
#[template(path = "demo_messages.html")]
struct MessagesPage {
    f: Frame,
    channels: String,
    messages: Vec<Shown>,
}

async fn page(State(state): State<AppState>, mut f: Frame) -> Result<Response, PageError> {
    // The pointer every citizen page shows: this is where it leads.
    f.demo_messages = false;
    let rows = messages::recent(&state.app).await.or_page(&f)?;
    let messages = rows
        .into_iter()
        .map(|m| Shown {
            when: jiff::Timestamp::from_millisecond(m.created_at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default(),
            parts: parts(&m.body),
            channel: m.channel,
            template: m.template,
            recipient: m.recipient,
            subject: m.subject,
        })
        .collect();
    let channels = messages::shown_channels(&state.app).join(", ");
    let mut response = render(&MessagesPage {
        f,
        channels,
        messages,
    });
    // Codes and tokens: no cache keeps them.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A message's text cut into plain text, links (`http://`, `https://`, up
/// to a space, without a closing punctuation mark) and six-digit codes.
fn parts(body: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        let link_len = (rest.starts_with("https://") || rest.starts_with("http://")).then(|| {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            rest[..end]
                .trim_end_matches(['.', ',', ';', ':', ')', '!', '?'])
                .len()
        });
        let code_len = (c.is_ascii_digit() && !text.ends_with(|p: char| p.is_alphanumeric()))
            .then(|| {
                rest.find(|d: char| !d.is_ascii_digit())
                    .unwrap_or(rest.len())
            })
            .filter(|&n| n == 6 && !rest[n..].starts_with(char::is_alphanumeric));
        let (len, make): (usize, fn(String) -> Part) = match (link_len, code_len) {
            (Some(n), _) => (n, Part::Link),
            (None, Some(n)) => (n, Part::Code),
            (None, None) => {
                text.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            }
        };
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        parts.push(make(rest[..len].to_owned()));
        rest = &rest[len..];
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::{Part, parts};

    #[test]
    fn codes_and_links_are_found_in_a_message() {
        let text = |s: &str| Part::Text(s.to_owned());
        assert_eq!(
            parts("Votre code de vérification : 042517. Valable 10 minutes."),
            vec![
                text("Votre code de vérification : "),
                Part::Code("042517".into()),
                text(". Valable 10 minutes."),
            ]
        );
        assert_eq!(
            parts("RDV A1 le 30/11/2026 09:30. Annuler : http://x/appointments/A1?token=t-_1."),
            vec![
                text("RDV A1 le 30/11/2026 09:30. Annuler : "),
                Part::Link("http://x/appointments/A1?token=t-_1".into()),
                text("."),
            ]
        );
        assert_eq!(
            parts("ref 1234567 or X123456"),
            vec![text("ref 1234567 or X123456")]
        );
        assert_eq!(parts(""), vec![]);
    }
}
