//! Which request a click on the flow canvas lands on: the nearest drawn request within a few
//! pixels, found with the same layout the drawing uses.

use web_sys::HtmlCanvasElement;

use super::layout::Layout;
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
    let ratio = paint::device_ratio();
    let layout = Layout::new(
        f64::from(canvas.width()) / ratio,
        f64::from(canvas.height()) / ratio,
        palette.scale,
        sim,
    );
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
