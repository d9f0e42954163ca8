//! The state the UI shares between its components, its animation loop and its keyboard shortcuts:
//! the simulation, the playback clock, the look of the page, the selected server and the last error
//! to show. Everything that changes the simulation goes through [`Playground::apply`], which
//! records it as a command, or starts a new run from a scenario.

use std::cell::RefCell;
use std::rc::Rc;

use super::display::Display;
use super::keyboard::{Shortcut, next_slowdown};
use crate::playback::{PlaybackClock, SKIP, SPEEDS, STEP};
use crate::sim::history::History;
use crate::sim::server::MAX_WEIGHT;
use crate::sim::share;
use crate::sim::{Algorithm, Command, Scenario, SimTime, Simulation};

/// How many finished requests the page keeps for the request-log download.
pub const REQUEST_LOG_CAPACITY: usize = 100_000;

/// The simulation and how it is being played.
pub struct Playground {
    /// The running simulation.
    pub sim: Simulation,
    /// Its recent events and finished requests, drained from it after every change.
    pub history: History,
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
    /// Theme and motion.
    pub display: Display,
    /// The server the keyboard acts on.
    pub selected: Option<usize>,
    /// Whether the keyboard shortcuts list is open.
    pub help_open: bool,
    /// Compare mode: a second run of the same scenario and seed under another algorithm, given
    /// every command the first gets except algorithm switches, and advanced in lockstep with it.
    pub compare: Option<Simulation>,
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
        let history = History::new(&mut sim, REQUEST_LOG_CAPACITY);
        Playground {
            sim,
            history,
            preset: None,
            link: None,
            clock: PlaybackClock::default(),
            error,
            generation: 0,
            display: Display::default(),
            selected: None,
            help_open: false,
            compare: None,
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
        let (clock, generation, display) = (self.clock.clone(), self.generation, self.display);
        let compared = self.compare.as_ref().map(Simulation::algorithm);
        *self = Playground::new(scenario);
        self.preset = preset;
        self.clock = clock;
        self.display = display;
        self.set_compare(compared);
        self.generation = generation + 1;
    }

    /// Applies a user command; a refused one leaves the simulation as it was and shows why. The
    /// comparison run gets it too, unless it switches the algorithm (the one thing that differs).
    pub fn apply(&mut self, command: Command) {
        let applied = self.sim.apply(command);
        self.history.absorb(&mut self.sim);
        if let (Ok(()), Some(other)) = (&applied, self.compare.as_mut())
            && !matches!(command, Command::SetAlgorithm(_))
        {
            // The same command on the same configuration: accepted here as it was there.
            let _ = other.apply(command);
            discard_events(other);
        }
        self.error = applied.err().map(|e| format!("{command:?} refused: {e}"));
        self.generation += 1;
    }

    /// Advances the run, and the comparison run with it, to `t`.
    pub fn advance_to(&mut self, t: SimTime) {
        self.sim.advance_to(t);
        self.history.absorb(&mut self.sim);
        if let Some(other) = self.compare.as_mut() {
            other.advance_to(t);
            discard_events(other);
        }
    }

    /// Starts comparing with `algorithm` (or stops, with `None`). The comparison run replays this
    /// run from time zero (same scenario, seed and commands, algorithm switches left out) up to now,
    /// so both have seen the identical traffic.
    pub fn set_compare(&mut self, algorithm: Option<Algorithm>) {
        self.generation += 1;
        self.compare = None;
        let Some(algorithm) = algorithm else {
            return;
        };
        let mut scenario = self.sim.export_scenario();
        scenario.algorithm = algorithm;
        scenario
            .timeline
            .retain(|t| !matches!(t.command, Command::SetAlgorithm(_)));
        match Simulation::new(scenario) {
            Ok(mut other) => {
                other.advance_to(self.sim.now());
                discard_events(&mut other);
                self.compare = Some(other);
            }
            Err(e) => self.error = Some(format!("comparison refused: {e}")),
        }
    }

    /// Starts the same scenario again from time zero with `seed`.
    pub fn restart(&mut self, seed: u64) {
        let scenario = Scenario {
            seed,
            ..self.sim.scenario().clone()
        };
        self.load(scenario, self.preset);
    }

    /// Advances a paused simulation (and its comparison) by one step.
    pub fn step(&mut self) {
        self.advance_to(self.sim.now() + STEP);
        self.generation += 1;
    }

    /// Jumps ahead by [`SKIP`] at once (the comparison run too).
    pub fn skip(&mut self) {
        self.advance_to(self.sim.now() + SKIP);
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

    /// Changes the look of the page.
    pub fn set_display(&mut self, display: Display) {
        self.display = display;
        display.apply();
        self.generation += 1;
    }

    /// Carries out a keyboard shortcut. Server shortcuts act on the selected server, selecting the
    /// first one if none is.
    pub fn shortcut(&mut self, shortcut: Shortcut) {
        let servers = self.sim.servers().len();
        let selected = self.selected.filter(|&i| i < servers).unwrap_or(0);
        let command = match shortcut {
            Shortcut::TogglePlay => {
                let playing = self.clock.is_playing();
                self.clock.set_playing(!playing);
                None
            }
            Shortcut::Step if !self.clock.is_playing() => {
                self.step();
                None
            }
            Shortcut::Step => None,
            Shortcut::Skip => {
                self.skip();
                None
            }
            Shortcut::Slower | Shortcut::Faster => {
                let at = SPEEDS
                    .iter()
                    .position(|&s| s >= self.clock.speed())
                    .unwrap_or(0);
                let next = if shortcut == Shortcut::Faster {
                    (at + 1).min(SPEEDS.len() - 1)
                } else {
                    at.saturating_sub(1)
                };
                self.clock.set_speed(SPEEDS[next]);
                None
            }
            Shortcut::Select(i) => {
                self.selected = (i < servers).then_some(i).or(self.selected);
                None
            }
            Shortcut::PreviousServer | Shortcut::NextServer if servers > 0 => {
                let step = if shortcut == Shortcut::NextServer {
                    1
                } else {
                    servers - 1
                };
                self.selected = Some(self.selected.map_or(0, |i| (i + step) % servers));
                None
            }
            Shortcut::PreviousServer | Shortcut::NextServer => None,
            Shortcut::KillRevive
            | Shortcut::SlowDown
            | Shortcut::WeightUp
            | Shortcut::WeightDown
            | Shortcut::Drain => {
                self.selected = Some(selected);
                self.server_command(shortcut, selected)
            }
            Shortcut::AddServer => Some(Command::AddServer {
                weight: 1,
                workers: 2,
            }),
            Shortcut::Restart => {
                self.restart(self.sim.scenario().seed);
                None
            }
            Shortcut::Theme => {
                let display = Display {
                    theme: self.display.theme.next(),
                    ..self.display
                };
                self.set_display(display);
                None
            }
            Shortcut::Motion => {
                let display = Display {
                    reduced_motion: !self.display.reduced_motion,
                    ..self.display
                };
                self.set_display(display);
                None
            }
            Shortcut::Help => {
                self.help_open = !self.help_open;
                None
            }
            Shortcut::Close => {
                self.help_open = false;
                None
            }
        };
        match command {
            Some(command) => self.apply(command),
            None => self.generation += 1,
        }
    }

    /// The command a server shortcut stands for, given server `index`'s current state.
    fn server_command(&self, shortcut: Shortcut, index: usize) -> Option<Command> {
        let server = self.sim.servers().get(index)?;
        let spec = server.spec();
        Some(match shortcut {
            Shortcut::KillRevive if server.is_alive() => Command::Kill { server: index },
            Shortcut::KillRevive => Command::Revive { server: index },
            Shortcut::SlowDown => Command::SetSpeed {
                server: index,
                speed: 1.0 / next_slowdown((1.0 / spec.speed).round()),
            },
            Shortcut::WeightUp => Command::SetWeight {
                server: index,
                weight: (spec.weight + 1).min(MAX_WEIGHT),
            },
            Shortcut::WeightDown => Command::SetWeight {
                server: index,
                weight: spec.weight.saturating_sub(1),
            },
            Shortcut::Drain => Command::Drain {
                server: index,
                on: !self.sim.backends()[index].draining(),
            },
            _ => return None,
        })
    }
}

/// Drops the comparison run's events: the page shows only its totals and charts.
fn discard_events(sim: &mut Simulation) {
    while sim.poll_event().is_some() {}
}
