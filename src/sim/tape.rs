//! Time travel: the checkpoints of one run, from which any moment of it so far is shown again.
//!
//! A [`Tape`] copies the run every [`CHECKPOINT_EVENTS`] handled events. Going back to a time
//! copies the last checkpoint before it and runs it on to that time, giving the user's commands
//! again where they were given ([`Simulation::replayed_to`]): the run shown is the very run that
//! was, and played on it goes on as it went, until the user changes something. Then the history
//! forks: [`Tape::fork`] forgets the checkpoints of the future that no longer is.
//!
//! Checkpoints are spaced by work, not time, so a jump costs at most one interval's replay
//! whatever the load. Past [`MAX_CHECKPOINTS`], or past [`BUDGET_BYTES`] of copies, every other
//! one is dropped and the spacing doubles, so a long run keeps a bounded number of copies and a
//! bounded amount of memory: a copy of an overloaded run holding a million requests is some
//! 160 MB, of a thousand servers 10 MB (their histograms). A copy larger than the whole budget
//! is not taken; jumps then replay from further back.

use std::rc::Rc;

use super::engine::Simulation;
use super::time::SimTime;

/// Events handled between checkpoints, at first: a replay of at most this many is a few
/// milliseconds natively, tens in the browser.
pub const CHECKPOINT_EVENTS: u64 = 200_000;
/// The most checkpoints a tape keeps.
pub const MAX_CHECKPOINTS: usize = 48;
/// The most memory a tape's checkpoints may hold, by [`footprint`]'s estimate.
pub const BUDGET_BYTES: usize = 128 << 20;

/// About how many bytes a copy of `sim` holds, from what dominates it (measured natively with
/// copies of the classroom scenario at 10 to 1,000 servers and 10 to 2,000 requests a second):
/// a fixed part, each server's histograms and histories, each live request, each scheduled event.
pub fn footprint(sim: &Simulation) -> usize {
    const FIXED: usize = 320 << 10;
    const PER_SERVER: usize = 10 << 10;
    const PER_REQUEST: usize = 160;
    const PER_EVENT: usize = 48;
    FIXED
        + PER_SERVER * sim.servers().len()
        + PER_REQUEST * sim.requests().count()
        + PER_EVENT * sim.events_scheduled()
}

/// A copy of the run, and its [`footprint`]. Shared: a forked history kept for comparison
/// shares its past with the one going on.
#[derive(Clone)]
struct Checkpoint {
    run: Rc<Simulation>,
    bytes: usize,
}

impl Checkpoint {
    fn of(sim: &Simulation) -> Checkpoint {
        Checkpoint {
            run: Rc::new(sim.checkpoint()),
            bytes: footprint(sim),
        }
    }
}

/// The checkpoints of a run's history, and how far that history reaches.
#[derive(Clone)]
pub struct Tape {
    /// Copies of the run, oldest first; the first is where the history begins.
    checkpoints: Vec<Checkpoint>,
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
            checkpoints: vec![Checkpoint::of(sim)],
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

    /// The memory its checkpoints hold, by [`footprint`]'s estimate.
    pub fn bytes(&self) -> usize {
        self.checkpoints.iter().map(|c| c.bytes).sum()
    }

    /// Takes note of `sim`, the run this tape records, after it moved: how far it reached, and
    /// a checkpoint when enough events passed since the last one (thinning the older ones to
    /// stay within [`MAX_CHECKPOINTS`] and [`BUDGET_BYTES`]).
    pub fn keep(&mut self, sim: &Simulation) {
        self.reach = self.reach.max(sim.now());
        let last = self
            .checkpoints
            .last()
            .map_or(0, |c| c.run.events_processed());
        if sim.events_processed() < last + self.every {
            return;
        }
        let size = footprint(sim);
        while self.checkpoints.len() >= MAX_CHECKPOINTS
            || (self.checkpoints.len() > 1 && self.bytes() + size > BUDGET_BYTES)
        {
            self.thin();
        }
        if self.bytes() + size > BUDGET_BYTES {
            // Too large to keep even alone: jumps replay from an older checkpoint, and the
            // next attempt waits twice as long.
            self.every *= 2;
            return;
        }
        self.checkpoints.push(Checkpoint {
            run: Rc::new(sim.checkpoint()),
            bytes: size,
        });
    }

    /// Keeps the first checkpoint and every second one after it; the spacing doubles.
    fn thin(&mut self) {
        let mut index = 0;
        self.checkpoints.retain(|_| {
            index += 1;
            index % 2 == 1
        });
        self.every *= 2;
    }

    /// The run at time `t` (within zero and [`Tape::reach`]) of the history `head` is on (the
    /// run this tape records, wherever it is in that history).
    pub fn seek(&self, head: &Simulation, t: SimTime) -> Simulation {
        let t = t.min(self.reach);
        let from = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.run.now() <= t)
            .unwrap_or(&self.checkpoints[0]);
        from.run.replayed_to(head, t)
    }

    /// The history forks at `sim` (changed in the past): the checkpoints after it and the reach
    /// beyond it belonged to the history that no longer goes on.
    pub fn fork(&mut self, sim: &Simulation) {
        let events = sim.events_processed();
        self.checkpoints
            .retain(|c| c.run.events_processed() <= events);
        self.reach = sim.now();
    }
}
