//! The charts over simulated time, built from the metrics' sampled windows: latency percentiles
//! (with the queueing-theory mean when a model fits the run), throughput and errors, queue
//! lengths per server, and the servers against the load. Each is a [`TimeChart`] value, which
//! [`super::lines`] draws and [`super::table`] tabulates.

use super::Runs;
use super::lines::{Line, SIMULATED_TIME, TimeChart};
use super::theme::Hue;
use crate::sim::metrics::{QUEUE_HISTORY, ROLLING_WINDOWS};
use crate::sim::theory;
use crate::sim::{Sample, Simulation};

/// How many of the most recent windows the charts show.
const WINDOWS_SHOWN: usize = QUEUE_HISTORY;
/// Up to this many servers get a queue line each; beyond, the chart shows their mean and maximum.
const QUEUE_LINES: usize = 6;

/// Reads one value out of a sample.
type Field = fn(&Sample) -> Option<f64>;

/// The p50 / p95 / p99 latency lines, the measured mean and, when a queueing model fits the
/// run, the mean it predicts (dashed); in compare mode both runs' p50 and p95 instead.
pub fn latency(runs: &Runs) -> TimeChart {
    let (sim, compare) = (runs.a, runs.b);
    if let (Some(other), Some(labels)) = (compare, &runs.labels) {
        return latency_compare([sim, other], labels);
    }
    let window = sim.scenario().sample_every.as_secs_f64();
    let caption = format!(
        "Latency (each point: the last {:.0} s)",
        ROLLING_WINDOWS as f64 * window
    );
    let mut lines = field_lines(
        sim,
        &[
            ("p50", |s| s.p50_ms, 0),
            ("p95", |s| s.p95_ms, 1),
            ("p99", |s| s.p99_ms, 2),
            ("mean", |s| s.mean_ms, 3),
        ],
    );
    let span = span(sim);
    if let Some(expected) = theory::expected_latency(sim) {
        lines.push(Line {
            // The model's name up to its parenthesised remark, so the legend stays inside the chart.
            name: format!(
                "theory mean ({})",
                expected.model.split(" (").next().unwrap_or(expected.model)
            ),
            colour: Hue::Ink,
            points: vec![(span.0, expected.mean_ms), (span.1, expected.mean_ms)],
            dashed: true,
            run: None,
        });
    }
    TimeChart {
        caption,
        x_desc: SIMULATED_TIME,
        y_desc: "latency (ms)",
        span,
        min_top: 10.0,
        lines,
        runs: None,
    }
}

/// Two runs' p50 and p95 on one axis: A's lines solid, B's dashed in the same colours; the key
/// gives the colours once and names the runs as `labels` do.
fn latency_compare(runs: [&Simulation; 2], labels: &[String; 2]) -> TimeChart {
    let percentiles: [(&str, Field, usize); 2] =
        [("p50", |s| s.p50_ms, 0), ("p95", |s| s.p95_ms, 1)];
    let lines = runs
        .into_iter()
        .zip(["A", "B"])
        .flat_map(|(sim, run)| {
            field_lines(sim, &percentiles)
                .into_iter()
                .map(move |line| Line {
                    dashed: run == "B",
                    run: Some(run),
                    ..line
                })
        })
        .collect();
    TimeChart {
        caption: "Latency, A (solid) and B (dashed)".to_string(),
        x_desc: SIMULATED_TIME,
        y_desc: "latency (ms)",
        span: span(runs[0]),
        min_top: 10.0,
        lines,
        runs: Some(labels.clone()),
    }
}

/// Successes, errors and retries per second (of run A in compare mode); in a run with
/// client retries or closed-loop users, goodput beside the servers' throughput and the client
/// retries too.
pub fn throughput(runs: &Runs) -> TimeChart {
    let (sim, compare) = (runs.a, runs.b);
    let lines = if sim.clients_seen() {
        // With clients that retry or users that wait, what the servers produce and what the
        // clients get apart: goodput solid, the servers' throughput dashed.
        let mut lines = field_lines(
            sim,
            &[
                (
                    "goodput (answers clients got) / s",
                    |s| Some(s.throughput),
                    3,
                ),
                ("failed or rejected / s", |s| Some(s.errors), 2),
                ("balancer retries / s", |s| Some(s.retries), 4),
                ("client retries / s", |s| Some(s.client_retries), 5),
            ],
        );
        lines.push(Line {
            name: "throughput (servers' successes) / s".to_string(),
            colour: Hue::Series(3),
            points: points(sim, |s| Some(s.served)),
            dashed: true,
            run: None,
        });
        lines
    } else {
        field_lines(
            sim,
            &[
                ("served / s", |s| Some(s.throughput), 3),
                ("failed or rejected / s", |s| Some(s.errors), 2),
                ("retries / s", |s| Some(s.retries), 4),
            ],
        )
    };
    TimeChart {
        caption: format!("{}Throughput and errors", run_a(compare)),
        x_desc: SIMULATED_TIME,
        y_desc: "requests per second",
        span: span(sim),
        min_top: 1.0,
        lines,
        runs: None,
    }
}

/// Each server's queue length (or, with many servers, their mean and the longest), of run A in
/// compare mode: at the end of each window, and last as the queues stand now, so the lines reach
/// the clock (a queue is a count at an instant, not a window's average, so the latest one is
/// exact; the other charts end with the last closed window).
pub fn queues(runs: &Runs) -> TimeChart {
    let (sim, compare) = (runs.a, runs.b);
    let history = sim.metrics().queue_history();
    let series = sim.metrics().series();
    let now = sim.now().as_secs_f64();
    let live: Vec<u32> = sim.servers().iter().map(|s| s.queued()).collect();
    // The queue records line up with the most recent samples.
    let mut records: Vec<(f64, &[u32])> = series
        .iter()
        .skip(series.len().saturating_sub(history.len()))
        .map(|s| s.end.as_secs_f64())
        .zip(history.iter().map(Vec::as_slice))
        .collect();
    if records.last().is_none_or(|&(t, _)| t < now) {
        records.push((now, &live));
    }
    let servers = sim.servers();
    let lines = if servers.len() <= QUEUE_LINES {
        servers
            .iter()
            .enumerate()
            .map(|(i, server)| Line {
                name: server.spec().name.clone(),
                colour: Hue::Series(i),
                points: records
                    .iter()
                    .filter_map(|&(t, q)| q.get(i).map(|&len| (t, f64::from(len))))
                    .collect(),
                dashed: false,
                run: None,
            })
            .collect()
    } else {
        let over = |f: fn(&[u32]) -> f64| -> Vec<(f64, f64)> {
            records.iter().map(|&(t, q)| (t, f(q))).collect()
        };
        vec![
            Line {
                name: "longest queue".to_string(),
                colour: Hue::Series(2),
                points: over(|q| f64::from(q.iter().copied().max().unwrap_or(0))),
                dashed: false,
                run: None,
            },
            Line {
                name: format!("mean over {} servers", servers.len()),
                colour: Hue::Series(0),
                points: over(|q| {
                    q.iter().map(|&l| f64::from(l)).sum::<f64>() / q.len().max(1) as f64
                }),
                dashed: false,
                run: None,
            },
        ]
    };
    let (from, to) = span(sim);
    TimeChart {
        caption: format!("{}Queue length", run_a(compare)),
        x_desc: SIMULATED_TIME,
        y_desc: "requests waiting",
        span: (from, to.max(now)),
        min_top: 4.0,
        lines,
        runs: None,
    }
}

/// The servers over time against the load (of run A in compare mode): how many there
/// are (booting ones included), how many the balancer may send to, and how many servers' worth
/// of work the clients send (requests per second x mean cost / a server's workers), so an
/// autoscaler can be seen keeping up or falling behind.
pub fn fleet(runs: &Runs) -> TimeChart {
    let (sim, compare) = (runs.a, runs.b);
    let template = &sim.scenario().servers[0];
    let per_server = f64::from(template.workers) * template.speed;
    let busy = sim.traffic().cost.mean().as_secs_f64() / per_server;
    let mut lines = field_lines(
        sim,
        &[
            (
                "servers (booting included)",
                |s| Some(f64::from(s.fleet.servers)),
                0,
            ),
            ("in rotation", |s| Some(f64::from(s.fleet.in_rotation)), 1),
        ],
    );
    lines.push(Line {
        name: "load (servers' worth of work)".to_string(),
        colour: Hue::Series(2),
        points: points(sim, |s| Some(s.offered))
            .into_iter()
            .map(|(t, rate)| (t, rate * busy))
            .collect(),
        dashed: true,
        run: None,
    });
    TimeChart {
        caption: format!("{}Servers and load", run_a(compare)),
        x_desc: SIMULATED_TIME,
        y_desc: "servers",
        span: span(sim),
        min_top: 4.0,
        lines,
        runs: None,
    }
}

/// One line per `(name, field, series colour)`.
fn field_lines(sim: &Simulation, fields: &[(&str, Field, usize)]) -> Vec<Line> {
    fields
        .iter()
        .map(|&(name, field, colour)| Line {
            name: name.to_string(),
            colour: Hue::Series(colour),
            points: points(sim, field),
            dashed: false,
            run: None,
        })
        .collect()
}

/// The samples' values of `field`, at the end of their windows, over the span shown; a window
/// without one (no request finished in it, so it has no latency) is a gap ([`Line::points`]).
fn points(sim: &Simulation, field: Field) -> Vec<(f64, f64)> {
    let series = sim.metrics().series();
    series
        .iter()
        .skip(series.len().saturating_sub(WINDOWS_SHOWN))
        .map(|s| (s.end.as_secs_f64(), field(s).unwrap_or(f64::NAN)))
        .collect()
}

/// The simulated seconds the charts show: the last [`WINDOWS_SHOWN`] windows.
fn span(sim: &Simulation) -> (f64, f64) {
    let series = sim.metrics().series();
    let window = sim.scenario().sample_every.as_secs_f64();
    let first = series.get(series.len().saturating_sub(WINDOWS_SHOWN));
    match (first, series.back()) {
        (Some(first), Some(last)) => (first.end.as_secs_f64() - window, last.end.as_secs_f64()),
        _ => (0.0, window),
    }
}

/// The caption's prefix naming the run a single-run chart shows, in compare mode.
fn run_a(compare: Option<&Simulation>) -> &'static str {
    if compare.is_some() { "Run A: " } else { "" }
}
