//! The simulation engine: applies commands, advances virtual time by processing events in order,
//! and exposes cheap read-only views for the UI, the command-line runner and tests.
//!
//! A request's life is a chain of events: a client sends it, it reaches the load balancer (which
//! picks a server and asks that server's circuit breaker), it reaches the server (served at once,
//! queued, or turned away), and the answer travels back through the balancer to the client. A failed
//! try may be retried on another server. With a network delay of zero the next step runs at once
//! instead of going through the queue, which keeps the pure-queueing runs fast.
//!
//! The balancer never knows that a server died: it learns it from active health checks, passive
//! checks on real answers, or its circuit breakers, exactly as a real one does. Every state change
//! is logged with its simulated time and cause.

use std::collections::VecDeque;

use super::backend::Backend;
use super::balancer::{
    Algorithm, Balancer, Candidate, Decision, Feedback, HashKey, PickContext, Remap, RequestKey,
    remap,
};
use super::breaker::{BreakerConfig, BreakerTransition, CircuitBreaker};
use super::command::{Command, TimedCommand};
use super::event::EventQueue;
use super::health::CheckFailure;
use super::metrics::{Metrics, Totals};
use super::passive::{Passive, PassiveTransition};
use super::request::{Outcome, Phase, Request, RequestId, RequestTable};
use super::resilience::{Resilience, check_breaker, check_health, check_passive, check_retry};
use super::retry::{MAX_TRIES, RetryPolicy};
use super::rng::{SimRng, Stream};
use super::scenario::{
    MAX_RATE, Scenario, check_clients, check_error_rate, check_mean_cost, check_slow_start,
    check_speed, check_weight,
};
use super::server::{Arrival, Completion, Job, MIN_SPEED, Server, service_time};
use super::slow_start::SlowStart;
use super::time::{SimDuration, SimTime};
use super::traffic::{Traffic, path_hash};
use super::validation::{ValidationError, check_range};

/// How many entries the event log keeps.
pub const LOG_CAPACITY: usize = 500;
/// How many retry events the retry log keeps (retries can be many; they get their own log).
pub const RETRY_LOG_CAPACITY: usize = 100;
/// How many clients' keys the consistent-hashing remap report samples.
const REMAP_SAMPLE: u32 = 10_000;
/// A failing server answers its errors in this fraction of the normal time (it fails fast).
const ERROR_WORK_SHARE: f64 = 0.1;

/// Something that happens at an instant of simulated time.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// The next client request is sent (stale unless `epoch` is the current arrival epoch).
    Arrival { epoch: u32 },
    /// A request reaches the load balancer from its client.
    AtBalancer(RequestId, u64),
    /// A try reaches its server.
    AtServer(RequestId, u64),
    /// A worker finishes (stale unless `epoch` is the server's current epoch).
    ServiceDone { server: u32, slot: u32, epoch: u32 },
    /// A try's answer is back at the load balancer.
    BackAtBalancer(RequestId, u64, Outcome),
    /// A try's per-try timeout expires.
    TryTimeout(RequestId, u64),
    /// An answer reaches the client.
    AtClient(RequestId, u64),
    /// A client's patience runs out (the request's sequence number guards against slot reuse).
    ClientGivesUp(RequestId, u64),
    /// A health check of a server starts.
    CheckDue { server: u32, epoch: u32 },
    /// A health check reports.
    CheckDone {
        server: u32,
        epoch: u32,
        started: SimTime,
        failure: Option<CheckFailure>,
    },
    /// An Envoy ejection may be over.
    EjectionOver { server: u32 },
    /// A breaker's automatic OPEN -> HALF_OPEN timer.
    BreakerTimer { server: u32, epoch: u32 },
    /// The scenario's timeline entry with this index is due.
    Scripted(u32),
    /// Degrading servers lose another second's worth of speed.
    DegradeTick { epoch: u32 },
}

/// What a timeline entry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// A user's (or a script's) command.
    Command,
    /// An active health-check transition.
    Health,
    /// A passive-check transition (nginx failure window, Envoy ejection).
    Passive,
    /// A circuit-breaker transition.
    Breaker,
    /// A retry.
    Retry,
    /// A consistent-hashing remap report.
    Remap,
}

/// One line of the event timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// When it happened.
    pub at: SimTime,
    /// What it is about.
    pub kind: LogKind,
    /// What happened, in words.
    pub text: String,
    /// Why it happened (read it with [`LogEntry::cause`]).
    pub why: Cause,
}

impl LogEntry {
    /// Why it happened: the mechanism and its settings at that moment, or who gave the command.
    pub fn cause(&self) -> String {
        match &self.why {
            Cause::Text(text) => text.clone(),
            Cause::Retry(retry) => retry.to_string(),
        }
    }
}

/// Why a timeline entry happened. State-machine transitions and commands are rare and worded at
/// once; retries can be hundreds of thousands a run, so theirs keeps the few numbers it is worded
/// from and is put into words only when read (the engine's hot path stays nearly allocation-free).
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// Already in words.
    Text(String),
    /// A retry's circumstances.
    Retry(RetryCause),
}

/// What decided a retry: the policy, how the try ended, and the budget at that moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryCause {
    /// The retry policy in force.
    pub policy: RetryPolicy,
    /// How the failed try ended.
    pub outcome: Outcome,
    /// Tries made so far.
    pub tries: u8,
    /// Requests active at the balancer.
    pub active: u64,
    /// Retries in progress.
    pub retrying: u64,
}

impl std::fmt::Display for RetryCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (policy, max) = (&self.policy, self.policy.max_tries);
        write!(
            f,
            "Retry policy: {}. The try ended with {}, a failure the policy retries, after {} of {max} tries; the next try goes to a server this request has not tried yet. ",
            policy.describe(),
            self.outcome.label(),
            self.tries
        )?;
        match policy.budget {
            None => write!(
                f,
                "There is no retry budget, so every retryable failure is retried."
            ),
            Some(share) => write!(
                f,
                "Retry budget: at most {:.0}% of the active requests (at least {}) may be retries at once; with {} requests active and {} retries in progress, this one fits.",
                share * 100.0,
                policy.min_concurrent,
                self.active,
                self.retrying
            ),
        }
    }
}

/// One finished request, for the request log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceRecord {
    /// Its sequence number (arrival order).
    pub seq: u64,
    /// When the client sent it.
    pub sent: SimTime,
    /// The client.
    pub client: u32,
    /// The last server tried, if any.
    pub server: Option<u32>,
    /// Tries made.
    pub tries: u8,
    /// How it ended.
    pub outcome: Outcome,
    /// Client-observed latency.
    pub latency: SimDuration,
    /// Its path index (see `CostDistribution::path`).
    pub path: u8,
}

/// How many of `servers` are backups.
fn count_backups(servers: &[Server]) -> usize {
    servers.iter().filter(|s| s.spec().backup).count()
}

/// The random streams the engine draws from.
#[derive(Clone, Debug)]
struct Streams {
    arrivals: SimRng,
    costs: SimRng,
    clients: SimRng,
    balancer: SimRng,
    faults: SimRng,
}

/// A running simulation.
pub struct Simulation {
    scenario: Scenario,
    now: SimTime,
    traffic: Traffic,
    algorithm: Algorithm,
    balancer: Box<dyn Balancer>,
    servers: Vec<Server>,
    backends: Vec<Backend>,
    resilience: Resilience,
    pool: Vec<Candidate>,
    /// How many servers are backups (kept so that a pick need not look).
    backups: usize,
    /// The pool as offered in one phase of a pick, reused.
    offered: Vec<Candidate>,
    /// When each server came back, while its slow start lasts.
    ramping_since: Vec<Option<SimTime>>,
    /// How many entries of `ramping_since` are set (so picks skip the scan when none is).
    ramping: usize,
    /// Per server: `(share of speed lost per minute, speed when it began)` while degrading.
    degrading: Vec<Option<(f64, f64)>>,
    degrade_epoch: u32,
    slow_start: SlowStart,
    last_remap: Option<Remap>,
    /// The FNV-1a hash of every request path, by path index (what `RequestKey` carries).
    path_hashes: Vec<u64>,
    requests: RequestTable,
    /// Live requests waiting in a server queue.
    queued: u64,
    /// Retries in progress (for the retry budget).
    retrying: u64,
    next_attempt: u64,
    events: EventQueue<Event>,
    streams: Streams,
    arrival_epoch: u32,
    generated: u64,
    /// Events popped from the queue and handled so far (see [`Simulation::events_processed`]).
    events_processed: u64,
    metrics: Metrics,
    log: VecDeque<LogEntry>,
    log_capacity: usize,
    retry_log: VecDeque<LogEntry>,
    trace: Option<(VecDeque<TraceRecord>, usize)>,
    recording: Vec<TimedCommand>,
    job_scratch: Vec<Job>,
    completion_scratch: Vec<Completion>,
}

impl Simulation {
    /// A simulation at time zero, or the first problem with the scenario.
    pub fn new(scenario: Scenario) -> Result<Simulation, ValidationError> {
        scenario.validate()?;
        let seed = scenario.seed;
        let resilience = scenario.resilience;
        let servers: Vec<Server> = scenario.servers.iter().cloned().map(Server::new).collect();
        let backends = servers
            .iter()
            .map(|_| Backend::new(resilience.health, resilience.breaker))
            .collect();
        let pool = servers
            .iter()
            .enumerate()
            .map(|(id, s)| Candidate::new(id as u32, s.spec().weight))
            .collect();
        let backups = count_backups(&servers);
        let mut sim = Simulation {
            now: SimTime::ZERO,
            traffic: scenario.traffic.clone(),
            algorithm: scenario.algorithm,
            balancer: scenario.algorithm.build(),
            metrics: Metrics::new(servers.len(), scenario.sample_every),
            ramping_since: vec![None; servers.len()],
            ramping: 0,
            degrading: vec![None; servers.len()],
            degrade_epoch: 0,
            servers,
            backends,
            resilience,
            backups,
            pool,
            offered: Vec::new(),
            slow_start: scenario.slow_start,
            last_remap: None,
            path_hashes: (0..scenario.traffic.cost.path_count())
                .map(|i| path_hash(scenario.traffic.cost.path(i)))
                .collect(),
            requests: RequestTable::default(),
            queued: 0,
            retrying: 0,
            next_attempt: 0,
            events: EventQueue::new(),
            streams: Streams {
                arrivals: SimRng::new(seed, Stream::Arrivals),
                costs: SimRng::new(seed, Stream::Costs),
                clients: SimRng::new(seed, Stream::Clients),
                balancer: SimRng::new(seed, Stream::Balancer),
                faults: SimRng::new(seed, Stream::Faults),
            },
            arrival_epoch: 0,
            generated: 0,
            events_processed: 0,
            log: VecDeque::new(),
            log_capacity: LOG_CAPACITY,
            retry_log: VecDeque::new(),
            trace: None,
            recording: Vec::new(),
            job_scratch: Vec::new(),
            completion_scratch: Vec::new(),
            scenario,
        };
        sim.metrics.track_paths(sim.path_hashes.len());
        sim.schedule_next_arrival();
        sim.start_health_checks();
        for i in 0..sim.scenario.timeline.len() {
            let entry = sim.scenario.timeline[i];
            sim.validate(&entry.command).map_err(|e| {
                ValidationError::new(format!("timeline[{i}].do ({})", e.field), e.problem)
            })?;
            sim.events.push_last(entry.at, Event::Scripted(i as u32));
        }
        Ok(sim)
    }

    /// The run so far as a scenario: the starting scenario with every applied command (scripted
    /// or not) as its timeline, followed by the scripted commands still to come. Running it
    /// reproduces this run, and goes on as the script says.
    pub fn export_scenario(&self) -> Scenario {
        let pending = self.scenario.timeline.iter().filter(|t| t.at > self.now);
        Scenario {
            timeline: self.recording.iter().chain(pending).copied().collect(),
            ..self.scenario.clone()
        }
    }

    /// Keeps up to `capacity` timeline entries instead of [`LOG_CAPACITY`].
    pub fn set_log_capacity(&mut self, capacity: usize) {
        self.log_capacity = capacity.max(1);
    }

    /// Starts keeping a request log of the last `capacity` finished requests.
    pub fn enable_trace(&mut self, capacity: usize) {
        self.trace = Some((VecDeque::new(), capacity.max(1)));
    }

    /// The request log, in finishing order, if it is on.
    pub fn trace(&self) -> Option<&VecDeque<TraceRecord>> {
        self.trace.as_ref().map(|(t, _)| t)
    }

    /// The scenario this run started from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// How many events [`advance_to`](Simulation::advance_to) has taken from the event queue and
    /// handled since the start (arrivals, hops between client, balancer and server, service
    /// completions, timeouts, health checks, breaker timers, scripted commands), stale ones that
    /// turned out to have nothing left to do included. A hop with zero delay is handled at once
    /// without going through the queue and is not counted. Deterministic for a scenario and seed
    /// (and the same commands); the benchmark divides it by wall time to report events per second.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// The algorithm in use.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The current traffic settings.
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// The servers, in balancer order.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }

    /// The balancer's view of each server (weight, active requests, availability).
    pub fn pool(&self) -> &[Candidate] {
        &self.pool
    }

    /// What the balancing algorithm is deciding with right now (per-server numbers from its state
    /// and its latest pick), for drawing on the load balancer.
    pub fn decision(&self) -> Decision {
        self.balancer.decision(self.pool(), self.now())
    }

    /// The balancer's health, passive and breaker state of each server.
    pub fn backends(&self) -> &[Backend] {
        &self.backends
    }

    /// The share of speed server `server` loses per minute, while it is degrading.
    pub fn degrading(&self, server: usize) -> Option<f64> {
        self.degrading
            .get(server)
            .copied()
            .flatten()
            .map(|(per_minute, _)| per_minute)
    }

    /// The failure-handling settings in use.
    pub fn resilience(&self) -> &Resilience {
        &self.resilience
    }

    /// Every live request, for drawing.
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        self.requests.iter()
    }

    /// Counters, histograms and time series.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Where every generated request is now, or how it ended.
    pub fn totals(&self) -> Totals {
        let (completed, failed, rejected) = self.metrics.outcomes();
        Totals {
            generated: self.generated,
            completed,
            failed,
            rejected,
            in_flight: self.requests.len() as u64 - self.queued,
            queued: self.queued,
        }
    }

    /// The slow-start setting in use.
    pub fn slow_start(&self) -> SlowStart {
        self.slow_start
    }

    /// What share of client keys moved at the last change of the server set under a hashing
    /// algorithm, with what modulo hashing would have moved.
    pub fn last_remap(&self) -> Option<Remap> {
        self.last_remap
    }

    /// Requests per second the live servers could serve at the current mean cost: the sum of
    /// `workers x speed / mean cost`. The offered load divided by this is the utilisation (rho).
    pub fn capacity(&self) -> f64 {
        let mean = self.traffic.cost.mean().as_secs_f64();
        self.servers
            .iter()
            .filter(|s| s.is_alive())
            .map(|s| f64::from(s.spec().workers) * s.spec().speed / mean)
            .sum()
    }

    /// The most recent timeline entries (all but retries), oldest first (at most [`LOG_CAPACITY`]).
    pub fn log(&self) -> &VecDeque<LogEntry> {
        &self.log
    }

    /// The most recent retries, oldest first (at most [`RETRY_LOG_CAPACITY`]).
    pub fn retry_log(&self) -> &VecDeque<LogEntry> {
        &self.retry_log
    }

    /// Every command applied so far, with its time: replaying them reproduces this run.
    pub fn recording(&self) -> &[TimedCommand] {
        &self.recording
    }

    /// Applies `command` now. A bad command changes nothing and says why.
    pub fn apply(&mut self, command: Command) -> Result<(), ValidationError> {
        self.apply_from(command, None)
    }

    /// Applies `command` now, given by a user, or by the scenario's timeline entry `scripted`.
    fn apply_from(
        &mut self,
        command: Command,
        scripted: Option<usize>,
    ) -> Result<(), ValidationError> {
        self.validate(&command)?;
        let text = self.describe(&command);
        let cause = self.command_cause(&command, scripted);
        // Availability changes report their remap as they happen; weights are reported here.
        let pool_before = match command {
            Command::SetWeight { .. } => self.algorithm.hash_key().map(|_| self.pool.clone()),
            _ => None,
        };
        match command {
            Command::Kill { server } => self.kill(server),
            Command::Revive { server } => {
                if !self.servers[server].is_alive() {
                    self.servers[server].revive();
                    if let Some((_, fresh)) = self.degrading[server] {
                        self.set_speed(server, fresh);
                    }
                    if self.ramping_since[server].replace(self.now).is_none() {
                        self.ramping += 1;
                    }
                }
            }
            Command::SetWeight { server, weight } => {
                self.servers[server].set_weight(weight);
                self.pool[server].weight = weight;
            }
            Command::SetSpeed { server, speed } => self.set_speed(server, speed),
            Command::SetErrorRate { server, rate } => self.servers[server].set_error_rate(rate),
            Command::AddServer { weight, workers } => self.add_server(weight, workers),
            Command::RemoveServer { server } => {
                self.backends[server].remove();
                self.degrading[server] = None;
                self.refresh_availability(server);
            }
            Command::Degrade { server, per_minute } => {
                let start = self.servers[server].spec().speed;
                self.degrading[server] = (per_minute > 0.0).then_some((per_minute, start));
                self.degrade_epoch = self.degrade_epoch.wrapping_add(1);
                if self.degrading.iter().any(Option::is_some) {
                    let tick = Event::DegradeTick {
                        epoch: self.degrade_epoch,
                    };
                    self.events.push(self.now + SimDuration::from_secs(1), tick);
                }
            }
            Command::Drain { server, on } => {
                self.backends[server].set_draining(on);
                self.refresh_availability(server);
            }
            Command::SetBackup { server, backup } => {
                self.servers[server].set_backup(backup);
                self.backups = count_backups(&self.servers);
            }
            Command::SetAlgorithm(algorithm) => {
                self.algorithm = algorithm;
                self.balancer = algorithm.build();
            }
            Command::SetSlowStart(slow_start) => self.slow_start = slow_start,
            Command::SetClients {
                clients,
                behind_nat,
            } => {
                self.traffic.clients = clients;
                self.traffic.behind_nat = behind_nat;
            }
            Command::SetHealthCheck(health) => {
                self.resilience.health = health;
                for backend in &mut self.backends {
                    backend.set_health(health);
                }
                self.start_health_checks();
                self.refresh_all();
            }
            Command::SetPassive(passive) => {
                self.resilience.passive = passive;
                for backend in &mut self.backends {
                    backend.passive = Default::default();
                }
                self.refresh_all();
            }
            Command::SetPanicThreshold(p) => self.resilience.panic_threshold = p,
            Command::SetBreaker(breaker) => {
                self.resilience.breaker = breaker;
                for backend in &mut self.backends {
                    backend.breaker = CircuitBreaker::new(breaker);
                }
            }
            Command::SetRetry(retry) => self.resilience.retry = retry,
            Command::SetRate(rate) => {
                self.traffic.rate = rate;
                self.arrival_epoch = self.arrival_epoch.wrapping_add(1);
                self.schedule_next_arrival();
            }
            Command::SetPattern(pattern) => {
                self.traffic.pattern = pattern;
                self.arrival_epoch = self.arrival_epoch.wrapping_add(1);
                self.schedule_next_arrival();
            }
            Command::SetClientTimeout(t) => self.traffic.client_timeout = t,
            Command::SetMeanCost(mean) => self.traffic.cost = self.traffic.cost.with_mean(mean),
        }
        self.recording.push(TimedCommand {
            at: self.now,
            command,
        });
        self.push_log(LogKind::Command, text, cause);
        if let Some(before) = pool_before {
            self.report_remap(&before);
        }
        Ok(())
    }

    /// Processes every event up to and including time `t`, then sets the clock to `t`
    /// (a time in the past is ignored: time never runs backwards).
    pub fn advance_to(&mut self, t: SimTime) {
        if t < self.now {
            return;
        }
        while let Some((time, event)) = self.events.pop_due(t) {
            self.close_windows_until(time);
            self.now = time;
            self.handle(event);
            self.events_processed += 1;
        }
        self.close_windows_until(t);
        self.now = t;
    }

    /// Closes the metrics windows that end by `t`, recording the servers' queue lengths.
    fn close_windows_until(&mut self, t: SimTime) {
        let queues = self.servers.iter().map(Server::queued);
        self.metrics.close_windows_until(t, queues);
    }

    /// Advances the clock by `d`.
    pub fn advance_by(&mut self, d: SimDuration) {
        self.advance_to(self.now + d);
    }

    fn validate(&self, command: &Command) -> Result<(), ValidationError> {
        let server_index = |server: usize| {
            if server >= self.servers.len() {
                Err(ValidationError::new(
                    "server",
                    format!(
                        "no server number {} (there are {})",
                        server + 1,
                        self.servers.len()
                    ),
                ))
            } else if self.backends[server].removed() {
                let name = &self.servers[server].spec().name;
                Err(ValidationError::new(
                    "server",
                    format!("{name} was removed"),
                ))
            } else {
                Ok(())
            }
        };
        match *command {
            Command::Kill { server }
            | Command::Revive { server }
            | Command::Drain { server, .. }
            | Command::RemoveServer { server }
            | Command::SetBackup { server, .. } => server_index(server),
            Command::AddServer { weight, workers } => {
                if self.servers.len() >= super::scenario::MAX_SERVERS {
                    return Err(ValidationError::new(
                        "servers",
                        format!("already at the maximum of {}", super::scenario::MAX_SERVERS),
                    ));
                }
                check_weight("weight", weight)?;
                check_range(
                    "workers",
                    f64::from(workers),
                    1.0,
                    f64::from(super::server::MAX_WORKERS),
                )
            }
            Command::Degrade { server, per_minute } => {
                server_index(server).and_then(|_| check_range("per_minute", per_minute, 0.0, 0.99))
            }
            Command::SetWeight { server, weight } => {
                server_index(server).and_then(|_| check_weight("weight", weight))
            }
            Command::SetSpeed { server, speed } => {
                server_index(server).and_then(|_| check_speed("speed", speed))
            }
            Command::SetErrorRate { server, rate } => {
                server_index(server).and_then(|_| check_error_rate("error rate", rate))
            }
            Command::SetAlgorithm(_) => Ok(()),
            Command::SetSlowStart(slow_start) => check_slow_start("slow start", &slow_start),
            Command::SetClients {
                clients,
                behind_nat,
            } => check_clients("clients", clients, behind_nat),
            Command::SetHealthCheck(h) => h.map_or(Ok(()), |h| check_health("health check", &h)),
            Command::SetPassive(p) => check_passive("passive", &p),
            Command::SetPanicThreshold(p) => {
                p.map_or(Ok(()), |p| check_range("panic threshold", p, 0.0, 1.0))
            }
            Command::SetBreaker(b) => check_breaker("breaker", &b),
            Command::SetRetry(r) => check_retry("retry", &r),
            Command::SetRate(rate) => check_range("rate", rate, 0.0, MAX_RATE),
            Command::SetPattern(p) => p.check("pattern"),
            Command::SetClientTimeout(t) => t.map_or(Ok(()), |t| {
                check_range("client timeout", t.as_secs_f64(), 0.001, 3_600.0)
            }),
            Command::SetMeanCost(mean) => check_mean_cost("mean cost", mean),
        }
    }

    fn describe(&self, command: &Command) -> String {
        let name = |server: usize| self.servers[server].spec().name.as_str();
        match *command {
            Command::Kill { server } => {
                let s = &self.servers[server];
                format!(
                    "{} killed: {} in service and {} queued requests fail",
                    name(server),
                    s.busy(),
                    s.queued()
                )
            }
            Command::Revive { server } => format!("{} revived", name(server)),
            Command::AddServer { weight, workers } => format!(
                "server-{} added (weight {weight}, {workers} workers)",
                self.servers.len() + 1
            ),
            Command::RemoveServer { server } => {
                format!(
                    "{} removed: no new requests, the ones it has finish",
                    name(server)
                )
            }
            Command::Degrade { server, per_minute } => {
                if per_minute > 0.0 {
                    format!(
                        "{} degrading: loses {:.0}% of its speed per minute",
                        name(server),
                        per_minute * 100.0
                    )
                } else {
                    format!("{} stops degrading", name(server))
                }
            }
            Command::SetWeight { server, weight } => format!(
                "{} weight {} -> {weight}",
                name(server),
                self.servers[server].spec().weight
            ),
            Command::SetSpeed { server, speed } => format!(
                "{} speed x{} -> x{speed}",
                name(server),
                self.servers[server].spec().speed
            ),
            Command::SetErrorRate { server, rate } => format!(
                "{} error rate {:.0}% -> {:.0}%",
                name(server),
                self.servers[server].spec().error_rate * 100.0,
                rate * 100.0
            ),
            Command::Drain { server, on } => {
                if on {
                    format!(
                        "{} draining: no new requests, the ones it has finish",
                        name(server)
                    )
                } else {
                    format!("{} back in rotation after draining", name(server))
                }
            }
            Command::SetBackup { server, backup } => {
                let role = if backup {
                    "backup (used only when no primary can take a request)"
                } else {
                    "primary"
                };
                format!("{} is now a {role}", name(server))
            }
            Command::SetAlgorithm(a) => {
                format!(
                    "algorithm {} -> {}",
                    self.algorithm.about().name,
                    a.about().name
                )
            }
            Command::SetSlowStart(s) => {
                format!(
                    "slow start {} -> {}",
                    self.slow_start.describe(),
                    s.describe()
                )
            }
            Command::SetClients {
                clients,
                behind_nat,
            } => {
                format!("clients: {clients}, of which {behind_nat} behind one NAT address")
            }
            Command::SetHealthCheck(h) => match h {
                None => "active health checks off".into(),
                Some(h) => format!(
                    "active health checks: inter {}, timeout {}, rise {}, fall {}",
                    h.inter, h.timeout, h.rise, h.fall
                ),
            },
            Command::SetPassive(p) => format!("passive checks: {}", p.describe()),
            Command::SetPanicThreshold(p) => match p {
                None => "panic threshold off".into(),
                Some(p) => format!("panic threshold {:.0}%", p * 100.0),
            },
            Command::SetBreaker(b) => format!("circuit breakers: {}", b.describe()),
            Command::SetRetry(r) => format!("retries: {}", r.describe()),
            Command::SetRate(rate) => format!("arrival rate {} -> {rate} req/s", self.traffic.rate),
            Command::SetPattern(p) => format!("arrival pattern: {}", p.describe()),
            Command::SetClientTimeout(t) => match t {
                Some(t) => format!("clients give up after {t}"),
                None => "clients wait forever".into(),
            },
            Command::SetMeanCost(mean) => {
                format!("mean request cost {} -> {mean}", self.traffic.cost.mean())
            }
        }
    }

    /// Who gave `command`, and for a kill how the balancer will find out.
    fn command_cause(&self, command: &Command, scripted: Option<usize>) -> String {
        let mut cause = match scripted {
            Some(i) => format!(
                "The scenario's timeline applied this at its scheduled time t={:.1} s (entry {} of {}): it comes with the scenario (a preset, a scenario file or a shared link), not from a click in this run.",
                self.scenario.timeline[i].at.as_secs_f64(),
                i + 1,
                self.scenario.timeline.len()
            ),
            None => format!(
                "You applied this at t={:.1} s, from the controls or a keyboard shortcut.",
                self.now.as_secs_f64()
            ),
        };
        if let Command::Kill { .. } = command {
            let r = &self.resilience;
            let mut watchers = vec![];
            if let Some(h) = r.health {
                watchers.push(format!(
                    "active health checks ({} failed checks, {} apart)",
                    h.fall, h.inter
                ));
            }
            if r.passive != Passive::Off {
                watchers.push(format!("passive checks ({})", r.passive.describe()));
            }
            if r.breaker != BreakerConfig::Off {
                watchers.push(format!("its circuit breaker ({})", r.breaker.describe()));
            }
            cause += &if watchers.is_empty() {
                " The balancer is not told, and nothing watches for it (no health checks, passive checks or breakers): it keeps sending requests there, and they fail.".to_string()
            } else {
                format!(
                    " The balancer is not told: it finds out through {}.",
                    watchers.join(", ")
                )
            };
        }
        cause
    }

    fn push_log(&mut self, kind: LogKind, text: String, cause: String) {
        self.push_entry(kind, text, Cause::Text(cause));
    }

    fn push_entry(&mut self, kind: LogKind, text: String, why: Cause) {
        let (log, capacity) = if kind == LogKind::Retry {
            (&mut self.retry_log, RETRY_LOG_CAPACITY)
        } else {
            (&mut self.log, self.log_capacity)
        };
        if log.len() == capacity {
            log.pop_front();
        }
        log.push_back(LogEntry {
            at: self.now,
            kind,
            text,
            why,
        });
    }

    /// Logs how many keys a change of the server set moved under the hashing algorithm. The sample
    /// spreads the clients over the paths, so it measures client keys, or path keys for `Uri`.
    fn report_remap(&mut self, before: &[Candidate]) {
        let Some(key) = self.algorithm.hash_key() else {
            return;
        };
        let membership = |pool: &[Candidate]| -> Vec<(u32, bool)> {
            pool.iter().map(|c| (c.weight, c.eligible())).collect()
        };
        if membership(before) == membership(&self.pool) {
            return;
        }
        let paths = self.path_hashes.len() as u32;
        let hashes: Vec<u32> = (0..self.traffic.clients.min(REMAP_SAMPLE))
            .map(|client| key.hash(&self.request_key(client, (client % paths) as u8)))
            .collect();
        let keys = if key == HashKey::Uri {
            "path"
        } else {
            "client"
        };
        let moved = remap(before, &self.pool, &hashes);
        self.last_remap = Some(moved);
        let changes: Vec<String> = before
            .iter()
            .zip(&self.pool)
            .zip(&self.servers)
            .filter_map(|((b, a), s)| {
                let name = &s.spec().name;
                match (b.eligible(), a.eligible()) {
                    (true, false) => Some(format!("{name} left")),
                    (false, true) => Some(format!("{name} joined")),
                    _ => (b.weight != a.weight)
                        .then(|| format!("{name} weight {} -> {}", b.weight, a.weight)),
                }
            })
            .collect();
        let eligible = |pool: &[Candidate]| pool.iter().filter(|c| c.eligible()).count();
        let cause = format!(
            "{} places servers on a hash ring and sends each {keys} key to the next server clockwise, so when the set of servers changes ({}) only the keys on the changed servers' arcs move. Over {} sampled keys {:.1}% moved; hashing modulo the server count ({} -> {} servers) changes almost every key's remainder, so {:.1}% would have moved.",
            self.algorithm.about().name,
            changes.join(", "),
            hashes.len(),
            moved.consistent * 100.0,
            eligible(before),
            eligible(&self.pool),
            moved.modulo * 100.0
        );
        self.push_log(
            LogKind::Remap,
            format!(
                "consistent hashing moved {:.1}% of {keys} keys (modulo hashing would move {:.1}%)",
                moved.consistent * 100.0,
                moved.modulo * 100.0
            ),
            cause,
        );
    }

    fn request_key(&self, client: u32, path: u8) -> RequestKey {
        RequestKey {
            client,
            ip: self.traffic.client_ip(client),
            session: self.traffic.client_session(client),
            path,
            path_hash: self.path_hashes[usize::from(path)],
        }
    }

    fn schedule_next_arrival(&mut self) {
        if let Some(at) = self
            .traffic
            .next_arrival(self.now, &mut self.streams.arrivals)
        {
            self.events.push(
                at,
                Event::Arrival {
                    epoch: self.arrival_epoch,
                },
            );
        }
    }

    /// Queues `event` to happen after `delay`; when the delay is zero, runs `now` instead, which
    /// must be what handling `event` at this instant would do. A zero-latency network's hops then
    /// skip the queue, the dispatch on the event's kind and the staleness checks (nothing can have
    /// gone stale in no time).
    fn after(&mut self, delay: SimDuration, event: Event, now: impl FnOnce(&mut Self)) {
        if delay == SimDuration::ZERO {
            now(self);
        } else {
            self.events.push(self.now + delay, event);
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { epoch } => {
                if epoch == self.arrival_epoch {
                    self.arrive();
                }
            }
            Event::AtBalancer(id, seq) => {
                if self.requests.live(id, seq) {
                    self.route(id);
                }
            }
            Event::AtServer(id, attempt) => self.reach_server(id, attempt),
            Event::ServiceDone {
                server,
                slot,
                epoch,
            } => self.finish_service(server, slot, epoch),
            Event::BackAtBalancer(id, attempt, outcome) => {
                if self.requests.current(id, attempt).is_some() {
                    self.try_ended(id, outcome);
                }
            }
            Event::TryTimeout(id, attempt) => {
                let waiting = self
                    .requests
                    .current(id, attempt)
                    .is_some_and(|r| r.outcome.is_none());
                if waiting {
                    self.abandon_try(id);
                }
            }
            Event::AtClient(id, seq) => {
                if self.requests.live(id, seq) {
                    self.answer_client(id);
                }
            }
            Event::ClientGivesUp(id, seq) => {
                if self.requests.live(id, seq) {
                    self.client_gives_up(id);
                }
            }
            Event::CheckDue { server, epoch } => self.run_check(server as usize, epoch),
            Event::CheckDone {
                server,
                epoch,
                started,
                failure,
            } => self.check_done(server as usize, epoch, started, failure),
            Event::EjectionOver { server } => {
                let s = server as usize;
                if let Some(t) = self.backends[s].passive.expire(self.now) {
                    self.log_passive(s, t);
                    self.refresh_availability(s);
                }
            }
            Event::DegradeTick { epoch } => {
                if epoch == self.degrade_epoch {
                    self.degrade_tick();
                }
            }
            Event::Scripted(i) => {
                let command = self.scenario.timeline[i as usize].command;
                // Checked against the servers when the run started; values cannot go stale.
                let _ = self.apply_from(command, Some(i as usize));
            }
            Event::BreakerTimer { server, epoch } => {
                let s = server as usize;
                if self.backends[s].breaker.epoch() == epoch
                    && let Some(t) = self.backends[s].breaker.on_timer(self.now)
                {
                    self.log_breaker(s, t);
                }
            }
        }
    }

    /// A client sends a new request.
    fn arrive(&mut self) {
        let client = self.streams.clients.below(self.traffic.clients);
        let (cost, path) = self.traffic.cost.sample(&mut self.streams.costs);
        let delay = self.scenario.client_latency;
        let id = self.requests.insert(Request {
            seq: self.generated,
            client,
            cost,
            path,
            created: self.now,
            server: None,
            dispatched: self.now,
            tries: 0,
            tried: [0; MAX_TRIES as usize],
            attempt: 0,
            breaker_epoch: 0,
            phase: Phase::ToBalancer,
            phase_start: self.now,
            phase_end: self.now + delay,
            outcome: None,
        });
        let seq = self.generated;
        self.generated += 1;
        self.schedule_next_arrival();
        if let Some(patience) = self.traffic.client_timeout {
            self.events
                .push(self.now + patience, Event::ClientGivesUp(id, seq));
        }
        self.after(delay, Event::AtBalancer(id, seq), |sim| sim.route(id));
    }

    /// The load balancer picks a server for request `id` (its first try or a retry), asks that
    /// server's breaker, and sends it; or answers at once when no server can take it.
    fn route(&mut self, id: RequestId) {
        let request = self.requests.get(id);
        let key = self.request_key(request.client, request.path);
        let tried = request.tried;
        let tries = request.tries as usize;
        self.update_ramps();
        let Some(server) = self.pick(key, &tried[..tries]) else {
            self.finish_at_balancer(id, Outcome::NoServer);
            return;
        };
        let (allowed, transition) = self.backends[server].breaker.allow(self.now);
        if let Some(t) = transition {
            self.log_breaker(server, t);
        }
        let request = self.requests.get_mut(id);
        request.tried[tries] = server as u32;
        request.tries += 1;
        request.server = Some(server as u32);
        if !allowed {
            self.metrics.server_mut(server).refused += 1;
            self.retry_or_finish(id, Outcome::BreakerOpen);
            return;
        }
        if tries > 0 {
            self.retrying += 1;
        }
        self.next_attempt += 1;
        let attempt = self.next_attempt;
        let delay = self.scenario.backend_latency;
        let request = self.requests.get_mut(id);
        request.attempt = attempt;
        request.breaker_epoch = self.backends[server].breaker.epoch();
        request.dispatched = self.now;
        request.outcome = None;
        request.enter(Phase::ToServer, self.now, self.now + delay);
        self.pool[server].active += 1;
        self.metrics.server_mut(server).routed += 1;
        self.backends[server]
            .passive
            .on_pick(&self.resilience.passive, self.now);
        if let Some(timeout) = self.resilience.retry.per_try_timeout {
            self.events
                .push(self.now + timeout, Event::TryTimeout(id, attempt));
        }
        self.after(delay, Event::AtServer(id, attempt), |sim| {
            sim.reach_server(id, attempt)
        });
    }

    /// Asks the balancer for a server, never one in `tried`: among the primaries first, then, if
    /// none can be picked, among the backups (nginx `backup`). Below Envoy's panic threshold every
    /// server is offered, healthy or not.
    fn pick(&mut self, key: RequestKey, tried: &[u32]) -> Option<usize> {
        let now = self.now;
        if matches!(self.resilience.passive, Passive::Nginx { .. }) {
            // nginx re-admits a failed server once fail_timeout has passed: time decides.
            self.refresh_all();
        }
        let panic = self.in_panic();
        let has_backups = self.backups > 0;
        if !panic && !has_backups && tried.is_empty() {
            let ctx = PickContext {
                pool: &self.pool,
                key,
                now,
            };
            return self.balancer.pick(&ctx, &mut self.streams.balancer);
        }
        let phases: &[bool] = if has_backups {
            &[false, true]
        } else {
            &[false]
        };
        for &backups in phases {
            self.offered.clear();
            self.offered
                .extend(
                    self.pool
                        .iter()
                        .zip(&self.servers)
                        .enumerate()
                        .map(|(i, (c, s))| Candidate {
                            available: (c.available || panic)
                                && s.spec().backup == backups
                                && !tried.contains(&(i as u32)),
                            ..*c
                        }),
                );
            let ctx = PickContext {
                pool: &self.offered,
                key,
                now,
            };
            if let Some(server) = self.balancer.pick(&ctx, &mut self.streams.balancer) {
                return Some(server);
            }
        }
        None
    }

    /// Whether fewer than the panic threshold's share of servers are healthy.
    fn in_panic(&self) -> bool {
        let Some(threshold) = self.resilience.panic_threshold else {
            return false;
        };
        let healthy = self
            .backends
            .iter()
            .filter(|b| b.healthy(&self.resilience.passive, self.now))
            .count();
        (healthy as f64) < threshold * self.backends.len() as f64
    }

    /// Brings the slow-start factors of recently revived servers up to date.
    fn update_ramps(&mut self) {
        if self.ramping == 0 {
            return;
        }
        for (server, since) in self.ramping_since.iter_mut().enumerate() {
            let Some(at) = *since else { continue };
            let factor = self.slow_start.factor(self.now - at);
            self.pool[server].ramp = factor;
            if factor >= 1.0 {
                *since = None;
                self.ramping -= 1;
            }
        }
    }

    /// Recomputes whether the balancer offers `server`; under a hashing algorithm a change is
    /// reported with the share of client keys it moved.
    fn refresh_availability(&mut self, server: usize) {
        let single = self.servers.len() == 1;
        let available = self.backends[server].offered(&self.resilience.passive, self.now, single);
        if self.pool[server].available == available {
            return;
        }
        let before = self.algorithm.hash_key().map(|_| self.pool.clone());
        self.pool[server].available = available;
        if let Some(before) = before {
            self.report_remap(&before);
        }
    }

    fn refresh_all(&mut self) {
        for server in 0..self.servers.len() {
            self.refresh_availability(server);
        }
    }

    fn reach_server(&mut self, id: RequestId, attempt: u64) {
        let Some(request) = self.requests.current(id, attempt) else {
            return; // the balancer gave up on this try on the way
        };
        let server = request.server.expect("a request at a server was routed") as usize;
        let rate = self.servers[server].spec().error_rate;
        let error = rate > 0.0 && self.streams.faults.chance(rate);
        let work = if error {
            SimDuration::from_micros_f64(request.cost.0 as f64 * ERROR_WORK_SHARE)
        } else {
            request.cost
        };
        let job = Job {
            request: id,
            attempt,
            work,
            error,
        };
        match self.servers[server].arrive(job, self.now) {
            Arrival::Started(completion) => self.start_service(server, completion),
            Arrival::Queued => {
                self.queued += 1;
                self.requests
                    .get_mut(id)
                    .enter(Phase::Queued, self.now, self.now);
            }
            Arrival::QueueFull => self.answer_from_server(id, server, Outcome::QueueFull),
            Arrival::Refused => self.answer_from_server(id, server, Outcome::ConnectionFailed),
        }
    }

    /// A worker took a job: schedule its completion, and move its request on if it is still current.
    fn start_service(&mut self, server: usize, c: Completion) {
        if let Some(request) = self.requests.current(c.job.request, c.job.attempt) {
            if request.phase == Phase::Queued {
                self.queued -= 1;
            }
            self.requests
                .get_mut(c.job.request)
                .enter(Phase::InService, self.now, c.at);
        }
        let event = Event::ServiceDone {
            server: server as u32,
            slot: c.slot,
            epoch: c.epoch,
        };
        self.events.push(c.at, event);
    }

    fn finish_service(&mut self, server: u32, slot: u32, epoch: u32) {
        let index = server as usize;
        let Some((done, next)) = self.servers[index].complete(slot, epoch, self.now) else {
            return; // stale: the server was killed or changed speed since this was scheduled
        };
        if let Some(c) = next {
            self.start_service(index, c);
        }
        if self.requests.current(done.request, done.attempt).is_none() {
            self.metrics.server_mut(index).wasted += 1;
            return;
        }
        let outcome = if done.error {
            Outcome::ServerError
        } else {
            Outcome::Success
        };
        self.answer_from_server(done.request, index, outcome);
    }

    /// The server's answer (or error) starts back towards the load balancer.
    fn answer_from_server(&mut self, id: RequestId, server: usize, outcome: Outcome) {
        let stats = self.metrics.server_mut(server);
        match outcome {
            Outcome::Success => stats.completed += 1,
            Outcome::QueueFull => stats.rejected += 1,
            _ => stats.failed += 1,
        }
        let delay = self.scenario.backend_latency;
        let request = self.requests.get_mut(id);
        let attempt = request.attempt;
        request.outcome = Some(outcome);
        request.enter(Phase::ToBalancerBack, self.now, self.now + delay);
        self.after(delay, Event::BackAtBalancer(id, attempt, outcome), |sim| {
            sim.try_ended(id, outcome)
        });
    }

    /// The balancer gives up waiting for the current try of `id`: its per-try timeout expired.
    fn abandon_try(&mut self, id: RequestId) {
        let request = self.requests.get(id);
        if request.phase == Phase::Queued {
            self.queued -= 1;
        }
        let server = request.server.expect("a timed-out try has a server") as usize;
        self.metrics.server_mut(server).failed += 1;
        self.try_ended(id, Outcome::Timeout);
    }

    /// A try of `id` ended with `outcome` as the balancer sees it: update what the balancer knows,
    /// then retry or answer the client.
    fn try_ended(&mut self, id: RequestId, outcome: Outcome) {
        let request = self.requests.get(id);
        let server = request.server.expect("a try has a server") as usize;
        let rtt = self.now - request.dispatched;
        let (retry, epoch) = (request.tries > 1, request.breaker_epoch);
        if retry {
            self.retrying -= 1;
        }
        // Invalidate the try: late events for it are ignored from now on.
        self.next_attempt += 1;
        self.requests.get_mut(id).attempt = self.next_attempt;
        self.pool[server].active -= 1;
        let nginx_failure = outcome.is_connection_failure()
            || (outcome == Outcome::ServerError && self.resilience.retry.on_500)
            || (outcome == Outcome::QueueFull && self.resilience.retry.on_503);
        let feedback = Feedback {
            ok: !nginx_failure,
            rtt,
            now: self.now,
        };
        self.balancer.observe(server, feedback);
        self.observe_passive(server, outcome, nginx_failure);
        if let Some(t) =
            self.backends[server]
                .breaker
                .record(epoch, outcome.is_success(), rtt, self.now)
        {
            self.log_breaker(server, t);
        }
        self.retry_or_finish(id, outcome);
    }

    fn observe_passive(&mut self, server: usize, outcome: Outcome, nginx_failure: bool) {
        let passive = self.resilience.passive;
        let failed = match passive {
            Passive::Off => return,
            Passive::Nginx { .. } => nginx_failure,
            // Envoy counts 5xx and locally originated failures (connect, reset, timeout).
            Passive::Envoy { .. } => !outcome.is_success(),
        };
        let ejected = self
            .backends
            .iter()
            .filter(|b| b.passive.ejected_until().is_some_and(|u| u > self.now))
            .count();
        let hosts = self.backends.len();
        if let Some(t) = self.backends[server]
            .passive
            .on_answer(&passive, failed, self.now, ejected, hosts)
        {
            if let Some(until) = self.backends[server].passive.ejected_until() {
                self.events.push(
                    until,
                    Event::EjectionOver {
                        server: server as u32,
                    },
                );
            }
            self.log_passive(server, t);
            self.refresh_availability(server);
        }
    }

    /// Retries `id` on another server if the policy allows, else answers the client with `outcome`.
    fn retry_or_finish(&mut self, id: RequestId, outcome: Outcome) {
        let policy = self.resilience.retry;
        let request = self.requests.get(id);
        let retryable = match outcome {
            Outcome::Success | Outcome::NoServer | Outcome::ClientTimeout => false,
            Outcome::ConnectionFailed | Outcome::ServerCrashed => policy.on_error,
            Outcome::Timeout => policy.on_timeout,
            Outcome::ServerError => policy.on_500,
            Outcome::QueueFull => policy.on_503,
            Outcome::BreakerOpen => policy.enabled(),
        };
        let budget_ok = policy.budget_allows(self.retrying, self.requests.len() as u64);
        if retryable && u32::from(request.tries) < policy.max_tries && budget_ok {
            let from = request.server.map_or(0, |s| s as usize);
            let (tries, max) = (request.tries, policy.max_tries);
            self.metrics.record_retry();
            let text = format!(
                "request #{} retried after {} on {} (try {} of {max})",
                request.seq,
                outcome.label(),
                self.servers[from].spec().name,
                tries + 1
            );
            let why = Cause::Retry(RetryCause {
                policy,
                outcome,
                tries,
                active: self.requests.len() as u64,
                retrying: self.retrying,
            });
            self.push_entry(LogKind::Retry, text, why);
            self.route(id);
        } else {
            self.finish_at_balancer(id, outcome);
        }
    }

    /// The balancer answers the client with `outcome`.
    fn finish_at_balancer(&mut self, id: RequestId, outcome: Outcome) {
        let delay = self.scenario.client_latency;
        let request = self.requests.get_mut(id);
        request.outcome = Some(outcome);
        request.enter(Phase::ToClient, self.now, self.now + delay);
        let seq = request.seq;
        self.after(delay, Event::AtClient(id, seq), |sim| sim.answer_client(id));
    }

    fn answer_client(&mut self, id: RequestId) {
        let request = self.requests.remove(id);
        let outcome = request.outcome.expect("an answered request has an outcome");
        self.finish_request(request, outcome);
    }

    /// The client stops waiting for `id`: the balancer drops its try (the server may still finish
    /// the work, unseen) and the client counts a failure.
    fn client_gives_up(&mut self, id: RequestId) {
        let request = self.requests.get(id);
        let try_outstanding = matches!(
            request.phase,
            Phase::ToServer | Phase::Queued | Phase::InService | Phase::ToBalancerBack
        );
        if try_outstanding {
            let server = request.server.expect("an outstanding try has a server") as usize;
            self.pool[server].active -= 1;
            if request.tries > 1 {
                self.retrying -= 1;
            }
            if request.phase == Phase::Queued {
                self.queued -= 1;
            }
        }
        let request = self.requests.remove(id);
        self.finish_request(request, Outcome::ClientTimeout);
    }

    /// Counts a request that is over for its client, and logs it.
    fn finish_request(&mut self, request: Request, outcome: Outcome) {
        let latency = self.now - request.created;
        self.metrics
            .record_answer(request.server.map(|s| s as usize), outcome, latency);
        self.metrics
            .record_path(usize::from(request.path), outcome, latency);
        if let Some((trace, capacity)) = &mut self.trace {
            if trace.len() == *capacity {
                trace.pop_front();
            }
            trace.push_back(TraceRecord {
                seq: request.seq,
                sent: request.created,
                client: request.client,
                server: request.server,
                tries: request.tries,
                outcome,
                latency,
                path: request.path,
            });
        }
    }

    fn kill(&mut self, server: usize) {
        let mut jobs = std::mem::take(&mut self.job_scratch);
        self.servers[server].kill(&mut jobs);
        for job in &jobs {
            let Some(request) = self.requests.current(job.request, job.attempt) else {
                continue; // an abandoned try: nobody is waiting for it
            };
            if request.phase == Phase::Queued {
                self.queued -= 1;
            }
            self.answer_from_server(job.request, server, Outcome::ServerCrashed);
        }
        jobs.clear();
        self.job_scratch = jobs;
    }

    /// Adds a server named after its number, with a fresh balancer view and statistics.
    fn add_server(&mut self, weight: u32, workers: u32) {
        let index = self.servers.len();
        let mut spec = super::scenario::server(&format!("server-{}", index + 1), weight, workers);
        while self.servers.iter().any(|s| s.spec().name == spec.name) {
            spec.name.push('\'');
        }
        self.servers.push(Server::new(spec));
        self.backends.push(Backend::new(
            self.resilience.health,
            self.resilience.breaker,
        ));
        self.pool.push(Candidate::new(index as u32, weight));
        self.metrics.add_server();
        self.ramping_since.push(None);
        self.degrading.push(None);
        if self.resilience.health.is_some() {
            let epoch = self.backends[index].check_epoch;
            self.events.push(
                self.now,
                Event::CheckDue {
                    server: index as u32,
                    epoch,
                },
            );
        }
    }

    /// One second of degradation for every degrading, live server.
    fn degrade_tick(&mut self) {
        for server in 0..self.servers.len() {
            let Some((per_minute, _)) = self.degrading[server] else {
                continue;
            };
            if !self.servers[server].is_alive() {
                continue;
            }
            let per_second = libm::pow(1.0 - per_minute, 1.0 / 60.0);
            let speed = (self.servers[server].spec().speed * per_second).max(MIN_SPEED);
            self.set_speed(server, speed);
        }
        let tick = Event::DegradeTick {
            epoch: self.degrade_epoch,
        };
        self.events.push(self.now + SimDuration::from_secs(1), tick);
    }

    fn set_speed(&mut self, server: usize, speed: f64) {
        let mut rescheduled = std::mem::take(&mut self.completion_scratch);
        self.servers[server].set_speed(speed, self.now, &mut rescheduled);
        for &c in &rescheduled {
            if self
                .requests
                .current(c.job.request, c.job.attempt)
                .is_some()
            {
                self.requests.get_mut(c.job.request).phase_end = c.at;
            }
            let event = Event::ServiceDone {
                server: server as u32,
                slot: c.slot,
                epoch: c.epoch,
            };
            self.events.push(c.at, event);
        }
        rescheduled.clear();
        self.completion_scratch = rescheduled;
    }

    /// Starts a health-check chain for every server (first checks now), if checks are on.
    fn start_health_checks(&mut self) {
        for (server, backend) in self.backends.iter().enumerate() {
            if backend.health().is_some() {
                let event = Event::CheckDue {
                    server: server as u32,
                    epoch: backend.check_epoch,
                };
                self.events.push(self.now, event);
            }
        }
    }

    /// A health check of `server` starts: its result is known at once, and reported when the
    /// server answers (or at the timeout).
    fn run_check(&mut self, server: usize, epoch: u32) {
        let backend = &self.backends[server];
        let Some(checker) = backend.health().filter(|_| backend.check_epoch == epoch) else {
            return;
        };
        let s = &self.servers[server];
        let (failure, took) = if !s.is_alive() {
            (Some(CheckFailure::Refused), SimDuration::ZERO)
        } else {
            let took = service_time(
                self.resilience
                    .health
                    .map_or(SimDuration::ZERO, |h| h.check_work),
                s.spec().speed,
            );
            let rate = s.spec().error_rate;
            if rate > 0.0 && self.streams.faults.chance(rate) {
                (Some(CheckFailure::Error), took)
            } else if !checker.within_timeout(took) {
                (Some(CheckFailure::Timeout), took)
            } else {
                (None, took)
            }
        };
        let at = checker.reported_at(self.now, took);
        let event = Event::CheckDone {
            server: server as u32,
            epoch,
            started: self.now,
            failure,
        };
        self.events.push(at, event);
    }

    fn check_done(
        &mut self,
        server: usize,
        epoch: u32,
        started: SimTime,
        failure: Option<CheckFailure>,
    ) {
        if self.backends[server].check_epoch != epoch {
            return;
        }
        let Some(checker) = self.backends[server].health_mut() else {
            return;
        };
        let transition = checker.observe(failure.map_or(Ok(()), Err));
        let next = (started + checker.next_interval()).max(self.now);
        self.events.push(
            next,
            Event::CheckDue {
                server: server as u32,
                epoch,
            },
        );
        if let Some(t) = transition {
            let (health, max) = checker.health();
            let name = &self.servers[server].spec().name;
            let text = format!("{name} {} (health {health}/{max})", t.reason);
            let cause = checker.cause(failure.map_or(Ok(()), Err));
            self.push_log(LogKind::Health, text, cause);
            self.refresh_availability(server);
        }
    }

    fn log_passive(&mut self, server: usize, t: PassiveTransition) {
        let text = format!("{} {}", self.servers[server].spec().name, t.reason);
        let r = &self.resilience;
        let cause = self.backends[server]
            .passive
            .cause(&r.passive, t.out, &r.retry);
        self.push_log(LogKind::Passive, text, cause);
    }

    fn log_breaker(&mut self, server: usize, t: BreakerTransition) {
        if let Some(at) = self.backends[server].breaker.next_timeout() {
            let epoch = self.backends[server].breaker.epoch();
            self.events.push(
                at,
                Event::BreakerTimer {
                    server: server as u32,
                    epoch,
                },
            );
        }
        let text = format!("{} breaker {}", self.servers[server].spec().name, t.reason);
        let cause = self.backends[server].breaker.cause();
        self.push_log(LogKind::Breaker, text, cause);
    }
}
