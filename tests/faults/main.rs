//! Fault tests: the real `guichet serve` processes on a private PostgreSQL
//! and a private Redis, which the tests stop, kill and restart while
//! clients keep working. The machine's own services are never touched.
//!
//! Each test is ignored by default (it needs the PostgreSQL and Redis
//! binaries, and a few minutes); run them with
//! `cargo test --test faults -- --include-ignored`.

#[path = "../api/fakes/mod.rs"]
mod fakes;
mod support;

mod instance_killed;
mod postgres_restart;
mod redis_restart;
mod replica;
mod sms_outage;
