//! Queueing theory, for checking the simulator and for the charts' overlays. With service rate
//! `mu` and arrival rate `lambda` (per second):
//!
//! - M/M/c (Poisson arrivals, exponential service, c workers, one FIFO queue): Erlang C gives the
//!   chance of waiting, `P = (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a)))`
//!   with `a = lambda / mu`, and the mean time in system is `P / (c mu - lambda) + 1 / mu`.
//!   M/M/1 is c = 1: `1 / (mu - lambda)`.
//! - M/D/1 (fixed service time): `1/mu + rho / (2 mu (1 - rho))`.
//! - Power of d choices over many servers (Mitzenmacher; Vvedenskaya, Dobrushin, Karpelevich):
//!   mean time in system `sum_{i>=1} rho^((d^i - d) / (d - 1))` service times.
//!
//! [`expected_latency`] picks the model that fits a running simulation, if one does.

use super::balancer::Algorithm;
use super::engine::Simulation;
use super::traffic::{CostDistribution, Pattern};

/// Mean time in system of an M/M/c queue (seconds), or `None` when it is unstable.
pub fn mmc_mean(lambda: f64, mu: f64, c: u32) -> Option<f64> {
    let a = lambda / mu;
    let c_f = f64::from(c);
    if c == 0 || a >= c_f || mu <= 0.0 {
        return None;
    }
    // Terms a^k / k! built incrementally (stable for the sizes used here).
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let tail = term * c_f / (c_f - a);
    let wait_probability = tail / (sum + tail);
    Some(wait_probability / (c_f * mu - lambda) + 1.0 / mu)
}

/// Mean time in system of an M/D/1 queue (seconds), or `None` when it is unstable.
pub fn md1_mean(lambda: f64, mu: f64) -> Option<f64> {
    let rho = lambda / mu;
    (rho < 1.0 && mu > 0.0).then(|| 1.0 / mu + rho / (2.0 * mu * (1.0 - rho)))
}

/// Mean time in system, in service times, under power of `d` choices as servers -> infinity,
/// with per-server load `rho`.
pub fn power_of_d_mean(rho: f64, d: u32) -> Option<f64> {
    if !(0.0..1.0).contains(&rho) || d < 2 {
        return None;
    }
    let d = f64::from(d);
    let mut total = 0.0;
    for i in 1..64 {
        let exponent = (libm::pow(d, f64::from(i)) - d) / (d - 1.0);
        let term = libm::pow(rho, exponent);
        total += term;
        if term < 1e-12 {
            break;
        }
    }
    Some(total)
}

/// A theoretical expectation for the current run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expectation {
    /// Which model, in words.
    pub model: &'static str,
    /// Mean client-observed latency it predicts, in milliseconds (network delays included).
    pub mean_ms: f64,
}

/// The queueing model that fits `sim` right now, if one does: Poisson arrivals (no closed-loop
/// users, no client retries sent, no rate limit), a balancer that costs nothing, exponential (or,
/// with one worker, constant) costs, identical live servers without errors, and an algorithm the
/// theory covers. Network delays are added as they are fixed.
pub fn expected_latency(sim: &Simulation) -> Option<Expectation> {
    let traffic = sim.traffic();
    if traffic.pattern != Pattern::Poisson || traffic.rate <= 0.0 {
        return None;
    }
    // Closed-loop users, and retries clients have made, are arrivals no Poisson model covers.
    if traffic.closed_loop.is_some() || sim.metrics().client_retries() > 0 {
        return None;
    }
    // A rate limit thins the arrivals: what it lets through is no Poisson stream at the rate
    // sent (a token bucket's output is smoother, and slower).
    if !sim.rate_limit().is_off() {
        return None;
    }
    // A balancer that costs CPU is a queue of its own in front of the servers' (and its
    // handshakes are work no cost distribution says): these models leave it out.
    if sim.balancer_load().is_some() {
        return None;
    }
    let live: Vec<_> = sim
        .servers()
        .iter()
        .zip(sim.backends())
        .filter(|(s, b)| s.is_alive() && !b.removed() && s.spec().weight > 0)
        .map(|(s, _)| s.spec())
        .collect();
    let first = live.first()?;
    let identical = live.iter().all(|s| {
        s.workers == first.workers && s.speed == first.speed && s.error_rate == 0.0 && !s.backup
    });
    if !identical || live.len() != sim.servers().len() {
        return None;
    }
    let n = live.len() as f64;
    let mu = first.speed / traffic.cost.mean().as_secs_f64();
    let per_server = traffic.rate / n;
    let exponential = matches!(traffic.cost, CostDistribution::Exponential { .. });
    let constant = matches!(traffic.cost, CostDistribution::Constant { .. });
    let (model, seconds) = match sim.algorithm() {
        Algorithm::Random | Algorithm::RoundRobin | Algorithm::SmoothWeighted if exponential => (
            "M/M/c per server (random split; round robin does a little better)",
            mmc_mean(per_server, mu, first.workers)?,
        ),
        Algorithm::Random | Algorithm::RoundRobin if constant && first.workers == 1 => {
            ("M/D/1 per server (random split)", md1_mean(per_server, mu)?)
        }
        Algorithm::NginxRandomTwo | Algorithm::EnvoyLeastRequest | Algorithm::PeakEwma
            if exponential && first.workers == 1 =>
        {
            (
                "power of two choices, many servers",
                power_of_d_mean(per_server / mu, 2)? / mu,
            )
        }
        Algorithm::LeastConnections | Algorithm::HaproxyLeastConn if exponential => (
            "one shared queue, M/M/c over all workers (a lower bound)",
            mmc_mean(traffic.rate, mu, first.workers * live.len() as u32)?,
        ),
        _ => return None,
    };
    let network = 2.0
        * (sim.scenario().client_latency.as_secs_f64()
            + sim.scenario().backend_latency.as_secs_f64());
    Some(Expectation {
        model,
        mean_ms: (seconds + network) * 1e3,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn reference_values() {
        assert!(close(mmc_mean(0.5, 1.0, 1).unwrap(), 2.0, 1e-12));
        assert!(close(mmc_mean(0.9, 1.0, 1).unwrap(), 10.0, 1e-9));
        assert!(close(md1_mean(0.5, 1.0).unwrap(), 1.5, 1e-12));
        assert!(close(md1_mean(0.9, 1.0).unwrap(), 5.5, 1e-9));
        assert!(close(power_of_d_mean(0.9, 2).unwrap(), 2.614, 0.001));
        assert!(close(power_of_d_mean(0.9, 3).unwrap(), 2.028, 0.001));
        assert!(close(power_of_d_mean(0.99, 2).unwrap(), 5.43, 0.01));
        assert_eq!(mmc_mean(1.0, 1.0, 1), None, "unstable");
    }

    #[test]
    fn erlang_c_matches_a_known_value() {
        // M/M/2 with a = 1 (rho 0.5): P(wait) = 1/3, W = 1/3 / (2 - 1) + 1 = 4/3.
        assert!(close(mmc_mean(1.0, 1.0, 2).unwrap(), 4.0 / 3.0, 1e-12));
    }
}
