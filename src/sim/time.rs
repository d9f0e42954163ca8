//! Virtual time. The simulation never reads a clock: every instant is a [`SimTime`], an integer
//! count of microseconds since the run started, and every span a [`SimDuration`]. Integers keep
//! ordering exact and runs reproducible on every platform.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant of simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// The instant `secs` seconds after the start (rounded to the microsecond, negative clamps to 0).
    pub fn from_secs_f64(secs: f64) -> SimTime {
        SimTime(SimDuration::from_secs_f64(secs).0)
    }

    /// Seconds since the start, for display and charts.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// One millisecond.
    pub const MS: SimDuration = SimDuration(1_000);
    /// One hour.
    pub const HOUR: SimDuration = SimDuration(3_600_000_000);

    /// Whether it is no time at all.
    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    /// A span of whole milliseconds.
    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms * 1_000)
    }

    /// A span of whole microseconds.
    pub const fn from_micros(us: u64) -> SimDuration {
        SimDuration(us)
    }

    /// A span of whole seconds.
    pub const fn from_secs(s: u64) -> SimDuration {
        SimDuration(s * 1_000_000)
    }

    /// A span of `secs` seconds, rounded to the nearest microsecond; negative or NaN gives zero.
    pub fn from_secs_f64(secs: f64) -> SimDuration {
        SimDuration::from_micros_f64(secs * 1e6)
    }

    /// A span of `us` microseconds rounded to the nearest whole one, halves away from zero (what
    /// `f64::round` does); negative or NaN gives zero, and spans beyond `u64` saturate.
    ///
    /// This is on the hot path (every cost, service time and inter-arrival gap goes through it) and
    /// `f64::round` is a library call on x86-64 and wasm32, so it rounds with integer conversions,
    /// which are exact: for `0 <= us < 2^53`, `us - trunc(us)` is computed without error.
    #[inline]
    pub fn from_micros_f64(us: f64) -> SimDuration {
        // `as` truncates towards zero, saturates, and maps NaN and negatives to 0.
        // The comparison becomes 0 or 1 rather than a branch: the fraction is as random as the
        // draws it comes from, so a branch would be mispredicted half the time.
        let whole = us as u64;
        SimDuration(whole.saturating_add(u64::from(us - whole as f64 >= 0.5)))
    }

    /// The span in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// The span in milliseconds.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.saturating_since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimTime {
    /// `t=6.000 s` style: the form the event timeline uses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} s", self.as_secs_f64())
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 1_000_000 {
            write!(f, "{} ms", self.as_millis_f64())
        } else {
            write!(f, "{} s", self.as_secs_f64())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_the_microsecond() {
        assert_eq!(SimTime::from_secs_f64(1.5), SimTime(1_500_000));
        assert_eq!(SimDuration::from_secs_f64(0.000_000_4), SimDuration(0));
        assert_eq!(SimDuration::from_secs_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(SimDuration::from_millis(250).as_secs_f64(), 0.25);
    }

    #[test]
    fn micros_round_exactly_like_f64_round() {
        let below_half = 0.5 - f64::EPSILON / 4.0; // the largest double below 0.5
        let tricky = [
            0.0,
            -0.0,
            below_half,
            0.5,
            1.5,
            2.5,
            2.0 - f64::EPSILON,
            4_503_599_627_370_495.5, // 2^52 - 0.5, the last representable half
            9_007_199_254_740_993.0, // beyond 2^53: already whole
            1.8e19,
            f64::MAX,
        ];
        let mut rng = crate::sim::rng::SimRng::from_seed(5);
        let random = (0..100_000).map(|i| rng.unit() * 10f64.powi(i % 12));
        for us in tricky.into_iter().chain(random) {
            assert_eq!(
                SimDuration::from_micros_f64(us).0,
                us.round() as u64,
                "{us:e}"
            );
        }
        for clamped in [-0.7, -1e300, f64::NEG_INFINITY, f64::NAN] {
            assert_eq!(SimDuration::from_micros_f64(clamped), SimDuration::ZERO);
        }
        assert_eq!(SimDuration::from_micros_f64(f64::INFINITY).0, u64::MAX);
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime(5) - SimTime(9), SimDuration::ZERO);
        assert_eq!(SimTime(u64::MAX) + SimDuration(1), SimTime(u64::MAX));
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(SimTime(6_000_000).to_string(), "6.000 s");
        assert_eq!(SimDuration::from_millis(500).to_string(), "500 ms");
        assert_eq!(SimDuration::from_secs(2).to_string(), "2 s");
    }
}

/// Durations in files are strings with a unit, as in nginx and HAProxy configuration: `"250ms"`,
/// `"2s"`, `"1.5s"`, `"2m"`, `"90us"`. Numbers are plain digits: no sign, no exponent.
impl SimDuration {
    /// Parses `"500ms"`, `"2s"`, `"1.5 s"`, `"3m"`, `"1h"` or `"250us"`. The error says what is
    /// wrong in the terms of the text: a missing or unknown unit, a negative number, or an
    /// exponent (with the same duration in plain digits to write instead).
    pub fn parse(text: &str) -> Result<SimDuration, String> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(format!("{text:?} is negative (a duration is 0 or more)"));
        }
        let digits = |s: &str| s.find(|c: char| !(c.is_ascii_digit() || c == '.'));
        let mut split = digits(text).unwrap_or(text.len());
        // An exponent, `e3` or `E-2`, belongs to the number, not to the unit.
        let rest = &text[split..];
        let exponent = rest.strip_prefix(['e', 'E']).and_then(|e| {
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            let len = unsigned
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(unsigned.len());
            (len > 0).then(|| rest.len() - unsigned.len() + len)
        });
        split += exponent.unwrap_or(0);
        let (number, unit) = text.split_at(split);
        if unit.trim().is_empty() {
            return Err(format!(
                "{text:?} has no unit (write e.g. \"500ms\" or \"2s\")"
            ));
        }
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} does not start with a number"))?;
        let micros = match unit.trim() {
            "us" | "µs" => 1.0,
            "ms" => 1e3,
            "s" => 1e6,
            "m" | "min" => 60e6,
            "h" => 3_600e6,
            other => {
                return Err(format!(
                    "{text:?} has an unknown unit {other:?} (use us, ms, s, m or h)"
                ));
            }
        };
        let total = value * micros;
        if !total.is_finite() || total > 1e18 {
            return Err(format!("{text:?} is too long"));
        }
        let d = SimDuration(total.round() as u64);
        if exponent.is_some() {
            return Err(format!(
                "{text:?} has an exponent: write it as {:?}",
                d.to_message_string()
            ));
        }
        Ok(d)
    }

    /// The compact form files use: whole seconds as `"2s"`, whole milliseconds as `"250ms"`,
    /// anything else in microseconds.
    pub fn to_config_string(self) -> String {
        self.in_largest_whole_unit(&[(1_000_000, "s"), (1_000, "ms")])
    }

    /// How messages show a duration: in the largest unit it is a whole number of, hours and
    /// minutes too (`"2h"`, `"90m"`, `"3601s"`, `"1500ms"`), so a limit reads the way a person
    /// writes it. Files accept this form as well.
    pub fn to_message_string(self) -> String {
        if self == SimDuration::ZERO {
            return "0s".into();
        }
        self.in_largest_whole_unit(&[
            (3_600_000_000, "h"),
            (60_000_000, "m"),
            (1_000_000, "s"),
            (1_000, "ms"),
        ])
    }

    /// The span in the first of `units` (microseconds each, largest first) it is a whole number
    /// of, else in microseconds.
    fn in_largest_whole_unit(self, units: &[(u64, &str)]) -> String {
        let (size, unit) = units
            .iter()
            .copied()
            .find(|&(size, _)| self.0.is_multiple_of(size))
            .unwrap_or((1, "us"));
        format!("{}{unit}", self.0 / size)
    }
}

impl serde::Serialize for SimDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_config_string())
    }
}

impl<'de> serde::Deserialize<'de> for SimDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        SimDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An instant in a file is the time since the start of the run, written as a duration.
impl serde::Serialize for SimTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SimDuration(self.0).serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for SimTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        SimDuration::deserialize(d).map(|d| SimTime(d.0))
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    #[test]
    fn durations_parse_and_print_like_configuration() {
        assert_eq!(
            SimDuration::parse("500ms"),
            Ok(SimDuration::from_millis(500))
        );
        assert_eq!(
            SimDuration::parse("1.5s"),
            Ok(SimDuration::from_millis(1_500))
        );
        assert_eq!(SimDuration::parse("2 s"), Ok(SimDuration::from_secs(2)));
        assert_eq!(SimDuration::parse("3m"), Ok(SimDuration::from_secs(180)));
        assert_eq!(SimDuration::parse("90us"), Ok(SimDuration(90)));
        assert!(SimDuration::parse("12").unwrap_err().contains("no unit"));
        assert!(
            SimDuration::parse("5 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(SimDuration::parse("ms").unwrap_err().contains("number"));
        for d in [
            SimDuration::from_secs(2),
            SimDuration::from_millis(1_500),
            SimDuration(7),
        ] {
            assert_eq!(SimDuration::parse(&d.to_config_string()), Ok(d));
        }
        assert_eq!(SimDuration::from_millis(1_500).to_config_string(), "1500ms");
    }

    #[test]
    fn an_exponent_or_a_sign_is_named_not_blamed_on_the_unit() {
        assert_eq!(
            SimDuration::parse("1e3s"),
            Err("\"1e3s\" has an exponent: write it as \"1000s\"".into())
        );
        assert_eq!(
            SimDuration::parse("2.5E-1h"),
            Err("\"2.5E-1h\" has an exponent: write it as \"15m\"".into())
        );
        assert_eq!(
            SimDuration::parse("-5s"),
            Err("\"-5s\" is negative (a duration is 0 or more)".into())
        );
        assert!(SimDuration::parse("1e3").unwrap_err().contains("no unit"));
        assert!(
            SimDuration::parse("1e999s")
                .unwrap_err()
                .contains("too long")
        );
        assert!(
            SimDuration::parse("1ex")
                .unwrap_err()
                .contains("unknown unit \"ex\"")
        );
    }

    #[test]
    fn messages_name_durations_in_their_largest_whole_unit() {
        let cases = [
            (SimDuration::ZERO, "0s"),
            (SimDuration::from_secs(200 * 3_600), "200h"),
            (SimDuration::from_secs(5_400), "90m"),
            (SimDuration::from_secs(3_601), "3601s"),
            (SimDuration::from_millis(1_500), "1500ms"),
            (SimDuration(7), "7us"),
        ];
        for (d, text) in cases {
            assert_eq!(d.to_message_string(), text);
            assert_eq!(SimDuration::parse(text), Ok(d), "a form files accept");
        }
    }
}
