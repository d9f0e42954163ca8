//! The state the UI shares between its components and its animation loop: the simulation, the
//! playback clock, and the last error to show. Everything that changes the simulation goes through
//! [`Playground::apply`], which records it as a command.

use std::cell::RefCell;
use std::rc::Rc;

use crate::playback::{PlaybackClock, STEP};
use crate::sim::{Command, Scenario, Simulation};

/// The simulation and how it is being played.
pub struct Playground {
    /// The running simulation.
    pub sim: Simulation,
    /// Wall-to-simulated time.
    pub clock: PlaybackClock,
    /// The last refused action, shown until the next one succeeds.
    pub error: Option<String>,
    /// Bumped on every user change, so throttled drawing knows to redraw even while paused.
    pub generation: u64,
}

/// A shared handle to the playground.
pub type PlaygroundHandle = Rc<RefCell<Playground>>;

impl Playground {
    /// A playground running `scenario`, or one running the classroom default with the error shown.
    pub fn new(scenario: Scenario) -> Playground {
        let (sim, error) = match Simulation::new(scenario) {
            Ok(sim) => (sim, None),
            Err(e) => (
                Simulation::new(Scenario::classroom()).expect("the classroom scenario is valid"),
                Some(format!("scenario refused: {e}")),
            ),
        };
        Playground {
            sim,
            clock: PlaybackClock::default(),
            error,
            generation: 0,
        }
    }

    /// Applies a user command; a refused one leaves the simulation as it was and shows why.
    pub fn apply(&mut self, command: Command) {
        self.error = self
            .sim
            .apply(command)
            .err()
            .map(|e| format!("{command:?} refused: {e}"));
        self.generation += 1;
    }

    /// Starts the same scenario again from time zero with `seed`.
    pub fn restart(&mut self, seed: u64) {
        let scenario = Scenario {
            seed,
            ..self.sim.scenario().clone()
        };
        let (clock, generation) = (self.clock.clone(), self.generation);
        *self = Playground::new(scenario);
        self.clock = clock;
        self.generation = generation + 1;
    }

    /// Advances a paused simulation by one step.
    pub fn step(&mut self) {
        self.sim.advance_by(STEP);
        self.generation += 1;
    }
}
