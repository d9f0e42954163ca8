//! The load balancer's failure handling, gathered: active health checks, passive checks, Envoy's
//! panic threshold, circuit breakers and retries. See each module for the semantics; this one holds
//! the settings together and validates them.

use super::breaker::BreakerConfig;
use super::health::{ActiveCheck, CheckSchedule};
use super::passive::Passive;
use super::retry::{MAX_TRIES, RetryPolicy};
use super::time::SimDuration;
use super::validation::{ValidationError, check_duration, check_range};

/// How the load balancer notices and handles failing servers. In files, fields left out are off.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Resilience {
    /// Active health checks; `None`: the balancer never probes (a dead server keeps getting traffic
    /// unless passive checks notice).
    pub health: Option<ActiveCheck>,
    /// When the checks run: the first ones together or spread, and their jitter.
    #[serde(skip_serializing_if = "CheckSchedule::is_default")]
    pub check_schedule: CheckSchedule,
    /// Passive checks on real traffic.
    pub passive: Passive,
    /// Envoy's panic threshold: below this share of healthy servers, balance across all of them.
    pub panic_threshold: Option<f64>,
    /// A circuit breaker per server.
    pub breaker: BreakerConfig,
    /// Retrying failed tries on another server.
    pub retry: RetryPolicy,
}

impl Default for Resilience {
    fn default() -> Self {
        Resilience::NONE
    }
}

impl Resilience {
    /// Nothing: the balancer sends to whatever it is configured with and never retries.
    pub const NONE: Resilience = Resilience {
        health: None,
        check_schedule: CheckSchedule {
            spread_first: false,
            jitter_percent: 0,
        },
        passive: Passive::Off,
        panic_threshold: None,
        breaker: BreakerConfig::Off,
        retry: RetryPolicy::OFF,
    };

    /// Checks every setting; the error names the first bad field under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        if let Some(h) = &self.health {
            check_health(&format!("{field}.health"), h)?;
        }
        check_range(
            &format!("{field}.check_schedule.jitter_percent"),
            f64::from(self.check_schedule.jitter_percent),
            0.0,
            f64::from(CheckSchedule::MAX_JITTER_PERCENT),
        )?;
        check_passive(&format!("{field}.passive"), &self.passive)?;
        if let Some(p) = self.panic_threshold {
            check_panic_threshold(&format!("{field}.panic_threshold"), p)?;
        }
        check_breaker(&format!("{field}.breaker"), &self.breaker)?;
        check_retry(&format!("{field}.retry"), &self.retry)
    }
}

/// Checks active health-check settings.
pub fn check_health(field: &str, h: &ActiveCheck) -> Result<(), ValidationError> {
    let f = |name: &str| format!("{field}.{name}");
    check_duration(
        &f("inter"),
        h.inter,
        SimDuration::from_millis(10),
        SimDuration::HOUR,
    )?;
    if let Some(d) = h.fastinter {
        check_duration(
            &f("fastinter"),
            d,
            SimDuration::from_millis(10),
            SimDuration::HOUR,
        )?;
    }
    if let Some(d) = h.downinter {
        check_duration(
            &f("downinter"),
            d,
            SimDuration::from_millis(10),
            SimDuration::HOUR,
        )?;
    }
    check_duration(&f("timeout"), h.timeout, SimDuration::MS, SimDuration::HOUR)?;
    check_range(&f("rise"), f64::from(h.rise), 1.0, 100.0)?;
    check_range(&f("fall"), f64::from(h.fall), 1.0, 100.0)?;
    check_duration(
        &f("check_work"),
        h.check_work,
        SimDuration::ZERO,
        SimDuration::HOUR,
    )?;
    if let Some(cap) = h.backoff_cap {
        check_duration(
            &f("backoff_cap"),
            cap,
            SimDuration::from_millis(10),
            SimDuration::HOUR,
        )?;
    }
    Ok(())
}

/// Checks Envoy's panic threshold: a share of the servers, 0 to 1.
pub fn check_panic_threshold(field: &str, share: f64) -> Result<(), ValidationError> {
    check_range(field, share, 0.0, 1.0)
}

/// Checks passive-check settings.
pub fn check_passive(field: &str, p: &Passive) -> Result<(), ValidationError> {
    p.validate(field)
}

/// Checks circuit-breaker settings.
pub fn check_breaker(field: &str, b: &BreakerConfig) -> Result<(), ValidationError> {
    b.validate(field)
}

/// Checks a retry policy.
pub fn check_retry(field: &str, r: &RetryPolicy) -> Result<(), ValidationError> {
    let f = |name: &str| format!("{field}.{name}");
    check_range(
        &f("max_tries"),
        f64::from(r.max_tries),
        1.0,
        f64::from(MAX_TRIES),
    )?;
    if let Some(t) = r.per_try_timeout {
        check_duration(&f("per_try_timeout"), t, SimDuration::MS, SimDuration::HOUR)?;
    }
    if let Some(b) = r.budget {
        check_range(&f("budget"), b, 0.0, 1.0)?;
    }
    check_range(
        &f("min_concurrent"),
        f64::from(r.min_concurrent),
        0.0,
        1_000_000.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_fields_are_named() {
        let ok = Resilience {
            health: Some(ActiveCheck::HAPROXY_DEFAULT),
            passive: Passive::ENVOY_DEFAULT,
            panic_threshold: Some(0.5),
            breaker: BreakerConfig::RESILIENCE4J_DEFAULT,
            retry: RetryPolicy::NGINX_DEFAULT,
            ..Resilience::NONE
        };
        assert_eq!(ok.validate("resilience"), Ok(()));
        let bad = Resilience {
            retry: RetryPolicy {
                max_tries: 9,
                ..RetryPolicy::OFF
            },
            ..ok
        };
        assert_eq!(
            bad.validate("resilience").unwrap_err().to_string(),
            "resilience.retry.max_tries: 9 is above the maximum 5"
        );
        let bad = Resilience {
            health: Some(ActiveCheck {
                rise: 0,
                ..ActiveCheck::HAPROXY_DEFAULT
            }),
            ..ok
        };
        assert_eq!(
            bad.validate("resilience").unwrap_err().to_string(),
            "resilience.health.rise: 0 is below the minimum 1"
        );
        let bad = Resilience {
            panic_threshold: Some(1.5),
            ..ok
        };
        assert!(
            bad.validate("r")
                .unwrap_err()
                .to_string()
                .starts_with("r.panic_threshold")
        );
    }
}
