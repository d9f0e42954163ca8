//! The client's retry budget: gRPC's retry throttling, as gRFC A6 ("gRPC Retry Design",
//! `retryThrottling` in the service config) specifies it and grpc-core implements it
//! (`src/core/client_channel/retry_throttle.cc`, `RetryThrottler`).
//!
//! The client keeps a token count, in thousandths of a token (milli-tokens) as grpc-core does,
//! starting full at `max_tokens`. Every failed attempt takes 1 token (1000 milli-tokens), every
//! successful one gives back `token_ratio` (rounded down to thousandths, gRPC allows three
//! decimals); the count stays within `0..=max_tokens`. A failed attempt may be retried only if,
//! after its token is taken, more than `max_tokens / 2` remain (integer halving of the
//! milli-tokens, as grpc-core's `new_value > max_milli_tokens_ / 2`). So retries stop once about
//! `max_tokens / 2` failures outnumber `token_ratio`-weighted successes, and resume once enough
//! successes have refilled the bucket: under a total outage, the only extra load is the first few
//! retries. One bucket serves every client here: the clients are one calling service (a gRPC
//! channel keeps one per server name).
//!
//! A change of settings keeps the bucket as full, proportionally, as it was (grpc-core's
//! `RetryThrottler::Create`): a client already throttled stays throttled.

use crate::sim::validation::{ValidationError, check_range};

/// The settings, as in gRPC's service config: `{"max_tokens": 10, "token_ratio": 0.1}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryThrottle {
    /// The bucket's size, 1 to 1000 tokens (gRPC: `0 < maxTokens <= 1000`).
    pub max_tokens: u32,
    /// Tokens a success gives back, 0.001 to 1000 (gRPC: `tokenRatio > 0`, three decimals).
    pub token_ratio: f64,
}

impl RetryThrottle {
    /// gRPC's example service config: 10 tokens, 0.1 back per success.
    pub const GRPC_EXAMPLE: RetryThrottle = RetryThrottle {
        max_tokens: 10,
        token_ratio: 0.1,
    };

    /// Checks both fields against gRPC's ranges.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{field}.max_tokens"),
            f64::from(self.max_tokens),
            1.0,
            1000.0,
        )?;
        check_range(
            &format!("{field}.token_ratio"),
            self.token_ratio,
            0.001,
            1000.0,
        )
    }

    fn max_milli(&self) -> u64 {
        u64::from(self.max_tokens) * 1_000
    }

    fn milli_ratio(&self) -> u64 {
        // gRPC parses the ratio to three decimals; the epsilon keeps 0.1 at 100, not 99.
        (self.token_ratio * 1_000.0 + 1e-6) as u64
    }
}

/// The bucket of a running simulation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Throttle {
    config: RetryThrottle,
    milli_tokens: u64,
}

impl Throttle {
    /// A full bucket.
    pub fn new(config: RetryThrottle) -> Throttle {
        Throttle {
            config,
            milli_tokens: config.max_milli(),
        }
    }

    /// A bucket with new settings, as full (proportionally) as `previous` was.
    pub fn replacing(previous: &Throttle, config: RetryThrottle) -> Throttle {
        if previous.config == config {
            return *previous;
        }
        let fraction = previous.milli_tokens as f64 / previous.config.max_milli() as f64;
        Throttle {
            config,
            milli_tokens: (fraction * config.max_milli() as f64) as u64,
        }
    }

    /// The settings.
    pub fn config(&self) -> RetryThrottle {
        self.config
    }

    /// Tokens now, in thousandths.
    pub fn milli_tokens(&self) -> u64 {
        self.milli_tokens
    }

    /// An attempt failed: take a token, and say whether it may be retried.
    pub fn record_failure(&mut self) -> bool {
        self.milli_tokens = self.milli_tokens.saturating_sub(1_000);
        self.milli_tokens > self.config.max_milli() / 2
    }

    /// An attempt succeeded: give back `token_ratio` tokens.
    pub fn record_success(&mut self) {
        self.milli_tokens =
            (self.milli_tokens + self.config.milli_ratio()).min(self.config.max_milli());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_take_a_token_and_retries_stop_at_half() {
        // max_tokens 10: 10_000 milli-tokens, the threshold 5_000 (retries need more than that).
        let mut t = Throttle::new(RetryThrottle::GRPC_EXAMPLE);
        let allowed: Vec<bool> = (0..6).map(|_| t.record_failure()).collect();
        // 9, 8, 7, 6 tokens: allowed; 5 is not more than 5; 4 neither.
        assert_eq!(allowed, [true, true, true, true, false, false]);
        assert_eq!(t.milli_tokens(), 4_000);
        // Each success gives back 0.1 token: ten of them make one.
        for _ in 0..10 {
            t.record_success();
        }
        assert_eq!(t.milli_tokens(), 5_000);
        // 5 tokens minus 1 is 4: still throttled; refill to 6.1 and a failure leaves 5.1: allowed.
        let mut probe = t;
        assert!(!probe.record_failure());
        for _ in 0..11 {
            t.record_success();
        }
        assert_eq!(t.milli_tokens(), 6_100);
        assert!(t.record_failure());
        assert_eq!(t.milli_tokens(), 5_100);
    }

    #[test]
    fn the_count_stays_within_zero_and_max() {
        let mut t = Throttle::new(RetryThrottle {
            max_tokens: 3,
            token_ratio: 2.5,
        });
        t.record_success();
        assert_eq!(t.milli_tokens(), 3_000, "never above max_tokens");
        for _ in 0..10 {
            t.record_failure();
        }
        assert_eq!(t.milli_tokens(), 0, "never below zero");
        t.record_success();
        assert_eq!(t.milli_tokens(), 2_500);
        // max 3_000: the threshold is 1_500; 2_500 - 1_000 = 1_500 is not above it.
        assert!(!t.record_failure());
    }

    #[test]
    fn the_ratio_keeps_three_decimals_and_new_settings_keep_the_fill() {
        let t = RetryThrottle {
            max_tokens: 10,
            token_ratio: 0.1234,
        };
        assert_eq!(t.milli_ratio(), 123);
        assert_eq!(RetryThrottle::GRPC_EXAMPLE.milli_ratio(), 100);
        let mut old = Throttle::new(RetryThrottle::GRPC_EXAMPLE);
        for _ in 0..6 {
            old.record_failure(); // 4 of 10 left
        }
        let new = Throttle::replacing(
            &old,
            RetryThrottle {
                max_tokens: 100,
                token_ratio: 1.0,
            },
        );
        assert_eq!(new.milli_tokens(), 40_000);
        assert_eq!(Throttle::replacing(&old, old.config()), old);
    }

    #[test]
    fn settings_are_checked_against_grpc_ranges() {
        let err = |t: RetryThrottle| t.validate("budget").unwrap_err().to_string();
        assert_eq!(
            err(RetryThrottle {
                max_tokens: 0,
                token_ratio: 0.1
            }),
            "budget.max_tokens: 0 is below the minimum 1"
        );
        assert_eq!(
            err(RetryThrottle {
                max_tokens: 1001,
                token_ratio: 0.1
            }),
            "budget.max_tokens: 1001 is above the maximum 1000"
        );
        assert_eq!(
            err(RetryThrottle {
                max_tokens: 10,
                token_ratio: 0.0
            }),
            "budget.token_ratio: 0 is below the minimum 0.001"
        );
    }
}
