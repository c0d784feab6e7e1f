//! The command line: `serve`, `migrate`, `user add`, `demo`, and for
//! operators `tally` (a site's counts as JSON) and `seed` (a generated past).

use crate::app::{App, AppSettings, auth};
use crate::clock::Clock;
use crate::config::{Config, DatabaseArgs, LogFormat};
use crate::domain::role::Role;
use crate::startup::{Server, cancel_on_signal, open_database};
use crate::telemetry;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

#[derive(Parser, Debug)]
#[command(
    name = "guichet",
    version,
    about = "Queue management and appointments for public offices"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start: the size of `Serve` costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the service.
    Serve {
        #[command(flatten)]
        config: Config,
        /// Seed a demo office first (once) and print its accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Seed a demo office and print its accounts and device tokens.
    Demo {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Print what the database holds for a site as one JSON object: tickets
    /// and appointments by status, each slot's booked persons and places taken.
    Tally {
        site: String,
        /// Also list every appointment's reference.
        #[arg(long)]
        references: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write a generated past (tickets, appointments, requests, feedback,
    /// complaints) for an existing site, to try the statistics at scale, and
    /// print what was written as one JSON object. Not for a live database.
    Seed {
        site: String,
        #[command(flatten)]
        amount: crate::app::seed::Amount,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user or reset its password; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        site: Option<String>,
        /// The province a `province` account reads.
        #[arg(long)]
        province: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(cli: Cli) -> ExitCode {
    let format = match &cli.command {
        Command::Serve { config, .. } => config.log_format,
        _ => LogFormat::Pretty,
    };
    telemetry::init(format);
    match execute(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { config, demo } => {
            let server = Server::build_with(&config, Clock::system(), |settings| {
                settings.policy.demo = demo
            })
            .await?;
            if demo {
                print_demo(&server.app()).await?;
            }
            let shutdown = CancellationToken::new();
            tokio::spawn(cancel_on_signal(shutdown.clone()));
            println!("Guichet listening on http://{}", server.addr());
            let app = server.app();
            let unsent = crate::app::demo::messages::shown_channels(&app);
            if !unsent.is_empty() {
                println!(
                    "No provider for {}: the demo's messages (phone codes, links) are sent to \
                     nobody; read them at {}/demo/messages",
                    unsent.join(" and "),
                    app.links.public_url
                );
            }
            server.run(shutdown).await
        }
        Command::Migrate { database } => {
            open_database(&database.database_url).await?;
            println!("database migrated");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    site,
                    province,
                    database,
                },
        } => {
            let role = Role::parse(&role)?;
            let password = read_password()?;
            let app = open_app(&database).await?;
            let saved = match (role, province.as_deref()) {
                (Role::Province, Some(province)) if site.is_none() => {
                    auth::add_province_user(&app, &name, province, &password).await
                }
                (Role::Province, Some(_)) => Err(crate::domain::Invalid::new(
                    "site",
                    "a province account is not tied to a site",
                )
                .into()),
                (_, Some(_)) => Err(crate::domain::Invalid::new(
                    "province",
                    "only a province account has a province",
                )
                .into()),
                (_, None) => auth::add_user(&app, &name, role, site.as_deref(), &password).await,
            };
            saved.map_err(|e| anyhow::anyhow!("{e}"))?;
            let target = format!("user:{name}");
            crate::app::audit::console(&app, "user add", &target, site.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("recording the change in the audit log: {e}"))?;
            println!("user {name} saved ({})", role.as_str());
            Ok(())
        }
        Command::Demo { database } => {
            let app = open_app(&database).await?;
            print_demo(&app).await
        }
        Command::Tally {
            site,
            references,
            database,
        } => {
            let app = open_app(&database).await?;
            let tally = crate::app::tally::site(&app, &site, references)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&tally)?);
            Ok(())
        }
        Command::Seed {
            site,
            amount,
            database,
        } => {
            let app = open_app(&database).await?;
            let seeded = crate::app::seed::history(&app, &site, &amount)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&seeded)?);
            Ok(())
        }
    }
}

/// The service on a database, for a command that runs use cases without
/// serving (`user add`, `demo`, `tally`, `seed`).
async fn open_app(database: &DatabaseArgs) -> anyhow::Result<App> {
    let db = open_database(&database.database_url).await?;
    Ok(App::new(db, Clock::system(), AppSettings::default()))
}

async fn print_demo(app: &App) -> anyhow::Result<()> {
    match crate::app::demo::seed(app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        Some(seeded) => println!("{seeded}"),
        None => println!(
            "The demo office is already there; reset a password with `guichet user add NAME --role …`."
        ),
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
