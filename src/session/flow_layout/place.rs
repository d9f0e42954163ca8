//! The shapes things are placed in: the one balancer's box, a column of boxes (servers, or
//! several balancers), and a grid of cells.

use super::{Canvas, MARGIN, MIN_BOX_HEIGHT, Rect, ServerStyle};

/// Where the balancers' column is centred, as a share of the canvas's width.
const BALANCER_AT: f64 = 0.38;
/// The grid of cells starts this far across the canvas.
const GRID_AT: f64 = 0.62;
/// The room above the grid for its caption (before the palette's scale).
const CAPTION_ROOM: f64 = 20.0;

/// The one balancer's box, in the middle.
pub(super) fn single_balancer(c: &Canvas) -> Rect {
    let (bw, bh) = (190.0 * c.scale, 100.0 * c.scale);
    Rect {
        x: c.width * BALANCER_AT - bw / 2.0,
        y: c.height / 2.0 - bh / 2.0,
        w: bw,
        h: bh,
    }
}

/// The servers over the canvas's whole height: boxes in a column when they fit, else a grid of
/// cells under a caption.
pub(super) fn servers(c: &Canvas, servers: usize) -> (ServerStyle, Vec<Rect>) {
    let span = c.height - 2.0 * MARGIN;
    if boxes_fit(c, span, servers) {
        (ServerStyle::Boxes, column(c, MARGIN, span, servers))
    } else {
        let top = MARGIN + CAPTION_ROOM * c.scale;
        let area = grid_area(c, top, c.height - top - MARGIN);
        (ServerStyle::Cells, grid(area, servers))
    }
}

/// Whether `servers` boxes fit in a column `span` high at a readable height.
pub(super) fn boxes_fit(c: &Canvas, span: f64, servers: usize) -> bool {
    span / servers.max(1) as f64 >= MIN_BOX_HEIGHT * c.scale
}

/// Where a grid of cells goes between `top` and `top + h`: the right part of the canvas.
pub(super) fn grid_area(c: &Canvas, top: f64, h: f64) -> Rect {
    Rect {
        x: c.width * GRID_AT,
        y: top,
        w: c.width * (1.0 - GRID_AT) - MARGIN,
        h,
    }
}

/// A column of `servers` server boxes on the right, from `top` down `span`.
pub(super) fn column(c: &Canvas, top: f64, span: f64, servers: usize) -> Vec<Rect> {
    let server_w = (160.0 * c.scale).min(c.width * 0.24);
    let x = c.width - MARGIN - server_w;
    let slot = span / servers.max(1) as f64;
    let gap = (slot * 0.15).min(12.0);
    (0..servers)
        .map(|i| Rect {
            x,
            y: top + i as f64 * slot + gap / 2.0,
            w: server_w,
            h: slot - gap,
        })
        .collect()
}

/// A grid of square-ish cells filling `area`, row by row.
pub(super) fn grid(area: Rect, servers: usize) -> Vec<Rect> {
    let n = servers.max(1) as f64;
    let cols = (n * area.w / area.h).sqrt().ceil().max(1.0);
    let rows = (n / cols).ceil();
    let cell = (area.w / cols).min(area.h / rows);
    let gap = (cell * 0.15).min(3.0);
    (0..servers)
        .map(|i| Rect {
            x: area.x + (i as f64 % cols) * cell,
            y: area.y + (i as f64 / cols).floor() * cell,
            w: cell - gap,
            h: cell - gap,
        })
        .collect()
}

/// A column of `n` balancer boxes, as tall as the single balancer's at most, centred in
/// `top..bottom` where the single balancer stands.
pub(super) fn balancer_column(c: &Canvas, n: usize, top: f64, bottom: f64) -> Vec<Rect> {
    let w = 160.0 * c.scale;
    let span = (bottom - top).max(0.0);
    let slot = (span / n.max(1) as f64).min(100.0 * c.scale);
    let gap = (slot * 0.15).min(10.0 * c.scale);
    let first = top + (span - slot * n as f64) / 2.0;
    (0..n)
        .map(|i| Rect {
            x: c.width * BALANCER_AT - w / 2.0,
            y: first + i as f64 * slot + gap / 2.0,
            w,
            h: slot - gap,
        })
        .collect()
}
