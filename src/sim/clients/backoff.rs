//! Capped exponential backoff with jitter, exactly as the AWS Architecture Blog's "Exponential
//! Backoff And Jitter" (Marc Brooker, 2015) defines it, with `base` and `cap`:
//!
//! - no jitter: `sleep = min(cap, base * 2^attempt)`;
//! - full jitter: `sleep = random(0, min(cap, base * 2^attempt))`;
//! - equal jitter: `temp = min(cap, base * 2^attempt); sleep = temp / 2 + random(0, temp / 2)`;
//! - decorrelated jitter: `sleep = min(cap, random(base, sleep * 3))`, starting from `sleep = base`.
//!
//! `attempt` counts from 0 at the first retry, so the first retry waits up to `base`, the second
//! up to `2 base`, and so on. `random(a, b)` is uniform over whole microseconds in `[a, b)` (just
//! `a` when `b <= a`), drawn from the run's own client-backoff stream. Without jitter, clients
//! that failed together retry together, in synchronised waves; full jitter spreads them most
//! and does the least work, equal jitter keeps a floor of half the backoff, decorrelated grows
//! from the last sleep instead of the attempt number. A `base` of 0 is no backoff at all: retry
//! at once.

use crate::sim::rng::SimRng;
use crate::sim::time::SimDuration;
use crate::sim::validation::{ValidationError, check_duration};

/// How a backoff is randomised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// `min(cap, base * 2^attempt)`: clients retry in lockstep.
    None,
    /// `random(0, min(cap, base * 2^attempt))`.
    Full,
    /// Half the exponential backoff, plus a random part of the other half.
    Equal,
    /// `min(cap, random(base, last sleep * 3))`.
    Decorrelated,
}

impl Jitter {
    /// Every kind, for controls.
    pub const ALL: [Jitter; 4] = [
        Jitter::None,
        Jitter::Full,
        Jitter::Equal,
        Jitter::Decorrelated,
    ];

    /// Its identifier in files.
    pub fn id(self) -> &'static str {
        match self {
            Jitter::None => "none",
            Jitter::Full => "full",
            Jitter::Equal => "equal",
            Jitter::Decorrelated => "decorrelated",
        }
    }
}

/// Capped exponential backoff between a client's attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backoff {
    /// The first retry's backoff (0: retry at once).
    pub base: SimDuration,
    /// The longest backoff.
    pub cap: SimDuration,
    /// How it is randomised.
    pub jitter: Jitter,
}

/// The longest `base` or `cap`.
pub const MAX_BACKOFF: SimDuration = SimDuration::HOUR;

impl Backoff {
    /// No backoff: retry at once.
    pub const NONE: Backoff = Backoff {
        base: SimDuration::ZERO,
        cap: SimDuration::ZERO,
        jitter: Jitter::None,
    };

    /// Checks `base` (0 to 1h) and `cap` (`base` to 1h).
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_duration(
            &format!("{field}.base"),
            self.base,
            SimDuration::ZERO,
            MAX_BACKOFF,
        )?;
        check_duration(&format!("{field}.cap"), self.cap, self.base, MAX_BACKOFF)
    }

    /// `min(cap, base * 2^attempt)`, without overflow.
    pub fn exponential(&self, attempt: u32) -> SimDuration {
        let factor = 1u64.checked_shl(attempt).unwrap_or(u64::MAX);
        SimDuration(self.base.0.saturating_mul(factor).min(self.cap.0))
    }

    /// The sleep before retry number `attempt` (0 for the first retry), `last` being the sleep
    /// before the previous attempt (zero before the first retry; only decorrelated jitter uses it).
    pub fn sleep(&self, attempt: u32, last: SimDuration, rng: &mut SimRng) -> SimDuration {
        match self.jitter {
            Jitter::None => self.exponential(attempt),
            Jitter::Full => random(SimDuration::ZERO, self.exponential(attempt), rng),
            Jitter::Equal => {
                let temp = self.exponential(attempt).0;
                let half = SimDuration(temp / 2);
                // temp/2 + random(0, temp/2), the odd microsecond kept in the random part.
                SimDuration(half.0 + random(SimDuration::ZERO, SimDuration(temp - half.0), rng).0)
            }
            Jitter::Decorrelated => {
                let last = if attempt == 0 {
                    self.base
                } else {
                    last.max(self.base)
                };
                let hi = SimDuration(last.0.saturating_mul(3));
                random(self.base, hi, rng).min(self.cap)
            }
        }
    }

    /// In a few words.
    pub fn describe(&self) -> String {
        if self.base == SimDuration::ZERO {
            return "no backoff".into();
        }
        format!(
            "backoff {} to {}, {} jitter",
            self.base,
            self.cap,
            self.jitter.id()
        )
    }
}

/// Uniform over whole microseconds in `[lo, hi)`; `lo` when the range is empty.
fn random(lo: SimDuration, hi: SimDuration, rng: &mut SimRng) -> SimDuration {
    if hi <= lo {
        return lo;
    }
    SimDuration(lo.0 + rng.below_u64(hi.0 - lo.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Stream;

    const MS: fn(u64) -> SimDuration = SimDuration::from_millis;

    fn backoff(jitter: Jitter) -> Backoff {
        Backoff {
            base: MS(100),
            cap: MS(1_000),
            jitter,
        }
    }

    #[test]
    fn without_jitter_the_backoff_doubles_up_to_the_cap() {
        let b = backoff(Jitter::None);
        let mut rng = SimRng::new(1, Stream::ClientBackoff);
        let sleeps: Vec<u64> = (0..6)
            .map(|n| b.sleep(n, SimDuration::ZERO, &mut rng).0 / 1_000)
            .collect();
        // 100 * 2^n ms: 100, 200, 400, 800, then the cap.
        assert_eq!(sleeps, [100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(b.exponential(200), MS(1_000), "no overflow");
        assert_eq!(Backoff::NONE.sleep(3, MS(5), &mut rng), SimDuration::ZERO);
    }

    #[test]
    fn full_jitter_draws_below_the_exponential_backoff() {
        let b = backoff(Jitter::Full);
        let mut rng = SimRng::new(2, Stream::ClientBackoff);
        for n in 0..6 {
            let top = b.exponential(n);
            let draws: Vec<SimDuration> = (0..2_000)
                .map(|_| b.sleep(n, SimDuration::ZERO, &mut rng))
                .collect();
            assert!(draws.iter().all(|&d| d < top), "attempt {n}");
            let mean = draws.iter().map(|d| d.0).sum::<u64>() as f64 / 2_000.0;
            assert!((mean / top.0 as f64 - 0.5).abs() < 0.03, "mean {mean}");
        }
    }

    #[test]
    fn equal_jitter_keeps_half_the_backoff_and_draws_the_rest() {
        let b = backoff(Jitter::Equal);
        let mut rng = SimRng::new(3, Stream::ClientBackoff);
        for n in 0..6 {
            let temp = b.exponential(n);
            for _ in 0..1_000 {
                let d = b.sleep(n, SimDuration::ZERO, &mut rng);
                assert!(
                    d >= SimDuration(temp.0 / 2) && d < temp,
                    "attempt {n}: {d:?}"
                );
            }
        }
        // attempt 0: temp 100 ms, so 50 ms plus a draw below 50 ms.
        let d = b.sleep(0, SimDuration::ZERO, &mut rng);
        assert!(d >= MS(50) && d < MS(100));
    }

    #[test]
    fn decorrelated_jitter_grows_from_the_last_sleep_within_base_and_cap() {
        let b = backoff(Jitter::Decorrelated);
        let mut rng = SimRng::new(4, Stream::ClientBackoff);
        // The first retry: random(base, base * 3) = [100 ms, 300 ms).
        for _ in 0..1_000 {
            let d = b.sleep(0, SimDuration::ZERO, &mut rng);
            assert!(d >= MS(100) && d < MS(300), "{d:?}");
        }
        // After a 250 ms sleep: random(100 ms, 750 ms).
        for _ in 0..1_000 {
            let d = b.sleep(1, MS(250), &mut rng);
            assert!(d >= MS(100) && d < MS(750), "{d:?}");
        }
        // After a long sleep the cap holds: random(100 ms, 2.4 s) capped at 1 s.
        let capped = (0..1_000)
            .filter(|_| b.sleep(5, MS(800), &mut rng) == MS(1_000))
            .count();
        assert!(
            capped > 500,
            "most draws above the cap are cut to it: {capped}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_sleeps() {
        let b = backoff(Jitter::Full);
        let draw = |seed| {
            let mut rng = SimRng::new(seed, Stream::ClientBackoff);
            (0..5)
                .map(|n| b.sleep(n, SimDuration::ZERO, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn base_and_cap_are_checked() {
        let err = |b: Backoff| {
            b.validate("traffic.client_retry.backoff")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(Backoff {
                cap: MS(50),
                ..backoff(Jitter::Full)
            }),
            "traffic.client_retry.backoff.cap: 50ms is below the minimum 100ms"
        );
        assert_eq!(
            err(Backoff {
                base: SimDuration::from_secs(7_200),
                cap: SimDuration::from_secs(7_200),
                jitter: Jitter::None
            }),
            "traffic.client_retry.backoff.base: 2h is above the maximum 1h"
        );
    }
}
