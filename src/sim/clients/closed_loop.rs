//! Closed-loop users: a fixed population of N users, each of whom sends a request, waits for its
//! answer (or for the client timeout, and the retries the client makes), thinks for an
//! exponentially distributed time with mean `think_time`, and sends again. The offered load
//! then follows the system: when answers slow down, users send less (the interactive response
//! time law, throughput `X = N / (R + Z)` with response time `R` and think time `Z`). Open
//! (Poisson) arrivals, `traffic.rate`, keep coming whatever happens; both may run at once, and a
//! scenario with `rate: 0` has closed-loop users alone. User `u` sends as client `u mod clients`.

use crate::sim::time::SimDuration;
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// The most closed-loop users.
pub const MAX_USERS: u32 = 100_000;

/// The users: `{"users": 50, "think_time": "2s"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosedLoop {
    /// How many users (1 to [`MAX_USERS`]).
    pub users: u32,
    /// The mean think time between an answer and the user's next request (1 ms to 1 h).
    pub think_time: SimDuration,
}

impl ClosedLoop {
    /// Checks both fields.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{field}.users"),
            f64::from(self.users),
            1.0,
            f64::from(MAX_USERS),
        )?;
        check_duration(
            &format!("{field}.think_time"),
            self.think_time,
            SimDuration::MS,
            SimDuration::HOUR,
        )
    }

    /// In a few words.
    pub fn describe(&self) -> String {
        format!(
            "{} closed-loop users, mean think time {}",
            self.users, self.think_time
        )
    }

    /// The most requests per second the users can send (all answers instant): `users / think`.
    pub fn peak_rate(&self) -> f64 {
        f64::from(self.users) / self.think_time.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_think_time_are_checked() {
        let err = |c: ClosedLoop| c.validate("traffic.closed_loop").unwrap_err().to_string();
        let ok = ClosedLoop {
            users: 10,
            think_time: SimDuration::from_secs(1),
        };
        assert_eq!(ok.validate("x"), Ok(()));
        assert_eq!(ok.peak_rate(), 10.0);
        assert_eq!(
            err(ClosedLoop { users: 0, ..ok }),
            "traffic.closed_loop.users: 0 is below the minimum 1"
        );
        assert_eq!(
            err(ClosedLoop {
                think_time: SimDuration::ZERO,
                ..ok
            }),
            "traffic.closed_loop.think_time: 0s is below the minimum 1ms"
        );
    }
}
