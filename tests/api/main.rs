//! Integration tests: the real server on a random port, real databases.

mod accounts;
mod admin_supervision;
mod announcements;
mod appointments;
mod appointments_time;
mod booking;
mod browser;
mod cli;
mod complaints;
mod counters;
mod fakes;
mod helpers;
mod live;
mod live_client;
mod live_redis;
mod ops;
mod outbox;
mod queue;
mod requests;
mod screens;
mod sites;
mod sms_hooks;
mod visits;
mod webhooks;
