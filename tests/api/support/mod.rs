//! What several test modules of this binary share, so that no test module
//! imports another: the offices they set up (`office`, `desk`, `sites`),
//! the queue's calls (`tickets`), the SMS provider's side (`sms`), webhook
//! endpoints (`hooks`), the admin pages as forms (`forms`) and as read
//! with a session cookie (`pages`), and a real browser (`browser`). What every test binary shares (spawning, the HTTP
//! and WebSocket clients, waits) is the `guichet-test-support` crate.

pub mod browser;
pub mod desk;
pub mod earliest;
pub mod forms;
pub mod guides;
pub mod hooks;
pub mod office;
pub mod pages;
pub mod partners;
pub mod province;
pub mod remote;
pub mod sites;
pub mod sms;
pub mod tickets;
