//! Undoing a server's removal. Removing a server cannot be reversed by a command (it keeps its
//! number and refuses commands), so for a few seconds after it the page offers "Undo", which
//! takes the run back to the moment just before the removal, with time travel's own rules: the
//! run is replayed from its checkpoints and its history forks there, the removal dropped from
//! it. The offer lasts [`UNDO_MS`] of wall time and at most [`UNDO_WITHIN`] of simulated time
//! (so an undo never takes a fast run far back), and only while the removal is the run's latest
//! command.

use super::state::Session;
use crate::sim::{Command, SimDuration, SimTime, TimedCommand};

/// How long the offer to undo a removal stays, in wall milliseconds.
pub const UNDO_MS: f64 = 8_000.0;
/// The most simulated time an undo takes the run back.
pub const UNDO_WITHIN: SimDuration = SimDuration::from_secs(30);

/// The offer to undo a server's removal.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UndoOffer {
    /// The removal, while it may be undone.
    removal: Option<TimedCommand>,
    /// The wall time of the first frame after it (the offer's clock starts there).
    since_ms: Option<f64>,
}

impl UndoOffer {
    /// Offers to undo `removal`.
    pub(super) fn offer(&mut self, removal: TimedCommand) {
        *self = UndoOffer {
            removal: Some(removal),
            since_ms: None,
        };
    }

    /// An animation frame at `wall_ms`: the offer ends [`UNDO_MS`] after it began.
    pub(super) fn tick(&mut self, wall_ms: f64) {
        if self.removal.is_some() {
            let since = *self.since_ms.get_or_insert(wall_ms);
            if wall_ms - since > UNDO_MS {
                *self = UndoOffer::default();
            }
        }
    }
}

impl Session {
    /// The removal that may be undone now, if any: the run's latest command, given at most
    /// [`UNDO_WITHIN`] ago, offered less than [`UNDO_MS`] ago, and not during a lesson.
    fn undoable(&self) -> Option<TimedCommand> {
        let removal = self.undo.removal?;
        let now = self.sim.now();
        let latest = self.sim.recording().last() == Some(&removal);
        (latest && self.lesson.is_none() && removal.at <= now && now - removal.at <= UNDO_WITHIN)
            .then_some(removal)
    }

    /// What the offer to undo says, while there is one: `server-3 removed at 42.0 s.`
    pub fn undo_offer(&self) -> Option<String> {
        let removal = self.undoable()?;
        let Command::RemoveServer { server } = removal.command else {
            return None;
        };
        let name = self.sim.servers().get(server)?.spec().name.as_str();
        Some(format!(
            "{name} removed at {:.1} s.",
            removal.at.as_secs_f64()
        ))
    }

    /// Notes a command just given: a removal may be undone for a while.
    pub(super) fn note_for_undo(&mut self, command: Command) {
        if matches!(command, Command::RemoveServer { .. }) {
            self.undo.offer(TimedCommand {
                at: self.sim.now(),
                command,
            });
        }
    }

    /// Takes the run back to just before the removal on offer, forking its history there, and
    /// plays on if it was playing.
    pub(super) fn undo_removal(&mut self) -> Result<(), String> {
        let removal = self
            .undoable()
            .ok_or("There is no removal to undo any more: Undo lasts a few seconds.")?;
        let playing = self.clock.is_playing();
        self.seek(SimTime(removal.at.0.saturating_sub(1)))?;
        // A fork without a command: the removal and the history after it are dropped.
        self.fork_here(None);
        self.clock.set_playing(playing);
        self.undo = UndoOffer::default();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Action, Display};
    use crate::sim::report::Report;
    use crate::sim::{Scenario, Simulation};

    /// A paused classroom session at 5 s.
    fn at_five_seconds() -> Session {
        let mut s = Session::new(Scenario::classroom(), Display::default()).unwrap();
        s.dispatch(Action::TogglePlay);
        for _ in 0..50 {
            s.dispatch(Action::Step);
        }
        s
    }

    /// Everything the run measured, and where it is.
    fn fingerprint(sim: &Simulation) -> String {
        format!("{} {}", sim.now().0, Report::of(sim, Vec::new()).to_json())
    }

    const REMOVE: Command = Command::RemoveServer { server: 2 };

    #[test]
    fn undo_takes_the_run_back_to_just_before_the_removal_and_drops_it() {
        let mut s = at_five_seconds();
        let mut twin = at_five_seconds();
        s.dispatch(Action::Apply(REMOVE));
        assert_eq!(
            s.undo_offer().as_deref(),
            Some("server-3 removed at 5.0 s.")
        );
        for _ in 0..20 {
            s.dispatch(Action::Step);
        }
        assert!(s.sim().backends()[2].removed());
        assert_eq!(s.dispatch(Action::UndoRemove), []);
        assert_eq!(s.error(), None);
        assert!(!s.sim().backends()[2].removed(), "server-3 is back");
        assert!(s.sim().recording().is_empty(), "the removal is dropped");
        assert!(!s.clock().is_playing(), "paused before, paused after");
        assert_eq!(s.undo_offer(), None, "one undo per removal");
        // The run is the one that never removed it: played on, the same numbers.
        twin.dispatch(Action::Seek(s.sim().now()));
        assert_eq!(fingerprint(s.sim()), fingerprint(twin.sim()));
        for _ in 0..30 {
            s.dispatch(Action::Step);
            twin.dispatch(Action::Step);
        }
        assert_eq!(fingerprint(s.sim()), fingerprint(twin.sim()));
    }

    #[test]
    fn the_offer_ends_after_a_few_seconds_another_command_or_a_long_way_on() {
        let mut s = at_five_seconds();
        s.dispatch(Action::Apply(REMOVE));
        s.frame(1_000.0);
        s.frame(1_000.0 + UNDO_MS / 2.0);
        assert!(s.undo_offer().is_some(), "still on offer");
        s.frame(1_001.0 + UNDO_MS);
        assert_eq!(s.undo_offer(), None, "its time is up");
        s.dispatch(Action::UndoRemove);
        assert_eq!(
            s.error(),
            Some("There is no removal to undo any more: Undo lasts a few seconds.")
        );
        assert!(s.sim().backends()[2].removed());

        let mut s = at_five_seconds();
        s.dispatch(Action::Apply(REMOVE));
        s.dispatch(Action::Apply(Command::Kill { server: 0 }));
        assert_eq!(s.undo_offer(), None, "a later command would be lost");

        let mut s = at_five_seconds();
        s.dispatch(Action::Apply(REMOVE));
        for _ in 0..4 {
            s.dispatch(Action::Skip);
        }
        assert!(s.sim().now() - SimTime(5_000_000) > UNDO_WITHIN);
        assert_eq!(s.undo_offer(), None, "too far back to go");
    }
}
