//! The session: what a button, a control, a keyboard shortcut or compare mode does, as a native
//! reducer. The page's state lives in a [`Session`]; every change the user asks for is an
//! [`Action`], carried out by [`Session::dispatch`], which returns the [`Effect`]s only a browser
//! can perform (show and store the look, offer a download, put a link in the address bar). The
//! Yew components render the session and send actions; nothing else. Everything here compiles and
//! is tested natively, without a browser.
//!
//! ```text
//!  click / key ─► Action ─► Session::dispatch ─► Command ─► Simulation (and compare mode's run B)
//!                                  │
//!                                  └─► Vec<Effect> ─► the browser adapter (src/ui)
//! ```
//!
//! Errors a user sees are sentences ([`errors`]) with servers named and numbered from 1, never
//! `Debug` output.

mod action;
mod announcer;
mod config_choice;
mod display;
pub mod errors;
mod exercise;
pub mod flow_layout;
mod focus;
mod gates;
mod glyphs;
mod inspector;
mod kit;
mod layout;
mod lesson;
mod paging;
mod palette;
mod progress;
mod shortcut;
mod state;
mod travel;
mod undo;
mod weight_scale;

pub use action::{Action, Download, Effect, ServerAction};
pub use announcer::ANNOUNCE_EVERY_MS;
pub use config_choice::ConfigChoice;
pub use display::{Display, Theme};
pub use focus::Focus;
pub use gates::{Gate, GateMark, Gates, LINGER_MS};
pub use glyphs::{MAX_PIPS, Pips, request_scale};
pub use kit::{ClassLink, Hidden, Kit};
pub use layout::{Layout, PRESENT_TIMELINE, PresentCharts};
pub use lesson::LessonRun;
pub use paging::{CARDS_PER_PAGE, Page};
pub use palette::{Palette, contrast};
pub use progress::{Progress, Upcoming};
pub use shortcut::{SHORTCUTS, SLOWDOWN_CYCLE, Shortcut, next_slowdown};
pub use state::{NEW_SERVER, REQUEST_LOG_CAPACITY, Session};
pub use travel::NEXT_CHANGE_WITHIN;
pub use weight_scale::{WEIGHT_STEPS, position_of, weight_at};

#[cfg(test)]
mod exercise_tests;
#[cfg(test)]
mod lesson_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod travel_tests;
