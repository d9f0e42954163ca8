//! The colours the canvases draw with in each theme. The canvases cannot read the style sheet's
//! variables cheaply every frame, so each [`Theme`] also has a [`Palette`]. Outcome colours are
//! the Okabe-Ito colour-blind-safe hues, darkened where needed so that every colour used for text
//! reaches WCAG AA's 4.5:1 against what it is written on, and every colour used for a shape or a
//! line 3:1 against the background (checked by the tests below with [`contrast`]). Every outcome
//! also has its own shape, so no information is carried by colour alone.

use super::display::Theme;

impl Theme {
    /// The colours and sizes the canvases draw with in this theme.
    pub fn palette(self) -> &'static Palette {
        match self {
            Theme::Light => &LIGHT,
            Theme::Dark => &DARK,
            Theme::Projector => &PROJECTOR,
        }
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
    muted: "#56616e",
    panel: "#f5f7fa",
    outline: "#7b8794",
    dead: "#e4e7eb",
    balancer: "#e3f0fa",
    link: "#8a96a3",
    link_off: "#e4e7eb",
    idle: "#ffffff",
    outbound: "#0068A3",
    served: "#009E73",
    failed: "#AD4500",
    rejected: "#A87200",
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
    outline: "#66778a",
    dead: "#3a2a24",
    balancer: "#16324a",
    link: "#5c6b7b",
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
    failed: "#A33F00",
    rejected: "#B07800",
    limited: "#5B2C8F",
    retried: "#A8467F",
    selected: "#000000",
    scale: 1.35,
};

/// The WCAG 2 contrast ratio of two `#rrggbb` colours: from 1 (the same) to 21 (black on white).
pub fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The relative luminance of a `#rrggbb` colour (WCAG 2), 0 for black to 1 for white.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0))
            / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Colour = fn(&Palette) -> &'static str;

    /// Text the canvases write, and what it is written on.
    const TEXT: [(&str, Colour, Colour); 15] = [
        ("ink on background", |p| p.ink, |p| p.background),
        ("ink on a box", |p| p.ink, |p| p.panel),
        ("ink on the balancer", |p| p.ink, |p| p.balancer),
        ("ink on a dead server", |p| p.ink, |p| p.dead),
        ("muted on background", |p| p.muted, |p| p.background),
        ("muted on a box", |p| p.muted, |p| p.panel),
        ("muted on the balancer", |p| p.muted, |p| p.balancer),
        ("muted on a dead server", |p| p.muted, |p| p.dead),
        ("decision on the balancer", |p| p.outbound, |p| p.balancer),
        ("decision on a box", |p| p.outbound, |p| p.panel),
        ("out of rotation on a box", |p| p.failed, |p| p.panel),
        ("DOWN on a dead server", |p| p.failed, |p| p.dead),
        (
            "an open breaker's words by its gate",
            |p| p.failed,
            |p| p.background,
        ),
        ("ink on a chart", |p| p.ink, |p| p.background),
        ("selected outline", |p| p.selected, |p| p.background),
    ];

    /// Shapes and lines (requests, chart series, links), on the background.
    const GRAPHICS: [(&str, Colour); 8] = [
        ("requests and busy workers", |p| p.outbound),
        ("answers", |p| p.served),
        ("failures", |p| p.failed),
        ("503s", |p| p.rejected),
        ("rate limited", |p| p.limited),
        ("retries", |p| p.retried),
        ("box outlines", |p| p.outline),
        ("links in use", |p| p.link),
    ];

    #[test]
    fn contrast_is_the_wcag_ratio() {
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast("#777777", "#777777") - 1.0).abs() < 1e-9);
        // The Okabe-Ito vermillion on white, as WebAIM's checker gives it.
        assert!((contrast("#D55E00", "#ffffff") - 3.87).abs() < 0.01);
    }

    #[test]
    fn every_theme_meets_wcag_aa() {
        let mut failures = Vec::new();
        for theme in Theme::ALL {
            let p = theme.palette();
            let pairs = TEXT
                .iter()
                .map(|&(what, fg, bg)| (what, fg(p), bg(p), 4.5))
                .chain(
                    GRAPHICS
                        .iter()
                        .map(|&(what, fg)| (what, fg(p), p.background, 3.0)),
                );
            for (what, fg, bg, minimum) in pairs {
                let ratio = contrast(fg, bg);
                if ratio < minimum {
                    failures.push(format!("{theme}: {what}: {fg} on {bg} {ratio:.2}:1"));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "below WCAG AA:\n{}",
            failures.join("\n")
        );
    }
}
