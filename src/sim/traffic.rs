//! Where requests come from: the arrival process, the work each request carries, and who sends it.
//!
//! Arrivals are a Poisson process by default: independent exponential gaps with mean `1 / rate`, the
//! textbook model of many independent users (and the "M" in M/M/1). A [`Pattern`] can shape the rate
//! over time (bursts, a flash-sale spike, a daily wave); those are drawn as a non-homogeneous
//! Poisson process by thinning (candidates at the peak rate, each kept with probability
//! `rate(t) / peak`), which is exact and stays deterministic for a seed. A request's cost is the time it would
//! keep one worker of a full-speed server busy; a server at speed `s` serves it in `cost / s`.
//!
//! Each client has an address and a session id, fixed functions of its index, so hashing and
//! stickiness are visible: an IPv4 address drawn from its index, or the one `traffic.addresses`
//! lists for it (IPv4 or IPv6, see [`super::address`]). The first `behind_nat` clients share one
//! public address ([`NAT_ADDRESS`]), the way an office or a mobile carrier's NAT does: to
//! `ip_hash` they are one client.
//!
//! Every request carries a path, the part of the URL a layer-7 balancer can route by. A plain cost
//! distribution gives every request the path [`DEFAULT_PATH`]; a [`CostDistribution::Mix`] gives
//! each class its own (`/page` at 50 ms, `/report` at 10 s). A request stores only its path's
//! index into the classes, and the balancer gets the path's hash computed once per run
//! ([`path_hash`]), so routing by path allocates nothing.

use std::net::{IpAddr, Ipv4Addr};

use super::address::{AddressBlock, nth_address};
use super::clients::{ClientRetry, ClosedLoop};
use super::hash::{fnv1a, splitmix64};
use super::rng::SimRng;
use super::scenario::MAX_MEAN_COST;
use super::time::{SimDuration, SimTime};
use super::validation::{ValidationError, check_duration, check_range, shorten_values};

/// The path of every request when the cost distribution has no classes.
pub const DEFAULT_PATH: &str = "/";
/// The most request classes a [`CostDistribution::Mix`] may have.
pub const MAX_CLASSES: usize = 16;
/// The longest request path, in characters.
pub const MAX_PATH_LEN: usize = 64;

/// How much work each request carries, and (for a mix of classes) which path it asks for.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Several kinds of request, each with its own path and fixed cost: the seed material's 50 ms
    /// page loads and 10 s reports. Files from before request paths wrote a two-class mix as
    /// `{"kind": "bimodal", "common", "rare", "rare_share"}`; those still load (as `/page` and
    /// `/report`), so the file format stays version 1.
    #[serde(alias = "bimodal")]
    Mix(RequestMix),
}

/// The classes of a [`CostDistribution::Mix`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "MixFile")]
pub struct RequestMix {
    /// The classes, in order (a request's path index is its class's position here).
    pub classes: Vec<RequestClass>,
}

/// One kind of request in a mix: the path layer-7 routing sees, its cost, how common it is.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestClass {
    /// The request path, e.g. `/api` (what `hash $request_uri` and `balance uri` hash).
    pub path: String,
    /// What each request of the class costs.
    pub cost: SimDuration,
    /// How common the class is, relative to the others (shares are divided by their sum).
    pub share: f64,
}

/// A mix as files write it: `classes`, or the older `bimodal` fields.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MixFile {
    classes: Option<Vec<RequestClass>>,
    common: Option<SimDuration>,
    rare: Option<SimDuration>,
    rare_share: Option<f64>,
}

impl TryFrom<MixFile> for RequestMix {
    type Error = &'static str;

    fn try_from(file: MixFile) -> Result<RequestMix, Self::Error> {
        match file {
            MixFile {
                classes: Some(classes),
                common: None,
                rare: None,
                rare_share: None,
            } => Ok(RequestMix { classes }),
            MixFile {
                classes: None,
                common: Some(common),
                rare: Some(rare),
                rare_share: Some(rare_share),
            } => Ok(RequestMix {
                classes: vec![
                    RequestClass {
                        path: "/page".into(),
                        cost: common,
                        share: 1.0 - rare_share,
                    },
                    RequestClass {
                        path: "/report".into(),
                        cost: rare,
                        share: rare_share,
                    },
                ],
            }),
            _ => Err("a mix needs `classes` (or all of `common`, `rare` and `rare_share`)"),
        }
    }
}

impl RequestMix {
    /// The seed material's mix: 99% page loads (`/page`) of 50 ms, 1% reports (`/report`) of 10 s.
    pub fn page_and_report() -> RequestMix {
        RequestMix {
            classes: vec![
                RequestClass {
                    path: "/page".into(),
                    cost: SimDuration::from_millis(50),
                    share: 0.99,
                },
                RequestClass {
                    path: "/report".into(),
                    cost: SimDuration::from_secs(10),
                    share: 0.01,
                },
            ],
        }
    }

    /// The sum of the classes' shares.
    fn total_share(&self) -> f64 {
        self.classes.iter().map(|c| c.share).sum()
    }

    /// Draws a class in proportion to the shares and returns its index.
    fn draw(&self, rng: &mut SimRng) -> usize {
        let mut point = rng.unit() * self.total_share();
        let mut last = 0;
        for (i, class) in self.classes.iter().enumerate() {
            if point < class.share {
                return i;
            }
            point -= class.share;
            if class.share > 0.0 {
                last = i;
            }
        }
        last // rounding left the point a hair past the end
    }
}

impl CostDistribution {
    /// Draws one request: its cost and its path index (see [`CostDistribution::path`]).
    pub fn sample(&self, rng: &mut SimRng) -> (SimDuration, u8) {
        match self {
            CostDistribution::Exponential { mean } => (
                SimDuration::from_micros_f64(rng.exponential(mean.0 as f64)),
                0,
            ),
            CostDistribution::Constant { cost } => (*cost, 0),
            CostDistribution::LogNormal { mean, sigma } => {
                // ln X ~ N(mu, sigma^2) with mu chosen so that E[X] = mean.
                let mu = libm::log(mean.0 as f64) - sigma * sigma / 2.0;
                (
                    SimDuration::from_micros_f64(libm::exp(mu + sigma * rng.normal())),
                    0,
                )
            }
            CostDistribution::Mix(mix) => {
                let i = mix.draw(rng);
                // Validation keeps the class count within MAX_CLASSES, so the index fits.
                (mix.classes[i].cost, i as u8)
            }
        }
    }

    /// How many distinct paths requests carry: one per class of a mix, otherwise one.
    pub fn path_count(&self) -> usize {
        match self {
            CostDistribution::Mix(mix) => mix.classes.len(),
            _ => 1,
        }
    }

    /// The path with index `index` ([`DEFAULT_PATH`] when there are no classes, or out of range).
    pub fn path(&self, index: usize) -> &str {
        match self {
            CostDistribution::Mix(mix) => mix.classes.get(index).map_or(DEFAULT_PATH, |c| &c.path),
            _ => DEFAULT_PATH,
        }
    }

    /// The mean cost.
    pub fn mean(&self) -> SimDuration {
        match self {
            CostDistribution::Exponential { mean } => *mean,
            CostDistribution::Constant { cost } => *cost,
            CostDistribution::LogNormal { mean, .. } => *mean,
            CostDistribution::Mix(mix) => {
                let weighted: f64 = mix.classes.iter().map(|c| c.cost.0 as f64 * c.share).sum();
                SimDuration::from_micros_f64(weighted / mix.total_share())
            }
        }
    }

    /// The same shape (and paths) scaled to a different mean.
    pub fn with_mean(&self, mean: SimDuration) -> CostDistribution {
        let scale = mean.0 as f64 / self.mean().0.max(1) as f64;
        match self {
            CostDistribution::Exponential { .. } => CostDistribution::Exponential { mean },
            CostDistribution::Constant { .. } => CostDistribution::Constant { cost: mean },
            CostDistribution::LogNormal { sigma, .. } => CostDistribution::LogNormal {
                mean,
                sigma: *sigma,
            },
            CostDistribution::Mix(mix) => CostDistribution::Mix(RequestMix {
                classes: mix
                    .classes
                    .iter()
                    .map(|c| RequestClass {
                        cost: SimDuration::from_micros_f64(c.cost.0 as f64 * scale),
                        ..c.clone()
                    })
                    .collect(),
            }),
        }
    }

    /// Checks the distribution's own parameters and paths (the mean is checked by the scenario).
    pub fn check_shape(&self, field: &str) -> Result<(), ValidationError> {
        match self {
            CostDistribution::LogNormal { sigma, .. } => {
                check_range(&format!("{field}.sigma"), *sigma, 0.0, 4.0)
            }
            CostDistribution::Mix(mix) => check_mix(&format!("{field}.classes"), mix),
            _ => Ok(()),
        }
    }
}

/// Checks a mix: 1 to [`MAX_CLASSES`] classes with valid, distinct paths, costs up to
/// [`MAX_MEAN_COST`] and shares that are not all zero.
fn check_mix(field: &str, mix: &RequestMix) -> Result<(), ValidationError> {
    let n = mix.classes.len();
    if n == 0 || n > MAX_CLASSES {
        return Err(ValidationError::new(
            field,
            format!("{n} classes is not within 1 to {MAX_CLASSES}"),
        ));
    }
    for (i, class) in mix.classes.iter().enumerate() {
        let at = format!("{field}[{i}]");
        check_path(&format!("{at}.path"), &class.path)?;
        if mix.classes[..i].iter().any(|c| c.path == class.path) {
            return Err(ValidationError::new(
                format!("{at}.path"),
                format!("{:?} is used by another class", class.path),
            ));
        }
        check_duration(
            &format!("{at}.cost"),
            class.cost,
            SimDuration::ZERO,
            MAX_MEAN_COST,
        )?;
        check_range(&format!("{at}.share"), class.share, 0.0, 1e6)?;
    }
    if mix.total_share() <= 0.0 {
        return Err(ValidationError::new(field, "every share is 0"));
    }
    Ok(())
}

/// Checks a request path: it starts with `/`, is at most [`MAX_PATH_LEN`] characters, and is
/// printable ASCII without spaces.
pub fn check_path(field: &str, path: &str) -> Result<(), ValidationError> {
    let problem = if !path.starts_with('/') {
        shorten_values(&format!("{path:?} does not start with '/'"))
    } else if path.len() > MAX_PATH_LEN {
        format!(
            "{} characters is more than the maximum {MAX_PATH_LEN}",
            path.len()
        )
    } else if !path.bytes().all(|b| b.is_ascii_graphic()) {
        format!("{path:?} is not printable ASCII without spaces")
    } else {
        return Ok(());
    };
    Err(ValidationError::new(field, problem))
}

/// A 64-bit FNV-1a hash of a request path: what the balancer hashes for `hash $request_uri`.
pub fn path_hash(path: &str) -> u64 {
    fnv1a(path.as_bytes())
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
    pub fn peak(&self) -> f64 {
        match *self {
            Pattern::Spike { peak, .. } => peak.max(1.0),
            Pattern::Wave { amplitude, .. } => 1.0 + amplitude,
            _ => 1.0,
        }
    }

    /// Checks the pattern's parameters.
    pub fn check(&self, field: &str) -> Result<(), ValidationError> {
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
    /// The clients' addresses: client `i` takes the `i`-th (blocks expanded in order, wrapping
    /// around); empty: addresses drawn from the clients' indices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<AddressBlock>,
    /// A client gives up on a request after this long (it counts as failed, even if a server
    /// finishes it later); `None`: clients wait forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_timeout: Option<SimDuration>,
    /// Clients retry a failed request (see [`ClientRetry`]); `None`: a failure is final.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_retry: Option<ClientRetry>,
    /// Closed-loop users beside the open arrivals (see [`ClosedLoop`]); `None`: open arrivals only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_loop: Option<ClosedLoop>,
}

/// The shared public address of the clients behind a NAT (a documentation address).
pub const NAT_ADDRESS: [u8; 4] = [203, 0, 113, 7];

impl Traffic {
    /// The address the load balancer sees for `client`.
    #[inline]
    pub fn client_ip(&self, client: u32) -> IpAddr {
        if client < self.behind_nat {
            return IpAddr::V4(NAT_ADDRESS.into());
        }
        if !self.addresses.is_empty() {
            return self.listed_address(client);
        }
        let x = splitmix64(u64::from(client));
        // A public-looking first octet (1 to 223), the rest from the hash.
        IpAddr::V4(Ipv4Addr::new(
            1 + (x % 223) as u8,
            (x >> 8) as u8,
            (x >> 16) as u8,
            (x >> 24) as u8,
        ))
    }

    /// `client`'s address from `addresses` (kept out of line: most runs list none).
    #[cold]
    fn listed_address(&self, client: u32) -> IpAddr {
        nth_address(&self.addresses, client)
    }

    /// The session id (cookie) of `client`: one session per client.
    pub fn client_session(&self, client: u32) -> u64 {
        splitmix64(u64::from(client) ^ 0x5E55_1011_C00C_1E00)
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
            addresses: Vec::new(),
            pattern: Pattern::Poisson,
            client_timeout: None,
            client_retry: None,
            closed_loop: None,
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
            addresses: Vec::new(),
            pattern: Pattern::Poisson,
            client_timeout: None,
            client_retry: None,
            closed_loop: None,
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
            addresses: Vec::new(),
            pattern: Pattern::Poisson,
            client_timeout: None,
            client_retry: None,
            closed_loop: None,
        };
        assert!((0..100).all(|c| traffic.client_ip(c) == IpAddr::from(NAT_ADDRESS)));
        let outside: std::collections::HashSet<IpAddr> =
            (100..1_000).map(|c| traffic.client_ip(c)).collect();
        assert_eq!(outside.len(), 900);
        assert!(outside.iter().all(|ip| match ip {
            IpAddr::V4(a) => (1..=223).contains(&a.octets()[0]),
            IpAddr::V6(_) => false,
        }));
        assert_eq!(traffic.client_ip(500), traffic.client_ip(500));
        assert_ne!(traffic.client_session(1), traffic.client_session(2));
    }

    fn page_and_report() -> CostDistribution {
        CostDistribution::Mix(RequestMix::page_and_report())
    }

    #[test]
    fn heavy_tailed_and_mixed_costs_have_their_means() {
        let mut rng = SimRng::new(5, Stream::Costs);
        let n = 200_000;
        let log_normal = CostDistribution::LogNormal {
            mean: SimDuration::from_millis(100),
            sigma: 1.0,
        };
        let mean = (0..n).map(|_| log_normal.sample(&mut rng).0.0).sum::<u64>() as f64 / n as f64;
        assert!((mean - 100_000.0).abs() < 2_500.0, "log-normal mean {mean}");
        let mix = page_and_report();
        assert_eq!(mix.mean(), SimDuration::from_micros(149_500));
        let mut reports = 0;
        for _ in 0..n {
            let (cost, path) = mix.sample(&mut rng);
            let class_costs = [SimDuration::from_millis(50), SimDuration::from_secs(10)];
            assert_eq!(cost, class_costs[usize::from(path)]);
            reports += usize::from(path == 1);
        }
        assert!(
            (reports as f64 / n as f64 - 0.01).abs() < 0.001,
            "{reports}"
        );
        let doubled = mix.with_mean(SimDuration::from_micros(299_000));
        assert_eq!(doubled.mean(), SimDuration::from_micros(299_000));
        assert_eq!(doubled.path(1), "/report");
    }

    #[test]
    fn plain_distributions_have_one_default_path() {
        let exp = CostDistribution::Exponential {
            mean: SimDuration::from_millis(1),
        };
        assert_eq!(exp.path_count(), 1);
        assert_eq!(exp.path(0), DEFAULT_PATH);
        assert_eq!(exp.sample(&mut SimRng::from_seed(1)).1, 0);
        let mix = page_and_report();
        assert_eq!(mix.path_count(), 2);
        assert_eq!((mix.path(0), mix.path(1)), ("/page", "/report"));
    }

    #[test]
    fn an_older_bimodal_mix_loads_as_page_and_report_classes() {
        let old = r#"{"kind": "bimodal", "common": "50ms", "rare": "10s", "rare_share": 0.01}"#;
        let cost: CostDistribution = serde_json::from_str(old).unwrap();
        assert_eq!(cost, page_and_report());
        let written = serde_json::to_string(&cost).unwrap();
        assert!(
            written.starts_with(r#"{"kind":"mix","classes":[{"path":"/page""#),
            "{written}"
        );
        assert_eq!(
            serde_json::from_str::<CostDistribution>(&written).unwrap(),
            cost
        );
        for bad in [
            r#"{"kind": "mix"}"#,
            r#"{"kind": "bimodal", "common": "50ms", "rare": "10s"}"#,
            r#"{"kind": "mix", "classes": [], "rare": "10s"}"#,
            r#"{"kind": "mix", "classes": [], "colour": 1}"#,
        ] {
            assert!(
                serde_json::from_str::<CostDistribution>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn paths_and_mixes_are_checked_field_by_field() {
        let err = |p: &str| check_path("p", p).unwrap_err().to_string();
        assert_eq!(check_path("p", "/api/v1?x=1"), Ok(()));
        assert_eq!(err("api"), r#"p: "api" does not start with '/'"#);
        assert_eq!(err(""), r#"p: "" does not start with '/'"#);
        assert_eq!(
            err(&format!("/{}", "a".repeat(64))),
            "p: 65 characters is more than the maximum 64"
        );
        assert_eq!(
            err("/a b"),
            r#"p: "/a b" is not printable ASCII without spaces"#
        );
        assert!(err("/caf\u{e9}").contains("printable ASCII"));
        let bad = |f: fn(&mut Vec<RequestClass>)| {
            let CostDistribution::Mix(mut mix) = page_and_report() else {
                unreachable!()
            };
            f(&mut mix.classes);
            CostDistribution::Mix(mix)
                .check_shape("traffic.cost")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            bad(|c| c[1].path = "/page".into()),
            r#"traffic.cost.classes[1].path: "/page" is used by another class"#
        );
        assert_eq!(
            bad(|c| c[0].path = "page".into()),
            r#"traffic.cost.classes[0].path: "page" does not start with '/'"#
        );
        assert_eq!(
            bad(|c| c[1].share = -1.0),
            "traffic.cost.classes[1].share: -1 is below the minimum 0"
        );
        assert_eq!(
            bad(|c| c.iter_mut().for_each(|c| c.share = 0.0)),
            "traffic.cost.classes: every share is 0"
        );
        assert_eq!(
            bad(|c| c.clear()),
            "traffic.cost.classes: 0 classes is not within 1 to 16"
        );
        assert_eq!(
            bad(|c| *c = vec![c[0].clone(); MAX_CLASSES + 1]),
            "traffic.cost.classes: 17 classes is not within 1 to 16"
        );
        assert!(
            bad(|c| c[0].cost = SimDuration::from_secs(3_601))
                .starts_with("traffic.cost.classes[0].cost: 3601s is above the maximum 1h")
        );
        assert_eq!(page_and_report().check_shape("traffic.cost"), Ok(()));
    }

    #[test]
    fn path_hashes_are_fnv_1a() {
        // The FNV-1a test vectors.
        assert_eq!(path_hash(""), 0xCBF2_9CE4_8422_2325);
        assert_eq!(path_hash("a"), 0xAF63_DC4C_8601_EC8C);
        assert_ne!(path_hash("/api"), path_hash("/static"));
    }

    #[test]
    fn costs_follow_their_distribution() {
        let mut rng = SimRng::new(4, Stream::Costs);
        let exp = CostDistribution::Exponential {
            mean: SimDuration::from_millis(100),
        };
        let n = 100_000;
        let mean = (0..n).map(|_| exp.sample(&mut rng).0.0).sum::<u64>() as f64 / n as f64;
        assert!((mean - 100_000.0).abs() < 1_000.0, "mean {mean}");
        let constant = CostDistribution::Constant {
            cost: SimDuration(7),
        };
        assert_eq!(constant.sample(&mut rng), (SimDuration(7), 0));
        assert_eq!(exp.with_mean(SimDuration(5)).mean(), SimDuration(5));
    }
}
