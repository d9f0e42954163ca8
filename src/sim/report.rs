//! The report of a run: what the command-line runner prints and the browser can export. Totals,
//! client-observed latency (mean, p50, p95, p99, max), per-server statistics, and the timeline of
//! state-machine events. Its JSON form is a public contract (`lbsim run` prints it).

use serde::Serialize;

use super::engine::{LogKind, Simulation, TraceRecord};
use super::histogram::Histogram;
use super::metrics::Totals;

/// Latency statistics in milliseconds (`null` where no request was served).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LatencyMs {
    /// Mean.
    pub mean: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
}

impl LatencyMs {
    /// The statistics of a histogram of microsecond samples.
    pub fn of(h: &Histogram) -> LatencyMs {
        let ms = |us: u64| us as f64 / 1e3;
        LatencyMs {
            mean: h.mean().map(|us| us / 1e3),
            p50: h.quantile(0.5).map(ms),
            p95: h.quantile(0.95).map(ms),
            p99: h.quantile(0.99).map(ms),
            max: h.max().map(ms),
        }
    }
}

/// One server's part of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerReport {
    /// Its name.
    pub name: String,
    /// Tries the balancer sent it.
    pub routed: u64,
    /// Tries it served successfully.
    pub completed: u64,
    /// Tries that failed at it.
    pub failed: u64,
    /// Tries it turned away with a full queue.
    pub rejected: u64,
    /// Tries its circuit breaker refused.
    pub refused: u64,
    /// Latency of the requests it served, as their clients saw it.
    pub latency_ms: LatencyMs,
}

/// One request path's part of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathReport {
    /// The path, e.g. `/api`.
    pub path: String,
    /// Requests for it answered successfully.
    pub completed: u64,
    /// Requests for it that failed.
    pub failed: u64,
    /// Requests for it turned away without being attempted.
    pub rejected: u64,
    /// Client-observed latency of its successful requests.
    pub latency_ms: LatencyMs,
}

/// One state-machine event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventReport {
    /// Seconds since the start of the run.
    pub at: f64,
    /// What it is about.
    pub kind: LogKind,
    /// What happened.
    pub text: String,
}

/// The report of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The scenario's title.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// Simulated seconds run.
    pub until: f64,
    /// Where every generated request is, or how it ended.
    pub totals: Totals,
    /// Retries started.
    pub retries: u64,
    /// Client-observed latency of served requests.
    pub latency_ms: LatencyMs,
    /// Per server, in order.
    pub servers: Vec<ServerReport>,
    /// Per request path, in the order of the cost distribution's classes (one, `/`, without).
    pub paths: Vec<PathReport>,
    /// The timeline of events, oldest first (commands included).
    pub events: Vec<EventReport>,
}

impl Report {
    /// The report of `sim` as it stands.
    pub fn of(sim: &Simulation) -> Report {
        let metrics = sim.metrics();
        Report {
            scenario: sim.scenario().title.clone(),
            seed: sim.scenario().seed,
            until: sim.now().as_secs_f64(),
            totals: sim.totals(),
            retries: metrics.retries(),
            latency_ms: LatencyMs::of(metrics.latency()),
            servers: sim
                .servers()
                .iter()
                .zip(metrics.servers())
                .map(|(server, stats)| ServerReport {
                    name: server.spec().name.clone(),
                    routed: stats.routed,
                    completed: stats.completed,
                    failed: stats.failed,
                    rejected: stats.rejected,
                    refused: stats.refused,
                    latency_ms: LatencyMs::of(&stats.latency),
                })
                .collect(),
            paths: metrics
                .paths()
                .iter()
                .enumerate()
                .map(|(i, stats)| PathReport {
                    path: sim.traffic().cost.path(i).to_string(),
                    completed: stats.completed,
                    failed: stats.failed,
                    rejected: stats.rejected,
                    latency_ms: LatencyMs::of(&stats.latency),
                })
                .collect(),
            events: sim
                .log()
                .iter()
                .map(|e| EventReport {
                    at: e.at.as_secs_f64(),
                    kind: e.kind,
                    text: e.text.clone(),
                })
                .collect(),
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }
}

/// The header of the request-log CSV.
pub const TRACE_HEADER: &str = "seq,sent_s,client,client_ip,server,tries,outcome,latency_ms,path";

/// One request-log line (without a newline), naming the server, the client's address and the path
/// (paths are printable ASCII without spaces; one with a comma or quote is quoted as CSV).
pub fn trace_line(sim: &Simulation, r: &TraceRecord) -> String {
    let ip = sim.traffic().client_ip(r.client);
    let server = r
        .server
        .map_or("", |s| sim.servers()[s as usize].spec().name.as_str());
    format!(
        "{},{:.6},{},{}.{}.{}.{},{},{},{},{:.3},{}",
        r.seq,
        r.sent.as_secs_f64(),
        r.client,
        ip[0],
        ip[1],
        ip[2],
        ip[3],
        server,
        r.tries,
        r.outcome.id(),
        r.latency.as_millis_f64(),
        csv_field(sim.traffic().cost.path(usize::from(r.path)))
    )
}

/// `field` as one CSV field: as it is, or quoted (quotes doubled) when it holds a comma or a quote.
fn csv_field(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"']) {
        format!("\"{}\"", field.replace('"', "\"\"")).into()
    } else {
        field.into()
    }
}

/// The header of the metrics CSV.
pub const METRICS_HEADER: &str =
    "end_s,throughput_per_s,errors_per_s,retries_per_s,mean_ms,p50_ms,p95_ms,p99_ms";

/// The sampled time series as CSV lines (header first).
pub fn metrics_csv(sim: &Simulation) -> String {
    let mut out = String::from(METRICS_HEADER);
    out.push('\n');
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    for s in sim.metrics().series() {
        out += &format!(
            "{:.3},{:.3},{:.3},{:.3},{},{},{},{}\n",
            s.end.as_secs_f64(),
            s.throughput,
            s.errors,
            s.retries,
            opt(s.mean_ms),
            opt(s.p50_ms),
            opt(s.p95_ms),
            opt(s.p99_ms)
        );
    }
    out
}
