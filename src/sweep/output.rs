//! A sweep's results as text: CSV (a header, then a line per point) or JSON (the sweep's
//! settings and a list of points). Both have the same columns under the same names:
//!
//! - the varied fields, each under its path, valued as the scenario file writes them;
//! - `replications`;
//! - `mean_ms` and its 95% confidence interval (`mean_ci95_low_ms`, `mean_ci95_high_ms`; JSON:
//!   `mean_ci95_ms: [low, high]`), over the replications' mean latencies;
//! - `p95_ms` and its interval likewise, over the replications' 95th percentiles;
//! - `throughput_per_s`, requests served per simulated second;
//! - `theory_mean_ms` and `theory_model`, the queueing model's mean latency where one fits.
//!
//! A value that does not exist is empty in CSV and `null` in JSON: latencies when a replication
//! served nothing, intervals with one replication, the theory where no model fits.

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

use super::grid::plain;
use super::plan::Plan;
use super::point::Summary;
use super::stats::Estimate;
use crate::sim::report::csv_field;

/// The columns after the varied fields.
const RESULT_COLUMNS: &str = "replications,mean_ms,mean_ci95_low_ms,mean_ci95_high_ms,p95_ms,p95_ci95_low_ms,p95_ci95_high_ms,throughput_per_s,theory_mean_ms,theory_model";

/// The results as CSV, numbers to 3 decimals.
pub fn csv(plan: &Plan, summaries: &[Summary]) -> String {
    let grid = plan.grid();
    let mut header: Vec<String> = grid.fields().map(|f| f.to_string()).collect();
    header.push(RESULT_COLUMNS.to_string());
    let mut out = header.join(",") + "\n";
    let number = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.3}"));
    let estimate = |e: Option<Estimate>| {
        let ci = e.and_then(|e| e.ci95);
        [
            number(e.map(|e| e.mean)),
            number(ci.map(|(low, _)| low)),
            number(ci.map(|(_, high)| high)),
        ]
    };
    for (index, s) in summaries.iter().enumerate() {
        let mut line: Vec<String> = grid.values(index).into_iter().map(plain).collect();
        line.push(s.replications.to_string());
        line.extend(estimate(s.mean_ms));
        line.extend(estimate(s.p95_ms));
        line.push(number(Some(s.throughput)));
        line.push(number(s.theory.map(|t| t.mean_ms)));
        line.push(
            s.theory
                .map_or("".into(), |t| csv_field(t.model))
                .into_owned(),
        );
        out += &(line.join(",") + "\n");
    }
    out
}

/// The results as one JSON object: `scenario` (its title), `seed`, `duration_s`,
/// `replications`, `vary` (the fields) and `points`, each with `at` (the field values) and the
/// result columns.
pub fn json(plan: &Plan, summaries: &[Summary]) -> String {
    let fields: Vec<String> = plan.grid().fields().map(|f| f.to_string()).collect();
    let points = summaries
        .iter()
        .enumerate()
        .map(|(index, s)| PointJson {
            at: At {
                fields: &fields,
                values: plan.grid().values(index),
            },
            replications: s.replications,
            mean_ms: s.mean_ms.map(|e| e.mean),
            mean_ci95_ms: s.mean_ms.and_then(|e| e.ci95).map(<[f64; 2]>::from),
            p95_ms: s.p95_ms.map(|e| e.mean),
            p95_ci95_ms: s.p95_ms.and_then(|e| e.ci95).map(<[f64; 2]>::from),
            throughput_per_s: s.throughput,
            theory_mean_ms: s.theory.map(|t| t.mean_ms),
            theory_model: s.theory.map(|t| t.model),
        })
        .collect();
    let sweep = SweepJson {
        scenario: plan.title(),
        seed: plan.seed(),
        duration_s: plan.length().as_secs_f64(),
        replications: plan.replications(),
        vary: &fields,
        points,
    };
    serde_json::to_string_pretty(&sweep).expect("numbers and strings always serialise") + "\n"
}

#[derive(Serialize)]
struct SweepJson<'a> {
    scenario: &'a str,
    seed: u64,
    duration_s: f64,
    replications: usize,
    vary: &'a [String],
    points: Vec<PointJson<'a>>,
}

#[derive(Serialize)]
struct PointJson<'a> {
    at: At<'a>,
    replications: usize,
    mean_ms: Option<f64>,
    mean_ci95_ms: Option<[f64; 2]>,
    p95_ms: Option<f64>,
    p95_ci95_ms: Option<[f64; 2]>,
    throughput_per_s: f64,
    theory_mean_ms: Option<f64>,
    theory_model: Option<&'static str>,
}

/// A point's values by field, in the order the fields were varied.
struct At<'a> {
    fields: &'a [String],
    values: Vec<&'a Value>,
}

impl Serialize for At<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (field, value) in self.fields.iter().zip(&self.values) {
            map.serialize_entry(field, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Scenario, SimDuration};

    fn sweep(replications: usize) -> (Plan, Vec<Summary>) {
        let plan = Plan::new(
            &Scenario::classroom(),
            &["traffic.rate=0..4:2", "backend_latency=0ms..10ms:2"],
            replications,
            SimDuration::from_secs(5),
        )
        .unwrap();
        let runs: Vec<_> = (0..plan.runs()).map(|r| plan.run(r)).collect();
        let summaries = plan.summarise(&runs);
        (plan, summaries)
    }

    #[test]
    fn csv_has_a_header_and_a_line_per_point() {
        let (plan, summaries) = sweep(2);
        let text = csv(&plan, &summaries);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[0],
            format!("traffic.rate,backend_latency,{RESULT_COLUMNS}")
        );
        // No traffic: nothing served, no latency, but the theory has nothing to say either.
        assert_eq!(lines[1], "0,0s,2,,,,,,,0.000,,");
        let last: Vec<&str> = lines[4].split(',').collect();
        assert_eq!(&last[..3], ["4", "10ms", "2"]);
        assert!(
            last.iter().take(10).all(|cell| !cell.is_empty()),
            "{last:?}"
        );
        assert!(
            lines[4]
                .ends_with(",M/M/c per server (random split; round robin does a little better)")
        );
    }

    #[test]
    fn json_has_the_settings_and_the_points() {
        let (plan, summaries) = sweep(1);
        let value: Value = serde_json::from_str(&json(&plan, &summaries)).unwrap();
        assert_eq!(value["scenario"], "Classroom default");
        assert_eq!(value["duration_s"], 5.0);
        assert_eq!(
            value["vary"],
            serde_json::json!(["traffic.rate", "backend_latency"])
        );
        let points = value["points"].as_array().unwrap();
        assert_eq!(points.len(), 4);
        assert_eq!(
            points[3]["at"],
            serde_json::json!({"traffic.rate": 4.0, "backend_latency": "10ms"})
        );
        // One replication: a mean, no interval.
        assert!(points[3]["mean_ms"].is_f64());
        assert!(points[3]["mean_ci95_ms"].is_null());
        assert!(points[3]["theory_model"].is_string());
    }
}
