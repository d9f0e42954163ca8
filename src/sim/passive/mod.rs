//! Passive health checking: the load balancer judges servers by the answers to real requests.
//!
//! - nginx `max_fails` / `fail_timeout` (defaults 1 and 10 s): a server is skipped while
//!   `fails >= max_fails` and no more than `fail_timeout` has passed since the last failure check.
//!   After that one request goes through as a probe (picking it restarts the window): a success then
//!   resets `fails`, a failure skips it again. Successes inside the window do not clear `fails`.
//!   nginx ignores all this when the upstream has a single server.
//! - Envoy outlier detection: `consecutive_5xx` (5) errors in a row eject a host for
//!   `base_ejection_time` (30 s) times the number of times it has been ejected, capped by
//!   `max_ejection_time` (300 s); at most `max_ejection_percent` (10%) of hosts are ejected at once,
//!   but always at least one may be. The multiplier drops by one for every ejection-time period the
//!   host stays healthy.
//! - Envoy's panic threshold (50%) is applied by the engine: when fewer than that share of hosts are
//!   healthy, it balances across all hosts, healthy or not.
//!
//! Each design is its own type with its settings, validation and description, and keeps its
//! record of a server in a type of its own ([`PassiveCheck`] is what they answer to).

mod envoy;
mod nginx;

pub use envoy::EnvoyOutlier;
pub use nginx::NginxPassive;

use super::time::{SimDuration, SimTime};
use super::validation::ValidationError;

/// What one passive-check design decides, from its own record of one server.
trait PassiveCheck {
    /// What it remembers of a server.
    type Record;

    /// Whether the balancer may pick the server at `now` (`single`: the pool has one server).
    fn admits(&self, record: &Self::Record, now: SimTime, single: bool) -> bool;

    /// The balancer picked the server at `now`.
    fn on_pick(&self, _record: &mut Self::Record, _now: SimTime) {}

    /// An answer came back at `now`, `failed` by the check's own criteria, with `ejected_now`
    /// hosts already out of `hosts`; returns the transition it causes, if any.
    fn on_answer(
        &self,
        record: &mut Self::Record,
        failed: bool,
        now: SimTime,
        ejected_now: usize,
        hosts: usize,
    ) -> Option<PassiveTransition>;
}

/// Passive health-check settings: the design, with its own settings. In files
/// `{"kind": "nginx", "max_fails": 1, "fail_timeout": "10s"}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Passive {
    /// No passive checking.
    Off,
    /// nginx `max_fails` / `fail_timeout`.
    Nginx(NginxPassive),
    /// Envoy outlier detection.
    Envoy(EnvoyOutlier),
}

impl Passive {
    /// nginx's defaults: `max_fails=1 fail_timeout=10s`.
    pub const NGINX_DEFAULT: Passive = Passive::Nginx(NginxPassive::DEFAULT);
    /// Envoy's outlier-detection defaults.
    pub const ENVOY_DEFAULT: Passive = Passive::Envoy(EnvoyOutlier::DEFAULT);

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        match self {
            Passive::Off => "off".into(),
            Passive::Nginx(n) => n.describe(),
            Passive::Envoy(e) => e.describe(),
        }
    }

    /// Checks the settings; the error names the bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        match self {
            Passive::Off => Ok(()),
            Passive::Nginx(n) => n.validate(field),
            Passive::Envoy(e) => e.validate(field),
        }
    }
}

/// A change of a server's passive state, with the numbers that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PassiveTransition {
    /// nginx: `fails` failures within fail_timeout reached max_fails; skipped for fail_timeout.
    Skipped {
        /// Failures counted.
        fails: u32,
        /// nginx `max_fails`.
        max_fails: u32,
        /// nginx `fail_timeout`: how long it is skipped.
        fail_timeout: SimDuration,
    },
    /// nginx: the probe sent after fail_timeout succeeded, so the failure count was reset.
    ProbePassed,
    /// Envoy: `consecutive_5xx` errors in a row ejected the host for `length`.
    Ejected {
        /// Consecutive errors that ejected it.
        consecutive_5xx: u32,
        /// How long the ejection lasts.
        length: SimDuration,
        /// Which ejection in a row this is (the multiplier of the base ejection time).
        ejection: u32,
    },
    /// Envoy: the ejection time ran out.
    EjectionOver,
}

impl PassiveTransition {
    /// True when the server was taken out, false when it was let back in.
    pub fn out(self) -> bool {
        matches!(
            self,
            PassiveTransition::Skipped { .. } | PassiveTransition::Ejected { .. }
        )
    }
}

/// One server's passive-check record: each design's own, used while that design is on.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PassiveState {
    nginx: nginx::NginxRecord,
    envoy: envoy::EnvoyRecord,
}

impl PassiveState {
    /// Whether the balancer may pick this server at `now` (`single`: the pool has one server).
    pub fn admits(&self, config: &Passive, now: SimTime, single: bool) -> bool {
        match config {
            Passive::Off => true,
            Passive::Nginx(n) => n.admits(&self.nginx, now, single),
            Passive::Envoy(e) => e.admits(&self.envoy, now, single),
        }
    }

    /// Whether the server is currently ejected (Envoy) or failed (nginx), for display.
    pub fn is_out(&self, config: &Passive, now: SimTime) -> bool {
        !self.admits(config, now, false)
    }

    /// The balancer picked this server at `now`: nginx starts a probe once the window has passed.
    pub fn on_pick(&mut self, config: &Passive, now: SimTime) {
        match config {
            Passive::Off => {}
            Passive::Nginx(n) => n.on_pick(&mut self.nginx, now),
            Passive::Envoy(e) => e.on_pick(&mut self.envoy, now),
        }
    }

    /// An answer from this server came back at `now`; `failed` by the check's own criteria.
    /// `ejected_now` is how many hosts are ejected already and `hosts` how many there are.
    pub fn on_answer(
        &mut self,
        config: &Passive,
        failed: bool,
        now: SimTime,
        ejected_now: usize,
        hosts: usize,
    ) -> Option<PassiveTransition> {
        match config {
            Passive::Off => None,
            Passive::Nginx(n) => n.on_answer(&mut self.nginx, failed, now, ejected_now, hosts),
            Passive::Envoy(e) => e.on_answer(&mut self.envoy, failed, now, ejected_now, hosts),
        }
    }

    /// When an Envoy ejection ends, if one is in force.
    pub fn ejected_until(&self) -> Option<SimTime> {
        self.envoy.ejected_until
    }

    /// Ends an Envoy ejection whose time is up; returns the transition.
    pub fn expire(&mut self, now: SimTime) -> Option<PassiveTransition> {
        self.envoy.expire(now)
    }
}

#[cfg(test)]
mod tests;
