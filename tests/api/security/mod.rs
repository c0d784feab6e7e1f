//! What an attacker tries, one file per topic (issue 17).

mod csv_cells;
mod device_tokens;
mod outbox_phones;
mod webhook_urls;
