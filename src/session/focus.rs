//! Who gets a key: the page's shortcuts or the control that has the focus. The shortcuts win
//! unless the focused control really uses the key, so a button clicked with the mouse does not
//! keep Space (Space pauses, it does not press Kill again), and a select keeps only the keys a
//! select uses. Keyboard users keep the controls' own keys: a button reached with Tab is pressed
//! by Space, a select's arrows and typing choose an option, a slider's arrows move it.
//!
//! The browser adapter describes the focused element as a [`Focus`]; [`Shortcut::for_key`]
//! decides.

use super::shortcut::Shortcut;

/// The keys a slider or a select moves with.
const NAVIGATION: [&str; 8] = [
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "Home",
    "End",
    "PageUp",
    "PageDown",
];

/// The focused element, as far as the keys are concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    /// Nothing that takes keys: the page itself, a server card, a heading.
    Page,
    /// A button, a checkbox or a file chooser: Space presses it.
    Button {
        /// It was reached with the keyboard (Tab), not clicked with a pointer.
        by_keyboard: bool,
    },
    /// A text or number field: every key types.
    TextField,
    /// A slider: the arrows, Home, End and the page keys move it.
    Slider,
    /// A select: the arrows, Home, End and the page keys choose an option, typing a letter picks
    /// the next option starting with it, and Space opens it.
    Select {
        /// It was reached with the keyboard (Tab), not clicked with a pointer.
        by_keyboard: bool,
        /// The first letters of its options, lower case.
        initials: String,
    },
}

impl Focus {
    /// Whether the focused control uses `key` (as `KeyboardEvent.key` names it) itself.
    pub fn keeps(&self, key: &str) -> bool {
        match self {
            Focus::Page => false,
            Focus::Button { by_keyboard } => *by_keyboard && key == " ",
            Focus::TextField => key != "Escape",
            Focus::Slider => NAVIGATION.contains(&key),
            Focus::Select {
                by_keyboard,
                initials,
            } => {
                NAVIGATION.contains(&key)
                    || (key == " " && *by_keyboard)
                    || single_char(key)
                        .is_some_and(|c| c != ' ' && initials.contains(c.to_ascii_lowercase()))
            }
        }
    }

    /// The first letters of `labels`, lower case: what [`Focus::Select`] carries.
    pub fn initials<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
        labels
            .into_iter()
            .filter_map(|l| l.trim_start().chars().next())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }
}

/// The character a key types, if it types exactly one.
fn single_char(key: &str) -> Option<char> {
    let mut chars = key.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

impl Shortcut {
    /// The shortcut `key` stands for while `focus` has the focus: none if the focused control
    /// uses the key itself. Escape always closes the list of shortcuts.
    pub fn for_key(key: &str, focus: &Focus) -> Option<Shortcut> {
        let shortcut = Shortcut::of(key)?;
        (shortcut == Shortcut::Close || !focus.keeps(key)).then_some(shortcut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(by_keyboard: bool) -> Focus {
        Focus::Select {
            by_keyboard,
            initials: Focus::initials(["0.5x", "1x", "Light", " dark"]),
        }
    }

    #[test]
    fn space_pauses_after_a_click_but_presses_a_button_reached_with_tab() {
        let clicked = Focus::Button { by_keyboard: false };
        let tabbed = Focus::Button { by_keyboard: true };
        assert_eq!(Shortcut::for_key(" ", &clicked), Some(Shortcut::TogglePlay));
        assert_eq!(Shortcut::for_key(" ", &tabbed), None);
        assert_eq!(Shortcut::for_key("k", &tabbed), Some(Shortcut::KillRevive));
        assert_eq!(
            Shortcut::for_key(" ", &Focus::Page),
            Some(Shortcut::TogglePlay)
        );
    }

    #[test]
    fn a_select_keeps_its_own_keys_and_no_others() {
        let clicked = select(false);
        assert_eq!(Focus::initials(["0.5x", "Light", " dark"]), "0ld");
        for key in ["ArrowDown", "ArrowUp", "Home", "1", "l", "L", "d"] {
            assert_eq!(Shortcut::for_key(key, &clicked), None, "{key}");
        }
        assert_eq!(Shortcut::for_key("t", &clicked), Some(Shortcut::Theme));
        assert_eq!(Shortcut::for_key("k", &clicked), Some(Shortcut::KillRevive));
        assert_eq!(Shortcut::for_key("]", &clicked), Some(Shortcut::Faster));
        assert_eq!(Shortcut::for_key(" ", &clicked), Some(Shortcut::TogglePlay));
        assert_eq!(
            Shortcut::for_key(" ", &select(true)),
            None,
            "Space opens it"
        );
        assert_eq!(Shortcut::for_key("Escape", &clicked), Some(Shortcut::Close));
    }

    #[test]
    fn fields_keep_what_they_type_and_sliders_their_arrows() {
        for key in ["k", " ", "1", "-", "ArrowRight"] {
            assert_eq!(Shortcut::for_key(key, &Focus::TextField), None, "{key}");
        }
        assert_eq!(
            Shortcut::for_key("Escape", &Focus::TextField),
            Some(Shortcut::Close)
        );
        assert_eq!(Shortcut::for_key("ArrowRight", &Focus::Slider), None);
        assert_eq!(Shortcut::for_key("ArrowDown", &Focus::Slider), None);
        assert_eq!(
            Shortcut::for_key(" ", &Focus::Slider),
            Some(Shortcut::TogglePlay)
        );
        assert_eq!(
            Shortcut::for_key("+", &Focus::Slider),
            Some(Shortcut::WeightUp)
        );
    }
}
