//! What a log line may say about a message: its recipient masked, and
//! nothing a provider's error echoes back of the recipient or the body.
//!
//! A message body holds phone codes and links that carry tokens, so no
//! transport logs one. Providers' errors are no safer: Twilio writes the
//! number it refused into its message ("The 'To' number +2126… is not
//! valid"), an SMTP server the address it rejected, and an HTTP client
//! the whole address of a webhook (whose path or query may be its
//! secret). Every transport error goes through [`error`] before it is
//! logged or recorded.

/// A recipient as logs show it: enough to tell messages apart, not to
/// reach the person. A phone keeps its last four digits
/// (`+••••••••5678`), an e-mail address its first letter and its domain
/// (`z•••@example.ma`); a webhook's recipient is its endpoint's id, shown
/// as it is.
pub fn recipient(channel: &str, recipient: &str) -> String {
    match channel {
        "webhook" => recipient.to_owned(),
        "email" => email(recipient),
        _ => phone(recipient),
    }
}

/// A phone with every letter or digit but the last four hidden.
pub fn phone(phone: &str) -> String {
    let visible = phone.chars().count().saturating_sub(4);
    phone
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

/// An e-mail address with only its first character and its domain.
pub fn email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

/// A transport's error made fit for a log line: the recipient (as given,
/// and a phone's digits in any form) replaced by its mask, and every other
/// run of six digits or more (a code, a phone written otherwise) hidden.
pub fn error(text: &str, channel: &str, to: &str) -> String {
    let masked = recipient(channel, to);
    let mut text = text.to_owned();
    // Too short a recipient is no one's (and would match anywhere).
    if channel != "webhook" && to.len() >= 6 {
        text = text.replace(to, &masked);
        if let Some(local) = to.strip_prefix('+').filter(|l| l.len() >= 6) {
            text = text.replace(local, &masked);
        }
    }
    digit_runs(&text)
}

/// Hides the digits of every run of six or more digits (single spaces,
/// dots or dashes may separate them, as people write phones).
fn digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with single separators between them.
        let (start, mut end, mut digits) = (i, i, 0);
        let mut j = i;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits += 1;
                j += 1;
                end = j;
            } else if matches!(chars[j], ' ' | '.' | '-')
                && chars.get(j + 1).is_some_and(char::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        for &c in &chars[start..end] {
            out.push(if digits >= 6 && c.is_ascii_digit() {
                '•'
            } else {
                c
            });
        }
        i = end;
    }
    out
}

/// A failed HTTP request as a log may say it: what went wrong and why,
/// without the address (a webhook's path or query may be its secret).
pub fn request_error(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_masked() {
        assert_eq!(recipient("sms", "+212612345678"), "+••••••••5678");
        assert_eq!(recipient("sms", "ab"), "ab");
        assert_eq!(
            recipient("email", "zineb.bennani@example.ma"),
            "z•••@example.ma"
        );
        assert_eq!(recipient("email", "nobody"), "•••");
        assert_eq!(recipient("webhook", "01HZX"), "01HZX");
    }

    #[test]
    fn errors_lose_the_recipient_and_any_code_or_number() {
        let twilio = "400 Bad Request: 21211 The 'To' number +212612345678 is not valid";
        assert_eq!(
            error(twilio, "sms", "+212612345678"),
            "400 Bad Request: 21211 The 'To' number +••••••••5678 is not valid"
        );
        assert_eq!(
            error("rejected 212612345678", "sms", "+212612345678"),
            "rejected +••••••••5678"
        );
        let smtp = "permanent error (550): 5.1.1 <zineb@example.ma>: Recipient rejected";
        assert_eq!(
            error(smtp, "email", "zineb@example.ma"),
            "permanent error (550): 5.1.1 <z•••@example.ma>: Recipient rejected"
        );
        assert_eq!(
            error("code 123456 or 06 12 34 56 78, port 8080", "sms", "+1"),
            "code •••••• or •• •• •• •• ••, port 8080"
        );
        assert_eq!(error("answered 503", "webhook", "01HZX"), "answered 503");
    }
}
