//! A step under way: when it began, what it has seen, and whether its wait is over. The same
//! [`Progress`] drives the page's lesson (an [`Observer`] of the outputs the session drains)
//! and the headless check ([`play_step`]), so both decide "met" by the same rule.

use super::format::{Condition, Lesson, Question, Wait};
use super::measure::{Meter, Reveal, reveal};
use crate::sim::engine::TraceRecord;
use crate::sim::history::Observer;
use crate::sim::{Command, Logged, SimDuration, SimTime, Simulation};

/// How far the run goes between looks at a step's condition (about what the page simulates in
/// a frame at 3x): a count is noticed within this much simulated time (an event is met at its
/// own time).
pub const QUANTUM: SimDuration = SimDuration::from_millis(50);

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    /// Its condition is not met yet, and its time limit has not passed.
    Waiting,
    /// Its condition was met (at this simulated time).
    Met(SimTime),
    /// Its time limit passed first.
    TimedOut,
}

/// A step of a lesson under way.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The step (0-based).
    pub step: usize,
    /// When it began.
    pub started: SimTime,
    /// What it waits for.
    wait: Option<Wait>,
    /// What it asks.
    question: Option<Question>,
    /// Requests answered successfully before it began.
    served_before: u64,
    /// Events its condition counts, so far.
    seen: u32,
    /// When the last event it waits for happened.
    seen_at: Option<SimTime>,
    meter: Meter,
    state: StepState,
    /// Its question's answer, once the wait is over (or why the run cannot reveal it).
    reveal: Option<Result<Reveal, String>>,
}

impl Progress {
    /// Step `step` of `lesson`, beginning now (its commands already applied).
    pub fn begin(lesson: &Lesson, step: usize, sim: &Simulation) -> Progress {
        Progress {
            step,
            started: sim.now(),
            wait: lesson.steps[step].wait,
            question: lesson.steps[step].question.clone(),
            served_before: sim.totals().completed,
            seen: 0,
            seen_at: None,
            meter: Meter::new(sim.now()),
            state: StepState::Waiting,
            reveal: None,
        }
    }

    /// Where the step stands.
    pub fn state(&self) -> StepState {
        self.state
    }

    /// Its question's answer, once the wait is over.
    pub fn reveal(&self) -> Option<&Result<Reveal, String>> {
        self.reveal.as_ref()
    }

    /// The simulated time after `now` the run must not pass before [`Progress::update`] looks
    /// again, while the step waits: the next multiple of [`QUANTUM`] from the step's start, the
    /// end of a time condition, or the time limit, whichever comes first. The page and the
    /// headless check both look at exactly these times, so a step ends at the same instant in
    /// both and the page reveals the numbers `lbsim lesson --check` prints.
    pub fn next_look(&self, now: SimTime) -> Option<SimTime> {
        let wait = self.wait.filter(|_| self.state == StepState::Waiting)?;
        let limit = self.started + wait.within;
        let stop = match wait.until {
            Condition::Time(d) => limit.min(self.started + d),
            _ => limit,
        };
        let quanta = now.saturating_since(self.started).0 / QUANTUM.0 + 1;
        Some(stop.min(self.started + SimDuration(quanta * QUANTUM.0)))
    }

    /// Looks at the run now: when the condition is met (or the time limit passed) the step's
    /// state changes and its question's answer is measured.
    pub fn update(&mut self, sim: &Simulation) -> StepState {
        if self.state != StepState::Waiting {
            return self.state;
        }
        let now = sim.now();
        // When the condition was met: an event's own time, or now.
        let met = match self.wait {
            None => Some(now),
            Some(wait) => match wait.until {
                Condition::Time(d) => (now >= self.started + d).then_some(now),
                Condition::Served(n) => {
                    (sim.totals().completed - self.served_before >= n).then_some(now)
                }
                Condition::Event(_) => self.seen_at,
            },
        };
        let late = self
            .wait
            .is_some_and(|w| now.saturating_since(self.started) >= w.within);
        if let Some(at) = met {
            self.state = StepState::Met(at);
            self.meter.stop(at);
        } else if late {
            self.meter.stop(now);
            self.state = StepState::TimedOut;
        } else {
            return self.state;
        }
        self.reveal = self.question.as_ref().map(|q| reveal(q, &self.meter, sim));
        self.state
    }
}

impl Observer for Progress {
    fn event(&mut self, logged: &Logged) {
        if self.state != StepState::Waiting {
            return;
        }
        self.meter.event(logged);
        if let Some(Condition::Event(pattern)) = self.wait.map(|w| w.until)
            && pattern.matches(&logged.event)
        {
            self.seen += 1;
            if self.seen == pattern.times {
                self.seen_at = Some(logged.at);
            }
        }
    }

    fn finished(&mut self, record: &TraceRecord) {
        if self.state == StepState::Waiting {
            self.meter.finished(record);
        }
    }
}

/// Shows `observer` what `sim` produced since the last call (events and finished requests).
pub fn absorb(observer: &mut Progress, sim: &mut Simulation) {
    while let Some(logged) = sim.poll_event() {
        observer.event(&logged);
    }
    while let Some(record) = sim.poll_finished() {
        observer.finished(&record);
    }
}

/// A step played headless: how it ended, and the first of its commands the run refused.
#[derive(Clone, Debug, PartialEq)]
pub struct Played {
    /// The step, its wait over or its time limit passed.
    pub progress: Progress,
    /// Why a command was refused (the others were applied and the step played all the same).
    pub refused: Option<String>,
}

/// Plays step `index` of `lesson` headless: applies its commands, then advances `sim` from
/// look to look ([`Progress::next_look`]) until its wait is over or its time limit passed.
/// `feed` hands the run's outputs to the progress (and to whoever else keeps them, the
/// session's history).
pub fn play_step(
    lesson: &Lesson,
    index: usize,
    sim: &mut Simulation,
    feed: &mut dyn FnMut(&mut Progress, &mut Simulation),
) -> Played {
    let refused = apply_commands(lesson, index, &mut |c| {
        sim.apply(c).map_err(|e| e.to_string())
    })
    .map(|(n, why)| format!("command {n} was refused: {why}"));
    let mut progress = Progress::begin(lesson, index, sim);
    feed(&mut progress, sim);
    while progress.update(sim) == StepState::Waiting {
        let to = progress
            .next_look(sim.now())
            .expect("a waiting step has a wait");
        sim.advance_to(to);
        feed(&mut progress, sim);
    }
    Played { progress, refused }
}

/// Applies step `index`'s commands with `apply`, every one of them: the first refusal, if any,
/// with the command's number (from 1).
pub fn apply_commands(
    lesson: &Lesson,
    index: usize,
    apply: &mut dyn FnMut(Command) -> Result<(), String>,
) -> Option<(usize, String)> {
    let mut refused = None;
    for (i, command) in lesson.steps[index].commands.iter().enumerate() {
        if let Err(why) = apply(*command) {
            refused.get_or_insert((i + 1, why));
        }
    }
    refused
}
