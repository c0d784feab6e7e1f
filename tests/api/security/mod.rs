//! Issue 17: what an attacker tries, one file per topic.

mod demo_messages;
