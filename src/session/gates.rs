//! A circuit breaker as the flow canvas draws it: a gate on its server's link, and a mark that
//! lingers after the breaker changes so a class can see a state that did not last.
//!
//! The gate is a barrier across the link, the way a level crossing shows it: up while the breaker
//! is CLOSED (calls pass), half down while it is HALF_OPEN (a few trial calls pass), down while it
//! is OPEN (calls are refused). The names run the wrong way for a newcomer (an *open* breaker
//! *closes* the way), which is why the picture is a barrier rather than a switch.
//!
//! A HALF_OPEN state can last well under a second of simulated time, a few frames at 10x. The
//! gate always shows the breaker's true state; what stays longer is the mark: every transition the
//! run reports is remembered with the wall time it was seen, and for [`LINGER_MS`] of wall time
//! the gate is ringed in the new state's colour with what just happened ("trial failed"). The
//! mark fades over that time and is replaced by the next transition of the same breaker.

use crate::sim::Logged;
use crate::sim::breaker::{BreakerState, BreakerTransition};
use crate::sim::events::Event;

/// How long a breaker's latest change stays marked on its gate, in wall milliseconds: long enough
/// to read three words from the back of a room, short enough not to outlive the next change at 1x.
pub const LINGER_MS: f64 = 3_000.0;

/// How a breaker's gate stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Up: the breaker is CLOSED and calls pass.
    Up,
    /// Half down: the breaker is HALF_OPEN and lets trial calls through.
    Ajar,
    /// Down across the link: the breaker is OPEN and refuses calls.
    Down,
}

impl Gate {
    /// The gate of a breaker in `state`.
    pub fn of(state: BreakerState) -> Gate {
        match state {
            BreakerState::Closed => Gate::Up,
            BreakerState::HalfOpen => Gate::Ajar,
            BreakerState::Open => Gate::Down,
        }
    }

    /// How far the barrier is lowered across the link, from 0 (up, along the link) to 1 (down,
    /// square across it).
    pub fn lowered(self) -> f64 {
        match self {
            Gate::Up => 0.0,
            Gate::Ajar => 0.5,
            Gate::Down => 1.0,
        }
    }
}

/// A breaker's latest change, as its gate marks it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GateMark {
    /// The states before and after.
    pub from: BreakerState,
    /// The state it went to.
    pub to: BreakerState,
    /// How strongly it is drawn: 1 when just seen, falling to 0 at [`LINGER_MS`].
    pub strength: f64,
}

impl GateMark {
    /// What happened, in a few words a class can read at a glance.
    pub fn words(&self) -> &'static str {
        use BreakerState::{Closed, HalfOpen, Open};
        match (self.from, self.to) {
            (HalfOpen, Open) => "trial failed: open",
            (HalfOpen, Closed) => "trial passed",
            (_, HalfOpen) => "half-open: trial",
            (_, Open) => "tripped: open",
            (_, Closed) => "closed",
        }
    }
}

/// One breaker's latest change and when it was seen.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Seen {
    server: usize,
    transition: BreakerTransition,
    /// The wall time it was seen at; `None` until the next [`Gates::tick`] stamps it.
    at: Option<f64>,
}

/// The latest change of every breaker, for the marks on their gates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gates {
    seen: Vec<Seen>,
}

impl Gates {
    /// Hears an event of the run: a breaker's change replaces that breaker's last one.
    pub fn hear(&mut self, logged: &Logged) {
        let Event::Breaker(e) = &logged.event else {
            return;
        };
        let server = e.server as usize;
        self.seen.retain(|s| s.server != server);
        self.seen.push(Seen {
            server,
            transition: e.transition,
            at: None,
        });
    }

    /// At wall time `wall_ms`: stamps the changes heard since the last tick, and forgets the ones
    /// whose mark has faded.
    pub fn tick(&mut self, wall_ms: f64) {
        for s in &mut self.seen {
            s.at.get_or_insert(wall_ms);
        }
        self.seen
            .retain(|s| s.at.is_some_and(|at| wall_ms - at < LINGER_MS));
    }

    /// Forgets every mark: the run they were about has been replaced or moved in time.
    pub fn forget(&mut self) {
        self.seen.clear();
    }

    /// The mark on server `server`'s gate at wall time `wall_ms`, if its breaker changed lately.
    pub fn mark(&self, server: usize, wall_ms: f64) -> Option<GateMark> {
        let s = self.seen.iter().find(|s| s.server == server)?;
        let age = s.at.map_or(0.0, |at| (wall_ms - at).max(0.0));
        (age < LINGER_MS).then(|| GateMark {
            from: s.transition.from,
            to: s.transition.to,
            strength: 1.0 - age / LINGER_MS,
        })
    }

    /// Whether some mark is still showing at `wall_ms` (and so fading: the canvas must redraw
    /// even while the run is paused).
    pub fn showing(&self, wall_ms: f64) -> bool {
        (0..self.seen.len()).any(|i| self.mark(self.seen[i].server, wall_ms).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimTime;
    use crate::sim::breaker::{BreakerConfig, BreakerRule};
    use crate::sim::events::BreakerEvent;

    fn change(server: u32, from: BreakerState, to: BreakerState) -> Logged {
        Logged {
            at: SimTime(0),
            event: Event::Breaker(BreakerEvent {
                server,
                transition: BreakerTransition {
                    from,
                    to,
                    rule: BreakerRule::Trial { ok: false },
                },
                config: BreakerConfig::Off,
                open_until: SimTime(0),
            }),
        }
    }

    #[test]
    fn the_gate_is_a_barrier_down_when_the_breaker_is_open() {
        assert_eq!(Gate::of(BreakerState::Closed), Gate::Up);
        assert_eq!(Gate::of(BreakerState::HalfOpen), Gate::Ajar);
        assert_eq!(Gate::of(BreakerState::Open), Gate::Down);
        let lowered = [Gate::Up, Gate::Ajar, Gate::Down].map(Gate::lowered);
        assert_eq!(lowered, [0.0, 0.5, 1.0]);
    }

    #[test]
    fn a_half_open_trial_of_a_few_frames_stays_marked_for_three_wall_seconds() {
        use BreakerState::{HalfOpen, Open};
        let mut gates = Gates::default();
        // Both changes come in one frame at 10x: the trial lasted 0.7 simulated seconds.
        gates.hear(&change(2, Open, HalfOpen));
        gates.hear(&change(2, HalfOpen, Open));
        gates.tick(1_000.0);
        let mark = gates.mark(2, 1_000.0).expect("marked at once");
        assert_eq!((mark.from, mark.to, mark.strength), (HalfOpen, Open, 1.0));
        assert_eq!(mark.words(), "trial failed: open");
        let half = gates.mark(2, 2_500.0).unwrap();
        assert!((half.strength - 0.5).abs() < 1e-9, "{half:?}");
        assert!(gates.showing(3_999.0));
        assert_eq!(gates.mark(2, 4_000.0), None, "gone after LINGER_MS");
        assert_eq!(gates.mark(1, 1_000.0), None, "other breakers unmarked");
        gates.tick(4_000.0);
        assert!(!gates.showing(4_000.0) && gates.seen.is_empty());
    }

    #[test]
    fn a_later_change_replaces_the_mark_and_a_new_run_forgets_them() {
        use BreakerState::{Closed, HalfOpen, Open};
        let mut gates = Gates::default();
        gates.hear(&change(0, Closed, Open));
        gates.tick(0.0);
        assert_eq!(gates.mark(0, 10.0).unwrap().words(), "tripped: open");
        gates.hear(&change(0, Open, HalfOpen));
        // Heard but not yet stamped: shown at full strength.
        assert_eq!(gates.mark(0, 2_900.0).unwrap().strength, 1.0);
        gates.tick(2_900.0);
        assert_eq!(gates.mark(0, 5_000.0).unwrap().words(), "half-open: trial");
        gates.hear(&change(0, HalfOpen, Closed));
        assert_eq!(gates.mark(0, 5_000.0).unwrap().words(), "trial passed");
        gates.forget();
        assert!(!gates.showing(5_000.0));
    }
}
