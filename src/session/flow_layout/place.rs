//! The shapes things are placed in: the one balancer's box, a column of boxes (servers, or
//! several balancers), and a grid of cells.

use super::{Canvas, LEGEND_ROOM, MARGIN, MIN_BOX_HEIGHT, Rect, ServerStyle};

/// The grid of cells starts this far across the canvas.
pub(super) const GRID_AT: f64 = 0.62;
/// Where the one balancer stands, and the column of several.
pub(super) const BALANCERS: Column = Column {
    at: 0.38,
    width: 160.0,
};
/// The space between a column of balancers and a grid of cells right of it (before the
/// palette's scale).
pub(super) const GRID_GAP: f64 = 24.0;

/// A column of boxes: where its middle is, as a share of the canvas's width, and how wide its
/// boxes are (before the palette's scale).
#[derive(Clone, Copy, Debug)]
pub(super) struct Column {
    pub at: f64,
    pub width: f64,
}

impl Column {
    /// Its boxes' width on canvas `c`.
    fn w(&self, c: &Canvas) -> f64 {
        self.width * c.scale
    }

    /// Its boxes' left edge on canvas `c`.
    pub fn x(&self, c: &Canvas) -> f64 {
        c.width * self.at - self.w(c) / 2.0
    }
}

/// The room above the grid for its caption (before the palette's scale).
const CAPTION_ROOM: f64 = 20.0;

/// The space kept between the one balancer's box and the clients or the servers (before the
/// palette's scale).
const BALANCER_GAP: f64 = 12.0;

/// The one balancer's box, in the middle, within the room between `left` (the clients' right
/// edge) and `right` (the servers' left one): narrower on a narrow canvas, never over either.
pub(super) fn single_balancer(c: &Canvas, left: f64, right: f64) -> Rect {
    let gap = BALANCER_GAP * c.scale;
    let (lo, hi) = (left + gap, right - gap);
    let (bw, bh) = ((190.0 * c.scale).min(hi - lo).max(0.0), 100.0 * c.scale);
    Rect {
        x: (c.width * BALANCERS.at - bw / 2.0).clamp(lo, (hi - bw).max(lo)),
        y: c.height / 2.0 - bh / 2.0,
        w: bw,
        h: bh,
    }
}

/// The servers over the canvas's height above the legend: boxes in a column when they fit,
/// else a grid of cells under a caption.
pub(super) fn servers(c: &Canvas, servers: usize) -> (ServerStyle, Vec<Rect>) {
    let bottom = c.height - LEGEND_ROOM * c.scale;
    let span = bottom - MARGIN;
    if boxes_fit(c, span, servers) {
        (ServerStyle::Boxes, column(c, MARGIN, span, servers))
    } else {
        let top = MARGIN + CAPTION_ROOM * c.scale;
        let area = grid_area(c, GRID_AT, top, bottom - top);
        (ServerStyle::Cells, grid(area, servers))
    }
}

/// Whether `servers` boxes fit in a column `span` high at a readable height.
pub(super) fn boxes_fit(c: &Canvas, span: f64, servers: usize) -> bool {
    span / servers.max(1) as f64 >= MIN_BOX_HEIGHT * c.scale
}

/// Where a grid of cells goes between `top` and `top + h`: the canvas right of `at` (a share
/// of its width).
pub(super) fn grid_area(c: &Canvas, at: f64, top: f64, h: f64) -> Rect {
    Rect {
        x: c.width * at,
        y: top,
        w: c.width * (1.0 - at) - MARGIN,
        h,
    }
}

/// A column of `servers` server boxes on the right, from `top` down `span`.
pub(super) fn column(c: &Canvas, top: f64, span: f64, servers: usize) -> Vec<Rect> {
    let server_w = server_width(c);
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

/// A column of `n` balancer boxes in `column`, as tall as the single balancer's at most,
/// centred in `top..bottom`, and between `left` and `right` (on a narrow canvas narrower, and
/// clear of what stands beside it).
pub(super) fn balancer_column(
    c: &Canvas,
    column: Column,
    n: usize,
    (top, bottom): (f64, f64),
    (left, right): (f64, f64),
) -> Vec<Rect> {
    let span = (bottom - top).max(0.0);
    let slot = (span / n.max(1) as f64).min(100.0 * c.scale);
    let gap = (slot * 0.15).min(10.0 * c.scale);
    let first = top + (span - slot * n as f64) / 2.0;
    let w = column.w(c).min(right - left).max(0.0);
    let x = column.x(c).clamp(left, (right - w).max(left));
    (0..n)
        .map(|i| Rect {
            x,
            y: first + i as f64 * slot + gap / 2.0,
            w,
            h: slot - gap,
        })
        .collect()
}

/// One box in `column`, centred in `top..top + h` (a column of one), between `left` and
/// `right`.
pub(super) fn centred_box(
    c: &Canvas,
    column: Column,
    (top, h): (f64, f64),
    bounds: (f64, f64),
) -> Rect {
    balancer_column(c, column, 1, (top, top + h), bounds)[0]
}

/// Where servers drawn in `style` begin on the left: their column of boxes, or the grid.
pub(super) fn servers_left(c: &Canvas, style: ServerStyle) -> f64 {
    match style {
        ServerStyle::Boxes => c.width - MARGIN - server_width(c),
        ServerStyle::Cells => c.width * GRID_AT,
    }
}

/// A server box's width.
fn server_width(c: &Canvas) -> f64 {
    (160.0 * c.scale).min(c.width * 0.24)
}
