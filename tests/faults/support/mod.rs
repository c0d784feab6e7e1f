//! What the fault tests share: private servers that a test may stop or
//! kill (`postgres`, `redis`), `guichet serve` processes (`guichet`), an
//! office set up through the API (`office`), the tally of a load's answers
//! (`tally`) and a lobby screen that reconnects like the display script
//! (`screen`). Every process started here is killed when its guard is
//! dropped, also when a test panics.

// Not every test uses every helper.
#![allow(dead_code)]

pub mod guichet;
pub mod office;
pub mod postgres;
pub mod redis;
pub mod screen;
pub mod tally;

pub use guichet_test_support::{eventually, free_port, wait_for_port};
