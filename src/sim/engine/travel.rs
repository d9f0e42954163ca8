//! Moving through a run's time other than by the clock: to the next change of state, and back,
//! by copying the run at a checkpoint and carrying it forward again along the history it came
//! from.
//!
//! A run is deterministic given its scenario and the user's commands, so a moment of it can be
//! shown again by copying an earlier checkpoint and running it on, giving each command again
//! exactly where the history gave it. "Where" is not only a time: a frame cut short by its budget
//! can leave events of one instant on either side of a command, so each command is marked with
//! the number of events handled before it, which pins its place in the run exactly.

use super::*;
use crate::sim::events::LogKind;

/// Where [`Simulation::advance_to_change`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// At the event that changed something (an event other than a retry was emitted).
    Changed,
    /// At the time limit: nothing changed before it.
    Limit,
    /// Where the event budget ran out, before the limit, with nothing changed.
    Budget,
}

/// A user's command and the point of the run it came at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Given {
    /// Events handled before it.
    pub(super) events: u64,
    /// The command and the simulated time it was given at.
    pub(super) timed: TimedCommand,
}

impl Simulation {
    /// A copy of this run to come back to: the run as it is now, with no outputs waiting to be
    /// taken (those belong to whoever took the copy).
    pub fn checkpoint(&self) -> Simulation {
        let mut copy = self.clone();
        copy.outbox.clear();
        if let Some(finished) = copy.finished.as_mut() {
            finished.clear();
        }
        copy
    }

    /// This checkpoint carried to `t` along the history `head` is on (the run the checkpoint was
    /// taken from, at any later or earlier point of the same history): every command of that
    /// history given after the checkpoint is given again at its point, and the copy goes on
    /// giving the ones after `t` as it reaches them, until [`Simulation::forget_future`]. The
    /// outputs of the way there are dropped: whoever shows the run already has them.
    pub fn replayed_to(&self, head: &Simulation, t: SimTime) -> Simulation {
        let mut copy = self.checkpoint();
        let script = head.given.iter().chain(&head.replay);
        copy.replay = script.skip(self.given.len()).copied().collect();
        copy.mark_replay();
        copy.advance_to(t);
        copy.outbox.clear();
        if let Some(finished) = copy.finished.as_mut() {
            finished.clear();
        }
        copy
    }

    /// Runs on to the next change of state: handles events until one of them (or a command
    /// given again) emits an event other than a retry, within `limit` and at most `budget`
    /// events. The clock stays at the change's time.
    pub fn advance_to_change(&mut self, limit: SimTime, budget: u64) -> Stop {
        if limit < self.now {
            return Stop::Limit;
        }
        let mut checked = self.outbox.len();
        for _ in 0..budget {
            if self.replay_due(limit) {
                self.give_again();
            } else if self.handle_events(limit, 1) == 0 {
                self.close_windows_until(limit);
                self.now = limit;
                return Stop::Limit;
            }
            while let Some(logged) = self.outbox.get(checked) {
                if logged.event.kind() != LogKind::Retry {
                    return Stop::Changed;
                }
                checked += 1;
            }
        }
        Stop::Budget
    }

    /// Forgets the commands of the history being retraced that are still to come: the run is
    /// changed from here, and its future is its own.
    pub fn forget_future(&mut self) {
        self.replay.clear();
        self.mark_replay();
    }

    /// Whether the run retraces a history that gave more commands later on.
    pub fn retracing(&self) -> bool {
        !self.replay.is_empty()
    }

    /// Whether the next command to give again is due now, before the next event: as many events
    /// handled as when it was first given, and its time is within `t`. (Its events count is
    /// never behind the run's: the event loop stops at it.)
    #[inline]
    pub(super) fn replay_due(&self, t: SimTime) -> bool {
        self.replay_mark == self.events_processed
            && self.replay.front().is_some_and(|g| g.timed.at <= t)
    }

    /// Notes the events count of the next command to give again.
    fn mark_replay(&mut self) {
        self.replay_mark = self.replay.front().map_or(u64::MAX, |g| g.events);
    }

    /// Gives the next command of the history being retraced again, at its time.
    pub(super) fn give_again(&mut self) {
        let Some(given) = self.replay.pop_front() else {
            return;
        };
        self.mark_replay();
        self.close_windows_until(given.timed.at);
        self.now = given.timed.at;
        // The same command at the same point of the same run: accepted as it was the first time.
        let accepted = self.apply(given.timed.command);
        debug_assert!(accepted.is_ok(), "a retraced command was refused");
    }
}
