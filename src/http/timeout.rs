//! The whole-request timeout: a request not answered within it (a body
//! sent too slowly, say) ends with 408 `request_timeout` and its connection
//! is closed. It bounds the time to the answer's head, so a WebSocket is
//! bound only until its upgrade is answered, and never once it is open.

use super::error::error_response;
use super::serve::{ConnectionCounts, Cut};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;

/// The middleware's state: the timeout, and where a cut is counted.
#[derive(Clone, Debug)]
pub struct RequestTimeout {
    pub after: Duration,
    pub counts: ConnectionCounts,
}

pub async fn limit(
    State(timeout): State<RequestTimeout>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(timeout.after, next.run(request)).await {
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
