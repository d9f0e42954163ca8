//! A chart's numbers as a table, the accessible alternative to its canvas: for the bars, each
//! server's requests and share beside the share intended; for lines over time, each line's latest
//! value and its range over the span shown. Read from the chart's own [`Figure`](super::Figure),
//! so the table says what the picture shows.

use super::distribution::Bars;
use super::lines::TimeChart;

/// A table of words: a caption, column headings, and rows whose first cell names the row.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// What the table shows.
    pub caption: String,
    /// The column headings, the row names' column first.
    pub columns: Vec<String>,
    /// The rows, each as long as [`Table::columns`].
    pub rows: Vec<Vec<String>>,
}

/// Each server's requests and share per run, and the share intended.
pub fn of_bars(bars: &Bars) -> Table {
    let compared = bars.runs.len() > 1;
    let run_name = |r: usize| if r == 0 { "A" } else { "B" };
    let suffix = |r: usize| {
        if compared {
            format!(", {}", run_name(r))
        } else {
            String::new()
        }
    };
    let mut columns = vec!["server".to_string()];
    for r in 0..bars.runs.len() {
        columns.push(format!("requests{}", suffix(r)));
        columns.push(format!("share{}", suffix(r)));
    }
    columns.push(bars.ideal_name.to_string());
    let totals: Vec<u64> = bars.runs.iter().map(|r| r.routed.iter().sum()).collect();
    let rows = bars
        .names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let down = !bars.runs[0].alive.get(i).copied().unwrap_or(true);
            let mut row = vec![if down {
                format!("{name} (down)")
            } else {
                name.clone()
            }];
            for (run, &total) in bars.runs.iter().zip(&totals) {
                let routed = run.routed.get(i).copied().unwrap_or(0);
                row.push(routed.to_string());
                row.push(if total > 0 {
                    percent(routed as f64 / total as f64)
                } else {
                    "–".to_string()
                });
            }
            row.push(percent(bars.ideal.get(i).copied().unwrap_or(0.0)));
            row
        })
        .collect();
    let runs: Vec<String> = bars
        .runs
        .iter()
        .filter(|r| !r.label.is_empty())
        .map(|r| r.label.clone())
        .collect();
    Table {
        caption: if runs.is_empty() {
            bars.caption.clone()
        } else {
            format!("{} ({})", bars.caption, runs.join("; "))
        },
        columns,
        rows,
    }
}

/// Each line's latest value, lowest and highest over the span the chart shows.
pub fn of_lines(chart: &TimeChart) -> Table {
    let (start, end) = chart.span;
    let runs = chart
        .runs
        .as_ref()
        .map_or(String::new(), |labels| format!("; {}", labels.join("; ")));
    let rows = chart
        .lines
        .iter()
        .map(|line| {
            let values = line.values();
            let lowest = values.clone().reduce(f64::min);
            let highest = values.reduce(f64::max);
            // The latest window's, none if it is a gap.
            let latest = line.points.last().map(|p| p.1).filter(|v| !v.is_nan());
            [
                line.full_name(),
                value(latest),
                value(lowest),
                value(highest),
            ]
            .into()
        })
        .collect();
    Table {
        caption: format!(
            "{}: {}, simulated time {start:.0} to {end:.0} s{runs}",
            chart.caption, chart.y_desc
        ),
        columns: ["line", "latest", "lowest", "highest"]
            .map(String::from)
            .into(),
        rows,
    }
}

/// A fraction as a percentage with one decimal.
fn percent(fraction: f64) -> String {
    format!("{:.1} %", fraction * 100.0)
}

/// A chart value, with a decimal below ten; a dash for none.
fn value(v: Option<f64>) -> String {
    match v {
        Some(v) if v.abs() < 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.0}"),
        None => "–".to_string(),
    }
}
