//! A scenario: everything a run starts from. The servers, the algorithm, the traffic, the network
//! delays and the seed. The same scenario and the same commands at the same times give the same run.

use super::balancer::Algorithm;
use super::health::ActiveCheck;
use super::resilience::Resilience;
use super::server::{MAX_SPEED, MAX_WEIGHT, MAX_WORKERS, MIN_SPEED, ServerSpec};
use super::slow_start::SlowStart;
use super::time::SimDuration;
use super::traffic::{CostDistribution, Traffic};
use super::validation::{ValidationError, check_range};

/// The most servers a scenario may have.
pub const MAX_SERVERS: usize = 1_000;
/// The highest arrival rate, in requests per second.
pub const MAX_RATE: f64 = 1_000_000.0;
/// The most clients a scenario may have.
pub const MAX_CLIENTS: u32 = 1_000_000;
/// The longest one-way network delay.
pub const MAX_LATENCY: SimDuration = SimDuration::from_secs(60);
/// The largest mean request cost.
pub const MAX_MEAN_COST: SimDuration = SimDuration::from_secs(3_600);

/// The starting point of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The seed of every random stream.
    pub seed: u64,
    /// The servers, in balancer order.
    pub servers: Vec<ServerSpec>,
    /// The balancing algorithm.
    pub algorithm: Algorithm,
    /// The offered load.
    pub traffic: Traffic,
    /// One-way delay between a client and the load balancer.
    pub client_latency: SimDuration,
    /// One-way delay between the load balancer and a server.
    pub backend_latency: SimDuration,
    /// The length of a metrics window (one point on the time charts).
    pub sample_every: SimDuration,
    /// How a revived server's weight ramps back up.
    pub slow_start: SlowStart,
    /// Health checks, passive checks, circuit breakers and retries.
    pub resilience: Resilience,
}

impl Scenario {
    /// The classroom default: four equal servers with two workers each, 500 ms mean requests at
    /// 10 per second (62.5% load), delays long enough to watch requests travel, and HAProxy's
    /// default health checks (no retries, no breakers: a class turns those on and compares).
    pub fn classroom() -> Scenario {
        Scenario {
            seed: 1,
            servers: (1..=4)
                .map(|i| server(&format!("server-{i}"), 1, 2))
                .collect(),
            algorithm: Algorithm::RoundRobin,
            traffic: Traffic {
                rate: 10.0,
                cost: CostDistribution::Exponential {
                    mean: SimDuration::from_millis(500),
                },
                clients: 200,
                behind_nat: 0,
            },
            client_latency: SimDuration::from_millis(300),
            backend_latency: SimDuration::from_millis(300),
            sample_every: SimDuration::from_secs(1),
            slow_start: SlowStart::Off,
            resilience: Resilience {
                health: Some(ActiveCheck::HAPROXY_DEFAULT),
                ..Resilience::NONE
            },
        }
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.servers.is_empty() {
            return Err(ValidationError::new(
                "servers",
                "at least one server is needed",
            ));
        }
        if self.servers.len() > MAX_SERVERS {
            return Err(ValidationError::new(
                "servers",
                format!(
                    "{} servers is more than the maximum {MAX_SERVERS}",
                    self.servers.len()
                ),
            ));
        }
        for (i, s) in self.servers.iter().enumerate() {
            validate_server(&format!("servers[{i}]"), s)?;
        }
        check_range("traffic.rate", self.traffic.rate, 0.0, MAX_RATE)?;
        check_range(
            "traffic.clients",
            f64::from(self.traffic.clients),
            1.0,
            f64::from(MAX_CLIENTS),
        )?;
        check_mean_cost("traffic.cost.mean", self.traffic.cost.mean())?;
        check_duration(
            "client_latency",
            self.client_latency,
            SimDuration::ZERO,
            MAX_LATENCY,
        )?;
        check_duration(
            "backend_latency",
            self.backend_latency,
            SimDuration::ZERO,
            MAX_LATENCY,
        )?;
        check_duration(
            "sample_every",
            self.sample_every,
            SimDuration::from_millis(10),
            SimDuration::from_secs(3_600),
        )?;
        check_slow_start("slow_start", &self.slow_start)?;
        self.resilience.validate("resilience")
    }
}

/// Checks a client population: 1 to [`MAX_CLIENTS`] clients, at most all of them behind the NAT.
pub fn check_clients(field: &str, clients: u32, behind_nat: u32) -> Result<(), ValidationError> {
    check_range(
        &format!("{field}.clients"),
        f64::from(clients),
        1.0,
        f64::from(MAX_CLIENTS),
    )?;
    check_range(
        &format!("{field}.behind_nat"),
        f64::from(behind_nat),
        0.0,
        f64::from(clients),
    )
}

/// Checks slow-start settings.
pub fn check_slow_start(field: &str, slow_start: &SlowStart) -> Result<(), ValidationError> {
    let hour = SimDuration::from_secs(3_600);
    match *slow_start {
        SlowStart::Off => Ok(()),
        SlowStart::Linear { period } => {
            check_duration(&format!("{field}.period"), period, SimDuration(1), hour)
        }
        SlowStart::Envoy {
            window,
            aggression,
            min_weight,
        } => {
            check_duration(&format!("{field}.window"), window, SimDuration(1), hour)?;
            check_range(&format!("{field}.aggression"), aggression, 0.1, 100.0)?;
            check_range(&format!("{field}.min_weight"), min_weight, 0.001, 1.0)
        }
    }
}

/// A server spec with default speed and an unbounded queue.
pub fn server(name: &str, weight: u32, workers: u32) -> ServerSpec {
    ServerSpec {
        name: name.to_string(),
        weight,
        workers,
        speed: 1.0,
        queue_limit: None,
        backup: false,
        error_rate: 0.0,
    }
}

fn validate_server(field: &str, s: &ServerSpec) -> Result<(), ValidationError> {
    if s.name.trim().is_empty() || s.name.len() > 64 {
        return Err(ValidationError::new(
            format!("{field}.name"),
            "must be 1 to 64 characters",
        ));
    }
    check_weight(&format!("{field}.weight"), s.weight)?;
    check_range(
        &format!("{field}.workers"),
        f64::from(s.workers),
        1.0,
        f64::from(MAX_WORKERS),
    )?;
    check_speed(&format!("{field}.speed"), s.speed)?;
    check_error_rate(&format!("{field}.error_rate"), s.error_rate)?;
    if let Some(limit) = s.queue_limit {
        check_range(&format!("{field}.queue_limit"), f64::from(limit), 0.0, 1e6)?;
    }
    Ok(())
}

/// Checks a balancing weight.
pub fn check_weight(field: &str, weight: u32) -> Result<(), ValidationError> {
    check_range(field, f64::from(weight), 0.0, f64::from(MAX_WEIGHT))
}

/// Checks a server error rate (a share from 0 to 1).
pub fn check_error_rate(field: &str, rate: f64) -> Result<(), ValidationError> {
    check_range(field, rate, 0.0, 1.0)
}

/// Checks a server speed factor.
pub fn check_speed(field: &str, speed: f64) -> Result<(), ValidationError> {
    check_range(field, speed, MIN_SPEED, MAX_SPEED)
}

/// Checks a mean request cost.
pub fn check_mean_cost(field: &str, mean: SimDuration) -> Result<(), ValidationError> {
    check_duration(field, mean, SimDuration(1), MAX_MEAN_COST)
}

fn check_duration(
    field: &str,
    value: SimDuration,
    min: SimDuration,
    max: SimDuration,
) -> Result<(), ValidationError> {
    check_range(
        field,
        value.as_secs_f64(),
        min.as_secs_f64(),
        max.as_secs_f64(),
    )
    .map_err(|e| ValidationError::new(e.field, format!("{} (seconds)", e.problem)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classroom_default_is_valid() {
        assert_eq!(Scenario::classroom().validate(), Ok(()));
    }

    #[test]
    fn errors_name_the_bad_field() {
        let bad = |f: fn(&mut Scenario)| {
            let mut s = Scenario::classroom();
            f(&mut s);
            s.validate().unwrap_err().to_string()
        };
        assert_eq!(
            bad(|s| s.servers.clear()),
            "servers: at least one server is needed"
        );
        assert_eq!(
            bad(|s| s.servers[2].weight = 1001),
            "servers[2].weight: 1001 is above the maximum 1000"
        );
        assert_eq!(
            bad(|s| s.servers[0].workers = 0),
            "servers[0].workers: 0 is below the minimum 1"
        );
        assert_eq!(
            bad(|s| s.servers[1].speed = f64::INFINITY),
            "servers[1].speed: inf is not a finite number"
        );
        assert_eq!(
            bad(|s| s.servers[3].name = " ".into()),
            "servers[3].name: must be 1 to 64 characters"
        );
        assert_eq!(
            bad(|s| s.traffic.rate = -2.0),
            "traffic.rate: -2 is below the minimum 0"
        );
        assert_eq!(
            bad(|s| s.traffic.clients = 0),
            "traffic.clients: 0 is below the minimum 1"
        );
        assert!(
            bad(|s| s.traffic.cost = CostDistribution::Constant {
                cost: SimDuration::ZERO
            })
            .starts_with("traffic.cost.mean: 0 is below the minimum")
        );
        assert!(
            bad(|s| s.backend_latency = SimDuration::from_secs(61)).starts_with("backend_latency:")
        );
        assert!(
            bad(|s| s.servers = vec![server("x", 1, 1); MAX_SERVERS + 1]).contains("maximum 1000")
        );
    }
}
