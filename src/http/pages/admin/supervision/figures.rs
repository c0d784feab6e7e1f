//! What the statistics page and the report share: charts as shown, and
//! figures written for reading.

use super::charts;

/// A chart as a page shows it: its caption and its inline SVG.
pub struct Chart {
    pub caption: String,
    pub svg: String,
}

impl Chart {
    pub fn new(caption: &str, svg: String) -> Self {
        Self {
            caption: caption.to_owned(),
            svg,
        }
    }
}

/// Seconds as minutes with a decimal (`12.5`), or a dash without data.
pub fn minutes(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "—".to_owned(), |s| charts::format_number(s / 60.0))
}

/// A share as a percentage (`12.5 %`), or a dash without data.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(
        || "—".to_owned(),
        |s| format!("{} %", charts::format_number(s * 100.0)),
    )
}
