//! The values configs write: whole numbers and durations in nginx's units (seconds when bare)
//! and HAProxy's (milliseconds when bare).

use super::{ImportError, syntax};
use crate::sim::SimDuration;

/// A whole number from `min` to `max`, for `what` at `line`.
pub(super) fn number(
    text: &str,
    min: u32,
    max: u32,
    what: &str,
    line: usize,
) -> Result<u32, ImportError> {
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(syntax(
            line,
            format!("{what}: {text:?} is not a whole number from {min} to {max}"),
        )),
    }
}

/// A duration as nginx writes it: `10`, `10s`, `500ms`, `1m30s`, `1h` (bare numbers are seconds).
pub(super) fn nginx_time(text: &str, what: &str, line: usize) -> Result<SimDuration, ImportError> {
    time(text, 1_000_000, what, line)
}

/// A duration as HAProxy writes it: `2000`, `2s`, `500ms`, `1m` (bare numbers are milliseconds).
pub(super) fn haproxy_time(
    text: &str,
    what: &str,
    line: usize,
) -> Result<SimDuration, ImportError> {
    time(text, 1_000, what, line)
}

/// Sums `<digits><unit>` parts (`1m30s`); a bare number is in `bare` microseconds.
fn time(text: &str, bare: u64, what: &str, line: usize) -> Result<SimDuration, ImportError> {
    let bad = || {
        syntax(
            line,
            format!("{what}: {text:?} is not a duration (e.g. 10s or 500ms)"),
        )
    };
    let mut rest = text;
    let mut total: u64 = 0;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let micros = match &rest[..unit_len] {
            "" => bare,
            "us" => 1,
            "ms" => 1_000,
            "s" => 1_000_000,
            "m" => 60_000_000,
            "h" => 3_600_000_000,
            "d" => 86_400_000_000,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total = n
            .checked_mul(micros)
            .and_then(|t| total.checked_add(t))
            .filter(|&t| t <= 1 << 50)
            .ok_or_else(bad)?;
    }
    Ok(SimDuration(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_take_each_configs_bare_unit() {
        assert_eq!(nginx_time("10", "t", 1), Ok(SimDuration::from_secs(10)));
        assert_eq!(nginx_time("1m30s", "t", 1), Ok(SimDuration::from_secs(90)));
        assert_eq!(haproxy_time("2000", "t", 1), Ok(SimDuration::from_secs(2)));
        assert_eq!(
            haproxy_time("500ms", "t", 1),
            Ok(SimDuration::from_millis(500))
        );
        assert_eq!(
            haproxy_time("2x", "inter", 7).unwrap_err().to_string(),
            "line 7: inter: \"2x\" is not a duration (e.g. 10s or 500ms)"
        );
        assert!(nginx_time("", "t", 1).is_err());
        assert!(nginx_time("99999999999999999999", "t", 1).is_err());
        assert_eq!(
            number("+3", 0, 9, "weight", 2).unwrap_err().to_string(),
            "line 2: weight: \"+3\" is not a whole number from 0 to 9"
        );
    }
}
