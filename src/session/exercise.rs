//! "You are the balancer" in the session: the exercise on, and the score kept across every
//! exercise of the session. Each exercise is drawn from a fresh seed: the n-th of the session
//! from the run's seed and n, so a session replays the same exercises and a new one differs.

use super::state::Session;
use crate::exercise::{Exercise, Kind, Score, Sheet};
use crate::sim::hash::splitmix64;

/// The session's exercises: the one on, the score over all of them, and how many were drawn.
#[derive(Default)]
pub(super) struct Practice {
    on: Option<Exercise>,
    score: Score,
    drawn: u64,
}

impl Session {
    /// The exercise on, as the page shows it.
    pub fn exercise(&self) -> Option<&Sheet> {
        self.practice.on.as_ref().map(Exercise::sheet)
    }

    /// Right picks out of picks made in every exercise of the session.
    pub fn exercise_score(&self) -> Score {
        self.practice.score
    }

    /// Starts an exercise of `kind` from a fresh seed (leaving any lesson).
    pub(super) fn start_exercise(&mut self, kind: Kind) {
        let practice = &mut self.practice;
        practice.drawn += 1;
        let seed = splitmix64(self.sim.scenario().seed.wrapping_add(practice.drawn));
        practice.on = Some(Exercise::new(kind, seed));
        self.lesson = None;
    }

    /// A fresh exercise of the kind on (nothing without one).
    pub(super) fn new_exercise(&mut self) {
        if let Some(kind) = self.exercise().map(|s| s.kind) {
            self.start_exercise(kind);
        }
    }

    /// The student picks `server` for the request on; the pick is graded and counted.
    pub(super) fn pick(&mut self, server: usize) {
        let practice = &mut self.practice;
        if let Some(answer) = practice.on.as_mut().and_then(|e| e.pick(server)) {
            practice.score.add(answer);
        }
    }

    /// The next request of the exercise on, once this one is answered.
    pub(super) fn next_request(&mut self) {
        if let Some(exercise) = self.practice.on.as_mut() {
            exercise.next_request();
        }
    }

    /// Leaves the exercise; the score stays.
    pub(super) fn close_exercise(&mut self) {
        self.practice.on = None;
    }
}
