//! The charts' look, taken from the page's [`Palette`] so the charts follow the theme: colours,
//! type sizes, and the axis styling every chart shares. Sizes are in CSS pixels times
//! [`ChartColours::scale`], which holds the theme's type size and the canvas's pixel ratio, so a
//! chart is as crisp on a high-DPI screen (or in a PNG made for slides) as its text is.

use super::backend::ChartCanvas;
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::session::Palette;

/// The axis labels' type size, in CSS pixels.
pub const LABEL_PX: f64 = 11.0;

/// A failed drawing, reported to the console by the caller.
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;
/// The styled mesh of a chart with numeric axes on a canvas.
pub type Mesh<'a, 'b> = MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, ChartCanvas>;

/// A `#rrggbb` colour as plotters wants it (black if malformed: the palettes are constants).
pub fn rgb(hex: &str) -> RGBColor {
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    RGBColor(channel(1), channel(3), channel(5))
}

/// A colour named by its role, so what a chart shows is built without the page's theme and
/// takes its colours only when drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hue {
    /// The data series of this place in [`ChartColours::series`] (wrapping).
    Series(usize),
    /// The ink: reference marks such as a theoretical value.
    Ink,
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
    /// Canvas pixels per CSS pixel of type, lines and margins: the theme's type size factor
    /// times the canvas's pixel ratio.
    pub scale: f64,
}

impl ChartColours {
    /// The colours for `palette`, on a canvas of `pixel_ratio` canvas pixels per CSS pixel.
    pub fn of(palette: &Palette, pixel_ratio: f64) -> ChartColours {
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
            scale: palette.scale * pixel_ratio,
        }
    }

    /// The colour of `hue`.
    pub fn hue(&self, hue: Hue) -> RGBColor {
        match hue {
            Hue::Series(i) => self.series[i % self.series.len()],
            Hue::Ink => self.ink,
        }
    }

    /// A size of `size` CSS pixels (type, a margin, a label area) in canvas pixels.
    pub fn px(&self, size: f64) -> u32 {
        (size * self.scale).round() as u32
    }

    /// A line `width` CSS pixels wide, in canvas pixels (at least one).
    pub fn stroke(&self, width: f64) -> u32 {
        self.px(width).max(1)
    }
}

impl ChartColours {
    /// The canvas as a drawing area, cleared to the background.
    pub fn area(
        &self,
        canvas: &HtmlCanvasElement,
    ) -> Result<DrawingArea<ChartCanvas, Shift>, Box<dyn std::error::Error>> {
        let backend = ChartCanvas::new(canvas).ok_or("no 2d context")?;
        let root = backend.into_drawing_area();
        root.fill(&self.background)?;
        Ok(root)
    }

    /// Text of `size` pixels (scaled) in the ink colour.
    pub fn text(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", self.px(size)).into_font().color(&self.ink)
    }

    /// How many value labels fit up a plot `height` canvas pixels tall with more than half a
    /// label's height of space between two (2 to 10): a short chart gets fewer, not crowded
    /// ones.
    pub fn y_labels(&self, height: u32) -> usize {
        let pitch = 1.6 * f64::from(self.px(LABEL_PX));
        (f64::from(height) / pitch).floor().clamp(2.0, 10.0) as usize
    }

    /// Of `n` category labels as wide as `widest` canvas pixels side by side along `width`, label
    /// every this many, so that no two run into each other (1: all of them).
    pub fn label_every(&self, n: usize, widest: u32, width: u32) -> usize {
        let pitch = f64::from(widest + self.px(8.0));
        let fitting = (f64::from(width) / pitch).floor().max(1.0);
        (n as f64 / fitting).ceil().max(1.0) as usize
    }

    /// Applies the shared axis style (type, axis and grid colours) to a mesh.
    pub fn style<'m, 'a, 'b>(&self, mesh: &'m mut Mesh<'a, 'b>) -> &'m mut Mesh<'a, 'b> {
        mesh.axis_desc_style(self.text(12.0))
            .label_style(self.text(LABEL_PX))
            .axis_style(self.ink.stroke_width(self.stroke(1.0)))
            .bold_line_style(self.grid.mix(0.5).stroke_width(self.stroke(1.0)))
            .set_all_tick_mark_size(self.px(5.0))
            // Light lines are most of a mesh's strokes and add little: none.
            .max_light_lines(0)
    }
}
