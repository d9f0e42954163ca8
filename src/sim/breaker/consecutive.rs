//! The classic breaker: OPEN after `threshold` failures in a row; after `timeout` one trial call
//! goes through; its success closes the breaker, its failure opens it again.

use super::BreakerRule;
use super::circuit::Design;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// The consecutive-failures breaker's settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consecutive {
    /// Consecutive failures that open it.
    pub threshold: u32,
    /// How long it stays open after the last failure.
    pub timeout: SimDuration,
}

impl Consecutive {
    /// 5 failures, 60 s (the seed material's breaker).
    pub const DEFAULT: Consecutive = Consecutive {
        threshold: 5,
        timeout: SimDuration::from_secs(60),
    };

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        format!(
            "{} consecutive failures, {} open",
            self.threshold, self.timeout
        )
    }

    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        check_range(&f("threshold"), f64::from(self.threshold), 1.0, 10_000.0)?;
        check_duration(
            &f("timeout"),
            self.timeout,
            SimDuration::MS,
            SimDuration::HOUR,
        )
    }
}

/// The run of failures so far.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ConsecutiveCount {
    config: Consecutive,
    failures: u32,
}

impl ConsecutiveCount {
    pub(super) fn new(config: Consecutive) -> ConsecutiveCount {
        ConsecutiveCount {
            config,
            failures: 0,
        }
    }
}

impl Design for ConsecutiveCount {
    fn wait(&self) -> SimDuration {
        self.config.timeout
    }

    fn record(&mut self, failed: bool, _: SimDuration, _: SimTime) -> Option<BreakerRule> {
        self.failures = if failed { self.failures + 1 } else { 0 };
        let threshold = self.config.threshold;
        (self.failures >= threshold).then(|| {
            self.failures = 0;
            BreakerRule::ConsecutiveFailures { threshold }
        })
    }

    fn forget(&mut self) {
        self.failures = 0;
    }
}
