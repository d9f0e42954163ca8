//! How the page looks, as opposed to what it shows: the colour theme and reduced motion. The
//! choice is session state like any other (a shortcut cycles it, a select sets it); putting it on
//! the document and keeping it in local storage is the browser adapter's part.

use std::fmt;

/// A colour theme.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Dark ink on light panels.
    #[default]
    Light,
    /// Light ink on dark panels, for a dim room.
    Dark,
    /// Black on white, larger type and thicker lines, for a projector at the back of a lecture hall.
    Projector,
}

impl Theme {
    /// Every theme, in the order the picker offers them and the shortcut cycles them.
    pub const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::Projector];

    /// The name used in the document attribute and in storage.
    pub fn id(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Projector => "projector",
        }
    }

    /// The theme with this id.
    pub fn from_id(id: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The next theme, back to the first after the last.
    pub fn next(self) -> Theme {
        let i = Theme::ALL.iter().position(|&t| t == self).unwrap_or(0);
        Theme::ALL[(i + 1) % Theme::ALL.len()]
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Theme::Light => "Light",
            Theme::Dark => "Dark",
            Theme::Projector => "Projector",
        })
    }
}

/// The look of the page: theme and motion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Display {
    /// The colour theme.
    pub theme: Theme,
    /// Requests are counted on their links instead of travelling as moving dots.
    pub reduced_motion: bool,
}
