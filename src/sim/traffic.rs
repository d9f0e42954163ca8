//! Where requests come from: the arrival process, the work each request carries, and who sends it.
//!
//! Arrivals are a Poisson process: independent exponential gaps with mean `1 / rate`, the textbook
//! model of many independent users (and the "M" in M/M/1). A request's cost is the time it would
//! keep one worker of a full-speed server busy; a server at speed `s` serves it in `cost / s`.

use super::rng::SimRng;
use super::time::SimDuration;

/// How much work each request carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CostDistribution {
    /// Exponentially distributed with this mean: the "M" service of M/M/1; most requests are short,
    /// a few are several times the mean.
    Exponential {
        /// The mean cost.
        mean: SimDuration,
    },
    /// Every request costs exactly this much (M/D/1).
    Constant {
        /// The cost of every request.
        cost: SimDuration,
    },
}

impl CostDistribution {
    /// Draws one request's cost.
    pub fn sample(&self, rng: &mut SimRng) -> SimDuration {
        match *self {
            CostDistribution::Exponential { mean } => {
                SimDuration(rng.exponential(mean.0 as f64).round() as u64)
            }
            CostDistribution::Constant { cost } => cost,
        }
    }

    /// The mean cost.
    pub fn mean(&self) -> SimDuration {
        match *self {
            CostDistribution::Exponential { mean } => mean,
            CostDistribution::Constant { cost } => cost,
        }
    }

    /// The same shape with a different mean.
    pub fn with_mean(&self, mean: SimDuration) -> CostDistribution {
        match self {
            CostDistribution::Exponential { .. } => CostDistribution::Exponential { mean },
            CostDistribution::Constant { .. } => CostDistribution::Constant { cost: mean },
        }
    }
}

/// The offered load: how often requests arrive, what they cost, and how many clients send them.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    /// Mean arrivals per second of simulated time (Poisson). Zero stops new arrivals.
    pub rate: f64,
    /// The work each request carries.
    pub cost: CostDistribution,
    /// How many distinct clients send requests (each request comes from one, uniformly).
    pub clients: u32,
}

impl Traffic {
    /// The gap until the next arrival, or `None` when the rate is zero.
    pub fn next_gap(&self, rng: &mut SimRng) -> Option<SimDuration> {
        (self.rate > 0.0).then(|| SimDuration::from_secs_f64(rng.exponential(1.0 / self.rate)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Stream;

    #[test]
    fn poisson_gaps_average_one_over_rate() {
        let traffic = Traffic {
            rate: 250.0,
            cost: CostDistribution::Constant {
                cost: SimDuration(1),
            },
            clients: 1,
        };
        let mut rng = SimRng::new(9, Stream::Arrivals);
        let n = 100_000;
        let total: u64 = (0..n).map(|_| traffic.next_gap(&mut rng).unwrap().0).sum();
        let mean_gap = total as f64 / n as f64;
        assert!((mean_gap - 4_000.0).abs() < 40.0, "mean gap {mean_gap} µs");
    }

    #[test]
    fn zero_rate_means_no_arrivals() {
        let traffic = Traffic {
            rate: 0.0,
            cost: CostDistribution::Constant {
                cost: SimDuration(1),
            },
            clients: 1,
        };
        assert_eq!(traffic.next_gap(&mut SimRng::from_seed(1)), None);
    }

    #[test]
    fn costs_follow_their_distribution() {
        let mut rng = SimRng::new(4, Stream::Costs);
        let exp = CostDistribution::Exponential {
            mean: SimDuration::from_millis(100),
        };
        let n = 100_000;
        let mean = (0..n).map(|_| exp.sample(&mut rng).0).sum::<u64>() as f64 / n as f64;
        assert!((mean - 100_000.0).abs() < 1_000.0, "mean {mean}");
        let constant = CostDistribution::Constant {
            cost: SimDuration(7),
        };
        assert_eq!(constant.sample(&mut rng), SimDuration(7));
        assert_eq!(exp.with_mean(SimDuration(5)).mean(), SimDuration(5));
    }
}
