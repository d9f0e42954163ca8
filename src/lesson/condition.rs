//! The condition matcher: which core [`Event`] values an [`EventPattern`] stands for. It reads
//! the events' data (a health transition's direction, a breaker's new state), never their words.

use super::format::{EventKind, EventPattern};
use crate::sim::breaker::BreakerState;
use crate::sim::health::HealthTransition;
use crate::sim::{Event, LogKind};

impl EventKind {
    /// Whether `event` is of this kind.
    pub fn matches(self, event: &Event) -> bool {
        match (self, event) {
            (EventKind::HealthDown, Event::Health(e)) => {
                matches!(e.transition, HealthTransition::Down { .. })
            }
            (EventKind::HealthUp, Event::Health(e)) => {
                matches!(e.transition, HealthTransition::Up { .. })
            }
            (EventKind::PassiveOut, Event::Passive(e)) => e.transition.out(),
            (EventKind::PassiveIn, Event::Passive(e)) => !e.transition.out(),
            (EventKind::BreakerOpen, Event::Breaker(e)) => e.transition.to == BreakerState::Open,
            (EventKind::BreakerHalfOpen, Event::Breaker(e)) => {
                e.transition.to == BreakerState::HalfOpen
            }
            (EventKind::BreakerClosed, Event::Breaker(e)) => {
                e.transition.to == BreakerState::Closed
            }
            (EventKind::Retry, Event::Retry(_))
            | (EventKind::Remap, Event::Remap(_))
            | (EventKind::ServerReady, Event::Ready(_)) => true,
            (EventKind::ScaleOut, Event::Scale(_)) => event.kind() == LogKind::ScaleOut,
            (EventKind::ScaleIn, Event::Scale(_)) => event.kind() == LogKind::ScaleIn,
            _ => false,
        }
    }
}

impl EventPattern {
    /// Whether `event` is one of the events this pattern counts: of its kind, and about its
    /// server if it names one.
    pub fn matches(&self, event: &Event) -> bool {
        self.kind.matches(event)
            && self
                .server
                .is_none_or(|server| event.server() == Some(server.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::format::ServerRef;
    use crate::sim::{Command, Scenario, SimTime, Simulation};

    /// Every event of the classroom run with server-3 killed at 2 s, to 20 s.
    fn kill_events() -> Vec<Event> {
        let mut sim = Simulation::new(Scenario::classroom()).unwrap();
        sim.advance_to(SimTime::from_secs_f64(2.0));
        sim.apply(Command::Kill { server: 2 }).unwrap();
        sim.advance_to(SimTime::from_secs_f64(20.0));
        sim.drain_events().map(|l| l.event).collect()
    }

    #[test]
    fn a_kill_is_noticed_by_the_health_checks_of_its_server_only() {
        let events = kill_events();
        let down = |server| EventPattern {
            kind: EventKind::HealthDown,
            server,
            times: 1,
        };
        let count = |p: EventPattern| events.iter().filter(|e| p.matches(e)).count();
        assert_eq!(count(down(None)), 1);
        assert_eq!(count(down(Some(ServerRef(2)))), 1);
        assert_eq!(count(down(Some(ServerRef(1)))), 0);
        let up = EventPattern {
            kind: EventKind::HealthUp,
            ..down(None)
        };
        assert_eq!(count(up), 0);
        assert!(
            !EventKind::Retry.matches(&events[0]),
            "a command is no retry"
        );
    }
}
