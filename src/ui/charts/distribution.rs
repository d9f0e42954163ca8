//! Requests per server over the last 30 s as bars, each with the share the algorithm's weights
//! imply marked across it, so "is it balanced?" is one glance, and a change of algorithm shows
//! within seconds rather than under the minutes counted before it. Dead servers' bars are greyed.

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::Runs;
use super::legend::{self, Entry, Mark};
use super::theme::{ChartColours, DrawResult};
use crate::sim::Simulation;
use crate::sim::metrics::RecentRouted;

/// Draws the bar chart of requests routed to each server in the last 30 s; in compare mode run
/// A's and run B's bars side by side on one axis, A's solid and B's lighter, named by the
/// session's labels.
pub fn draw_distribution(canvas: &HtmlCanvasElement, runs: &Runs, colours: &ChartColours) {
    let result = match (runs.b, &runs.labels) {
        (Some(b), Some([label_a, label_b])) => {
            try_draw(canvas, &[(label_a, runs.a), (label_b, b)], colours)
        }
        _ => try_draw(canvas, &[("", runs.a)], colours),
    };
    report(result);
}

fn report(result: DrawResult) {
    if let Err(e) = result {
        web_sys::console::warn_1(&format!("distribution chart: {e}").into());
    }
}

/// Bars for each server, one per run (named runs get a legend entry), under the share the first
/// run's weights imply.
fn try_draw(
    canvas: &HtmlCanvasElement,
    runs: &[(&str, &Simulation)],
    colours: &ChartColours,
) -> DrawResult {
    let root = colours.area(canvas)?;
    let (_, first) = runs.first().ok_or("no run")?;
    let recent: Vec<RecentRouted> = runs
        .iter()
        .map(|(_, sim)| sim.metrics().recent_routed(sim.now()))
        .collect();
    let routed: Vec<Vec<f64>> = recent
        .iter()
        .map(|r| r.routed.iter().map(|&n| n as f64).collect())
        .collect();
    let names: Vec<&str> = first
        .servers()
        .iter()
        .map(|s| s.spec().name.as_str())
        .collect();
    let ideal = ideal_shares(first, routed[0].iter().sum());
    let n = names.len();
    let top = routed
        .iter()
        .flatten()
        .chain(&ideal)
        .fold(10.0_f64, |a, &b| a.max(b))
        * 1.1;
    // Whole seconds: the span is 30 s up to a window more.
    let span = recent[0].span.as_secs_f64().floor();
    let caption = format!(
        "Requests per server, last {span:.0} s{}",
        if runs.len() > 1 { ", A and B" } else { "" }
    );

    let shade = |r: usize| if r == 0 { 1.0 } else { 0.45 };
    let mut entries: Vec<Entry> = runs
        .iter()
        .enumerate()
        .filter(|(_, (label, _))| !label.is_empty())
        .map(|(r, (label, _))| Entry {
            name: label.to_string(),
            mark: Mark::Bar(colours.series[0].mix(shade(r))),
        })
        .collect();
    entries.push(Entry {
        name: if first.algorithm().honours_weights() {
            "share the weights imply"
        } else {
            "equal share"
        }
        .to_string(),
        mark: Mark::Line {
            colour: colours.ink,
            dashed: false,
        },
    });
    let area = legend::below(&root, colours, &entries)?;

    let mut chart = ChartBuilder::on(&area)
        .caption(&caption, colours.text(16.0))
        .margin(colours.px(10.0))
        .x_label_area_size(colours.px(28.0))
        .y_label_area_size(colours.px(56.0))
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)?;
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
            names[i as usize].to_string()
        } else {
            String::new()
        }
    };
    colours
        .style(&mut chart.configure_mesh())
        .disable_x_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&label_of)
        .y_desc(format!("requests routed in {span:.0} s"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    let width = 0.7 / runs.len() as f64;
    for (r, ((_, sim), values)) in runs.iter().zip(&routed).enumerate() {
        let colour = colours.series[0].mix(shade(r));
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let left = i as f64 - 0.35 + r as f64 * width;
            let fill = if sim.servers()[i].is_alive() {
                colour
            } else {
                colours.grid.mix(shade(r))
            };
            Rectangle::new([(left, 0.0), (left + width, v)], fill.filled())
        }))?;
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

/// What each server would have received if the algorithm's intended shares held exactly: by
/// weight for weighted algorithms, equal otherwise; backups are meant to get nothing.
fn ideal_shares(sim: &Simulation, total: f64) -> Vec<f64> {
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
        .map(|w| if sum > 0.0 { total * w / sum } else { 0.0 })
        .collect()
}
