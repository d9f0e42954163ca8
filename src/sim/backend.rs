//! What the load balancer knows and decides about one server, as opposed to what the server is:
//! its health-check state, its passive-check record, its circuit breaker and whether it is being
//! drained. The balancer offers a server to its algorithm only when all of these allow it; it learns
//! that a server died only through them.

use super::breaker::{BreakerConfig, CircuitBreaker};
use super::health::{ActiveCheck, HealthChecker};
use super::passive::{Passive, PassiveState};
use super::time::SimTime;

/// The load balancer's view of one server.
#[derive(Clone, Debug)]
pub struct Backend {
    health: Option<HealthChecker>,
    pub(crate) passive: PassiveState,
    pub(crate) breaker: CircuitBreaker,
    draining: bool,
    removed: bool,
    booting: bool,
}

impl Backend {
    /// A backend that starts UP, with a clean record and a closed breaker.
    pub fn new(health: Option<ActiveCheck>, breaker: BreakerConfig) -> Backend {
        Backend {
            health: health.map(HealthChecker::new),
            passive: PassiveState::default(),
            breaker: CircuitBreaker::new(breaker),
            draining: false,
            removed: false,
            booting: false,
        }
    }

    /// A backend for a server the autoscaler just launched: not offered until it has booted.
    pub fn launching(health: Option<ActiveCheck>, breaker: BreakerConfig) -> Backend {
        Backend {
            booting: true,
            ..Backend::new(health, breaker)
        }
    }

    /// Whether its server is still booting.
    pub fn booting(&self) -> bool {
        self.booting
    }

    pub(crate) fn booted(&mut self) {
        self.booting = false;
    }

    /// The health checker, when active checks are on.
    pub fn health(&self) -> Option<&HealthChecker> {
        self.health.as_ref()
    }

    pub(crate) fn health_mut(&mut self) -> Option<&mut HealthChecker> {
        self.health.as_mut()
    }

    pub(crate) fn set_health(&mut self, health: Option<ActiveCheck>) {
        self.health = health.map(HealthChecker::new);
    }

    /// Whether active checks consider it UP (true when they are off).
    pub fn health_up(&self) -> bool {
        self.health.as_ref().is_none_or(HealthChecker::is_up)
    }

    /// Its passive-check record.
    pub fn passive(&self) -> &PassiveState {
        &self.passive
    }

    /// Its circuit breaker.
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// Whether it is being drained.
    pub fn draining(&self) -> bool {
        self.draining
    }

    pub(crate) fn set_draining(&mut self, on: bool) {
        self.draining = on;
    }

    /// Whether it was taken out of the configuration.
    pub fn removed(&self) -> bool {
        self.removed
    }

    pub(crate) fn remove(&mut self) {
        self.removed = true;
    }

    /// Whether the balancer would offer it at `now`: booted, not draining, UP, and admitted by
    /// passive checks.
    pub fn offered(&self, passive: &Passive, now: SimTime, single: bool) -> bool {
        !self.draining
            && !self.removed
            && !self.booting
            && self.health_up()
            && self.passive.admits(passive, now, single)
    }

    /// Whether health or passive checks consider it healthy (for Envoy's panic threshold).
    pub fn healthy(&self, passive: &Passive, now: SimTime) -> bool {
        self.health_up() && self.passive.admits(passive, now, false)
    }
}
