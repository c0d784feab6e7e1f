//! The HTTP edge: axum routers for the JSON API and operations. The only
//! layer that knows HTTP; handlers parse, call one use case, and answer.

pub mod access_log;
pub mod accounts;
pub mod admin;
pub mod announcements;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod capsules;
pub mod client_ip;
pub mod counters;
pub mod created;
pub mod earliest;
pub mod error;
pub mod guides;
pub mod hooks;
pub mod live;
pub mod media;
pub mod metrics;
pub mod metrics_access;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod partners;
pub mod provinces;
pub mod public_stats;
pub mod remote_queue;
pub mod reports;
pub mod requests;
pub mod security;
pub mod serve;
pub mod sites;
pub mod stats;
pub mod tickets;
pub mod timeout;
pub mod voice;

use crate::app::App;
use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Shared by every handler. A handler or middleware that needs one part
/// only extracts that part (`State<Arc<App>>`, `State<Arc<HttpMetrics>>`,
/// `State<OpenApiJson>`), through the `FromRef` this derives.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub app: Arc<App>,
    pub metrics: Arc<metrics::HttpMetrics>,
    pub openapi: OpenApiJson,
    /// Who may read `/metrics`, and on which address.
    pub metrics_access: Arc<metrics_access::MetricsAccess>,
}

/// The OpenAPI document as served, built once from the routes.
#[derive(Clone, Debug)]
pub struct OpenApiJson(pub Arc<String>);

/// The routers of one instance: the public one, and the one of the
/// metrics' own address when there is one.
pub struct Routers {
    pub public: Router,
    pub metrics: Option<Router>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Guichet", description = "Queue management and appointments for public offices"),
    components(schemas(crate::app::error::ErrorBody)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every route of the service, with its state and middleware, and the
/// router of the metrics' own address when `access` gives them one. Its
/// `/metrics` includes `connections`, and a request not answered within
/// `limits.request` (a capsule's upload: `limits.upload`) gets 408.
pub fn routers(
    app: Arc<App>,
    access: metrics_access::MetricsAccess,
    connections: &serve::ConnectionCounts,
    limits: serve::Limits,
) -> Routers {
    let (routes, mut doc) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .merge(ops::router())
        .merge(accounts::router())
        .merge(sites::router())
        .merge(guides::router())
        .merge(counters::router())
        .merge(tickets::router())
        .merge(remote_queue::router())
        .merge(appointments::router())
        .merge(earliest::router())
        .merge(requests::router())
        .merge(admin::router())
        .merge(partners::router())
        .merge(announcements::router())
        .merge(capsules::router())
        .merge(media::router())
        .merge(public_stats::router())
        .merge(stats::router())
        .merge(provinces::router())
        .merge(reports::router())
        .merge(audit::router())
        .merge(voice::router())
        .split_for_parts();
    openapi::add_common_errors(&mut doc);
    let state = AppState {
        metrics: Arc::new(metrics::HttpMetrics::new(&app, connections)),
        app,
        openapi: OpenApiJson(Arc::new(doc.to_json().unwrap_or_default())),
        metrics_access: Arc::new(access),
    };
    let metrics = state
        .metrics_access
        .own_address
        .then(|| metrics_access::router(state.clone()));
    let public = routes
        .merge(live::router())
        .merge(hooks::router())
        .merge(pages::router(state.clone()))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            timeout::RequestTimeout {
                after: limits.request,
                upload: limits.upload,
                counts: connections.clone(),
            },
            timeout::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(access_log::RequestSpan))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            security::headers,
        ))
        .with_state(state);
    Routers { public, metrics }
}

async fn not_found() -> Response {
    error::error_response(StatusCode::NOT_FOUND, "not_found", "no such route")
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "handler panicked");
    error::error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error",
    )
    .into_response()
}
