//! Active health checks as a chain of timed checks per server, and the transitions of the
//! passive checks and breakers turned into events.

use super::*;
use crate::sim::health::CheckKind;

impl Simulation {
    /// Starts a health-check chain for every server if checks are on, and stops the chains
    /// running before. The first checks run now, or spread over the interval when the schedule
    /// says so (HAProxy's `start_checks`).
    pub(super) fn start_health_checks(&mut self) {
        let intervals: Vec<Option<SimDuration>> = (0..self.servers.len())
            .map(|server| {
                self.checks_now(server)
                    .then(|| self.backends[server].health().map(|c| c.next_interval()))
                    .flatten()
            })
            .collect();
        let schedule = self.resilience.check_schedule;
        let rng = &mut self.streams.checks;
        let delays = schedule.first_delays(&intervals, || rng.unit());
        for (server, delay) in delays.into_iter().enumerate() {
            self.schedule_first_check(server, delay);
        }
    }

    /// Starts `server`'s health-check chain afresh (first check now), if checks are on.
    pub(super) fn start_health_check(&mut self, server: usize) {
        let delay = self.checks_now(server).then_some(SimDuration::ZERO);
        self.schedule_first_check(server, delay);
    }

    /// Whether `server` is checked now: checks are on for it, it is not booting, and it is not in
    /// maintenance (marked down in the configuration and not yet put back).
    fn checks_now(&self, server: usize) -> bool {
        let backend = &self.backends[server];
        backend.health().is_some()
            && !backend.booting()
            && !(self.servers[server].spec().down && backend.draining())
    }

    /// Arms `server`'s first check `delay` from now, or stops its chain (`None`).
    fn schedule_first_check(&mut self, server: usize, delay: Option<SimDuration>) {
        let timer = Timer::Check(server as u32);
        let Some(delay) = delay else {
            self.timers.disarm(timer);
            return;
        };
        let token = self.timers.arm(timer);
        let event = Step::CheckDue {
            server: server as u32,
            token,
        };
        self.events.push(self.now + delay, event);
    }

    /// A health check of `server` starts: its result is known at once, and reported when the
    /// server answers (or at the timeout).
    pub(super) fn run_check(&mut self, server: usize) {
        let Some(checker) = self.backends[server].health() else {
            return;
        };
        let check = *checker.config();
        let trip = if check.over_network {
            self.scenario.backend_latency + self.scenario.backend_latency
        } else {
            SimDuration::ZERO
        };
        let s = &self.servers[server];
        let (failure, took) = if !s.accepts(self.now) {
            (Some(CheckFailure::Refused), trip)
        } else if check.kind == CheckKind::Tcp {
            // The connection is accepted: a TCP check reads no answer.
            let failure = (!checker.within_timeout(trip)).then_some(CheckFailure::Timeout);
            (failure, trip)
        } else {
            // The health page answers outside the request queue; it fails with the server's
            // error rate, and while the database is down it still answers 200, saying so.
            let took = trip + service_time(check.check_work, s.spec().speed);
            let rate = s.spec().error_rate;
            if rate > 0.0 && self.streams.faults.chance(rate) {
                (Some(CheckFailure::Error), took)
            } else if !checker.within_timeout(took) {
                (Some(CheckFailure::Timeout), took)
            } else if check.kind == CheckKind::HttpExpect && s.spec().database_down {
                (Some(CheckFailure::Unexpected), took)
            } else {
                (None, took)
            }
        };
        let failure = match failure {
            Some(CheckFailure::Refused) if !checker.within_timeout(took) => {
                Some(CheckFailure::Timeout)
            }
            failure => failure,
        };
        let at = checker.reported_at(self.now, took);
        let token = self.timers.arm(Timer::Check(server as u32));
        let event = Step::CheckDone {
            server: server as u32,
            token,
            started: self.now,
            failure,
        };
        self.events.push(at, event);
    }

    pub(super) fn check_done(
        &mut self,
        server: usize,
        started: SimTime,
        failure: Option<CheckFailure>,
    ) {
        let Some(checker) = self.backends[server].health_mut() else {
            return;
        };
        let transition = checker.observe(failure.map_or(Ok(()), Err));
        let schedule = self.resilience.check_schedule;
        let interval = if schedule.jitter_percent > 0 {
            schedule.jittered(checker.next_interval(), self.streams.checks.unit())
        } else {
            checker.next_interval()
        };
        let next = (started + interval).max(self.now);
        let token = self.timers.arm(Timer::Check(server as u32));
        self.events.push(
            next,
            Step::CheckDue {
                server: server as u32,
                token,
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

    pub(super) fn log_passive(&mut self, server: usize, transition: PassiveTransition) {
        self.emit(Event::Passive(PassiveEvent {
            server: server as u32,
            transition,
            config: self.resilience.passive,
            retry: self.resilience.retry,
        }));
    }

    pub(super) fn log_breaker(&mut self, server: usize, transition: BreakerTransition) {
        let timer = Timer::BreakerWait(server as u32);
        match self.backends[server].breaker.next_timeout() {
            Some(at) => {
                let token = self.timers.arm(timer);
                let event = Step::BreakerTimer {
                    server: server as u32,
                    token,
                };
                self.events.push(at, event);
            }
            None => self.timers.disarm(timer),
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
