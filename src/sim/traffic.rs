//! Where requests come from: the arrival process, the work each request carries, and who sends it.
//!
//! Arrivals are a Poisson process by default: independent exponential gaps with mean `1 / rate`, the
//! textbook model of many independent users (and the "M" in M/M/1). A [`Pattern`] can shape the rate
//! over time (bursts, a flash-sale spike, a daily wave); those are drawn as a non-homogeneous
//! Poisson process by thinning (candidates at the peak rate, each kept with probability
//! `rate(t) / peak`), which is exact and stays deterministic for a seed. A request's cost is the time it would
//! keep one worker of a full-speed server busy; a server at speed `s` serves it in `cost / s`.
//!
//! Each client has an IPv4 address and a session id, fixed functions of its index, so hashing and
//! stickiness are visible. The first `behind_nat` clients share one public address
//! ([`NAT_ADDRESS`]), the way an office or a mobile carrier's NAT does: to `ip_hash` they are one
//! client.

use super::rng::SimRng;
use super::time::{SimDuration, SimTime};

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

/// How the arrival rate varies over time, around the base rate.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pattern {
    /// Poisson arrivals at the base rate.
    #[default]
    Poisson,
    /// Evenly spaced arrivals at the base rate (no randomness at all).
    Constant,
    /// Poisson at the base rate while on, nothing while off, repeating.
    Bursts {
        /// How long each burst lasts.
        on: SimDuration,
        /// The quiet time between bursts.
        off: SimDuration,
    },
    /// A flash sale: from `start`, the rate ramps up to `peak` times the base over `ramp`, holds
    /// for `hold`, and ramps back down over `ramp`.
    Spike {
        /// When the ramp up starts.
        start: SimDuration,
        /// How long each ramp takes.
        ramp: SimDuration,
        /// How long the peak lasts.
        hold: SimDuration,
        /// The peak, as a multiple of the base rate.
        peak: f64,
    },
    /// A daily wave: `base x (1 + amplitude x sin(2 pi t / period))`.
    Wave {
        /// The length of one cycle.
        period: SimDuration,
        /// From 0 (flat) to 1 (down to zero at the trough).
        amplitude: f64,
    },
}

/// The most thinning candidates drawn for one arrival before giving up on the window.
const MAX_THINNING_DRAWS: u32 = 100_000;

impl Pattern {
    /// The rate multiplier at time `t` (seconds since the start).
    pub fn factor(&self, t: f64) -> f64 {
        match *self {
            Pattern::Poisson | Pattern::Constant => 1.0,
            Pattern::Bursts { on, off } => {
                let cycle = (on.0 + off.0) as f64 / 1e6;
                if cycle <= 0.0 || (t % cycle) < on.as_secs_f64() {
                    1.0
                } else {
                    0.0
                }
            }
            Pattern::Spike {
                start,
                ramp,
                hold,
                peak,
            } => {
                let (s, r, h) = (start.as_secs_f64(), ramp.as_secs_f64(), hold.as_secs_f64());
                let up = |x: f64| 1.0 + (peak - 1.0) * x;
                if t < s || t >= s + 2.0 * r + h {
                    1.0
                } else if t < s + r {
                    up((t - s) / r)
                } else if t < s + r + h {
                    peak
                } else {
                    up(1.0 - (t - s - r - h) / r)
                }
            }
            Pattern::Wave { period, amplitude } => {
                1.0 + amplitude * libm::sin(std::f64::consts::TAU * t / period.as_secs_f64())
            }
        }
    }

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        match *self {
            Pattern::Poisson => "Poisson".into(),
            Pattern::Constant => "evenly spaced".into(),
            Pattern::Bursts { on, off } => format!("bursts: {on} on, {off} off"),
            Pattern::Spike {
                start,
                ramp,
                hold,
                peak,
            } => {
                format!("spike x{peak} at {start} (ramp {ramp}, hold {hold})")
            }
            Pattern::Wave { period, amplitude } => {
                format!("wave of {:.0}% over {period}", amplitude * 100.0)
            }
        }
    }

    /// The highest multiplier the pattern reaches.
    fn peak(&self) -> f64 {
        match *self {
            Pattern::Spike { peak, .. } => peak.max(1.0),
            Pattern::Wave { amplitude, .. } => 1.0 + amplitude,
            _ => 1.0,
        }
    }

    /// Checks the pattern's parameters.
    pub fn check(&self, field: &str) -> Result<(), crate::sim::ValidationError> {
        use crate::sim::validation::check_range;
        let secs = |name: &str, d: SimDuration, min: f64| {
            check_range(&format!("{field}.{name}"), d.as_secs_f64(), min, 86_400.0)
        };
        match *self {
            Pattern::Poisson | Pattern::Constant => Ok(()),
            Pattern::Bursts { on, off } => secs("on", on, 0.001).and(secs("off", off, 0.0)),
            Pattern::Spike {
                start,
                ramp,
                hold,
                peak,
            } => secs("start", start, 0.0)
                .and(secs("ramp", ramp, 0.0))
                .and(secs("hold", hold, 0.0))
                .and(check_range(&format!("{field}.peak"), peak, 0.01, 100.0)),
            Pattern::Wave { period, amplitude } => secs("period", period, 1.0).and(check_range(
                &format!("{field}.amplitude"),
                amplitude,
                0.0,
                0.99,
            )),
        }
    }
}

/// The offered load: how often requests arrive, what they cost, and how many clients send them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Mean arrivals per second of simulated time (the base rate the pattern shapes). Zero stops
    /// new arrivals.
    pub rate: f64,
    /// How the rate varies over time.
    #[serde(default)]
    pub pattern: Pattern,
    /// The work each request carries.
    pub cost: CostDistribution,
    /// How many distinct clients send requests (each request comes from one, uniformly).
    pub clients: u32,
    /// How many of the clients sit behind one NAT address (0 to `clients`).
    #[serde(default)]
    pub behind_nat: u32,
    /// A client gives up on a request after this long (it counts as failed, even if a server
    /// finishes it later); `None`: clients wait forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_timeout: Option<SimDuration>,
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

    /// The arrival rate at time `t`, per second.
    pub fn rate_at(&self, t: SimTime) -> f64 {
        self.rate * self.pattern.factor(t.as_secs_f64())
    }

    /// The next arrival after `now`, or `None` when no more will come.
    pub fn next_arrival(&self, now: SimTime, rng: &mut SimRng) -> Option<SimTime> {
        if self.rate <= 0.0 {
            return None;
        }
        match self.pattern {
            Pattern::Poisson => {
                Some(now + SimDuration::from_secs_f64(rng.exponential(1.0 / self.rate)))
            }
            Pattern::Constant => {
                Some(now + SimDuration::from_secs_f64(1.0 / self.rate).max(SimDuration(1)))
            }
            pattern => {
                let peak_rate = self.rate * pattern.peak();
                if peak_rate <= 0.0 {
                    return None;
                }
                let mut t = now.as_secs_f64();
                for _ in 0..MAX_THINNING_DRAWS {
                    if let Pattern::Bursts { on, off } = pattern {
                        // Skip a quiet period at once (the process is memoryless).
                        let cycle = (on.0 + off.0) as f64 / 1e6;
                        let into = t % cycle;
                        if into >= on.as_secs_f64() {
                            t += cycle - into;
                        }
                    }
                    t += rng.exponential(1.0 / peak_rate);
                    if rng.unit() * pattern.peak() < pattern.factor(t) {
                        return Some(SimTime::from_secs_f64(t));
                    }
                }
                // Validation keeps the acceptance probability above 1e-4, so this is not reached
                // in practice; if it is, the last candidate stands (a negligible bias).
                Some(SimTime::from_secs_f64(t))
            }
        }
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
            pattern: Pattern::Poisson,
            client_timeout: None,
        };
        let mut rng = SimRng::new(9, Stream::Arrivals);
        let n = 100_000;
        let mut now = SimTime::ZERO;
        let mut total = 0;
        for _ in 0..n {
            let next = traffic.next_arrival(now, &mut rng).unwrap();
            total += (next - now).0;
            now = next;
        }
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
            pattern: Pattern::Poisson,
            client_timeout: None,
        };
        assert_eq!(
            traffic.next_arrival(SimTime::ZERO, &mut SimRng::from_seed(1)),
            None
        );
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
            pattern: Pattern::Poisson,
            client_timeout: None,
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
