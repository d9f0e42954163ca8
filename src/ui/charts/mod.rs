//! The plotters charts, redrawn a few times a second by the animation loop, not every frame:
//! requests per server over the last 30 s against the share the weights imply
//! ([`distribution`]), and over simulated time the latency percentiles with the
//! queueing-theory expectation, throughput and errors, and each server's queue length, the
//! servers against the load ([`over_time`], all drawn by one line-chart routine in [`lines`],
//! which also marks the run's commands and changes of state on the time axis, [`markers`]).
//! In compare mode the distribution and latency charts put both runs on their axes, named as
//! the session names them; the others show run A.
//! [`theme`] gives them the page's colours and sizes, [`legend`] their keys, under the plot.
//! The What-if panel's latency against offered load ([`load_curve`]) is drawn the same way.
//! Each chart is first a [`Figure`], a value of what it shows; the same value is drawn on the
//! canvas and read out as the chart's table ([`table`]), so picture and table cannot disagree.

mod backend;
mod distribution;
mod legend;
mod lines;
mod load_curve;
mod markers;
mod over_time;
mod table;
mod theme;

pub use distribution::distribution;
pub use load_curve::load_curve;
pub use over_time::{fleet, latency, queues, throughput};
pub use table::Table;
pub use theme::ChartColours;

use web_sys::HtmlCanvasElement;

use crate::session::Session;
use crate::sim::Simulation;
use crate::sim::markers::{self as marks, Marker};

/// What a chart is drawn from: run A, compare mode's run B with the words naming both, and the
/// marks of run A's events for the time axis.
pub struct Runs<'a> {
    /// The run.
    pub a: &'a Simulation,
    /// Compare mode's run B.
    pub b: Option<&'a Simulation>,
    /// What A and B are, in compare mode ([`Session::run_labels`]).
    pub labels: Option<[String; 2]>,
    /// Run A's commands and changes of state, oldest first.
    pub markers: Vec<Marker>,
}

impl<'a> Runs<'a> {
    /// The session's runs as the charts show them.
    pub fn of(session: &'a Session) -> Runs<'a> {
        Runs {
            a: session.sim(),
            b: session.compare(),
            labels: session.run_labels(),
            markers: marks::of_history(session.history()),
        }
    }
}

/// What one chart shows.
pub enum Figure {
    /// Bars per server.
    Bars(distribution::Bars),
    /// Lines over simulated time.
    Time(lines::TimeChart),
}

/// How a chart's [`Figure`] is made from the runs.
pub type Build = fn(&Runs) -> Figure;

impl Figure {
    /// Draws the figure on `canvas` in the theme's colours at the canvas's pixel ratio, with the
    /// runs' marks on a time axis; a failure is reported on the console.
    pub fn draw(&self, canvas: &HtmlCanvasElement, markers: &[Marker], colours: &ChartColours) {
        let (caption, result) = match self {
            Figure::Bars(bars) => (&bars.caption, distribution::draw(canvas, bars, colours)),
            Figure::Time(chart) => (&chart.caption, lines::draw(canvas, colours, chart, markers)),
        };
        if let Err(e) = result {
            web_sys::console::warn_1(&format!("chart {caption:?}: {e}").into());
        }
    }

    /// The figure's numbers as a table.
    pub fn table(&self) -> Table {
        match self {
            Figure::Bars(bars) => table::of_bars(bars),
            Figure::Time(chart) => table::of_lines(chart),
        }
    }
}
