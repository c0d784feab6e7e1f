//! Phone numbers in E.164 form (`+212612345678`), the only form stored.

use super::Invalid;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts `+` and 8 to 15 digits, ignoring spaces, dots and dashes that
    /// people type; a leading 0 is not guessed into a country code.
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let compact: String = value
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or("");
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(compact))
        } else {
            Err(Invalid::new(
                "phone",
                "an international number such as +212612345678",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The country calling codes that phone codes may be sent to
/// (`GUICHET_SMS_COUNTRIES`): an SMS abroad costs more, and premium-rate
/// destinations would cost the office whatever an attacker likes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallingCodes(Vec<String>);

impl CallingCodes {
    /// Comma-separated calling codes, with or without `+`: `212,33`.
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let codes: Vec<String> = value
            .split(',')
            .map(|code| code.trim().trim_start_matches('+').to_owned())
            .filter(|code| !code.is_empty())
            .collect();
        let valid = |code: &String| {
            (1..=3).contains(&code.len())
                && code.bytes().all(|b| b.is_ascii_digit())
                && !code.starts_with('0')
        };
        if codes.is_empty() || !codes.iter().all(valid) {
            return Err(Invalid::new(
                "sms_countries",
                "country calling codes separated by commas, such as 212,33",
            ));
        }
        Ok(Self(codes))
    }

    pub fn allows(&self, phone: &Phone) -> bool {
        let digits = phone.as_str().trim_start_matches('+');
        self.0.iter().any(|code| digits.starts_with(code.as_str()))
    }
}

impl Default for CallingCodes {
    /// Morocco's.
    fn default() -> Self {
        Self(vec!["212".to_owned()])
    }
}

impl std::str::FromStr for CallingCodes {
    type Err = Invalid;

    fn from_str(value: &str) -> Result<Self, Invalid> {
        Self::parse(value)
    }
}

impl fmt::Display for CallingCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<String> = self.0.iter().map(|code| format!("+{code}")).collect();
        f.write_str(&codes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164() {
        assert_eq!(
            Phone::parse("+212 6 12-34.56 78").unwrap().as_str(),
            "+212612345678"
        );
        for bad in [
            "0612345678",
            "+0612345678",
            "+212",
            "+2126123456789012",
            "+2126a2345678",
            "",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn calling_codes() {
        let codes = CallingCodes::parse("212, +33").unwrap();
        let phone = |p: &str| Phone::parse(p).unwrap();
        assert!(codes.allows(&phone("+212612345678")));
        assert!(codes.allows(&phone("+33612345678")));
        assert!(!codes.allows(&phone("+881612345678")));
        assert!(!CallingCodes::default().allows(&phone("+33612345678")));
        assert_eq!(codes.to_string(), "+212, +33");
        for bad in ["", ",", "2125", "0", "+x1"] {
            assert!(CallingCodes::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
