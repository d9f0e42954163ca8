//! AWS target tracking (EC2 Auto Scaling and Application Auto Scaling), as its alarms and its
//! scaling activity behave:
//!
//! - The metric is averaged over each period (a CloudWatch datapoint, 60 s). The high alarm goes
//!   off after `scale_out_periods` datapoints in a row above the target (3), the low alarm after
//!   `scale_in_periods` below it (15): it scales out quickly and in slowly.
//! - In alarm it sets the capacity to ceil(servers x metric / target), the servers being those
//!   past their warm-up: a server still warming up adds capacity but not numbers, so the capacity
//!   it adds is not bought again.
//! - A scale-out starts the scale-out cooldown (300 s), in which no further scale-out starts; a
//!   scale-in starts the scale-in cooldown (300 s), in which no further scale-in starts; a
//!   scale-out ends a scale-in cooldown.

use super::{Autoscale, Observation, ScaleDecision, clamp};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// Target tracking's settings; in files every field may be left out for AWS's default.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetTracking {
    /// How long each datapoint of the metric averages over (60 s).
    pub period: SimDuration,
    /// Datapoints in a row above the target that set off a scale-out (3).
    pub scale_out_periods: u32,
    /// Datapoints in a row below the target that set off a scale-in (15).
    pub scale_in_periods: u32,
    /// After a scale-out, how long no further scale-out starts (300 s).
    pub scale_out_cooldown: SimDuration,
    /// After a scale-in, how long no further scale-in starts (300 s).
    pub scale_in_cooldown: SimDuration,
    /// How long after its launch a new server's numbers start to count (300 s).
    pub warmup: SimDuration,
}

impl Default for TargetTracking {
    fn default() -> Self {
        TargetTracking {
            period: SimDuration::from_secs(60),
            scale_out_periods: 3,
            scale_in_periods: 15,
            scale_out_cooldown: SimDuration::from_secs(300),
            scale_in_cooldown: SimDuration::from_secs(300),
            warmup: SimDuration::from_secs(300),
        }
    }
}

impl TargetTracking {
    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        check_duration(
            &f("period"),
            self.period,
            SimDuration::from_secs(1),
            SimDuration::HOUR,
        )?;
        for (name, periods) in [
            ("scale_out_periods", self.scale_out_periods),
            ("scale_in_periods", self.scale_in_periods),
        ] {
            check_range(&f(name), f64::from(periods), 1.0, 100.0)?;
        }
        for (name, d) in [
            ("scale_out_cooldown", self.scale_out_cooldown),
            ("scale_in_cooldown", self.scale_in_cooldown),
            ("warmup", self.warmup),
        ] {
            check_duration(&f(name), d, SimDuration::ZERO, SimDuration::HOUR)?;
        }
        Ok(())
    }
}

/// What target tracking remembers between datapoints.
#[derive(Clone, Debug, Default)]
pub(super) struct Alarms {
    /// Datapoints in a row above the target.
    high: u32,
    /// Datapoints in a row below the target.
    low: u32,
    /// The end of the scale-out cooldown, while one runs.
    out_until: Option<SimTime>,
    /// The end of the scale-in cooldown, while one runs.
    in_until: Option<SimTime>,
}

impl Alarms {
    pub(super) fn decide(
        &mut self,
        config: &Autoscale,
        tt: &TargetTracking,
        now: SimTime,
        obs: Observation,
    ) -> Option<ScaleDecision> {
        let ratio = config.ratio(obs.measured);
        self.high = if ratio > 1.0 { self.high + 1 } else { 0 };
        self.low = if ratio < 1.0 { self.low + 1 } else { 0 };
        let cooling = |until: Option<SimTime>| until.is_some_and(|t| now < t);
        let desired = config.needed(obs.counted, obs.measured);
        let (to, bound) = clamp(config, desired);
        let current = obs.current;
        if self.high >= tt.scale_out_periods && to > current && !cooling(self.out_until) {
            self.out_until = Some(now + tt.scale_out_cooldown);
            self.in_until = None;
            return Some(ScaleDecision::new(current, to, desired, obs, bound));
        }
        if self.low >= tt.scale_in_periods && to < current && !cooling(self.in_until) {
            self.in_until = Some(now + tt.scale_in_cooldown);
            return Some(ScaleDecision::new(current, to, desired, obs, bound));
        }
        None
    }
}
