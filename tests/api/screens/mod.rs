//! The screens in a real browser (`browser.rs`): what a citizen, an agent
//! and a lobby see, in French and Arabic, with screenshots of each.

mod accessibility;
mod admin;
mod admin_figures;
mod agent;
mod agent_desk;
mod agent_filing;
mod agent_video;
mod booking;
mod citizen;
mod earliest;
mod guide;
mod journey;
mod kiosk;
mod kiosk_filing;
mod lobby;
mod lobby_capsules;
mod lobby_fit;
mod partner_files;
mod policy;
mod portal;
mod province;
mod remote_join;
mod remote_presence;
mod tamazight;
mod tv_reconnect;
mod weight;
