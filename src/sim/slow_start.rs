//! Slow start: a server that comes back from being down gets a reduced share of traffic that grows
//! back to its full weight, so a cold server (empty caches, unwarmed JIT) is not flooded at once.
//! It applies after a revive, not at the start of a run, as in HAProxy. The factor scales the
//! server's weight for the algorithms that use effective weights (see `Candidate::ramp`).

use super::time::SimDuration;

/// How a revived server's weight ramps back up.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SlowStart {
    /// Full weight at once.
    Off,
    /// HAProxy `slowstart`: linear from a small value (1/16 of the weight) to 100% over `period`.
    Linear {
        /// How long the ramp takes.
        period: SimDuration,
    },
    /// Envoy slow start: `max(min_weight_percent, (max(t, 1 s) / window) ^ (1 / aggression))`.
    Envoy {
        /// How long the ramp takes.
        window: SimDuration,
        /// 1 is linear; larger values ramp faster at first.
        aggression: f64,
        /// The floor, as a fraction (Envoy's default 10% is 0.1).
        min_weight: f64,
    },
}

/// HAProxy's weight granularity: effective weights move in steps of 1/16.
const HAPROXY_STEPS: f64 = 16.0;

impl SlowStart {
    /// Envoy's defaults: a 60 s window, aggression 1, a 10% floor.
    pub const ENVOY_DEFAULT: SlowStart = SlowStart::Envoy {
        window: SimDuration::from_secs(60),
        aggression: 1.0,
        min_weight: 0.1,
    };

    /// The ramp factor in (0, 1] a server has `since` after it came back.
    pub fn factor(&self, since: SimDuration) -> f64 {
        match *self {
            SlowStart::Off => 1.0,
            SlowStart::Linear { period } => {
                if since >= period || period == SimDuration::ZERO {
                    1.0
                } else {
                    let steps = (HAPROXY_STEPS * since.0 as f64 / period.0 as f64).ceil();
                    steps.max(1.0) / HAPROXY_STEPS
                }
            }
            SlowStart::Envoy {
                window,
                aggression,
                min_weight,
            } => {
                if since >= window || window == SimDuration::ZERO {
                    return 1.0;
                }
                let t = since.as_secs_f64().max(1.0);
                let ramp = libm::pow(t / window.as_secs_f64(), 1.0 / aggression);
                ramp.max(min_weight).min(1.0)
            }
        }
    }

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        match *self {
            SlowStart::Off => "off".to_string(),
            SlowStart::Linear { period } => format!("HAProxy linear over {period}"),
            SlowStart::Envoy {
                window,
                aggression,
                min_weight,
            } => format!(
                "Envoy over {window} (aggression {aggression}, floor {:.0}%)",
                min_weight * 100.0
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envoy_reference_example() {
        // Window 60 s, aggression 1, weight 10: 2.5 at t=15 s, the 10% floor (1.0) at t=3 s.
        let s = SlowStart::ENVOY_DEFAULT;
        assert!((10.0 * s.factor(SimDuration::from_secs(15)) - 2.5).abs() < 1e-12);
        assert!((10.0 * s.factor(SimDuration::from_secs(3)) - 1.0).abs() < 1e-12);
        assert_eq!(s.factor(SimDuration::from_secs(60)), 1.0);
        let aggressive = SlowStart::Envoy {
            window: SimDuration::from_secs(60),
            aggression: 2.0,
            min_weight: 0.1,
        };
        // (15 / 60) ^ (1 / 2) = 0.5
        assert!((aggressive.factor(SimDuration::from_secs(15)) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn haproxy_ramps_linearly_in_sixteenths() {
        let s = SlowStart::Linear {
            period: SimDuration::from_secs(16),
        };
        assert_eq!(s.factor(SimDuration::ZERO), 1.0 / 16.0);
        assert_eq!(s.factor(SimDuration::from_secs(4)), 0.25);
        assert_eq!(s.factor(SimDuration::from_millis(4_001)), 5.0 / 16.0);
        assert_eq!(s.factor(SimDuration::from_secs(16)), 1.0);
        assert_eq!(SlowStart::Off.factor(SimDuration::ZERO), 1.0);
    }
}
