//! A breaker's states and its transitions as data: the states on either side and the rule that
//! decided, with its numbers.

use crate::sim::time::SimDuration;

/// The breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BreakerState {
    /// Calls flow; results are watched.
    Closed,
    /// Calls are refused.
    Open,
    /// Trial calls are let through.
    HalfOpen,
}

impl BreakerState {
    /// The state in words, as the page and the timeline write it (the report's data keeps the
    /// literature's `HALF_OPEN`).
    pub fn label(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// The rule that moved a breaker, with the numbers it decided on.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum BreakerRule {
    /// Consecutive failures reached the threshold (classic breaker).
    ConsecutiveFailures {
        /// The threshold, reached.
        threshold: u32,
    },
    /// Resilience4j: the window's failure rate reached the threshold.
    FailureRate {
        /// The failure rate, percent.
        rate: f64,
        /// The threshold, percent.
        threshold: f64,
        /// Calls in the window.
        calls: u32,
    },
    /// Resilience4j: the window's slow-call rate reached the threshold.
    SlowCallRate {
        /// The slow-call rate, percent.
        rate: f64,
        /// The threshold, percent.
        threshold: f64,
        /// Calls in the window.
        calls: u32,
    },
    /// Hystrix: enough requests in the rolling window, and enough of them failed.
    ErrorPercent {
        /// Failed requests in the window.
        failures: u32,
        /// Requests in the window.
        calls: u32,
        /// Their error percentage.
        percent: f64,
        /// The threshold, percent.
        threshold: f64,
    },
    /// The open time is over: trial calls may go through.
    WaitOver {
        /// How long it stayed open.
        waited: SimDuration,
        /// How many trial calls it admits.
        permitted: u32,
    },
    /// Resilience4j: every permitted trial call is in; their failure rate decided.
    Trials {
        /// Trial calls that failed (or were slow).
        bad: u32,
        /// Trial calls admitted.
        permitted: u32,
        /// Their failure rate, percent.
        rate: f64,
        /// The threshold (the lower of the failure and slow-call thresholds), percent.
        threshold: f64,
    },
    /// Consecutive or Hystrix: the one trial call ended.
    Trial {
        /// Whether it succeeded.
        ok: bool,
    },
}

/// A change of state, with the rule that made it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct BreakerTransition {
    /// The state before.
    pub from: BreakerState,
    /// The new state.
    pub to: BreakerState,
    /// Why.
    #[serde(flatten)]
    pub rule: BreakerRule,
}
