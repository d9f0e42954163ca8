//! LB Playground: load balancing, health checking and circuit breaking, simulated and made visible.
//!
//! [`sim`] is the deterministic core: virtual time, a seeded portable RNG, no browser and no wall
//! clock, so every number the page shows can be reproduced natively and in tests. `ui` (wasm32 only)
//! is a thin Yew front end that turns wall time into simulation time ([`playback`]), applies the user's actions as
//! [`sim::Command`]s and draws what the core reports.

pub mod playback;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;
