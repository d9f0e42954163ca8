//! The browser UI: Yew components, the animation loop and canvas drawing. No simulation or session
//! rules live here: the components render the [`crate::session::Session`] and send it
//! [`crate::session::Action`]s, and the adapter performs the effects only a browser can.
//!
//! Rates are decoupled: the simulation advances and the flow canvas redraws every animation frame,
//! the charts redraw a few times a second (one per frame, when their data changed), and the DOM panels
//! re-render twice a second.

mod adapter;
mod algorithm_picker;
mod animation;
mod answer_table;
mod app;
mod balancer_options;
mod cell_tip;
mod chart_figures;
mod charts;
mod choice;
mod class_link;
mod client_controls;
mod compare_controls;
mod display;
mod display_controls;
mod event_log;
mod exercise_panel;
mod files;
mod flow;
mod front_table;
mod keyboard;
mod later;
mod lesson_panel;
mod playback_bar;
mod quick_bar;
mod request_inspector;
mod resilience_controls;
mod scaling_controls;
mod scenario_panel;
mod server_card;
mod shortcuts_help;
mod time_travel;
mod totals_bar;
mod traffic_controls;
mod whatif_panel;
mod whatif_worker;

pub use app::App;
pub use files::keep_offline;
