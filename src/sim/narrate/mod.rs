//! Words at the edge: the one place that turns the core's [`Event`] values into sentences for
//! people. Each event gets a line of what happened ([`text`]) and a paragraph of why
//! ([`cause`]): the mechanism, its settings at that moment, and the numbers that decided. The
//! timeline, the report and lesson captions all read their words from here, so they agree.
//! A server's state at an instant has its line too ([`server_line`]), for where its box does
//! not fit, and the flow canvas its sentences ([`flow_summary`]), for whoever cannot see it.
//!
//! Server names come from the run's servers (`Simulation::servers`), looked up by the index the
//! event carries; a server keeps its index and name for the whole run.

mod commands;
mod decision;
mod front;
mod machines;
mod picture;
mod runs;
mod scaling;
mod server;
mod story;

pub use commands::pace;
pub use decision::{quantity, value};
pub use picture::flow_summary;
pub use runs::algorithms;
pub use server::{process_word, server_line};
pub use story::{phase_text, story_text};

use super::events::{Event, Logged};
use super::server::Server;

/// What happened, in one line (e.g. `server-3 DOWN after 3 failed checks (timeout, timeout 1 s)
/// (health 0/4)`).
pub fn text(logged: &Logged, servers: &[Server]) -> String {
    let name = |server: u32| name(servers, server as usize);
    match &logged.event {
        Event::Command(c) => commands::text(c, servers),
        Event::Health(e) => machines::health_text(e, name(e.server)),
        Event::Passive(e) => machines::passive_text(e, name(e.server)),
        Event::Breaker(e) => machines::breaker_text(e, name(e.server)),
        Event::Retry(e) => machines::retry_text(e, name(e.server)),
        Event::Remap(e) => machines::remap_text(e),
        Event::Skipped(e) => commands::skipped_text(e),
        Event::Scale(e) => scaling::scale_text(e, servers),
        Event::Ready(e) => scaling::ready_text(e, name(e.server), logged.at),
        Event::Vrrp(e) => front::vrrp_text(e),
    }
}

/// Why it happened: the mechanism and its settings at that moment, or who gave the command.
pub fn cause(logged: &Logged, servers: &[Server]) -> String {
    match &logged.event {
        Event::Command(c) => commands::cause(c, logged.at),
        Event::Health(e) => machines::health_cause(e),
        Event::Passive(e) => machines::passive_cause(e),
        Event::Breaker(e) => machines::breaker_cause(e),
        Event::Retry(e) => machines::retry_cause(&e.cause),
        Event::Remap(e) => machines::remap_cause(e, servers),
        Event::Skipped(e) => commands::skipped_cause(e),
        Event::Scale(e) => scaling::scale_cause(e),
        Event::Ready(e) => scaling::ready_cause(e),
        Event::Vrrp(e) => front::vrrp_cause(e),
    }
}

/// The name of server `index` (`a server` for one the list does not have).
fn name(servers: &[Server], index: usize) -> &str {
    servers
        .get(index)
        .map_or("a server", |s| s.spec().name.as_str())
}

/// `""` for one, `"s"` for more (or none).
pub fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests;
