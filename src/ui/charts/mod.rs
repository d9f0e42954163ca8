//! The plotters charts, redrawn a few times a second by the animation loop, not every frame:
//! requests per server against the share the weights imply ([`distribution`]), and over simulated
//! time the latency percentiles with the queueing-theory expectation, throughput and errors, and
//! each server's queue length ([`over_time`], all drawn by one line-chart routine in [`lines`]).
//! In compare mode, the distribution and the latency of two runs share one chart each.
//! [`theme`] gives them the page's colours.

mod distribution;
mod lines;
mod over_time;
mod theme;

pub use distribution::{draw_distribution, draw_distribution_compare};
pub use over_time::{draw_latency, draw_latency_compare, draw_queues, draw_throughput};
