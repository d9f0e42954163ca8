//! Where requests come from: the arrival process, the work each request carries, and who sends it.
//!
//! Arrivals are a Poisson process: independent exponential gaps with mean `1 / rate`, the textbook
//! model of many independent users (and the "M" in M/M/1). A request's cost is the time it would
//! keep one worker of a full-speed server busy; a server at speed `s` serves it in `cost / s`.
//!
//! Each client has an IPv4 address and a session id, fixed functions of its index, so hashing and
//! stickiness are visible. The first `behind_nat` clients share one public address
//! ([`NAT_ADDRESS`]), the way an office or a mobile carrier's NAT does: to `ip_hash` they are one
//! client.

use super::rng::SimRng;
use super::time::SimDuration;

/// How much work each request carries.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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
    /// Log-normal with this mean and shape: a heavy tail, as real request times have.
    LogNormal {
        /// The mean cost.
        mean: SimDuration,
        /// The standard deviation of the cost's logarithm (0.5 mild, 1.5 very heavy-tailed).
        sigma: f64,
    },
    /// Two kinds of request, each of fixed cost: a common one and a rare, expensive one (the seed
    /// material's 50 ms page loads and 10 s reports).
    Bimodal {
        /// The common request's cost.
        common: SimDuration,
        /// The rare request's cost.
        rare: SimDuration,
        /// The share of rare requests, from 0 to 1.
        rare_share: f64,
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
            CostDistribution::LogNormal { mean, sigma } => {
                // ln X ~ N(mu, sigma^2) with mu chosen so that E[X] = mean.
                let mu = libm::log(mean.0 as f64) - sigma * sigma / 2.0;
                SimDuration(libm::exp(mu + sigma * rng.normal()).round() as u64)
            }
            CostDistribution::Bimodal {
                common,
                rare,
                rare_share,
            } => {
                if rng.chance(rare_share) {
                    rare
                } else {
                    common
                }
            }
        }
    }

    /// The mean cost.
    pub fn mean(&self) -> SimDuration {
        match *self {
            CostDistribution::Exponential { mean } => mean,
            CostDistribution::Constant { cost } => cost,
            CostDistribution::LogNormal { mean, .. } => mean,
            CostDistribution::Bimodal {
                common,
                rare,
                rare_share,
            } => SimDuration(
                (common.0 as f64 * (1.0 - rare_share) + rare.0 as f64 * rare_share).round() as u64,
            ),
        }
    }

    /// The same shape with a different mean.
    /// The same shape scaled to a different mean.
    pub fn with_mean(&self, mean: SimDuration) -> CostDistribution {
        let scale = mean.0 as f64 / self.mean().0.max(1) as f64;
        let scaled = |d: SimDuration| SimDuration((d.0 as f64 * scale).round() as u64);
        match *self {
            CostDistribution::Exponential { .. } => CostDistribution::Exponential { mean },
            CostDistribution::Constant { .. } => CostDistribution::Constant { cost: mean },
            CostDistribution::LogNormal { sigma, .. } => {
                CostDistribution::LogNormal { mean, sigma }
            }
            CostDistribution::Bimodal {
                common,
                rare,
                rare_share,
            } => CostDistribution::Bimodal {
                common: scaled(common),
                rare: scaled(rare),
                rare_share,
            },
        }
    }

    /// Checks the distribution's own parameters (the mean is checked by the scenario).
    pub fn check_shape(&self, field: &str) -> Result<(), crate::sim::ValidationError> {
        use crate::sim::validation::check_range;
        match *self {
            CostDistribution::LogNormal { sigma, .. } => {
                check_range(&format!("{field}.sigma"), sigma, 0.0, 4.0)
            }
            CostDistribution::Bimodal { rare_share, .. } => {
                check_range(&format!("{field}.rare_share"), rare_share, 0.0, 1.0)
            }
            _ => Ok(()),
        }
    }
}

/// The offered load: how often requests arrive, what they cost, and how many clients send them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Mean arrivals per second of simulated time (Poisson). Zero stops new arrivals.
    pub rate: f64,
    /// The work each request carries.
    pub cost: CostDistribution,
    /// How many distinct clients send requests (each request comes from one, uniformly).
    pub clients: u32,
    /// How many of the clients sit behind one NAT address (0 to `clients`).
    #[serde(default)]
    pub behind_nat: u32,
}

/// The shared public address of the clients behind a NAT (a documentation address).
pub const NAT_ADDRESS: [u8; 4] = [203, 0, 113, 7];

impl Traffic {
    /// The address the load balancer sees for `client`.
    pub fn client_ip(&self, client: u32) -> [u8; 4] {
        if client < self.behind_nat {
            return NAT_ADDRESS;
        }
        let x = mix(u64::from(client));
        // A public-looking first octet (1 to 223), the rest from the hash.
        [
            1 + (x % 223) as u8,
            (x >> 8) as u8,
            (x >> 16) as u8,
            (x >> 24) as u8,
        ]
    }

    /// The session id (cookie) of `client`: one session per client.
    pub fn client_session(&self, client: u32) -> u64 {
        mix(u64::from(client) ^ 0x5E55_1011_C00C_1E00)
    }

    /// The gap until the next arrival, or `None` when the rate is zero.
    pub fn next_gap(&self, rng: &mut SimRng) -> Option<SimDuration> {
        (self.rate > 0.0).then(|| SimDuration::from_secs_f64(rng.exponential(1.0 / self.rate)))
    }
}

/// The SplitMix64 finaliser: spreads client indices over addresses and session ids.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
            behind_nat: 0,
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
            behind_nat: 0,
        };
        assert_eq!(traffic.next_gap(&mut SimRng::from_seed(1)), None);
    }

    #[test]
    fn clients_have_stable_distinct_addresses_except_behind_the_nat() {
        let traffic = Traffic {
            rate: 1.0,
            cost: CostDistribution::Constant {
                cost: SimDuration(1),
            },
            clients: 1_000,
            behind_nat: 100,
        };
        assert!((0..100).all(|c| traffic.client_ip(c) == NAT_ADDRESS));
        let outside: std::collections::HashSet<[u8; 4]> =
            (100..1_000).map(|c| traffic.client_ip(c)).collect();
        assert_eq!(outside.len(), 900);
        assert!(outside.iter().all(|ip| (1..=223).contains(&ip[0])));
        assert_eq!(traffic.client_ip(500), traffic.client_ip(500));
        assert_ne!(traffic.client_session(1), traffic.client_session(2));
    }

    #[test]
    fn heavy_tailed_and_bimodal_costs_have_their_means() {
        let mut rng = SimRng::new(5, Stream::Costs);
        let n = 200_000;
        let log_normal = CostDistribution::LogNormal {
            mean: SimDuration::from_millis(100),
            sigma: 1.0,
        };
        let mean = (0..n).map(|_| log_normal.sample(&mut rng).0).sum::<u64>() as f64 / n as f64;
        assert!((mean - 100_000.0).abs() < 2_500.0, "log-normal mean {mean}");
        let bimodal = CostDistribution::Bimodal {
            common: SimDuration::from_millis(50),
            rare: SimDuration::from_secs(10),
            rare_share: 0.01,
        };
        assert_eq!(bimodal.mean(), SimDuration::from_micros(149_500));
        let rare = (0..n)
            .filter(|_| bimodal.sample(&mut rng) == SimDuration::from_secs(10))
            .count();
        assert!((rare as f64 / n as f64 - 0.01).abs() < 0.001, "{rare}");
        let doubled = bimodal.with_mean(SimDuration::from_micros(299_000));
        assert_eq!(doubled.mean(), SimDuration::from_micros(299_000));
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
