//! The recent past of a run, for readers that show it rather than stream it (the page): the
//! latest events, the latest retries (kept apart, since they can be many) and, when asked for,
//! the latest finished requests. [`History::absorb`] drains the simulation's outputs into it,
//! dropping the oldest entries past each capacity.

use std::collections::VecDeque;

use super::engine::{Simulation, TraceRecord};
use super::events::{LogKind, Logged};
use super::time::SimTime;

/// How many events (all but retries) the page keeps.
pub const EVENT_CAPACITY: usize = 500;
/// How many retries it keeps.
pub const RETRY_CAPACITY: usize = 100;

/// Someone who sees every output of a run as it is drained (a lesson's step under way).
pub trait Observer {
    /// An event.
    fn event(&mut self, logged: &Logged);
    /// A finished request.
    fn finished(&mut self, record: &TraceRecord);
}

/// Nobody watching.
impl Observer for () {
    fn event(&mut self, _: &Logged) {}
    fn finished(&mut self, _: &TraceRecord) {}
}

/// Bounded recent outputs of one simulation.
#[derive(Clone, Debug, Default)]
pub struct History {
    events: VecDeque<Logged>,
    retries: VecDeque<Logged>,
    finished: VecDeque<TraceRecord>,
    finished_capacity: usize,
}

impl History {
    /// A history that keeps the latest `finished` finished requests too (0: none; then the
    /// simulation is told not to keep them at all).
    pub fn new(sim: &mut Simulation, finished: usize) -> History {
        sim.keep_finished(finished > 0);
        History {
            finished_capacity: finished,
            ..History::default()
        }
    }

    /// Takes every new output of `sim`; returns how many new events (retries apart) it took,
    /// which are the newest of [`History::events`] (or all of them, past its capacity).
    pub fn absorb(&mut self, sim: &mut Simulation) -> usize {
        self.absorb_observed(sim, &mut ())
    }

    /// Takes every new output of `sim`, showing each to `observer` first (a lesson's step
    /// sees every one, whatever the capacities keep); returns how many new events it took.
    pub fn absorb_observed(&mut self, sim: &mut Simulation, observer: &mut dyn Observer) -> usize {
        let mut new = 0;
        while let Some(logged) = sim.poll_event() {
            observer.event(&logged);
            let (log, capacity) = if logged.event.kind() == LogKind::Retry {
                (&mut self.retries, RETRY_CAPACITY)
            } else {
                new += 1;
                (&mut self.events, EVENT_CAPACITY)
            };
            push_bounded(log, capacity, logged);
        }
        while let Some(record) = sim.poll_finished() {
            observer.finished(&record);
            push_bounded(&mut self.finished, self.finished_capacity, record);
        }
        new
    }

    /// Forgets what happened after `t`: the history of a run taken back to `t` (whose outputs
    /// up to then this history already took). Entries pushed out by the capacities before are
    /// not brought back.
    pub fn rewind_to(&mut self, t: SimTime) {
        let keep = |log: &mut VecDeque<Logged>| {
            while log.back().is_some_and(|l| l.at > t) {
                log.pop_back();
            }
        };
        keep(&mut self.events);
        keep(&mut self.retries);
        // Finished requests are kept in finishing order.
        while self.finished.back().is_some_and(|r| r.sent + r.latency > t) {
            self.finished.pop_back();
        }
    }

    /// The latest events but retries, oldest first (at most [`EVENT_CAPACITY`]).
    pub fn events(&self) -> &VecDeque<Logged> {
        &self.events
    }

    /// The latest retries, oldest first (at most [`RETRY_CAPACITY`]).
    pub fn retries(&self) -> &VecDeque<Logged> {
        &self.retries
    }

    /// The latest finished requests, in finishing order.
    pub fn finished(&self) -> &VecDeque<TraceRecord> {
        &self.finished
    }
}

fn push_bounded<T>(log: &mut VecDeque<T>, capacity: usize, item: T) {
    if capacity == 0 {
        return;
    }
    if log.len() == capacity {
        log.pop_front();
    }
    log.push_back(item);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Command, Event, Scenario, SimTime};

    #[test]
    fn keeps_the_latest_events_and_finished_requests_within_capacity() {
        let mut sim = Simulation::new(Scenario::classroom()).unwrap();
        let mut history = History::new(&mut sim, 10);
        for _ in 0..(EVENT_CAPACITY + 5) {
            sim.apply(Command::SetRate(10.0)).unwrap();
        }
        sim.advance_to(SimTime::from_secs_f64(5.0));
        history.absorb(&mut sim);
        assert_eq!(history.events().len(), EVENT_CAPACITY);
        assert!(matches!(history.events()[0].event, Event::Command(_)));
        assert_eq!(history.finished().len(), 10);
        assert!(sim.poll_event().is_none() && sim.poll_finished().is_none());
    }
}
