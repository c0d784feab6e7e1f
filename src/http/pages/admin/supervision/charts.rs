//! The statistics charts, drawn on the server as inline SVG with
//! `plotters`: pure functions from figures to an `<svg>` string, so the
//! pages need no script. Text is SVG `<text>` (the browser's fonts, no font
//! files here); every chart has a `<title>` a screen reader announces, and
//! the page's tables carry the same figures. Numbers are written with
//! Western digits in every language, with the language's decimal mark
//! (`Lang::number`); axes run left to right in Arabic too (the page's
//! stylesheet keeps the chart `ltr`). Text is sized for the chart's width
//! on the page (the stylesheet keeps it from shrinking far below it), and
//! the legend sits in a band above the plot, never over the data.

use crate::http::pages::i18n::Lang;
use plotters::prelude::*;

/// The words around a chart, in the page's language.
pub struct ChartText<'a> {
    /// Unique in the page: the `<title>` is found by it.
    pub id: &'a str,
    /// What the chart shows, as its accessible name.
    pub title: &'a str,
    pub x: &'a str,
    pub y: &'a str,
    /// The series' names, for the legend (one per series drawn).
    pub series: &'a [&'a str],
    /// How the axis' numbers are written.
    pub lang: Lang,
}

/// One day's volume.
pub struct DayVolume {
    /// As shown under the axis (`DD/MM`).
    pub label: String,
    pub issued: i64,
    pub served: i64,
}

const SIZE: (u32, u32) = (640, 320);
const FONT: &str = "sans-serif";
/// Axis labels and legend: `plotters` writes a size of 19 as 15.3 SVG
/// units, and the page shows a chart at no less than 560 px for its 640,
/// so at least 13 px on screen.
const LABEL_SIZE: u32 = 19;
const DESC_SIZE: u32 = 20;
/// The band above the plot that holds the legend.
const LEGEND_BAND: u32 = 34;
const ISSUED: RGBColor = RGBColor(11, 83, 148);
const SERVED: RGBColor = RGBColor(180, 83, 9);

/// Mean wait, in minutes, by local hour of the day: one bar per hour with
/// data, the hours between the first and last of them on the axis.
pub fn waits_by_hour(mean_wait_seconds: &[(i8, Option<f64>)], text: &ChartText) -> String {
    let with_data: Vec<(i8, f64)> = mean_wait_seconds
        .iter()
        .filter_map(|(h, s)| s.map(|s| (*h, s / 60.0)))
        .collect();
    let first = with_data.iter().map(|d| d.0).min().unwrap_or(8).min(8);
    let last = with_data.iter().map(|d| d.0).max().unwrap_or(17).max(17);
    let top = nice_top(with_data.iter().map(|d| d.1));
    let bars = |chart: &mut Chart<'_>| {
        chart.draw_series(with_data.iter().map(|(h, m)| {
            let x = f64::from(*h);
            Rectangle::new([(x - 0.35, 0.0), (x + 0.35, *m)], ISSUED.filled())
        }))?;
        Ok(())
    };
    let x_label = |x: &f64| format!("{}h", x.round() as i64);
    let range = (f64::from(first) - 0.5)..(f64::from(last) + 0.5);
    let labels = usize::try_from(last - first + 1).unwrap_or(10);
    draw(text, range, top, labels, &x_label, &[], bars)
}

/// Tickets issued and served per day, as two lines.
pub fn daily_volume(days: &[DayVolume], text: &ChartText) -> String {
    let top = nice_top(days.iter().map(|d| d.issued.max(d.served) as f64));
    let n = days.len().max(1);
    let names = text.series;
    let legend: Vec<(&str, RGBColor)> = [ISSUED, SERVED]
        .into_iter()
        .enumerate()
        .map(|(i, color)| (names.get(i).copied().unwrap_or(""), color))
        .collect();
    let lines = |chart: &mut Chart<'_>| {
        for (i, color) in [(0, ISSUED), (1, SERVED)] {
            let points: Vec<(f64, f64)> = days
                .iter()
                .enumerate()
                .map(|(x, d)| (x as f64, if i == 0 { d.issued } else { d.served } as f64))
                .collect();
            chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?;
            if points.len() <= 62 {
                chart.draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 2, color.filled())),
                )?;
            }
        }
        Ok(())
    };
    let x_label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 0.01 || i < 0.0 {
            return String::new();
        }
        days.get(i as usize)
            .map_or_else(String::new, |d| d.label.clone())
    };
    draw(
        text,
        -0.5..(n as f64 - 0.5),
        top,
        n.min(10),
        &x_label,
        &legend,
        lines,
    )
}

/// Mean service time, in minutes, per agent: one bar each.
pub fn service_times(agents: &[(String, Option<f64>)], text: &ChartText) -> String {
    let top = nice_top(agents.iter().filter_map(|(_, s)| s.map(|s| s / 60.0)));
    let n = agents.len().max(1);
    let bars = |chart: &mut Chart<'_>| {
        chart.draw_series(agents.iter().enumerate().filter_map(|(i, (_, s))| {
            let m = (*s)? / 60.0;
            let x = i as f64;
            Some(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, m)],
                SERVED.filled(),
            ))
        }))?;
        Ok(())
    };
    let x_label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 0.01 || i < 0.0 {
            return String::new();
        }
        agents
            .get(i as usize)
            .map_or_else(String::new, |a| a.0.clone())
    };
    draw(
        text,
        -0.5..(n as f64 - 0.5),
        top,
        n.min(12),
        &x_label,
        &[],
        bars,
    )
}

type Chart<'a> = ChartContext<
    'a,
    SVGBackend<'a>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;
type Drawn = Result<(), Box<dyn std::error::Error + 'static>>;

/// Draws the frame of a chart (axes, labels, grid) and its series, and
/// names it; a `legend` (name and colour of each series) goes in a band
/// above the plot. A chart that fails to draw is an empty named picture: the
/// tables beside it still give the figures.
fn draw(
    text: &ChartText,
    x: std::ops::Range<f64>,
    top: f64,
    x_labels: usize,
    x_label: &dyn Fn(&f64) -> String,
    legend: &[(&str, RGBColor)],
    series: impl FnOnce(&mut Chart<'_>) -> Drawn,
) -> String {
    let mut svg = String::new();
    let drawn: Drawn = (|| {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let top_margin = if legend.is_empty() {
            12
        } else {
            LEGEND_BAND + 8
        };
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_top(top_margin)
            .x_label_area_size(52)
            .y_label_area_size(64)
            .build_cartesian_2d(x, 0.0..top)?;
        let lang = text.lang;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(x_labels)
            .x_label_formatter(x_label)
            .y_label_formatter(&|y| lang.number(*y))
            .x_desc(text.x)
            .y_desc(text.y)
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, DESC_SIZE))
            .draw()?;
        series(&mut chart)?;
        // The legend: a mark and a name per series, side by side, from the
        // start of the band above the plot.
        let mut at = 70;
        for (name, color) in legend {
            let y = (LEGEND_BAND / 2 + 6) as i32;
            root.draw(&PathElement::new(
                vec![(at, y), (at + 22, y)],
                color.stroke_width(3),
            ))?;
            let style = (FONT, LABEL_SIZE).into_font().color(&BLACK);
            root.draw(&Text::new(name.to_string(), (at + 28, y - 8), style))?;
            at += 28 + 10 * name.chars().count() as i32 + 30;
        }
        root.present()?;
        Ok(())
    })();
    if let Err(error) = drawn {
        tracing::warn!(%error, chart = text.id, "chart failed to draw");
        svg = format!("<svg viewBox=\"0 0 {} {}\"></svg>", SIZE.0, SIZE.1);
    }
    named(&svg, text)
}

/// The SVG with a `<title>` and the role of an image, fit for inline HTML.
fn named(svg: &str, text: &ChartText) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let svg = &svg[start..];
    let Some(end) = svg.find('>') else {
        return String::new();
    };
    let title_id = format!("{}-title", text.id);
    format!(
        "<svg role=\"img\" aria-labelledby=\"{title_id}\" id=\"{}\"{}><title id=\"{title_id}\">{}</title>{}",
        escape(text.id),
        &svg[4..end],
        escape(text.title),
        &svg[end + 1..]
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round top for an axis above every value (10 when there is none).
fn nice_top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.fold(0.0_f64, f64::max);
    if max <= 0.0 || !max.is_finite() {
        return 10.0;
    }
    let step = 10f64.powf((max * 1.1).log10().floor());
    ((max * 1.1) / step).ceil() * step
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(id: &'a str, series: &'a [&'a str]) -> ChartText<'a> {
        ChartText {
            id,
            title: "Attente moyenne <par heure>",
            x: "Heure",
            y: "Minutes",
            series,
            lang: Lang::Fr,
        }
    }

    fn count(svg: &str, what: &str) -> usize {
        svg.matches(what).count()
    }

    /// The texts of the chart, trimmed.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                Some(
                    t.split_once('>')?
                        .1
                        .split("</text>")
                        .next()?
                        .trim()
                        .to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn waits_by_hour_draws_one_bar_per_hour_with_data() {
        let hours: Vec<(i8, Option<f64>)> = (0..24)
            .map(|h| (h, [9, 10, 14].contains(&h).then_some(f64::from(h) * 60.0)))
            .collect();
        let svg = waits_by_hour(&hours, &text("waits", &[]));
        assert!(
            svg.starts_with("<svg role=\"img\" aria-labelledby=\"waits-title\""),
            "{svg}"
        );
        assert!(
            svg.contains("<title id=\"waits-title\">Attente moyenne &lt;par heure&gt;</title>")
        );
        assert!(!svg.contains("<?xml"));
        assert_eq!(count(&svg, "fill=\"#0B5394\""), 3, "{svg}");
        let texts = texts(&svg);
        for label in ["9h", "14h", "17h", "Heure", "Minutes"] {
            assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
        }
    }

    #[test]
    fn daily_volume_draws_two_named_lines() {
        let days: Vec<DayVolume> = (1..=5)
            .map(|d| DayVolume {
                label: format!("0{d}/11"),
                issued: 10 * d,
                served: 8 * d,
            })
            .collect();
        let svg = daily_volume(&days, &text("volume", &["Délivrés", "Servis"]));
        // Each line and its legend mark.
        assert_eq!(count(&svg, "stroke=\"#0B5394\""), 2, "{svg}");
        assert_eq!(count(&svg, "stroke=\"#B45309\""), 2, "{svg}");
        let texts = texts(&svg);
        for label in ["01/11", "05/11", "Délivrés", "Servis", "50"] {
            assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
        }
    }

    #[test]
    fn service_times_name_each_agent_and_skip_those_without_a_time() {
        let agents = vec![
            ("amina".to_owned(), Some(300.0)),
            ("karim".to_owned(), None),
            ("said".to_owned(), Some(450.0)),
        ];
        let svg = service_times(&agents, &text("service", &[]));
        assert_eq!(count(&svg, "fill=\"#B45309\""), 2, "{svg}");
        let texts = texts(&svg);
        for name in ["amina", "karim", "said"] {
            assert!(texts.iter().any(|t| t == name), "{name} in {texts:?}");
        }
    }

    #[test]
    fn empty_figures_still_make_a_named_chart() {
        let svg = service_times(&[], &text("none", &[]));
        assert!(svg.contains("<title id=\"none-title\">"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    }

    #[test]
    fn numbers_are_short_western_and_in_the_language() {
        assert_eq!(Lang::Fr.number(12.0), "12");
        assert_eq!(Lang::Fr.number(12.34), "12,3");
        assert_eq!(Lang::Ar.number(4.5), "4,5");
        assert_eq!(Lang::En.number(4.5), "4.5");
        assert_eq!(nice_top([0.0].into_iter()), 10.0);
        assert_eq!(nice_top([47.0].into_iter()), 60.0);
    }
}
