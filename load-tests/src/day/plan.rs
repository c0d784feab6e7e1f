//! The office day of the `day` scenario, compressed: 08:30–16:30 local
//! played in `--minutes` of real time (8 h in 10 min is 48×), and when its
//! walk-ins arrive. Pure: no I/O.

use rand::Rng;
use std::time::{Duration, Instant};

/// Opening and closing, in minutes from local midnight.
pub const OPENS: f64 = 8.0 * 60.0 + 30.0;
pub const CLOSES: f64 = 16.0 * 60.0 + 30.0;
/// Walk-ins stop coming half an hour before closing; whoever is in the
/// queue then is still served.
pub const LAST_ARRIVAL: f64 = 16.0 * 60.0;
/// Lunch: half the counters pause for this hour.
pub const LUNCH: (f64, f64) = (12.0 * 60.0, 13.0 * 60.0);
/// Relative walk-in arrivals per half hour from 08:30 to 16:00: a morning
/// peak, a lunch dip, a smaller afternoon hump.
const HALF_HOURS: [u32; 15] = [5, 8, 10, 10, 9, 8, 6, 3, 2, 4, 6, 7, 6, 4, 3];

/// The compressed day: simulated local minutes against real instants.
#[derive(Clone, Copy, Debug)]
pub struct Day {
    /// The real instant the office opens (08:30).
    pub start: Instant,
    /// Real time the 8 hours from opening to closing take.
    pub real: Duration,
}

impl Day {
    pub fn new(start: Instant, minutes: f64) -> Self {
        Self {
            start,
            real: Duration::from_secs_f64(minutes * 60.0),
        }
    }

    /// Simulated seconds per real second.
    pub fn factor(&self) -> f64 {
        (CLOSES - OPENS) * 60.0 / self.real.as_secs_f64()
    }

    /// The real instant of a simulated time of day (minutes from midnight).
    pub fn at(&self, minute: f64) -> Instant {
        self.start + self.span((minute - OPENS).max(0.0))
    }

    /// The real time a simulated span of `minutes` takes.
    pub fn span(&self, minutes: f64) -> Duration {
        Duration::from_secs_f64((minutes * 60.0 / self.factor()).max(0.0))
    }

    /// The simulated time of day of a real instant.
    pub fn minute_of(&self, at: Instant) -> f64 {
        let real = at.saturating_duration_since(self.start).as_secs_f64();
        let before = self.start.saturating_duration_since(at).as_secs_f64();
        OPENS + (real - before) * self.factor() / 60.0
    }

    pub fn now(&self) -> f64 {
        self.minute_of(Instant::now())
    }
}

/// One walk-in: when (minutes from midnight), for which service (its index
/// among the walk-in services), and whether with priority.
#[derive(Clone, Copy, Debug)]
pub struct Arrival {
    pub minute: f64,
    pub service: usize,
    pub priority: bool,
}

/// `count` walk-ins over the day, in time order: a half hour drawn by its
/// weight in `HALF_HOURS`, then a time within it; the service by `shares`;
/// one in twenty with priority.
pub fn arrivals(rng: &mut impl Rng, count: usize, shares: &[u32]) -> Vec<Arrival> {
    let total: u32 = HALF_HOURS.iter().sum();
    let share_total: u32 = shares.iter().sum::<u32>().max(1);
    let mut all: Vec<Arrival> = (0..count)
        .map(|_| {
            let bin = weighted(rng.random_range(0..total), &HALF_HOURS);
            let minute = OPENS + 30.0 * (bin as f64 + rng.random::<f64>());
            let service = weighted(rng.random_range(0..share_total), shares);
            Arrival {
                minute: minute.min(LAST_ARRIVAL - 0.01),
                service,
                priority: rng.random_bool(0.05),
            }
        })
        .collect();
    all.sort_by(|a, b| a.minute.total_cmp(&b.minute));
    all
}

/// The index whose cumulative weight first exceeds `pick`.
fn weighted(mut pick: u32, weights: &[u32]) -> usize {
    for (i, weight) in weights.iter().enumerate() {
        if pick < *weight {
            return i;
        }
        pick -= weight;
    }
    weights.len().saturating_sub(1)
}

/// A service time around `mean` simulated minutes: from 0.4 to 1.6 times it.
pub fn service_minutes(rng: &mut impl Rng, mean: f64) -> f64 {
    mean * (0.4 + 1.2 * rng.random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn ten_minutes_are_an_office_day_at_48_times() {
        let start = Instant::now();
        let day = Day::new(start, 10.0);
        assert!((day.factor() - 48.0).abs() < 1e-9);
        assert_eq!(day.at(OPENS), start);
        assert_eq!(day.at(CLOSES), start + Duration::from_secs(600));
        assert_eq!(day.span(48.0), Duration::from_secs(60));
        assert!((day.minute_of(start + Duration::from_secs(300)) - 12.5 * 60.0).abs() < 1e-6);
    }

    #[test]
    fn walk_ins_peak_in_the_morning_and_dip_at_lunch() {
        let mut rng = StdRng::seed_from_u64(9);
        let all = arrivals(&mut rng, 10_000, &[3, 2]);
        assert_eq!(all.len(), 10_000);
        assert!(all.windows(2).all(|w| w[0].minute <= w[1].minute));
        assert!(
            all.iter()
                .all(|a| a.minute >= OPENS && a.minute < LAST_ARRIVAL)
        );
        let between = |from: f64, to: f64| {
            all.iter()
                .filter(|a| a.minute >= from * 60.0 && a.minute < to * 60.0)
                .count()
        };
        assert!(between(10.0, 11.0) > 2 * between(12.5, 13.5));
        assert!(between(14.0, 15.0) > between(12.5, 13.5));
        let second = all.iter().filter(|a| a.service == 1).count();
        assert!((3_500..4_500).contains(&second), "{second}");
        let priority = all.iter().filter(|a| a.priority).count();
        assert!((300..700).contains(&priority), "{priority}");
    }
}
