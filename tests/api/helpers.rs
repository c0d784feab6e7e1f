//! Starts the real server on port 0 against a fresh database: a temporary
//! SQLite file, or a new PostgreSQL database that is dropped afterwards.

use guichet::app::{App, auth};
use guichet::clock::{Clock, ManualTime};
use guichet::config::Config;
use guichet::domain::role::Role;
use guichet::startup::Server;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Runs `$body` with `$c` bound to the database's pool for reading, as the
/// service's store does: what a test checks straight in the tables.
macro_rules! read {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            guichet::store::Db::Sqlite { read, .. } => {
                let $c = read;
                $body
            }
            guichet::store::Db::Postgres(pool) => {
                let $c = pool;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the connection of an open transaction.
macro_rules! write {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            guichet::store::Tx::Sqlite(tx) => {
                let $c = &mut **tx;
                $body
            }
            guichet::store::Tx::Postgres(tx) => {
                let $c = &mut **tx;
                $body
            }
        }
    };
}

pub(crate) use {read, write};

pub const ADMIN_PASSWORD: &str = "admin-password-42";
pub const STAFF_PASSWORD: &str = "staff-password-42";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Writes one async scenario as two tests: on SQLite, and on PostgreSQL
/// (ignored unless asked for, as it needs a server).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL"]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            )*
        }
    };
}

pub struct TestApp {
    pub base: String,
    /// The database it runs on, for another instance to share.
    pub database_url: String,
    pub client: reqwest::Client,
    pub app: Arc<App>,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
    database: Option<ScratchDatabase>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Clock::system()).await
}

/// A server whose clock the test sets by hand.
pub async fn spawn_app_at(backend: Backend, start: &str) -> (TestApp, ManualTime) {
    let (clock, time) = Clock::manual(start.parse().expect("a timestamp"));
    (spawn_app_with(backend, clock).await, time)
}

async fn spawn_app_with(backend: Backend, clock: Clock) -> TestApp {
    spawn_app_configured(backend, clock, |_| {}).await
}

/// A server with settings of the test's (an SMS provider, SMTP, …).
pub async fn spawn_app_configured(
    backend: Backend,
    clock: Clock,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    spawn_app_prepared(backend, clock, configure, |_| {}).await
}

/// A server with settings of the test's, and its `App` adjusted before it
/// serves (a prefix of the test's own for the Redis keys, for instance).
pub async fn spawn_app_prepared(
    backend: Backend,
    clock: Clock,
    configure: impl FnOnce(&mut Config),
    prepare: impl FnOnce(&mut App),
) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (database_url, database) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.path().join("guichet.db").display()),
            None,
        ),
        Backend::Postgres => {
            let database = ScratchDatabase::create().await;
            (database.url.clone(), Some(database))
        }
    };
    let mut config = Config::local(&database_url);
    configure(&mut config);
    let mut app = start(config, clock, dir, prepare).await;
    app.database = database;
    auth::add_user(&app.app, "admin", Role::Admin, None, ADMIN_PASSWORD)
        .await
        .expect("admin created");
    app
}

/// One more instance on an existing database, sharing its events through
/// `redis_url` when given (another instance of the same deployment).
pub async fn spawn_instance(database_url: &str, redis_url: Option<&str>) -> TestApp {
    spawn_instance_with(database_url, redis_url, Clock::system()).await
}

/// Another instance on an existing database, with a clock of the test's.
pub async fn spawn_instance_with(
    database_url: &str,
    redis_url: Option<&str>,
    clock: Clock,
) -> TestApp {
    spawn_instance_configured(database_url, clock, |config| {
        config.redis_url = redis_url.map(|url| url.parse().expect("a URL"));
    })
    .await
}

/// Another instance on an existing database, with settings of the test's.
pub async fn spawn_instance_configured(
    database_url: &str,
    clock: Clock,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    spawn_instance_prepared(database_url, clock, configure, |_| {}).await
}

/// Another instance on an existing database, with settings of the test's
/// and the service adjusted before it starts.
pub async fn spawn_instance_prepared(
    database_url: &str,
    clock: Clock,
    configure: impl FnOnce(&mut Config),
    prepare: impl FnOnce(&mut App),
) -> TestApp {
    let mut config = Config::local(database_url);
    configure(&mut config);
    let dir = tempfile::tempdir().expect("temp dir");
    start(config, clock, dir, prepare).await
}

async fn start(
    config: Config,
    clock: Clock,
    dir: tempfile::TempDir,
    prepare: impl FnOnce(&mut App),
) -> TestApp {
    let mut server = Server::build(&config, clock).await.expect("server starts");
    prepare(server.app_mut().expect("the app is not shared yet"));
    let base = format!("http://{}", server.addr());
    let app = server.app();
    let shutdown = CancellationToken::new();
    tokio::spawn(server.run(shutdown.clone()));
    TestApp {
        base,
        database_url: config.database.database_url.clone(),
        client: reqwest::Client::new(),
        app,
        shutdown,
        _dir: dir,
        database: None,
    }
}

/// A new PostgreSQL database, dropped when this is.
pub struct ScratchDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl ScratchDatabase {
    pub async fn create() -> Self {
        let admin_url = std::env::var("GUICHET_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let name = format!(
            "guichet_test_{}",
            guichet::secrets::new_id()
                .to_lowercase()
                .replace(['-', '_'], "")
        );
        let pool = sqlx::PgPool::connect(&admin_url)
            .await
            .expect("PostgreSQL reachable");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("create test database");
        pool.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        Self {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop the database from another thread: this one may be inside
        // the test's runtime, which cannot be blocked on.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let pool = sqlx::PgPool::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&pool)
                    .await?;
                pool.close().await;
                Ok::<_, sqlx::Error>(())
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        });
        let _ = dropped.join();
    }
}

impl TestApp {
    /// Shuts the server down, as SIGTERM does.
    pub fn stop(&self) {
        self.shutdown.cancel();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// An answer: its status, headers and JSON body (`Null` when empty).
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body read");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let answer = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login of {username}: {}",
            answer.body
        );
        answer.body["token"].as_str().expect("token").to_owned()
    }

    pub async fn admin(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates a staff account directly, as `guichet user add` does.
    pub async fn add_staff(&self, username: &str, role: Role, site: &str) -> String {
        auth::add_user(&self.app, username, role, Some(site), STAFF_PASSWORD)
            .await
            .expect("staff created");
        self.login(username, STAFF_PASSWORD).await
    }

    /// A site with two services (`residence` A, `signature` B) and one
    /// counter (`{site}-g1`) handling both.
    pub async fn seed_site(&self, admin: &str, site: &str) {
        let created = self
            .post("/api/v1/sites", Some(admin), site_body(site))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        for (id, prefix) in [("residence", "A"), ("signature", "B")] {
            let body = json!({"id": id, "prefix": prefix, "name": format!("Service {id}"), "walk_in": true,
                "appointment_modes": ["in_person"], "slot_minutes": 15, "slot_capacity": 2,
                "service_minutes": 5, "required_documents": [{"name": "CIN", "name_ar": "البطاقة الوطنية"}],
                "processing_days": 2});
            let answer = self
                .post(&format!("/api/v1/sites/{site}/services"), Some(admin), body)
                .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        }
        let counter = json!({"id": format!("{site}-g1"), "label": "Guichet 1", "services": ["residence", "signature"]});
        let answer = self
            .post(
                &format!("/api/v1/sites/{site}/counters"),
                Some(admin),
                counter,
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> String {
        let answer = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics answer");
        assert_eq!(answer.status(), StatusCode::OK);
        answer.text().await.expect("metrics text")
    }

    /// Rows in a table, read straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        crate::helpers::read!(&self.app.db, |c| sqlx::query_scalar::<_, i64>(&sql)
            .fetch_one(c)
            .await)
        .expect("count rows")
    }
}

/// A site open around the clock in `timezone`, with services `residence`
/// (A) and `signature` (B), and `counters` counters handling both, each
/// opened by its own agent. Returns the agents' tokens, counter by counter
/// (`{site}-g1`, `{site}-g2`, …).
pub async fn open_site(
    app: &TestApp,
    admin: &str,
    site: &str,
    timezone: &str,
    counters: usize,
) -> Vec<String> {
    let always: Value = json!([["00:00", "24:00"]]);
    let hours: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| ((*d).to_owned(), always.clone()))
        .collect();
    let body = json!({"id": site, "name": format!("Annexe {site}"), "timezone": timezone, "opening_hours": hours});
    let created = app.post("/api/v1/sites", Some(admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for (id, prefix) in [("residence", "A"), ("signature", "B")] {
        let body = json!({"id": id, "prefix": prefix, "name": format!("Service {id}"), "service_minutes": 5});
        let answer = app
            .post(&format!("/api/v1/sites/{site}/services"), Some(admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let mut agents = Vec::new();
    for i in 1..=counters {
        let counter = format!("{site}-g{i}");
        let body = json!({"id": counter, "label": format!("Guichet {i}"), "services": ["residence", "signature"]});
        let answer = app
            .post(&format!("/api/v1/sites/{site}/counters"), Some(admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let agent = app
            .add_staff(&format!("{site}-agent{i}"), Role::Agent, site)
            .await;
        let opened = app
            .post(
                &format!("/api/v1/counters/{counter}/open"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        agents.push(agent);
    }
    agents
}

pub fn site_body(id: &str) -> Value {
    json!({
        "id": id,
        "name": format!("Annexe {id}"),
        "name_ar": "الملحقة الإدارية",
        "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": [["08:30", "12:00"], ["14:00", "16:30"]], "fri": [["08:30", "11:30"]]},
        "closures": ["2026-12-25"],
    })
}
