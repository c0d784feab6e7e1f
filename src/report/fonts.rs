//! The report's fonts, embedded in the binary: Noto Sans for Latin text
//! and figures, Noto Sans Arabic for Arabic (`displays/fonts/`, under the
//! SIL Open Font License, `displays/fonts/OFL.txt`).

use std::sync::{Arc, LazyLock};

const SANS: &[u8] = include_bytes!("../../displays/fonts/NotoSans-Regular.ttf");
const SANS_BOLD: &[u8] = include_bytes!("../../displays/fonts/NotoSans-Bold.ttf");
const ARABIC: &[u8] = include_bytes!("../../displays/fonts/NotoSansArabic-Regular.ttf");
const ARABIC_BOLD: &[u8] = include_bytes!("../../displays/fonts/NotoSansArabic-Bold.ttf");

/// One font, for the PDF (krilla) and for shaping (rustybuzz).
pub struct Face {
    pub font: krilla::text::Font,
    pub shaper: rustybuzz::Face<'static>,
    pub units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        let shared: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(data);
        // The files are the repository's own: a failure is a broken build,
        // which the unit tests catch.
        let font = krilla::text::Font::new(shared.into(), 0).expect("an embedded font");
        let shaper = rustybuzz::Face::from_slice(data, 0).expect("an embedded font");
        let units_per_em = shaper.units_per_em() as f32;
        Face {
            font,
            shaper,
            units_per_em,
        }
    }
}

pub struct Fonts {
    pub latin: [Face; 2],
    pub arabic: [Face; 2],
}

impl Fonts {
    /// The face for `arabic` text or not, bold or regular.
    pub fn face(&self, arabic: bool, bold: bool) -> &Face {
        let set = if arabic { &self.arabic } else { &self.latin };
        &set[usize::from(bold)]
    }
}

pub static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    latin: [Face::load(SANS), Face::load(SANS_BOLD)],
    arabic: [Face::load(ARABIC), Face::load(ARABIC_BOLD)],
});
