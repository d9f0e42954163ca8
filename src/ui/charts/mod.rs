//! The plotters charts, redrawn a few times a second by the animation loop, not every frame:
//! requests per server against the share the weights imply ([`distribution`]), and over simulated
//! time the latency percentiles with the queueing-theory expectation, throughput and errors, and
//! each server's queue length ([`over_time`], all drawn by one line-chart routine in [`lines`]).
//! [`theme`] gives them the page's colours.

mod distribution;
mod lines;
mod over_time;
mod theme;

pub use distribution::draw_distribution;
pub use over_time::{draw_latency, draw_queues, draw_throughput};
