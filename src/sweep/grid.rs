//! The grid a sweep runs. Each vary, `FIELD=FROM..TO:STEPS`, gives one field STEPS values from
//! FROM to TO, both ends included and evenly spaced: `traffic.rate=100..1000:10` is 100, 200, ...,
//! 1000. Several varies give every combination of their values (the first varies slowest, as in
//! nested loops written in that order).
//!
//! How a value is written follows the field: a plain number for numbers (`0.5..2:4`), a whole
//! number for counts (each value must then be whole: `1..4:4`, not `1..4:3`), and a duration with
//! its unit for durations (`0ms..300ms:4`, `500ms..2s:4`; values are rounded to the microsecond).

use serde_json::{Number, Value};

use super::field::{FieldKind, FieldPath};
use crate::sim::SimDuration;
use crate::sim::validation::shortened;

/// The most points a grid may have (all its varies' STEPS multiplied).
pub const MAX_POINTS: usize = 10_000;

/// One field and the values a sweep gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// The field.
    pub field: FieldPath,
    /// Its values, as the scenario file writes them (numbers, or durations as `"300ms"`).
    pub values: Vec<Value>,
}

impl Vary {
    /// Reads `FIELD=FROM..TO:STEPS` for the scenario `scenario` (as JSON), whose field tells how
    /// the values are written. The error starts with the field, or with `text` when the values
    /// are what is wrong.
    pub fn parse(text: &str, scenario: &Value) -> Result<Vary, String> {
        let shown = shortened(text);
        let Some((name, range)) = text.split_once('=') else {
            return Err(format!(
                "{shown}: give the field and its values as FIELD=FROM..TO:STEPS (e.g. traffic.rate=100..1000:10)"
            ));
        };
        let field = FieldPath::parse(name)?;
        let kind = field.kind_in(scenario)?;
        let not_a_range = || {
            let example = match kind {
                FieldKind::Duration => "0ms..300ms:4",
                FieldKind::Whole => "1..4:4",
                FieldKind::Number => "100..1000:10",
            };
            format!(
                "{shown}: {:?} is not FROM..TO:STEPS (e.g. {field}={example})",
                shortened(range)
            )
        };
        let (bounds, steps) = range.rsplit_once(':').ok_or_else(not_a_range)?;
        let (from, to) = bounds.split_once("..").ok_or_else(not_a_range)?;
        let steps: usize = steps
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_POINTS).contains(n))
            .ok_or_else(|| {
                format!(
                    "{shown}: STEPS {:?} is not a whole number from 1 to {MAX_POINTS} (how many values, both ends included)",
                    shortened(steps)
                )
            })?;
        let bound = |bound: &str| match kind {
            FieldKind::Duration => SimDuration::parse(bound)
                .map(|d| d.0 as f64)
                .map_err(|e| format!("{shown}: {e}")),
            FieldKind::Whole | FieldKind::Number => bound
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    format!(
                        "{shown}: {:?} is not a number ({field} is a plain number, without a unit)",
                        shortened(bound)
                    )
                }),
        };
        let (low, high) = (bound(from)?, bound(to)?);
        if steps == 1 && low != high {
            return Err(format!(
                "{shown}: 1 step cannot go from {} to {} (STEPS counts the values, both ends included: give 2 or more)",
                from.trim(),
                to.trim()
            ));
        }
        let values = (0..steps)
            .map(|i| {
                let x = spaced(low, high, i, steps);
                match kind {
                    FieldKind::Number => Number::from_f64(x)
                        .map(Value::Number)
                        .ok_or_else(|| format!("{shown}: the values overflow")),
                    FieldKind::Whole if x.fract() != 0.0 || x.abs() > 2f64.powi(53) => Err(format!(
                        "{shown}: {x} is not a whole number, and {field} takes whole numbers (choose STEPS so that each step is whole)"
                    )),
                    FieldKind::Whole => Ok(Value::from(x as i64)),
                    FieldKind::Duration => Ok(Value::String(
                        SimDuration(x.round() as u64).to_config_string(),
                    )),
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Vary { field, values })
    }
}

/// Value `i` of `steps` evenly spaced from `low` to `high`. The ends are exact; the values
/// between are rounded to 12 significant digits, so `0.1..1:10` gives 0.2, 0.3... rather than
/// 0.30000000000000004 (what is printed is what was run).
fn spaced(low: f64, high: f64, i: usize, steps: usize) -> f64 {
    if i == 0 {
        return low;
    }
    if i + 1 == steps {
        return high;
    }
    let x = low + (high - low) * i as f64 / (steps - 1) as f64;
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Every combination of some varies' values.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    varies: Vec<Vary>,
}

impl Grid {
    /// The grid of `varies` (none: a single point, the scenario as it is), unless a field is
    /// varied twice or the grid has more than [`MAX_POINTS`] points.
    pub fn new(varies: Vec<Vary>) -> Result<Grid, String> {
        for (i, vary) in varies.iter().enumerate() {
            if varies[..i].iter().any(|other| other.field == vary.field) {
                return Err(format!("{} is varied twice", vary.field));
            }
        }
        let points = varies
            .iter()
            .try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
            .filter(|&n| n <= MAX_POINTS);
        if points.is_none() {
            let steps: Vec<String> = varies.iter().map(|v| v.values.len().to_string()).collect();
            return Err(format!(
                "the grid has {} points, more than the maximum {MAX_POINTS}",
                steps.join(" x ")
            ));
        }
        Ok(Grid { varies })
    }

    /// The varied fields, in the order given.
    pub fn fields(&self) -> impl Iterator<Item = &FieldPath> {
        self.varies.iter().map(|v| &v.field)
    }

    /// How many points the grid has.
    pub fn len(&self) -> usize {
        self.varies.iter().map(|v| v.values.len()).product()
    }

    /// Whether the grid has no points (never: a grid without varies has one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values at point `index` (from 0), one per vary: the last vary's value changes from
    /// one point to the next.
    pub fn values(&self, index: usize) -> Vec<&Value> {
        let mut rest = index;
        let mut values: Vec<&Value> = self
            .varies
            .iter()
            .rev()
            .map(|v| {
                let value = &v.values[rest % v.values.len()];
                rest /= v.values.len();
                value
            })
            .collect();
        values.reverse();
        values
    }

    /// `scenario` (as JSON) with point `index`'s values set.
    pub fn set(&self, scenario: &mut Value, index: usize) -> Result<(), String> {
        for (vary, value) in self.varies.iter().zip(self.values(index)) {
            vary.field.set(scenario, value)?;
        }
        Ok(())
    }

    /// Point `index` in words, for messages: `traffic.rate=300, backend_latency=100ms`.
    pub fn describe(&self, index: usize) -> String {
        let values = self.values(index);
        let pairs: Vec<String> = self
            .fields()
            .zip(values)
            .map(|(field, value)| format!("{field}={}", plain(value)))
            .collect();
        pairs.join(", ")
    }
}

/// A varied value as text, the way validation messages write values: `100`, `0.5`, `300ms`.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => n.as_f64().map_or(n.to_string(), |x| x.to_string()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Scenario;

    fn classroom() -> Value {
        serde_json::to_value(Scenario::classroom()).unwrap()
    }

    fn values(text: &str) -> Vec<String> {
        let vary = Vary::parse(text, &classroom()).unwrap();
        vary.values.iter().map(plain).collect()
    }

    fn error(text: &str) -> String {
        Vary::parse(text, &classroom()).unwrap_err()
    }

    #[test]
    fn ranges_are_inclusive_and_evenly_spaced() {
        assert_eq!(
            values("traffic.rate=100..1000:10"),
            [
                "100", "200", "300", "400", "500", "600", "700", "800", "900", "1000"
            ]
        );
        assert_eq!(values("servers[*].speed=0.1..1:10")[2], "0.3");
        assert_eq!(values("servers[0].workers=1..4:4"), ["1", "2", "3", "4"]);
        assert_eq!(
            values("backend_latency=0ms..300ms:4"),
            ["0s", "100ms", "200ms", "300ms"]
        );
        assert_eq!(
            values("resilience.health.inter=500ms..2s:4"),
            ["500ms", "1s", "1500ms", "2s"]
        );
        assert_eq!(values("traffic.rate=5..5:1"), ["5"]);
        assert_eq!(values("traffic.rate=9..3:3"), ["9", "6", "3"]);
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        assert_eq!(
            error("traffic.rate"),
            "traffic.rate: give the field and its values as FIELD=FROM..TO:STEPS (e.g. traffic.rate=100..1000:10)"
        );
        assert_eq!(
            error("traffic.rate=100-1000:10"),
            "traffic.rate=100-1000:10: \"100-1000:10\" is not FROM..TO:STEPS (e.g. traffic.rate=100..1000:10)"
        );
        assert_eq!(
            error("traffic.rate=100..1000:0"),
            "traffic.rate=100..1000:0: STEPS \"0\" is not a whole number from 1 to 10000 (how many values, both ends included)"
        );
        assert_eq!(
            error("traffic.rate=1e..5:3"),
            "traffic.rate=1e..5:3: \"1e\" is not a number (traffic.rate is a plain number, without a unit)"
        );
        assert_eq!(
            error("traffic.rate=100..1000:1"),
            "traffic.rate=100..1000:1: 1 step cannot go from 100 to 1000 (STEPS counts the values, both ends included: give 2 or more)"
        );
        assert_eq!(
            error("servers[0].workers=1..4:3"),
            "servers[0].workers=1..4:3: 2.5 is not a whole number, and servers[0].workers takes whole numbers (choose STEPS so that each step is whole)"
        );
        assert_eq!(
            error("backend_latency=0..300:4"),
            "backend_latency=0..300:4: \"0\" has no unit (write e.g. \"500ms\" or \"2s\")"
        );
        assert!(error("traffic.rat=1..2:2").starts_with("traffic.rat: no such field"));
    }

    #[test]
    fn points_are_every_combination_the_first_vary_slowest() {
        let s = classroom();
        let grid = Grid::new(vec![
            Vary::parse("traffic.rate=10..20:2", &s).unwrap(),
            Vary::parse("backend_latency=0ms..10ms:3", &s).unwrap(),
        ])
        .unwrap();
        assert_eq!(grid.len(), 6);
        let described: Vec<String> = (0..6).map(|i| grid.describe(i)).collect();
        assert_eq!(
            described,
            [
                "traffic.rate=10, backend_latency=0s",
                "traffic.rate=10, backend_latency=5ms",
                "traffic.rate=10, backend_latency=10ms",
                "traffic.rate=20, backend_latency=0s",
                "traffic.rate=20, backend_latency=5ms",
                "traffic.rate=20, backend_latency=10ms",
            ]
        );
        let mut changed = s.clone();
        grid.set(&mut changed, 4).unwrap();
        assert_eq!(changed["traffic"]["rate"], 20.0);
        assert_eq!(changed["backend_latency"], "5ms");
        assert_eq!(Grid::new(Vec::new()).unwrap().len(), 1);
    }

    #[test]
    fn grids_are_bounded_and_fields_varied_once() {
        let s = classroom();
        let rate = || Vary::parse("traffic.rate=1..100:100", &s).unwrap();
        assert_eq!(
            Grid::new(vec![rate(), rate()]).unwrap_err(),
            "traffic.rate is varied twice"
        );
        let speed = Vary::parse("servers[*].speed=1..2:101", &s).unwrap();
        assert_eq!(
            Grid::new(vec![rate(), speed]).unwrap_err(),
            "the grid has 100 x 101 points, more than the maximum 10000"
        );
    }
}
