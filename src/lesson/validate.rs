//! Reading and checking lesson files: the JSON is read with field paths in its errors (as
//! scenario files are), then every value is checked; an error names the first bad field,
//! e.g. `steps[2].wait.within: 0s is below the minimum 1s`.

use super::FORMAT_VERSION;
use super::caption;
use super::format::{Answer, Condition, Lesson, Start};
use crate::sim::presets::{PRESETS, preset};
use crate::sim::scenario::{MAX_FILE_BYTES, ParseError, parse_json};
use crate::sim::validation::{ValidationError, check_duration, check_range};
use crate::sim::{Scenario, SimDuration};

/// The most steps a lesson may have.
pub const MAX_STEPS: usize = 50;
/// The most commands a step may apply.
pub const MAX_COMMANDS: usize = 50;
/// The longest caption, prompt or sentence, in characters.
pub const MAX_TEXT: usize = 1_000;
/// The longest a step may wait.
pub const MAX_WAIT: SimDuration = SimDuration::HOUR;

/// Why a lesson file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LessonError {
    /// More bytes than a lesson file may have (the scenario file limit).
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// Not a lesson file: the JSON does not parse, or a field has the wrong name or shape.
    Unreadable(ParseError),
    /// A value is out of bounds: the field and why.
    Invalid(ValidationError),
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LessonError::TooLarge { bytes } => {
                write!(f, "{bytes} bytes is more than the maximum {MAX_FILE_BYTES}")
            }
            LessonError::Unreadable(e) => e.fmt(f),
            LessonError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LessonError {}

impl Lesson {
    /// Reads a lesson file (JSON), checking its size, its format and every value.
    pub fn from_json(text: &str) -> Result<Lesson, LessonError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(LessonError::TooLarge { bytes: text.len() });
        }
        let lesson: Lesson = parse_json(text).map_err(LessonError::Unreadable)?;
        lesson.validate().map_err(LessonError::Invalid)?;
        Ok(lesson)
    }

    /// Writes the lesson as a readable JSON file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a lesson always serialises")
    }

    /// The scenario the lesson starts from.
    pub fn scenario(&self) -> Result<Scenario, ValidationError> {
        match &self.start {
            Start::Preset(id) => preset(id).ok_or_else(|| {
                let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
                ValidationError::new(
                    "start.preset",
                    format!(
                        "there is no preset {id:?} (the presets are: {})",
                        ids.join(", ")
                    ),
                )
            }),
            Start::Scenario(s) => Ok((**s).clone()),
        }
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.version != FORMAT_VERSION {
            return Err(ValidationError::new(
                "version",
                format!(
                    "version {} is not supported (this build reads version {FORMAT_VERSION})",
                    self.version
                ),
            ));
        }
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            return Err(ValidationError::new(
                "id",
                "must be 1 to 64 lower case letters, digits and dashes",
            ));
        }
        check_text("title", &self.title, 120)?;
        let scenario = self.scenario()?;
        if let Start::Scenario(_) = self.start {
            scenario.validate().map_err(|e| ValidationError {
                field: format!("start.scenario.{}", e.field),
                ..e
            })?;
        }
        if !(1..=MAX_STEPS).contains(&self.steps.len()) {
            return Err(ValidationError::new(
                "steps",
                format!("{} steps is not within 1 to {MAX_STEPS}", self.steps.len()),
            ));
        }
        for (i, step) in self.steps.iter().enumerate() {
            let field = format!("steps[{i}]");
            if let Some(chapter) = &step.chapter {
                check_text(&format!("{field}.chapter"), chapter, 80)?;
            }
            check_caption(&format!("{field}.caption"), &step.caption)?;
            if step.commands.len() > MAX_COMMANDS {
                return Err(ValidationError::new(
                    format!("{field}.commands"),
                    format!(
                        "{} commands is more than the maximum {MAX_COMMANDS}",
                        step.commands.len()
                    ),
                ));
            }
            if let Some(wait) = step.wait {
                let within = format!("{field}.wait.within");
                check_duration(&within, wait.within, SimDuration::MS, MAX_WAIT)?;
                match wait.until {
                    Condition::Time(d) => {
                        check_duration(
                            &format!("{field}.wait.until.time"),
                            d,
                            SimDuration::MS,
                            wait.within,
                        )?;
                    }
                    Condition::Served(n) => {
                        check_range(&format!("{field}.wait.until.served"), n as f64, 1.0, 1e9)?;
                    }
                    Condition::Event(p) => {
                        check_range(
                            &format!("{field}.wait.until.event.times"),
                            f64::from(p.times),
                            1.0,
                            1e6,
                        )?;
                    }
                }
            }
            if let Some(q) = &step.question {
                let field = format!("{field}.question");
                if step.wait.is_none() {
                    return Err(ValidationError::new(
                        field,
                        "a question needs a wait: its answer is measured while the step runs",
                    ));
                }
                check_caption(&format!("{field}.prompt"), &q.prompt)?;
                check_text(&format!("{field}.why"), &q.why, MAX_TEXT)?;
                check_answer(&format!("{field}.answer"), &q.answer)?;
            }
        }
        Ok(())
    }
}

/// Checks a caption: its length and its markup.
fn check_caption(field: &str, text: &str) -> Result<(), ValidationError> {
    check_text(field, text, MAX_TEXT)?;
    caption::spans(text)
        .map(drop)
        .map_err(|problem| ValidationError::new(field, problem))
}

/// Checks a text: not blank, and at most `max` characters.
fn check_text(field: &str, text: &str, max: usize) -> Result<(), ValidationError> {
    let length = text.chars().count();
    if text.trim().is_empty() || length > max {
        return Err(ValidationError::new(
            field,
            format!("must be 1 to {max} characters (it has {length})"),
        ));
    }
    Ok(())
}

/// Checks an answer: 2 to 6 choices, each covering some values; or a slider with a range.
fn check_answer(field: &str, answer: &Answer) -> Result<(), ValidationError> {
    match answer {
        Answer::Choice(c) => {
            let field = format!("{field}.choice.choices");
            if !(2..=6).contains(&c.choices.len()) {
                return Err(ValidationError::new(
                    field,
                    format!("{} choices is not within 2 to 6", c.choices.len()),
                ));
            }
            for (i, choice) in c.choices.iter().enumerate() {
                let field = format!("{field}[{i}]");
                check_text(&format!("{field}.text"), &choice.text, 120)?;
                let ends = [choice.is, choice.from, choice.below];
                if ends.iter().flatten().any(|v| !v.is_finite()) {
                    return Err(ValidationError::new(
                        field,
                        "its values must be finite numbers",
                    ));
                }
                let ranged = choice.from.is_some() || choice.below.is_some();
                if choice.is.is_some() == ranged {
                    return Err(ValidationError::new(
                        field,
                        "give either is, or from and/or below",
                    ));
                }
                if let (Some(from), Some(below)) = (choice.from, choice.below)
                    && from >= below
                {
                    return Err(ValidationError::new(
                        format!("{field}.below"),
                        format!("{below} is not above from ({from})"),
                    ));
                }
            }
            Ok(())
        }
        Answer::Number(n) => {
            let field = format!("{field}.number");
            check_range(&format!("{field}.min"), n.min, -1e9, 1e9)?;
            check_range(&format!("{field}.max"), n.max, n.min, 1e9)?;
            if n.max == n.min {
                return Err(ValidationError::new(
                    format!("{field}.max"),
                    "must be above min",
                ));
            }
            check_range(&format!("{field}.step"), n.step, 1e-6, n.max - n.min)?;
            check_range(
                &format!("{field}.tolerance_percent"),
                n.tolerance_percent,
                0.0,
                100.0,
            )
        }
    }
}
