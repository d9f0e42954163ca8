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
//!
//! This file holds the state and the event loop; the methods live beside it by concern: `views`
//! (what readers see and drain), `commands` (applying a command), `requests` (a request's life),
//! `checks` (health-check chains and the failure machines' events).

use std::collections::VecDeque;

use super::backend::Backend;
use super::balancer::{
    Algorithm, Balancer, Candidate, Decision, Feedback, HashKey, KeyOwners, Remap, RequestKey,
};
use super::balancer_cpu::BalancerTier;
use super::breaker::{BreakerTransition, CircuitBreaker};
use super::clients::{Chain, User};
use super::command::{Command, TimedCommand};
use super::connections::{ConnRef, ConnectionTable, Layer};
use super::events::{
    Before, BreakerEvent, CommandEvent, Event, HealthEvent, KeyKind, Logged, Membership, Origin,
    PassiveEvent, RemapEvent, RetryCause, RetryEvent, SkippedEvent, VrrpEvent,
};
use super::front::{Front, FrontState, NOT_YET};
use super::health::{CheckFailure, ServerCheck};
use super::metrics::{BalancerGauge, Fleet, Metrics, Totals};
use super::passive::{Passive, PassiveTransition};
use super::pool::{Offer, Pool};
use super::queue::EventQueue;
use super::ratelimit::{LimitKey, Limiters, RateLimit, Verdict};
use super::request::{Attempt, Outcome, Phase, Request, RequestId, RequestTable, Seq};
use super::resilience::{Resilience, check_breaker, check_health, check_passive, check_retry};
use super::retry::MAX_TRIES;
use super::rng::{SimRng, Stream};
use super::scenario::{
    Scenario, check_clients, check_error_rate, check_mean_cost, check_slow_start, check_speed,
    check_weight,
};
use super::server::{Arrival, Completion, Job, MIN_SPEED, Server, service_time};
use super::slow_start::SlowStart;
use super::time::{SimDuration, SimTime};
use super::timers::{Timer, Timers, Token};
use super::traffic::{Traffic, path_hash};
use super::validation::ValidationError;

mod autoscaling;
mod balancer_work;
pub use balancer_work::BalancerLoad;
mod checks;
mod clients;
mod commands;
mod connections;
mod front;
mod requests;
mod travel;
pub use travel::Stop;
mod validate;
mod views;

#[cfg(test)]
mod tests;

use clients::ClientState;
use validate::check_command;

/// How many clients' keys the consistent-hashing remap report samples.
const REMAP_SAMPLE: u32 = 10_000;
/// A failing server answers its errors in this fraction of the normal time (it fails fast).
const ERROR_WORK_SHARE: f64 = 0.1;
/// The most requests a run holds at once: live requests, and the jobs of requests already given
/// up on that still wait in server queues. A client that sends a request while the run is full is
/// refused at once ([`Outcome::OverCapacity`]), so no valid scenario can exhaust memory; no preset
/// comes within a thousandth of it.
pub const MAX_HELD: usize = 1_000_000;
/// The event queue is swept of stale events when it grows past this many, and after that when
/// it has doubled since the last sweep: stale events (a client's patience for a request long
/// answered, a per-try timeout for a try long over) otherwise pile up for as long as the
/// timeouts are.
const SWEEP_FLOOR: usize = 1 << 16;

/// Something that happens at an instant of simulated time.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// The next client request is sent.
    Arrival(Token),
    /// A request reaches the load balancer from its client.
    AtBalancer(RequestId, Seq),
    /// The rate limit's wait for a request is over: it is routed.
    Released(RequestId, Seq),
    /// One of a balancer's cores finishes a request's balancer work.
    BalancerDone { balancer: u8, slot: u32, epoch: u32 },
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
    /// A client's retry of a failed request is sent (the slot of [`ClientState`]'s waiting ones).
    ClientRetry(u32),
    /// A closed-loop user's think time is over: it sends (stale unless `generation` is current).
    UserSends { user: u32, generation: u32 },
    /// A health check of a server starts.
    CheckDue { server: u32, token: Token },
    /// A health check reports.
    CheckDone {
        server: u32,
        token: Token,
        started: SimTime,
        failure: Option<CheckFailure>,
    },
    /// An Envoy ejection may be over.
    EjectionOver { server: u32 },
    /// A breaker's automatic OPEN -> HALF_OPEN timer.
    BreakerTimer { server: u32, token: Token },
    /// The scenario's timeline entry with this index is due.
    Scripted(u32),
    /// Degrading servers lose another second's worth of speed.
    DegradeTick(Token),
    /// The autoscaler evaluates.
    Evaluate(Token),
    /// A server the autoscaler launched at `launched` has booted.
    Booted { server: u32, launched: SimTime },
    /// A connection's idle timer (stale unless the connection is still idle since `mark`).
    ConnectionIdle(ConnRef, u32),
    /// A VRRP backup's Master_Down_Timer runs out.
    VrrpTimer(Token),
    /// The servers report their load to the balancers.
    LoadReport(Token),
    /// A client's retransmitted SYN reaches the front (or, after the last, the client gives up).
    SynRetry(RequestId, Seq),
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
    pub ip: std::net::IpAddr,
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
    /// Client retries' backoff jitter.
    backoff: SimRng,
    /// Closed-loop users' think times and their requests' costs.
    users: SimRng,
    /// Health checks' jitter.
    checks: SimRng,
    /// Whether a TLS handshake resumes a session.
    tls: SimRng,
}

/// What the remap report's sampled keys are computed from: the same values give the same keys
/// (the paths' hashes never change during a run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SampleOf {
    key: HashKey,
    /// Clients sampled: the first ones, up to [`REMAP_SAMPLE`].
    clients: u32,
    /// Clients behind the NAT (they share an address).
    behind_nat: u32,
}

/// A running simulation. A clone is an independent copy that goes on exactly as the original
/// would (time travel's checkpoints).
#[derive(Clone)]
pub struct Simulation {
    scenario: Scenario,
    now: SimTime,
    traffic: Traffic,
    algorithm: Algorithm,
    /// The algorithm's state, one per balancer (one with a single balancer).
    balancers: Vec<Box<dyn Balancer>>,
    /// Several balancers, when the scenario has them.
    front: Option<FrontState>,
    servers: Vec<Server>,
    backends: Vec<Backend>,
    resilience: Resilience,
    pool: Pool,
    slow_start: SlowStart,
    limiters: Limiters,
    autoscaling: Option<autoscaling::Autoscaling>,
    /// Per server, when the autoscaler launched it (`None`: it came with the scenario or a user
    /// added it).
    launched: Vec<Option<SimTime>>,
    /// What the clients remember: their retry budget, retries waiting out a backoff, users.
    clients: ClientState,
    last_remap: Option<Remap>,
    /// The clients' keys the remap report samples, with their servers, and what they were drawn
    /// from.
    remap_sample: Option<(SampleOf, KeyOwners)>,
    /// The FNV-1a hash of every request path, by path index (what `RequestKey` carries).
    path_hashes: Vec<u64>,
    requests: RequestTable,
    /// The clients' open connections (when the scenario has connections).
    connection_table: ConnectionTable,
    /// The layer the balancer works at now.
    layer: Layer,
    /// The balancers' own cores, when they have a cost (`scenario.balancer`).
    balancer_cpu: Option<BalancerTier>,
    /// Live requests waiting in a server queue.
    queued: u64,
    /// Jobs waiting in server queues, live or given up on.
    jobs_queued: u64,
    /// The event-queue length that triggers the next sweep of stale events.
    sweep_at: usize,
    /// Retries in progress (for the retry budget).
    retrying: u64,
    /// The last try number given out.
    next_attempt: u64,
    events: EventQueue<Step>,
    streams: Streams,
    timers: Timers,
    generated: u64,
    /// Events popped from the queue and handled so far (see [`Simulation::events_processed`]).
    events_processed: u64,
    metrics: Metrics,
    /// Events not yet taken with [`Simulation::poll_event`].
    outbox: VecDeque<Logged>,
    /// Finished requests not yet taken with [`Simulation::poll_finished`], when they are kept.
    finished: Option<VecDeque<TraceRecord>>,
    recording: Vec<TimedCommand>,
    /// The user's commands so far, with the point of the run each came at.
    given: Vec<travel::Given>,
    /// The commands a later history of this run gave, to be given again at the same points
    /// (a run rewound from a checkpoint retraces its history until the user changes it).
    replay: VecDeque<travel::Given>,
    /// The events count of the first command to give again (`u64::MAX` when there is none): the
    /// one number the event loop compares.
    replay_mark: u64,
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
            .map(|server| {
                let check = ServerCheck::applied(server.spec().health, resilience.health);
                let mut backend = Backend::new(check, resilience.breaker);
                // A server marked down starts drained: out of rotation, its weight kept.
                backend.set_draining(server.spec().down);
                backend
            })
            .collect();
        let mut pool = Pool::default();
        for (index, server) in servers.iter().enumerate() {
            pool.push(server.spec().weight, server.spec().backup);
            pool.set_available(index, !server.spec().down);
        }
        let mut sim = Simulation {
            now: SimTime::ZERO,
            traffic: scenario.traffic.clone(),
            algorithm: scenario.algorithm,
            balancers: (0..scenario.front.as_ref().map_or(1, Front::total))
                .map(|_| scenario.algorithm.build())
                .collect(),
            front: scenario
                .front
                .as_ref()
                .map(|f| FrontState::new(f, scenario.traffic.clients)),
            metrics: Metrics::new(servers.len(), scenario.sample_every),
            timers: Timers::new(servers.len()),
            servers,
            backends,
            resilience,
            pool,
            slow_start: scenario.slow_start,
            limiters: Limiters::new(
                scenario.rate_limit,
                scenario.front.as_ref().map_or(1, Front::total),
            ),
            autoscaling: None,
            launched: vec![None; scenario.servers.len()],
            clients: ClientState::new(&scenario.traffic),
            last_remap: None,
            remap_sample: None,
            path_hashes: (0..scenario.traffic.cost.path_count())
                .map(|i| path_hash(scenario.traffic.cost.path(i)))
                .collect(),
            requests: RequestTable::default(),
            connection_table: ConnectionTable::default(),
            layer: scenario.connections.map_or(Layer::L7, |c| c.layer),
            balancer_cpu: scenario.balancer.map(|cost| {
                let balancers = scenario.front.as_ref().map_or(1, Front::total);
                BalancerTier::new(cost, balancers)
            }),
            queued: 0,
            jobs_queued: 0,
            sweep_at: SWEEP_FLOOR,
            retrying: 0,
            next_attempt: 0,
            events: EventQueue::new(),
            streams: Streams {
                arrivals: SimRng::new(seed, Stream::Arrivals),
                costs: SimRng::new(seed, Stream::Costs),
                clients: SimRng::new(seed, Stream::Clients),
                balancer: SimRng::new(seed, Stream::Balancer),
                faults: SimRng::new(seed, Stream::Faults),
                backoff: SimRng::new(seed, Stream::ClientBackoff),
                users: SimRng::new(seed, Stream::Users),
                checks: SimRng::new(seed, Stream::Checks),
                tls: SimRng::new(seed, Stream::Tls),
            },
            generated: 0,
            events_processed: 0,
            outbox: VecDeque::new(),
            finished: None,
            recording: Vec::new(),
            given: Vec::new(),
            replay: VecDeque::new(),
            replay_mark: u64::MAX,
            job_scratch: Vec::new(),
            completion_scratch: Vec::new(),
            scenario,
        };
        sim.metrics.track_paths(sim.path_hashes.len());
        if let Some(front) = &sim.scenario.front {
            sim.metrics.track_balancers(front.total());
            sim.start_front(front.view);
        }
        let traffic = &sim.scenario.traffic;
        sim.see_clients(traffic.client_retry.is_some() || traffic.closed_loop.is_some());
        sim.schedule_next_arrival();
        sim.start_users();
        sim.start_health_checks();
        sim.set_autoscale(sim.scenario.autoscale);
        validate::check_timeline(&sim.scenario)?;
        for (i, entry) in sim.scenario.timeline.iter().enumerate() {
            sim.events.push_last(entry.at, Step::Scripted(i as u32));
        }
        Ok(sim)
    }

    /// Processes every event up to and including time `t`, then sets the clock to `t`
    /// (a time in the past is ignored: time never runs backwards).
    pub fn advance_to(&mut self, t: SimTime) {
        self.advance_within(t, u64::MAX);
    }

    /// Like [`Simulation::advance_to`], but handles at most `budget` events: when they run out
    /// first, the clock stays at the last one handled and the answer is `false` (the page's
    /// per-frame budget, so a heavy run slows down instead of freezing the tab). The same events
    /// in the same order whatever the budget: a run advanced in small budgets ends up exactly
    /// where one advanced at once does.
    pub fn advance_within(&mut self, t: SimTime, budget: u64) -> bool {
        if t < self.now {
            return true;
        }
        let mut left = budget;
        loop {
            // A command of the history being retraced is given again at its point: the events
            // run in stretches that end there (one stretch, when nothing is retraced).
            if self.replay_due(t) {
                self.give_again();
                continue;
            }
            let stretch = left.min(self.replay_mark.saturating_sub(self.events_processed));
            let handled = self.handle_events(t, stretch);
            left -= handled;
            if handled < stretch || stretch == 0 {
                break;
            }
        }
        if left == 0 && self.events.peek_time().is_some_and(|next| next <= t) {
            return false;
        }
        self.close_windows_until(t);
        self.now = t;
        true
    }

    /// Handles the events due by `t`, at most `budget` of them; returns how many.
    #[inline]
    fn handle_events(&mut self, t: SimTime, budget: u64) -> u64 {
        let mut handled = 0;
        while handled < budget
            && let Some((time, event)) = self.events.pop_due(t)
        {
            handled += 1;
            if self.metrics.window_closes_by(time) {
                self.close_windows_until(time);
            }
            self.now = time;
            self.handle(event);
            self.events_processed += 1;
            if self.events.len() > self.sweep_at {
                self.sweep_stale_events();
            }
        }
        handled
    }

    /// Drops the scheduled events that can no longer do anything (see [`SWEEP_FLOOR`]). Each is
    /// one that [`Simulation::handle`] would ignore, and stays ignored: tokens, tries and sequence
    /// numbers are never reused. The events kept run in the same order, so the run is unchanged.
    fn sweep_stale_events(&mut self) {
        let (requests, timers, servers) = (&self.requests, &self.timers, &self.servers);
        let clients = &self.clients;
        self.events.retain(|step| match *step {
            Step::Arrival(token) => timers.is_armed(Timer::Arrival, token),
            Step::DegradeTick(token) => timers.is_armed(Timer::Degrade, token),
            Step::CheckDue { server, token } | Step::CheckDone { server, token, .. } => {
                timers.is_armed(Timer::Check(server), token)
            }
            Step::BreakerTimer { server, token } => {
                timers.is_armed(Timer::BreakerWait(server), token)
            }
            Step::AtBalancer(id, seq)
            | Step::Released(id, seq)
            | Step::AtClient(id, seq)
            | Step::ClientGivesUp(id, seq)
            | Step::SynRetry(id, seq) => requests.live(id, seq),
            Step::AtServer(id, attempt)
            | Step::BackAtBalancer(id, attempt, _)
            | Step::TryTimeout(id, attempt) => requests.current(id, attempt).is_some(),
            Step::ServiceDone { server, epoch, .. } => servers[server as usize].epoch() == epoch,
            Step::Evaluate(token) => timers.is_armed(Timer::Autoscale, token),
            Step::VrrpTimer(token) => timers.is_armed(Timer::Vrrp, token),
            Step::LoadReport(token) => timers.is_armed(Timer::Report, token),
            Step::UserSends { generation, .. } => generation == clients.generation(),
            Step::EjectionOver { .. }
            | Step::Scripted(_)
            | Step::Booted { .. }
            | Step::ConnectionIdle(..)
            | Step::BalancerDone { .. }
            | Step::ClientRetry(_) => true,
        });
        self.sweep_at = SWEEP_FLOOR.max(2 * self.events.len());
    }

    /// Closes the metrics windows that end by `t`, recording the servers' queue lengths, how
    /// many there are, and the requests sent.
    fn close_windows_until(&mut self, t: SimTime) {
        let queues = self.servers.iter().map(Server::queued);
        let (backends, pool) = (&self.backends, &self.pool);
        let generated = self.generated;
        let cpu = &self.balancer_cpu;
        let state = || {
            let fleet = Fleet {
                servers: backends.iter().filter(|b| !b.removed()).count() as u32,
                in_rotation: pool.candidates().iter().filter(|c| c.eligible()).count() as u32,
            };
            // All balancers' cores together: with several, the tier's busy share.
            let balancer = cpu.as_ref().map(|tier| BalancerGauge {
                busy_time: tier.busy_time(t),
                workers: tier.workers(),
                queued: tier.live_queued(),
            });
            (fleet, generated, balancer)
        };
        self.metrics.close_windows_until(t, queues, state);
    }

    /// Advances the clock by `d`.
    pub fn advance_by(&mut self, d: SimDuration) {
        self.advance_to(self.now + d);
    }

    /// Hands `event` out, stamped with the current time.
    fn emit(&mut self, event: Event) {
        self.outbox.push_back(Logged {
            at: self.now,
            event,
        });
    }

    /// Queues `event` to happen after `delay`; when the delay is zero, runs `now` instead, which
    /// must be what handling `event` at this instant would do. A zero-latency network's hops then
    /// skip the queue, the dispatch on the event's kind and the staleness checks (nothing can have
    /// gone stale in no time).
    fn after(&mut self, delay: SimDuration, event: Step, now: impl FnOnce(&mut Self)) {
        if delay == SimDuration::ZERO {
            now(self);
        } else {
            self.events.push_after(self.now, delay, event);
        }
    }

    fn handle(&mut self, event: Step) {
        match event {
            Step::Arrival(token) => {
                if self.timers.is_armed(Timer::Arrival, token) {
                    self.arrive();
                }
            }
            Step::AtBalancer(id, seq) => {
                if self.requests.live(id, seq) {
                    self.reach_balancer(id);
                }
            }
            Step::BalancerDone {
                balancer,
                slot,
                epoch,
            } => self.balancer_done(balancer, slot, epoch),
            Step::Released(id, seq) => {
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
            Step::ClientRetry(slot) => self.send_client_retry(slot),
            Step::UserSends { user, generation } => self.user_sends(User {
                index: user,
                generation,
            }),
            Step::CheckDue { server, token } => {
                if self.timers.is_armed(Timer::Check(server), token) {
                    self.run_check(server as usize);
                }
            }
            Step::CheckDone {
                server,
                token,
                started,
                failure,
            } => {
                if self.timers.is_armed(Timer::Check(server), token) {
                    self.check_done(server as usize, started, failure);
                }
            }
            Step::EjectionOver { server } => {
                let s = server as usize;
                if let Some(t) = self.backends[s].passive.expire(self.now) {
                    self.log_passive(s, t);
                    self.refresh_availability(s);
                }
            }
            Step::DegradeTick(token) => {
                if self.timers.is_armed(Timer::Degrade, token) {
                    self.degrade_tick();
                }
            }
            Step::Scripted(i) => {
                let command = self.scenario.timeline[i as usize].command;
                // Checked against the timeline's own servers when the run started; a user's
                // command since (a removal) can still stand in its way, and then it is skipped.
                if let Err(reason) = self.apply_from(command, Some(i as usize)) {
                    let origin = self.timeline_origin(i as usize);
                    self.emit(Event::Skipped(Box::new(SkippedEvent {
                        command,
                        origin,
                        reason,
                    })));
                }
            }
            Step::Evaluate(token) => {
                if self.timers.is_armed(Timer::Autoscale, token) {
                    self.evaluate_autoscale();
                }
            }
            Step::Booted { server, launched } => self.booted(server as usize, launched),
            Step::ConnectionIdle(conn, mark) => self.connection_idle(conn, mark),
            Step::LoadReport(token) => {
                if self.timers.is_armed(Timer::Report, token) {
                    self.report_load();
                }
            }
            Step::SynRetry(id, seq) => {
                if self.requests.live(id, seq) {
                    self.reach_balancer(id);
                }
            }
            Step::VrrpTimer(token) => {
                if self.timers.is_armed(Timer::Vrrp, token) {
                    self.vrrp_timer();
                }
            }
            Step::BreakerTimer { server, token } => {
                let s = server as usize;
                if self.timers.is_armed(Timer::BreakerWait(server), token)
                    && let Some(t) = self.backends[s].breaker.on_timer(self.now)
                {
                    self.log_breaker(s, t);
                }
            }
        }
    }
}
