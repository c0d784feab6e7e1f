//! The servers' resident memory through a `day` run: `VmRSS` of every
//! instance, summed, read from `/proc/PID/status` every few seconds.
//! "Flat" is read from the slope over the second half of the day, once the
//! caches and pools have filled: a least-squares line through its samples.

use super::plan::Day;
use crate::server::rss_kib_of;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Between two samples.
pub const EVERY: Duration = Duration::from_secs(2);

/// Seconds from the office's opening (negative before), and KiB.
pub type Sample = (f64, u64);

/// Samples the processes' memory until `stop`, then once more.
pub async fn sample(pids: Vec<u32>, day: Day, mut stop: watch::Receiver<bool>) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut every = tokio::time::interval(EVERY);
    loop {
        let rss: u64 = pids.iter().filter_map(|pid| rss_kib_of(*pid).ok()).sum();
        samples.push((seconds_since(day.start), rss));
        tokio::select! {
            _ = stop.changed() => break,
            _ = every.tick() => {}
        }
    }
    let rss: u64 = pids.iter().filter_map(|pid| rss_kib_of(*pid).ok()).sum();
    samples.push((seconds_since(day.start), rss));
    samples
}

fn seconds_since(start: Instant) -> f64 {
    let now = Instant::now();
    now.saturating_duration_since(start).as_secs_f64()
        - start.saturating_duration_since(now).as_secs_f64()
}

/// Start (at opening), after warm-up (the first simulated hour), peak,
/// end (after the last socket caught up), all in MB, and the slope over
/// the second half of the day in MB/min.
pub fn figures(samples: &[Sample], day: Day) -> Value {
    let mb = |kib: u64| (kib as f64 / 1024.0 * 10.0).round() / 10.0;
    let real = day.real.as_secs_f64();
    let at = |t: f64| {
        samples
            .iter()
            .find(|(s, _)| *s >= t)
            .or(samples.last())
            .map_or(0, |(_, kib)| *kib)
    };
    let peak = samples.iter().map(|(_, kib)| *kib).max().unwrap_or(0);
    let end = samples.last().map_or(0, |(_, kib)| *kib);
    let second_half: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|(t, _)| *t >= real / 2.0 && *t <= real)
        .collect();
    let slope = slope_kib_per_s(&second_half) * 60.0 / 1024.0;
    json!({
        "samples": samples.len(),
        "start_mb": mb(at(0.0)),
        "after_warm_up_mb": mb(at(real / 8.0)),
        "peak_mb": mb(peak),
        "end_mb": mb(end),
        "second_half_slope_mb_per_min": (slope * 1000.0).round() / 1000.0,
    })
}

/// The least-squares slope of the samples, KiB per second (0 for fewer than two).
fn slope_kib_per_s(samples: &[Sample]) -> f64 {
    let n = samples.len() as f64;
    if samples.len() < 2 {
        return 0.0;
    }
    let mean_t = samples.iter().map(|(t, _)| t).sum::<f64>() / n;
    let mean_m = samples.iter().map(|(_, m)| *m as f64).sum::<f64>() / n;
    let (mut covariance, mut variance) = (0.0, 0.0);
    for (t, m) in samples {
        covariance += (t - mean_t) * (*m as f64 - mean_m);
        variance += (t - mean_t) * (t - mean_t);
    }
    if variance == 0.0 {
        0.0
    } else {
        covariance / variance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_climb_has_its_slope_and_a_plateau_none() {
        let climbing: Vec<Sample> = (0..10).map(|i| (i as f64, 1000 + 5 * i)).collect();
        assert!((slope_kib_per_s(&climbing) - 5.0).abs() < 1e-9);
        let flat: Vec<Sample> = (0..10).map(|i| (i as f64, 2000 + (i % 2) * 4)).collect();
        assert!(slope_kib_per_s(&flat).abs() < 0.5);
        assert_eq!(slope_kib_per_s(&climbing[..1]), 0.0);
    }
}
