//! Kubernetes' Horizontal Pod Autoscaler (`autoscaling/v2`), as its controller computes:
//!
//! 1. The replica count from the metric: with `ratio = metric / target` over the ready servers,
//!    nothing changes while `|1 - ratio| <= tolerance`; otherwise desired = ceil(ratio x ready).
//!    When servers are still starting and the ratio says "up", they are counted as idle and the
//!    ratio worked again over all servers: if that is within the tolerance or says "down", nothing
//!    changes (so servers still booting are not bought twice).
//! 2. Stabilisation: each evaluation's recommendation is remembered; the count goes down only to
//!    the highest recommendation of the scale-down window (those less than 300 s old by default)
//!    and up only to the lowest of the scale-up window (0 s by default: the new one alone).
//! 3. The default scaling policies: up by at most max(100%, 4 servers) per 15 s, counted from the
//!    servers at the start of those 15 s; down by up to 100%. Then `min` / `max`.

use std::collections::VecDeque;

use super::{Autoscale, Bound, Observation, ScaleDecision, clamp};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// The span the default scale-up policies count over.
const POLICY_PERIOD: SimDuration = SimDuration::from_secs(15);
/// The servers the default scale-up policy may always add within [`POLICY_PERIOD`].
const POLICY_PODS: u32 = 4;

/// HPA's settings; in files every field may be left out for Kubernetes' default.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hpa {
    /// How often the controller evaluates (`--horizontal-pod-autoscaler-sync-period`, 15 s).
    pub sync_period: SimDuration,
    /// The band around the target in which it does nothing (0.1).
    pub tolerance: f64,
    /// `behavior.scaleDown.stabilizationWindowSeconds` (300 s).
    pub scale_down_window: SimDuration,
    /// `behavior.scaleUp.stabilizationWindowSeconds` (0 s).
    pub scale_up_window: SimDuration,
}

impl Default for Hpa {
    fn default() -> Self {
        Hpa {
            sync_period: SimDuration::from_secs(15),
            tolerance: 0.1,
            scale_down_window: SimDuration::from_secs(300),
            scale_up_window: SimDuration::ZERO,
        }
    }
}

impl Hpa {
    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        check_duration(
            &f("sync_period"),
            self.sync_period,
            SimDuration::from_secs(1),
            SimDuration::HOUR,
        )?;
        check_range(&f("tolerance"), self.tolerance, 0.0, 0.9)?;
        for (name, window) in [
            ("scale_down_window", self.scale_down_window),
            ("scale_up_window", self.scale_up_window),
        ] {
            check_duration(&f(name), window, SimDuration::ZERO, SimDuration::HOUR)?;
        }
        Ok(())
    }

    /// The replica count the metric asks for (step 1), before stabilisation and policies.
    fn recommend(&self, config: &Autoscale, obs: Observation) -> u32 {
        let ratio = config.ratio(obs.measured);
        let within = |ratio: f64| (1.0 - ratio).abs() <= self.tolerance;
        let starting = obs.current - obs.counted;
        if starting == 0 || ratio <= 1.0 {
            return if within(ratio) {
                obs.current
            } else {
                config.needed(obs.counted, obs.measured)
            };
        }
        let with_idle = ratio * f64::from(obs.counted) / f64::from(obs.current);
        if within(with_idle) || with_idle < 1.0 {
            return obs.current;
        }
        config.needed(obs.counted, obs.measured).max(obs.current)
    }
}

/// What HPA remembers between evaluations.
#[derive(Clone, Debug, Default)]
pub(super) struct History {
    /// Recent recommendations, oldest first.
    recommendations: VecDeque<(SimTime, u32)>,
    /// Recent scale-ups and the servers each added, oldest first.
    scale_ups: VecDeque<(SimTime, u32)>,
}

impl History {
    pub(super) fn decide(
        &mut self,
        config: &Autoscale,
        hpa: &Hpa,
        now: SimTime,
        obs: Observation,
    ) -> Option<ScaleDecision> {
        let current = obs.current;
        let desired = hpa.recommend(config, obs);
        let keep = hpa.scale_down_window.max(hpa.scale_up_window);
        while self
            .recommendations
            .front()
            .is_some_and(|&(at, _)| now - at >= keep)
        {
            self.recommendations.pop_front();
        }
        self.recommendations.push_back((now, desired));
        let within = |window: SimDuration| {
            self.recommendations
                .iter()
                .filter(move |&&(at, _)| now - at < window)
                .map(|&(_, r)| r)
        };
        let up = within(hpa.scale_up_window).min().unwrap_or(desired);
        let down = within(hpa.scale_down_window).max().unwrap_or(desired);
        let mut to = current.max(up).min(down);
        let mut bound = (desired < current && to > desired).then_some(Bound::Stabilisation);
        if to > current {
            while self
                .scale_ups
                .front()
                .is_some_and(|&(at, _)| now - at >= POLICY_PERIOD)
            {
                self.scale_ups.pop_front();
            }
            let added: u32 = self.scale_ups.iter().map(|&(_, n)| n).sum();
            let start = current.saturating_sub(added);
            let limit = (2 * start).max(start + POLICY_PODS);
            if to > limit {
                to = limit.max(current);
                bound = Some(Bound::ScaleUpRate);
            }
        }
        let (to, clamped) = clamp(config, to);
        let bound = clamped.or(bound);
        if to == current {
            return None;
        }
        if to > current {
            self.scale_ups.push_back((now, to - current));
        }
        Some(ScaleDecision::new(current, to, desired, obs, bound))
    }
}
