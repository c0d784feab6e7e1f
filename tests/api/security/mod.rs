//! Issue 17's hardening, one file per topic, each tried as an attacker
//! would: bursts released together, odd inputs, real sockets.

mod socket_sessions;
mod sockets;
