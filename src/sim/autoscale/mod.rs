//! Autoscaling: a controller that watches a metric of the servers it runs and changes how many
//! there are, by one of two real designs.
//!
//! - Kubernetes' Horizontal Pod Autoscaler ([`Hpa`]): every sync period, desired = ceil(ready
//!   servers x metric / target), unless the ratio is within the tolerance (10%); servers still
//!   starting count as idle when that would scale up; a scale-down waits out the stabilisation
//!   window (the highest recommendation of the last 5 minutes wins); a scale-up adds at most
//!   max(100%, 4 servers) per 15 s.
//! - AWS target tracking ([`TargetTracking`]): the metric is averaged over each period (a
//!   CloudWatch minute); after 3 periods above the target it scales out to ceil(servers x metric /
//!   target), after 15 below it scales in; a cooldown after each scaling blocks the next one in the
//!   same direction, and a new server's numbers count only once its warm-up is over.
//!
//! The metric is measured by the engine over the servers that count (ready, and for target
//! tracking warmed up) during the period since the last evaluation: CPU (the share of worker time
//! busy), requests in flight per server (at the evaluation), or requests per second per server.
//! The decision machines here are pure: they see an [`Observation`] and answer with a
//! [`ScaleDecision`] or nothing. What a new server does (boot, then slow start) and how a
//! server leaves (drained: it takes no new requests and finishes the ones it has) is the
//! engine's.
//!
//! Metric values and targets are compared in thousandths, as Kubernetes compares utilisation in
//! whole percent and quantities in milli-units, so `4 x 90% / 60%` is exactly 6.

mod hpa;
mod target_tracking;

#[cfg(test)]
mod tests;

pub use hpa::Hpa;
pub use target_tracking::TargetTracking;

use super::time::{SimDuration, SimTime};
use super::validation::{ValidationError, check_duration, check_range};

/// The most servers an autoscaler may run.
pub const MAX_AUTOSCALED: u32 = 1_000;

/// What the autoscaler measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// The share of the servers' worker time spent busy (0 to 1), averaged over the period.
    Cpu,
    /// Requests at each server (being served or queued), at the evaluation.
    InFlight,
    /// Requests sent to each server per second, over the period.
    Rps,
}

impl Metric {
    /// The range a target for it may take.
    fn target_range(self) -> (f64, f64) {
        match self {
            Metric::Cpu => (0.01, 1.0),
            Metric::InFlight => (0.1, 1e4),
            Metric::Rps => (0.01, 1e6),
        }
    }

    /// A value of it in words: `62%`, `3.5 in flight`, `41.0 req/s`.
    pub fn value_words(self, value: f64) -> String {
        match self {
            Metric::Cpu => format!("{:.0}% CPU", value * 100.0),
            Metric::InFlight => format!("{value:.1} in flight"),
            Metric::Rps => format!("{value:.1} req/s"),
        }
    }
}

/// Autoscaling settings. In files `{"policy": {"kind": "hpa"}, "metric": "cpu", "target": 0.6,
/// "min": 2, "max": 10, "boot_time": "30s"}`; the policy's own fields default to the real
/// design's defaults.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscale {
    /// The design, with its timings.
    pub policy: Policy,
    /// What it measures.
    pub metric: Metric,
    /// The value of the metric per server it aims for.
    pub target: f64,
    /// The fewest servers it keeps.
    pub min: u32,
    /// The most servers it runs.
    pub max: u32,
    /// How long a new server takes before it accepts traffic.
    #[serde(default = "default_boot_time")]
    pub boot_time: SimDuration,
}

fn default_boot_time() -> SimDuration {
    SimDuration::from_secs(30)
}

/// The design of an autoscaler.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Policy {
    /// Kubernetes' Horizontal Pod Autoscaler.
    Hpa(Hpa),
    /// AWS target tracking.
    TargetTracking(TargetTracking),
}

impl Autoscale {
    /// How often it evaluates.
    pub fn period(&self) -> SimDuration {
        match self.policy {
            Policy::Hpa(h) => h.sync_period,
            Policy::TargetTracking(t) => t.period,
        }
    }

    /// How long after its launch a server's numbers start to count: when it is ready (HPA), or
    /// when its warm-up is over (target tracking).
    pub fn settle_time(&self) -> SimDuration {
        match self.policy {
            Policy::Hpa(_) => self.boot_time,
            Policy::TargetTracking(t) => t.warmup.max(self.boot_time),
        }
    }

    /// The design's name.
    pub fn design(&self) -> &'static str {
        match self.policy {
            Policy::Hpa(_) => "Kubernetes HPA",
            Policy::TargetTracking(_) => "AWS target tracking",
        }
    }

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        format!(
            "{} on {} (target {}, {} to {} servers, boot {})",
            self.design(),
            match self.metric {
                Metric::Cpu => "CPU",
                Metric::InFlight => "requests in flight",
                Metric::Rps => "requests per second",
            },
            self.metric.value_words(self.target),
            self.min,
            self.max,
            self.boot_time
        )
    }

    /// Checks the settings; the error names the bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        let (low, high) = self.metric.target_range();
        check_range(&f("target"), self.target, low, high)?;
        check_range(
            &f("min"),
            f64::from(self.min),
            1.0,
            f64::from(MAX_AUTOSCALED),
        )?;
        check_range(
            &f("max"),
            f64::from(self.max),
            f64::from(self.min),
            f64::from(MAX_AUTOSCALED),
        )?;
        check_duration(
            &f("boot_time"),
            self.boot_time,
            SimDuration::ZERO,
            SimDuration::HOUR,
        )?;
        match self.policy {
            Policy::Hpa(h) => h.validate(&f("policy")),
            Policy::TargetTracking(t) => t.validate(&f("policy")),
        }
    }

    /// A value in thousandths (the unit decisions compare in).
    fn milli(value: f64) -> u64 {
        libm::round(value * 1000.0).max(0.0) as u64
    }

    /// Servers needed for `counted` servers' load at `measured` each to sit at the target:
    /// ceil(counted x measured / target), in thousandths.
    fn needed(&self, counted: u32, measured: f64) -> u32 {
        let load = Self::milli(measured) * u64::from(counted);
        let target = Self::milli(self.target).max(1);
        load.div_ceil(target).min(u64::from(MAX_AUTOSCALED)) as u32
    }

    /// `measured / target`, from the values in thousandths.
    fn ratio(&self, measured: f64) -> f64 {
        Self::milli(measured) as f64 / Self::milli(self.target).max(1) as f64
    }
}

/// What the engine measured at an evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation {
    /// The metric's average over the servers that count.
    pub measured: f64,
    /// Servers whose numbers count (ready; for target tracking also warmed up).
    pub counted: u32,
    /// Servers the autoscaler runs now, starting ones included.
    pub current: u32,
}

/// Which way a decision goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More servers.
    Out,
    /// Fewer servers.
    In,
}

/// What held a decision short of the metric's recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The maximum number of servers.
    Max,
    /// The minimum number of servers.
    Min,
    /// HPA's scale-up rate (at most max(100%, 4 servers) added per 15 s).
    ScaleUpRate,
    /// HPA's scale-down stabilisation window (a higher recommendation within it).
    Stabilisation,
}

/// A change of the number of servers, with the numbers behind it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ScaleDecision {
    /// Which way.
    pub direction: Direction,
    /// Servers before.
    pub from: u32,
    /// Servers after.
    pub to: u32,
    /// What the metric alone asked for: ceil(counted x measured / target).
    pub desired: u32,
    /// The metric's average over the servers that count.
    pub measured: f64,
    /// Servers whose numbers counted.
    pub counted: u32,
    /// What held it short of `desired`, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<Bound>,
}

impl ScaleDecision {
    /// The decision to go from `from` to `to` (different), with what led there.
    fn new(from: u32, to: u32, desired: u32, obs: Observation, bound: Option<Bound>) -> Self {
        ScaleDecision {
            direction: if to > from {
                Direction::Out
            } else {
                Direction::In
            },
            from,
            to,
            desired,
            measured: obs.measured,
            counted: obs.counted,
            bound,
        }
    }
}

/// An autoscaler at work: its settings and what its design remembers.
#[derive(Clone, Debug)]
pub struct Scaler {
    config: Autoscale,
    state: State,
}

#[derive(Clone, Debug)]
enum State {
    Hpa(hpa::History),
    TargetTracking(target_tracking::Alarms),
}

impl Scaler {
    /// An autoscaler with `config` and no history yet.
    pub fn new(config: Autoscale) -> Scaler {
        let state = match config.policy {
            Policy::Hpa(_) => State::Hpa(hpa::History::default()),
            Policy::TargetTracking(_) => State::TargetTracking(target_tracking::Alarms::default()),
        };
        Scaler { config, state }
    }

    /// Its settings.
    pub fn config(&self) -> Autoscale {
        self.config
    }

    /// The decision at the evaluation at `now`, given what was measured; `None` keeps the
    /// number of servers as it is.
    pub fn decide(&mut self, now: SimTime, obs: Observation) -> Option<ScaleDecision> {
        if obs.counted == 0 {
            return None; // no numbers to go by (Kubernetes: "no metrics for any ready pod")
        }
        match (&mut self.state, self.config.policy) {
            (State::Hpa(history), Policy::Hpa(hpa)) => history.decide(&self.config, &hpa, now, obs),
            (State::TargetTracking(alarms), Policy::TargetTracking(tt)) => {
                alarms.decide(&self.config, &tt, now, obs)
            }
            _ => unreachable!("the state is built for the policy"),
        }
    }
}

/// `desired` kept within `min` and `max`, with the bound that held it, if one did.
fn clamp(config: &Autoscale, desired: u32) -> (u32, Option<Bound>) {
    if desired > config.max {
        (config.max, Some(Bound::Max))
    } else if desired < config.min {
        (config.min, Some(Bound::Min))
    } else {
        (desired, None)
    }
}
