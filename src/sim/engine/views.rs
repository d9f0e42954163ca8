//! What a simulation shows: read-only views for the UI, the runner and tests, and the outputs
//! (events, finished requests) that readers drain.

use super::*;

impl Simulation {
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

    /// Events scheduled and not yet handled, stale ones included (a sweep drops those once the
    /// queue has grown: see `SWEEP_FLOOR`).
    pub fn events_scheduled(&self) -> usize {
        self.events.len()
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

    /// What balancer `b` counts on each server: the tries it sent that are not yet back, or at
    /// layer 4 the connections it pinned there (with one balancer, or one shared view, the
    /// same as [`pool`](Self::pool)'s counts).
    pub fn active_seen_by(&self, b: u8) -> Vec<u32> {
        self.pool.seen_by(b).iter().map(|c| c.active).collect()
    }

    /// What the balancing algorithm is deciding with right now (per-server numbers from its state
    /// and its latest pick), for drawing on the load balancer; with several balancers, the one
    /// that picked last.
    pub fn decision(&self) -> Decision {
        self.decision_of(self.pool.viewing())
    }

    /// What balancer `b`'s algorithm is deciding with right now, by its own view of load (see
    /// [`decision`](Self::decision)).
    pub fn decision_of(&self, b: u8) -> Decision {
        let pool = self.pool.seen_by(b);
        self.balancers
            .get(usize::from(b))
            .map_or_else(Decision::default, |a| a.decision(&pool, self.now()))
    }

    /// With a local tier, the local balancers regional balancer `regional` sends to, each with
    /// its weight in its round robin: its cluster's servers in rotation (0 while it is down).
    pub fn local_shares(&self, regional: u8) -> Vec<(u8, u32)> {
        self.front.as_ref().map_or_else(Vec::new, |f| {
            f.local_shares(regional, self.servers.len(), |c| self.pool.in_rotation(c))
        })
    }

    /// The balancer whose decision [`decision`](Self::decision) is (0 with one balancer).
    pub fn decider(&self) -> u8 {
        self.pool.viewing()
    }

    /// The balancers' states, with several balancers.
    pub fn front(&self) -> Option<&FrontState> {
        self.front.as_ref()
    }

    /// The autoscaler's settings, while one runs.
    pub fn autoscale(&self) -> Option<crate::sim::autoscale::Autoscale> {
        self.autoscaling.as_ref().map(|a| a.config())
    }

    /// When the autoscaler launched server `server`, if it did.
    pub fn launched(&self, server: usize) -> Option<SimTime> {
        self.launched.get(server).copied().flatten()
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

    /// Where the live request `seq` sits in the table, if it is live (a scan of the table).
    pub fn find_request(&self, seq: Seq) -> Option<RequestId> {
        self.requests.find(seq)
    }

    /// The live request in slot `id`, if it is still request `seq`.
    pub fn request(&self, id: RequestId, seq: Seq) -> Option<&Request> {
        self.requests.lookup(id, seq)
    }

    /// Counters, histograms and time series.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Where every generated request is now, or how it ended.
    pub fn totals(&self) -> Totals {
        let ended = self.metrics.ended();
        Totals {
            generated: self.generated,
            completed: ended.completed,
            failed: ended.failed,
            rejected: ended.rejected,
            rate_limited: ended.rate_limited,
            in_flight: self.requests.len() as u64 - self.queued,
            queued: self.queued,
            connections: self.connections_opened(),
        }
    }

    /// The rate limit in use.
    pub fn rate_limit(&self) -> RateLimit {
        self.limiters.config()
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
    /// `workers x speed / mean cost` over those alive and not removed (a removed server only
    /// finishes what it has). The offered load divided by this is the utilisation (rho).
    pub fn capacity(&self) -> f64 {
        let mean = self.traffic.cost.mean().as_secs_f64();
        self.servers
            .iter()
            .zip(&self.backends)
            .filter(|(s, b)| s.is_alive() && !b.removed())
            .map(|(s, _)| f64::from(s.spec().workers) * s.spec().speed / mean)
            .sum()
    }

    /// Every command applied so far, with its time: replaying them reproduces this run.
    pub fn recording(&self) -> &[TimedCommand] {
        &self.recording
    }
}
