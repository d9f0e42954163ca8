//! An algorithm's decision numbers in words: what they are, and a number as the page shows it
//! (times in milliseconds).

use crate::sim::balancer::{Quantity, Unit};

/// What the numbers are, e.g. `current weight` or `cost (ms)`.
pub fn quantity(q: Quantity) -> &'static str {
    match q {
        Quantity::CurrentWeight => "current weight",
        Quantity::ActivePerWeight => "active per weight",
        Quantity::ActiveRequests => "active requests",
        Quantity::Chance => "chance",
        Quantity::MeanResponseTime => "average response time (ms)",
        Quantity::Cost => "cost (ms)",
        Quantity::PinnedSessions => "pinned sessions",
        Quantity::Deadline => "deadline",
    }
}

/// One number of `q`, short: times in milliseconds, whole numbers without decimals, small ones
/// with two.
pub fn value(q: Quantity, value: f64) -> String {
    let value = match q.unit() {
        Unit::Micros => value / 1e3,
        Unit::Count | Unit::Share => value,
    };
    match value.abs() {
        v if v >= 100.0 || v == v.trunc() => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        _ => format!("{value:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_milliseconds() {
        assert_eq!(quantity(Quantity::Cost), "cost (ms)");
        assert_eq!(value(Quantity::Cost, 400_000.0), "400");
        assert_eq!(value(Quantity::MeanResponseTime, 12_345.0), "12.3");
        assert_eq!(value(Quantity::Chance, 0.25), "0.25");
        assert_eq!(value(Quantity::CurrentWeight, -3.0), "-3");
    }
}
