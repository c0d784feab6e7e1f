//! Lines of text as glyphs. A line is split into its bidirectional runs
//! in visual order (`unicode-bidi`, from the report's direction); each run
//! into pieces of one script, each set in its font and shaped by rustybuzz
//! in the run's direction (Arabic letters joined, mirrored brackets).

use super::fonts::{FONTS, Face};
use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::{BidiInfo, Level};

/// Glyphs of one font, in one direction, and the text they stand for.
pub struct Piece {
    pub face: &'static Face,
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
    /// In ems.
    pub width: f32,
}

/// A line's pieces from left to right.
#[derive(Default)]
pub struct Line {
    pub pieces: Vec<Piece>,
    /// In ems.
    pub width: f32,
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF
        | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Bidirectional marks and isolates: drawn by no font.
fn is_format(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` on one line, in a report written from the right when `rtl`.
pub fn shape(text: &str, rtl: bool, bold: bool) -> Line {
    let text = super::bounded(text);
    let text = text.as_ref();
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(text, Some(base));
    let mut line = Line::default();
    for paragraph in &info.paragraphs {
        let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let run_rtl = levels[run.start].is_rtl();
            let mut pieces = by_script(&text[run.clone()]);
            if run_rtl {
                pieces.reverse();
            }
            for (arabic, part) in pieces {
                let face = FONTS.face(arabic, bold);
                let piece = shape_piece(face, part, run_rtl);
                line.width += piece.width;
                line.pieces.push(piece);
            }
        }
    }
    line
}

/// `text` cut into the parts of one font, in logical order; spaces and
/// punctuation go with the letters before them (or after, at the start)
/// when that font has them (Noto Sans Arabic has no dash, no brackets).
fn by_script(text: &str) -> Vec<(bool, &str)> {
    let strong = |c: char| c.is_alphanumeric();
    let in_arabic = |c: char| FONTS.face(true, false).shaper.glyph_index(c).is_some();
    let wanted = |c: char, current: bool| match strong(c) {
        true => is_arabic(c),
        false => current && (in_arabic(c) || c.is_control() || is_format(c)),
    };
    let mut current = text.chars().find(|c| strong(*c)).is_some_and(is_arabic);
    let mut parts = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if wanted(c, current) != current {
            if at > start {
                parts.push((current, &text[start..at]));
            }
            start = at;
            current = !current;
        }
    }
    if start < text.len() {
        parts.push((current, &text[start..]));
    }
    parts
}

fn shape_piece(face: &'static Face, text: &str, rtl: bool) -> Piece {
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        Direction::RightToLeft
    } else {
        Direction::LeftToRight
    });
    let output = rustybuzz::shape(&face.shaper, &[], buffer);
    let (positions, infos) = (output.glyph_positions(), output.glyph_infos());
    let em = face.units_per_em;
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut width = 0.0;
    for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        // The text a glyph stands for runs to the next cluster in logical
        // order: after it from the left, before it from the right.
        let next = if rtl {
            infos[..i].iter().rev().find(|o| o.cluster != info.cluster)
        } else {
            infos[i + 1..].iter().find(|o| o.cluster != info.cluster)
        };
        let end = next.map_or(text.len(), |o| o.cluster as usize);
        let advance = position.x_advance as f32 / em;
        width += advance;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            advance,
            position.x_offset as f32 / em,
            position.y_offset as f32 / em,
            position.y_advance as f32 / em,
            start..end.max(start),
            None,
        ));
    }
    Piece {
        face,
        text: text.to_owned(),
        glyphs,
        width,
    }
}

/// `text` in lines no wider than `max` ems, broken between words (a word
/// wider than that stands alone on its line).
pub fn wrap(text: &str, rtl: bool, bold: bool, max: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = match current.is_empty() {
            true => word.to_owned(),
            false => format!("{current} {word}"),
        };
        if !current.is_empty() && shape(&candidate, rtl, bold).width > max {
            lines.push(shape(&current, rtl, bold));
            current = word.to_owned();
        } else {
            current = candidate;
        }
        if lines.len() >= 8 {
            break;
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(shape(&current, rtl, bold));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_joined_and_read_from_the_right() {
        // "التقرير" shaped: fewer glyphs than letters would be a ligature;
        // the joined forms are other glyphs than the isolated letters.
        let word = shape("تقرير", true, false);
        let alone: Vec<u32> = "تقرير"
            .chars()
            .map(|c| {
                shape(&c.to_string(), true, false).pieces[0].glyphs[0]
                    .glyph_id
                    .to_u32()
            })
            .collect();
        let joined: Vec<u32> = word.pieces[0]
            .glyphs
            .iter()
            .map(|g| g.glyph_id.to_u32())
            .collect();
        assert_eq!(joined.len(), 5);
        // Visual order: the first letter is drawn last (on the right).
        let mut reversed = joined.clone();
        reversed.reverse();
        assert_ne!(reversed, alone, "letters take their joined forms");
    }

    #[test]
    fn figures_in_arabic_stay_left_to_right_in_their_place() {
        let line = shape("التذاكر 125", true, false);
        // From the left: the number, then the Arabic word.
        assert_eq!(line.pieces.len(), 2);
        assert_eq!(line.pieces[0].text, "125");
        assert!(line.pieces.last().unwrap().text.contains("التذاكر"));
    }

    #[test]
    fn long_texts_wrap_between_words() {
        let lines = wrap("Attente médiane en minutes au guichet", false, false, 6.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 6.0 || l.pieces.len() == 1));
    }
}
