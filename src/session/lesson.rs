//! A lesson in the session: which step is on, what the student guessed, and what Continue,
//! Back, a chapter and an answer do. The run pauses where the lesson says: when a step's wait is
//! over, and while a question waits for its answer. Back and the chapter menu replay the
//! lesson headless to the start of the step (the run is deterministic, so it is the same run;
//! changes made by hand since are not replayed).

use super::errors;
use super::state::Session;
use crate::lesson::{
    Guess, Highlight, Lesson, Progress, Reveal, Start, StepState, apply_commands, play_step,
};
use crate::sim::presets::PRESETS;
use crate::sim::{SimTime, Simulation};

/// A lesson under way.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonRun {
    lesson: Lesson,
    progress: Progress,
    /// Each step's guess, once given.
    guesses: Vec<Option<Guess>>,
    /// Each step's grade, once its answer was revealed after a guess.
    right: Vec<Option<bool>>,
    /// Continue was pressed on the last step.
    done: bool,
}

impl LessonRun {
    /// The lesson.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The step on (0-based).
    pub fn step(&self) -> usize {
        self.progress.step
    }

    /// Where the step stands.
    pub fn state(&self) -> StepState {
        self.progress.state()
    }

    /// The step's question's answer, once its wait is over.
    pub fn reveal(&self) -> Option<&Result<Reveal, String>> {
        self.progress.reveal()
    }

    /// The guess given on the step on.
    pub fn guess(&self) -> Option<Guess> {
        self.guesses[self.step()]
    }

    /// Whether the guess on the step on was right (once revealed).
    pub fn right(&self) -> Option<bool> {
        self.right[self.step()]
    }

    /// Whether Continue was pressed on the last step.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Right guesses and questions asked so far.
    pub fn score(&self) -> (usize, usize) {
        let graded = self.right.iter().flatten();
        let asked = self.lesson.steps[..=self.step()]
            .iter()
            .filter(|s| s.question.is_some())
            .count();
        (graded.filter(|&&r| r).count(), asked)
    }

    /// The chapters: the step each starts at and its title.
    pub fn chapters(&self) -> Vec<(usize, &str)> {
        let steps = self.lesson.steps.iter().enumerate();
        steps
            .filter_map(|(i, s)| s.chapter.as_deref().map(|c| (i, c)))
            .collect()
    }
}

impl Session {
    /// The lesson under way, if any.
    pub fn lesson(&self) -> Option<&LessonRun> {
        self.lesson.as_ref()
    }

    /// Starts `lesson` from its first step; a lesson whose scenario cannot run leaves the run
    /// (and any lesson under way) as it was.
    pub(super) fn start_lesson(&mut self, lesson: Lesson) -> Result<(), String> {
        let previous = self.lesson.take();
        if let Err(why) = self.replay(&lesson, 0) {
            self.lesson = previous;
            return Err(why);
        }
        let steps = lesson.steps.len();
        self.close_exercise();
        self.lesson = Some(LessonRun {
            progress: Progress::begin(&lesson, 0, &self.sim),
            lesson,
            guesses: vec![None; steps],
            right: vec![None; steps],
            done: false,
        });
        self.begin_step(0)
    }

    /// Starts step `index` afresh: the lesson's scenario from time zero, the steps before it
    /// played headless, then its own commands. Its guess and those of the steps after it are
    /// forgotten, so they can be given again. A scenario that cannot run leaves the lesson
    /// where it was.
    pub(super) fn go_to_step(&mut self, index: usize) -> Result<(), String> {
        let Some(mut run) = self.lesson.take() else {
            return Err("There is no lesson under way.".into());
        };
        let index = index.min(run.lesson.steps.len() - 1);
        let replayed = self.replay(&run.lesson, index);
        if replayed.is_ok() {
            run.done = false;
            run.guesses[index..].fill(None);
            run.right[index..].fill(None);
        }
        self.lesson = Some(run);
        // A command refused on the way is said; the step begins all the same.
        let refused = replayed?;
        let begun = self.begin_step(index);
        refused.map_or(begun, Err)
    }

    /// Starts `lesson`'s scenario from time zero and plays its steps before `index` headless,
    /// as the check does; a scenario that cannot run leaves the run as it was (the error). A
    /// command refused on the way is skipped, the others applied: the sentence saying so.
    fn replay(&mut self, lesson: &Lesson, index: usize) -> Result<Option<String>, String> {
        let attempt = format!("start the lesson {}", lesson.title);
        let scenario = lesson
            .scenario()
            .map_err(|e| errors::cannot(&attempt, &errors::reason(&e)))?;
        let preset = match &lesson.start {
            Start::Preset(id) => PRESETS.iter().find(|p| p.id == id).map(|p| p.id),
            Start::Scenario(_) => None,
        };
        self.load(scenario, preset, &attempt)?;
        let (sim, history) = (&mut self.sim, &mut self.history);
        let mut refused = None;
        for i in 0..index {
            let played = play_step(lesson, i, sim, &mut |p, sim| {
                history.absorb_observed(sim, p);
            });
            if let Some(why) = played.refused {
                refused.get_or_insert(format!("In step {} of the lesson, {why}.", i + 1));
            }
        }
        // The comparison run catches up with the replayed one.
        let compared = self.compare.as_ref().map(Simulation::algorithm);
        self.set_compare(compared)?;
        Ok(refused)
    }

    /// Begins step `index` live: applies its commands (every one, as the check does; the first
    /// refusal is said), points at what it highlights, and plays unless it asks a question
    /// first (or waits for nothing).
    fn begin_step(&mut self, index: usize) -> Result<(), String> {
        let Some(lesson) = self.lesson.as_ref().map(|run| run.lesson.clone()) else {
            return Ok(());
        };
        let refused = apply_commands(&lesson, index, &mut |c| self.apply(c)).map(|(_, why)| why);
        let Some(run) = self.lesson.as_mut() else {
            return Ok(());
        };
        run.progress = Progress::begin(&run.lesson, index, &self.sim);
        let step = &run.lesson.steps[index];
        if let Some(Highlight::Server(server)) = step.highlight
            && server.0 < self.sim.servers().len()
        {
            self.selected = Some(server.0);
        }
        let play = step.wait.is_some() && step.question.is_none();
        self.clock.set_playing(play);
        self.update_lesson();
        refused.map_or(Ok(()), Err)
    }

    /// Continue: the next step, or the end of the lesson after the last.
    pub(super) fn continue_lesson(&mut self) -> Result<(), String> {
        let Some(run) = self.lesson.as_mut() else {
            return Err("There is no lesson under way.".into());
        };
        if run.state() == StepState::Waiting {
            return Err("This step is not over yet: Continue comes when it is.".into());
        }
        let next = run.step() + 1;
        if next == run.lesson.steps.len() {
            run.done = true;
            self.clock.set_playing(false);
            return Ok(());
        }
        self.begin_step(next)
    }

    /// The student's answer to the step's question: kept, and the run goes on to reveal it.
    pub(super) fn answer(&mut self, guess: Guess) {
        let Some(run) = self.lesson.as_mut() else {
            return;
        };
        if run.state() == StepState::Waiting && run.lesson.steps[run.step()].question.is_some() {
            let step = run.step();
            run.guesses[step] = Some(guess);
            self.clock.set_playing(true);
        }
    }

    /// The simulated time the run may not pass before the lesson looks again.
    pub(super) fn lesson_look(&self) -> Option<SimTime> {
        let run = self.lesson.as_ref()?;
        run.progress.next_look(self.sim.now())
    }

    /// Looks at the step after the run moved: when its wait is over the run pauses, the guess
    /// is graded, and the answer is true.
    pub(super) fn update_lesson(&mut self) -> bool {
        let Some(run) = self.lesson.as_mut() else {
            return false;
        };
        if run.state() != StepState::Waiting {
            return false;
        }
        if run.progress.update(&self.sim) == StepState::Waiting {
            return false;
        }
        self.clock.set_playing(false);
        self.pending = None;
        let step = run.step();
        let question = run.lesson.steps[step].question.as_ref();
        if let (Some(q), Some(Ok(reveal)), Some(guess)) =
            (question, run.progress.reveal(), run.guesses[step])
        {
            run.right[step] = Some(guess.is_right(q, reveal));
        }
        true
    }

    /// Feeds the lesson's step, the history and the live region what the run produced.
    pub(super) fn absorb(&mut self) {
        let new = match self.lesson.as_mut() {
            Some(run) => self
                .history
                .absorb_observed(&mut self.sim, &mut run.progress),
            None => self.history.absorb(&mut self.sim),
        };
        self.announce_latest(new);
    }
}
