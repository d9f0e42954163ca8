//! Parameter sweeps: run a scenario over a grid of values of its fields, many times at each
//! point with independent seeds, and report each point's mean and 95th-percentile latency with
//! 95% confidence intervals, its throughput, and the queueing model's prediction where one fits.
//! `lbsim sweep` is its command line.
//!
//! Everything but the thread pool is plain deterministic code that compiles everywhere, wasm32
//! included: [`field`] names a scenario field by its path and sets it, [`grid`] reads
//! `FIELD=FROM..TO:STEPS` and makes the points, [`point`] runs one replication and sums a
//! point's, [`stats`] has the confidence intervals, [`plan`] ties a sweep together and numbers
//! its runs, [`output`] writes CSV or JSON. [`runner`] (native only) makes the runs on every core;
//! [`whatif`] is the page's sweep of the system as it stands, which a Web Worker runs.
//! A run's numbers depend only on its point and seed, so any runner, in any order, on any number
//! of threads, gives the same output.

pub mod field;
pub mod grid;
pub mod output;
pub mod plan;
pub mod point;
#[cfg(not(target_arch = "wasm32"))]
pub mod runner;
pub mod stats;
pub mod whatif;

pub use plan::{MAX_REPLICATIONS, Plan, SweepError};
