//! Keyboard shortcuts: the whole playground can be driven from the keyboard, which matters when the
//! teacher is at a projector. [`SHORTCUTS`] is the one list: the "?" overlay shows it and
//! [`Shortcut::of`] reads keys from it, so the two cannot disagree; [`Shortcut::action`] says what
//! each one does. Listening to the keyboard (and leaving alone keys a focused control needs) is
//! the browser adapter's part.

use super::action::{Action, ServerAction};
use super::layout::Layout;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// Play or pause.
    TogglePlay,
    /// Advance a paused run by one step.
    Step,
    /// Jump ahead 10 s.
    Skip,
    /// Run on to the next change of state.
    NextChange,
    /// A clicker's "next": Continue in a lesson, else a step.
    Forward,
    /// A clicker's "previous": Back in a lesson, else a step back in time.
    Backward,
    /// The next slower speed.
    Slower,
    /// The next faster speed.
    Faster,
    /// Select server n (0-based: the key "1" is `Select(0)`).
    Select(usize),
    /// Select the previous server.
    PreviousServer,
    /// Select the next server.
    NextServer,
    /// Kill the selected server, or revive it.
    KillRevive,
    /// The selected server's next slow-down factor.
    SlowDown,
    /// The selected server's weight up by one.
    WeightUp,
    /// The selected server's weight down by one.
    WeightDown,
    /// Drain the selected server, or undrain it.
    Drain,
    /// Add a server.
    AddServer,
    /// Restart with the same seed.
    Restart,
    /// The next theme.
    Theme,
    /// Reduced motion on or off.
    Motion,
    /// Stage mode on or off.
    Stage,
    /// The present layout on or off.
    Present,
    /// Show or hide the list of shortcuts.
    Help,
    /// Close the list of shortcuts.
    Close,
}

/// Every shortcut: the keys (as the browser's `KeyboardEvent.key` names them), how the overlay
/// writes them, and what they do.
pub const SHORTCUTS: &[(&[&str], &str, &str, Shortcut)] = &[
    (&[" "], "Space", "play / pause", Shortcut::TogglePlay),
    (
        &["ArrowRight"],
        "→",
        "step 100 ms (while paused)",
        Shortcut::Step,
    ),
    (&["f"], "f", "fast-forward: jump 10 s ahead", Shortcut::Skip),
    (
        &["n"],
        "n",
        "run on to the next event (a change of state)",
        Shortcut::NextChange,
    ),
    (
        &["PageDown", "."],
        "PgDn or .",
        "a clicker's next: Continue in a lesson, else step 100 ms",
        Shortcut::Forward,
    ),
    (
        &["PageUp"],
        "PgUp",
        "a clicker's previous: Back in a lesson, else 100 ms back in time",
        Shortcut::Backward,
    ),
    (&["["], "[", "slower", Shortcut::Slower),
    (&["]"], "]", "faster", Shortcut::Faster),
    (
        &["1", "2", "3", "4", "5", "6", "7", "8", "9"],
        "1 – 9",
        "select server 1 to 9",
        Shortcut::Select(0),
    ),
    (
        &["ArrowUp"],
        "↑",
        "select the previous server",
        Shortcut::PreviousServer,
    ),
    (
        &["ArrowDown"],
        "↓",
        "select the next server",
        Shortcut::NextServer,
    ),
    (
        &["k"],
        "k",
        "kill / revive the selected server",
        Shortcut::KillRevive,
    ),
    (
        &["s"],
        "s",
        "slow the selected server down (x1, x2, x5, x10)",
        Shortcut::SlowDown,
    ),
    (
        &["+", "="],
        "+",
        "selected server's weight +1",
        Shortcut::WeightUp,
    ),
    (
        &["-"],
        "−",
        "selected server's weight −1",
        Shortcut::WeightDown,
    ),
    (
        &["d"],
        "d",
        "drain / undrain the selected server",
        Shortcut::Drain,
    ),
    (&["a"], "a", "add a server", Shortcut::AddServer),
    (&["r"], "r", "restart with the same seed", Shortcut::Restart),
    (
        &["t"],
        "t",
        "next theme (light, dark, projector)",
        Shortcut::Theme,
    ),
    (&["m"], "m", "reduced motion on / off", Shortcut::Motion),
    (
        &["v"],
        "v",
        "stage mode: the flow fills the screen",
        Shortcut::Stage,
    ),
    (
        &["p"],
        "p",
        "present layout: flow, two charts and the timeline on one screen",
        Shortcut::Present,
    ),
    (&["?"], "?", "show / hide this list", Shortcut::Help),
    (&["Escape"], "Esc", "close this list", Shortcut::Close),
];

/// The slow-down factors the `s` key cycles through.
pub const SLOWDOWN_CYCLE: [f64; 4] = [1.0, 2.0, 5.0, 10.0];

impl Shortcut {
    /// The shortcut for a key (as `KeyboardEvent.key` names it), if any.
    pub fn of(key: &str) -> Option<Shortcut> {
        let (keys, _, _, shortcut) = SHORTCUTS.iter().find(|(keys, ..)| keys.contains(&key))?;
        Some(match shortcut {
            Shortcut::Select(_) => {
                Shortcut::Select(keys.iter().position(|k| *k == key).unwrap_or(0))
            }
            other => *other,
        })
    }

    /// What the shortcut does.
    pub fn action(self) -> Action {
        match self {
            Shortcut::TogglePlay => Action::TogglePlay,
            Shortcut::Step => Action::Step,
            Shortcut::Skip => Action::Skip,
            Shortcut::NextChange => Action::NextChange,
            Shortcut::Forward => Action::Forward,
            Shortcut::Backward => Action::Backward,
            Shortcut::Slower => Action::Slower,
            Shortcut::Faster => Action::Faster,
            Shortcut::Select(i) => Action::Select(i),
            Shortcut::PreviousServer => Action::PreviousServer,
            Shortcut::NextServer => Action::NextServer,
            Shortcut::KillRevive => Action::Selected(ServerAction::KillOrRevive),
            Shortcut::SlowDown => Action::Selected(ServerAction::SlowDown),
            Shortcut::WeightUp => Action::Selected(ServerAction::WeightUp),
            Shortcut::WeightDown => Action::Selected(ServerAction::WeightDown),
            Shortcut::Drain => Action::Selected(ServerAction::Drain),
            Shortcut::AddServer => Action::AddServer,
            Shortcut::Restart => Action::Restart,
            Shortcut::Theme => Action::NextTheme,
            Shortcut::Motion => Action::ToggleMotion,
            Shortcut::Stage => Action::ToggleLayout(Layout::Stage),
            Shortcut::Present => Action::ToggleLayout(Layout::Present),
            Shortcut::Help => Action::ToggleHelp,
            Shortcut::Close => Action::CloseHelp,
        }
    }
}

/// The slow-down factor after `current` in [`SLOWDOWN_CYCLE`] (back to x1 after the last, or from
/// a factor not in the cycle).
pub fn next_slowdown(current: f64) -> f64 {
    let at = SLOWDOWN_CYCLE
        .iter()
        .position(|&f| (f - current).abs() < 1e-6);
    at.map_or(1.0, |i| SLOWDOWN_CYCLE[(i + 1) % SLOWDOWN_CYCLE.len()])
}
