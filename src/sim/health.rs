//! Active health checking with HAProxy's semantics.
//!
//! Each server has a `health` counter from 0 to `rise + fall - 1`; it is UP while `health >= rise`.
//! A failed check takes one off, and dropping below `rise` sends it straight to 0 (DOWN). A passed
//! check adds one, and reaching `rise` jumps it to `rise + fall - 1` (fully UP). A server starts at
//! `health = rise`: UP, but one failure marks it DOWN. Checks run every `inter`; every `fastinter`
//! while the server is in transition (neither fully UP nor fully DOWN), and every `downinter` while it
//! is fully DOWN, optionally backing off exponentially.
//!
//! A check fails when the server is dead (connection refused), answers an error, or takes longer
//! than the timeout. Checks are answered by the server's health endpoint outside its request queue,
//! taking `check_work / speed`, so a badly slowed server fails them; their network round trip is not
//! modelled, which keeps reference timelines exact.

use super::time::{SimDuration, SimTime};

/// Active health-check settings (HAProxy `check inter .. fastinter .. downinter .. rise .. fall`).
/// In files, fields left out take HAProxy's defaults.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActiveCheck {
    /// Interval between checks of a server that is fully UP.
    pub inter: SimDuration,
    /// Interval while a server is in transition; `None` uses `inter`.
    pub fastinter: Option<SimDuration>,
    /// Interval while a server is fully DOWN; `None` uses `inter`.
    pub downinter: Option<SimDuration>,
    /// A check that takes longer than this fails.
    pub timeout: SimDuration,
    /// Consecutive passes to come UP.
    pub rise: u32,
    /// Consecutive failures to go DOWN.
    pub fall: u32,
    /// Work a check costs the server at full speed.
    pub check_work: SimDuration,
    /// While fully DOWN, each failed check doubles the interval up to this cap (`None`: no backoff).
    pub backoff_cap: Option<SimDuration>,
}

impl Default for ActiveCheck {
    fn default() -> Self {
        ActiveCheck::HAPROXY_DEFAULT
    }
}

impl ActiveCheck {
    /// HAProxy's defaults: `inter 2s rise 2 fall 3`, a 1 s timeout, 100 ms of work per check.
    pub const HAPROXY_DEFAULT: ActiveCheck = ActiveCheck {
        inter: SimDuration::from_secs(2),
        fastinter: None,
        downinter: None,
        timeout: SimDuration::from_secs(1),
        rise: 2,
        fall: 3,
        check_work: SimDuration::from_millis(100),
        backoff_cap: None,
    };
}

/// Why a check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckFailure {
    /// The server is down: the connection was refused.
    Refused,
    /// The server answered with an error.
    Error,
    /// No answer within the timeout.
    Timeout,
}

/// A change of a server's health state, with the streak of checks that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "to")]
pub enum HealthTransition {
    /// Marked UP after this many consecutive passed checks.
    #[serde(rename = "UP")]
    Up {
        /// Consecutive passed checks.
        passes: u32,
    },
    /// Marked DOWN after this many consecutive failed checks, the last failing this way.
    #[serde(rename = "DOWN")]
    Down {
        /// Consecutive failed checks.
        failures: u32,
        /// How the last one failed.
        failure: CheckFailure,
    },
}

impl HealthTransition {
    /// Whether the server is UP after it.
    pub fn up(self) -> bool {
        matches!(self, HealthTransition::Up { .. })
    }
}

/// One server's HAProxy health state machine.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthChecker {
    config: ActiveCheck,
    health: u32,
    /// Consecutive failures while fully DOWN, for the backoff.
    down_failures: u32,
    /// Consecutive passed and failed checks, for the transition reasons.
    passes: u32,
    failures: u32,
}

impl HealthChecker {
    /// A checker for a server that starts UP with `health = rise`.
    pub fn new(config: ActiveCheck) -> HealthChecker {
        HealthChecker {
            config,
            health: config.rise,
            down_failures: 0,
            passes: 0,
            failures: 0,
        }
    }

    /// Whether the server counts as UP.
    pub fn is_up(&self) -> bool {
        self.health >= self.config.rise
    }

    /// The counter and its maximum, `(health, rise + fall - 1)`.
    pub fn health(&self) -> (u32, u32) {
        (self.health, self.max())
    }

    fn max(&self) -> u32 {
        self.config.rise + self.config.fall - 1
    }

    /// Folds in one check result; returns the transition if the state changed.
    pub fn observe(&mut self, result: Result<(), CheckFailure>) -> Option<HealthTransition> {
        let was_up = self.is_up();
        match result {
            Ok(()) => {
                self.passes += 1;
                self.failures = 0;
                self.down_failures = 0;
                if self.health < self.max() {
                    self.health += 1;
                    if self.health == self.config.rise {
                        self.health = self.max();
                    }
                }
                (!was_up && self.is_up()).then_some(HealthTransition::Up {
                    passes: self.passes,
                })
            }
            Err(failure) => {
                self.failures += 1;
                self.passes = 0;
                if self.health == 0 {
                    self.down_failures += 1;
                    return None;
                }
                self.health -= 1;
                if self.health < self.config.rise {
                    self.health = 0;
                }
                (was_up && !self.is_up()).then_some(HealthTransition::Down {
                    failures: self.failures,
                    failure,
                })
            }
        }
    }

    /// The settings it checks with.
    pub fn config(&self) -> &ActiveCheck {
        &self.config
    }

    /// The interval until the next check, given the current state.
    pub fn next_interval(&self) -> SimDuration {
        let c = &self.config;
        if self.health == 0 {
            let base = c.downinter.unwrap_or(c.inter);
            match c.backoff_cap {
                Some(cap) => {
                    let factor = 1u64 << self.down_failures.min(20);
                    SimDuration(base.0.saturating_mul(factor).min(cap.0.max(base.0)))
                }
                None => base,
            }
        } else if self.health < self.max() {
            c.fastinter.unwrap_or(c.inter)
        } else {
            c.inter
        }
    }

    /// Whether a check taking `took` at a live server with no error passes the timeout.
    pub fn within_timeout(&self, took: SimDuration) -> bool {
        took <= self.config.timeout
    }

    /// When a check started at `start` and taking `took` reports: at the latest, at the timeout.
    pub fn reported_at(&self, start: SimTime, took: SimDuration) -> SimTime {
        start
            + if took <= self.config.timeout {
                took
            } else {
                self.config.timeout
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker() -> HealthChecker {
        HealthChecker::new(ActiveCheck::HAPROXY_DEFAULT)
    }

    #[test]
    fn starts_up_with_health_rise_and_one_failure_marks_it_down() {
        let mut h = checker();
        assert!(h.is_up());
        assert_eq!(h.health(), (2, 4));
        let t = h.observe(Err(CheckFailure::Timeout)).unwrap();
        assert_eq!(
            t,
            HealthTransition::Down {
                failures: 1,
                failure: CheckFailure::Timeout
            }
        );
        assert_eq!(h.health(), (0, 4));
    }

    #[test]
    fn passes_climb_and_reaching_rise_jumps_to_full() {
        let mut h = checker();
        h.observe(Err(CheckFailure::Refused));
        assert_eq!(h.observe(Ok(())), None);
        assert_eq!(h.health(), (1, 4));
        let t = h.observe(Ok(())).unwrap();
        assert_eq!(t, HealthTransition::Up { passes: 2 });
        assert_eq!(h.health(), (4, 4));
    }

    #[test]
    fn from_fully_up_it_takes_fall_failures() {
        let mut h = checker();
        h.observe(Ok(()));
        h.observe(Ok(()));
        assert_eq!(h.health(), (4, 4));
        assert_eq!(h.observe(Err(CheckFailure::Refused)), None);
        assert_eq!(h.observe(Err(CheckFailure::Refused)), None);
        assert_eq!(h.health(), (2, 4));
        let t = h.observe(Err(CheckFailure::Timeout)).unwrap();
        assert_eq!(
            t,
            HealthTransition::Down {
                failures: 3,
                failure: CheckFailure::Timeout
            }
        );
    }

    #[test]
    fn intervals_follow_the_state() {
        let config = ActiveCheck {
            fastinter: Some(SimDuration::from_millis(500)),
            downinter: Some(SimDuration::from_secs(5)),
            backoff_cap: Some(SimDuration::from_secs(30)),
            ..ActiveCheck::HAPROXY_DEFAULT
        };
        let mut h = HealthChecker::new(config);
        assert_eq!(
            h.next_interval(),
            SimDuration::from_millis(500),
            "health 2 of 4: in transition"
        );
        h.observe(Ok(()));
        h.observe(Ok(()));
        assert_eq!(h.next_interval(), SimDuration::from_secs(2), "fully up");
        for _ in 0..3 {
            h.observe(Err(CheckFailure::Refused));
        }
        assert_eq!(h.next_interval(), SimDuration::from_secs(5), "fully down");
        h.observe(Err(CheckFailure::Refused));
        assert_eq!(h.next_interval(), SimDuration::from_secs(10), "backing off");
        h.observe(Err(CheckFailure::Refused));
        h.observe(Err(CheckFailure::Refused));
        assert_eq!(h.next_interval(), SimDuration::from_secs(30), "capped");
        h.observe(Ok(()));
        assert_eq!(h.next_interval(), SimDuration::from_millis(500), "rising");
    }

    #[test]
    fn a_slow_answer_fails_at_the_timeout() {
        let h = checker();
        assert!(h.within_timeout(SimDuration::from_secs(1)));
        assert!(!h.within_timeout(SimDuration::from_millis(1_001)));
        assert_eq!(
            h.reported_at(SimTime(0), SimDuration::from_secs(5)),
            SimTime(1_000_000)
        );
    }
}
