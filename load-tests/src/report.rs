//! Latency histograms and the printed summary.

use hdrhistogram::Histogram;
use std::time::Duration;

/// Microsecond latencies from 1 µs to 60 s.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

pub fn record(histogram: &mut Histogram<u64>, latency: Duration) {
    let micros = latency.as_micros().clamp(1, 60_000_000) as u64;
    histogram.record(micros).expect("within bounds");
}

/// A percentile in milliseconds.
pub fn ms(histogram: &Histogram<u64>, quantile: f64) -> f64 {
    (histogram.value_at_quantile(quantile) as f64 / 1000.0 * 1000.0).round() / 1000.0
}

pub fn print_row(name: &str, value: impl std::fmt::Display) {
    println!("  {name:<28} {value}");
}

/// The run's summary: one JSON object with `json`, else a titled table.
pub fn print_summary(title: &str, summary: &serde_json::Value, json: bool) {
    if json {
        println!("{summary}");
        return;
    }
    println!("{title}");
    for (key, value) in summary.as_object().into_iter().flatten() {
        print_row(key, value);
    }
}
