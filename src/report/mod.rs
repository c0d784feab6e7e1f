//! A report as a PDF: plain data in (a title, lines under it, sections of
//! notes and tables, already in their language), A4 pages out. It knows
//! nothing of offices or HTTP: the monthly report of an office
//! (`app::monthly_report`) is one producer, a province's may be another.
//!
//! Text is laid out right: each line is split into its bidirectional runs
//! (`unicode-bidi`), each run is set in the font of its script (Noto Sans,
//! Noto Sans Arabic; `displays/fonts/`, OFL) and shaped with rustybuzz, so
//! Arabic letters take their joined forms and an Arabic report reads from
//! the right, its tables' first column on the right. The PDF embeds only
//! the glyphs it uses, and maps them back to their text, so that a reader
//! can copy it or search it (`pdftotext` gives the Arabic words in their
//! logical order).

mod fonts;
mod layout;
mod text;

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;

/// One report, in one language: the PDF of several starts each on a page
/// of its own (the monthly mail puts the French and the Arabic together).
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// BCP 47 code of its language (`fr`, `ar`, `en`).
    pub lang: String,
    /// Written from the right (Arabic).
    pub rtl: bool,
    pub title: String,
    /// Lines under the title: the office, the period.
    pub lines: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// A short paragraph (a unit, a remark).
    Note(String),
    /// A table: its first column names the row, the others are figures.
    Table(Table),
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Bounds on what one PDF holds, whatever its producer.
pub const MAX_REPORTS: usize = 4;
pub const MAX_ROWS: usize = 2_000;
pub const MAX_COLUMNS: usize = 12;
/// Longer texts are cut (with an ellipsis).
pub const MAX_TEXT: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("a report too big for one PDF: {0}")]
    TooBig(&'static str),
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// The PDF of `reports`, one after the other.
pub fn pdf(reports: &[Report]) -> Result<Vec<u8>, PdfError> {
    if reports.is_empty() || reports.len() > MAX_REPORTS {
        return Err(PdfError::TooBig("reports"));
    }
    let mut rows = 0;
    for section in reports.iter().flat_map(|r| &r.sections) {
        for block in &section.blocks {
            if let Block::Table(table) = block {
                rows += table.rows.len() + 1;
                if table.head.len() > MAX_COLUMNS
                    || table.rows.iter().any(|r| r.len() > MAX_COLUMNS)
                {
                    return Err(PdfError::TooBig("columns"));
                }
            }
        }
    }
    if rows > MAX_ROWS {
        return Err(PdfError::TooBig("rows"));
    }
    let pages: Vec<layout::Page> = reports.iter().flat_map(layout::pages).collect();
    let mut document = Document::new();
    let first = &reports[0];
    document.set_metadata(
        Metadata::new()
            .title(first.title.clone())
            .language(first.lang.clone())
            .creator("Guichet".to_owned()),
    );
    let settings = PageSettings::from_wh(layout::WIDTH, layout::HEIGHT)
        .ok_or_else(|| PdfError::Write("page size".to_owned()))?;
    for page in &pages {
        let mut pdf_page = document.start_page_with(settings.clone());
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            match op {
                layout::Op::Text { x, y, size, line } => {
                    surface.set_fill(Some(Fill::default()));
                    let mut at = *x;
                    for piece in &line.pieces {
                        surface.draw_glyphs(
                            Point::from_xy(at, *y),
                            &piece.glyphs,
                            piece.face.font.clone(),
                            &piece.text,
                            *size,
                            false,
                        );
                        at += piece.width * size;
                    }
                }
                layout::Op::Rule { x, y, width, grey } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *width, 0.6) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(Fill {
                            paint: krilla::color::rgb::Color::new(*grey, *grey, *grey).into(),
                            ..Fill::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|error| PdfError::Write(format!("{error:?}")))
}

/// `text` cut to `MAX_TEXT` characters.
fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lang: &str, rtl: bool, words: [&str; 3]) -> Report {
        Report {
            lang: lang.to_owned(),
            rtl,
            title: words[0].to_owned(),
            lines: vec!["Casablanca Anfa · 2026-03".to_owned()],
            sections: vec![Section {
                heading: words[1].to_owned(),
                blocks: vec![
                    Block::Note("min".to_owned()),
                    Block::Table(Table {
                        head: vec![words[2].to_owned(), "A".to_owned(), "B".to_owned()],
                        rows: (0..80)
                            .map(|i| vec![format!("{} {i}", words[2]), i.to_string(), "4,5".into()])
                            .collect(),
                    }),
                ],
            }],
        }
    }

    #[test]
    fn a_report_in_two_languages_is_one_pdf_of_several_pages() {
        let bytes = pdf(&[
            sample("fr", false, ["Rapport mensuel", "Volumes", "Délivrés"]),
            sample("ar", true, ["التقرير الشهري", "الأحجام", "المسلمة"]),
        ])
        .unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.len() < 400_000, "fonts are subset: {}", bytes.len());
    }

    #[test]
    fn too_much_is_refused() {
        assert!(pdf(&[]).is_err());
        let mut big = sample("fr", false, ["a", "b", "c"]);
        if let Block::Table(t) = &mut big.sections[0].blocks[1] {
            t.head = vec!["x".to_owned(); MAX_COLUMNS + 1];
        }
        assert!(matches!(pdf(&[big]), Err(PdfError::TooBig(_))));
    }
}
