//! The report of a run: what the command-line runner prints and the browser can export. Totals,
//! client-observed latency (mean, p50, p95, p99, max), per-server statistics, and the timeline of
//! state-machine events. Its JSON form is a public contract (`lbsim run` prints it).

use serde::Serialize;

use super::autoscale::{Metric, ScaleDecision};
use super::balancer::Remap;
use super::breaker::BreakerTransition;
use super::clients::report::ClientReport;
use super::command::Command;
use super::engine::{Simulation, TraceRecord};
use super::events::{Before, Event, KeyKind, LogKind, Logged, Membership, Origin};
use super::front::hierarchy::Level;
use super::health::HealthTransition;
use super::histogram::Histogram;
use super::metrics::Totals;
use super::narrate;
use super::passive::PassiveTransition;
use super::server::Server;

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

/// The balancer's CPU in the report: how busy its cores were, and where the CPU per request
/// went (its own and the servers', so SSL termination's move of work shows in one place). With
/// several balancers it is the tier as a whole, all their cores together (each one's busy share
/// is in its `balancers` entry).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalancerReport {
    /// Its cores.
    pub workers: u32,
    /// The share of core time busy over the run, 0 to 1.
    pub utilisation: f64,
    /// Requests waiting for a core at the end.
    pub queued: u64,
    /// Requests whose balancer work was done.
    pub handled: u64,
    /// Mean balancer core time per request handled, in milliseconds.
    pub cpu_per_request_ms: f64,
    /// Mean server worker time per request the servers served, in milliseconds (a passed-through
    /// handshake included).
    pub server_cpu_per_request_ms: Option<f64>,
    /// Who did the TLS handshakes at the end (`terminate`, `passthrough`, `reencrypt`), under TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<&'static str>,
    /// Full TLS handshakes.
    pub full_handshakes: u64,
    /// Resumed TLS handshakes.
    pub resumed_handshakes: u64,
}

impl BalancerReport {
    /// The balancer's part of `sim`'s report (the balancers' together), when it has a cost.
    pub fn of(sim: &Simulation) -> Option<BalancerReport> {
        let load = sim.balancer_load()?;
        let now = sim.now();
        let server_time: u64 = sim.servers().iter().map(|s| s.busy_time(now)).sum();
        let served: u64 = sim.metrics().servers().iter().map(|s| s.completed).sum();
        Some(BalancerReport {
            workers: load.workers,
            utilisation: load.utilisation(now),
            queued: load.queued,
            handled: load.handled,
            cpu_per_request_ms: load.cpu_per_request_ms(),
            server_cpu_per_request_ms: (served > 0)
                .then(|| server_time as f64 / served as f64 / 1_000.0),
            tls: load.tls.map(|mode| mode.id()),
            full_handshakes: load.handshakes.full,
            resumed_handshakes: load.handshakes.resumed,
        })
    }
}

/// One of several balancers' part of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrontBalancerReport {
    /// Its name (`lb-1`, ...).
    pub name: String,
    /// Its region, with regions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Its tier, in hierarchical balancing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Level>,
    /// Whether it was up at the end.
    pub up: bool,
    /// Requests that reached it (it took their connections and routed them; a local
    /// balancer's from its regional ones).
    pub routed: u64,
    /// Of those, answered successfully.
    pub completed: u64,
    /// Of those, failed (lost with it when it crashed included).
    pub failed: u64,
    /// Of those, turned away at their first try.
    pub rejected: u64,
    /// Client-observed latency of its successful requests.
    pub latency_ms: LatencyMs,
    /// The share of its cores' time busy from the start, 0 to 1, when the balancers have a CPU
    /// cost (`scenario.balancer`: each balancer has those cores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_busy: Option<f64>,
}

impl FrontBalancerReport {
    /// One entry per balancer of `sim`'s front (none with one balancer).
    pub fn of(sim: &Simulation) -> Vec<FrontBalancerReport> {
        let Some(front) = sim.front() else {
            return Vec::new();
        };
        front
            .balancers()
            .zip(sim.metrics().balancers())
            .enumerate()
            .map(|(b, (state, stats))| FrontBalancerReport {
                name: crate::sim::front::Front::name(b as u8),
                region: front.region_name(b as u8).map(str::to_string),
                tier: front.tier().map(|t| t.level(b as u8)),
                up: state.up,
                routed: stats.received,
                completed: stats.answers.completed,
                failed: stats.answers.failed,
                rejected: stats.answers.rejected,
                latency_ms: LatencyMs::of(&stats.answers.latency),
                cpu_busy: sim
                    .balancer_load_of(b as u8)
                    .map(|load| load.utilisation(sim.now())),
            })
            .collect()
    }
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
    /// Requests for it turned away at their first try.
    pub rejected: u64,
    /// Requests for it the rate limit refused.
    pub rate_limited: u64,
    /// Client-observed latency of its successful requests.
    pub latency_ms: LatencyMs,
}

/// One event of the run: its time, kind and words, and its data as fields of their own.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventReport {
    /// Seconds since the start of the run.
    pub at: f64,
    /// What it is about.
    pub kind: LogKind,
    /// What happened, in words.
    pub text: String,
    /// The server it is about, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// What happened, as numbers.
    #[serde(flatten)]
    pub data: EventData,
}

/// An event's data in the report (the fields `lbsim --help` lists).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EventData {
    /// A command: the command as scenario files write it, who gave it, what it changed from.
    Command {
        /// The command, as in a scenario's timeline.
        command: Box<Command>,
        /// `user` or `timeline`.
        by: &'static str,
        /// The timeline entry (1-based), for a scripted command.
        #[serde(skip_serializing_if = "Option::is_none")]
        entry: Option<u32>,
        /// What it changed from, where it changed one number or setting.
        #[serde(skip_serializing_if = "Before::is_nothing")]
        before: Before,
    },
    /// A health transition: `to` (UP or DOWN), the streak, the counter after it.
    Health {
        /// The transition.
        #[serde(flatten)]
        transition: HealthTransition,
        /// The health counter after it.
        health: u32,
        /// `rise` of the check.
        rise: u32,
        /// `fall` of the check.
        fall: u32,
    },
    /// A passive-check transition: `change` and its numbers.
    Passive {
        /// The transition.
        #[serde(flatten)]
        transition: PassiveTransition,
    },
    /// A breaker transition: `from`, `to`, `rule` and the rule's numbers.
    Breaker {
        /// The transition.
        #[serde(flatten)]
        transition: BreakerTransition,
        /// Seconds until which it refuses calls, when it is now OPEN.
        #[serde(skip_serializing_if = "Option::is_none")]
        open_until: Option<f64>,
    },
    /// A retry: the request and its try.
    Retry {
        /// The request's sequence number.
        request: u64,
        /// Tries made before this retry.
        tries: u8,
        /// How the failed try ended.
        outcome: &'static str,
    },
    /// A skipped timeline entry: the command, the entry (1-based) and why it could not apply.
    Skipped {
        /// The command, as in a scenario's timeline.
        command: Box<Command>,
        /// The timeline entry (1-based).
        entry: u32,
        /// Why it could not apply (`field: problem`).
        reason: String,
    },
    /// A scaling decision: the counts, the metric against its target, the servers it concerns.
    Scale {
        /// The decision's numbers (`from`, `to`, `desired`, `measured`, `counted`, `bound`).
        #[serde(flatten)]
        decision: ScaleDecision,
        /// What was measured (`cpu`, `in_flight`, `rps`).
        metric: Metric,
        /// The target per server.
        target: f64,
        /// The servers launched or taken away, by name.
        servers: Vec<String>,
    },
    /// A launched server is ready: when it was launched.
    Ready {
        /// Seconds since the start of the run at its launch.
        launched: f64,
    },
    /// A VRRP takeover: the new master, how long the address had none, whom it replaced.
    Failover {
        /// The new master's name.
        balancer: String,
        /// Seconds without a master before (0 for a preemption).
        gap: f64,
        /// The master it replaced, when it preempted one.
        #[serde(skip_serializing_if = "Option::is_none")]
        replaced: Option<String>,
        /// Its Master_Down_Interval, in seconds.
        master_down_interval: f64,
        /// Requests reset on the replaced master.
        lost: u32,
    },
    /// A remap: the shares of keys moved.
    Remap {
        /// `client` or `path` keys.
        keys: KeyKind,
        /// Shares of sampled keys moved on the ring and under modulo hashing.
        moved: Remap,
        /// Keys sampled.
        sampled: u32,
        /// Eligible servers before and after.
        servers_before: u32,
        /// Eligible servers after.
        servers_after: u32,
        /// Which servers changed.
        changes: Vec<ChangeReport>,
    },
}

/// One server's change in a remap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeReport {
    /// The server's name.
    pub server: String,
    /// How it changed.
    #[serde(flatten)]
    pub change: Membership,
}

impl EventReport {
    /// The report entry of `logged`, with server names from `servers`.
    pub fn of(logged: &Logged, servers: &[Server]) -> EventReport {
        let name = |server: usize| servers.get(server).map(|s| s.spec().name.clone());
        let data = match &logged.event {
            Event::Command(c) => {
                let entry = match c.origin {
                    Origin::User => None,
                    Origin::Timeline { entry, .. } => Some(entry + 1),
                };
                EventData::Command {
                    command: Box::new(c.command),
                    by: if entry.is_some() { "timeline" } else { "user" },
                    entry,
                    before: c.before,
                }
            }
            Event::Health(e) => EventData::Health {
                transition: e.transition,
                health: e.health,
                rise: e.check.rise,
                fall: e.check.fall,
            },
            Event::Passive(e) => EventData::Passive {
                transition: e.transition,
            },
            Event::Breaker(e) => EventData::Breaker {
                transition: e.transition,
                open_until: (e.transition.to == super::breaker::BreakerState::Open)
                    .then(|| e.open_until.as_secs_f64()),
            },
            Event::Retry(e) => EventData::Retry {
                request: e.request,
                tries: e.cause.tries,
                outcome: e.cause.outcome.id(),
            },
            Event::Skipped(e) => EventData::Skipped {
                command: Box::new(e.command),
                entry: match e.origin {
                    Origin::Timeline { entry, .. } => entry + 1,
                    Origin::User => 0,
                },
                reason: e.reason.to_string(),
            },
            Event::Scale(e) => EventData::Scale {
                decision: e.decision,
                metric: e.config.metric,
                target: e.config.target,
                servers: e
                    .servers
                    .iter()
                    .map(|&s| name(s as usize).unwrap_or_default())
                    .collect(),
            },
            Event::Ready(e) => EventData::Ready {
                launched: e.launched.as_secs_f64(),
            },
            Event::Vrrp(e) => EventData::Failover {
                balancer: crate::sim::front::Front::name(e.router),
                gap: e.gap.as_secs_f64(),
                replaced: e.replaced.map(crate::sim::front::Front::name),
                master_down_interval: e.master_down_interval.as_secs_f64(),
                lost: e.lost,
            },
            Event::Remap(e) => EventData::Remap {
                keys: e.keys,
                moved: e.moved,
                sampled: e.sampled,
                servers_before: e.eligible.0,
                servers_after: e.eligible.1,
                changes: e
                    .changes
                    .iter()
                    .map(|&(server, change)| ChangeReport {
                        server: name(server as usize).unwrap_or_default(),
                        change,
                    })
                    .collect(),
            },
        };
        EventReport {
            at: logged.at.as_secs_f64(),
            kind: logged.event.kind(),
            text: narrate::text(logged, servers),
            server: logged.event.server().and_then(name),
            data,
        }
    }
}

/// The report's timeline of `events`: every one but retries (the report counts those instead).
pub fn timeline<'a>(
    events: impl IntoIterator<Item = &'a Logged>,
    servers: &[Server],
) -> Vec<EventReport> {
    events
        .into_iter()
        .filter(|e| e.event.kind() != LogKind::Retry)
        .map(|e| EventReport::of(e, servers))
        .collect()
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
    /// Retries started (by the balancer; client retries are in `clients`).
    pub retries: u64,
    /// The clients' side: first sends, client retries, throughput and goodput, per window too
    /// (only for a run with client retries or closed-loop users).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<ClientReport>,
    /// The balancer's own CPU (only for a run whose balancer has a cost).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balancer: Option<BalancerReport>,
    /// Client-observed latency of served requests.
    pub latency_ms: LatencyMs,
    /// Per balancer, when there are several (`scenario.front`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub balancers: Vec<FrontBalancerReport>,
    /// Per server, in order.
    pub servers: Vec<ServerReport>,
    /// Per request path, in the order of the cost distribution's classes (one, `/`, without).
    pub paths: Vec<PathReport>,
    /// The timeline of events, oldest first (commands included).
    pub events: Vec<EventReport>,
}

impl Report {
    /// The report of `sim` as it stands, with `events` (in order) as its timeline.
    pub fn of(sim: &Simulation, events: Vec<EventReport>) -> Report {
        let metrics = sim.metrics();
        Report {
            scenario: sim.scenario().title.clone(),
            seed: sim.scenario().seed,
            until: sim.now().as_secs_f64(),
            totals: sim.totals(),
            retries: metrics.retries(),
            clients: ClientReport::of(sim),
            balancer: BalancerReport::of(sim),
            latency_ms: LatencyMs::of(metrics.latency()),
            balancers: FrontBalancerReport::of(sim),
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
                    rate_limited: stats.rate_limited,
                    latency_ms: LatencyMs::of(&stats.latency),
                })
                .collect(),
            events,
        }
    }

    /// The report of `sim`, with every event not yet taken from it as the timeline: for a run
    /// whose events nobody took along the way, the whole run's.
    pub fn drain(sim: &mut Simulation) -> Report {
        let events: Vec<Logged> = sim.drain_events().collect();
        Report::of(sim, timeline(&events, sim.servers()))
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
    let server = r
        .server
        .map_or("", |s| sim.servers()[s as usize].spec().name.as_str());
    format!(
        "{},{:.6},{},{},{},{},{},{:.3},{}",
        r.seq,
        r.sent.as_secs_f64(),
        r.client,
        r.ip,
        server,
        r.tries,
        r.outcome.id(),
        r.latency.as_millis_f64(),
        csv_field(sim.traffic().cost.path(usize::from(r.path)))
    )
}

/// `field` as one CSV field: as it is, or quoted (quotes doubled) when it holds a comma or a quote.
pub fn csv_field(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"']) {
        format!("\"{}\"", field.replace('"', "\"\"")).into()
    } else {
        field.into()
    }
}

/// The header of the metrics CSV.
pub const METRICS_HEADER: &str = "end_s,throughput_per_s,errors_per_s,retries_per_s,mean_ms,p50_ms,p95_ms,p99_ms,offered_per_s,servers,in_rotation";

/// The metrics CSV's extra columns for a balancer that costs CPU: its cores' busy share in the
/// window and the requests waiting for one at its end.
pub const BALANCER_COLUMNS: &str = ",balancer_busy,balancer_queued";

/// The sampled time series as CSV lines (header first).
pub fn metrics_csv(sim: &Simulation) -> String {
    let mut out = String::from(METRICS_HEADER);
    // A balancer that costs CPU adds its columns; other runs' files are as they were.
    if sim.balancer_load().is_some() {
        out.push_str(BALANCER_COLUMNS);
    }
    out.push('\n');
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    for s in sim.metrics().series() {
        out += &format!(
            "{:.3},{:.3},{:.3},{:.3},{},{},{},{},{:.3},{},{}",
            s.end.as_secs_f64(),
            s.throughput,
            s.errors,
            s.retries,
            opt(s.mean_ms),
            opt(s.p50_ms),
            opt(s.p95_ms),
            opt(s.p99_ms),
            s.offered,
            s.fleet.servers,
            s.fleet.in_rotation
        );
        if let Some(b) = s.balancer {
            out += &format!(",{:.3},{}", b.busy, b.queued);
        }
        out.push('\n');
    }
    out
}
