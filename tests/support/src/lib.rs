//! What Guichet's integration tests share (`tests/api`, `tests/cluster`,
//! `tests/faults`): a server started in the test's process on port 0
//! against a fresh database ([`TestApp`] and its builder), the typed HTTP
//! client every binary talks through ([`Client`], one [`Answer`] type),
//! WebSocket clients for the live streams ([`live`]), and waits that poll
//! for a condition with a deadline instead of sleeping ([`wait`]).
//!
//! This is a package of the workspace and a dev-dependency of `guichet`.
//! It depends on `guichet` itself for in-process spawning: cargo allows
//! that cycle through dev-dependencies, and the integration-test binaries
//! link the same `guichet` library as this crate does, so `Config`, `App`
//! and `Clock` named here are the very types the tests name (the library's
//! own unit tests never use this crate, so its second, `cfg(test)` copy
//! meets none of them). One definition of each helper, no `#[path]` tricks.

pub mod client;
pub mod database;
pub mod live;
pub mod spawn;
pub mod wait;

pub use client::{Answer, Client};
pub use database::ScratchDatabase;
pub use spawn::{ADMIN_PASSWORD, Backend, STAFF_PASSWORD, TestApp, TestAppBuilder};
pub use wait::{eventually, free_port, holds_within, throughout, until_some, wait_for_port};

/// Writes one async scenario as two tests: on SQLite, and on PostgreSQL
/// (ignored unless asked for, as it needs a server).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[ignore = "needs PostgreSQL"]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await;
                }
            )*
        }
    };
}

/// Runs `$body` with `$c` bound to the database's pool for reading, as the
/// service's store does internally: for what a test checks straight in the
/// tables.
#[macro_export]
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
#[macro_export]
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

/// Opening hours for a test office open around the clock, every day: the
/// tests then hold at any hour of any day in the office's timezone.
pub fn around_the_clock() -> serde_json::Value {
    let always = serde_json::json!([["00:00", "24:00"]]);
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    days.iter()
        .map(|d| ((*d).to_owned(), always.clone()))
        .collect()
}
