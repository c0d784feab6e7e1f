//! A posted form read as its name–value pairs, in order: forms with
//! repeated names (checkboxes) and numbered rows (documents) read the same
//! way, and a missing field reads as empty.

use crate::domain::Invalid;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The trimmed value, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// Whether a checkbox was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// Every pair, in the order the form sent them.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
}

/// A whole number typed in `field`, refused like the API refuses a value
/// out of range.
pub fn number(field: &'static str, value: &str) -> Result<i64, Invalid> {
    value
        .trim()
        .parse()
        .map_err(|_| Invalid::new(field, format!("{value:?} is not a whole number")))
}
