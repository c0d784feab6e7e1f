//! The screens in a real browser (`browser.rs`): what a citizen, an agent
//! and a lobby see, in French and Arabic, with screenshots of each.

mod admin;
mod agent;
mod agent_filing;
mod agent_video;
mod booking;
mod citizen;
mod guide;
mod journey;
mod kiosk;
mod kiosk_filing;
mod lobby;
mod partner_files;
mod policy;
mod portal;
mod weight;
