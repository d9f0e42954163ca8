//! The plotters charts, redrawn a few times a second by the animation loop, not every frame:
//! requests per server against the share the weights imply ([`distribution`]), and over simulated
//! time the latency percentiles with the queueing-theory expectation, throughput and errors, and
//! each server's queue length, the servers against the load ([`over_time`], all drawn by one line-chart routine in [`lines`]).
//! In compare mode the distribution and latency charts put both runs on their axes; the others
//! show run A.
//! [`theme`] gives them the page's colours and sizes, [`legend`] their keys, under the plot.

mod distribution;
mod legend;
mod lines;
mod over_time;
mod theme;

pub use distribution::draw_distribution;
pub use over_time::{draw_fleet, draw_latency, draw_queues, draw_throughput};
pub use theme::ChartColours;

use web_sys::HtmlCanvasElement;

use crate::sim::Simulation;

/// How every chart is drawn: on this canvas, from this run, with the comparison run (compare
/// mode) if there is one, in the theme's colours at the canvas's pixel ratio.
pub type Draw = fn(&HtmlCanvasElement, &Simulation, Option<&Simulation>, &ChartColours);
