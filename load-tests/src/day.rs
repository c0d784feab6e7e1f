//! Scenario `day`: a simulated office day for `--sites` offices (default
//! 10), 08:30–16:30 compressed into `--minutes` (default 10, 48×). The
//! `province` shape (`--shape province`) is the same day for 150 offices
//! with 100 sockets each (94 lobby screens and the 6 counter displays) on
//! one machine.
//!
//! Each office (`setup`) has two walk-in services, one by appointment and
//! `--counters` counters (default 6). Its walk-ins, 300 to 600 a day, come
//! on a curve with a morning peak and a lunch dip (`plan`); a few follow
//! their ticket on their phone; the appointments booked ahead on the real
//! slots inside the run check in at their time (`lobby`). Agents open
//! their counters, call, serve for a randomized time, recall and mark
//! no-shows, transfer, complete, pause for lunch and close (`desk`). Lobby
//! screens (`--screens`, default 3 per office) and one display per counter
//! follow the office's events (`sockets`); the public queue and statistics
//! are read now and then.
//!
//! Reported: requests by kind with p50/p95/p99 and their answers (a 204
//! from an empty queue is an expected answer, counted apart; any other
//! non-2xx is an error), each call's delivery to the screens (from the
//! counter asking for it to a screen showing it), every socket's events
//! checked in `seq` order (at the end each socket's last `seq` must be its
//! office's: `lost_events` is 0), the servers' memory (`memory`), and the database's tallies against
//! the client's (`verify`). The run fails, after its report, on any error,
//! lost or duplicate event, or tally mismatch.

mod desk;
mod lobby;
mod memory;
mod plan;
mod requests;
mod setup;
mod sockets;
mod state;
mod verify;

use crate::report::print_row;
use crate::server::{self, Spawned};
use anyhow::{Context, bail};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use requests::{Answer, Requests};
use serde_json::{Value, json};
use sockets::{Follower, Screen, Watching};
use state::{Run, Site};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Between the end of setup and the opening.
const LEAD: Duration = Duration::from_secs(5);
/// The appointments booked start this long after the booking began, at
/// least: booking a province's takes a while.
const BOOKING: Duration = Duration::from_secs(20);
/// The longest the screens and followers are waited for after the day.
const DRAIN: Duration = Duration::from_secs(30);

/// How many offices and sockets.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Shape {
    /// 10 offices, 3 lobby screens each.
    Day,
    /// 150 offices, 94 lobby screens each: with the 6 counter displays,
    /// 100 sockets an office, 15,000 in all.
    Province,
}

impl Shape {
    /// Offices and lobby screens per office.
    fn defaults(self) -> (usize, usize) {
        match self {
            Shape::Day => (10, 3),
            Shape::Province => (150, 94),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Shape::Day => "day",
            Shape::Province => "province",
        }
    }
}

#[derive(Args, Debug)]
pub struct Options {
    #[arg(long, value_enum, default_value_t = Shape::Day)]
    shape: Shape,
    /// Offices (10; 150 for the province).
    #[arg(long)]
    sites: Option<usize>,
    /// Real minutes the office day (08:30–16:30) takes.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Counters per office (the first two also serve the appointments).
    #[arg(long, default_value_t = 6)]
    counters: usize,
    /// Lobby screens per office (3; 94 for the province).
    #[arg(long)]
    screens: Option<usize>,
    /// Citizens per office following their ticket.
    #[arg(long, default_value_t = 4)]
    followers: usize,
    /// Appointments booked ahead per office, on the real slots inside the run.
    #[arg(long, default_value_t = 40)]
    appointments: usize,
    #[command(flatten)]
    deployment: server::Deployment,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// The offices and sockets of a run, from `--shape` and the flags given.
#[derive(Clone, Copy)]
struct Size {
    sites: usize,
    screens: usize,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    crate::limits::raise_open_files()?;
    let (sites, screens) = options.shape.defaults();
    let size = Size {
        sites: options.sites.unwrap_or(sites),
        screens: options.screens.unwrap_or(screens),
    };
    if size.sites == 0 || options.counters == 0 || options.minutes <= 0.0 {
        bail!("--sites, --counters and --minutes must be above 0");
    }
    let prepared = options.deployment.prepare()?;
    let (database_url, backend) = (&prepared.database_url, prepared.backend);
    let instances = prepared.start().await?;
    let url = instances[0].url.clone();
    let hosts = instances
        .iter()
        .map(|s| address(&s.url))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let set_up = Instant::now();
    let mut offices = setup::create_offices(
        &url,
        (&prepared.binary, database_url),
        size.sites,
        options.counters,
    )
    .await?;
    let watching = Arc::new(Watching::new(size.sites));
    let screens = connect(&hosts, &offices, size.screens, &watching).await;
    // The slots booked are those of the day about to start, far enough
    // ahead that booking them all leaves them in the future.
    let ahead = BOOKING + Duration::from_millis(3 * (size.sites * options.appointments) as u64);
    let planned = plan::Day::new(Instant::now() + ahead, options.minutes);
    let from = planned.start;
    let to = planned.at(plan::LAST_ARRIVAL);
    setup::book(&url, &mut offices, options.appointments, from, to).await?;
    let day = plan::Day::new(Instant::now() + LEAD, options.minutes);
    let setup_s = set_up.elapsed().as_secs_f64();

    let outcome = play(&options, &instances, offices, day, screens, watching).await?;
    drop(instances);
    let tallies = verify::check((&prepared.binary, database_url), &outcome.run.sites).await?;
    let summary = summary(&options, size, backend, setup_s, &outcome, &tallies.summary);
    if options.json {
        println!("{summary}");
    } else {
        print_table(backend, &summary);
    }
    let failures = outcome.run.requests.errors()
        + outcome.socket_errors
        + outcome.lost
        + outcome.duplicates
        + tallies.mismatches;
    if failures > 0 {
        bail!(
            "{} errors, {} socket failures, {} lost and {} duplicate events, {} tally mismatches",
            outcome.run.requests.errors(),
            outcome.socket_errors,
            outcome.lost,
            outcome.duplicates,
            tallies.mismatches
        );
    }
    Ok(())
}

/// What the day left to report.
struct Outcome {
    run: Arc<Run>,
    elapsed: Duration,
    memory: Value,
    sockets: Value,
    events: Value,
    delivery: Value,
    followers: Value,
    lost: u64,
    duplicates: u64,
    socket_errors: u64,
}

/// The screens of every office and their tasks.
struct Screens {
    all: Vec<Arc<Screen>>,
    tasks: JoinSet<()>,
    /// Seconds until every screen had its snapshot (or the wait ended).
    connected_s: f64,
}

/// Connects `screens` lobby screens and one display per counter for every
/// office, going round the instances, and waits for their snapshots.
async fn connect(
    hosts: &[SocketAddr],
    offices: &[setup::Office],
    screens: usize,
    watching: &Arc<Watching>,
) -> Screens {
    let mut all = Vec::new();
    for (s, office) in offices.iter().enumerate() {
        for _ in 0..screens {
            let path = format!("/ws/sites/{}", office.id);
            all.push(Screen::new(s, hosts[all.len() % hosts.len()], path, None));
        }
        for counter in &office.counters {
            let path = format!("/ws/counters/{}", counter.id);
            let token = Some(office.display.clone());
            all.push(Screen::new(s, hosts[all.len() % hosts.len()], path, token));
        }
    }
    let all: Vec<Arc<Screen>> = all.into_iter().map(Arc::new).collect();
    let mut tasks = JoinSet::new();
    for (index, screen) in all.iter().enumerate() {
        tasks.spawn(sockets::watch(index, screen.clone(), watching.clone()));
    }
    let started = Instant::now();
    // 30 s, and 2 ms more a socket.
    let connected = started + Duration::from_secs(30) + Duration::from_millis(2 * all.len() as u64);
    while all.iter().any(|s| s.last.load(Relaxed) < 0) && Instant::now() < connected {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Screens {
        all,
        tasks,
        connected_s: started.elapsed().as_secs_f64(),
    }
}

/// Plays the day with the screens connected, then waits for them to catch up.
async fn play(
    options: &Options,
    instances: &[Spawned],
    offices: Vec<setup::Office>,
    day: plan::Day,
    screens: Screens,
    watching: Arc<Watching>,
) -> anyhow::Result<Outcome> {
    let hosts = instances
        .iter()
        .map(|s| address(&s.url))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let urls = instances.iter().map(|s| s.url.clone()).collect();
    let run = Arc::new(Run {
        requests: Requests::new(urls)?,
        day,
        watching: watching.clone(),
        sites: offices
            .iter()
            .map(|o| Site {
                id: o.id.clone(),
                booked: (o.appointments.len() as u64).into(),
                ..Site::default()
            })
            .collect(),
    });
    let Screens {
        all: screens,
        tasks: mut watching_tasks,
        connected_s,
    } = screens;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let pids = instances.iter().map(Spawned::pid).collect();
    let sampler = tokio::spawn(memory::sample(pids, day, stopped.clone()));
    let mut rng = StdRng::seed_from_u64(rand::random());
    let shares: Vec<u32> = setup::WALK_INS.iter().map(|w| w.3).collect();
    let mut desks = JoinSet::new();
    let mut kiosks = JoinSet::new();
    let mut polls = JoinSet::new();
    for (s, office) in offices.into_iter().enumerate() {
        let walk_ins = rng.random_range(300..=600);
        let arrivals = plan::arrivals(&mut rng, walk_ins, &shares);
        let host = hosts[s % hosts.len()];
        kiosks.spawn(lobby::kiosk(
            run.clone(),
            s,
            office.kiosk,
            arrivals,
            office.appointments,
            options.followers,
            host,
            rng.random(),
        ));
        // One task drives the office's counters.
        let counters: Vec<_> = office
            .counters
            .into_iter()
            .enumerate()
            .map(|(c, counter)| desk::work(run.clone(), s, counter, c % 2 == 1, rng.random()))
            .collect();
        desks.spawn(futures_util::future::join_all(counters));
        polls.spawn(lobby::poll(run.clone(), s, stopped.clone()));
    }
    let mut followers: Vec<(Arc<Follower>, tokio::task::JoinHandle<()>)> = Vec::new();
    while let Some(kiosk) = kiosks.join_next().await {
        followers.extend(kiosk?.followers);
    }
    while desks.join_next().await.is_some() {}
    let elapsed = day.start.elapsed();
    let _ = stop.send(true);
    while polls.join_next().await.is_some() {}

    let heads = final_seqs(&run).await;
    let drained = Instant::now() + DRAIN;
    let behind = |screens: &[Arc<Screen>]| {
        screens
            .iter()
            .filter(|s| s.last.load(Relaxed) < heads[s.site])
            .count()
    };
    while (behind(&screens) > 0 || followers.iter().any(|(_, task)| !task.is_finished()))
        && Instant::now() < drained
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let memory = memory::figures(&sampler.await?, day);
    watching_tasks.abort_all();
    while watching_tasks.join_next().await.is_some() {}
    for (_, task) in &followers {
        task.abort();
    }

    let sum = |f: fn(&Screen) -> u64| screens.iter().map(|s| f(s)).sum::<u64>();
    let behind_events: u64 = screens
        .iter()
        .map(|s| heads[s.site].saturating_sub(s.last.load(Relaxed)).max(0) as u64)
        .sum();
    let unfinished = followers
        .iter()
        .filter(|(f, _)| !f.finished.load(Relaxed))
        .count() as u64;
    let lost = sum(|s| s.lost.load(Relaxed)) + behind_events + unfinished;
    let duplicates = sum(|s| s.duplicates.load(Relaxed));
    let socket_errors = sum(|s| s.connect_failures.load(Relaxed) + s.unparsed.load(Relaxed));
    let followers_summary = followers_summary(&followers);
    let mut by_type = std::collections::BTreeMap::<String, u64>::new();
    for screen in &screens {
        let types = screen.types.lock().unwrap_or_else(|e| e.into_inner());
        for (kind, n) in types.iter() {
            *by_type.entry(kind.clone()).or_default() += n;
        }
    }
    let events = json!({
        "site_last_seq_total": heads.iter().sum::<i64>(),
        "received": sum(|s| s.events.load(Relaxed)),
        "by_type": by_type,
        "gaps": sum(|s| s.lost.load(Relaxed)),
        "behind_at_end": behind_events,
        "duplicates": duplicates,
    });
    let sockets = json!({
        "screens": screens.len(),
        "connected_s": (connected_s * 10.0).round() / 10.0,
        "lobby": screens.iter().filter(|s| s.token.is_none()).count(),
        "counter_displays": screens.iter().filter(|s| s.token.is_some()).count(),
        "reconnects": sum(|s| s.reconnects.load(Relaxed)),
        "snapshots": sum(|s| s.snapshots.load(Relaxed)),
        "connect_failures": sum(|s| s.connect_failures.load(Relaxed)),
        "unparsed": sum(|s| s.unparsed.load(Relaxed)),
    });
    Ok(Outcome {
        run,
        elapsed,
        memory,
        sockets,
        events,
        delivery: watching.delivery_summary(),
        followers: followers_summary,
        lost,
        duplicates,
        socket_errors,
    })
}

fn followers_summary(followers: &[(Arc<Follower>, tokio::task::JoinHandle<()>)]) -> Value {
    let finished = followers
        .iter()
        .filter(|(f, _)| f.finished.load(Relaxed))
        .count();
    let ended_as = |status: &str| {
        followers
            .iter()
            .filter(|(f, _)| *f.status.lock().unwrap_or_else(|e| e.into_inner()) == status)
            .count()
    };
    json!({
        "followers": followers.len(),
        "finished": finished,
        "ended_done": ended_as("done"),
        "ended_no_show": ended_as("no_show"),
        "messages": followers.iter().map(|(f, _)| f.messages.load(Relaxed)).sum::<u64>(),
        "seq_backwards": followers.iter().map(|(f, _)| f.backwards.load(Relaxed)).sum::<u64>(),
        "reconnects": followers.iter().map(|(f, _)| f.reconnects.load(Relaxed)).sum::<u64>(),
    })
}

/// Each office's last event `seq`, from its public queue.
async fn final_seqs(run: &Run) -> Vec<i64> {
    let mut heads = Vec::new();
    for site in &run.sites {
        let path = format!("/api/v1/sites/{}/queue", site.id);
        heads.push(match run.requests.get("public.queue", &path).await {
            Answer::Ok(queue) => queue["seq"].as_i64().unwrap_or(i64::MAX),
            _ => i64::MAX,
        });
    }
    heads
}

fn address(url: &str) -> anyhow::Result<SocketAddr> {
    url.trim_start_matches("http://")
        .parse()
        .with_context(|| format!("the address of {url}"))
}

fn summary(
    options: &Options,
    size: Size,
    backend: &str,
    setup_s: f64,
    outcome: &Outcome,
    tallies: &Value,
) -> Value {
    let run = &outcome.run;
    json!({
        "scenario": "day",
        "shape": options.shape.name(),
        "backend": backend,
        "instances": options.deployment.instances,
        "sites": size.sites,
        "sockets_per_site": size.screens + options.counters,
        "counters_per_site": options.counters,
        "minutes": options.minutes,
        "compression": (run.day.factor() * 10.0).round() / 10.0,
        "setup_s": (setup_s * 10.0).round() / 10.0,
        "elapsed_s": (outcome.elapsed.as_secs_f64() * 10.0).round() / 10.0,
        "errors": run.requests.errors() + outcome.socket_errors,
        "lost_events": outcome.lost,
        "duplicate_events": outcome.duplicates,
        "tally_mismatches": tallies["mismatches"],
        "requests": run.requests.summary(),
        "call_delivery": outcome.delivery,
        "events": outcome.events,
        "sockets": outcome.sockets,
        "followers": outcome.followers,
        "memory": outcome.memory,
        "tallies": tallies,
    })
}

fn print_table(backend: &str, summary: &Value) {
    println!(
        "scenario day ({}) on {backend}: {} sites, {} sockets each, {} min ({}×), {} s including the last queues",
        summary["shape"],
        summary["sites"],
        summary["sockets_per_site"],
        summary["minutes"],
        summary["compression"],
        summary["elapsed_s"]
    );
    println!(
        "  {:<22} {:>7} {:>7} {:>9} {:>7} {:>9} {:>9} {:>9}",
        "request", "count", "ok", "expected", "errors", "p50 ms", "p95 ms", "p99 ms"
    );
    for (kind, r) in summary["requests"].as_object().into_iter().flatten() {
        let expected: u64 = r["expected"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, n)| n.as_u64())
            .sum();
        let [count, ok, errors, p50, p95, p99] =
            ["count", "ok", "errors", "p50_ms", "p95_ms", "p99_ms"].map(|k| r[k].to_string());
        println!(
            "  {kind:<22} {count:>7} {ok:>7} {expected:>9} {errors:>7} {p50:>9} {p95:>9} {p99:>9}"
        );
    }
    for key in [
        "errors",
        "lost_events",
        "duplicate_events",
        "tally_mismatches",
        "setup_s",
        "call_delivery",
        "events",
        "sockets",
        "followers",
        "memory",
        "tallies",
    ] {
        print_row(key, &summary[key]);
    }
}
