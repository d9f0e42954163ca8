//! LB Playground: load balancing, health checking and circuit breaking, simulated and made visible.
//!
//! [`sim`] is the deterministic core: virtual time, a seeded portable RNG, no browser and no wall
//! clock, so every number the page shows can be reproduced natively and in tests. [`session`] is
//! what the page's buttons, controls and keys do, as a reducer of [`session::Action`]s, also native
//! and tested without a browser; it turns wall time into simulation time ([`playback`]) and the
//! user's actions into [`sim::Command`]s. [`sweep`] runs a scenario over a grid of field values,
//! with replications and confidence intervals (`lbsim sweep`; its thread pool is native only).
//! `ui` (wasm32 only) is a thin Yew front end that renders the session, sends it actions, and
//! carries out the effects only a browser can.

pub mod config;
pub mod exercise;
pub mod lesson;
pub mod playback;
pub mod session;
pub mod sim;
pub mod sweep;

#[cfg(target_arch = "wasm32")]
pub mod ui;
