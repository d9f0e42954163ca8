//! The browser's side of how the page looks (the choice itself, [`Display`], and the canvases'
//! colours, [`crate::session::Palette`], are session data).
//!
//! The choice lives on the document element (`data-theme`, `data-motion`) so the style sheet's
//! variables follow it, and in local storage so it survives a reload.

use crate::session::{Display, Theme};

const THEME_KEY: &str = "lb-playground.theme";
const MOTION_KEY: &str = "lb-playground.reduced-motion";

/// The stored choice, else the operating system's preferences (dark scheme, reduced motion).
pub fn load() -> Display {
    let stored = |key: &str| storage().and_then(|s| s.get_item(key).ok().flatten());
    let theme = stored(THEME_KEY)
        .and_then(|id| Theme::from_id(&id))
        .unwrap_or(if prefers("(prefers-color-scheme: dark)") {
            Theme::Dark
        } else {
            Theme::Light
        });
    let reduced_motion = stored(MOTION_KEY)
        .map(|v| v == "true")
        .unwrap_or_else(|| prefers("(prefers-reduced-motion: reduce)"));
    Display {
        theme,
        reduced_motion,
    }
}

/// Puts the choice on the document element, where the style sheet reads it, and stores it.
pub fn show(display: Display) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", display.theme.id());
        let motion = if display.reduced_motion {
            "reduced"
        } else {
            "full"
        };
        let _ = root.set_attribute("data-motion", motion);
    }
    if let Some(s) = storage() {
        let _ = s.set_item(THEME_KEY, display.theme.id());
        let _ = s.set_item(MOTION_KEY, &display.reduced_motion.to_string());
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whether the browser matches a media query such as `(prefers-reduced-motion: reduce)`.
fn prefers(query: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(query).ok().flatten())
        .is_some_and(|m| m.matches())
}
