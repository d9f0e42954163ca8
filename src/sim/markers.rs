//! Marks on the charts' time axis for what changed the run: a command (scripted or a user's), a
//! server taken out of rotation (health checks DOWN, passive checks out, a breaker OPEN), one
//! let back in (UP, in, CLOSED), the autoscaler's changes and a VRRP failover. They are read from a run's
//! [`History`] events, so a chart can show why its lines bend where they do; the kinds are few
//! so the key stays short. Retries, remaps and skipped timeline entries are not marked: they
//! are many, or change nothing.

use super::breaker::BreakerState;
use super::events::{Event, Logged};
use super::health::HealthTransition;
use super::history::History;
use super::time::SimTime;

/// What a mark stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    /// A command was applied (from the timeline or by hand).
    Command,
    /// A server was taken out of rotation: marked DOWN, passively taken out, or its breaker
    /// opened.
    Out,
    /// A server was let back in: marked UP, passively let in, or its breaker closed.
    Back,
    /// The autoscaler added or removed servers, or a launched one finished booting.
    Scale,
    /// A VRRP backup became the master: the group's address is answered again.
    Failover,
}

/// Every kind, in the order a key lists them.
pub const MARKER_KINDS: [MarkerKind; 5] = [
    MarkerKind::Command,
    MarkerKind::Out,
    MarkerKind::Back,
    MarkerKind::Scale,
    MarkerKind::Failover,
];

/// One mark: when, and what kind of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marker {
    /// When it happened.
    pub at: SimTime,
    /// What kind of change it was.
    pub kind: MarkerKind,
}

impl MarkerKind {
    /// The kind of mark `event` gets, if any.
    pub fn of(event: &Event) -> Option<MarkerKind> {
        match event {
            Event::Command(_) => Some(MarkerKind::Command),
            Event::Health(e) => Some(match e.transition {
                HealthTransition::Down { .. } => MarkerKind::Out,
                HealthTransition::Up { .. } => MarkerKind::Back,
            }),
            Event::Passive(e) => Some(if e.transition.out() {
                MarkerKind::Out
            } else {
                MarkerKind::Back
            }),
            Event::Breaker(e) => match e.transition.to {
                BreakerState::Open => Some(MarkerKind::Out),
                BreakerState::Closed => Some(MarkerKind::Back),
                BreakerState::HalfOpen => None,
            },
            Event::Scale(_) | Event::Ready(_) => Some(MarkerKind::Scale),
            Event::Vrrp(_) => Some(MarkerKind::Failover),
            Event::Retry(_) | Event::Remap(_) | Event::Skipped(_) => None,
        }
    }
}

/// The marks of `events` from `from` to `to` (both included), oldest first, one per kind and
/// instant: three commands at 20 s make one mark.
pub fn markers<'a>(
    events: impl IntoIterator<Item = &'a Logged>,
    from: SimTime,
    to: SimTime,
) -> Vec<Marker> {
    let mut marks: Vec<Marker> = events
        .into_iter()
        .filter(|l| (from..=to).contains(&l.at))
        .filter_map(|l| MarkerKind::of(&l.event).map(|kind| Marker { at: l.at, kind }))
        .collect();
    marks.sort_by_key(|m| (m.at, m.kind));
    marks.dedup();
    marks
}

/// The marks of a run's history over the whole of it.
pub fn of_history(history: &History) -> Vec<Marker> {
    markers(history.events(), SimTime::ZERO, SimTime(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::presets::preset;
    use crate::sim::{Command, Scenario, Simulation};

    fn secs(s: f64) -> SimTime {
        SimTime::from_secs_f64(s)
    }

    #[test]
    fn a_crash_is_marked_as_a_command_then_out_then_back() {
        // crash-recovery: server-3 killed at 10 s, DOWN at 16 s, revived at 20 s, UP at 24 s.
        let mut sim = Simulation::new(preset("crash-recovery").unwrap()).unwrap();
        let mut history = History::new(&mut sim, 0);
        sim.advance_to(secs(30.0));
        history.absorb(&mut sim);
        let marks = of_history(&history);
        let kinds: Vec<(f64, MarkerKind)> =
            marks.iter().map(|m| (m.at.as_secs_f64(), m.kind)).collect();
        assert_eq!(
            kinds,
            [
                (10.0, MarkerKind::Command),
                (16.0, MarkerKind::Out),
                (20.0, MarkerKind::Command),
                (24.0, MarkerKind::Back),
            ]
        );
    }

    #[test]
    fn a_vrrp_takeover_is_marked_as_a_failover() {
        // balancer-failover: lb-1 crashes at 30 s and lb-2 takes the address over.
        let mut sim = Simulation::new(preset("balancer-failover").unwrap()).unwrap();
        let mut history = History::new(&mut sim, 0);
        sim.advance_to(secs(40.0));
        history.absorb(&mut sim);
        let kinds: Vec<MarkerKind> = of_history(&history).iter().map(|m| m.kind).collect();
        assert!(kinds.contains(&MarkerKind::Failover), "{kinds:?}");
        assert!(
            !kinds.contains(&MarkerKind::Back),
            "no server came back: {kinds:?}"
        );
    }

    #[test]
    fn marks_are_one_per_kind_and_instant_within_the_span() {
        let mut sim = Simulation::new(Scenario::classroom()).unwrap();
        let mut history = History::new(&mut sim, 0);
        sim.advance_to(secs(2.0));
        for rate in [5.0, 6.0, 7.0] {
            sim.apply(Command::SetRate(rate)).unwrap();
        }
        sim.advance_to(secs(4.0));
        sim.apply(Command::SetRate(8.0)).unwrap();
        history.absorb(&mut sim);
        let all = of_history(&history);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].at, secs(2.0));
        assert_eq!(markers(history.events(), secs(3.0), secs(5.0)).len(), 1);
    }
}
