//! `guichet-load`: load scenarios against a real `guichet serve`, each
//! printing a table of percentiles and, with `--json`, one JSON object.
//! Every request loop is bounded in count and time, and aims only at the
//! loopback address of the server it starts (or the `--url` it is given).

// `fanout`'s summary is one `json!` object of over sixty fields.
#![recursion_limit = "256"]

mod bare_server;
mod baseline;
mod booking;
mod day;
mod earliest;
mod fanout;
mod limits;
mod pages;
mod pgcost;
mod pgstat;
mod report;
mod server;
mod stats;
mod tickets;
mod window;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "guichet-load")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand, Debug)]
enum Scenario {
    /// Kiosks issue tickets while counters call and finish them, over many sites.
    Tickets(tickets::Options),
    /// Counters' calls reaching the WebSockets that follow their offices.
    Fanout(fanout::Options),
    /// A booking window opens: a burst on a few slots, then bookings all over the
    /// month, with the places taken checked in the database afterwards.
    Booking(booking::Options),
    /// A simulated office day over many offices, compressed: every socket's
    /// events, the servers' memory and the database's tallies checked.
    Day(day::Options),
    /// What each queue operation costs PostgreSQL: CPU time of its processes
    /// and the statements it ran, per kind (issue, call, start, complete).
    Pgcost(pgcost::Options),
    /// Earliest-slot searches over many offices in several timezones.
    Earliest(earliest::Options),
    /// The citizen pages opened cold in a real browser on a slow 3G network.
    Pages(pages::Options),
    /// The statistics of a generated year of one busy office, timed.
    Stats(stats::Options),
    /// The national booking window: citizens in bursts read slot lists and
    /// book, through nginx, on two instances with a PostgreSQL replica.
    Window(window::Options),
    /// The bare broadcast server `fanout` compares with (started by it).
    #[command(hide = true)]
    BareServer(bare_server::Options),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().scenario {
        Scenario::Tickets(options) => tickets::run(options).await,
        Scenario::Fanout(options) => fanout::run(options).await,
        Scenario::Booking(options) => booking::run(options).await,
        Scenario::Day(options) => day::run(options).await,
        Scenario::Earliest(options) => earliest::run(options).await,
        Scenario::Pgcost(options) => pgcost::run(options).await,
        Scenario::Pages(options) => pages::run(options).await,
        Scenario::Stats(options) => stats::run(options).await,
        Scenario::Window(options) => window::run(options).await,
        Scenario::BareServer(options) => bare_server::run(options).await,
    }
}
