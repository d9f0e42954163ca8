//! Time travel in the session: the scrubber's jump to any moment of the run so far, the step to
//! the next change of state, and the fork a change in the past makes.
//!
//! Each run (A, and compare mode's B) has a [`Tape`] of checkpoints. A jump pauses the run and
//! shows it as it was at that time; played on, it retraces its history, commands and all. A
//! command given in the past forks the history: the run's future is its own from there. When
//! not comparing, the session keeps the old history for a moment and offers it as run B, so the
//! class can watch both futures side by side.

use super::errors;
use super::state::Session;
use crate::sim::tape::Tape;
use crate::sim::{SimDuration, SimTime, Simulation, Stop};

/// How far ahead "next change" looks.
pub const NEXT_CHANGE_WITHIN: SimDuration = SimDuration::from_secs(600);
/// The most events "next change" handles at once (a fraction of a second in the browser).
const NEXT_CHANGE_EVENTS: u64 = 1_000_000;

/// A history left behind by a change in the past, offered as compare mode's run B.
pub struct Fork {
    /// When the histories parted.
    pub(super) at: SimTime,
    /// The old history's run at that moment (retracing its future), and its tape.
    pub(super) run: Simulation,
    pub(super) tape: Tape,
}

impl Session {
    /// The latest time the run's history reached: the scrubber goes from zero to here.
    pub fn reach(&self) -> SimTime {
        self.tape.reach()
    }

    /// Whether the run is shown at a moment before the latest it reached (played on, it
    /// retraces its history).
    pub fn in_the_past(&self) -> bool {
        self.sim.now() < self.tape.reach()
    }

    /// When a change in the past forked the history, while the old one is offered as run B.
    pub fn fork_offer(&self) -> Option<SimTime> {
        self.fork.as_ref().map(|f| f.at)
    }

    /// Shows the run (and run B) at time `t` of its history, paused.
    pub(super) fn seek(&mut self, t: SimTime) -> Result<(), String> {
        if self.lesson.is_some() {
            return Err(errors::cannot(
                "go back in time during a lesson",
                "Back goes to the lesson's previous step",
            ));
        }
        self.clock.set_playing(false);
        self.pending = None;
        self.sim = self.tape.seek(&self.sim, t);
        self.history.rewind_to(self.sim.now());
        if let (Some(b), Some(tape)) = (self.compare.as_mut(), self.compare_tape.as_ref()) {
            *b = tape.seek(b, t);
        }
        self.announcer.forget();
        self.gates.forget();
        Ok(())
    }

    /// Runs on to the next change of state (a health check's verdict, a breaker, a command...),
    /// paused there; says so when there is none within [`NEXT_CHANGE_WITHIN`].
    pub(super) fn next_change(&mut self) -> Result<(), String> {
        self.clock.set_playing(false);
        self.pending = None;
        let limit = self.sim.now() + NEXT_CHANGE_WITHIN;
        let stop = self.sim.advance_to_change(limit, NEXT_CHANGE_EVENTS);
        self.absorb();
        self.keep_tapes();
        if let Some(b) = self.compare.as_mut() {
            // Run B catches up over the next frames if this is more than a frame's work.
            b.advance_within(self.sim.now(), NEXT_CHANGE_EVENTS);
            b.drain_events().for_each(drop);
        }
        match stop {
            Stop::Changed => Ok(()),
            Stop::Limit => Err(format!(
                "Nothing changed state in the {} minutes after that: the run went on to the end of them.",
                NEXT_CHANGE_WITHIN.0 / 60_000_000
            )),
            Stop::Budget => Err(
                "Nothing changed state in the next million events: press again to look further."
                    .to_owned(),
            ),
        }
    }

    /// Notes how far the runs got and keeps their checkpoints (after they moved).
    pub(super) fn keep_tapes(&mut self) {
        self.tape.keep(&self.sim);
        if let (Some(b), Some(tape)) = (self.compare.as_ref(), self.compare_tape.as_mut()) {
            tape.keep(b);
        }
    }

    /// Before a command is given: if the run is in the past, the history the command changes,
    /// to offer as run B afterwards (when not comparing already).
    pub(super) fn history_before_change(&self) -> Option<Fork> {
        (self.in_the_past() && self.compare.is_none()).then(|| Fork {
            at: self.sim.now(),
            run: self.sim.clone(),
            tape: self.tape.clone(),
        })
    }

    /// After a command was given: if the run was in the past, its history forks here (and run
    /// B's with it), and the old one, if kept, is offered.
    pub(super) fn fork_here(&mut self, old: Option<Fork>) {
        if !self.in_the_past() && !self.sim.retracing() {
            return;
        }
        self.sim.forget_future();
        self.tape.fork(&self.sim);
        if let (Some(b), Some(tape)) = (self.compare.as_mut(), self.compare_tape.as_mut()) {
            b.forget_future();
            tape.fork(b);
        }
        if old.is_some() {
            self.fork = old;
        }
    }

    /// Takes (`keep`) or lets go the history a change in the past left behind: taken, it becomes
    /// run B of compare mode, going on as it went.
    pub(super) fn answer_fork(&mut self, keep: bool) {
        let Some(Fork { mut run, tape, .. }) = self.fork.take() else {
            return;
        };
        if keep && self.compare.is_none() {
            run.keep_finished(false);
            run.drain_events().for_each(drop);
            self.compare = Some(run);
            self.compare_tape = Some(tape);
        }
    }
}
