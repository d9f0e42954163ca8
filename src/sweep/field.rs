//! A scenario field named by its path, the way the scenario's own errors name fields:
//! `traffic.rate`, `backend_latency`, `resilience.health.inter`, `servers[2].workers` (entries
//! counted from 0), and `servers[*].speed` for that field in every entry of a list.
//!
//! A sweep changes a field in the scenario's JSON form (`serde_json::Value`, with every field
//! written out, defaults included) and reads the scenario back, so any number or duration a
//! scenario file holds can be varied without a list of them here, and the scenario's checks judge
//! every value, naming the field as they do for a file.

use std::fmt;

use serde_json::Value;

use crate::sim::SimDuration;
use crate::sim::validation::shortened;

/// What kind of value a field holds, which decides how a range of it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A whole number (a count such as `workers`): every value of the range must be whole.
    Whole,
    /// A number (`traffic.rate`, `speed`).
    Number,
    /// A duration, written with a unit (`"300ms"`).
    Duration,
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A named field.
    Key(String),
    /// One entry of a list, from 0.
    Index(usize),
    /// Every entry of a list (`[*]`).
    Every,
}

/// A parsed field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    steps: Vec<Step>,
}

impl FieldPath {
    /// Reads a path: names of letters, digits and `_`, joined by `.`, each followed by any number
    /// of `[N]` or `[*]`. The error says what is wrong, in words that follow the path.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "{:?} is not a field path (e.g. traffic.rate or servers[0].workers)",
                    shortened(text)
                ));
            }
            if !steps.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
                let list = FieldPath { steps }.to_string();
                return Err(format!(
                    "{list}.{name}: write an entry of a list as {list}[{name}] (from 0), or {list}[*] for every one"
                ));
            }
            steps.push(Step::Key(name.to_string()));
            while !rest.is_empty() {
                let index = rest
                    .strip_prefix('[')
                    .and_then(|r| r.split_once(']'))
                    .and_then(|(inside, after)| {
                        rest = after;
                        match inside {
                            "*" => Some(Step::Every),
                            n => n.parse().ok().map(Step::Index),
                        }
                    });
                let Some(index) = index else {
                    return Err(format!(
                        "{:?} is not a field path: a list entry is [N] (from 0) or [*]",
                        shortened(text)
                    ));
                };
                steps.push(index);
            }
        }
        Ok(FieldPath { steps })
    }

    /// Whether the path is the single top-level field `name`.
    pub fn is(&self, name: &str) -> bool {
        matches!(&self.steps[..], [Step::Key(key)] if key == name)
    }

    /// What kind of value the field holds in `scenario` (a scenario as JSON), or why it cannot be
    /// varied: it does not exist, it is not set (`null`), or it is not a number or a duration.
    pub fn kind_in(&self, scenario: &Value) -> Result<FieldKind, String> {
        // Read on a copy: finding the places is the same walk as changing them.
        let mut copy = scenario.clone();
        let mut kind = None;
        for place in self.places(&mut copy)? {
            kind = Some(match place {
                Value::Number(n) if n.is_f64() => FieldKind::Number,
                Value::Number(_) => FieldKind::Whole,
                Value::String(s) if SimDuration::parse(s).is_ok() => FieldKind::Duration,
                Value::Null => {
                    return Err(format!(
                        "{self} is not set in the scenario: give it a value in the file to vary it"
                    ));
                }
                Value::Object(fields) => {
                    return Err(format!(
                        "{self} is a group of fields: name one of them ({})",
                        field_names(fields)
                    ));
                }
                other => {
                    return Err(format!(
                        "{self} is not a number or a duration (it is {})",
                        shortened(&other.to_string())
                    ));
                }
            });
        }
        // Only `[*]` over an empty list leaves nowhere to vary.
        kind.ok_or_else(|| format!("{self} names no field: its list is empty"))
    }

    /// Sets the field to `value` in `scenario` (a scenario as JSON), in every entry for `[*]`.
    pub fn set(&self, scenario: &mut Value, value: &Value) -> Result<(), String> {
        for place in self.places(scenario)? {
            *place = value.clone();
        }
        Ok(())
    }

    /// The values the path names in `root`, or what is missing on the way.
    fn places<'v>(&self, root: &'v mut Value) -> Result<Vec<&'v mut Value>, String> {
        let mut places = vec![root];
        for (i, step) in self.steps.iter().enumerate() {
            let here = || {
                FieldPath {
                    steps: self.steps[..i].to_vec(),
                }
                .to_string()
            };
            let mut next = Vec::with_capacity(places.len());
            for place in places {
                match (step, place) {
                    (Step::Key(key), Value::Object(fields)) => {
                        if !fields.contains_key(key) {
                            let owner = if i == 0 {
                                "the scenario".into()
                            } else {
                                here()
                            };
                            return Err(format!(
                                "{self}: no such field ({owner} has {})",
                                field_names(fields)
                            ));
                        }
                        next.extend(fields.get_mut(key));
                    }
                    (Step::Index(n), Value::Array(entries)) => {
                        if *n >= entries.len() {
                            return Err(format!(
                                "{self}: {} has {} entries, numbered from 0",
                                here(),
                                entries.len()
                            ));
                        }
                        next.extend(entries.get_mut(*n));
                    }
                    (Step::Every, Value::Array(entries)) => next.extend(entries.iter_mut()),
                    (_, Value::Null) => {
                        return Err(format!(
                            "{self}: {} is not set in the scenario (give it in the file to vary what is in it)",
                            here()
                        ));
                    }
                    (Step::Key(_), _) => {
                        return Err(format!("{self}: {} has no fields", here()));
                    }
                    (Step::Index(_) | Step::Every, _) => {
                        return Err(format!("{self}: {} is not a list", here()));
                    }
                }
            }
            places = next;
        }
        Ok(places)
    }
}

/// The names of `fields`, for a message: `rate, pattern, cost`.
fn field_names(fields: &serde_json::Map<String, Value>) -> String {
    fields
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for FieldPath {
    /// The path as it is written: `servers[*].speed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Key(key) if i == 0 => write!(f, "{key}")?,
                Step::Key(key) => write!(f, ".{key}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
                Step::Every => write!(f, "[*]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    fn classroom() -> Value {
        serde_json::to_value(Scenario::classroom()).unwrap()
    }

    fn path(text: &str) -> FieldPath {
        FieldPath::parse(text).unwrap()
    }

    #[test]
    fn paths_read_as_they_are_written() {
        for text in [
            "traffic.rate",
            "servers[2].workers",
            "servers[*].speed",
            "resilience.health.inter",
        ] {
            assert_eq!(path(text).to_string(), text);
        }
        assert_eq!(
            FieldPath::parse("servers.0.workers").unwrap_err(),
            "servers.0: write an entry of a list as servers[0] (from 0), or servers[*] for every one"
        );
        for bad in ["", "traffic..rate", "servers[x].speed", "servers[0", "a b"] {
            assert!(FieldPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn kinds_come_from_the_scenario() {
        let s = classroom();
        assert_eq!(path("traffic.rate").kind_in(&s), Ok(FieldKind::Number));
        assert_eq!(path("servers[1].workers").kind_in(&s), Ok(FieldKind::Whole));
        assert_eq!(path("servers[*].speed").kind_in(&s), Ok(FieldKind::Number));
        assert_eq!(path("backend_latency").kind_in(&s), Ok(FieldKind::Duration));
        assert_eq!(
            path("resilience.health.inter").kind_in(&s),
            Ok(FieldKind::Duration)
        );
    }

    #[test]
    fn a_field_that_cannot_be_varied_says_why() {
        let s = classroom();
        let why = |text: &str| path(text).kind_in(&s).unwrap_err();
        assert!(
            why("traffic.rat").starts_with("traffic.rat: no such field (traffic has "),
            "{}",
            why("traffic.rat")
        );
        assert!(why("rat").starts_with("rat: no such field (the scenario has algorithm, "));
        assert_eq!(
            why("servers[4].speed"),
            "servers[4].speed: servers has 4 entries, numbered from 0"
        );
        assert_eq!(why("traffic[0]"), "traffic[0]: traffic is not a list");
        assert_eq!(
            why("algorithm"),
            "algorithm is not a number or a duration (it is \"round-robin\")"
        );
        assert!(why("traffic").starts_with("traffic is a group of fields: name one of them ("));
        assert_eq!(
            why("resilience.panic_threshold"),
            "resilience.panic_threshold is not set in the scenario: give it a value in the file to vary it"
        );
    }

    #[test]
    fn every_entry_is_set() {
        let mut s = classroom();
        path("servers[*].speed")
            .set(&mut s, &Value::from(2.5))
            .unwrap();
        let scenario: Scenario = serde_json::from_value(s).unwrap();
        assert!(scenario.servers.iter().all(|server| server.speed == 2.5));
    }
}
