//! The charts' look, taken from the page's [`Palette`] so the charts follow the theme: colours,
//! type sizes, and the axis and legend styling every chart shares.

use plotters::chart::{ChartContext, MeshStyle, SeriesLabelPosition};
use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use crate::session::Palette;

/// A failed drawing, reported to the console by the caller.
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;
/// A chart with numeric axes on a canvas.
pub type Plot<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// The styled mesh of a [`Plot`].
pub type Mesh<'a, 'b> = MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, CanvasBackend>;

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

impl ChartColours {
    /// The canvas as a drawing area, cleared to the background.
    pub fn area(
        &self,
        canvas: &HtmlCanvasElement,
    ) -> Result<DrawingArea<CanvasBackend, Shift>, Box<dyn std::error::Error>> {
        let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
        let root = backend.into_drawing_area();
        root.fill(&self.background)?;
        Ok(root)
    }

    /// Text of `size` pixels (scaled) in the ink colour.
    pub fn text(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", self.px(size)).into_font().color(&self.ink)
    }

    /// Applies the shared axis style (type, axis and grid colours) to a mesh.
    pub fn style<'m, 'a, 'b>(&self, mesh: &'m mut Mesh<'a, 'b>) -> &'m mut Mesh<'a, 'b> {
        mesh.axis_desc_style(self.text(12.0))
            .label_style(self.text(11.0))
            .axis_style(self.ink)
            .bold_line_style(self.grid.mix(0.5))
            // Light lines are most of a mesh's strokes and add little: none.
            .max_light_lines(0)
    }

    /// Draws the legend of the labelled series at `position`.
    pub fn legend(&self, plot: &mut Plot<'_>, position: SeriesLabelPosition) -> DrawResult {
        plot.configure_series_labels()
            .position(position)
            .background_style(self.background.mix(0.85))
            .border_style(self.ink.mix(0.3))
            .label_font(self.text(12.0))
            .draw()?;
        Ok(())
    }
}
