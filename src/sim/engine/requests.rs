//! A request's life at the balancer and its servers: arrival, the pick, the try, the answer, the
//! retry, and the end the client sees.

use super::*;
use crate::sim::balancer_cpu::RequestCpu;
use std::net::IpAddr;

impl Simulation {
    pub(super) fn request_key(&self, client: u32, path: u8) -> RequestKey {
        RequestKey {
            client,
            ip: self.traffic.client_ip(client),
            session: self.traffic.client_session(client),
            path,
            path_hash: self.path_hashes[usize::from(path)],
        }
    }

    /// Draws when the next client request is sent and schedules it, going on with the arrival
    /// chain (restart it by disarming [`Timer::Arrival`] first); with no next arrival (a rate of
    /// 0) none is pending.
    pub(super) fn schedule_next_arrival(&mut self) {
        match self
            .traffic
            .next_arrival(self.now, &mut self.streams.arrivals)
        {
            Some(at) => {
                let token = self.timers.keep(Timer::Arrival);
                self.events.push(at, Step::Arrival(token));
            }
            None => self.timers.disarm(Timer::Arrival),
        }
    }

    /// A client sends a new request (an open-loop arrival).
    pub(super) fn arrive(&mut self) {
        let client = self.streams.clients.below(self.traffic.clients);
        let (cost, path) = self.traffic.cost.sample(&mut self.streams.costs);
        self.schedule_next_arrival();
        self.send(client, cost, path, Chain::default());
    }

    /// `client` sends a request of `cost` for `path`, its attempt `chain` at it.
    pub(super) fn send(&mut self, client: u32, cost: SimDuration, path: u8, chain: Chain) {
        let seq = Seq(self.generated);
        self.generated += 1;
        if self.held() >= MAX_HELD {
            let request = self.new_request(seq, client, cost, path, chain);
            self.finish_request(request, Outcome::OverCapacity);
            return;
        }
        let mut request = self.new_request(seq, client, cost, path, chain);
        if let Some(front) = &mut self.front {
            let pool = &self.pool;
            let serving =
                |r: std::ops::Range<usize>| pool.candidates()[r].iter().any(|c| c.eligible());
            request.via = front.address(client, self.now, self.servers.len(), serving);
            request.picker = request.via;
        }
        let (conn, handshake, opens) = self.connect(client, request.via);
        let delay = self.client_leg(client, request.via) + handshake;
        request.conn = conn;
        request.cpu = self.request_cpu(opens);
        request.phase_end = self.now + delay;
        let id = self.requests.insert(request);
        if let Some(patience) = self.traffic.client_timeout {
            self.events
                .push_after(self.now, patience, Step::ClientGivesUp(id, seq));
        }
        self.after(delay, Step::AtBalancer(id, seq), |sim| {
            sim.reach_balancer(id)
        });
    }

    /// Request `id` reaches the balancer: its rate limit (the one of the balancer it reached,
    /// with several) lets it through to be routed, holds it back, or refuses it.
    pub(super) fn admit(&mut self, id: RequestId) {
        let Some(key) = self.limiters.key() else {
            return self.route(id);
        };
        let request = self.requests.get(id);
        let key = match key {
            LimitKey::ClientIp => match self.traffic.client_ip(request.client) {
                IpAddr::V4(a) => u128::from(u32::from(a)),
                IpAddr::V6(a) => u128::from(a),
            },
            LimitKey::Global => 0,
        };
        match self.limiters.check(request.via, key, self.now) {
            Verdict::Pass => self.route(id),
            Verdict::Delay(wait) => {
                let request = self.requests.get_mut(id);
                request.enter(Phase::Delayed, self.now, self.now + wait);
                let seq = request.seq;
                self.events.push(self.now + wait, Step::Released(id, seq));
            }
            Verdict::Refuse(_) => self.finish_at_balancer(id, Outcome::RateLimited),
        }
    }

    /// Request `seq` as its client sends it now, on its way to the balancer.
    #[inline]
    fn new_request(
        &self,
        seq: Seq,
        client: u32,
        cost: SimDuration,
        path: u8,
        chain: Chain,
    ) -> Request {
        Request {
            seq,
            client,
            cost,
            path,
            created: self.now,
            server: None,
            dispatched: self.now,
            tries: 0,
            tried: [0; MAX_TRIES as usize],
            via: 0,
            picker: 0,
            syns: 0,
            attempt: Attempt(0),
            breaker_epoch: 0,
            phase: Phase::ToBalancer,
            phase_start: self.now,
            phase_end: self.now + self.scenario.client_latency,
            outcome: None,
            chain,
            conn: None,
            per_connection: false,
            cpu: RequestCpu::default(),
        }
    }

    /// Requests the run holds: the live ones, the jobs given up on still in server queues, and
    /// client retries waiting out their backoff.
    fn held(&self) -> usize {
        self.requests.len()
            + (self.jobs_queued - self.queued) as usize
            + self.clients.waiting()
            + self.balancer_abandoned()
    }

    /// The load balancer picks a server for request `id` (its first try or a retry), asks that
    /// server's breaker, and sends it; or answers at once when no server can take it.
    pub(super) fn route(&mut self, id: RequestId) {
        let request = self.requests.get(id);
        let key = self.request_key(request.client, request.path);
        let tried = request.tried;
        let tries = request.tries as usize;
        let picker = request.picker;
        let conn_held = request.conn.is_some();
        let at_layer4 = conn_held && self.layer4();
        self.pool.update_ramps(&self.slow_start, self.now);
        // One balancer, or several: the local tier may pick first, and adds its hop.
        let (via, delay) = if self.front.is_none() {
            (picker, self.scenario.backend_latency)
        } else {
            let Some(via) = self.picker(id, picker, key) else {
                self.finish_at_balancer(id, Outcome::NoServer);
                return;
            };
            (via, self.backend_leg(via))
        };
        if conn_held {
            self.reconnect_if_reset(id, via);
        }
        let picked = if at_layer4 {
            self.connection_server(id, key, via)
        } else {
            self.pick(key, &tried[..tries], via)
        };
        let Some(server) = picked else {
            let outcome = if tries == 0 {
                Outcome::NoServer
            } else {
                Outcome::NoServerLeft
            };
            self.finish_at_balancer(id, outcome);
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
        let request = self.requests.get_mut(id);
        request.attempt = attempt;
        request.breaker_epoch = self.backends[server].breaker.epoch();
        request.dispatched = self.now;
        request.outcome = None;
        request.enter(Phase::ToServer, self.now, self.now + delay);
        // A layer-4 balancer counts connections, not requests.
        request.per_connection = at_layer4;
        if !at_layer4 {
            self.pool.dispatched(server, via);
        }
        self.metrics.server_mut(server).routed += 1;
        self.backends[server]
            .passive
            .on_pick(&self.resilience.passive, self.now);
        if let Some(timeout) = self.resilience.retry.per_try_timeout {
            self.events
                .push_after(self.now, timeout, Step::TryTimeout(id, attempt));
        }
        self.after(delay, Step::AtServer(id, attempt), |sim| {
            sim.reach_server(id, attempt)
        });
    }

    /// Asks balancer `via` for a server, never one in `tried`: among the primaries first, then,
    /// if none can be picked, among the backups (nginx `backup`). Below Envoy's panic threshold
    /// every server is offered, healthy or not.
    #[inline]
    pub(super) fn pick(&mut self, key: RequestKey, tried: &[u32], via: u8) -> Option<usize> {
        if matches!(self.resilience.passive, Passive::Nginx { .. }) {
            // nginx re-admits a failed server once fail_timeout has passed: time decides.
            self.refresh_all();
        }
        let offer = Offer {
            tried,
            panic: self.in_panic(),
            within: self
                .front
                .as_ref()
                .and_then(|f| f.servers_of(via, self.servers.len()))
                .map(|r| (r.start, r.end)),
        };
        let rng = &mut self.streams.balancer;
        self.pool.view(via);
        let balancer = self.balancers[usize::from(via)].as_mut();
        self.pool.pick(balancer, rng, key, self.now, offer)
    }

    /// Whether fewer than the panic threshold's share of servers are healthy.
    pub(super) fn in_panic(&self) -> bool {
        let Some(threshold) = self.resilience.panic_threshold else {
            return false;
        };
        // Servers still booting are not part of the set yet.
        let booted = self.backends.iter().filter(|b| !b.booting());
        let (mut healthy, mut all) = (0, 0);
        for backend in booted {
            all += 1;
            healthy += usize::from(backend.healthy(&self.resilience.passive, self.now));
        }
        (healthy as f64) < threshold * all as f64
    }

    /// Recomputes whether the balancer offers `server`; under a hashing algorithm a change is
    /// reported with the share of client keys it moved.
    pub(super) fn refresh_availability(&mut self, server: usize) {
        let single = self.servers.len() == 1;
        let available = self.backends[server].offered(&self.resilience.passive, self.now, single);
        if self.pool.candidates()[server].available == available {
            return;
        }
        self.pool.set_available(server, available);
        self.report_availability(server);
    }

    pub(super) fn refresh_all(&mut self) {
        for server in 0..self.servers.len() {
            self.refresh_availability(server);
        }
    }

    /// A try number never given out before.
    pub(super) fn new_attempt(&mut self) -> Attempt {
        self.next_attempt += 1;
        Attempt(self.next_attempt)
    }

    pub(super) fn reach_server(&mut self, id: RequestId, attempt: Attempt) {
        let Some(request) = self.requests.current(id, attempt) else {
            return; // the balancer gave up on this try on the way
        };
        let server = request.server.expect("a request at a server was routed") as usize;
        let faults = &mut self.streams.faults;
        let error = self.servers[server].answers_error(|rate| faults.chance(rate));
        let work = if error {
            SimDuration::from_micros_f64(request.cost.0 as f64 * ERROR_WORK_SHARE)
        } else {
            request.cost
        };
        // A passed-through TLS handshake comes first.
        let work = work + request.cpu.server;
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
                self.jobs_queued += 1;
                self.requests
                    .get_mut(id)
                    .enter(Phase::Queued, self.now, self.now);
            }
            Arrival::QueueFull => self.answer_from_server(id, server, Outcome::QueueFull),
            Arrival::Refused => self.answer_from_server(id, server, Outcome::ConnectionFailed),
        }
    }

    /// A worker took a job: schedule its completion, and move its request on if it is still current.
    pub(super) fn start_service(&mut self, server: usize, c: Completion) {
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

    pub(super) fn finish_service(&mut self, server: u32, slot: u32, epoch: u32) {
        let index = server as usize;
        let Some((done, next)) = self.servers[index].complete(slot, epoch, self.now) else {
            return; // stale: the server was killed or changed speed since this was scheduled
        };
        if let Some(c) = next {
            self.jobs_queued -= 1;
            self.start_service(index, c);
        }
        if !done.error {
            self.metrics.record_served();
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
    pub(super) fn answer_from_server(&mut self, id: RequestId, server: usize, outcome: Outcome) {
        let stats = self.metrics.server_mut(server);
        match outcome {
            Outcome::Success => stats.completed += 1,
            Outcome::QueueFull => stats.rejected += 1,
            _ => stats.failed += 1,
        }
        let delay = self.backend_leg(self.requests.get(id).picker);
        let request = self.requests.get_mut(id);
        let attempt = request.attempt;
        request.outcome = Some(outcome);
        request.enter(Phase::ToBalancerBack, self.now, self.now + delay);
        self.after(delay, Step::BackAtBalancer(id, attempt, outcome), |sim| {
            sim.try_ended(id, outcome)
        });
    }

    /// The balancer gives up waiting for the current try of `id`: its per-try timeout expired.
    pub(super) fn abandon_try(&mut self, id: RequestId) {
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
    pub(super) fn try_ended(&mut self, id: RequestId, outcome: Outcome) {
        let request = self.requests.get(id);
        let server = request.server.expect("a try has a server") as usize;
        let rtt = self.now - request.dispatched;
        let (retry, epoch, via) = (request.tries > 1, request.breaker_epoch, request.picker);
        if retry {
            self.retrying -= 1;
        }
        // Invalidate the try: late events for it are ignored from now on.
        let per_connection = request.per_connection;
        let invalid = self.new_attempt();
        self.requests.get_mut(id).attempt = invalid;
        if !per_connection {
            self.pool.returned(server, via);
        }
        let nginx_failure = outcome.is_connection_failure()
            || (outcome == Outcome::ServerError && self.resilience.retry.on_500)
            || (outcome == Outcome::QueueFull && self.resilience.retry.on_503);
        let feedback = Feedback {
            ok: !nginx_failure,
            rtt,
            now: self.now,
        };
        self.balancers[usize::from(via)].observe(server, feedback);
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

    pub(super) fn observe_passive(&mut self, server: usize, outcome: Outcome, nginx_failure: bool) {
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
    pub(super) fn retry_or_finish(&mut self, id: RequestId, outcome: Outcome) {
        let policy = self.resilience.retry;
        let request = self.requests.get(id);
        let retryable = match outcome {
            Outcome::Success
            | Outcome::NoServer
            | Outcome::NoServerLeft
            | Outcome::ClientTimeout
            | Outcome::RateLimited
            | Outcome::OverCapacity
            | Outcome::BalancerDown => false,
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
    pub(super) fn finish_at_balancer(&mut self, id: RequestId, outcome: Outcome) {
        let request = self.requests.get(id);
        let delay = self.client_leg(request.client, request.via);
        let request = self.requests.get_mut(id);
        request.outcome = Some(outcome);
        request.enter(Phase::ToClient, self.now, self.now + delay);
        let seq = request.seq;
        self.after(delay, Step::AtClient(id, seq), |sim| sim.answer_client(id));
    }

    pub(super) fn answer_client(&mut self, id: RequestId) {
        let request = self.requests.remove(id);
        let outcome = request.outcome.expect("an answered request has an outcome");
        self.finish_request(request, outcome);
    }

    /// The client stops waiting for `id`: the balancer drops its try (the server may still finish
    /// the work, unseen) and the client counts a failure.
    pub(super) fn client_gives_up(&mut self, id: RequestId) {
        self.drop_request(id, Outcome::ClientTimeout);
    }

    /// Request `id` ends for its client now with `outcome`, wherever it is: the balancer drops
    /// its try (the server may still finish the work, unseen).
    pub(super) fn drop_request(&mut self, id: RequestId, outcome: Outcome) {
        let request = self.requests.get(id);
        let try_outstanding = matches!(
            request.phase,
            Phase::ToServer | Phase::Queued | Phase::InService | Phase::ToBalancerBack
        );
        if try_outstanding {
            let server = request.server.expect("an outstanding try has a server") as usize;
            if !request.per_connection {
                self.pool.returned(server, request.picker);
            }
            if request.tries > 1 {
                self.retrying -= 1;
            }
            if request.phase == Phase::Queued {
                self.queued -= 1;
            }
        }
        if request.phase == Phase::WaitingForBalancer {
            self.balancer_left_queue(self.cpu_of(id));
        }
        let request = self.requests.remove(id);
        self.finish_request(request, outcome);
    }

    /// Counts a request that is over for its client, and logs it.
    pub(super) fn finish_request(&mut self, request: Request, outcome: Outcome) {
        if let Some(conn) = request.conn {
            self.release_connection(conn, outcome);
        }
        let latency = self.now - request.created;
        let tally = outcome.tally(request.tries);
        self.metrics
            .record_answer(request.server.map(|s| s as usize), tally, latency);
        self.metrics
            .record_path(usize::from(request.path), tally, latency);
        // Once some clients share the NAT's address, its clients and the others apart.
        if self.traffic.behind_nat > 0 || self.metrics.nat().is_some() {
            let behind = request.client < self.traffic.behind_nat;
            self.metrics.record_nat(behind, tally, latency);
        }
        if self.front.is_some() && request.via != NOT_YET {
            self.metrics.record_balancer(request.via, tally, latency);
            if request.picker != request.via {
                self.metrics.record_balancer(request.picker, tally, latency);
            }
        }
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
        if self.clients.active() {
            self.metrics.record_any_answer(latency);
            self.client_after(&request, outcome);
        }
    }
}
