//! The charts' drawing backend: plotters-canvas's, except for how text is measured.
//!
//! plotters measures text it cannot rasterise itself by putting a styled `<span>` in the page
//! and reading its size back, which makes the browser lay the whole page out again, once per
//! label. A chart asks for dozens of sizes (axis labels, the key, fitting long names), the bar
//! chart one per server: with 1,000 servers a single redraw took over 400 ms, nearly all of it in
//! those forced layouts (a CPU profile of the page benchmark's 1,000-server link). Here the
//! canvas's own `measureText` answers, in the font string plotters-canvas draws with, without
//! touching the page's layout.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::ui::flow;

/// A canvas that plotters draws on, measuring text with the canvas.
pub struct ChartCanvas {
    canvas: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl ChartCanvas {
    /// The backend for `canvas`, or `None` when it has no 2D context.
    pub fn new(canvas: &HtmlCanvasElement) -> Option<ChartCanvas> {
        Some(ChartCanvas {
            context: flow::context(canvas)?,
            canvas: CanvasBackend::with_canvas_object(canvas.clone())?,
        })
    }
}

/// plotters-canvas's error (a type it does not name publicly).
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;
type Drawn = Result<(), DrawingErrorKind<CanvasError>>;

impl DrawingBackend for ChartCanvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.canvas.get_size()
    }

    fn ensure_prepared(&mut self) -> Drawn {
        self.canvas.ensure_prepared()
    }

    fn present(&mut self) -> Drawn {
        self.canvas.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        self.canvas.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, s: &S) -> Drawn {
        self.canvas.draw_line(from, to, s)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.canvas.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Drawn {
        self.canvas.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn {
        self.canvas.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn {
        self.canvas.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Drawn {
        self.canvas.draw_text(text, style, pos)
    }

    /// The text's width and its font's height (ascent plus descent, what a line of it takes), in
    /// whole canvas pixels rounded up, as plotters-canvas would draw it. Falls back to plotters'
    /// own measuring should the canvas refuse.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        // The font exactly as plotters-canvas's draw_text sets it.
        let font = format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        );
        self.context.set_font(&font);
        match self.context.measure_text(text) {
            Ok(m) => {
                let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
                Ok((m.width().ceil() as u32, height.ceil() as u32))
            }
            Err(_) => self.canvas.estimate_text_size(text, style),
        }
    }
}
