//! The state the UI shares between its components and its animation loop: the simulation, the
//! playback clock, and the last error to show. Everything that changes the simulation goes through
//! [`Playground::apply`], which records it as a command, or starts a new run from a scenario.

use std::cell::RefCell;
use std::rc::Rc;

use crate::playback::{PlaybackClock, STEP};
use crate::sim::share;
use crate::sim::{Command, Scenario, Simulation};

/// How many finished requests the page keeps for the request-log download.
pub const REQUEST_LOG_CAPACITY: usize = 100_000;

/// The simulation and how it is being played.
pub struct Playground {
    /// The running simulation.
    pub sim: Simulation,
    /// The preset it started from, if any.
    pub preset: Option<&'static str>,
    /// The last share link made.
    pub link: Option<String>,
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
        let (mut sim, error) = match Simulation::new(scenario) {
            Ok(sim) => (sim, None),
            Err(e) => (
                Simulation::new(Scenario::classroom()).expect("the classroom scenario is valid"),
                Some(format!("scenario refused: {e}")),
            ),
        };
        sim.enable_trace(REQUEST_LOG_CAPACITY);
        Playground {
            sim,
            preset: None,
            link: None,
            clock: PlaybackClock::default(),
            error,
            generation: 0,
        }
    }

    /// The playground a page opens with: the scenario in the address's fragment if there is one
    /// (a share link), else the classroom default.
    pub fn from_fragment(fragment: &str) -> Playground {
        match share::from_fragment(fragment) {
            Some(Ok(scenario)) => Playground::new(scenario),
            Some(Err(e)) => Playground {
                error: Some(format!("share link refused: {e}")),
                ..Playground::new(Scenario::classroom())
            },
            None => Playground::new(Scenario::classroom()),
        }
    }

    /// Starts `scenario` from time zero, keeping the playback speed; a refused scenario leaves the
    /// current run as it was and shows why.
    pub fn load(&mut self, scenario: Scenario, preset: Option<&'static str>) {
        if let Err(e) = Simulation::new(scenario.clone()) {
            self.error = Some(format!("scenario refused: {e}"));
            self.generation += 1;
            return;
        }
        let (clock, generation) = (self.clock.clone(), self.generation);
        *self = Playground::new(scenario);
        self.preset = preset;
        self.clock = clock;
        self.generation = generation + 1;
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
        self.load(scenario, self.preset);
    }

    /// Advances a paused simulation by one step.
    pub fn step(&mut self) {
        self.sim.advance_by(STEP);
        self.generation += 1;
    }

    /// A link that replays the session so far (its URL fragment packs the exported scenario).
    pub fn share_fragment(&self) -> String {
        format!(
            "#{}{}",
            share::FRAGMENT_KEY,
            share::pack(&self.sim.export_scenario())
        )
    }
}
