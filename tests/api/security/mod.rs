//! The service as an attacker meets it: limits under bursts, and what the
//! public listener, the sockets and the outbound requests refuse.

mod burst;
mod code_quota;
mod limits;
mod limits_shared;
