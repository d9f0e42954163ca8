//! Time travel: the checkpoints of one run, from which any moment of it so far is shown again.
//!
//! A [`Tape`] copies the run every [`CHECKPOINT_EVENTS`] handled events. Going back to a time
//! copies the last checkpoint before it and runs it on to that time, giving the user's commands
//! again where they were given ([`Simulation::replayed_to`]): the run shown is the very run that
//! was, and played on it goes on as it went, until the user changes something. Then the history
//! forks: [`Tape::fork`] forgets the checkpoints of the future that no longer is.
//!
//! Checkpoints are spaced by work, not time, so a jump costs at most one interval's replay
//! whatever the load. Past [`MAX_CHECKPOINTS`], every other one is dropped and the spacing
//! doubles, so a long run keeps a bounded number of copies.

use std::rc::Rc;

use super::engine::Simulation;
use super::time::SimTime;

/// Events handled between checkpoints, at first: a replay of at most this many is a few
/// milliseconds natively, tens in the browser.
pub const CHECKPOINT_EVENTS: u64 = 200_000;
/// The most checkpoints a tape keeps.
pub const MAX_CHECKPOINTS: usize = 48;

/// The checkpoints of a run's history, and how far that history reaches.
#[derive(Clone)]
pub struct Tape {
    /// Copies of the run, oldest first; the first is at time zero. Shared: a forked history
    /// kept for comparison shares its past with the one going on.
    checkpoints: Vec<Rc<Simulation>>,
    /// Events between checkpoints now.
    every: u64,
    /// The latest time the history reached.
    reach: SimTime,
}

impl Tape {
    /// The tape of `sim`, which has just started (or is where its history begins).
    pub fn new(sim: &Simulation) -> Tape {
        Tape::spaced(sim, CHECKPOINT_EVENTS)
    }

    /// The tape of `sim` with a checkpoint every `every` events (at least one) at first.
    pub fn spaced(sim: &Simulation, every: u64) -> Tape {
        Tape {
            checkpoints: vec![Rc::new(sim.checkpoint())],
            every: every.max(1),
            reach: sim.now(),
        }
    }

    /// The latest time the history reached: a jump goes anywhere from zero to here.
    pub fn reach(&self) -> SimTime {
        self.reach
    }

    /// How many checkpoints it keeps.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Takes note of `sim`, the run this tape records, after it moved: how far it reached, and
    /// a checkpoint when enough events passed since the last one.
    pub fn keep(&mut self, sim: &Simulation) {
        self.reach = self.reach.max(sim.now());
        let last = self.checkpoints.last().map_or(0, |c| c.events_processed());
        if sim.events_processed() < last + self.every {
            return;
        }
        self.checkpoints.push(Rc::new(sim.checkpoint()));
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep the first and every second one after it: the spacing doubles.
            let mut index = 0;
            self.checkpoints.retain(|_| {
                index += 1;
                index % 2 == 1
            });
            self.every *= 2;
        }
    }

    /// The run at time `t` (within zero and [`Tape::reach`]) of the history `head` is on (the
    /// run this tape records, wherever it is in that history).
    pub fn seek(&self, head: &Simulation, t: SimTime) -> Simulation {
        let t = t.min(self.reach);
        let from = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.now() <= t)
            .unwrap_or(&self.checkpoints[0]);
        from.replayed_to(head, t)
    }

    /// The history forks at `sim` (changed in the past): the checkpoints after it and the reach
    /// beyond it belonged to the history that no longer goes on.
    pub fn fork(&mut self, sim: &Simulation) {
        let events = sim.events_processed();
        self.checkpoints.retain(|c| c.events_processed() <= events);
        self.reach = sim.now();
    }
}
