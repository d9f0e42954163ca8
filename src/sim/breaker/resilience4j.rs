//! Resilience4j's CircuitBreaker: a sliding window of the last N calls (or the calls of the last
//! N seconds); no decision until it holds `minimum_calls`; it trips when the failure rate or the
//! slow-call rate reaches its threshold. HALF_OPEN admits exactly `permitted_half_open` calls and
//! refuses the rest; once they are all in, their rate decides: at or over the threshold it opens
//! again, under it closes.

use super::BreakerRule;
use super::circuit::Design;
use super::window::{Window, percent};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// Resilience4j's sliding window.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// The last N calls.
    Count(u32),
    /// The calls of the last N seconds.
    Time(u32),
}

/// Resilience4j's settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resilience4j {
    /// The sliding window.
    pub window: WindowKind,
    /// Failure rate (percent) that opens it.
    pub failure_rate: f64,
    /// Slow-call rate (percent) that opens it.
    pub slow_rate: f64,
    /// Calls longer than this are slow.
    pub slow_call_duration: SimDuration,
    /// No decision until the window holds this many calls.
    pub minimum_calls: u32,
    /// How long it stays open.
    pub wait_open: SimDuration,
    /// Calls admitted while half-open.
    pub permitted_half_open: u32,
    /// Move to half-open by timer instead of on the first call after the wait.
    pub automatic_transition: bool,
}

impl Resilience4j {
    /// Resilience4j's defaults: 100 calls counted, 50% failures or 100% slow (over 60 s), at
    /// least 100 calls, 60 s open, 10 trial calls, no automatic transition.
    pub const DEFAULT: Resilience4j = Resilience4j {
        window: WindowKind::Count(100),
        failure_rate: 50.0,
        slow_rate: 100.0,
        slow_call_duration: SimDuration::from_secs(60),
        minimum_calls: 100,
        wait_open: SimDuration::from_secs(60),
        permitted_half_open: 10,
        automatic_transition: false,
    };

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        format!(
            "Resilience4j ({}% of >= {} calls, {} open)",
            self.failure_rate, self.minimum_calls, self.wait_open
        )
    }

    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        let (ms, hour) = (SimDuration::MS, SimDuration::HOUR);
        let size = match self.window {
            WindowKind::Count(n) | WindowKind::Time(n) => n,
        };
        check_range(&f("window"), f64::from(size), 1.0, 10_000.0)?;
        check_range(&f("failure_rate"), self.failure_rate, 1.0, 100.0)?;
        check_range(&f("slow_rate"), self.slow_rate, 1.0, 100.0)?;
        check_duration(&f("slow_call_duration"), self.slow_call_duration, ms, hour)?;
        check_range(
            &f("minimum_calls"),
            f64::from(self.minimum_calls),
            1.0,
            10_000.0,
        )?;
        check_duration(&f("wait_open"), self.wait_open, ms, hour)?;
        check_range(
            &f("permitted_half_open"),
            f64::from(self.permitted_half_open),
            1.0,
            1_000.0,
        )
    }
}

/// The sliding window of calls.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Resilience4jWindow {
    config: Resilience4j,
    window: Window,
}

impl Resilience4jWindow {
    pub(super) fn new(config: Resilience4j) -> Resilience4jWindow {
        Resilience4jWindow {
            config,
            window: Window::new(config.window),
        }
    }
}

impl Design for Resilience4jWindow {
    fn wait(&self) -> SimDuration {
        self.config.wait_open
    }

    fn permitted(&self) -> u32 {
        self.config.permitted_half_open.max(1)
    }

    fn is_slow(&self, took: SimDuration) -> bool {
        took > self.config.slow_call_duration
    }

    fn automatic(&self) -> bool {
        self.config.automatic_transition
    }

    fn record(&mut self, failed: bool, took: SimDuration, now: SimTime) -> Option<BreakerRule> {
        let slow = self.is_slow(took);
        self.window.record(failed, slow, now);
        let (calls, failures, slows) = self.window.counts(now);
        let c = &self.config;
        if calls < c.minimum_calls {
            return None;
        }
        let (f, s) = (percent(failures, calls), percent(slows, calls));
        let rule = if f >= c.failure_rate {
            BreakerRule::FailureRate {
                rate: f,
                threshold: c.failure_rate,
                calls,
            }
        } else if s >= c.slow_rate {
            BreakerRule::SlowCallRate {
                rate: s,
                threshold: c.slow_rate,
                calls,
            }
        } else {
            return None;
        };
        self.window.clear();
        Some(rule)
    }

    fn judge(&self, bad: u32, permitted: u32) -> (bool, BreakerRule) {
        let rate = percent(bad, permitted);
        let threshold = self.config.failure_rate.min(self.config.slow_rate);
        let rule = BreakerRule::Trials {
            bad,
            permitted,
            rate,
            threshold,
        };
        (rate >= threshold, rule)
    }

    fn forget(&mut self) {
        self.window.clear();
    }
}
