//! Issue 17's attacks, one file per topic.

mod timeouts;
