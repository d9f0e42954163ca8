//! Canvas primitives: boxes, text squeezed to fit, and the shape of each kind of request.
//!
//! Every kind of request has its own shape as well as its own colour, so the flow reads the same
//! in greyscale or to a colour-blind eye: requests on their way out are dots, retried tries
//! diamonds, answers dots on the return lane, failures crosses, 503 rejections squares and tries a
//! circuit breaker refused triangles.

use std::f64::consts::TAU;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::layout::Rect;

/// Resizes the canvas's backing store to its displayed size times the device pixel ratio.
/// Returns whether it changed (and so must be redrawn).
pub fn fit_to_display(canvas: &HtmlCanvasElement) -> bool {
    let ratio = device_ratio();
    let width = (f64::from(canvas.client_width()) * ratio).round() as u32;
    let height = (f64::from(canvas.client_height()) * ratio).round() as u32;
    if width == 0 || height == 0 || (canvas.width(), canvas.height()) == (width, height) {
        return false;
    }
    canvas.set_width(width);
    canvas.set_height(height);
    true
}

/// CSS pixels per canvas pixel.
pub fn device_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio())
}

/// The canvas's 2D context.
pub fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// The shapes requests are drawn as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A filled circle.
    Dot,
    /// A filled diamond.
    Diamond,
    /// A filled square.
    Square,
    /// A filled triangle, point up.
    Triangle,
    /// A diagonal cross, stroked.
    Cross,
    /// A flat bar, like a no-entry sign.
    Bar,
}

/// Draws `shape` centred at every point `(x, y, r)`, of half-size `r`, as one path.
pub fn shapes(ctx: &CanvasRenderingContext2d, shape: Shape, points: &[(f64, f64, f64)]) {
    if points.is_empty() {
        return;
    }
    ctx.begin_path();
    for &(x, y, r) in points {
        match shape {
            Shape::Dot => {
                ctx.move_to(x + r, y);
                let _ = ctx.arc(x, y, r, 0.0, TAU);
            }
            Shape::Diamond => {
                ctx.move_to(x, y - r * 1.3);
                ctx.line_to(x + r * 1.3, y);
                ctx.line_to(x, y + r * 1.3);
                ctx.line_to(x - r * 1.3, y);
                ctx.close_path();
            }
            Shape::Square => ctx.rect(x - r, y - r, 2.0 * r, 2.0 * r),
            Shape::Bar => ctx.rect(x - r * 1.4, y - r * 0.5, 2.8 * r, r),
            Shape::Triangle => {
                ctx.move_to(x, y - r * 1.2);
                ctx.line_to(x + r * 1.2, y + r);
                ctx.line_to(x - r * 1.2, y + r);
                ctx.close_path();
            }
            Shape::Cross => {
                ctx.move_to(x - r, y - r);
                ctx.line_to(x + r, y + r);
                ctx.move_to(x + r, y - r);
                ctx.line_to(x - r, y + r);
            }
        }
    }
    if shape == Shape::Cross {
        ctx.stroke();
    } else {
        ctx.fill();
    }
}

/// A rounded box filled with `fill` and outlined with `stroke`.
pub fn rounded_rect(
    ctx: &CanvasRenderingContext2d,
    r: Rect,
    radius: f64,
    fill: &str,
    stroke: &str,
) {
    let radius = radius.min(r.h / 2.0).min(r.w / 2.0);
    ctx.begin_path();
    ctx.move_to(r.x + radius, r.y);
    let _ = ctx.arc_to(r.x + r.w, r.y, r.x + r.w, r.y + r.h, radius);
    let _ = ctx.arc_to(r.x + r.w, r.y + r.h, r.x, r.y + r.h, radius);
    let _ = ctx.arc_to(r.x, r.y + r.h, r.x, r.y, radius);
    let _ = ctx.arc_to(r.x, r.y, r.x + r.w, r.y, radius);
    ctx.close_path();
    ctx.set_fill_style_str(fill);
    ctx.fill();
    ctx.set_stroke_style_str(stroke);
    ctx.stroke();
}

/// How text is written: font, colour, alignment, and the width it is squeezed into.
#[derive(Clone, Debug)]
pub struct Pen<'a> {
    font: String,
    colour: &'a str,
    align: &'static str,
    fit: Option<f64>,
}

impl<'a> Pen<'a> {
    /// Left-aligned text of `px` CSS pixels times `scale`, bold or not, in `colour`.
    pub fn new(px: f64, bold: bool, scale: f64, colour: &'a str) -> Pen<'a> {
        let weight = if bold { "bold " } else { "" };
        Pen {
            font: format!("{weight}{:.0}px system-ui, sans-serif", px * scale),
            colour,
            align: "left",
            fit: None,
        }
    }

    /// Centred on the point written at.
    pub fn centred(self) -> Pen<'a> {
        Pen {
            align: "center",
            ..self
        }
    }

    /// Ending at the point written at.
    pub fn right(self) -> Pen<'a> {
        Pen {
            align: "right",
            ..self
        }
    }

    /// Squeezed to at most `width` pixels.
    pub fn fit(self, width: f64) -> Pen<'a> {
        Pen {
            fit: Some(width.max(1.0)),
            ..self
        }
    }

    /// The same pen in another colour.
    pub fn colour(self, colour: &'a str) -> Pen<'a> {
        Pen { colour, ..self }
    }

    /// Writes `words` at `(x, y)`, vertically centred there.
    pub fn write(&self, ctx: &CanvasRenderingContext2d, words: &str, (x, y): (f64, f64)) {
        self.set(ctx);
        let _ = match self.fit {
            Some(w) => ctx.fill_text_with_max_width(words, x, y, w),
            None => ctx.fill_text(words, x, y),
        };
    }

    /// How wide `words` come out, in CSS pixels.
    pub fn width(&self, ctx: &CanvasRenderingContext2d, words: &str) -> f64 {
        self.set(ctx);
        let natural = ctx.measure_text(words).map_or(0.0, |m| m.width());
        self.fit.map_or(natural, |w| natural.min(w))
    }

    /// The first of `choices` (longest first, say) that fits in `room` pixels unsqueezed.
    pub fn first_fitting<'w, S: AsRef<str>>(
        &self,
        ctx: &CanvasRenderingContext2d,
        choices: &'w [S],
        room: f64,
    ) -> Option<&'w str> {
        let natural = Pen {
            fit: None,
            ..self.clone()
        };
        choices
            .iter()
            .map(AsRef::as_ref)
            .find(|w| natural.width(ctx, w) <= room)
    }

    fn set(&self, ctx: &CanvasRenderingContext2d) {
        ctx.set_font(&self.font);
        ctx.set_text_baseline("middle");
        ctx.set_text_align(self.align);
        ctx.set_fill_style_str(self.colour);
    }
}
