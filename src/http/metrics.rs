//! Prometheus metrics: requests by route and status and their latency,
//! what this instance has done (`app::activity`), and gauges read at each
//! scrape (WebSocket subscribers, waiting tickets per site and service,
//! the outbox's depth), and the read replica's use (`app::reads`). Each server has its own registry (no global
//! recorder), so several servers in one test process do not mix their
//! counts. Every label's values come from a fixed set (methods, statuses,
//! route patterns, event kinds) or from the database (sites, services,
//! channels), never from what a client writes, so that no request can add
//! series. Who may read them is `metrics_access`.

use crate::app::App;
use crate::app::health;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    site: String,
    service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    status: String,
    channel: String,
}

#[derive(Debug)]
pub struct HttpMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    /// Sockets following live events on this instance, read at scrape time.
    pub live_subscribers: Gauge,
    /// Tickets waiting, from the database at scrape time.
    waiting: Family<QueueLabels, Gauge>,
    /// Messages not sent yet (and dead ones), from the database at scrape time.
    outbox: Family<OutboxLabels, Gauge>,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

impl HttpMetrics {
    pub fn new(app: &App, connections: &super::serve::ConnectionCounts) -> Self {
        let mut registry = Registry::with_prefix("guichet");
        app.activity.register(&mut registry);
        app.reads.register(&mut registry);
        connections.register(&mut registry);
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        let live_subscribers = Gauge::default();
        registry.register(
            "live_subscribers",
            "WebSocket subscribers to live events on this instance",
            live_subscribers.clone(),
        );
        let waiting = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "waiting_tickets",
            "Tickets waiting now, by site and service",
            waiting.clone(),
        );
        let outbox = Family::<OutboxLabels, Gauge>::default();
        registry.register(
            "outbox_messages",
            "Messages not sent yet (pending, retrying, sending) and given up (dead), by channel",
            outbox.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            live_subscribers,
            waiting,
            outbox,
        }
    }

    /// Reads the gauges of this scrape. A database that does not answer
    /// leaves them out rather than failing the scrape.
    pub async fn refresh(&self, app: &App) {
        self.live_subscribers.set(app.live.hub.subscribers() as i64);
        if let Some(rows) = health::waiting(app).await {
            self.waiting.clear();
            for row in rows {
                let labels = QueueLabels {
                    site: row.site_id,
                    service: row.service_id,
                };
                self.waiting.get_or_create(&labels).set(row.waiting);
            }
        }
        if let Some(rows) = health::outbox(app).await {
            self.outbox.clear();
            for row in rows {
                let labels = OutboxLabels {
                    status: row.status,
                    channel: row.channel,
                };
                self.outbox.get_or_create(&labels).set(row.messages);
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// The method as a label: one of the standard methods, or `other`, so that
/// made-up methods cannot add series without end.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Middleware that counts and times every request. The route is the
/// matched route's pattern (`/api/v1/tickets/{id}`), never the path a
/// client sent; a request no route matched is `unmatched`.
pub async fn track(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(request.method()).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .latency
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
