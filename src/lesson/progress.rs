//! A step under way: when it began, what it has seen, and whether its wait is over. The same
//! [`Progress`] drives the page's lesson (fed as the session absorbs the run's outputs) and the
//! headless check ([`play_step`]), so both decide "met" by the same rule.

use super::format::{Condition, Lesson, Step};
use super::measure::{Meter, Reveal, reveal};
use crate::sim::engine::TraceRecord;
use crate::sim::{Logged, SimDuration, SimTime, Simulation};

/// How far the headless runner advances between looks at a step's condition (about what the
/// page simulates in a frame at 3x): an event is noticed within this much simulated time.
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
    /// Step `step`, beginning now (its commands already applied).
    pub fn begin(step: usize, sim: &Simulation) -> Progress {
        Progress {
            step,
            started: sim.now(),
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

    /// Takes an event of the run.
    pub fn event(&mut self, step: &Step, logged: &Logged) {
        if self.state != StepState::Waiting {
            return;
        }
        self.meter.event(logged);
        if let Some(Condition::Event(pattern)) = step.wait.map(|w| w.until)
            && pattern.matches(&logged.event)
        {
            self.seen += 1;
            if self.seen == pattern.times {
                self.seen_at = Some(logged.at);
            }
        }
    }

    /// Takes a request that finished.
    pub fn finished(&mut self, record: &TraceRecord) {
        if self.state == StepState::Waiting {
            self.meter.finished(record);
        }
    }

    /// The simulated time the run must not pass before [`Progress::update`] looks again: the
    /// end of a time condition, or the time limit.
    pub fn stop_at(&self, step: &Step) -> Option<SimTime> {
        let wait = step.wait.filter(|_| self.state == StepState::Waiting)?;
        let limit = self.started + wait.within;
        Some(match wait.until {
            Condition::Time(d) => limit.min(self.started + d),
            _ => limit,
        })
    }

    /// Looks at the run now: when the condition is met (or the time limit passed) the step's
    /// state changes and its question's answer is measured.
    pub fn update(&mut self, step: &Step, sim: &Simulation) -> StepState {
        if self.state != StepState::Waiting {
            return self.state;
        }
        let now = sim.now();
        // When the condition was met: an event's own time, or now.
        let met = match step.wait {
            None => Some(now),
            Some(wait) => match wait.until {
                Condition::Time(d) => (now >= self.started + d).then_some(now),
                Condition::Served(n) => {
                    (sim.totals().completed - self.served_before >= n).then_some(now)
                }
                Condition::Event(_) => self.seen_at,
            },
        };
        let late = step
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
        self.reveal = step.question.as_ref().map(|q| reveal(q, &self.meter, sim));
        self.state
    }
}

/// Feeds `progress` what `sim` produced since the last call (events and finished requests).
pub fn absorb(progress: &mut Progress, step: &Step, sim: &mut Simulation) {
    while let Some(logged) = sim.poll_event() {
        progress.event(step, &logged);
    }
    while let Some(record) = sim.poll_finished() {
        progress.finished(&record);
    }
}

/// Plays step `index` of `lesson` headless: applies its commands, then advances `sim` by
/// [`QUANTUM`] at most until its wait is over or its time limit passed. `feed` hands the run's
/// outputs to the progress (and to whoever else keeps them). A refused command is an error.
pub fn play_step(
    lesson: &Lesson,
    index: usize,
    sim: &mut Simulation,
    feed: &mut dyn FnMut(&mut Progress, &Step, &mut Simulation),
) -> Result<Progress, String> {
    let step = &lesson.steps[index];
    for (i, command) in step.commands.iter().enumerate() {
        sim.apply(*command)
            .map_err(|e| format!("command {} was refused: {e}", i + 1))?;
    }
    let mut progress = Progress::begin(index, sim);
    feed(&mut progress, step, sim);
    while progress.update(step, sim) == StepState::Waiting {
        let next = sim.now() + QUANTUM;
        let to = progress.stop_at(step).map_or(next, |stop| stop.min(next));
        sim.advance_to(to);
        feed(&mut progress, step, sim);
    }
    Ok(progress)
}
