//! The browser UI: Yew components, the animation loop and canvas drawing. No simulation rules live
//! here: the UI maps wall time to simulated time ([`crate::playback`]), turns clicks into
//! [`crate::sim::Command`]s, and draws what the simulation reports.
//!
//! Rates are decoupled: the simulation advances and the flow canvas redraws every animation frame,
//! the charts redraw a few times a second (one per frame, when their data changed), and the DOM panels
//! re-render five times a second.

mod algorithm_picker;
mod animation;
mod app;
mod balancer_options;
mod charts;
mod choice;
mod compare_controls;
mod display;
mod display_controls;
mod event_log;
mod files;
mod flow;
mod keyboard;
mod path_table;
mod playback_bar;
mod playground;
mod resilience_controls;
mod scenario_panel;
mod server_card;
mod shortcuts_help;
mod totals_bar;
mod traffic_controls;

pub use app::App;
