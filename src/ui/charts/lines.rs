//! What a chart over simulated time shows ([`TimeChart`]) and the one routine that draws every
//! such chart: a caption, a time axis (or another, such as the What-if sweep's offered load), a
//! value axis from zero, solid or dashed lines, and a legend under the plot. The charts differ
//! only in which lines they hand it; the same value gives the chart's table ([`super::table`]).

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::legend::{self, Entry, Mark};
use super::markers as events;
use super::theme::{ChartColours, DrawResult, Hue};
use crate::sim::markers::Marker;

/// One line of a chart.
pub struct Line {
    /// What it is: its legend entry and its table row.
    pub name: String,
    /// Its colour.
    pub colour: Hue,
    /// Its points: (simulated seconds, value). A value of NaN is a gap, a window with nothing
    /// to show (no request finished, so no latency): the line breaks there rather than join the
    /// windows either side as if it had gone from one to the other.
    pub points: Vec<(f64, f64)>,
    /// Dashed (a reference, such as a theoretical value, or compare mode's run B) rather than
    /// solid (a measurement).
    pub dashed: bool,
    /// In compare mode, the run it belongs to ("A" or "B"): its table row says so, and run B's
    /// lines are keyed in the legend by run A's of the same colour.
    pub run: Option<&'static str>,
}

impl Line {
    /// Its stretches between gaps, each at least one point long.
    pub fn stretches(&self) -> impl Iterator<Item = &[(f64, f64)]> {
        self.points
            .split(|p| p.1.is_nan())
            .filter(|stretch| !stretch.is_empty())
    }

    /// Its values, gaps left out.
    pub fn values(&self) -> impl Iterator<Item = f64> + Clone + '_ {
        self.points.iter().map(|p| p.1).filter(|v| !v.is_nan())
    }

    /// Its name with its run, if it has one: `p50 (B)`.
    pub fn full_name(&self) -> String {
        match self.run {
            Some(run) => format!("{} ({run})", self.name),
            None => self.name.clone(),
        }
    }
}

/// The time axis's description.
pub const SIMULATED_TIME: &str = "simulated time (s)";

/// A chart of values over simulated time (or over another quantity its `x_desc` names).
pub struct TimeChart {
    /// The title.
    pub caption: String,
    /// The horizontal axis's description: [`SIMULATED_TIME`] but for the What-if sweep.
    pub x_desc: &'static str,
    /// The value axis's description.
    pub y_desc: &'static str,
    /// The span shown: simulated seconds (or the horizontal axis's own unit).
    pub span: (f64, f64),
    /// The value axis reaches at least this high.
    pub min_top: f64,
    /// The lines, drawn in order; the legend lists them in the same order.
    pub lines: Vec<Line>,
    /// In compare mode, what runs A (solid) and B (dashed) are, for the key.
    pub runs: Option<[String; 2]>,
}

/// Draws `chart` on `canvas`, with the run's marks (`markers`) that fall in its span.
pub fn draw(
    canvas: &HtmlCanvasElement,
    colours: &ChartColours,
    chart: &TimeChart,
    markers: &[Marker],
) -> DrawResult {
    let root = colours.area(canvas)?;
    let marks = events::within(markers, chart.span);
    let entries: Vec<Entry> = chart
        .lines
        .iter()
        // Run B's lines are keyed by run A's: the colour says the series, the dash the run.
        .filter(|line| line.run != Some("B"))
        .map(|line| Entry {
            name: line.name.clone(),
            mark: Mark::Line {
                colour: colours.hue(line.colour),
                dashed: line.dashed && line.run.is_none(),
            },
        })
        .chain(
            chart
                .runs
                .iter()
                .flatten()
                .zip([false, true])
                .map(|(label, dashed)| Entry {
                    name: label.clone(),
                    mark: Mark::Line {
                        colour: colours.ink,
                        dashed,
                    },
                }),
        )
        .chain(events::entries(&marks, colours))
        .collect();
    let area = legend::below(&root, colours, &entries)?;
    let top = chart
        .lines
        .iter()
        .flat_map(Line::values)
        .fold(chart.min_top, f64::max)
        * 1.1;
    let (start, end) = chart.span;
    let end = end.max(start + 1e-3);

    let mut plot = ChartBuilder::on(&area)
        .caption(&chart.caption, colours.text(16.0))
        .margin(colours.px(10.0))
        .x_label_area_size(colours.px(34.0))
        .y_label_area_size(colours.px(56.0))
        .build_cartesian_2d(start..end, 0.0..top)?;
    let plot_h = plot.plotting_area().dim_in_pixel().1;
    colours
        .style(&mut plot.configure_mesh())
        .y_labels(colours.y_labels(plot_h))
        .x_desc(chart.x_desc)
        .y_desc(chart.y_desc)
        .x_label_formatter(&|x| {
            if end - start < 10.0 {
                format!("{x:.1}")
            } else {
                format!("{x:.0}")
            }
        })
        .y_label_formatter(&|y| {
            if top < 10.0 {
                format!("{y:.1}")
            } else {
                format!("{y:.0}")
            }
        })
        .draw()?;
    events::draw(&mut plot, &marks, top, colours)?;
    for line in &chart.lines {
        let style = colours.hue(line.colour).stroke_width(colours.stroke(2.0));
        for stretch in line.stretches() {
            let points = stretch.iter().copied();
            if let [alone] = stretch {
                // A window between two gaps: a dot, as a line of one point draws nothing.
                let dot = Circle::new(*alone, colours.stroke(3.0), style.filled());
                plot.draw_series(std::iter::once(dot))?;
            } else if line.dashed {
                let (dash, space) = (colours.px(8.0), colours.px(5.0));
                plot.draw_series(DashedLineSeries::new(points, dash, space, style))?;
            } else {
                plot.draw_series(LineSeries::new(points, style))?;
            }
        }
    }
    root.present()?;
    Ok(())
}
