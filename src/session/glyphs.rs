//! How big or how full the flow canvas draws things whose size carries a number: a request's dot
//! by the work it carries, and a server's health as pips. The canvas only draws what these say.

use crate::sim::SimDuration;
use crate::sim::health::HealthChecker;

/// Requests up to this much work are drawn at the base size.
const PLAIN_COST: SimDuration = SimDuration::from_millis(100);
/// How much larger a request's dot grows for each tenfold of its work beyond [`PLAIN_COST`].
const GROWTH_PER_DECADE: f64 = 0.5;
/// The largest dot, as a multiple of the base size (reached at 100 s of work).
const LARGEST: f64 = 2.5;
/// The most pips a health counter is drawn with; a longer rise or fall is drawn to scale.
pub const MAX_PIPS: u32 = 10;

/// The size of a request's dot, as a multiple of the base size, for a request carrying `cost` of
/// full-speed work: 1 up to 100 ms, half as large again for each tenfold beyond (1 s 1.5x, 10 s
/// 2x), at most 2.5x. A logarithm, because request costs span four orders of magnitude: a 10 s
/// report is plainly bigger than a 50 ms page load, and still a dot.
pub fn request_scale(cost: SimDuration) -> f64 {
    let ratio = cost.as_secs_f64() / PLAIN_COST.as_secs_f64();
    if ratio <= 1.0 {
        return 1.0;
    }
    (1.0 + GROWTH_PER_DECADE * ratio.log10()).min(LARGEST)
}

/// A HAProxy health counter as pips: while the server is UP, one pip for each failed check it can
/// still take before it is marked DOWN (`fall` of them when fully up); while it is DOWN, one for
/// each passed check it has towards `rise`. A failed check empties a pip, a passed one fills one,
/// and the server changes state when the row is empty (UP) or full (DOWN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pips {
    /// Pips filled.
    pub filled: u32,
    /// Pips in the row.
    pub total: u32,
    /// Whether the server counts as UP.
    pub up: bool,
}

impl Pips {
    /// The pips of `checker`'s counter.
    pub fn of(checker: &HealthChecker) -> Pips {
        let config = checker.config();
        Pips::counting(checker.health().0, config.rise, config.fall)
    }

    /// The pips of a counter at `health` (0 to `rise + fall - 1`, UP from `rise`).
    fn counting(health: u32, rise: u32, fall: u32) -> Pips {
        let up = health >= rise;
        let (filled, total) = if up {
            (health + 1 - rise, fall)
        } else {
            (health, rise)
        };
        let (filled, total) = (filled.min(total), total.max(1));
        if total <= MAX_PIPS {
            return Pips { filled, total, up };
        }
        // To scale, rounding up: a row is empty only when the counter is.
        Pips {
            filled: (filled * MAX_PIPS).div_ceil(total),
            total: MAX_PIPS,
            up,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_grows_by_half_for_every_tenfold_of_work() {
        let scale = |ms: u64| request_scale(SimDuration::from_millis(ms));
        assert_eq!(scale(0), 1.0);
        assert_eq!(scale(50), 1.0, "a page load");
        assert_eq!(scale(100), 1.0);
        assert!((scale(1_000) - 1.5).abs() < 1e-9);
        assert!((scale(10_000) - 2.0).abs() < 1e-9, "a 10 s report");
        assert_eq!(scale(100_000), 2.5);
        assert_eq!(scale(10_000_000), 2.5, "never larger");
    }

    #[test]
    fn pips_count_the_checks_left_while_up_and_the_passes_while_down() {
        // rise 2, fall 3: the counter runs 0..=4, UP from 2.
        let row = |h| Pips::counting(h, 2, 3);
        assert_eq!(
            row(4),
            Pips {
                filled: 3,
                total: 3,
                up: true
            },
            "fully up"
        );
        assert_eq!(
            row(3),
            Pips {
                filled: 2,
                total: 3,
                up: true
            },
            "one failed check"
        );
        assert_eq!(
            row(2),
            Pips {
                filled: 1,
                total: 3,
                up: true
            },
            "one more and it is DOWN"
        );
        assert_eq!(
            row(0),
            Pips {
                filled: 0,
                total: 2,
                up: false
            },
            "DOWN"
        );
        assert_eq!(
            row(1),
            Pips {
                filled: 1,
                total: 2,
                up: false
            },
            "one pass of two"
        );
    }

    #[test]
    fn a_long_counter_is_drawn_to_scale_and_empty_only_when_it_is() {
        let row = |h| Pips::counting(h, 1, 30);
        assert_eq!(
            row(30),
            Pips {
                filled: 10,
                total: 10,
                up: true
            }
        );
        assert_eq!(
            row(1),
            Pips {
                filled: 1,
                total: 10,
                up: true
            }
        );
        assert_eq!(
            Pips::counting(0, 1, 30),
            Pips {
                filled: 0,
                total: 1,
                up: false
            }
        );
    }
}
