//! Guided lessons, as data. A lesson is a file like a scenario (JSON, versioned, validated with
//! field paths in its errors): a starting scenario and steps. A step has a caption, commands to
//! apply, what to point at, a condition to wait for (an event of the core, a count, a time)
//! with a time limit, and an optional prediction whose answer is measured from the run.
//!
//! ```text
//!  lesson file ─► Lesson ─► step: commands ─► Simulation ─► Event values ─► condition matcher
//!                                                 └─► finished requests ─► Meter ─► reveal
//! ```
//!
//! Conditions match the core's [`Event`](crate::sim::Event) values, never the words
//! [`narrate`](crate::sim::narrate) makes of them. The same [`Progress`] rules drive the page's
//! lesson panel (through the session) and the headless [`check`] that `lbsim lesson --check`
//! and the tests run on every shipped lesson.

pub mod caption;
mod check;
mod condition;
mod format;
mod measure;
mod progress;
mod shipped;
mod validate;
mod words;

pub use check::{Failed, Passed, check};
pub use format::{
    Answer, Chart, Choice, ChoiceAnswer, Condition, Control, EventKind, EventPattern, Highlight,
    Lesson, Measure, NumberAnswer, Question, ServerRef, Start, Step, Wait,
};
pub use measure::{Guess, Meter, Reveal};
pub use progress::{Played, Progress, QUANTUM, StepState, absorb, apply_commands, play_step};
pub use shipped::{LESSONS, Shipped, shipped};
pub use validate::{LessonError, MAX_COMMANDS, MAX_STEPS, MAX_TEXT, MAX_WAIT};

/// The lesson file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[cfg(test)]
mod tests;
