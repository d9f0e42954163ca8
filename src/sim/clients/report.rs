//! The clients' part of a run's report (`clients` in `lbsim run`'s JSON), present when the run
//! had client retries or closed-loop users: first sends and client retries (the balancer's own
//! retries stay in the report's `retries`), throughput beside goodput, and the same per window.
//!
//! Throughput here is what the servers see: successful answers they produced, including those
//! for requests whose client had already given up (work nobody uses). Goodput is what the
//! clients got: successful answers that arrived before the client's timeout, the report's
//! `totals.completed`. In a metastable collapse the servers stay busy, throughput stays high,
//! and goodput falls to almost nothing.

use serde::Serialize;

use crate::sim::engine::Simulation;

/// The clients' side of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClientReport {
    /// Requests the clients sent for the first time: open arrivals and closed-loop users' sends.
    pub first_sends: u64,
    /// Requests the clients sent again after a failure (each is also one of `totals.generated`).
    pub client_retries: u64,
    /// `totals.generated / first_sends`: how much the client retries multiplied the offered load.
    pub amplification: Option<f64>,
    /// Client retries waiting out their backoff at the end (not yet sent, so not generated).
    pub waiting_to_retry: u64,
    /// Successful answers the servers produced, for clients still waiting or not.
    pub served: u64,
    /// Successful answers the clients received before their timeout (`totals.completed`).
    pub goodput: u64,
    /// The retry budget's tokens at the end (gRPC retry throttling), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_tokens: Option<f64>,
    /// Per metrics window (`sample_every`; the most recent 600), oldest first.
    pub windows: Vec<WindowReport>,
}

/// One metrics window of the clients' report.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WindowReport {
    /// The end of the window, in seconds.
    pub end: f64,
    /// Successful answers the servers produced, per second.
    pub throughput: f64,
    /// Successful answers the clients received, per second.
    pub goodput: f64,
    /// Client retries sent, per second.
    pub client_retries: f64,
    /// The balancer's retries, per second.
    pub retries: f64,
    /// Requests that failed, were rejected or rate limited, per second.
    pub errors: f64,
    /// The 95th percentile latency of the successes over the last 10 windows, in milliseconds.
    pub p95_ms: Option<f64>,
    /// The 95th percentile of how long clients waited for an answer of any kind (a success,
    /// an error, their own timeout) over the last 10 windows, in milliseconds.
    pub p95_any_ms: Option<f64>,
}

impl ClientReport {
    /// The clients' report of `sim`, or `None` for a run without client retries or users.
    pub fn of(sim: &Simulation) -> Option<ClientReport> {
        if !sim.clients_seen() {
            return None;
        }
        let metrics = sim.metrics();
        let totals = sim.totals();
        let first_sends = totals.generated - metrics.client_retries();
        Some(ClientReport {
            first_sends,
            client_retries: metrics.client_retries(),
            amplification: (first_sends > 0).then(|| totals.generated as f64 / first_sends as f64),
            waiting_to_retry: sim.client_retries_waiting(),
            served: metrics.served(),
            goodput: totals.completed,
            budget_tokens: sim
                .client_retry_tokens()
                .map(|(milli, _)| milli as f64 / 1e3),
            windows: metrics
                .series()
                .iter()
                .map(|s| WindowReport {
                    end: s.end.as_secs_f64(),
                    throughput: s.served,
                    goodput: s.throughput,
                    client_retries: s.client_retries,
                    retries: s.retries,
                    errors: s.errors,
                    p95_ms: s.p95_ms,
                    p95_any_ms: s.p95_any_ms,
                })
                .collect(),
        })
    }
}
