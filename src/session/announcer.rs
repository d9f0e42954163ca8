//! What the page's live region says, for people who cannot see the canvas change: the run's state
//! changes (a server marked DOWN, a breaker open, a scripted crash) in the timeline's words.
//! Screen readers read a polite live region when it changes, so it changes at most once every
//! [`ANNOUNCE_EVERY_MS`] of wall time, saying the first few changes since the last time and how
//! many more there were: at 100x a flapping server does not flood the listener.
//!
//! The user's own actions are not announced (the control they used already says what it did),
//! nor are retries (there can be hundreds a second; the totals count them).

use crate::sim::events::{Event, Origin};
use crate::sim::server::Server;
use crate::sim::{Logged, narrate};

/// The least wall time between two announcements, in milliseconds.
pub const ANNOUNCE_EVERY_MS: f64 = 2_000.0;
/// How many changes one announcement words; the rest are counted.
const WORDED: usize = 3;

/// The live region's words and the changes waiting to be said.
#[derive(Clone, Debug)]
pub struct Announcer {
    waiting: Vec<String>,
    /// Changes heard beyond the [`WORDED`] waiting.
    more: usize,
    said: String,
    said_at: f64,
}

impl Default for Announcer {
    fn default() -> Announcer {
        Announcer {
            waiting: Vec::new(),
            more: 0,
            said: String::new(),
            said_at: f64::NEG_INFINITY,
        }
    }
}

impl Announcer {
    /// Hears a new event of the run; keeps its words if it is a change to announce.
    pub fn hear(&mut self, logged: &Logged, servers: &[Server]) {
        let announced = match &logged.event {
            Event::Command(c) => c.origin != Origin::User,
            Event::Retry(_) => false,
            _ => true,
        };
        if !announced {
            return;
        }
        if self.waiting.len() < WORDED {
            self.waiting.push(narrate::text(logged, servers));
        } else {
            self.more += 1;
        }
    }

    /// Forgets what is waiting: the run it was about has been replaced.
    pub fn forget(&mut self) {
        self.waiting.clear();
        self.more = 0;
    }

    /// At wall time `wall_ms`: says what is waiting, if the last announcement is old enough.
    pub fn tick(&mut self, wall_ms: f64) {
        if self.waiting.is_empty() || wall_ms - self.said_at < ANNOUNCE_EVERY_MS {
            return;
        }
        let mut said = self.waiting.join(". ");
        if self.more > 0 {
            said += &format!(". And {} more on the timeline", self.more);
        }
        said.push('.');
        self.said = said;
        self.said_at = wall_ms;
        self.forget();
    }

    /// What the live region says now.
    pub fn said(&self) -> &str {
        &self.said
    }
}
