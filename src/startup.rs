//! Building and running the service: what `guichet serve`, the tests and
//! the load generator all start.

use crate::app::reads::Reads;
use crate::app::{App, AppSettings, Guards, Links, Live, Messaging, Policy, live};
use crate::bus::Bus;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::time::tzdb_version;
use crate::http;
use crate::http::pages::i18n::Lang;
use crate::store::Db;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// How long sockets get to say goodbye at shutdown.
const SOCKETS_CLOSE: Duration = Duration::from_secs(5);
const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

/// A bound, migrated service that has not started serving yet.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    /// The address of its own that `/metrics` has, when it has one.
    metrics_listener: Option<(TcpListener, SocketAddr)>,
    metrics_access: http::metrics_access::MetricsAccess,
    app: Arc<App>,
    limits: http::serve::Limits,
}

impl Server {
    /// Connects to the database, migrates it, and binds the address.
    pub async fn build(config: &Config, clock: Clock) -> anyhow::Result<Self> {
        Self::build_with(config, clock, |_| {}).await
    }

    /// As `build`, with `adjust` given the settings the configuration
    /// makes before the service is built from them (`serve --demo`, or a
    /// test's prefix for the Redis keys).
    pub async fn build_with(
        config: &Config,
        clock: Clock,
        adjust: impl FnOnce(&mut AppSettings),
    ) -> anyhow::Result<Self> {
        let db = open_database(&config.database.database_url).await?;
        let listener = TcpListener::bind(&config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let addr = listener.local_addr()?;
        let metrics_listener = match &config.metrics_addr {
            Some(at) => {
                let listener = TcpListener::bind(at)
                    .await
                    .with_context(|| format!("binding {at} (GUICHET_METRICS_ADDR)"))?;
                let addr = listener.local_addr()?;
                Some((listener, addr))
            }
            None => None,
        };
        let mut settings = settings(config, addr, &db).await?;
        adjust(&mut settings);
        let app = App::new(db, clock, settings);
        let metrics_at = metrics_listener
            .as_ref()
            .map_or_else(|| addr.to_string(), |(_, at)| at.to_string());
        tracing::info!(%addr, backend = app.db.backend(), bus = app.bus.state().as_str(),
            tzdb = tzdb_version(), metrics = %metrics_at, "guichet ready");
        Ok(Self {
            listener,
            addr,
            metrics_listener,
            metrics_access: http::metrics_access::MetricsAccess::from_config(config),
            app: Arc::new(app),
            limits: http::serve::Limits::of(config),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address that serves only `/metrics`, when it has its own.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().map(|(_, at)| *at)
    }

    pub fn app(&self) -> Arc<App> {
        self.app.clone()
    }

    /// Serves until `shutdown` is cancelled, then lets requests in flight
    /// finish, closes every socket with a close frame, and closes the
    /// database.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let app = self.app.clone();
        tokio::spawn(async move {
            shutdown.cancelled().await;
            app.live.shutdown.cancel();
        });
        let shutdown = self.app.live.shutdown.clone();
        tokio::spawn(live::run(self.app.clone()));
        tokio::spawn(crate::app::audit::write_queued(self.app.clone()));
        let app = &self.app;
        // Closes out the tickets of finished days at every site.
        every(app, MINUTE, "end-of-day close-out", |app| async move {
            crate::app::closeout::close_out_all(&app).await
        });
        // Moves SQLite's write-ahead log into the database file, so that
        // no request's commit has to.
        every(app, SECOND, "checkpoint", |app| async move {
            app.db.checkpoint().await
        });
        // Reminders and no-shows of appointments.
        every(app, MINUTE, "appointment sweep", |app| async move {
            crate::app::reminders::sweep(&app).await
        });
        every(app, 2 * SECOND, "visit messages", |app| async move {
            crate::app::visits::follow_up(&app).await
        });
        // Remote tickets passed over while away are held aside, and lapse
        // after their site's grace.
        every(app, 2 * SECOND, "remote queue sweep", |app| async move {
            crate::app::remote_queue::sweep(&app).await
        });
        // Erases personal data of visits and requests closed long enough;
        // first 10 minutes after start, so that a start is not slowed by it.
        let (later, stop) = (app.clone(), app.live.shutdown.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::sleep(10 * MINUTE) => {
                    every(&later, 10 * MINUTE, "retention sweep", |app| async move {
                        crate::app::retention::sweep(&app).await
                    });
                }
            }
        });
        // What crashes in mid-upload left in the media store.
        every(app, 30 * MINUTE, "media leftovers", |app| async move {
            crate::app::media::sweep(&app, crate::app::media::LEFTOVER_AGE_MS).await
        });
        // Last month's report to the addresses admins set, on each office's
        // first working day of the month (app::monthly_report::mailing).
        every(app, MINUTE, "monthly reports", |app| async move {
            let (fr, ar) = (Lang::Fr.tr(), Lang::Ar.tr());
            crate::app::monthly_report::mailing::sweep(&app, &[&fr, &ar]).await
        });
        // A province's last month to its own addresses, on the first
        // working day of its first site (app::monthly_report::province_mailing).
        every(app, MINUTE, "province reports", |app| async move {
            let (fr, ar) = (Lang::Fr.tr(), Lang::Ar.tr());
            crate::app::monthly_report::province_mailing::sweep(&app, &[&fr, &ar]).await
        });
        every(app, SECOND, "sending messages", |app| async move {
            crate::app::outbox::send_due(&app).await
        });
        // Whether the read replica may serve reads (app::reads).
        if app.reads.state() != crate::app::reads::ReplicaState::None {
            every(
                app,
                crate::app::reads::CHECK_EVERY,
                "replica check",
                |app| async move { crate::app::reads::check(&app).await },
            );
        }
        let connections = http::serve::ConnectionCounts::default();
        let routers = http::routers(
            self.app.clone(),
            self.metrics_access,
            &connections,
            self.limits,
        );
        let metrics_server = match (self.metrics_listener, routers.metrics) {
            (Some((listener, _)), Some(router)) => {
                let stop = shutdown.clone();
                Some(tokio::spawn(async move {
                    axum::serve(listener, router)
                        .with_graceful_shutdown(stop.cancelled_owned())
                        .await
                }))
            }
            _ => None,
        };
        http::serve::serve(
            self.listener,
            routers.public,
            connections,
            self.limits,
            tune_socket,
            shutdown,
        )
        .await;
        if let Some(metrics_server) = metrics_server
            && let Ok(Err(error)) = metrics_server.await
        {
            tracing::warn!(%error, "the metrics address stopped with an error");
        }
        self.app.live.sockets.close();
        if tokio::time::timeout(SOCKETS_CLOSE, self.app.live.sockets.wait())
            .await
            .is_err()
        {
            tracing::warn!("some sockets did not close in time");
        }
        self.app.audit.flush().await;
        self.app.db.close().await;
        self.app.reads.close().await;
        tracing::info!("guichet stopped");
        Ok(())
    }
}

/// The settings of the service, from the configuration; `addr` is where it
/// listens, its public URL unless one is configured.
async fn settings(config: &Config, addr: SocketAddr, db: &Db) -> anyhow::Result<AppSettings> {
    let links = Links {
        public_url: config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_owned(),
        video_base_url: config.video_url.trim_end_matches('/').to_owned(),
    };
    let transports = transports(config, &links.public_url)?;
    warn_log_only(&transports);
    let live = Live {
        hub: live::Hub::new(
            config.live_sockets_per_address as usize,
            config.live_sockets_max as usize,
        ),
        ..Live::default()
    };
    let mut guards = Guards {
        trusted_proxies: config.trusted_proxies.clone(),
        sms_countries: config.sms_countries.clone(),
        ..Guards::default()
    };
    let mut bus = Bus::default();
    if let Some(url) = &config.redis_url {
        guards.limits = crate::app::rate_limit::Limiter::redis(url.expose())?;
        let deployment = crate::store::deployment::id(db)
            .await
            .context("reading the deployment's id")?;
        bus = Bus::redis(url.expose(), &deployment, live.shutdown.clone())?;
    }
    Ok(AppSettings {
        reads: Reads::configured(config, db)?,
        bus,
        guards,
        live,
        messaging: Messaging {
            transports,
            ..Messaging::default()
        },
        links,
        policy: Policy {
            device_idle_days: config.device_idle_days,
            retention: crate::app::retention::Retention {
                personal_days: config.retention_days,
                audit_days: Some(config.audit_retention_days).filter(|&days| days > 0),
            },
            demo: false,
        },
        media: crate::app::media::MediaSettings {
            dir: config
                .media_dir
                .clone()
                .or_else(|| crate::store::media::beside_sqlite(&config.database.database_url)),
            max_video_bytes: u64::from(config.media_max_video_mb) * crate::app::media::MB,
            max_image_bytes: u64::from(config.media_max_image_mb) * crate::app::media::MB,
        },
    })
}

/// The transports of the outbox, from the configuration.
fn transports(config: &Config, public_url: &str) -> anyhow::Result<crate::notify::Transports> {
    use crate::config::SmsTransport;
    use crate::notify::{Transports, email::Mailer, twilio::TwilioClient};
    let sms = match config.sms {
        SmsTransport::Log => None,
        SmsTransport::Twilio => {
            let missing = || {
                anyhow::anyhow!(
                    "GUICHET_SMS=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM"
                )
            };
            let sid = config.twilio_account_sid.as_deref().ok_or_else(missing)?;
            let token = config.twilio_auth_token.as_ref().ok_or_else(missing)?;
            let from = config.twilio_from.as_deref().ok_or_else(missing)?;
            let callback = format!("{public_url}/hooks/sms/status");
            Some(TwilioClient::new(
                &config.twilio_api_base,
                sid,
                token.expose(),
                from,
                Some(callback),
            )?)
        }
    };
    let email = match &config.smtp_url {
        Some(url) => {
            let from = config.smtp_from.as_deref().unwrap_or("guichet@localhost");
            Some(Mailer::new(url.expose(), from, public_url).context("SMTP_URL")?)
        }
        None => None,
    };
    Ok(Transports {
        sms,
        email,
        http: crate::notify::outbound::Outbound::new(config.webhook_allow.clone())
            .context("the webhooks' HTTP client")?,
    })
}

/// Says at start, loudly, which messages reach nobody: one warning per
/// channel that only goes to the log, naming the settings that fix it.
fn warn_log_only(transports: &crate::notify::Transports) {
    for channel in transports.log_only() {
        if channel == "sms" {
            tracing::warn!(
                channel,
                setting = "GUICHET_SMS",
                "SMS ARE NOT SENT: they only go to the log (GUICHET_SMS=log), so citizens get \
                 no codes, confirmations or reminders; set GUICHET_SMS=twilio with \
                 TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM"
            );
        } else {
            tracing::warn!(
                channel,
                setting = "SMTP_URL",
                "E-MAILS ARE NOT SENT: they only go to the log (SMTP_URL is unset), so \
                 citizens who gave an address get nothing by e-mail; set SMTP_URL and SMTP_FROM"
            );
        }
    }
}

/// Kernel send buffer of each connection. Fixed rather than autotuned (up
/// to megabytes): it bounds the memory a connection holds, and a live
/// subscriber that stops reading fills it soon, falls behind its channel,
/// and is dropped instead of piling up data.
const SEND_BUFFER: usize = 64 * 1024;

fn tune_socket(stream: &mut tokio::net::TcpStream) {
    let _ = stream.set_nodelay(true);
    if let Err(error) = socket2::SockRef::from(&*stream).set_send_buffer_size(SEND_BUFFER) {
        tracing::debug!(%error, "could not bound a socket's send buffer");
    }
}

/// Runs `job` every `period` until shutdown; a failure is logged and the
/// job tried again at the next tick.
fn every<F, Fut, T, E>(app: &Arc<App>, period: Duration, what: &'static str, job: F)
where
    F: Fn(Arc<App>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
    E: std::fmt::Display,
{
    let (app, shutdown) = (app.clone(), app.live.shutdown.clone());
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {
                    if let Err(error) = job(app.clone()).await {
                        tracing::warn!(%error, "{what} failed; will retry");
                    }
                }
            }
        }
    });
}

/// Opens and migrates the database named by a URL.
pub async fn open_database(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .context("connecting to the database")?;
    db.migrate().await.context("migrating the database")?;
    Ok(db)
}

/// Cancels `token` on SIGINT or SIGTERM.
pub async fn cancel_on_signal(token: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
    token.cancel();
}
