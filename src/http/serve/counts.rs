//! What `/metrics` says about connections: how many are open now
//! (WebSockets included), and how many were cut, by reason. The reasons
//! are a fixed set, each series present from the start at 0.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Why a connection or a request was cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// The request's head (request line and headers) did not arrive in time.
    HeaderTimeout,
    /// The request was not answered in time (a body sent too slowly, say).
    RequestTimeout,
    /// A kept-alive connection sat idle too long between requests.
    IdleTimeout,
    /// The instance already had as many connections as it takes.
    OverCapacity,
}

impl Cut {
    const ALL: [Self; 4] = [
        Self::HeaderTimeout,
        Self::RequestTimeout,
        Self::IdleTimeout,
        Self::OverCapacity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HeaderTimeout => "header_timeout",
            Self::RequestTimeout => "request_timeout",
            Self::IdleTimeout => "idle_timeout",
            Self::OverCapacity => "over_capacity",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CutLabels {
    reason: &'static str,
}

/// The connection metrics of one server; clones count into the same series.
#[derive(Clone, Debug, Default)]
pub struct ConnectionCounts {
    cut: Family<CutLabels, Counter>,
    open: Gauge,
}

impl ConnectionCounts {
    pub fn register(&self, registry: &mut Registry) {
        for reason in Cut::ALL {
            let _ = self.cut.get_or_create(&CutLabels {
                reason: reason.as_str(),
            });
        }
        registry.register(
            "http_connections_cut",
            "Connections closed and requests ended by the server's limits, by reason",
            self.cut.clone(),
        );
        registry.register(
            "http_connections_open",
            "TCP connections open on this instance, WebSockets included",
            self.open.clone(),
        );
    }

    pub fn cut(&self, reason: Cut) {
        self.cut
            .get_or_create(&CutLabels {
                reason: reason.as_str(),
            })
            .inc();
    }

    pub(super) fn opened(&self) {
        self.open.inc();
    }

    pub(super) fn closed(&self) {
        self.open.dec();
    }
}
