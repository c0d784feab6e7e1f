//! Security tests, one file per topic (issue 17).

mod access_log;
mod metrics_access;
mod metrics_labels;
mod redirects;
