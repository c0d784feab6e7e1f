//! What the statistics page and the report share: charts as shown, and
//! figures written for reading.

use crate::http::pages::frame::Frame;
use crate::http::pages::i18n::Lang;

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

/// Seconds as minutes with a decimal (`12,5` in French), or a dash
/// without data.
pub fn minutes(lang: Lang, seconds: Option<f64>) -> String {
    number(lang, seconds.map(|s| s / 60.0))
}

/// A share as a percentage (`12,5 %` in French, `12.5%` in English), or a
/// dash without data.
pub fn percent(lang: Lang, share: Option<f64>) -> String {
    share.map_or_else(
        || "—".to_owned(),
        |s| match lang {
            Lang::En => format!("{}%", lang.number(s * 100.0)),
            _ => format!("{} %", lang.number(s * 100.0)),
        },
    )
}

/// A ticket channel's name (`kiosk`, `desk`, `remote`, `appointment`) in
/// the page's words.
pub fn channel(f: &Frame, channel: &str) -> String {
    f.tr.s(&format!("admin.supervision.channel.{channel}"))
        .to_owned()
}

/// A figure as `lang` writes it, or a dash without data.
pub fn number(lang: Lang, value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| lang.number(v))
}
