//! Input checks shared by scenarios and commands. Bad input is an error value that names the field
//! and says what is wrong with it; the simulation never panics on input.

use std::fmt::{self, Write};

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
    check_within(field, value, min, max, |v: f64| v.to_string())
}

/// Checks that the duration `d` is within `min..=max`. The error shows each duration in the
/// largest unit it is a whole number of, e.g. `2h is above the maximum 1h`
/// ([`SimDuration::to_message_string`]).
pub fn check_duration(
    field: &str,
    d: SimDuration,
    min: SimDuration,
    max: SimDuration,
) -> Result<(), ValidationError> {
    check_within(field, d, min, max, SimDuration::to_message_string)
}

/// Checks that `value` is within `min..=max`; the error shows the numbers with `show`.
fn check_within<T: PartialOrd + Copy>(
    field: &str,
    value: T,
    min: T,
    max: T,
    show: impl Fn(T) -> String,
) -> Result<(), ValidationError> {
    if value < min {
        return Err(ValidationError::new(
            field,
            format!("{} is below the minimum {}", show(value), show(min)),
        ));
    }
    if value > max {
        return Err(ValidationError::new(
            field,
            format!("{} is above the maximum {}", show(value), show(max)),
        ));
    }
    Ok(())
}

/// A value longer than this many characters is shortened in messages (a server name, the
/// longest name a file may hold, is shown whole).
const LONG_VALUE: usize = 64;
/// How many characters of a shortened value a message shows.
const SHOWN_CHARS: usize = 40;

/// `value` as a message shows it: whole, or if it is longer than 64 characters its first 40, an
/// ellipsis and its length, `xxxx… (1000000 characters)`. A file can hold a value a million
/// characters long; its message names it without repeating it.
pub fn shortened(value: &str) -> std::borrow::Cow<'_, str> {
    let mut out = String::new();
    if push_shortened(&mut out, value, "") {
        one_line(&out).into_owned().into()
    } else {
        one_line(value)
    }
}

/// `text` with its control characters (a newline in a field name...) written as escapes
/// (`\n`), so a message that echoes a value stays one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// `message` with each value quoted in it (between `"`, where `\"` does not end it, or between
/// backticks, as the JSON parser quotes) shortened like [`shortened`], the length after the
/// closing quote: ``unknown field `xxxx…` (1000000 characters), expected ...``. Short values,
/// and so messages already shortened, are left as they are.
pub fn shorten_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1_024));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = char::from(rest.as_bytes()[open]);
        out.push_str(&rest[..=open]);
        let value = &rest[open + 1..];
        let (inside, closing) = match closing_quote(value, quote) {
            Some(at) => (&value[..at], &value[at..=at]),
            None => (value, ""),
        };
        if !push_shortened(&mut out, inside, closing) {
            out.push_str(inside);
            out.push_str(closing);
        }
        rest = &value[inside.len() + closing.len()..];
    }
    out.push_str(rest);
    one_line(&out).into_owned()
}

/// The most alternatives a message lists after "expected one of" (a command's kind has some
/// thirty).
const LISTED: usize = 12;

/// `message` with a parser's long list of alternatives ("expected one of `a`, `b`, ...") cut to
/// its first [`LISTED`] and how many more there are, so a message stays a line long.
pub fn shorten_alternatives(message: &str) -> String {
    const LEAD: &str = "expected one of ";
    let Some(at) = message.find(LEAD) else {
        return message.to_string();
    };
    let (head, list) = message.split_at(at + LEAD.len());
    let items: Vec<&str> = list.split(", ").collect();
    if items.len() <= LISTED {
        return message.to_string();
    }
    format!(
        "{head}{} and {} more",
        items[..LISTED].join(", "),
        items.len() - LISTED
    )
}

/// Where `quote` ends the quoted text `value`: the first one not escaped by a backslash (inside
/// `"`; the parser writes backticks around raw text).
fn closing_quote(value: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    value.char_indices().find_map(|(at, c)| {
        if escaped {
            escaped = false;
            return None;
        }
        escaped = quote == '"' && c == '\\';
        (c == quote).then_some(at)
    })
}

/// Pushes a long `value`'s first [`SHOWN_CHARS`] characters, an ellipsis, `closing` and its
/// length onto `out`, and says so; pushes nothing for a value that is not long.
fn push_shortened(out: &mut String, value: &str, closing: &str) -> bool {
    if value.chars().nth(LONG_VALUE).is_none() {
        return false;
    }
    let end = value
        .char_indices()
        .nth(SHOWN_CHARS)
        .map_or(value.len(), |(at, _)| at);
    let length = value.chars().count();
    out.push_str(&value[..end]);
    out.push('…');
    out.push_str(closing);
    let _ = write!(out, " ({length} characters)");
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_value_never_breaks_the_line() {
        // Found by fuzzing: a flipped byte made `\n` of an `e`, and a field name held a newline.
        let message = shorten_values("unknown field `client_lat\ncy`, expected `client_latency`");
        assert_eq!(
            message,
            "unknown field `client_lat\\ncy`, expected `client_latency`"
        );
        assert_eq!(shortened("a\tb"), "a\\tb");
    }

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

    #[test]
    fn duration_limits_are_worded_in_readable_units() {
        let hour = SimDuration::HOUR;
        let check = |d| check_duration("traffic.client_timeout", d, SimDuration::MS, hour);
        assert_eq!(check(SimDuration::from_secs(1_800)), Ok(()));
        assert_eq!(
            check(SimDuration::from_secs(7_200))
                .unwrap_err()
                .to_string(),
            "traffic.client_timeout: 2h is above the maximum 1h"
        );
        assert_eq!(
            check(SimDuration::from_secs(5_400)).unwrap_err().problem,
            "90m is above the maximum 1h"
        );
        assert_eq!(
            check(SimDuration::ZERO).unwrap_err().problem,
            "0s is below the minimum 1ms"
        );
    }

    #[test]
    fn a_long_list_of_alternatives_is_cut_to_its_first_twelve() {
        let list: Vec<String> = (1..=30).map(|i| format!("`c{i}`")).collect();
        let message = format!("unknown variant `x`, expected one of {}", list.join(", "));
        assert_eq!(
            shorten_alternatives(&message),
            format!(
                "unknown variant `x`, expected one of {} and 18 more",
                list[..12].join(", ")
            )
        );
        let short = "unknown variant `x`, expected one of `a`, `b`";
        assert_eq!(shorten_alternatives(short), short);
        assert_eq!(
            shorten_alternatives("missing field `a`"),
            "missing field `a`"
        );
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(1_000_000);
        let shown = format!("{}…", "x".repeat(40));
        assert_eq!(
            shorten_values(&format!("unknown field `{long}`, expected `a`")),
            format!("unknown field `{shown}` (1000000 characters), expected `a`")
        );
        // An escaped quote inside a quoted value does not end it.
        let quoted = format!("{:?} is bad", format!("say \"{}\"", "x".repeat(100)));
        assert_eq!(
            shorten_values(&quoted),
            format!("\"say \\\"{}…\" (108 characters) is bad", "x".repeat(34))
        );
        assert_eq!(shortened(&long), format!("{shown} (1000000 characters)"));
        // Values of up to 64 characters stay whole, and a shortened message stays as it is.
        let name = format!("unknown algorithm \"{}\"", "y".repeat(64));
        assert_eq!(shorten_values(&name), name);
        let once = shorten_values(&format!("`{long}`"));
        assert_eq!(shorten_values(&once), once);
        assert_eq!(shortened("servers"), "servers");
    }
}
