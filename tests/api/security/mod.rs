//! The service as an attacker meets it, one file per topic: limits under
//! bursts, and what the public listener, the logs, the sockets and the
//! outbound requests refuse or keep to themselves.

mod access_log;
mod burst;
mod code_quota;
mod csv_cells;
mod demo_messages;
mod device_tokens;
mod limits;
mod limits_shared;
mod metrics_access;
mod metrics_labels;
mod outbox_phones;
mod partner_guesses;
mod redirects;
mod socket_sessions;
mod sockets;
mod timeouts;
mod webhook_urls;
