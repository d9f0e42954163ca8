//! The What-if sweep's chart: latency against offered load, the runs' mean and 95th percentile
//! beside the queueing model's mean where one fits ([`crate::sweep::whatif`]), and a mark at the
//! load offered when the sweep was made, drawn by the same routine as the charts over time.

use super::lines::{Line, TimeChart};
use super::theme::Hue;
use crate::sweep::whatif::Load;

/// The chart of `loads` (lowest first); `model` names the queueing model, if one fits, and
/// `now` is the load offered when the sweep was made (requests per second).
pub fn load_curve(loads: &[Load], model: Option<&str>, now: f64) -> TimeChart {
    let line = |value: fn(&Load) -> Option<f64>| -> Vec<(f64, f64)> {
        loads
            .iter()
            .map(|l| (l.rate, value(l).unwrap_or(f64::NAN)))
            .collect()
    };
    let mut lines = vec![
        Line {
            name: "mean (runs)".into(),
            colour: Hue::Series(0),
            points: line(|l| l.mean_ms.map(|m| m.mean)),
            dashed: false,
            run: None,
        },
        Line {
            name: "p95 (runs)".into(),
            colour: Hue::Series(1),
            points: line(|l| l.p95_ms.map(|m| m.mean)),
            dashed: false,
            run: None,
        },
    ];
    if let Some(model) = model {
        lines.push(Line {
            name: format!("theory mean: {model}"),
            colour: Hue::Ink,
            points: line(|l| l.theory_ms),
            dashed: true,
            run: None,
        });
    }
    let highest = lines
        .iter()
        .flat_map(|line| line.values())
        .fold(0.0, f64::max);
    lines.push(Line {
        name: format!("offered when swept ({now:.1} req/s)"),
        colour: Hue::Series(2),
        points: vec![(now, 0.0), (now, highest)],
        dashed: false,
        run: None,
    });
    let top = loads.last().map_or(1.0, |l| l.rate).max(now);
    TimeChart {
        caption: "Latency against offered load".into(),
        x_desc: "offered load (requests per second)",
        y_desc: "latency (ms)",
        span: (0.0, top),
        min_top: 10.0,
        lines,
        runs: None,
    }
}
