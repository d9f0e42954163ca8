//! The browser's side of how the page looks (the choice itself, [`Display`], is session state).
//!
//! The choice lives on the document element (`data-theme`, `data-motion`) so the style sheet's
//! variables follow it, and in local storage so it survives a reload. The canvas drawings cannot
//! read CSS variables cheaply every frame, so each theme also has a [`Palette`] for them. Outcome
//! colours are the Okabe-Ito colour-blind-safe set in every theme, and every outcome also has its
//! own shape, so no information is carried by colour alone.

use crate::session::{Display, Theme};

/// The colours and sizes the canvases draw with in `theme`.
pub fn palette(theme: Theme) -> &'static Palette {
    match theme {
        Theme::Light => &LIGHT,
        Theme::Dark => &DARK,
        Theme::Projector => &PROJECTOR,
    }
}

/// Colours (CSS strings) and a size factor for the canvas drawings.
#[derive(Debug, PartialEq)]
pub struct Palette {
    /// Behind everything.
    pub background: &'static str,
    /// Main text.
    pub ink: &'static str,
    /// Secondary text.
    pub muted: &'static str,
    /// Boxes' fill.
    pub panel: &'static str,
    /// Boxes' outline.
    pub outline: &'static str,
    /// A dead server's fill.
    pub dead: &'static str,
    /// The load balancer's fill.
    pub balancer: &'static str,
    /// Links the balancer uses, and grid lines.
    pub link: &'static str,
    /// Links it no longer offers.
    pub link_off: &'static str,
    /// An idle worker slot.
    pub idle: &'static str,
    /// Requests on their way out, and busy workers.
    pub outbound: &'static str,
    /// Answers on their way back.
    pub served: &'static str,
    /// Failures.
    pub failed: &'static str,
    /// 503 rejections.
    pub rejected: &'static str,
    /// Requests the rate limit refused.
    pub limited: &'static str,
    /// Tries a circuit breaker refused, or that are being retried.
    pub retried: &'static str,
    /// The selected server's outline.
    pub selected: &'static str,
    /// Type and shapes are this many times their normal size.
    pub scale: f64,
}

const LIGHT: Palette = Palette {
    background: "#ffffff",
    ink: "#1f2933",
    muted: "#616e7c",
    panel: "#f5f7fa",
    outline: "#9aa5b1",
    dead: "#d9dde3",
    balancer: "#e3f0fa",
    link: "#cbd2d9",
    link_off: "#e4e7eb",
    idle: "#ffffff",
    outbound: "#0072B2",
    served: "#009E73",
    failed: "#D55E00",
    rejected: "#E69F00",
    limited: "#7A4EAB",
    retried: "#CC79A7",
    selected: "#1f2933",
    scale: 1.0,
};

const DARK: Palette = Palette {
    background: "#111820",
    ink: "#e6edf3",
    muted: "#9aa8b6",
    panel: "#1c2631",
    outline: "#4a5968",
    dead: "#3a2a24",
    balancer: "#16324a",
    link: "#3d4b59",
    link_off: "#26313c",
    idle: "#111820",
    outbound: "#56B4E9",
    served: "#2ECC9A",
    failed: "#FF7A33",
    rejected: "#F0C020",
    limited: "#B39DDB",
    retried: "#E8A0CB",
    selected: "#ffffff",
    scale: 1.0,
};

const PROJECTOR: Palette = Palette {
    background: "#ffffff",
    ink: "#000000",
    muted: "#2f3a45",
    panel: "#ffffff",
    outline: "#000000",
    dead: "#e0e0e0",
    balancer: "#dcecf8",
    link: "#7b8794",
    link_off: "#c8ccd0",
    idle: "#ffffff",
    outbound: "#005A8C",
    served: "#007A5A",
    failed: "#C04A00",
    rejected: "#B07800",
    limited: "#5B2C8F",
    retried: "#A8467F",
    selected: "#000000",
    scale: 1.35,
};

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
