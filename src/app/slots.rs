//! Which appointment slots a service offers, and whether a requested start
//! is one a citizen may book now.

use super::reads::{Source, from_replica};
use super::sites::{SiteContext, from_json};
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::domain::slots::{Slot, SlotRules};
use crate::domain::time::parse_date;
use crate::store::{self, services::ServiceRow};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Days one slot search may cover.
const MAX_DAYS: i32 = 31;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotQuery {
    /// First local day, `YYYY-MM-DD` (default: today).
    pub from: Option<String>,
    /// Last local day, at most 31 days from `from` (default: 14 days on).
    pub to: Option<String>,
    /// `in_person` (default) or `video`.
    pub mode: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    /// RFC 3339 with the site's offset on that date.
    pub start: String,
    pub end: String,
    /// Places left; 0 when the slot is full.
    pub available: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotList {
    pub timezone: String,
    pub service: String,
    pub mode: String,
    pub slots: Vec<SlotView>,
}

/// Days from today that one shared list covers beside a replica: the next
/// two weeks and the two after, the longest list the API gives from today.
/// A list reaching beyond them is read on its own.
const SHARED_DAYS: i64 = 31;

/// The slots asked for: a whole list read for this request, or the days
/// asked of a list shared by everyone asking within a second.
#[derive(Debug)]
pub struct Listed {
    list: Arc<SlotList>,
    range: Range<usize>,
}

/// A slot list as the API sends it, borrowed from a `Listed`.
#[derive(Serialize)]
pub struct ListedView<'a> {
    timezone: &'a str,
    service: &'a str,
    mode: &'a str,
    slots: &'a [SlotView],
}

impl Listed {
    fn whole(list: SlotList) -> Self {
        let range = 0..list.slots.len();
        Self {
            list: Arc::new(list),
            range,
        }
    }

    /// The slots of `shared` whose local day is from `from` to `to`: they
    /// are in order, so the days asked are one run of them.
    fn within(shared: Arc<SlotList>, from: Date, to: Date) -> Self {
        let (from, to) = (from.to_string(), to.to_string());
        fn day(slot: &SlotView) -> &str {
            slot.start.get(..10).unwrap_or_default()
        }
        let first = shared.slots.partition_point(|s| day(s) < from.as_str());
        let end = shared.slots.partition_point(|s| day(s) <= to.as_str());
        Self {
            list: shared,
            range: first..end.max(first),
        }
    }

    pub fn slots(&self) -> &[SlotView] {
        &self.list.slots[self.range.clone()]
    }

    pub fn view(&self) -> ListedView<'_> {
        ListedView {
            timezone: &self.list.timezone,
            service: &self.list.service,
            mode: &self.list.mode,
            slots: self.slots(),
        }
    }
}

/// The slots of a service between two local days, with the places left,
/// from the read replica when there is one (a few seconds stale at most).
/// Beside a replica, the next `SHARED_DAYS` of a service are read once a
/// second for all who ask them (`Caches::slot_lists`).
pub async fn list(app: &App, site: &str, service: &str, query: SlotQuery) -> AppResult<Listed> {
    list_from(app, Source::Replica, site, service, query).await
}

/// As `list`, from `source`: `Source::Primary` for a page that must show
/// a booking just made or refused.
pub async fn list_from(
    app: &App,
    source: Source,
    site: &str,
    service: &str,
    query: SlotQuery,
) -> AppResult<Listed> {
    let context = SiteContext::load(app, site).await?;
    let service = bookable_service(&context, service)?;
    let mode = parse_mode(service, query.mode.as_deref())?;
    let now = app.clock.now();
    let today = crate::domain::time::local_day(now, &context.zone);
    let from = match &query.from {
        Some(day) => parse_date("from", day)?,
        None => today,
    };
    let to = match &query.to {
        Some(day) => parse_date("to", day)?,
        None => from.checked_add(jiff::Span::new().days(13)).unwrap_or(from),
    };
    let days = (to - from).get_days();
    if !(0..MAX_DAYS).contains(&days) {
        return Err(Invalid::new("to", "from 0 to 30 days after `from`").into());
    }
    let listing = Listing {
        context: &context,
        service,
        mode,
        from: from.max(today),
        to,
        now,
    };
    // Lists that may be a moment stale share one read a second: from the
    // replica while it serves, else from the primary, never mixed. The
    // key names only a real service and today, so asking for many ranges
    // costs no more memory than one.
    let shared_to = today.checked_add(jiff::Span::new().days(SHARED_DAYS));
    let reuse = app.reads.may_reuse(source);
    let (Some(by_replica), Ok(shared_to)) = (reuse, shared_to) else {
        return Ok(Listed::whole(listing.make(app, source).await?));
    };
    if to > shared_to {
        return Ok(Listed::whole(listing.make(app, source).await?));
    }
    let by = if by_replica { "replica" } else { "primary" };
    let key = format!("{by}|{}|{}|{mode}|{today}", context.row.id, service.id);
    let shared = Listing {
        from: today,
        to: shared_to,
        ..listing
    };
    let answer = app
        .caches
        .slot_lists
        .get_or_make(&key, || shared.make(app, source))
        .await?;
    if answer.reused {
        app.reads.reused(by_replica);
    }
    Ok(Listed::within(answer.value, listing.from, to))
}

/// What one slot list is asked for, once checked.
#[derive(Clone, Copy)]
struct Listing<'a> {
    context: &'a SiteContext,
    service: &'a ServiceRow,
    mode: &'static str,
    from: Date,
    to: Date,
    now: Timestamp,
}

impl Listing<'_> {
    /// The list, with the places taken as `source` has them.
    async fn make(&self, app: &App, source: Source) -> AppResult<SlotList> {
        let Self {
            context, service, ..
        } = *self;
        let window = Window::of(context, service, self.now);
        let slots: Vec<Slot> = rules(context, service)
            .between(self.from, self.to.min(window.last_day))
            .into_iter()
            .filter(|slot| slot.start >= window.earliest)
            .collect();
        let site = &context.row.id;
        let taken: HashMap<i64, i64> = match (slots.first(), slots.last()) {
            (Some(first), Some(last)) => {
                let (from, until) = (
                    first.start.as_millisecond(),
                    last.start.as_millisecond() + 1,
                );
                from_replica!(app, source, |db| {
                    store::appointments::taken_between(db, site, &service.id, from, until).await
                })?
                .into_iter()
                .collect()
            }
            _ => HashMap::new(),
        };
        let slots = slots
            .into_iter()
            .map(|slot| {
                let start = slot.start.as_millisecond();
                let taken = taken.get(&start).copied().unwrap_or(0);
                SlotView {
                    start: context.local(start),
                    end: context.local(slot.end.as_millisecond()),
                    available: (service.slot_capacity - taken).max(0),
                }
            })
            .collect();
        Ok(SlotList {
            timezone: context.row.timezone.clone(),
            service: service.id.clone(),
            mode: self.mode.to_owned(),
            slots,
        })
    }
}

/// A service of the site that takes appointments.
pub(super) fn bookable_service<'a>(
    context: &'a SiteContext,
    id: &str,
) -> AppResult<&'a ServiceRow> {
    let service = context
        .service(id)
        .ok_or_else(|| Invalid::new("service", format!("no service {id:?} at this site")))?;
    if service.appointment_modes == "[]" {
        return Err(Invalid::new("service", "this service takes no appointments").into());
    }
    Ok(service)
}

/// A mode the service offers; `in_person` unless told, or its only mode.
pub(super) fn parse_mode(service: &ServiceRow, mode: Option<&str>) -> AppResult<&'static str> {
    let offered: Vec<String> = from_json(&service.appointment_modes)?;
    let mode = match mode {
        Some("in_person") => "in_person",
        Some("video") => "video",
        Some(_) => return Err(Invalid::new("mode", "in_person or video").into()),
        None if offered.len() == 1 && offered[0] == "video" => "video",
        None => "in_person",
    };
    if offered.iter().any(|m| m == mode) {
        Ok(mode)
    } else {
        Err(Invalid::new("mode", format!("this service has no {mode} appointments")).into())
    }
}

/// The slot a citizen asks for, if it may be booked now: a slot start of
/// the service, far enough ahead, and not beyond the horizon.
pub(super) fn bookable_slot(
    context: &SiteContext,
    service: &ServiceRow,
    start: &str,
    now: Timestamp,
) -> AppResult<Slot> {
    let invalid = |message: String| AppError::from(Invalid::new("start", message));
    let at: Timestamp = start
        .parse()
        .map_err(|_| invalid(format!("{start:?} is not a date-time with an offset")))?;
    let slot = rules(context, service)
        .starting_at(at)
        .ok_or_else(|| invalid("not the start of one of this service's slots".to_owned()))?;
    let window = Window::of(context, service, now);
    if slot.start < now {
        return Err(invalid("this slot has passed".to_owned()));
    }
    if slot.start < window.earliest {
        return Err(invalid(format!(
            "book at least {} minutes ahead",
            service.min_notice_minutes
        )));
    }
    if crate::domain::time::local_day(slot.start, &context.zone) > window.last_day {
        return Err(invalid(format!(
            "bookings open {} days ahead",
            service.horizon_days
        )));
    }
    Ok(slot)
}

fn rules<'a>(context: &'a SiteContext, service: &ServiceRow) -> SlotRules<'a> {
    SlotRules {
        hours: &context.hours,
        closures: &context.closures,
        zone: &context.zone,
        slot_minutes: service.slot_minutes,
    }
}

/// What may be booked now: from the minimum notice to the horizon.
struct Window {
    earliest: Timestamp,
    last_day: Date,
}

impl Window {
    fn of(context: &SiteContext, service: &ServiceRow, now: Timestamp) -> Self {
        let notice = SignedDuration::from_mins(service.min_notice_minutes);
        let today = crate::domain::time::local_day(now, &context.zone);
        Self {
            earliest: now.checked_add(notice).unwrap_or(now),
            last_day: today
                .checked_add(jiff::Span::new().days(service.horizon_days))
                .unwrap_or(today),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(starts: &[&str]) -> Arc<SlotList> {
        let slots = starts
            .iter()
            .map(|start| SlotView {
                start: (*start).to_owned(),
                end: (*start).to_owned(),
                available: 1,
            })
            .collect();
        Arc::new(SlotList {
            timezone: "Africa/Casablanca".to_owned(),
            service: "residence".to_owned(),
            mode: "in_person".to_owned(),
            slots,
        })
    }

    fn starts(listed: &Listed) -> Vec<&str> {
        listed.slots().iter().map(|s| s.start.as_str()).collect()
    }

    #[test]
    fn a_shared_list_gives_the_local_days_asked_and_no_other() {
        let list = shared(&[
            "2026-12-07T15:45:00+01:00",
            "2026-12-08T08:30:00+01:00",
            "2026-12-08T16:15:00+01:00",
            "2026-12-09T08:30:00+01:00",
            "2026-12-10T08:30:00+01:00",
        ]);
        let day = |d: &str| d.parse::<Date>().expect("a date");
        let middle = Listed::within(list.clone(), day("2026-12-08"), day("2026-12-09"));
        assert_eq!(
            starts(&middle),
            [
                "2026-12-08T08:30:00+01:00",
                "2026-12-08T16:15:00+01:00",
                "2026-12-09T08:30:00+01:00"
            ]
        );
        let view = serde_json::to_value(middle.view()).expect("json");
        assert_eq!(view["slots"].as_array().map(Vec::len), Some(3));
        assert_eq!(view["timezone"], "Africa/Casablanca");
        let after = Listed::within(list.clone(), day("2026-12-11"), day("2026-12-20"));
        assert!(after.slots().is_empty());
        let backwards = Listed::within(list, day("2026-12-10"), day("2026-12-08"));
        assert!(backwards.slots().is_empty());
    }
}
