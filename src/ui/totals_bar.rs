//! The run's totals: where every generated request is, and the overall latency percentiles.

use yew::prelude::*;

use crate::sim::histogram::Histogram;
use crate::sim::{Simulation, Totals};

/// Overall client-observed latency percentiles, in milliseconds.
#[derive(Clone, Copy, PartialEq)]
pub struct LatencySummary {
    p50: Option<f64>,
    p95: Option<f64>,
    p99: Option<f64>,
}

impl LatencySummary {
    /// The percentiles of `histogram` (microsecond samples).
    pub fn of(histogram: &Histogram) -> LatencySummary {
        let ms = |q| histogram.quantile(q).map(|us| us as f64 / 1e3);
        LatencySummary {
            p50: ms(0.5),
            p95: ms(0.95),
            p99: ms(0.99),
        }
    }
}

/// The clients' side, for a run with client retries or closed-loop users.
#[derive(Clone, Copy, PartialEq)]
pub struct ClientTotals {
    /// Requests clients sent again after a failure (among `sent`).
    client_retries: u64,
    /// Successful answers the servers produced, for clients still waiting or not.
    served: u64,
}

impl ClientTotals {
    /// The clients' totals of `sim`, or `None` when it has had no client retries or users.
    pub fn of(sim: &Simulation) -> Option<ClientTotals> {
        sim.clients_seen().then(|| ClientTotals {
            client_retries: sim.metrics().client_retries(),
            served: sim.metrics().served(),
        })
    }
}

/// What the totals bar shows of a run.
#[derive(Clone, Copy, PartialEq)]
pub struct TotalsView {
    /// Request counts.
    totals: Totals,
    /// Latency percentiles.
    latency: LatencySummary,
    /// Client retries and throughput beside goodput, when the run has them.
    clients: Option<ClientTotals>,
    /// Jobs the servers finished after the balancer had given up on them, all servers together
    /// (each server card has its own count; the present layout has no cards).
    wasted: u64,
}

impl TotalsView {
    /// The totals of `sim`.
    pub fn of(sim: &Simulation) -> TotalsView {
        TotalsView {
            totals: sim.totals(),
            latency: LatencySummary::of(sim.metrics().latency()),
            clients: ClientTotals::of(sim),
            wasted: sim.metrics().servers().iter().map(|s| s.wasted).sum(),
        }
    }
}

/// Props of [`TotalsBar`].
#[derive(Properties, PartialEq)]
pub struct TotalsBarProps {
    /// What to show.
    pub view: TotalsView,
}

/// One line of counters under the flow canvas.
#[function_component]
pub fn TotalsBar(props: &TotalsBarProps) -> Html {
    let TotalsView {
        totals: t,
        latency,
        clients,
        wasted,
    } = props.view;
    let item = |label: &str, value: String, tip: &str, class: &str| {
        html! {
            <span class={classes!("total", class.to_string())} title={tip.to_string()}>
                <span class="total-label">{ label }</span>
                <span class="total-value">{ value }</span>
            </span>
        }
    };
    let ms = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0} ms"));
    html! {
        <div class="totals" aria-label="Totals">
            { item("sent", t.generated.to_string(), "Requests the clients have sent", "") }
            { item("served", t.completed.to_string(), "Requests answered successfully", "ok") }
            { item("failed", t.failed.to_string(), "Requests that failed: connection refused or lost in a crash", "bad") }
            { item("rejected", t.rejected.to_string(), "Requests turned away at their first try: no server available, a full queue or an open breaker", "warn") }
            if t.rate_limited > 0 {
                { item("rate limited", t.rate_limited.to_string(), "Requests the balancer's rate limit refused (nginx limit_req, Envoy's token bucket)", "warn") }
            }
            if let Some(c) = clients {
                { item("client retries", c.client_retries.to_string(), "Requests the clients sent again after a failure; each is also counted in sent (the balancer's own retries are on the chart)", "warn") }
                { item("goodput", t.completed.to_string(), "Successful answers that reached a client still waiting for them (before its timeout)", "ok") }
                { item("throughput", c.served.to_string(), "Successful answers the servers produced, including those for clients that had already given up (wasted work)", "") }
            }
            if wasted > 0 {
                { item("wasted", wasted.to_string(), "Jobs the servers finished after the load balancer had given up on them: work nobody received (retry storms are made of it)", "warn") }
            }
            if let Some(opened) = t.connections {
                { item("connections", opened.to_string(), "Client connections opened so far (each new one costs a handshake round trip)", "") }
            }
            { item("in flight", t.in_flight.to_string(), "Requests travelling or being served right now", "") }
            { item("queued", t.queued.to_string(), "Requests waiting in a server queue", "") }
            { item("p50", ms(latency.p50), "Median client-observed latency of every request served since the run began (the latency chart shows each moment's recent seconds)", "") }
            { item("p95", ms(latency.p95), "95th percentile latency of every request served since the run began (the latency chart shows each moment's recent seconds)", "") }
            { item("p99", ms(latency.p99), "99th percentile latency of every request served since the run began (the latency chart shows each moment's recent seconds)", "") }
        </div>
    }
}
