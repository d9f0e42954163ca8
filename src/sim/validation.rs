//! Input checks shared by scenarios and commands. Bad input is an error value that names the field
//! and says what is wrong with it; the simulation never panics on input.

use std::fmt;

use super::time::SimDuration;

/// A rejected input: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Where the bad value is, e.g. `servers[2].weight`.
    pub field: String,
    /// What is wrong with it, e.g. `1001 is above the maximum 1000`.
    pub problem: String,
}

impl ValidationError {
    /// An error for `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> ValidationError {
        ValidationError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for ValidationError {}

/// Checks that the number `value` is finite and within `min..=max`.
pub fn check_range(field: &str, value: f64, min: f64, max: f64) -> Result<(), ValidationError> {
    if !value.is_finite() {
        return Err(ValidationError::new(
            field,
            format!("{value} is not a finite number"),
        ));
    }
    if value < min {
        return Err(ValidationError::new(
            field,
            format!("{value} is below the minimum {min}"),
        ));
    }
    if value > max {
        return Err(ValidationError::new(
            field,
            format!("{value} is above the maximum {max}"),
        ));
    }
    Ok(())
}

/// Checks that the duration `d` is within `min..=max`; the error speaks in seconds.
pub fn check_duration(
    field: &str,
    d: SimDuration,
    min: SimDuration,
    max: SimDuration,
) -> Result<(), ValidationError> {
    check_range(field, d.as_secs_f64(), min.as_secs_f64(), max.as_secs_f64())
        .map_err(|e| ValidationError::new(e.field, format!("{} (seconds)", e.problem)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_and_the_problem() {
        assert_eq!(check_range("rate", 5.0, 0.0, 10.0), Ok(()));
        let e = check_range("servers[2].weight", 1001.0, 0.0, 1000.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "servers[2].weight: 1001 is above the maximum 1000"
        );
        let e = check_range("traffic.rate", -1.0, 0.0, 10.0).unwrap_err();
        assert_eq!(e.to_string(), "traffic.rate: -1 is below the minimum 0");
        assert!(
            check_range("x", f64::NAN, 0.0, 1.0)
                .unwrap_err()
                .problem
                .contains("finite")
        );
    }
}
