//! Commands: checked, recorded as events with what they changed from, then carried out; and the
//! changes to the server set they make (kills, additions, slow-downs, remap reports).

use super::*;
use crate::sim::connections::check_at_layer4;

impl Simulation {
    /// Applies `command` now. A bad command changes nothing and says why.
    pub fn apply(&mut self, command: Command) -> Result<(), ValidationError> {
        self.apply_from(command, None)
    }

    /// Applies `command` now, given by a user, or by the scenario's timeline entry `scripted`.
    pub(super) fn apply_from(
        &mut self,
        command: Command,
        scripted: Option<usize>,
    ) -> Result<(), ValidationError> {
        check_command(&command, &*self)?;
        if self.layer4() {
            check_at_layer4(&command)?;
        }
        if let Command::SetLayer(layer) = command {
            self.check_layer(layer)?;
        }
        if let Command::SetTls(_) = command {
            self.check_tls()?;
        }
        self.check_front(&command)?;
        let event = CommandEvent {
            command,
            origin: scripted.map_or(Origin::User, |i| self.timeline_origin(i)),
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
                    self.servers[server].revive(self.now);
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
            Command::SetDatabaseDown { server, down } => {
                self.servers[server].set_database_down(down)
            }
            Command::AddServer { weight, workers } => {
                let name = self.next_server_name();
                self.add_server(crate::sim::scenario::server(&name, weight, workers));
            }
            Command::RemoveServer { server } => self.remove_server(server),
            Command::Degrade { server, per_minute } => {
                self.servers[server].degrade(per_minute);
                if self.servers.iter().any(|s| s.degrading().is_some()) {
                    self.schedule_degrade_tick();
                } else {
                    self.timers.disarm(Timer::Degrade);
                }
            }
            Command::Drain { server, on } => {
                let maintenance = self.servers[server].spec().down;
                self.backends[server].set_draining(on);
                if !on && maintenance {
                    // Out of maintenance: a normal server again, checked from now.
                    self.servers[server].clear_down();
                    self.start_health_check(server);
                }
                self.refresh_availability(server);
            }
            Command::SetBackup { server, backup } => {
                self.servers[server].set_backup(backup);
                self.pool.set_backup(server, backup);
            }
            Command::SetAlgorithm(algorithm) => {
                self.algorithm = algorithm;
                for balancer in &mut self.balancers {
                    *balancer = algorithm.build();
                }
            }
            Command::SetSlowStart(slow_start) => self.slow_start = slow_start,
            Command::SetLayer(layer) => self.set_layer(layer),
            Command::SetTls(mode) => self.set_tls(mode),
            Command::SetClients {
                clients,
                behind_nat,
            } => {
                self.traffic.clients = clients;
                self.traffic.behind_nat = behind_nat;
                if let Some(front) = &mut self.front {
                    front.set_clients(clients);
                }
            }
            Command::SetHealthCheck(health) => {
                // The settings apply to every server, replacing any server's own.
                self.resilience.health = health;
                for (server, backend) in self.servers.iter_mut().zip(&mut self.backends) {
                    server.set_health(None);
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
                for (server, backend) in self.backends.iter_mut().enumerate() {
                    backend.breaker = CircuitBreaker::new(breaker);
                    self.timers.disarm(Timer::BreakerWait(server as u32));
                }
            }
            Command::SetRetry(retry) => self.resilience.retry = retry,
            Command::SetRate(rate) => {
                self.traffic.rate = rate;
                self.timers.disarm(Timer::Arrival);
                self.schedule_next_arrival();
            }
            Command::SetPattern(pattern) => {
                self.traffic.pattern = pattern;
                self.timers.disarm(Timer::Arrival);
                self.schedule_next_arrival();
            }
            Command::SetClientTimeout(t) => self.traffic.client_timeout = t,
            Command::SetMeanCost(mean) => self.traffic.cost = self.traffic.cost.with_mean(mean),
            Command::SetRateLimit(limit) => {
                self.limiters = Limiters::new(limit, self.front.as_ref().map_or(1, FrontState::len))
            }
            Command::SetAutoscale(config) => self.set_autoscale(config),
            Command::SetClientRetry(retry) => self.set_client_retry(retry),
            Command::SetClosedLoop(closed) => self.set_closed_loop(closed),
            Command::KillBalancer { balancer } => self.kill_balancer(balancer),
            Command::ReviveBalancer { balancer } => self.revive_balancer(balancer),
        }
        let timed = TimedCommand {
            at: self.now,
            command,
        };
        self.recording.push(timed);
        if scripted.is_none() {
            self.given.push(travel::Given {
                events: self.events_processed,
                timed,
            });
        }
        self.emit(Event::Command(Box::new(event)));
        if let Some(before) = pool_before {
            self.report_remap(&before);
        }
        Ok(())
    }

    /// The origin of the scenario's timeline entry `entry`.
    pub(super) fn timeline_origin(&self, entry: usize) -> Origin {
        Origin::Timeline {
            entry: entry as u32,
            of: self.scenario.timeline.len() as u32,
            scheduled: self.scenario.timeline[entry].at,
        }
    }

    /// What `command` is about to change, as it is now (the numbers its event keeps).
    pub(super) fn before(&self, command: &Command) -> Before {
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
            Command::SetLayer(_) => Before::Layer(self.layer),
            Command::SetTls(_) => self.tls_mode().map_or(Before::Nothing, Before::Tls),
            Command::SetRate(_) => Before::Rate(self.traffic.rate),
            Command::SetMeanCost(_) => Before::MeanCost(self.traffic.cost.mean()),
            Command::SetRateLimit(_) => Before::RateLimit(self.limiters.config()),
            Command::SetAutoscale(_) => {
                Before::Autoscale(self.autoscaling.as_ref().map(|a| a.config()))
            }
            Command::SetClientRetry(_) => Before::ClientRetry(self.traffic.client_retry),
            Command::SetClosedLoop(_) => Before::ClosedLoop(self.traffic.closed_loop),
            Command::KillBalancer { balancer } => Before::Held(self.held_by(balancer)),
            _ => Before::Nothing,
        }
    }

    /// Logs how many keys a change of the server set moved under the hashing algorithm, from
    /// `before` to the pool as it is now: any change, such as a weight's (which builds the new
    /// ring). The sample spreads the clients over the paths, so it measures client keys, or path
    /// keys for `Uri`.
    pub(super) fn report_remap(&mut self, before: &[Candidate]) {
        let Some(key) = self.algorithm.hash_key() else {
            return;
        };
        let membership = |pool: &[Candidate]| -> Vec<(u32, bool)> {
            pool.iter().map(|c| (c.weight, c.eligible())).collect()
        };
        if membership(before) == membership(self.pool.candidates()) {
            return;
        }
        let (of, mut sample) = self.take_remap_sample(key);
        let moved = sample.changed(before, self.pool.candidates());
        let sampled = sample.sampled();
        self.remap_sample = Some((of, sample));
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
        let eligible = (eligible(before), eligible(self.pool.candidates()));
        self.log_remap(key, moved, sampled, eligible, changes);
    }

    /// Logs how many keys `server`'s availability changing (and nothing else) moved under the
    /// hashing algorithm, if it left or joined the eligible servers. Costs the keys it can move and a
    /// pass over the servers' flags.
    pub(super) fn report_availability(&mut self, server: usize) {
        let Some(key) = self.algorithm.hash_key() else {
            return;
        };
        let (of, mut sample) = self.take_remap_sample(key);
        let moved = sample.availability_changed(self.pool.candidates(), server);
        let sampled = sample.sampled();
        self.remap_sample = Some((of, sample));
        let Some(moved) = moved else {
            return;
        };
        let after = self
            .pool
            .candidates()
            .iter()
            .filter(|c| c.eligible())
            .count() as u32;
        let (before, change) = if self.pool.candidates()[server].eligible() {
            (after - 1, Membership::Joined)
        } else {
            (after + 1, Membership::Left)
        };
        let changes = vec![(server as u32, change)];
        self.log_remap(key, moved, sampled, (before, after), changes);
    }

    /// The remap report's sample of keys for `key`, taken out (to be put back): kept from the
    /// last report while the clients it is drawn from are the same, else drawn again.
    fn take_remap_sample(&mut self, key: HashKey) -> (SampleOf, KeyOwners) {
        let of = SampleOf {
            key,
            clients: self.traffic.clients.min(REMAP_SAMPLE),
            behind_nat: self.traffic.behind_nat,
        };
        match self.remap_sample.take() {
            Some((was, sample)) if was == of => (was, sample),
            _ => {
                let paths = self.path_hashes.len() as u32;
                let hashes = (0..of.clients)
                    .map(|client| key.hash(&self.request_key(client, (client % paths) as u8)))
                    .collect();
                (of, KeyOwners::new(hashes))
            }
        }
    }

    fn log_remap(
        &mut self,
        key: HashKey,
        moved: Remap,
        sampled: u32,
        eligible: (u32, u32),
        changes: Vec<(u32, Membership)>,
    ) {
        let keys = if key == HashKey::Uri {
            KeyKind::Path
        } else {
            KeyKind::Client
        };
        self.last_remap = Some(moved);
        self.emit(Event::Remap(RemapEvent {
            algorithm: self.algorithm,
            keys,
            moved,
            sampled,
            eligible,
            changes,
        }));
    }

    /// A copy of the balancer's view under a hashing algorithm, to measure a remap against.
    pub(super) fn hashing_view(&self) -> Option<Vec<Candidate>> {
        self.algorithm
            .hash_key()
            .map(|_| self.pool.candidates().to_vec())
    }

    pub(super) fn kill(&mut self, server: usize) {
        self.reset_connections(server);
        let mut jobs = std::mem::take(&mut self.job_scratch);
        self.jobs_queued -= u64::from(self.servers[server].queued());
        self.servers[server].kill(&mut jobs, self.now);
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

    /// The name the next server added gets: `server-N`, N its number.
    pub(super) fn next_server_name(&self) -> String {
        validate::added_server_name(self.servers.len(), |name| {
            self.servers.iter().any(|s| s.spec().name == name)
        })
    }

    /// Adds a server with `spec` at the end, with a fresh balancer view and statistics.
    pub(super) fn add_server(&mut self, spec: crate::sim::server::ServerSpec) {
        let index = self.servers.len();
        let check = ServerCheck::applied(spec.health, self.resilience.health);
        self.pool.push(spec.weight, spec.backup);
        self.servers.push(Server::new(spec));
        self.backends
            .push(Backend::new(check, self.resilience.breaker));
        self.launched.push(None);
        self.metrics.add_server();
        self.timers.add_server();
        self.start_health_check(index);
    }

    /// Takes `server` out of the configuration: no new requests, the ones it has finish.
    pub(super) fn remove_server(&mut self, server: usize) {
        self.retire_connections(server);
        self.backends[server].remove();
        self.servers[server].degrade(0.0);
        self.refresh_availability(server);
    }

    /// One second of degradation for every degrading, live server.
    pub(super) fn degrade_tick(&mut self) {
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
        self.schedule_degrade_tick();
    }

    /// The next second of degradation is due in a second (any tick pending before is stale).
    fn schedule_degrade_tick(&mut self) {
        let token = self.timers.arm(Timer::Degrade);
        let tick = Step::DegradeTick(token);
        self.events.push(self.now + SimDuration::from_secs(1), tick);
    }

    pub(super) fn set_speed(&mut self, server: usize, speed: f64) {
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
}
