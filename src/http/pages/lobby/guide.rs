//! The digital guide in the lobby's rotation: one slide per service that
//! has a guide — its name, its summary, the documents to bring and the
//! legal delay — in French and Arabic, shown in turn with the office's
//! announcements (`lobby.js`).

use crate::app::announcements::Announcement;
use crate::app::guides::SiteGuides;
use crate::http::pages::i18n::Lang;
use crate::http::pages::portal::guide::{delay_words, documents_in, short};

/// Characters of a summary on a slide: what reads from across a room.
const SUMMARY_CHARS: usize = 160;

pub fn slides(guides: &SiteGuides) -> Vec<Announcement> {
    guides
        .services
        .iter()
        .filter_map(|detail| {
            let guide = detail.guide.as_ref()?;
            let s = &detail.service;
            let text = |lang: Lang| {
                let tr = lang.tr();
                let name = match (lang, &s.name_ar) {
                    (Lang::Ar, Some(ar)) => ar.as_str(),
                    _ => s.name.as_str(),
                };
                let summary = short(guide.summary.in_lang(lang.code()), SUMMARY_CHARS);
                // French puts a space before a colon; Arabic does not.
                let colon = if lang == Lang::Ar { ":" } else { " :" };
                let mut text = format!("{} · {name}{colon} {summary}", tr.s("guide.title"));
                let documents = documents_in(detail, lang);
                if !documents.is_empty() {
                    let list = documents.join(if lang == Lang::Ar { "، " } else { ", " });
                    text.push(' ');
                    text.push_str(&tr.f("guide.lobby.documents", list));
                    text.push('.');
                }
                if s.processing_days > 0 {
                    text.push(' ');
                    text.push_str(&tr.f("guide.lobby.delay", s.processing_days));
                } else {
                    text.push(' ');
                    text.push_str(&format!(
                        "{}{colon} {}.",
                        tr.s("guide.delay"),
                        delay_words(0, tr)
                    ));
                }
                text
            };
            Some(Announcement {
                text_fr: text(Lang::Fr),
                text_ar: text(Lang::Ar),
            })
        })
        .collect()
}
