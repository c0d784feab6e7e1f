//! A report laid out on A4 pages: what to draw where, before anything is
//! drawn. Positions are in points from the top left; an Arabic report is
//! mirrored, its lines aligned right and its tables' first column on the
//! right.

use super::text::{self, Line};
use super::{Block, Report, Table};

pub const WIDTH: f32 = 595.0;
pub const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const TEXT_WIDTH: f32 = WIDTH - 2.0 * MARGIN;
const BOTTOM: f32 = HEIGHT - MARGIN;
/// Figures' columns are at most this wide.
const FIGURE_COLUMN: f32 = 58.0;
const CELL_PAD: f32 = 3.0;

pub enum Op {
    /// A line whose baseline starts at `(x, y)`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        line: Line,
    },
    /// A thin horizontal rule in grey (0 black, 255 white).
    Rule {
        x: f32,
        y: f32,
        width: f32,
        grey: u8,
    },
}

#[derive(Default)]
pub struct Page {
    pub ops: Vec<Op>,
}

struct Flow<'a> {
    report: &'a Report,
    pages: Vec<Page>,
    y: f32,
}

impl Flow<'_> {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
    }

    /// Room for `height` more points, or a new page.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    /// `line` at `x` points from the start edge (the left, or the right in
    /// Arabic) within a box `width` wide, at the end of that box if `end`.
    fn put(&mut self, line: Line, size: f32, from: f32, width: f32, end: bool, baseline: f32) {
        let drawn = line.width * size;
        let offset = if end { width - drawn } else { 0.0 };
        let x = match self.report.rtl {
            false => MARGIN + from + offset,
            true => WIDTH - MARGIN - from - offset - drawn,
        };
        self.page().ops.push(Op::Text {
            x,
            y: baseline,
            size,
            line,
        });
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool, before: f32) {
        let lines = text::wrap(text, self.report.rtl, bold, TEXT_WIDTH / size);
        let leading = size * 1.35;
        self.room(before + leading);
        self.y += before;
        for line in lines {
            self.room(leading);
            self.y += leading;
            let y = self.y - size * 0.3;
            self.put(line, size, 0.0, TEXT_WIDTH, false, y);
        }
    }

    fn rule(&mut self, grey: u8) {
        let y = self.y;
        self.page().ops.push(Op::Rule {
            x: MARGIN,
            y,
            width: TEXT_WIDTH,
            grey,
        });
    }

    fn table(&mut self, table: &Table) {
        let columns = table
            .head
            .len()
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let figure = FIGURE_COLUMN.min(TEXT_WIDTH * 0.6 / (columns.max(2) - 1) as f32);
        let first = TEXT_WIDTH - figure * (columns - 1) as f32;
        let widths: Vec<f32> = (0..columns)
            .map(|i| if i == 0 { first } else { figure })
            .collect();
        // A table of figures by name has no head.
        let head = table.head.iter().any(|h| !h.is_empty());
        self.room(40.0);
        if head {
            self.row(&table.head, &widths, 7.5, true);
            self.rule(60);
        }
        for row in &table.rows {
            if self.y + 14.0 > BOTTOM {
                self.new_page();
                if head {
                    self.row(&table.head, &widths, 7.5, true);
                    self.rule(60);
                }
            }
            self.row(row, &widths, 9.0, false);
            self.rule(200);
        }
    }

    /// One row: each cell wrapped in its column, figures at the end edge.
    fn row(&mut self, cells: &[String], widths: &[f32], size: f32, head: bool) {
        let rtl = self.report.rtl;
        let wrapped: Vec<Vec<Line>> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| text::wrap(cell, rtl, head, (width - 2.0 * CELL_PAD) / size))
            .collect();
        let leading = size * 1.3;
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let height = lines as f32 * leading + 2.0 * CELL_PAD;
        self.room(height);
        let top = self.y;
        let mut from = 0.0;
        for (column, (cell, width)) in wrapped.into_iter().zip(widths).enumerate() {
            for (i, line) in cell.into_iter().enumerate() {
                let baseline = top + CELL_PAD + (i as f32 + 1.0) * leading - size * 0.3;
                let inner = width - 2.0 * CELL_PAD;
                self.put(line, size, from + CELL_PAD, inner, column > 0, baseline);
            }
            from += width;
        }
        self.y = top + height;
    }
}

/// The pages of `report`.
pub fn pages(report: &Report) -> Vec<Page> {
    let mut flow = Flow {
        report,
        pages: vec![Page::default()],
        y: MARGIN,
    };
    flow.paragraph(&report.title, 18.0, true, 0.0);
    for line in &report.lines {
        flow.paragraph(line, 10.5, false, 2.0);
    }
    flow.y += 6.0;
    flow.rule(0);
    for section in &report.sections {
        flow.room(70.0);
        flow.paragraph(&section.heading, 13.0, true, 14.0);
        flow.y += 4.0;
        for block in &section.blocks {
            match block {
                Block::Note(text) => flow.paragraph(text, 8.5, false, 0.0),
                Block::Table(table) => flow.table(table),
            }
            flow.y += 4.0;
        }
    }
    let count = flow.pages.len();
    for (i, page) in flow.pages.iter_mut().enumerate() {
        // "n / N" at the foot of each page, centred.
        let line = text::shape(&format!("{} / {count}", i + 1), false, false);
        let x = (WIDTH - line.width * 8.0) / 2.0;
        page.ops.push(Op::Text {
            x,
            y: HEIGHT - MARGIN / 2.0,
            size: 8.0,
            line,
        });
    }
    flow.pages
}
