//! The headless check of a lesson (`lbsim lesson ID --check`, and the tests): the lesson is
//! played from its scenario, step after step, exactly as the page plays it when nobody touches
//! a control. It passes when every step's wait is met within its time limit and every question
//! has an answer the run can reveal.

use super::format::Lesson;
use super::measure::Reveal;
use super::progress::{Progress, StepState, absorb, play_step};
use crate::sim::{SimTime, Simulation};

/// How a step of a passing lesson ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Passed {
    /// When its wait was met.
    pub at: SimTime,
    /// Its question's answer, if it asks one.
    pub reveal: Option<Reveal>,
}

/// Why a lesson failed its check: the step (0-based) and what went wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failed {
    /// The step.
    pub step: usize,
    /// What went wrong, in words.
    pub why: String,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "step {}: {}", self.step + 1, self.why)
    }
}

/// Plays `lesson` headless from its start; how every step ended, or the first that failed.
pub fn check(lesson: &Lesson) -> Result<Vec<Passed>, Failed> {
    let fail = |step, why: String| Failed { step, why };
    let scenario = lesson.scenario().map_err(|e| fail(0, e.to_string()))?;
    let mut sim = Simulation::new(scenario).map_err(|e| fail(0, e.to_string()))?;
    sim.keep_finished(true);
    let mut passed = Vec::with_capacity(lesson.steps.len());
    for index in 0..lesson.steps.len() {
        let played = play_step(lesson, index, &mut sim, &mut absorb);
        if let Some(why) = played.refused {
            return Err(fail(index, why));
        }
        passed.push(outcome(lesson, &played.progress).map_err(|why| fail(index, why))?);
    }
    Ok(passed)
}

/// How a step that was played ended, or why that fails the check.
fn outcome(lesson: &Lesson, progress: &Progress) -> Result<Passed, String> {
    let step = &lesson.steps[progress.step];
    let at = match progress.state() {
        StepState::Met(at) => at,
        StepState::Waiting | StepState::TimedOut => {
            let wait = step.wait.expect("a step without a wait is met at once");
            return Err(format!(
                "its wait was not met within {}",
                wait.within.to_message_string()
            ));
        }
    };
    let reveal = match progress.reveal() {
        None => None,
        Some(Ok(reveal)) => Some(reveal.clone()),
        Some(Err(why)) => return Err(format!("its question cannot be answered: {why}")),
    };
    Ok(Passed { at, reveal })
}
