//! When each citizen arrives: `bursts` bursts of `burst` citizens, each
//! spread evenly within one second (at seconds 0, seconds/bursts, …), and
//! the other citizens spread evenly over the other seconds.

use anyhow::bail;
use std::time::Duration;

#[derive(Debug)]
pub struct Plan {
    /// Each citizen's arrival from the start, in order.
    pub arrivals: Vec<Duration>,
    /// The first second of each burst.
    pub bursts: Vec<u64>,
}

impl Plan {
    pub fn new(citizens: u64, seconds: u64, bursts: u64, burst: u64) -> anyhow::Result<Self> {
        let rest = citizens.saturating_sub(bursts * burst);
        if bursts * burst > citizens {
            bail!("{bursts} bursts of {burst} are more than {citizens} citizens");
        }
        if bursts > seconds || (rest > 0 && bursts == seconds) {
            bail!("{bursts} bursts leave no second of {seconds} for the other citizens");
        }
        let burst_seconds: Vec<u64> = (0..bursts).map(|b| b * seconds / bursts.max(1)).collect();
        let quiet: Vec<u64> = (0..seconds)
            .filter(|s| !burst_seconds.contains(s))
            .collect();
        let mut arrivals = Vec::with_capacity(citizens as usize);
        for &second in &burst_seconds {
            for j in 0..burst {
                arrivals.push(at(second as f64 + j as f64 / burst as f64));
            }
        }
        for i in 0..rest {
            // The i-th of `rest` on a clock that runs only in quiet seconds.
            let quiet_time = i as f64 * quiet.len() as f64 / rest as f64;
            let second = quiet[quiet_time as usize];
            arrivals.push(at(second as f64 + quiet_time.fract()));
        }
        arrivals.sort();
        Ok(Self {
            arrivals,
            bursts: burst_seconds,
        })
    }

    /// Whether a request meant to leave at `offset` from the start falls
    /// within a burst's second.
    pub fn in_burst(&self, offset: Duration) -> bool {
        let second = offset.as_secs();
        self.bursts.contains(&second)
    }
}

fn at(seconds: f64) -> Duration {
    Duration::from_secs_f64(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_fill_their_second_and_the_rest_spreads_evenly() {
        let plan = Plan::new(20_000, 20, 2, 2_000).unwrap();
        assert_eq!(plan.bursts, [0, 10]);
        assert_eq!(plan.arrivals.len(), 20_000);
        let mut per_second = [0u32; 20];
        for arrival in &plan.arrivals {
            per_second[arrival.as_secs() as usize] += 1;
        }
        assert_eq!(per_second[0], 2_000);
        assert_eq!(per_second[10], 2_000);
        // 16,000 over the 18 other seconds: 888 or 889 each.
        for (second, count) in per_second.iter().enumerate() {
            if second != 0 && second != 10 {
                assert!((888..=889).contains(count), "second {second}: {count}");
            }
        }
        assert!(plan.in_burst(Duration::from_millis(10_999)));
        assert!(!plan.in_burst(Duration::from_millis(11_000)));
    }

    #[test]
    fn refuses_shapes_that_do_not_fit() {
        assert!(Plan::new(100, 10, 2, 60).is_err());
        assert!(Plan::new(100, 2, 2, 10).is_err());
        assert!(Plan::new(20, 2, 2, 10).is_ok());
    }
}
