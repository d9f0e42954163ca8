//! The simulation engine: applies commands, advances virtual time by processing events in order,
//! and exposes cheap read-only views for the UI, the command-line runner and tests.
//!
//! A request's life is a chain of events: it is sent by a client, reaches the load balancer (which
//! picks a server), reaches the server (served at once, queued, or turned away), and its answer
//! travels back through the balancer to the client. With a network delay of zero the next step runs
//! at once instead of going through the queue, which keeps the pure-queueing runs fast.

use std::collections::VecDeque;

use super::balancer::{
    Algorithm, Balancer, Candidate, Feedback, PickContext, Remap, RequestKey, remap,
};
use super::command::{Command, TimedCommand};
use super::event::EventQueue;
use super::metrics::{Metrics, Totals};
use super::request::{Outcome, Phase, Request, RequestId, RequestTable};
use super::rng::{SimRng, Stream};
use super::scenario::MAX_RATE;
use super::scenario::{
    Scenario, check_clients, check_mean_cost, check_slow_start, check_speed, check_weight,
};
use super::server::{Arrival, Completion, Server};
use super::slow_start::SlowStart;
use super::time::{SimDuration, SimTime};
use super::traffic::Traffic;
use super::validation::{ValidationError, check_range};

/// How many entries the event log keeps.
pub const LOG_CAPACITY: usize = 500;
/// How many clients' keys the consistent-hashing remap report samples.
const REMAP_SAMPLE: u32 = 10_000;

/// Something that happens at an instant of simulated time.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// The next client request is sent (stale unless `epoch` is the current arrival epoch).
    Arrival { epoch: u32 },
    /// A request reaches the load balancer.
    AtBalancer(RequestId),
    /// A request reaches its server.
    AtServer(RequestId),
    /// A worker finishes (stale unless `epoch` is the server's current epoch).
    ServiceDone { server: u32, slot: u32, epoch: u32 },
    /// An answer is back at the load balancer.
    BackAtBalancer(RequestId),
    /// An answer reaches the client.
    AtClient(RequestId),
}

/// One line of the event timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// When it happened.
    pub at: SimTime,
    /// What happened, in words.
    pub text: String,
}

/// The random streams the engine draws from.
#[derive(Clone, Debug)]
struct Streams {
    arrivals: SimRng,
    costs: SimRng,
    clients: SimRng,
    balancer: SimRng,
}

/// A running simulation.
pub struct Simulation {
    scenario: Scenario,
    now: SimTime,
    traffic: Traffic,
    algorithm: Algorithm,
    balancer: Box<dyn Balancer>,
    servers: Vec<Server>,
    pool: Vec<Candidate>,
    /// The pool as offered in one phase of a pick (primaries, then backups), reused.
    offered: Vec<Candidate>,
    /// When each server came back, while its slow start lasts.
    ramping_since: Vec<Option<SimTime>>,
    /// How many entries of `ramping_since` are set (so picks skip the scan when none is).
    ramping: usize,
    slow_start: SlowStart,
    last_remap: Option<Remap>,
    requests: RequestTable,
    events: EventQueue<Event>,
    streams: Streams,
    arrival_epoch: u32,
    generated: u64,
    metrics: Metrics,
    log: VecDeque<LogEntry>,
    recording: Vec<TimedCommand>,
    failed_scratch: Vec<RequestId>,
    completion_scratch: Vec<Completion>,
}

impl Simulation {
    /// A simulation at time zero, or the first problem with the scenario.
    pub fn new(scenario: Scenario) -> Result<Simulation, ValidationError> {
        scenario.validate()?;
        let seed = scenario.seed;
        let servers: Vec<Server> = scenario.servers.iter().cloned().map(Server::new).collect();
        let pool = servers
            .iter()
            .enumerate()
            .map(|(id, s)| Candidate::new(id as u32, s.spec().weight))
            .collect();
        let mut sim = Simulation {
            now: SimTime::ZERO,
            traffic: scenario.traffic.clone(),
            algorithm: scenario.algorithm,
            balancer: scenario.algorithm.build(),
            metrics: Metrics::new(servers.len(), scenario.sample_every),
            ramping_since: vec![None; servers.len()],
            ramping: 0,
            servers,
            pool,
            offered: Vec::new(),
            slow_start: scenario.slow_start,
            last_remap: None,
            requests: RequestTable::default(),
            events: EventQueue::new(),
            streams: Streams {
                arrivals: SimRng::new(seed, Stream::Arrivals),
                costs: SimRng::new(seed, Stream::Costs),
                clients: SimRng::new(seed, Stream::Clients),
                balancer: SimRng::new(seed, Stream::Balancer),
            },
            arrival_epoch: 0,
            generated: 0,
            log: VecDeque::new(),
            recording: Vec::new(),
            failed_scratch: Vec::new(),
            completion_scratch: Vec::new(),
            scenario,
        };
        sim.schedule_next_arrival();
        Ok(sim)
    }

    /// The scenario this run started from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
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
        let queued: u64 = self.servers.iter().map(|s| u64::from(s.queued())).sum();
        Totals {
            generated: self.generated,
            completed,
            failed,
            rejected,
            in_flight: self.requests.len() as u64 - queued,
            queued,
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

    /// The most recent timeline entries, oldest first (at most [`LOG_CAPACITY`]).
    pub fn log(&self) -> &VecDeque<LogEntry> {
        &self.log
    }

    /// Every command applied so far, with its time: replaying them reproduces this run.
    pub fn recording(&self) -> &[TimedCommand] {
        &self.recording
    }

    /// Applies `command` now. A bad command changes nothing and says why.
    pub fn apply(&mut self, command: Command) -> Result<(), ValidationError> {
        self.validate(&command)?;
        let text = self.describe(&command);
        let pool_before = self.algorithm.hash_key().map(|_| self.pool.clone());
        match command {
            Command::Kill { server } => self.kill(server),
            Command::Revive { server } => {
                if !self.servers[server].is_alive() {
                    self.servers[server].revive();
                    self.pool[server].available = true;
                    if self.ramping_since[server].replace(self.now).is_none() {
                        self.ramping += 1;
                    }
                }
            }
            Command::SetWeight { server, weight } => {
                self.servers[server].set_weight(weight);
                self.pool[server].weight = weight;
            }
            Command::SetBackup { server, backup } => self.servers[server].set_backup(backup),
            Command::SetSlowStart(slow_start) => self.slow_start = slow_start,
            Command::SetClients {
                clients,
                behind_nat,
            } => {
                self.traffic.clients = clients;
                self.traffic.behind_nat = behind_nat;
            }
            Command::SetSpeed { server, speed } => self.set_speed(server, speed),
            Command::SetAlgorithm(algorithm) => {
                self.algorithm = algorithm;
                self.balancer = algorithm.build();
            }
            Command::SetRate(rate) => {
                self.traffic.rate = rate;
                self.arrival_epoch = self.arrival_epoch.wrapping_add(1);
                self.schedule_next_arrival();
            }
            Command::SetMeanCost(mean) => self.traffic.cost = self.traffic.cost.with_mean(mean),
        }
        self.recording.push(TimedCommand {
            at: self.now,
            command,
        });
        self.push_log(text);
        if let Some(before) = pool_before {
            self.report_remap(&before);
        }
        Ok(())
    }

    /// Logs how many client keys a change of the server set moved under the hashing algorithm.
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
        let hashes: Vec<u32> = (0..self.traffic.clients.min(REMAP_SAMPLE))
            .map(|client| key.hash(&self.request_key(client)))
            .collect();
        let moved = remap(before, &self.pool, &hashes);
        self.last_remap = Some(moved);
        self.push_log(format!(
            "consistent hashing moved {:.1}% of client keys (modulo hashing would move {:.1}%)",
            moved.consistent * 100.0,
            moved.modulo * 100.0
        ));
    }

    fn request_key(&self, client: u32) -> RequestKey {
        RequestKey {
            client,
            ip: self.traffic.client_ip(client),
            session: self.traffic.client_session(client),
        }
    }

    /// Processes every event up to and including time `t`, then sets the clock to `t`
    /// (a time in the past is ignored: time never runs backwards).
    pub fn advance_to(&mut self, t: SimTime) {
        if t < self.now {
            return;
        }
        while let Some((time, event)) = self.events.pop_due(t) {
            self.metrics.close_windows_until(time);
            self.now = time;
            self.handle(event);
        }
        self.metrics.close_windows_until(t);
        self.now = t;
    }

    /// Advances the clock by `d`.
    pub fn advance_by(&mut self, d: SimDuration) {
        self.advance_to(self.now + d);
    }

    fn validate(&self, command: &Command) -> Result<(), ValidationError> {
        let server_index = |server: usize| {
            if server < self.servers.len() {
                Ok(())
            } else {
                Err(ValidationError::new(
                    "server",
                    format!(
                        "no server number {} (there are {})",
                        server + 1,
                        self.servers.len()
                    ),
                ))
            }
        };
        match *command {
            Command::Kill { server } | Command::Revive { server } => server_index(server),
            Command::SetWeight { server, weight } => {
                server_index(server).and_then(|_| check_weight("weight", weight))
            }
            Command::SetSpeed { server, speed } => {
                server_index(server).and_then(|_| check_speed("speed", speed))
            }
            Command::SetBackup { server, .. } => server_index(server),
            Command::SetAlgorithm(_) => Ok(()),
            Command::SetSlowStart(slow_start) => check_slow_start("slow start", &slow_start),
            Command::SetClients {
                clients,
                behind_nat,
            } => check_clients("clients", clients, behind_nat),
            Command::SetRate(rate) => check_range("rate", rate, 0.0, MAX_RATE),
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
            Command::SetAlgorithm(a) => {
                format!(
                    "algorithm {} -> {}",
                    self.algorithm.about().name,
                    a.about().name
                )
            }
            Command::SetBackup { server, backup } => {
                let role = if backup {
                    "backup (used only when no primary can take a request)"
                } else {
                    "primary"
                };
                format!("{} is now a {role}", name(server))
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
            } => format!("clients: {clients}, of which {behind_nat} behind one NAT address"),
            Command::SetRate(rate) => format!("arrival rate {} -> {rate} req/s", self.traffic.rate),
            Command::SetMeanCost(mean) => {
                format!("mean request cost {} -> {mean}", self.traffic.cost.mean())
            }
        }
    }

    fn push_log(&mut self, text: String) {
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(LogEntry { at: self.now, text });
    }

    fn schedule_next_arrival(&mut self) {
        if let Some(gap) = self.traffic.next_gap(&mut self.streams.arrivals) {
            self.events.push(
                self.now + gap,
                Event::Arrival {
                    epoch: self.arrival_epoch,
                },
            );
        }
    }

    /// Runs `event` after `delay`: at once when the delay is zero, else through the queue.
    fn after(&mut self, delay: SimDuration, event: Event) {
        if delay == SimDuration::ZERO {
            self.handle(event);
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
            Event::AtBalancer(id) => self.route(id),
            Event::AtServer(id) => self.reach_server(id),
            Event::ServiceDone {
                server,
                slot,
                epoch,
            } => self.finish_service(server, slot, epoch),
            Event::BackAtBalancer(id) => self.back_at_balancer(id),
            Event::AtClient(id) => self.answer_client(id),
        }
    }

    /// A client sends a new request.
    fn arrive(&mut self) {
        let client = self.streams.clients.below(self.traffic.clients);
        let cost = self.traffic.cost.sample(&mut self.streams.costs);
        let delay = self.scenario.client_latency;
        let id = self.requests.insert(Request {
            seq: self.generated,
            client,
            cost,
            created: self.now,
            server: None,
            dispatched: self.now,
            phase: Phase::ToBalancer,
            phase_start: self.now,
            phase_end: self.now + delay,
            outcome: None,
        });
        self.generated += 1;
        self.schedule_next_arrival();
        self.after(delay, Event::AtBalancer(id));
    }

    /// The load balancer picks a server for request `id`, or answers 503 when there is none.
    fn route(&mut self, id: RequestId) {
        let key = self.request_key(self.requests.get(id).client);
        self.update_ramps();
        let Some(server) = self.pick(key) else {
            self.answer_from_balancer(id, Outcome::NoServer);
            return;
        };
        self.pool[server].active += 1;
        self.metrics.server_mut(server).routed += 1;
        let delay = self.scenario.backend_latency;
        let request = self.requests.get_mut(id);
        request.server = Some(server as u32);
        request.dispatched = self.now;
        request.enter(Phase::ToServer, self.now, self.now + delay);
        self.after(delay, Event::AtServer(id));
    }

    /// Asks the balancer for a server: among the primaries first, then, if none can be picked,
    /// among the backups (nginx `backup`). Without backups the pool is offered as it is.
    fn pick(&mut self, key: RequestKey) -> Option<usize> {
        let now = self.now;
        let rng = &mut self.streams.balancer;
        if !self.servers.iter().any(|s| s.spec().backup) {
            let ctx = PickContext {
                pool: &self.pool,
                key,
                now,
            };
            return self.balancer.pick(&ctx, rng);
        }
        for backups in [false, true] {
            self.offered.clear();
            self.offered
                .extend(self.pool.iter().zip(&self.servers).map(|(c, s)| Candidate {
                    available: c.available && s.spec().backup == backups,
                    ..*c
                }));
            let ctx = PickContext {
                pool: &self.offered,
                key,
                now,
            };
            if let Some(server) = self.balancer.pick(&ctx, rng) {
                return Some(server);
            }
        }
        None
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

    fn reach_server(&mut self, id: RequestId) {
        let request = self.requests.get(id);
        let server = request.server.expect("a request at a server was routed") as usize;
        match self.servers[server].arrive(id, request.cost, self.now) {
            Arrival::Started(completion) => self.start_service(server, completion),
            Arrival::Queued => self
                .requests
                .get_mut(id)
                .enter(Phase::Queued, self.now, self.now),
            Arrival::QueueFull => {
                self.metrics.server_mut(server).rejected += 1;
                self.answer_from_server(id, Outcome::QueueFull);
            }
            Arrival::Refused => {
                self.metrics.server_mut(server).failed += 1;
                self.answer_from_server(id, Outcome::ConnectionFailed);
            }
        }
    }

    fn start_service(&mut self, server: usize, c: Completion) {
        self.requests
            .get_mut(c.request)
            .enter(Phase::InService, self.now, c.at);
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
        self.metrics.server_mut(index).completed += 1;
        self.answer_from_server(done, Outcome::Success);
    }

    /// The server's answer (or error) starts back towards the load balancer.
    fn answer_from_server(&mut self, id: RequestId, outcome: Outcome) {
        let delay = self.scenario.backend_latency;
        let request = self.requests.get_mut(id);
        request.outcome = Some(outcome);
        request.enter(Phase::ToBalancerBack, self.now, self.now + delay);
        self.after(delay, Event::BackAtBalancer(id));
    }

    fn back_at_balancer(&mut self, id: RequestId) {
        let request = self.requests.get(id);
        let server = request.server.expect("an answer from a server") as usize;
        let outcome = request.outcome.expect("an answer has an outcome");
        let rtt = self.now - request.dispatched;
        self.pool[server].active -= 1;
        let ok = !matches!(outcome, Outcome::ConnectionFailed | Outcome::ServerCrashed);
        self.balancer.observe(
            server,
            Feedback {
                ok,
                rtt,
                now: self.now,
            },
        );
        self.send_to_client(id);
    }

    /// The load balancer answers by itself (no server involved).
    fn answer_from_balancer(&mut self, id: RequestId, outcome: Outcome) {
        self.requests.get_mut(id).outcome = Some(outcome);
        self.send_to_client(id);
    }

    fn send_to_client(&mut self, id: RequestId) {
        let delay = self.scenario.client_latency;
        self.requests
            .get_mut(id)
            .enter(Phase::ToClient, self.now, self.now + delay);
        self.after(delay, Event::AtClient(id));
    }

    fn answer_client(&mut self, id: RequestId) {
        let request = self.requests.remove(id);
        let outcome = request.outcome.expect("an answered request has an outcome");
        let latency = self.now - request.created;
        self.metrics
            .record_answer(request.server.map(|s| s as usize), outcome, latency);
    }

    fn kill(&mut self, server: usize) {
        self.pool[server].available = false;
        let mut failed = std::mem::take(&mut self.failed_scratch);
        self.servers[server].kill(&mut failed);
        for &id in &failed {
            self.metrics.server_mut(server).failed += 1;
            self.answer_from_server(id, Outcome::ServerCrashed);
        }
        failed.clear();
        self.failed_scratch = failed;
    }

    fn set_speed(&mut self, server: usize, speed: f64) {
        let mut rescheduled = std::mem::take(&mut self.completion_scratch);
        self.servers[server].set_speed(speed, self.now, &mut rescheduled);
        for &c in &rescheduled {
            let request = self.requests.get_mut(c.request);
            request.phase_end = c.at;
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
}
