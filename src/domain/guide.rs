//! The digital guide of a procedure: what a citizen reads before coming —
//! a summary, the steps in order, the fees, who may ask, and the channels
//! through which it can be done — each text in French, Arabic and English.
//! The documents to bring and the legal delay are the service's own
//! (`required_documents`, `processing_days`): the guide shows them and
//! never holds a second copy.

use super::{Invalid, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Characters of a summary in one language.
pub const MAX_SUMMARY: usize = 600;
/// Characters of one step in one language.
pub const MAX_STEP: usize = 300;
/// Steps of one procedure.
pub const MAX_STEPS: usize = 15;
/// Characters of the fees in one language.
pub const MAX_FEES: usize = 200;
/// Characters of "who may ask" in one language.
pub const MAX_ELIGIBILITY: usize = 400;

/// One text in the three languages of the citizen pages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub fr: String,
    pub ar: String,
    pub en: String,
}

impl Texts {
    /// Each language trimmed, present and at most `max_chars`.
    pub fn parse(field: &'static str, texts: &Texts, max_chars: usize) -> Result<Texts, Invalid> {
        let one = |lang: &str, text: &str| {
            parse_text(field, text, max_chars)
                .map_err(|e| Invalid::new(field, format!("{lang}: {}", e.message)))
        };
        Ok(Texts {
            fr: one("fr", &texts.fr)?,
            ar: one("ar", &texts.ar)?,
            en: one("en", &texts.en)?,
        })
    }

    /// The text in the language `code` (`fr`, `ar`, `en`); French for any
    /// other.
    pub fn in_lang(&self, code: &str) -> &str {
        match code {
            "ar" => &self.ar,
            "en" => &self.en,
            _ => &self.fr,
        }
    }
}

/// Where a procedure can be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Requested on the portal.
    Online,
    /// Requested at the kiosk at the office's door.
    Kiosk,
    /// By appointment.
    Appointment,
    /// At the counter.
    Counter,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Online,
        Channel::Kiosk,
        Channel::Appointment,
        Channel::Counter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Kiosk => "kiosk",
            Channel::Appointment => "appointment",
            Channel::Counter => "counter",
        }
    }

    pub fn parse(text: &str) -> Result<Channel, Invalid> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == text.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "channels",
                    format!("unknown channel {text:?}; use online, kiosk, appointment or counter"),
                )
            })
    }
}

/// A procedure's guide, as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    /// What the procedure is for, in a few sentences.
    pub summary: Texts,
    /// What the citizen does, in order (1 to 15 steps).
    pub steps: Vec<Texts>,
    /// What it costs ("Gratuit", "Timbre fiscal de 20 DH").
    pub fees: Texts,
    /// Who may ask for it.
    pub eligibility: Texts,
    /// Where it can be done: a non-empty subset of `online`, `kiosk`,
    /// `appointment`, `counter`; `["counter"]` alone means only at the
    /// counter.
    pub channels: Vec<Channel>,
}

impl Guide {
    /// Every text checked and trimmed, the channels in their usual order;
    /// the first fault found is the error.
    pub fn parse(input: &Guide) -> Result<Guide, Invalid> {
        if input.steps.is_empty() || input.steps.len() > MAX_STEPS {
            return Err(Invalid::new(
                "steps",
                format!("between 1 and {MAX_STEPS} steps"),
            ));
        }
        let steps = input
            .steps
            .iter()
            .map(|s| Texts::parse("steps", s, MAX_STEP))
            .collect::<Result<_, _>>()?;
        let mut channels = input.channels.clone();
        channels.sort();
        let count = channels.len();
        channels.dedup();
        if channels.is_empty() {
            return Err(Invalid::new("channels", "at least one channel"));
        }
        if channels.len() != count {
            return Err(Invalid::new("channels", "a channel is listed twice"));
        }
        Ok(Guide {
            summary: Texts::parse("summary", &input.summary, MAX_SUMMARY)?,
            steps,
            fees: Texts::parse("fees", &input.fees, MAX_FEES)?,
            eligibility: Texts::parse("eligibility", &input.eligibility, MAX_ELIGIBILITY)?,
            channels,
        })
    }

    /// Whether it can be done only at the counter.
    pub fn counter_only(&self) -> bool {
        self.channels == [Channel::Counter]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Texts {
        Texts {
            fr: s.into(),
            ar: s.into(),
            en: s.into(),
        }
    }

    fn guide() -> Guide {
        Guide {
            summary: texts(" Pour prouver son adresse. "),
            steps: vec![texts("Venir"), texts("Attendre")],
            fees: texts("Gratuit"),
            eligibility: texts("Tout résident"),
            channels: vec![Channel::Counter, Channel::Online],
        }
    }

    #[test]
    fn a_guide_is_trimmed_and_its_channels_ordered() {
        let parsed = Guide::parse(&guide()).unwrap();
        assert_eq!(parsed.summary.fr, "Pour prouver son adresse.");
        assert_eq!(parsed.channels, [Channel::Online, Channel::Counter]);
        assert!(!parsed.counter_only());
    }

    #[test]
    fn every_text_and_list_is_bounded() {
        let mut long = guide();
        long.summary.ar = "ب".repeat(MAX_SUMMARY + 1);
        let error = Guide::parse(&long).unwrap_err();
        assert_eq!(error.field, "summary");
        assert!(error.message.starts_with("ar:"), "{}", error.message);
        let mut many = guide();
        many.steps = vec![texts("x"); MAX_STEPS + 1];
        assert_eq!(Guide::parse(&many).unwrap_err().field, "steps");
        let mut blank = guide();
        blank.fees.en = "  ".into();
        assert_eq!(Guide::parse(&blank).unwrap_err().field, "fees");
        let mut twice = guide();
        twice.channels = vec![Channel::Kiosk, Channel::Kiosk];
        assert_eq!(Guide::parse(&twice).unwrap_err().field, "channels");
        twice.channels.clear();
        assert_eq!(Guide::parse(&twice).unwrap_err().field, "channels");
        assert!(Channel::parse("fax").is_err());
        assert_eq!(Channel::parse("kiosk").unwrap(), Channel::Kiosk);
    }
}
