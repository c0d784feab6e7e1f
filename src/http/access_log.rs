//! The span that `TraceLayer` opens for each request, and so what every
//! request log line says about its request: the method and the matched
//! route's pattern (`/feedback/{token}`), never the path or query string a
//! client sent, since those carry capability tokens (a kiosk's `?device=`,
//! a manage link's `?token=`, a feedback link's path). A request no route
//! matched is `unmatched`. The span keeps tower-http's target and level
//! (`RUST_LOG=tower_http=debug` shows it with each request's status and
//! latency).

use axum::extract::MatchedPath;
use axum::http::Request;
use tower_http::trace::MakeSpan;
use tracing::Span;

#[derive(Clone, Copy, Debug, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str);
        tracing::debug_span!(
            target: "tower_http::trace::make_span",
            "request",
            method = %request.method(),
            route,
            version = ?request.version(),
        )
    }
}
