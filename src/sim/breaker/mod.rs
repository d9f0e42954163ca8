//! Circuit breakers: one per server, in front of it at the load balancer. A breaker watches the
//! results of the calls it let through and, when the server looks broken, OPENs: calls are refused
//! at once (not sent), which spares a struggling server and fails fast. After a wait it lets trial
//! calls through (HALF_OPEN) and closes again if they succeed.
//!
//! Three real designs, each its own type with its settings, its state, its validation and its
//! description ([`Design`](circuit) is what they answer to); [`CircuitBreaker`] runs the states
//! they share:
//! - [`Consecutive`] failures (the classic): OPEN after `threshold` failures in a row; after
//!   `timeout` one call goes through; success closes, failure reopens.
//! - [`Resilience4j`]: a sliding window (the last N calls, or the last N seconds); no decision
//!   until the window holds `minimum_calls`; trips when failure% >= threshold or slow% >= threshold
//!   (slow: longer than `slow_call_duration`). HALF_OPEN admits exactly `permitted_half_open`
//!   calls, refuses the rest, and once they are all in decides: rate >= threshold reopens, else it
//!   closes.
//! - [`Hystrix`]: a 10 s rolling window; trips when it holds >= `volume_threshold` requests and
//!   error% >= threshold; after `sleep_window` exactly one trial request; success closes and resets.
//!
//! Results are tagged with the breaker's epoch when the call was let through, so a late answer
//! from an earlier state cannot sway the current one.

mod circuit;
mod consecutive;
mod hystrix;
mod resilience4j;
mod transition;
mod window;

pub use circuit::CircuitBreaker;
pub use consecutive::Consecutive;
pub use hystrix::Hystrix;
pub use resilience4j::{Resilience4j, WindowKind};
pub use transition::{BreakerRule, BreakerState, BreakerTransition};

use super::validation::ValidationError;

/// Circuit-breaker settings: the design, with its own settings. In files
/// `{"kind": "consecutive", "threshold": 5, "timeout": "60s"}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BreakerConfig {
    /// No breaker.
    Off,
    /// OPEN after a number of consecutive failures; one trial after a timeout.
    Consecutive(Consecutive),
    /// Resilience4j's CircuitBreaker.
    Resilience4j(Resilience4j),
    /// Hystrix's circuit breaker (10 s rolling window).
    Hystrix(Hystrix),
}

impl BreakerConfig {
    /// The classic consecutive-failure breaker: 5 failures, 60 s.
    pub const CONSECUTIVE_DEFAULT: BreakerConfig = BreakerConfig::Consecutive(Consecutive::DEFAULT);
    /// Resilience4j's defaults.
    pub const RESILIENCE4J_DEFAULT: BreakerConfig =
        BreakerConfig::Resilience4j(Resilience4j::DEFAULT);
    /// Hystrix's defaults.
    pub const HYSTRIX_DEFAULT: BreakerConfig = BreakerConfig::Hystrix(Hystrix::DEFAULT);

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        match self {
            BreakerConfig::Off => "off".into(),
            BreakerConfig::Consecutive(c) => c.describe(),
            BreakerConfig::Resilience4j(r) => r.describe(),
            BreakerConfig::Hystrix(h) => h.describe(),
        }
    }

    /// Checks the settings; the error names the bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        match self {
            BreakerConfig::Off => Ok(()),
            BreakerConfig::Consecutive(c) => c.validate(field),
            BreakerConfig::Resilience4j(r) => r.validate(field),
            BreakerConfig::Hystrix(h) => h.validate(field),
        }
    }

    /// Trial calls a HALF_OPEN breaker of this design admits.
    pub fn permitted_half_open(&self) -> u32 {
        match self {
            BreakerConfig::Resilience4j(r) => r.permitted_half_open.max(1),
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests;
