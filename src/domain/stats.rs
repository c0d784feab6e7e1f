//! The arithmetic of the statistics, kept apart from SQL: which row of a
//! sorted list is the median or the 90th percentile, which local hour and
//! day a stored instant falls on, and how a range of local days is checked.
//!
//! Percentiles are *nearest-rank*: of `n` sorted values, the `p`-th
//! percentile is the value of rank `⌈p·n/100⌉` (1-based). The median is
//! therefore rank `⌈n/2⌉` (the lower middle when `n` is even) and the p90 is
//! rank `⌈9n/10⌉`. It is always a value that was measured, and the store
//! computes the same ranks in SQL (`ROW_NUMBER()`), so both agree.

use super::Invalid;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Instants are grouped by the database into buckets of this many
/// milliseconds; every offset in use is a whole number of quarter hours, so
/// a bucket lies within one local hour whatever the site's timezone.
pub const BUCKET_MS: i64 = 15 * 60 * 1000;

/// The longest range a statistics request may cover, in days.
pub const MAX_RANGE_DAYS: i32 = 366;

/// The 1-based rank of the `percent`-th percentile among `n` sorted values
/// (nearest rank), or `None` when there are none.
pub fn nearest_rank(n: i64, percent: i64) -> Option<i64> {
    (n > 0).then(|| ((percent * n + 99) / 100).max(1))
}

/// The median's rank, `⌈n/2⌉`: what the store's SQL computes as `(n + 1) / 2`.
pub fn median_rank(n: i64) -> Option<i64> {
    nearest_rank(n, 50)
}

/// The 90th percentile's rank, `⌈9n/10⌉`: the store's `(9 * n + 9) / 10`.
pub fn p90_rank(n: i64) -> Option<i64> {
    nearest_rank(n, 90)
}

/// The value of the `percent`-th percentile (nearest rank) of `sorted`,
/// which must be in ascending order; `None` when it is empty.
pub fn percentile(sorted: &[i64], percent: i64) -> Option<i64> {
    let rank = nearest_rank(sorted.len() as i64, percent)?;
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// The local hour of day (0–23) of the bucket starting at `bucket * BUCKET_MS`.
pub fn local_hour(bucket: i64, zone: &TimeZone) -> Option<i8> {
    let at = Timestamp::from_millisecond(bucket.checked_mul(BUCKET_MS)?).ok()?;
    Some(at.to_zoned(zone.clone()).hour())
}

/// The local day of the bucket starting at `bucket * BUCKET_MS`.
pub fn local_day(bucket: i64, zone: &TimeZone) -> Option<Date> {
    let at = Timestamp::from_millisecond(bucket.checked_mul(BUCKET_MS)?).ok()?;
    Some(at.to_zoned(zone.clone()).date())
}

/// The instants `[start, end)` in milliseconds that the local days `from`
/// to `to` (inclusive) cover in `zone`.
pub fn instants(from: Date, to: Date, zone: &TimeZone) -> Option<(i64, i64)> {
    let start = from.to_zoned(zone.clone()).ok()?.start_of_day().ok()?;
    let end = to
        .checked_add(1.day())
        .ok()?
        .to_zoned(zone.clone())
        .ok()?
        .start_of_day()
        .ok()?;
    Some((
        start.timestamp().as_millisecond(),
        end.timestamp().as_millisecond(),
    ))
}

/// Checks a range of local days: `from` not after `to`, at most
/// `MAX_RANGE_DAYS` days.
pub fn check_range(from: Date, to: Date) -> Result<(), Invalid> {
    if from > to {
        return Err(Invalid::new("range", "from is after to"));
    }
    let days = (to - from).get_days() + 1;
    if days > MAX_RANGE_DAYS {
        return Err(Invalid::new(
            "range",
            format!("at most {MAX_RANGE_DAYS} days at once"),
        ));
    }
    Ok(())
}

/// Every day from `from` to `to`, inclusive.
pub fn days(from: Date, to: Date) -> impl Iterator<Item = Date> {
    from.series(1.day()).take_while(move |day| *day <= to)
}

/// `part / whole`, rounded to three decimals; `None` for a whole of zero.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round(part as f64 / whole as f64, 1000.0))
}

/// A mean of milliseconds in seconds, rounded to a tenth; `None` if `n` is 0.
pub fn mean_seconds(sum_ms: Option<i64>, n: i64) -> Option<f64> {
    (n > 0).then(|| round(sum_ms.unwrap_or(0) as f64 / n as f64 / 1000.0, 10.0))
}

fn round(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket_start(bucket: i64) -> Timestamp {
        Timestamp::from_millisecond(bucket * BUCKET_MS).unwrap()
    }

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(median_rank(0), None);
        assert_eq!(p90_rank(0), None);
        assert_eq!(median_rank(1), Some(1));
        assert_eq!(p90_rank(1), Some(1));
        assert_eq!(median_rank(4), Some(2), "the lower middle");
        assert_eq!(median_rank(5), Some(3));
        assert_eq!(p90_rank(10), Some(9));
        assert_eq!(p90_rank(11), Some(10));
        assert_eq!(p90_rank(5), Some(5));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7, 9, 12, 20], 50), Some(9));
        assert_eq!(percentile(&[7, 9, 12, 20], 90), Some(20));
        assert_eq!(percentile(&[7, 9, 12], 90), Some(12));
        // What the SQL computes, for every size.
        for n in 1..500 {
            assert_eq!(median_rank(n), Some((n + 1) / 2), "n = {n}");
            assert_eq!(p90_rank(n), Some((9 * n + 9) / 10), "n = {n}");
        }
    }

    #[test]
    fn local_hour_follows_the_offset_across_a_change() {
        // Morocco left UTC+1 for UTC+0 for good in September 2026: the
        // quarter hour before the change is an hour ahead of UTC, the one
        // at it is not.
        let zone = TimeZone::get("Africa/Casablanca").unwrap();
        let bucket = |at: &str| at.parse::<Timestamp>().unwrap().as_millisecond() / BUCKET_MS;
        let change = zone
            .following(bucket_start(bucket("2026-09-01T00:00:00Z")))
            .next()
            .expect("Morocco's 2026 change")
            .timestamp();
        assert!(change < "2026-09-21T00:00:00Z".parse().unwrap());
        let at_change = change.as_millisecond() / BUCKET_MS;
        let utc_hour = |b: i64| bucket_start(b).to_zoned(TimeZone::UTC).hour();
        assert_eq!(
            local_hour(at_change - 1, &zone),
            Some((utc_hour(at_change - 1) + 1) % 24)
        );
        assert_eq!(local_hour(at_change, &zone), Some(utc_hour(at_change)));
        assert_eq!(local_hour(bucket("2026-09-01T09:00:00Z"), &zone), Some(10));
        assert_eq!(local_hour(bucket("2026-09-01T09:45:00Z"), &zone), Some(10));
        assert_eq!(local_hour(bucket("2026-09-21T09:00:00Z"), &zone), Some(9));
        // Paris springs forward: 02:00 local does not exist that day.
        let paris = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(local_hour(bucket("2026-03-29T00:45:00Z"), &paris), Some(1));
        assert_eq!(local_hour(bucket("2026-03-29T01:00:00Z"), &paris), Some(3));
        // India is half an hour off UTC: a quarter-hour bucket stays whole.
        let kolkata = TimeZone::get("Asia/Kolkata").unwrap();
        assert_eq!(
            local_hour(bucket("2026-03-01T03:15:00Z"), &kolkata),
            Some(8)
        );
        assert_eq!(
            local_hour(bucket("2026-03-01T03:30:00Z"), &kolkata),
            Some(9)
        );
    }

    #[test]
    fn local_days_of_buckets_and_ranges() {
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let at: Timestamp = "2026-03-01T15:00:00Z".parse().unwrap();
        assert_eq!(
            local_day(at.as_millisecond() / BUCKET_MS, &tokyo),
            Some(jiff::civil::date(2026, 3, 2))
        );
        let day = jiff::civil::date(2026, 3, 2);
        let (start, end) = instants(day, day, &tokyo).unwrap();
        assert_eq!(start, at.as_millisecond());
        assert_eq!(end - start, 24 * 3600 * 1000);
        // A day of 23 hours when Paris springs forward.
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let short = jiff::civil::date(2026, 3, 29);
        let (start, end) = instants(short, short, &paris).unwrap();
        assert_eq!(end - start, 23 * 3600 * 1000);
    }

    #[test]
    fn ranges() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(check_range(d("2026-01-01"), d("2026-01-01")).is_ok());
        assert!(
            check_range(d("2026-01-01"), d("2027-01-01")).is_ok(),
            "366 days"
        );
        assert!(check_range(d("2026-01-01"), d("2027-01-02")).is_err());
        assert!(check_range(d("2026-01-02"), d("2026-01-01")).is_err());
        assert_eq!(days(d("2026-02-27"), d("2026-03-02")).count(), 4);
    }

    #[test]
    fn means_and_ratios() {
        assert_eq!(mean_seconds(None, 0), None);
        assert_eq!(mean_seconds(Some(90_000), 2), Some(45.0));
        assert_eq!(mean_seconds(Some(1_000), 3), Some(0.3));
        assert_eq!(ratio(1, 3), Some(0.333));
        assert_eq!(ratio(0, 0), None);
    }
}
