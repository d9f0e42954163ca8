//! Importing a config in the page: a file or pasted text holding several upstreams (backends,
//! clusters) asks which one, and the choice imports it from the same text.

use crate::config::{self, Format, ImportError, Imported};

/// A config waiting for the user to pick one of its blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigChoice {
    /// The config's text.
    pub text: String,
    /// Its format.
    pub format: Format,
    /// The names of its blocks, in the file's order.
    pub names: Vec<String>,
}

impl ConfigChoice {
    /// What the format calls a block ("upstream", "backend", "cluster").
    pub fn block(&self) -> &'static str {
        self.format.block()
    }
}

/// What importing `text` (optionally its block `select`) gives: a scenario, a question (which
/// block), or why it cannot be imported.
pub(super) enum Outcome {
    /// Imported.
    Imported(Box<Imported>),
    /// The text has several blocks and none was chosen.
    Choose(ConfigChoice),
    /// It cannot be imported (a sentence).
    Failed(String),
}

/// Imports `text` in its detected format.
pub(super) fn import(text: String, select: Option<&str>) -> Outcome {
    let format = Format::detect(&text);
    match config::import(&text, format, select) {
        Ok(imported) => Outcome::Imported(Box::new(imported)),
        Err(ImportError::Choose { format, names }) => Outcome::Choose(ConfigChoice {
            text,
            format,
            names,
        }),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}
