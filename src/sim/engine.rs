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
//! checks on real answers, or its circuit breakers, exactly as a real one does. Every command and
//! state change is handed out as an [`Event`] value with its simulated time and numbers
//! ([`Simulation::poll_event`]), and every finished request as a [`TraceRecord`]
//! ([`Simulation::poll_finished`]): outputs are drained by whoever reads them, never capped here.

use std::collections::VecDeque;

use super::backend::Backend;
use super::balancer::{
    Algorithm, Balancer, Candidate, Decision, Feedback, HashKey, Remap, RequestKey, remap,
};
use super::breaker::{BreakerTransition, CircuitBreaker};
use super::command::{Command, TimedCommand};
use super::events::{
    Before, BreakerEvent, CommandEvent, Event, HealthEvent, KeyKind, Logged, Membership, Origin,
    PassiveEvent, RemapEvent, RetryCause, RetryEvent,
};
use super::health::CheckFailure;
use super::metrics::{Metrics, Totals};
use super::passive::{Passive, PassiveTransition};
use super::pool::{Offer, Pool};
use super::queue::EventQueue;
use super::request::{Attempt, Outcome, Phase, Request, RequestId, RequestTable, Seq};
use super::resilience::{Resilience, check_breaker, check_health, check_passive, check_retry};
use super::retry::MAX_TRIES;
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

/// How many clients' keys the consistent-hashing remap report samples.
const REMAP_SAMPLE: u32 = 10_000;
/// A failing server answers its errors in this fraction of the normal time (it fails fast).
const ERROR_WORK_SHARE: f64 = 0.1;

/// Something that happens at an instant of simulated time.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// The next client request is sent (stale unless `epoch` is the current arrival epoch).
    Arrival { epoch: u32 },
    /// A request reaches the load balancer from its client.
    AtBalancer(RequestId, Seq),
    /// A try reaches its server.
    AtServer(RequestId, Attempt),
    /// A worker finishes (stale unless `epoch` is the server's current epoch).
    ServiceDone { server: u32, slot: u32, epoch: u32 },
    /// A try's answer is back at the load balancer.
    BackAtBalancer(RequestId, Attempt, Outcome),
    /// A try's per-try timeout expires.
    TryTimeout(RequestId, Attempt),
    /// An answer reaches the client.
    AtClient(RequestId, Seq),
    /// A client's patience runs out (the request's sequence number guards against slot reuse).
    ClientGivesUp(RequestId, Seq),
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

/// One finished request, for the request log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceRecord {
    /// Its sequence number (arrival order).
    pub seq: u64,
    /// When the client sent it.
    pub sent: SimTime,
    /// The client.
    pub client: u32,
    /// The client's address when the request ended.
    pub ip: [u8; 4],
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
    pool: Pool,
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
    /// The last try number given out.
    next_attempt: u64,
    events: EventQueue<Step>,
    streams: Streams,
    arrival_epoch: u32,
    generated: u64,
    /// Events popped from the queue and handled so far (see [`Simulation::events_processed`]).
    events_processed: u64,
    metrics: Metrics,
    /// Events not yet taken with [`Simulation::poll_event`].
    outbox: VecDeque<Logged>,
    /// Finished requests not yet taken with [`Simulation::poll_finished`], when they are kept.
    finished: Option<VecDeque<TraceRecord>>,
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
        let mut pool = Pool::default();
        for server in &servers {
            pool.push(server.spec().weight, server.spec().backup);
        }
        let mut sim = Simulation {
            now: SimTime::ZERO,
            traffic: scenario.traffic.clone(),
            algorithm: scenario.algorithm,
            balancer: scenario.algorithm.build(),
            metrics: Metrics::new(servers.len(), scenario.sample_every),
            degrade_epoch: 0,
            servers,
            backends,
            resilience,
            pool,
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
            outbox: VecDeque::new(),
            finished: None,
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
            sim.events.push_last(entry.at, Step::Scripted(i as u32));
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

    /// The next event of the run not yet taken, oldest first: every command applied and every
    /// state-machine transition, in the order they happened. Events wait here until taken, so a
    /// reader that wants them all polls until `None` as it goes (as `lbsim` does); one that
    /// keeps only recent ones (the page) still has to poll, or they pile up.
    pub fn poll_event(&mut self) -> Option<Logged> {
        self.outbox.pop_front()
    }

    /// Every event not yet taken, oldest first ([`Simulation::poll_event`] until `None`).
    pub fn drain_events(&mut self) -> impl Iterator<Item = Logged> + '_ {
        std::iter::from_fn(|| self.poll_event())
    }

    /// Starts (or stops) keeping finished requests for [`Simulation::poll_finished`]; off by
    /// default, since most runs only want the counts.
    pub fn keep_finished(&mut self, on: bool) {
        self.finished = on.then(VecDeque::new);
    }

    /// The next finished request not yet taken, in finishing order (which is not arrival order:
    /// a quick request sent later may finish first), while [`Simulation::keep_finished`] is on.
    pub fn poll_finished(&mut self) -> Option<TraceRecord> {
        self.finished.as_mut()?.pop_front()
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
        self.pool.candidates()
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
        self.servers.get(server)?.degrading()
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
        let event = CommandEvent {
            command,
            origin: match scripted {
                None => Origin::User,
                Some(i) => Origin::Timeline {
                    entry: i as u32,
                    of: self.scenario.timeline.len() as u32,
                    scheduled: self.scenario.timeline[i].at,
                },
            },
            before: self.before(&command),
            watchers: matches!(command, Command::Kill { .. }).then_some(self.resilience),
        };
        // Availability changes report their remap as they happen; weights are reported here.
        let pool_before = match command {
            Command::SetWeight { .. } => self.hashing_view(),
            _ => None,
        };
        match command {
            Command::Kill { server } => self.kill(server),
            Command::Revive { server } => {
                if !self.servers[server].is_alive() {
                    self.servers[server].revive();
                    if let Some(fresh) = self.servers[server].fresh_speed() {
                        self.set_speed(server, fresh);
                    }
                    self.pool.start_ramp(server, self.now);
                }
            }
            Command::SetWeight { server, weight } => {
                self.servers[server].set_weight(weight);
                self.pool.set_weight(server, weight);
            }
            Command::SetSpeed { server, speed } => self.set_speed(server, speed),
            Command::SetErrorRate { server, rate } => self.servers[server].set_error_rate(rate),
            Command::AddServer { weight, workers } => self.add_server(weight, workers),
            Command::RemoveServer { server } => {
                self.backends[server].remove();
                self.servers[server].degrade(0.0);
                self.refresh_availability(server);
            }
            Command::Degrade { server, per_minute } => {
                self.servers[server].degrade(per_minute);
                self.degrade_epoch = self.degrade_epoch.wrapping_add(1);
                if self.servers.iter().any(|s| s.degrading().is_some()) {
                    let tick = Step::DegradeTick {
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
                self.pool.set_backup(server, backup);
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
        self.emit(Event::Command(Box::new(event)));
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

    /// What `command` is about to change, as it is now (the numbers its event keeps).
    fn before(&self, command: &Command) -> Before {
        let spec = |server: usize| self.servers[server].spec();
        match *command {
            Command::Kill { server } => Before::Load {
                busy: self.servers[server].busy(),
                queued: self.servers[server].queued(),
            },
            Command::AddServer { .. } => Before::NewServer(self.servers.len() as u32 + 1),
            Command::SetWeight { server, .. } => Before::Weight(spec(server).weight),
            Command::SetSpeed { server, .. } => Before::Speed(spec(server).speed),
            Command::SetErrorRate { server, .. } => Before::ErrorRate(spec(server).error_rate),
            Command::SetAlgorithm(_) => Before::Algorithm(self.algorithm),
            Command::SetSlowStart(_) => Before::SlowStart(self.slow_start),
            Command::SetRate(_) => Before::Rate(self.traffic.rate),
            Command::SetMeanCost(_) => Before::MeanCost(self.traffic.cost.mean()),
            _ => Before::Nothing,
        }
    }

    /// Hands `event` out, stamped with the current time.
    fn emit(&mut self, event: Event) {
        self.outbox.push_back(Logged {
            at: self.now,
            event,
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
        if membership(before) == membership(self.pool.candidates()) {
            return;
        }
        let paths = self.path_hashes.len() as u32;
        let hashes: Vec<u32> = (0..self.traffic.clients.min(REMAP_SAMPLE))
            .map(|client| key.hash(&self.request_key(client, (client % paths) as u8)))
            .collect();
        let keys = if key == HashKey::Uri {
            KeyKind::Path
        } else {
            KeyKind::Client
        };
        let moved = remap(before, self.pool.candidates(), &hashes);
        self.last_remap = Some(moved);
        let changes = before
            .iter()
            .zip(self.pool.candidates())
            .enumerate()
            .filter_map(|(server, (b, a))| {
                let change = match (b.eligible(), a.eligible()) {
                    (true, false) => Membership::Left,
                    (false, true) => Membership::Joined,
                    _ if b.weight != a.weight => Membership::Weight {
                        from: b.weight,
                        to: a.weight,
                    },
                    _ => return None,
                };
                Some((server as u32, change))
            })
            .collect();
        let eligible = |pool: &[Candidate]| pool.iter().filter(|c| c.eligible()).count() as u32;
        self.emit(Event::Remap(RemapEvent {
            algorithm: self.algorithm,
            keys,
            moved,
            sampled: hashes.len() as u32,
            eligible: (eligible(before), eligible(self.pool.candidates())),
            changes,
        }));
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
                Step::Arrival {
                    epoch: self.arrival_epoch,
                },
            );
        }
    }

    /// Queues `event` to happen after `delay`; when the delay is zero, runs `now` instead, which
    /// must be what handling `event` at this instant would do. A zero-latency network's hops then
    /// skip the queue, the dispatch on the event's kind and the staleness checks (nothing can have
    /// gone stale in no time).
    fn after(&mut self, delay: SimDuration, event: Step, now: impl FnOnce(&mut Self)) {
        if delay == SimDuration::ZERO {
            now(self);
        } else {
            self.events.push(self.now + delay, event);
        }
    }

    fn handle(&mut self, event: Step) {
        match event {
            Step::Arrival { epoch } => {
                if epoch == self.arrival_epoch {
                    self.arrive();
                }
            }
            Step::AtBalancer(id, seq) => {
                if self.requests.live(id, seq) {
                    self.route(id);
                }
            }
            Step::AtServer(id, attempt) => self.reach_server(id, attempt),
            Step::ServiceDone {
                server,
                slot,
                epoch,
            } => self.finish_service(server, slot, epoch),
            Step::BackAtBalancer(id, attempt, outcome) => {
                if self.requests.current(id, attempt).is_some() {
                    self.try_ended(id, outcome);
                }
            }
            Step::TryTimeout(id, attempt) => {
                let waiting = self
                    .requests
                    .current(id, attempt)
                    .is_some_and(|r| r.outcome.is_none());
                if waiting {
                    self.abandon_try(id);
                }
            }
            Step::AtClient(id, seq) => {
                if self.requests.live(id, seq) {
                    self.answer_client(id);
                }
            }
            Step::ClientGivesUp(id, seq) => {
                if self.requests.live(id, seq) {
                    self.client_gives_up(id);
                }
            }
            Step::CheckDue { server, epoch } => self.run_check(server as usize, epoch),
            Step::CheckDone {
                server,
                epoch,
                started,
                failure,
            } => self.check_done(server as usize, epoch, started, failure),
            Step::EjectionOver { server } => {
                let s = server as usize;
                if let Some(t) = self.backends[s].passive.expire(self.now) {
                    self.log_passive(s, t);
                    self.refresh_availability(s);
                }
            }
            Step::DegradeTick { epoch } => {
                if epoch == self.degrade_epoch {
                    self.degrade_tick();
                }
            }
            Step::Scripted(i) => {
                let command = self.scenario.timeline[i as usize].command;
                // Checked against the servers when the run started; values cannot go stale.
                let _ = self.apply_from(command, Some(i as usize));
            }
            Step::BreakerTimer { server, epoch } => {
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
        let seq = Seq(self.generated);
        let id = self.requests.insert(Request {
            seq,
            client,
            cost,
            path,
            created: self.now,
            server: None,
            dispatched: self.now,
            tries: 0,
            tried: [0; MAX_TRIES as usize],
            attempt: Attempt(0),
            breaker_epoch: 0,
            phase: Phase::ToBalancer,
            phase_start: self.now,
            phase_end: self.now + delay,
            outcome: None,
        });
        self.generated += 1;
        self.schedule_next_arrival();
        if let Some(patience) = self.traffic.client_timeout {
            self.events
                .push(self.now + patience, Step::ClientGivesUp(id, seq));
        }
        self.after(delay, Step::AtBalancer(id, seq), |sim| sim.route(id));
    }

    /// The load balancer picks a server for request `id` (its first try or a retry), asks that
    /// server's breaker, and sends it; or answers at once when no server can take it.
    fn route(&mut self, id: RequestId) {
        let request = self.requests.get(id);
        let key = self.request_key(request.client, request.path);
        let tried = request.tried;
        let tries = request.tries as usize;
        self.pool.update_ramps(&self.slow_start, self.now);
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
        let attempt = self.new_attempt();
        let delay = self.scenario.backend_latency;
        let request = self.requests.get_mut(id);
        request.attempt = attempt;
        request.breaker_epoch = self.backends[server].breaker.epoch();
        request.dispatched = self.now;
        request.outcome = None;
        request.enter(Phase::ToServer, self.now, self.now + delay);
        self.pool.dispatched(server);
        self.metrics.server_mut(server).routed += 1;
        self.backends[server]
            .passive
            .on_pick(&self.resilience.passive, self.now);
        if let Some(timeout) = self.resilience.retry.per_try_timeout {
            self.events
                .push(self.now + timeout, Step::TryTimeout(id, attempt));
        }
        self.after(delay, Step::AtServer(id, attempt), |sim| {
            sim.reach_server(id, attempt)
        });
    }

    /// Asks the balancer for a server, never one in `tried`: among the primaries first, then, if
    /// none can be picked, among the backups (nginx `backup`). Below Envoy's panic threshold every
    /// server is offered, healthy or not.
    fn pick(&mut self, key: RequestKey, tried: &[u32]) -> Option<usize> {
        if matches!(self.resilience.passive, Passive::Nginx { .. }) {
            // nginx re-admits a failed server once fail_timeout has passed: time decides.
            self.refresh_all();
        }
        let offer = Offer {
            tried,
            panic: self.in_panic(),
        };
        let rng = &mut self.streams.balancer;
        self.pool
            .pick(self.balancer.as_mut(), rng, key, self.now, offer)
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

    /// Recomputes whether the balancer offers `server`; under a hashing algorithm a change is
    /// reported with the share of client keys it moved.
    fn refresh_availability(&mut self, server: usize) {
        let single = self.servers.len() == 1;
        let available = self.backends[server].offered(&self.resilience.passive, self.now, single);
        if self.pool.candidates()[server].available == available {
            return;
        }
        let before = self.hashing_view();
        self.pool.set_available(server, available);
        if let Some(before) = before {
            self.report_remap(&before);
        }
    }

    /// A copy of the balancer's view under a hashing algorithm, to measure a remap against.
    fn hashing_view(&self) -> Option<Vec<Candidate>> {
        self.algorithm
            .hash_key()
            .map(|_| self.pool.candidates().to_vec())
    }

    fn refresh_all(&mut self) {
        for server in 0..self.servers.len() {
            self.refresh_availability(server);
        }
    }

    /// A try number never given out before.
    fn new_attempt(&mut self) -> Attempt {
        self.next_attempt += 1;
        Attempt(self.next_attempt)
    }

    fn reach_server(&mut self, id: RequestId, attempt: Attempt) {
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
        let event = Step::ServiceDone {
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
        self.after(delay, Step::BackAtBalancer(id, attempt, outcome), |sim| {
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
        let invalid = self.new_attempt();
        self.requests.get_mut(id).attempt = invalid;
        self.pool.returned(server);
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
                    Step::EjectionOver {
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
            let retry = RetryEvent {
                request: request.seq.0,
                server: request.server.unwrap_or(0),
                cause: RetryCause {
                    policy,
                    outcome,
                    tries: request.tries,
                    active: self.requests.len() as u64,
                    retrying: self.retrying,
                },
            };
            self.metrics.record_retry();
            self.emit(Event::Retry(retry));
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
        self.after(delay, Step::AtClient(id, seq), |sim| sim.answer_client(id));
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
            self.pool.returned(server);
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
        if let Some(finished) = &mut self.finished {
            finished.push_back(TraceRecord {
                seq: request.seq.0,
                sent: request.created,
                client: request.client,
                ip: self.traffic.client_ip(request.client),
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
        self.pool.push(weight, false);
        self.metrics.add_server();
        if self.resilience.health.is_some() {
            let epoch = self.backends[index].check_epoch;
            self.events.push(
                self.now,
                Step::CheckDue {
                    server: index as u32,
                    epoch,
                },
            );
        }
    }

    /// One second of degradation for every degrading, live server.
    fn degrade_tick(&mut self) {
        for server in 0..self.servers.len() {
            let Some(per_minute) = self.servers[server].degrading() else {
                continue;
            };
            if !self.servers[server].is_alive() {
                continue;
            }
            let per_second = libm::pow(1.0 - per_minute, 1.0 / 60.0);
            let speed = (self.servers[server].spec().speed * per_second).max(MIN_SPEED);
            self.set_speed(server, speed);
        }
        let tick = Step::DegradeTick {
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
            let event = Step::ServiceDone {
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
                let event = Step::CheckDue {
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
        let event = Step::CheckDone {
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
            Step::CheckDue {
                server: server as u32,
                epoch,
            },
        );
        if let Some(transition) = transition {
            let (health, max) = checker.health();
            let check = *checker.config();
            self.emit(Event::Health(HealthEvent {
                server: server as u32,
                transition,
                health,
                max,
                check,
            }));
            self.refresh_availability(server);
        }
    }

    fn log_passive(&mut self, server: usize, transition: PassiveTransition) {
        self.emit(Event::Passive(PassiveEvent {
            server: server as u32,
            transition,
            config: self.resilience.passive,
            retry: self.resilience.retry,
        }));
    }

    fn log_breaker(&mut self, server: usize, transition: BreakerTransition) {
        if let Some(at) = self.backends[server].breaker.next_timeout() {
            let epoch = self.backends[server].breaker.epoch();
            self.events.push(
                at,
                Step::BreakerTimer {
                    server: server as u32,
                    epoch,
                },
            );
        }
        let breaker = &self.backends[server].breaker;
        self.emit(Event::Breaker(BreakerEvent {
            server: server as u32,
            transition,
            config: *breaker.config(),
            open_until: breaker.open_until(),
        }));
    }
}
