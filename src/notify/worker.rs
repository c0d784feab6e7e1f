//! Sends what the outbox holds. The `log` transport writes each message to
//! the log; the Twilio and SMTP transports are not built yet, and until
//! they are, messages are logged whatever the setting.

use crate::app::App;
use crate::store::outbox;

/// Messages taken in one pass at most.
const BATCH: i64 = 200;

/// Sends every due message; returns how many went out.
pub async fn send_due(app: &App) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    loop {
        let batch = outbox::take_due_as_sent(&app.db, app.clock.now_ms(), BATCH).await?;
        for message in &batch {
            tracing::info!(
                channel = %message.channel,
                template = %message.template,
                to = %mask(&message.recipient),
                body = %message.body,
                "message sent (log transport)"
            );
        }
        sent += batch.len();
        if (batch.len() as i64) < BATCH {
            return Ok(sent);
        }
    }
}

/// A recipient as logs show it: enough to tell messages apart, not to
/// reach the person.
fn mask(recipient: &str) -> String {
    let visible = recipient.chars().count().saturating_sub(4);
    recipient
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < visible && c.is_alphanumeric() {
                '•'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn recipients_are_masked_in_logs() {
        assert_eq!(super::mask("+212612345678"), "+••••••••5678");
        assert_eq!(super::mask("ab"), "ab");
    }
}
