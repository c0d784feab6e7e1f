//! The real server in the test's process, on port 0, against a fresh
//! database (a temporary SQLite file, or a new PostgreSQL database dropped
//! afterwards), or joining the database of another instance. One builder
//! for every variant:
//!
//! ```ignore
//! let app = TestApp::builder().backend(backend).spawn().await;
//! let (app, time) = TestApp::builder().spawn_at("2026-11-23T07:00:00Z").await;
//! let other = TestApp::builder()
//!     .join(&app.database_url)
//!     .redis(&redis)
//!     .clock(clock)
//!     .config(|c| c.public_url = Some(URL.into()))
//!     .prepare(|settings| settings.guards.limits.set_prefix(&prefix))
//!     .spawn()
//!     .await;
//! ```

use crate::client::Client;
use crate::database::ScratchDatabase;
use guichet::app::{App, AppSettings, auth};
use guichet::clock::{Clock, ManualTime};
use guichet::config::Config;
use guichet::domain::role::Role;
use guichet::startup::Server;
use std::ops::Deref;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub const ADMIN_PASSWORD: &str = "admin-password-42";
pub const STAFF_PASSWORD: &str = "staff-password-42";

#[derive(Debug, Clone, Copy, Default)]
pub enum Backend {
    #[default]
    Sqlite,
    Postgres,
}

/// A running server. It derefs to its [`Client`], so `app.get(…)`,
/// `app.post(…)`, `app.base` and `app.http` are the client's.
pub struct TestApp {
    client: Client,
    /// The database it runs on, for another instance to share.
    pub database_url: String,
    pub app: Arc<App>,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
    /// A fresh PostgreSQL database, dropped with the server.
    _database: Option<ScratchDatabase>,
}

type Configure<'a> = Box<dyn FnOnce(&mut Config) + 'a>;
type Prepare<'a> = Box<dyn FnOnce(&mut AppSettings) + 'a>;

/// How a [`TestApp`] starts; see the module's doc.
#[must_use]
pub struct TestAppBuilder<'a> {
    backend: Backend,
    join: Option<String>,
    redis: Option<String>,
    clock: Clock,
    configure: Vec<Configure<'a>>,
    prepare: Vec<Prepare<'a>>,
}

impl TestApp {
    /// A server on a fresh SQLite database with the system clock, unless
    /// told otherwise.
    pub fn builder<'a>() -> TestAppBuilder<'a> {
        TestAppBuilder {
            backend: Backend::Sqlite,
            join: None,
            redis: None,
            clock: Clock::system(),
            configure: Vec::new(),
            prepare: Vec::new(),
        }
    }

    /// Shuts the server down, as SIGTERM does.
    pub fn stop(&self) {
        self.shutdown.cancel();
    }

    /// Creates a staff account directly, as `guichet user add` does, and
    /// logs it in.
    pub async fn add_staff(&self, username: &str, role: Role, site: &str) -> String {
        auth::add_user(&self.app, username, role, Some(site), STAFF_PASSWORD)
            .await
            .expect("staff created");
        self.login(username, STAFF_PASSWORD).await
    }

    /// The admin's token.
    pub async fn admin(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Rows in a table, read straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        crate::read!(&self.app.db, |c| sqlx::query_scalar::<_, i64>(&sql)
            .fetch_one(c)
            .await)
        .expect("count rows")
    }
}

impl Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl<'a> TestAppBuilder<'a> {
    /// The backend of a fresh database (SQLite unless told).
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// A fresh PostgreSQL database.
    pub fn postgres(self) -> Self {
        self.backend(Backend::Postgres)
    }

    /// Another instance on an existing database (no fresh one, no admin
    /// account created): another instance of the same deployment.
    pub fn join(mut self, database_url: &str) -> Self {
        self.join = Some(database_url.to_owned());
        self
    }

    /// Shares events and counts through Redis at `url`.
    pub fn redis(mut self, url: &str) -> Self {
        self.redis = Some(url.to_owned());
        self
    }

    /// A clock of the test's (the system's unless told).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Settings of the test's (an SMS provider, SMTP, …), applied after
    /// the embedded defaults and `redis`, in the order given.
    pub fn config(mut self, configure: impl FnOnce(&mut Config) + 'a) -> Self {
        self.configure.push(Box::new(configure));
        self
    }

    /// Adjusts the settings the `App` is built from, after those of the
    /// configuration (a prefix of the test's own for the Redis keys, for
    /// instance).
    pub fn prepare(mut self, prepare: impl FnOnce(&mut AppSettings) + 'a) -> Self {
        self.prepare.push(Box::new(prepare));
        self
    }

    /// Starts it on a manual clock set at `start`, which the test moves.
    pub async fn spawn_at(self, start: &str) -> (TestApp, ManualTime) {
        let (clock, time) = Clock::manual(start.parse().expect("a timestamp"));
        (self.clock(clock).spawn().await, time)
    }

    /// Starts it; on a fresh database, with the admin account
    /// (`ADMIN_PASSWORD`).
    pub async fn spawn(self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, database) = match (&self.join, self.backend) {
            (Some(url), _) => (url.clone(), None),
            (None, Backend::Sqlite) => (
                format!("sqlite://{}", dir.path().join("guichet.db").display()),
                None,
            ),
            (None, Backend::Postgres) => {
                let database = ScratchDatabase::create().await;
                (database.url.clone(), Some(database))
            }
        };
        let mut config = Config::local(&database_url);
        config.redis_url = self.redis.map(|url| url.parse().expect("a URL"));
        for configure in self.configure {
            configure(&mut config);
        }
        let prepare = self.prepare;
        let server = Server::build_with(&config, self.clock, |settings| {
            for prepare in prepare {
                prepare(settings);
            }
        })
        .await
        .expect("server starts");
        let shutdown = CancellationToken::new();
        let test_app = TestApp {
            client: Client::new(&format!("http://{}", server.addr())),
            database_url: config.database.database_url.clone(),
            app: server.app(),
            shutdown: shutdown.clone(),
            _dir: dir,
            _database: database,
        };
        tokio::spawn(server.run(shutdown));
        if self.join.is_none() {
            auth::add_user(&test_app.app, "admin", Role::Admin, None, ADMIN_PASSWORD)
                .await
                .expect("admin created");
        }
        test_app
    }
}
