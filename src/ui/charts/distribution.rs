//! Requests per server over the last 30 s as bars, each with the share the algorithm's weights
//! imply marked across it, so "is it balanced?" is one glance, and a change of algorithm shows
//! within seconds rather than under the minutes counted before it. Dead servers' bars are greyed.
//! What the chart shows is a [`Bars`] value, drawn here and tabulated by [`super::table`].

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::Runs;
use super::legend::{self, Entry, Mark};
use super::theme::{ChartColours, DrawResult, LABEL_PX};
use crate::sim::Simulation;
use crate::sim::metrics::RecentRouted;

/// What the bar chart shows: each server's requests in the recent window, per run, against the
/// share the first run's weights imply.
pub struct Bars {
    /// The title.
    pub caption: String,
    /// The window counted, in whole simulated seconds.
    pub span: f64,
    /// The servers' names, in pool order.
    pub names: Vec<String>,
    /// The runs' bars: one run, or compare mode's A and B.
    pub runs: Vec<BarRun>,
    /// Each server's share of the requests if the intended shares held exactly (fractions
    /// summing to one, or all zero when no server is meant to get any).
    pub ideal: Vec<f64>,
    /// What [`Bars::ideal`] is, for the key.
    pub ideal_name: &'static str,
}

/// One run's bars.
pub struct BarRun {
    /// What the run is, in compare mode (else empty: no key entry).
    pub label: String,
    /// Requests routed to each server in the window.
    pub routed: Vec<u64>,
    /// Whether each server is up (a dead server's bar is greyed).
    pub alive: Vec<bool>,
}

/// Requests routed to each server in the last 30 s; in compare mode run A's and run B's, named by
/// the session's labels.
pub fn distribution(runs: &Runs) -> Bars {
    let named: Vec<(&str, &Simulation)> = match (runs.b, &runs.labels) {
        (Some(b), Some([label_a, label_b])) => vec![(label_a, runs.a), (label_b, b)],
        _ => vec![("", runs.a)],
    };
    let recent: Vec<RecentRouted> = named
        .iter()
        .map(|(_, sim)| sim.metrics().recent_routed(sim.now()))
        .collect();
    // Whole seconds: the span is 30 s up to a window more.
    let span = recent[0].span.as_secs_f64().floor();
    let bar_runs: Vec<BarRun> = named
        .iter()
        .zip(recent)
        .map(|(&(label, sim), recent)| BarRun {
            label: label.to_string(),
            routed: recent.routed,
            alive: sim.servers().iter().map(|s| s.is_alive()).collect(),
        })
        .collect();
    Bars {
        caption: format!(
            "Requests per server, last {span:.0} s{}",
            if bar_runs.len() > 1 { ", A and B" } else { "" }
        ),
        span,
        names: runs
            .a
            .servers()
            .iter()
            .map(|s| s.spec().name.clone())
            .collect(),
        ideal: ideal_shares(runs.a),
        ideal_name: if runs.a.algorithm().honours_weights() {
            "share the weights imply"
        } else {
            "equal share"
        },
        runs: bar_runs,
    }
}

/// Draws `bars` on `canvas`: one bar per server and run, A's solid and B's lighter, under the
/// intended share.
pub fn draw(canvas: &HtmlCanvasElement, bars: &Bars, colours: &ChartColours) -> DrawResult {
    let root = colours.area(canvas)?;
    let n = bars.names.len();
    // The intended shares as requests, of run A's total.
    let total = bars.runs[0].routed.iter().sum::<u64>() as f64;
    let ideal: Vec<f64> = bars.ideal.iter().map(|share| share * total).collect();
    let top = bars
        .runs
        .iter()
        .flat_map(|r| r.routed.iter().map(|&v| v as f64))
        .chain(ideal.iter().copied())
        .fold(10.0_f64, f64::max)
        * 1.1;
    let shade = |r: usize| if r == 0 { 1.0 } else { 0.45 };
    let mut entries: Vec<Entry> = bars
        .runs
        .iter()
        .enumerate()
        .filter(|(_, run)| !run.label.is_empty())
        .map(|(r, run)| Entry {
            name: run.label.clone(),
            mark: Mark::Bar(colours.series[0].mix(shade(r))),
        })
        .collect();
    entries.push(Entry {
        name: bars.ideal_name.to_string(),
        mark: Mark::Line {
            colour: colours.ink,
            dashed: false,
        },
    });
    let area = legend::below(&root, colours, &entries)?;

    let mut chart = ChartBuilder::on(&area)
        .caption(&bars.caption, colours.text(16.0))
        .margin(colours.px(10.0))
        .x_label_area_size(colours.px(28.0))
        .y_label_area_size(colours.px(56.0))
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)?;
    // Every server's name if they fit side by side, else every second (third...) one.
    let (plot_w, plot_h) = chart.plotting_area().dim_in_pixel();
    let font = colours.text(LABEL_PX);
    let widest = bars
        .names
        .iter()
        .map(|name| area.estimate_text_size(name, &font).map_or(0, |(w, _)| w))
        .max()
        .unwrap_or(0);
    let every = colours.label_every(n, widest, plot_w);
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6
            && i >= 0.0
            && (i as usize) < n
            && (i as usize).is_multiple_of(every)
        {
            bars.names[i as usize].clone()
        } else {
            String::new()
        }
    };
    colours
        .style(&mut chart.configure_mesh())
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&label_of)
        .y_desc(format!("requests routed in {:.0} s", bars.span))
        .y_labels(colours.y_labels(plot_h))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    let width = 0.7 / bars.runs.len() as f64;
    for (r, run) in bars.runs.iter().enumerate() {
        let colour = colours.series[0].mix(shade(r));
        chart.draw_series(run.routed.iter().zip(&run.alive).enumerate().map(
            |(i, (&v, &alive))| {
                let left = i as f64 - 0.35 + r as f64 * width;
                let fill = if alive {
                    colour
                } else {
                    colours.grid.mix(shade(r))
                };
                Rectangle::new([(left, 0.0), (left + width, v as f64)], fill.filled())
            },
        ))?;
    }
    let ideal_style = colours.ink.stroke_width(colours.stroke(2.0));
    chart.draw_series(ideal.iter().enumerate().map(|(i, &v)| {
        PathElement::new(
            vec![(i as f64 - 0.45, v), (i as f64 + 0.45, v)],
            ideal_style,
        )
    }))?;
    root.present()?;
    Ok(())
}

/// Each server's share of the requests if the algorithm's intended shares held exactly: by
/// weight for weighted algorithms, equal otherwise; backups are meant to get nothing.
fn ideal_shares(sim: &Simulation) -> Vec<f64> {
    let weighted = sim.algorithm().honours_weights();
    let weights: Vec<f64> = sim
        .servers()
        .iter()
        .map(|s| match (s.spec().backup, s.spec().weight, weighted) {
            (true, _, _) | (false, 0, _) => 0.0,
            (false, w, true) => f64::from(w),
            (false, _, false) => 1.0,
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| if sum > 0.0 { w / sum } else { 0.0 })
        .collect()
}
