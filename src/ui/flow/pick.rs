//! What the pointer is on, on the flow canvas, found with the same layout the drawing uses: the
//! request a click picks (the nearest drawn one within a few pixels), and the grid cell a hover
//! names (with many servers, whose boxes do not fit).

use web_sys::HtmlCanvasElement;

use super::layout::{Layout, Rect, ServerStyle};
use super::paint;
use crate::session::Palette;
use crate::sim::Simulation;

/// How far from a request's dot a click still picks it, in CSS pixels (before the palette's
/// scale): a dot is 4 px across, a finger is not.
const REACH: f64 = 12.0;

/// The sequence number of the request drawn nearest to `(x, y)` (CSS pixels from the canvas's
/// top left), if one is within reach.
pub fn request_at(
    canvas: &HtmlCanvasElement,
    sim: &Simulation,
    palette: &Palette,
    (x, y): (f64, f64),
) -> Option<u64> {
    let layout = layout_of(canvas, sim, palette);
    let now = sim.now();
    let reach = REACH * palette.scale;
    sim.requests()
        .filter_map(|r| {
            let (px, py) = layout.segment(r, now)?.point();
            let distance = (px - x).hypot(py - y);
            (distance <= reach).then_some((distance, r.seq.0))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, seq)| seq)
}

/// The server whose grid cell is at `at` (CSS pixels from the canvas's top left), when the
/// servers are drawn as a grid of cells.
pub fn cell_at(
    canvas: &HtmlCanvasElement,
    sim: &Simulation,
    palette: &Palette,
    at: (f64, f64),
) -> Option<usize> {
    let layout = layout_of(canvas, sim, palette);
    (layout.style == ServerStyle::Cells)
        .then(|| layout.server_at(at))
        .flatten()
}

/// Server `index`'s grid cell, when the servers are drawn as a grid of cells.
pub fn cell_of(
    canvas: &HtmlCanvasElement,
    sim: &Simulation,
    palette: &Palette,
    index: usize,
) -> Option<Rect> {
    let layout = layout_of(canvas, sim, palette);
    (layout.style == ServerStyle::Cells)
        .then(|| layout.servers.get(index).copied())
        .flatten()
}

/// The layout `sim` is drawn with on `canvas`.
fn layout_of<'a>(canvas: &HtmlCanvasElement, sim: &'a Simulation, palette: &Palette) -> Layout<'a> {
    let ratio = paint::device_ratio();
    Layout::new(
        f64::from(canvas.width()) / ratio,
        f64::from(canvas.height()) / ratio,
        palette.scale,
        sim,
    )
}
