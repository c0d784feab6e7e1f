//! Guichet: queue management and appointments for public offices.
//!
//! `domain` holds the pure rules, `app` the use cases, `store` the SQL,
//! `http` the API; `startup` puts them together. See ARCHITECTURE.md.

pub mod app;
pub mod bus;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod notify;
pub mod report;
pub mod secrets;
pub mod startup;
pub mod store;
pub mod sync;
pub mod telemetry;

// The store's query macros, private to the crate; `use crate::{read, write}`
// names them in `store/`.
pub(crate) use store::{on, read, write};
