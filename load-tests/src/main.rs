//! `guichet-load`: load scenarios against a real `guichet serve`, each
//! printing a table of percentiles and, with `--json`, one JSON object.
//! Every request loop is bounded in count and time, and aims only at the
//! loopback address of the server it starts (or the `--url` it is given).

mod baseline;
mod report;
mod server;
mod tickets;

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().scenario {
        Scenario::Tickets(options) => tickets::run(options).await,
    }
}
