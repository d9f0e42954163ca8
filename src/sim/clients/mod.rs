//! Clients that behave like clients: they retry a failed request after a backoff, within a
//! retry budget, and (as closed-loop users) wait for one answer before sending the next.
//!
//! - [`backoff`]: capped exponential backoff with no, full, equal or decorrelated jitter, as in
//!   the AWS Architecture Blog's "Exponential Backoff And Jitter" (Marc Brooker, 2015).
//! - [`budget`]: gRPC's client-side retry throttling (gRFC A6), a token bucket that stops
//!   retries while failures outnumber successes.
//! - [`closed_loop`]: N users who each send, wait for the answer (or their timeout), think for an
//!   exponential time, and send again, beside the open (Poisson) arrivals.
//!
//! A client retry is a new request as the balancer and the totals see it: it has its own
//! sequence number, its own client timeout, and counts in `generated` and in exactly one of the
//! outcomes, so `generated = completed + failed + rejected + rate_limited + in_flight + queued`
//! still holds. [`Chain`] is what ties the requests of one client's attempts together: which
//! attempt this is, the last backoff slept (for decorrelated jitter), and the closed-loop user
//! waiting for it, if any.

pub mod backoff;
pub mod budget;
pub mod closed_loop;
pub mod presets;
pub mod report;

pub use backoff::{Backoff, Jitter};
pub use budget::{RetryThrottle, Throttle};
pub use closed_loop::ClosedLoop;

use super::request::Outcome;
use super::time::SimDuration;
use super::validation::{ValidationError, check_range};

/// The most attempts a client makes for one request, the first included.
pub const MAX_CLIENT_ATTEMPTS: u32 = 10;

/// A client's retry policy: how many attempts, how long to back off between them, and an optional
/// retry budget. In files `{"max_attempts": 3, "backoff": {"base": "100ms", "cap": "10s",
/// "jitter": "full"}, "budget": {"max_tokens": 10, "token_ratio": 0.1}}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRetry {
    /// Attempts in all, the first included (2 to [`MAX_CLIENT_ATTEMPTS`]; gRPC's `maxAttempts`).
    pub max_attempts: u32,
    /// The backoff between attempts.
    pub backoff: Backoff,
    /// gRPC retry throttling; `None`: every failure may be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<RetryThrottle>,
}

impl ClientRetry {
    /// Naive retries: three attempts, at once, no budget (what makes a retry storm).
    pub const NAIVE: ClientRetry = ClientRetry {
        max_attempts: 3,
        backoff: Backoff::NONE,
        budget: None,
    };

    /// Checks every field; errors name `field.name` and the allowed range.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{field}.max_attempts"),
            f64::from(self.max_attempts),
            2.0,
            f64::from(MAX_CLIENT_ATTEMPTS),
        )?;
        self.backoff.validate(&format!("{field}.backoff"))?;
        if let Some(budget) = &self.budget {
            budget.validate(&format!("{field}.budget"))?;
        }
        Ok(())
    }

    /// In a few words, for the timeline and the controls.
    pub fn describe(&self) -> String {
        let budget = match self.budget {
            Some(b) => format!(
                ", gRPC retry budget (max_tokens {}, token_ratio {})",
                b.max_tokens, b.token_ratio
            ),
            None => String::new(),
        };
        format!(
            "{} attempts, {}{budget}",
            self.max_attempts,
            self.backoff.describe()
        )
    }
}

/// Whether a client retries a request that ended with `outcome`: every failure as the client
/// sees it (an error, a refusal, a rate limit, its own timeout), but never a success, and never
/// a refusal by the simulator's own bound on held requests (`over_capacity`, not a server's doing).
pub fn retryable(outcome: Outcome) -> bool {
    !matches!(outcome, Outcome::Success | Outcome::OverCapacity)
}

/// A closed-loop user's index, or none for an open-loop arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct User {
    /// The user's index (0-based).
    pub index: u32,
    /// The closed-loop configuration it belongs to (a change starts a new one).
    pub generation: u32,
}

/// What ties one client's attempts at a request together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Chain {
    /// 0 for the first send, n for the n-th client retry.
    pub attempt: u8,
    /// The backoff slept before this attempt (zero for the first).
    pub slept: SimDuration,
    /// The closed-loop user waiting for the answer, if any.
    pub user: Option<User>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_retry_is_checked_field_by_field() {
        let err = |r: ClientRetry| r.validate("traffic.client_retry").unwrap_err().to_string();
        assert_eq!(ClientRetry::NAIVE.validate("x"), Ok(()));
        assert_eq!(
            err(ClientRetry {
                max_attempts: 1,
                ..ClientRetry::NAIVE
            }),
            "traffic.client_retry.max_attempts: 1 is below the minimum 2"
        );
        assert_eq!(
            err(ClientRetry {
                max_attempts: 11,
                ..ClientRetry::NAIVE
            }),
            "traffic.client_retry.max_attempts: 11 is above the maximum 10"
        );
        assert!(retryable(Outcome::ClientTimeout) && retryable(Outcome::RateLimited));
        assert!(!retryable(Outcome::Success) && !retryable(Outcome::OverCapacity));
    }

    #[test]
    fn files_leave_out_a_missing_budget_and_refuse_unknown_fields() {
        let json = serde_json::to_string(&ClientRetry::NAIVE).unwrap();
        assert_eq!(
            json,
            r#"{"max_attempts":3,"backoff":{"base":"0s","cap":"0s","jitter":"none"}}"#
        );
        let back: ClientRetry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ClientRetry::NAIVE);
        let typo = json.replace("jitter", "jiter");
        assert!(serde_json::from_str::<ClientRetry>(&typo).is_err());
    }
}
