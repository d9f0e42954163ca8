//! The [`Session`]: the run, the comparison run, the playback clock and the page's choices, changed
//! only by [`Session::dispatch`] (and by time passing, [`Session::frame`]).

use super::action::{Action, Download, Effect, ServerAction};
use super::announcer::Announcer;
use super::config_choice::{self, ConfigChoice, Outcome};
use super::display::Display;
use super::errors;
use super::exercise::Practice;
use super::gates::Gates;
use super::kit::{Hidden, Kit};
use super::layout::{Layout, PresentCharts};
use super::lesson::LessonRun;
use super::paging::Page;
use super::progress;
use super::shortcut::next_slowdown;
use super::travel::Fork;
use super::undo::UndoOffer;
use crate::config::{self, Target};
use crate::lesson::{Lesson, shipped};
use crate::playback::{FIRST_FRAME_EVENTS, FrameBudget, PlaybackClock, SKIP, SPEEDS, STEP};
use crate::sim::history::History;
use crate::sim::inspect::Story;
use crate::sim::narrate;
use crate::sim::presets::preset;
use crate::sim::report::{self, Report};
use crate::sim::scenario::ScenarioError;
use crate::sim::server::MAX_WEIGHT;
use crate::sim::tape::Tape;
use crate::sim::work::{self, Work};
use crate::sim::{
    Algorithm, Command, Scenario, SimDuration, SimTime, Simulation, ValidationError, share,
};

/// How many finished requests a session keeps for the request-log download.
pub const REQUEST_LOG_CAPACITY: usize = 100_000;
/// How many frames "running behind" stays shown after a frame was cut short (a second).
const BEHIND_FRAMES: u32 = 60;
/// A scenario estimated at more work than this per simulated second (about what the frame
/// budget covers at 1x, at a few events per request) opens with a warning.
const HEAVY_UNITS_PER_SECOND: f64 = (FIRST_FRAME_EVENTS * 60 / 4) as f64;

/// A download's file name extension and MIME type.
type FileType = (&'static str, &'static str);
/// Scenario files and reports.
const JSON: FileType = ("json", "application/json");
/// Metrics and request logs.
const CSV: FileType = ("csv", "text/csv");
/// An nginx configuration fragment.
const CONF: FileType = ("conf", "text/plain");
/// An HAProxy configuration fragment.
const CFG: FileType = ("cfg", "text/plain");

/// The server "add a server" adds.
pub const NEW_SERVER: Command = Command::AddServer {
    weight: 1,
    workers: 2,
};

/// Everything the page shows that is not drawn from the simulation alone: which run, how it is
/// played, what is selected, and the last thing that could not be done.
pub struct Session {
    pub(super) sim: Simulation,
    /// The run's recent events and finished requests, taken from it after every change.
    pub(super) history: History,
    /// The run's checkpoints, for time travel.
    pub(super) tape: Tape,
    pub(super) compare: Option<Simulation>,
    /// Run B's checkpoints, while comparing.
    pub(super) compare_tape: Option<Tape>,
    /// The history a change in the past left behind, offered as run B.
    pub(super) fork: Option<Fork>,
    /// The request being inspected, hop by hop.
    pub(super) inspected: Option<Story>,
    /// The classroom kit's `lock=1`: no action that changes the model.
    pub(super) locked: bool,
    /// The parts of the page the kit's `hide=` took away.
    pub(super) hidden: Hidden,
    /// The page's layout: standard, stage mode or the present layout.
    pub(super) layout: Layout,
    /// The two charts the present layout shows.
    pub(super) present: PresentCharts,
    preset: Option<&'static str>,
    link: Option<String>,
    pub(super) clock: PlaybackClock,
    /// How many events a frame may handle in each run (adapted to the measured frame times).
    budget: FrameBudget,
    /// Events the last frame handled, in both runs.
    handled: u64,
    /// A Step or Skip's destination, while the frame budget has not reached it yet.
    pub(super) pending: Option<SimTime>,
    /// Frames left that show the run as behind real time.
    behind: u32,
    /// A warning about the run itself (a heavy scenario), until another run starts.
    notice: Option<String>,
    /// A config with several blocks, waiting for the user to pick one.
    config_choice: Option<ConfigChoice>,
    pub(super) error: Option<String>,
    generation: u64,
    pub(super) display: Display,
    pub(super) selected: Option<usize>,
    help_open: bool,
    /// The lesson under way.
    pub(super) lesson: Option<LessonRun>,
    /// "You are the balancer": the exercise on and the session's score.
    pub(super) practice: Practice,
    /// The live region's words: the run's changes, rate-limited.
    pub(super) announcer: Announcer,
    /// The breakers' latest changes, marked on their gates for a while.
    pub(super) gates: Gates,
    /// The offer to undo a server's removal.
    pub(super) undo: UndoOffer,
}

/// A simulation of `scenario`, with the history that keeps its timeline and a request log for
/// the download.
fn start(scenario: Scenario) -> Result<(Simulation, History), ValidationError> {
    let mut sim = Simulation::new(scenario)?;
    let history = History::new(&mut sim, REQUEST_LOG_CAPACITY);
    Ok((sim, history))
}

/// The warning a scenario opens with when it asks for more work per simulated second than the
/// page can do in real time.
fn heavy(scenario: &Scenario) -> Option<String> {
    let work = Work::per_second(scenario);
    (work.units() > HEAVY_UNITS_PER_SECOND).then(|| {
        format!(
            "This scenario asks for about {} requests and {} health checks per simulated second, more than the page can show in real time: it will run slower than the clock says (lbsim runs it at full speed).",
            work::about(work.requests),
            work::about(work.checks)
        )
    })
}

/// Drops the comparison run's events: the page shows only its totals and charts.
fn discard_events(sim: &mut Simulation) {
    sim.drain_events().for_each(drop);
}

impl Session {
    /// A session running `scenario`, playing at 1x, looking like `display`; or why the scenario
    /// cannot run.
    pub fn new(scenario: Scenario, display: Display) -> Result<Session, ValidationError> {
        let notice = heavy(&scenario);
        let (sim, history) = start(scenario)?;
        Ok(Session {
            tape: Tape::new(&sim),
            sim,
            history,
            compare: None,
            compare_tape: None,
            fork: None,
            inspected: None,
            locked: false,
            hidden: Hidden::default(),
            layout: Layout::Standard,
            present: PresentCharts::default(),
            preset: None,
            link: None,
            clock: PlaybackClock::default(),
            budget: FrameBudget::default(),
            handled: 0,
            pending: None,
            behind: 0,
            notice,
            config_choice: None,
            error: None,
            generation: 0,
            display,
            selected: None,
            help_open: false,
            lesson: None,
            practice: Practice::default(),
            announcer: Announcer::default(),
            gates: Gates::default(),
            undo: UndoOffer::default(),
        })
    }

    /// The session a page opens with: the scenario packed in the address's `fragment` if there is
    /// one (a share link), else the classroom default; a link that cannot be opened leaves the
    /// classroom default running and says why. With it, what the browser must do first: show the
    /// look, and take a link that could not be opened out of the address bar.
    ///
    /// The address's `query` is the classroom kit ([`Kit`]): a lesson at a step, a lock, parts
    /// hidden, the look and the pace. What it cannot read is said, and the rest applies.
    pub fn open(fragment: &str, query: &str, display: Display) -> (Session, Vec<Effect>) {
        let mut session = Session::from_link(fragment, display);
        let mut effects = Vec::new();
        if session.error.is_some() {
            effects.push(Effect::ClearLink);
        }
        let (kit, problems) = Kit::parse(query);
        session.take_kit(kit, problems);
        effects.insert(0, Effect::ShowDisplay(session.display));
        (session, effects)
    }

    /// The session of [`Session::open`].
    fn from_link(fragment: &str, display: Display) -> Session {
        let classroom = || {
            Session::new(Scenario::classroom(), display).expect("the classroom scenario is valid")
        };
        let refused = |e: ScenarioError| Session {
            error: Some(errors::cannot(
                "open the share link",
                &errors::scenario_reason(&e),
            )),
            ..classroom()
        };
        match share::from_fragment(fragment) {
            None => classroom(),
            Some(Ok(scenario)) => {
                let replaying = progress::replaying(&scenario);
                match Session::new(scenario, display) {
                    Ok(mut session) => {
                        // The word that it replays comes first, any warning after it.
                        session.notice = Some(match session.notice.take() {
                            Some(heavy) => format!("{replaying} {heavy}"),
                            None => replaying,
                        });
                        session
                    }
                    Err(e) => refused(ScenarioError::Invalid(e)),
                }
            }
            Some(Err(e)) => refused(e),
        }
    }

    /// The run.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// The run's recent events and finished requests.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Compare mode's run B: the same scenario, seed and commands under another algorithm.
    pub fn compare(&self) -> Option<&Simulation> {
        self.compare.as_ref()
    }

    /// In compare mode, what runs A and B are: `A: ` and `B: ` before the algorithms each has
    /// used so far ([`narrate::algorithms`]), so a switch in A (scripted or by hand) shows in
    /// its name and B keeps its own. The run headings and the charts' legends read these.
    pub fn run_labels(&self) -> Option<[String; 2]> {
        let b = self.compare.as_ref()?;
        Some([
            format!("A: {}", narrate::algorithms(&self.sim)),
            format!("B: {}", narrate::algorithms(b)),
        ])
    }

    /// The preset the run started from, if any.
    pub fn preset(&self) -> Option<&'static str> {
        self.preset
    }

    /// The last share link made for this run.
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    /// Wall-to-simulated time: playing or paused, and how fast.
    pub fn clock(&self) -> &PlaybackClock {
        &self.clock
    }

    /// A warning about the run itself: the scenario asks for more than the page can show in real
    /// time.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Whether the run fell behind real time lately: a frame's budget ran out before the clock's
    /// time, so simulated time passes slower than the speed says.
    pub fn behind(&self) -> bool {
        self.behind > 0
    }

    /// The sentence saying why the last attempt (a command, a load, a comparison, a download)
    /// failed; cleared by the next attempt that succeeds.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Changes on every dispatch, so throttled drawing knows to redraw even while paused.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The look of the page.
    pub fn display(&self) -> Display {
        self.display
    }

    /// The server the keyboard acts on.
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// The server an [`Action::Selected`] change acts on: the selected one, or the first when
    /// none is (or the selected one is gone). The phone's control bar names it.
    pub fn acted_on(&self) -> usize {
        self.selected
            .filter(|&i| i < self.sim.servers().len())
            .unwrap_or(0)
    }

    /// Whether the list of keyboard shortcuts is open.
    pub fn help_open(&self) -> bool {
        self.help_open
    }

    /// What the page's live region says: the latest changes to the run, in the timeline's words
    /// (at most one announcement every two seconds of wall time).
    pub fn announcement(&self) -> &str {
        self.announcer.said()
    }

    /// The breakers' latest changes, for the marks on their gates.
    pub fn gates(&self) -> &Gates {
        &self.gates
    }

    /// The server cards shown: the page holding the selected server.
    pub fn page(&self) -> Page {
        Page::of(self.selected, self.sim.servers().len())
    }

    /// Lets time pass: an animation frame at wall time `wall_ms` advances the run, and the
    /// comparison run with it, by the simulated time the clock says. Not an action: it changes
    /// nothing the user chose.
    pub fn frame(&mut self, wall_ms: f64) {
        let target = self.clock.frame(wall_ms, self.sim.now());
        let target = self.pending.map_or(target, |p| p.max(target));
        let before = self.events_processed();
        let reached = self.advance_to(target);
        self.handled = self.events_processed() - before;
        if reached {
            self.behind = self.behind.saturating_sub(1);
        } else {
            self.behind = BEHIND_FRAMES;
        }
        self.announcer.tick(wall_ms);
        self.gates.tick(wall_ms);
        self.undo.tick(wall_ms);
    }

    /// The last frame's simulating took `ms` of wall time (the browser measures it): the next
    /// frames' budget follows.
    pub fn frame_took(&mut self, ms: f64) {
        self.budget.record(self.handled, ms);
    }

    /// Events handled so far by the run and the comparison run.
    fn events_processed(&self) -> u64 {
        self.sim.events_processed()
            + self
                .compare
                .as_ref()
                .map_or(0, Simulation::events_processed)
    }

    /// Carries out `action`; returns what the browser must do to finish it. An action that can
    /// fail (a command, a load, a comparison, a download) replaces the error shown with its own
    /// outcome; the others (playback, selection, the look, the help) leave it.
    pub fn dispatch(&mut self, action: Action) -> Vec<Effect> {
        self.generation += 1;
        let mut effects = Vec::new();
        if self.locked && action.changes_model() {
            self.error = Some(
                "This page is locked for the class: it shows the model but does not change it."
                    .to_owned(),
            );
            return effects;
        }
        let attempt = match action {
            Action::TogglePlay => {
                let playing = self.clock.is_playing();
                self.clock.set_playing(!playing);
                None
            }
            Action::SetSpeed(speed) => {
                self.clock.set_speed(speed);
                None
            }
            Action::Slower => {
                self.shift_speed(-1);
                None
            }
            Action::Faster => {
                self.shift_speed(1);
                None
            }
            Action::Step => {
                if !self.clock.is_playing() {
                    self.jump(STEP);
                }
                None
            }
            Action::Skip => {
                self.jump(SKIP);
                None
            }
            Action::Seek(t) => Some(self.seek(t)),
            Action::Forward if self.lesson.is_some() => Some(self.continue_lesson()),
            Action::Forward => return self.dispatch(Action::Step),
            Action::Backward if self.lesson.is_some() => return self.dispatch(Action::Back),
            Action::Backward => {
                let back = self.sim.now().0.saturating_sub(STEP.0);
                Some(self.seek(SimTime(back)))
            }
            Action::NextChange => Some(self.next_change()),
            Action::Inspect(seq) => Some(self.inspect(seq)),
            Action::KeepFork(keep) => {
                self.answer_fork(keep);
                None
            }
            Action::UndoRemove => Some(self.undo_removal()),
            Action::Restart => Some(self.restart(self.sim.scenario().seed)),
            Action::Reseed(seed) => Some(self.restart(seed)),
            Action::Apply(command) => Some(self.apply(command)),
            Action::AddServer => Some(self.apply(NEW_SERVER)),
            Action::Selected(change) => Some(self.change_selected(change)),
            Action::ChangeServer { server, change } => Some(self.change_server(server, change)),
            Action::Select(index) => {
                if index < self.sim.servers().len() {
                    self.selected = Some(index);
                }
                None
            }
            Action::PreviousServer | Action::NextServer => {
                let servers = self.sim.servers().len();
                let step = if action == Action::NextServer {
                    1
                } else {
                    servers.saturating_sub(1)
                };
                self.selected = Some(self.selected.map_or(0, |i| (i + step) % servers.max(1)));
                None
            }
            Action::PreviousPage | Action::NextPage => {
                let page = self.page();
                let to = if action == Action::NextPage {
                    page.next()
                } else {
                    page.previous()
                };
                self.selected = to.or(self.selected);
                None
            }
            Action::Compare(algorithm) => Some(self.set_compare(algorithm)),
            Action::LoadPreset(id) => Some(match preset(id) {
                Some(scenario) => {
                    let loaded = self.load(scenario, Some(id), &format!("load the preset {id}"));
                    if loaded.is_ok() {
                        // The present layout shows what the preset points at.
                        self.present = PresentCharts::for_preset(id);
                    }
                    loaded
                }
                None => Err(format!("There is no preset called {id}.")),
            }),
            Action::Import(text) => {
                let attempt = "load the file";
                Some(match text.map(|text| Scenario::from_json(&text)) {
                    Ok(Ok(scenario)) => self.load(scenario, None, attempt),
                    Ok(Err(e)) => Err(errors::cannot(attempt, &errors::scenario_reason(&e))),
                    Err(why) => Err(errors::cannot(attempt, &why)),
                })
            }
            Action::ImportConfig(text) => {
                self.config_choice = None;
                Some(match text {
                    Ok(text) => self.import_config(text, None),
                    Err(why) => Err(errors::cannot("import the config", &why)),
                })
            }
            Action::ChooseConfigBlock(name) => {
                let choice = self.config_choice.take();
                Some(match (choice, name) {
                    (Some(choice), Some(name)) => self.import_config(choice.text, Some(&name)),
                    _ => Ok(()),
                })
            }
            Action::ExportConfig(to) => {
                let text = config::export(&self.sim.export_scenario(), to);
                let (what, file) = match to {
                    Target::Nginx => ("nginx", CONF),
                    Target::Haproxy => ("haproxy", CFG),
                };
                effects.push(self.download(what, file, text));
                Some(Ok(()))
            }
            Action::Export => {
                let json = self.sim.export_scenario().to_json();
                effects.push(self.download("session", JSON, json));
                Some(Ok(()))
            }
            Action::MetricsCsv => {
                effects.push(self.download("metrics", CSV, report::metrics_csv(&self.sim)));
                Some(Ok(()))
            }
            Action::RequestLogCsv => {
                let csv = request_log_csv(&self.sim, &self.history);
                effects.push(self.download("requests", CSV, csv));
                Some(Ok(()))
            }
            Action::Report => {
                let events = report::timeline(self.history.events(), self.sim.servers());
                let json = Report::of(&self.sim, events).to_json();
                effects.push(self.download("report", JSON, json));
                Some(Ok(()))
            }
            Action::SavePng(chart) => {
                let filename = format!("lb-{chart}-{}.png", self.stamp());
                effects.push(Effect::SavePng { chart, filename });
                Some(Ok(()))
            }
            Action::Share => {
                let fragment = self.share_fragment();
                effects.push(Effect::Share { fragment });
                Some(Ok(()))
            }
            Action::Shared(link) => {
                self.link = Some(link);
                None
            }
            Action::Failed(sentence) => Some(Err(sentence)),
            Action::DismissError => {
                self.error = None;
                None
            }
            Action::SetDisplay(display) => {
                effects.push(self.show(display));
                None
            }
            Action::NextTheme => {
                let theme = self.display.theme.next();
                effects.push(self.show(Display {
                    theme,
                    ..self.display
                }));
                None
            }
            Action::ToggleMotion => {
                let reduced_motion = !self.display.reduced_motion;
                effects.push(self.show(Display {
                    reduced_motion,
                    ..self.display
                }));
                None
            }
            Action::ToggleHelp => {
                self.help_open = !self.help_open;
                None
            }
            Action::CloseHelp => {
                self.help_open = false;
                None
            }
            Action::LoadLesson(id) => Some(match shipped(id) {
                Some(s) => self.start_lesson(s.lesson()),
                None => Err(format!("There is no lesson called {id}.")),
            }),
            Action::OpenLesson(text) => {
                let attempt = "load the lesson file";
                Some(match text.map(|text| Lesson::from_json(&text)) {
                    Ok(Ok(lesson)) => self.start_lesson(lesson),
                    Ok(Err(e)) => Err(errors::cannot(attempt, &errors::lesson_reason(&e))),
                    Err(why) => Err(errors::cannot(attempt, &why)),
                })
            }
            Action::Continue => Some(self.continue_lesson()),
            Action::Back => {
                let step = self.lesson.as_ref().map_or(0, LessonRun::step);
                Some(self.go_to_step(step.saturating_sub(1)))
            }
            Action::GoToStep(step) => Some(self.go_to_step(step)),
            Action::Answer(guess) => {
                self.answer(guess);
                None
            }
            Action::CloseLesson => {
                self.lesson = None;
                None
            }
            Action::StartExercise(kind) => {
                self.start_exercise(kind);
                None
            }
            Action::Pick(server) => {
                self.pick(server);
                None
            }
            Action::NextRequest => {
                self.next_request();
                None
            }
            Action::NewExercise => {
                self.new_exercise();
                None
            }
            Action::CloseExercise => {
                self.close_exercise();
                None
            }
            Action::ToggleLayout(layout) => {
                self.layout = self.layout.toggled(layout);
                None
            }
            Action::PresentChart { slot, chart } => {
                self.present = self.present.with(slot, chart);
                None
            }
        };
        if let Some(outcome) = attempt {
            self.error = outcome.err();
        }
        effects
    }

    /// Applies a user command; a refused one leaves both runs as they were and says why. The
    /// comparison run gets it too, unless it switches the algorithm (the one thing that differs).
    pub(super) fn apply(&mut self, command: Command) -> Result<(), String> {
        let old = self.history_before_change();
        self.sim
            .apply(command)
            .map_err(|e| errors::refused(&command, &self.sim, &e))?;
        self.fork_here(old);
        self.note_for_undo(command);
        self.absorb();
        if let Some(other) = self.compare.as_mut()
            && !matches!(command, Command::SetAlgorithm(_))
        {
            // The same command on the same configuration: accepted there as it was here.
            let _ = other.apply(command);
            discard_events(other);
        }
        Ok(())
    }

    /// Carries out a change to the selected server (the first one if none is selected).
    fn change_selected(&mut self, change: ServerAction) -> Result<(), String> {
        let index = self.acted_on();
        self.selected = Some(index);
        self.change_server(index, change)
    }

    /// Carries out a change to server `index`.
    fn change_server(&mut self, index: usize, change: ServerAction) -> Result<(), String> {
        match self.server_command(change, index) {
            Some(command) => self.apply(command),
            None => Err(format!(
                "There is no server {} (there are {}).",
                index + 1,
                self.sim.servers().len()
            )),
        }
    }

    /// The command a change to server `index` stands for, given its current state.
    fn server_command(&self, change: ServerAction, index: usize) -> Option<Command> {
        let server = self.sim.servers().get(index)?;
        let spec = server.spec();
        Some(match change {
            ServerAction::KillOrRevive if server.is_alive() => Command::Kill { server: index },
            ServerAction::KillOrRevive => Command::Revive { server: index },
            ServerAction::SlowDown => Command::SetSpeed {
                server: index,
                speed: 1.0 / next_slowdown((1.0 / spec.speed).round()),
            },
            ServerAction::WeightUp => Command::SetWeight {
                server: index,
                weight: (spec.weight + 1).min(MAX_WEIGHT),
            },
            ServerAction::WeightDown => Command::SetWeight {
                server: index,
                weight: spec.weight.saturating_sub(1),
            },
            ServerAction::Drain => Command::Drain {
                server: index,
                on: !self.sim.backends()[index].draining(),
            },
        })
    }

    /// Advances the run, and the comparison run with it, to `t`, within the frame budget: whether
    /// both got there (else they stopped where the budget ran out, and go on next frame).
    fn advance_to(&mut self, t: SimTime) -> bool {
        let mut budget = self.budget.events();
        let reached = loop {
            // A lesson's step looks at the run at its own times, and the run stops where the
            // step ends.
            let to = self.lesson_look().map_or(t, |look| t.min(look));
            let before = self.sim.events_processed();
            let reached = self.sim.advance_within(to, budget);
            budget -= (self.sim.events_processed() - before).min(budget);
            self.absorb();
            if self.update_lesson() {
                break true; // the run stops where the step ended
            }
            if !reached || to == t || budget == 0 {
                break reached && to == t;
            }
        };
        let mut compared = true;
        if let Some(other) = self.compare.as_mut() {
            compared = other.advance_within(self.sim.now(), budget);
            discard_events(other);
        }
        self.keep_tapes();
        if self.pending.is_some_and(|p| p <= self.sim.now()) {
            self.pending = None;
        }
        reached && compared
    }

    /// Tells the live region and the breakers' gates the `new` latest events of the history.
    pub(super) fn announce_latest(&mut self, new: usize) {
        let events = self.history.events();
        for logged in events.iter().skip(events.len().saturating_sub(new)) {
            self.announcer.hear(logged, self.sim.servers());
            self.gates.hear(logged);
        }
    }

    /// Moves the run `by` ahead of where it is (or of a jump still under way): at once as far
    /// as the frame budget goes, the rest over the next frames.
    fn jump(&mut self, by: SimDuration) {
        let to = self.pending.unwrap_or(self.sim.now()) + by;
        self.pending = Some(to);
        self.advance_to(to);
    }

    /// Moves the speed `by` places along [`SPEEDS`], staying within it.
    fn shift_speed(&mut self, by: isize) {
        let at = SPEEDS
            .iter()
            .position(|&s| s >= self.clock.speed())
            .unwrap_or(0);
        let next = at.saturating_add_signed(by).min(SPEEDS.len() - 1);
        self.clock.set_speed(SPEEDS[next]);
    }

    /// Starts `scenario` from time zero, keeping the playback clock, the look and compare mode; a
    /// scenario that cannot run leaves the current run as it was, and the sentence says it could
    /// not `attempt`.
    pub(super) fn load(
        &mut self,
        scenario: Scenario,
        preset: Option<&'static str>,
        attempt: &str,
    ) -> Result<(), String> {
        let notice = heavy(&scenario);
        (self.sim, self.history) =
            start(scenario).map_err(|e| errors::cannot(attempt, &errors::reason(&e)))?;
        self.tape = Tape::new(&self.sim);
        self.fork = None;
        self.inspected = None;
        // Another run ends the lesson (a lesson's own replay puts it back).
        self.lesson = None;
        self.notice = notice;
        self.announcer.forget();
        self.gates.forget();
        self.pending = None;
        self.preset = preset;
        self.link = None;
        self.selected = None;
        let compared = self.compare.as_ref().map(Simulation::algorithm);
        self.set_compare(compared)
    }

    /// Imports the config `text` (its block `select`): starts its scenario with its warnings as
    /// the notice, or keeps the run and asks which block, or says why it cannot.
    fn import_config(&mut self, text: String, select: Option<&str>) -> Result<(), String> {
        let attempt = "import the config";
        match config_choice::import(text, select) {
            Outcome::Imported(imported) => {
                self.load(imported.scenario, None, attempt)?;
                let warned = errors::config_warnings(&imported.warnings);
                self.notice = match (warned, self.notice.take()) {
                    (Some(w), Some(heavy)) => Some(format!("{w} {heavy}")),
                    (w, heavy) => w.or(heavy),
                };
                Ok(())
            }
            Outcome::Choose(choice) => {
                self.config_choice = Some(choice);
                Ok(())
            }
            Outcome::Failed(why) => Err(errors::cannot(attempt, &why)),
        }
    }

    /// A config with several blocks waiting for the user to pick one.
    pub fn config_choice(&self) -> Option<&ConfigChoice> {
        self.config_choice.as_ref()
    }

    /// Starts the same scenario again from time zero with `seed`.
    fn restart(&mut self, seed: u64) -> Result<(), String> {
        let scenario = Scenario {
            seed,
            ..self.sim.scenario().clone()
        };
        self.load(scenario, self.preset, "restart")
    }

    /// Starts comparing with `algorithm` (or stops, with `None`). The comparison run replays this
    /// run from time zero (same scenario, seed and commands, algorithm switches left out) up to
    /// now, so both have seen the identical traffic.
    pub(super) fn set_compare(&mut self, algorithm: Option<Algorithm>) -> Result<(), String> {
        self.compare = None;
        self.compare_tape = None;
        let Some(algorithm) = algorithm else {
            return Ok(());
        };
        // Run B replays this run up to now, not the history this run may retrace from here:
        // comparing starts from the moment shown, and that history is let go.
        self.sim.forget_future();
        self.tape.fork(&self.sim);
        self.fork = None;
        let mut scenario = self.sim.export_scenario();
        scenario.algorithm = algorithm;
        scenario
            .timeline
            .retain(|t| !matches!(t.command, Command::SetAlgorithm(_)));
        let attempt = format!("compare with {}", algorithm.about().name);
        let mut other =
            Simulation::new(scenario).map_err(|e| errors::cannot(&attempt, &errors::reason(&e)))?;
        self.compare_tape = Some(Tape::new(&other));
        // It catches up within the frame budget, over the next frames if it must.
        other.advance_within(self.sim.now(), self.budget.events());
        discard_events(&mut other);
        self.compare = Some(other);
        Ok(())
    }

    /// Changes the look of the page; the browser shows and stores it.
    pub(super) fn show(&mut self, display: Display) -> Effect {
        self.display = display;
        Effect::ShowDisplay(display)
    }

    /// The URL fragment of a link that replays the session so far.
    pub(super) fn share_fragment(&self) -> String {
        format!(
            "#{}{}",
            share::FRAGMENT_KEY,
            share::pack(&self.sim.export_scenario())
        )
    }

    /// The simulated time as file names carry it, e.g. `42s`.
    fn stamp(&self) -> String {
        format!("{:.0}s", self.sim.now().as_secs_f64())
    }

    /// A download named `lb-{what}-{stamp}.{extension}`.
    fn download(&self, what: &str, (extension, mime): FileType, contents: String) -> Effect {
        Effect::Download(Download {
            filename: format!("lb-{what}-{}.{extension}", self.stamp()),
            mime,
            contents,
        })
    }
}

/// The request log kept in `history`, as CSV in arrival order.
fn request_log_csv(sim: &Simulation, history: &History) -> String {
    let mut csv = String::from(report::TRACE_HEADER);
    csv.push('\n');
    let mut records: Vec<_> = history.finished().iter().collect();
    records.sort_by_key(|r| r.seq);
    for r in records {
        csv += &report::trace_line(sim, r);
        csv.push('\n');
    }
    csv
}
