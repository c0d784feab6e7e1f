//! The whole-request timeout: a request not answered within it (a body
//! sent too slowly, say) ends with 408 `request_timeout` and its connection
//! is closed. It bounds the time to the answer's head, so a WebSocket is
//! bound only until its upgrade is answered, and never once it is open.

use super::error::error_response;
use super::serve::{ConnectionCounts, Cut};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;

/// The middleware's state: the timeout, and where a cut is counted.
#[derive(Clone, Debug)]
pub struct RequestTimeout {
    pub after: Duration,
    /// The bound of a capsule's upload instead.
    pub upload: Duration,
    pub counts: ConnectionCounts,
}

pub async fn limit(
    State(timeout): State<RequestTimeout>,
    request: Request,
    next: Next,
) -> Response {
    let after = if is_upload(request.method(), request.uri().path()) {
        timeout.upload
    } else {
        timeout.after
    };
    match tokio::time::timeout(after, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            timeout.counts.cut(Cut::RequestTimeout);
            let mut response = error_response(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request took too long to arrive or to answer",
            );
            // The rest of a slow body is not waited for.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// A capsule's upload, `POST /api/v1/sites/{site}/capsules`: its body may be
/// a video of tens of megabytes.
fn is_upload(method: &Method, path: &str) -> bool {
    let site = path
        .strip_prefix("/api/v1/sites/")
        .and_then(|rest| rest.strip_suffix("/capsules"));
    method == Method::POST && site.is_some_and(|site| !site.is_empty() && !site.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_capsule_upload_gets_the_upload_bound() {
        assert!(is_upload(&Method::POST, "/api/v1/sites/agdal/capsules"));
        assert!(!is_upload(&Method::GET, "/api/v1/sites/agdal/capsules"));
        assert!(!is_upload(&Method::POST, "/api/v1/sites/agdal/tickets"));
        assert!(!is_upload(&Method::POST, "/api/v1/sites//capsules"));
        assert!(!is_upload(&Method::POST, "/api/v1/sites/a/b/capsules"));
    }
}
