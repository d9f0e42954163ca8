//! Active health checks as a chain of timed checks per server, and the transitions of the
//! passive checks and breakers turned into events.

use super::*;

impl Simulation {
    /// Starts a health-check chain for every server (first checks now) if checks are on, and
    /// stops the chains running before.
    pub(super) fn start_health_checks(&mut self) {
        for server in 0..self.servers.len() {
            self.start_health_check(server);
        }
    }

    /// Starts `server`'s health-check chain afresh (first check now), if checks are on.
    pub(super) fn start_health_check(&mut self, server: usize) {
        let timer = Timer::Check(server as u32);
        // A booting server's checks begin when it is ready.
        if self.backends[server].health().is_none() || self.backends[server].booting() {
            self.timers.disarm(timer);
            return;
        }
        let token = self.timers.arm(timer);
        let event = Step::CheckDue {
            server: server as u32,
            token,
        };
        self.events.push(self.now, event);
    }

    /// A health check of `server` starts: its result is known at once, and reported when the
    /// server answers (or at the timeout).
    pub(super) fn run_check(&mut self, server: usize) {
        let Some(checker) = self.backends[server].health() else {
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
        let next = (started + checker.next_interval()).max(self.now);
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
