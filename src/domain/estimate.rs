//! Estimated waits: how long one service takes, learned from today's
//! finished tickets, and how long someone with `ahead` people before them
//! will wait with `counters` counters serving.

/// How many configured-duration "samples" the estimate starts from, so that
/// the first few visits of the day do not swing it wildly.
const PRIOR_WEIGHT: f64 = 3.0;

/// The longest a visit is taken to last; longer ones are tickets left open.
pub const LONGEST_VISIT_SECONDS: i64 = 4 * 3600;

/// Mean service time in seconds, blending the configured duration with the
/// durations (in seconds) of today's finished tickets.
pub fn service_seconds(configured_minutes: i64, observed: &[i64]) -> f64 {
    let usable = observed
        .iter()
        .filter(|s| (1..=LONGEST_VISIT_SECONDS).contains(*s));
    let (sum, count) = usable.fold((0, 0), |(sum, count), s| (sum + s, count + 1));
    service_seconds_from(configured_minutes, sum, count)
}

/// The same from the sum and count of usable durations, as SQL gives them.
pub fn service_seconds_from(configured_minutes: i64, sum_seconds: i64, count: i64) -> f64 {
    let prior = (configured_minutes * 60) as f64;
    (prior * PRIOR_WEIGHT + sum_seconds as f64) / (PRIOR_WEIGHT + count as f64)
}

/// Seconds until someone with `ahead` people before them is called. With no
/// counter open, one is assumed to open: the estimate stays useful.
pub fn wait_seconds(ahead: i64, counters: i64, per_visit_seconds: f64) -> i64 {
    let counters = counters.max(1) as f64;
    (ahead.max(0) as f64 * per_visit_seconds / counters).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_from_the_configured_time() {
        assert_eq!(service_seconds(5, &[]), 300.0);
    }

    #[test]
    fn learns_from_a_recorded_morning() {
        // Légalisation de signature, configured at 5 min, really ~3 min.
        let morning = [170, 185, 200, 160, 175, 190, 180, 165, 195, 180];
        let estimate = service_seconds(5, &morning);
        assert!((200.0..=215.0).contains(&estimate), "{estimate}");
        // With a full day of samples, the configured time barely matters.
        let day: Vec<i64> = morning.iter().cycle().take(100).copied().collect();
        assert!((180.0..=185.0).contains(&service_seconds(5, &day)));
    }

    #[test]
    fn ignores_absurd_durations() {
        // A ticket left open over lunch, and a zero-second misclick.
        assert_eq!(service_seconds(5, &[0, 6 * 3600]), 300.0);
    }

    #[test]
    fn waits_scale_with_counters() {
        assert_eq!(wait_seconds(0, 2, 300.0), 0);
        assert_eq!(wait_seconds(4, 1, 300.0), 1200);
        assert_eq!(wait_seconds(4, 2, 300.0), 600);
        assert_eq!(
            wait_seconds(4, 0, 300.0),
            1200,
            "no open counter counts as one"
        );
    }
}
