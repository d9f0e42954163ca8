//! The charts' colours, taken from the page's [`Palette`] so the charts follow the theme.

use plotters::style::RGBColor;

use crate::ui::display::Palette;

/// A `#rrggbb` colour as plotters wants it (black if malformed: the palettes are constants).
pub fn rgb(hex: &str) -> RGBColor {
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    RGBColor(channel(1), channel(3), channel(5))
}

/// The colours one chart draws with.
pub struct ChartColours {
    /// Behind the plot.
    pub background: RGBColor,
    /// Axis labels, captions and reference marks.
    pub ink: RGBColor,
    /// Grid lines.
    pub grid: RGBColor,
    /// Data series, in order: blue, orange, vermillion, green, pink, then the ink.
    pub series: [RGBColor; 6],
    /// Type size factor.
    pub scale: f64,
}

impl ChartColours {
    /// The colours for `palette`.
    pub fn of(palette: &Palette) -> ChartColours {
        ChartColours {
            background: rgb(palette.background),
            ink: rgb(palette.ink),
            grid: rgb(palette.link),
            series: [
                rgb(palette.outbound),
                rgb(palette.rejected),
                rgb(palette.failed),
                rgb(palette.served),
                rgb(palette.retried),
                rgb(palette.muted),
            ],
            scale: palette.scale,
        }
    }

    /// A font size in pixels, scaled for the theme.
    pub fn px(&self, size: f64) -> u32 {
        (size * self.scale).round() as u32
    }
}
