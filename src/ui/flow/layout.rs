//! Where things are on the flow canvas, in CSS pixels.
//!
//! As many servers as fit at a readable height ([`MIN_BOX_HEIGHT`]) each get a box in a column
//! on the right, with a link from the balancer. Beyond that, boxes would be slivers with unreadable
//! text, so the servers become a grid of small cells (the aggregate view that keeps 1,000 servers
//! usable): a cell's shade is its load, and requests travel to their cell.

use crate::sim::request::Request;
use crate::sim::{Phase, SimTime};

/// The smallest readable server box, in CSS pixels.
const MIN_BOX_HEIGHT: f64 = 22.0;
/// Returning requests travel this far below the outbound lane, so the two directions are distinct.
const RETURN_LANE: f64 = 7.0;
/// The space kept around the edges.
const MARGIN: f64 = 16.0;

/// An axis-aligned rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The middle of the left edge.
    pub fn left(&self) -> (f64, f64) {
        (self.x, self.y + self.h / 2.0)
    }

    /// The middle of the right edge.
    pub fn right(&self) -> (f64, f64) {
        (self.x + self.w, self.y + self.h / 2.0)
    }
}

/// How the servers are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerStyle {
    /// One box each, in a column, with a link from the balancer.
    Boxes,
    /// One small cell each, in a grid (too many servers for boxes).
    Cells,
}

/// The positions of everything on the canvas.
pub struct Layout {
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
    /// The clients' column.
    pub clients: Rect,
    /// The load balancer's box.
    pub balancer: Rect,
    /// Boxes or cells.
    pub style: ServerStyle,
    /// One rectangle per server, in server order.
    pub servers: Vec<Rect>,
}

impl Layout {
    /// The layout of a `width` x `height` canvas with `servers` servers, sized by `scale`.
    pub fn new(width: f64, height: f64, servers: usize, scale: f64) -> Layout {
        let clients = Rect {
            x: MARGIN,
            y: MARGIN + 18.0 * scale,
            w: 70.0 * scale,
            h: height - 2.0 * MARGIN - 18.0 * scale,
        };
        let (bw, bh) = (190.0 * scale, 100.0 * scale);
        let balancer = Rect {
            x: width * 0.38 - bw / 2.0,
            y: height / 2.0 - bh / 2.0,
            w: bw,
            h: bh,
        };
        let slot = (height - 2.0 * MARGIN) / servers.max(1) as f64;
        let (style, servers) = if slot >= MIN_BOX_HEIGHT * scale {
            (ServerStyle::Boxes, column(width, height, servers, scale))
        } else {
            (ServerStyle::Cells, grid(width, height, servers, scale))
        };
        Layout {
            width,
            height,
            clients,
            balancer,
            style,
            servers,
        }
    }

    /// Where client `client`'s requests start: a stable spot in the clients' column.
    pub fn client_point(&self, client: u32) -> (f64, f64) {
        let spread = (u64::from(client).wrapping_mul(2_654_435_761) % 1_000) as f64 / 1_000.0;
        let c = &self.clients;
        (c.x + c.w, c.y + 10.0 + spread * (c.h - 20.0))
    }

    /// Where a request for server `index` goes in: the left edge of its box or cell.
    pub fn server_inlet(&self, index: usize) -> (f64, f64) {
        self.servers
            .get(index)
            .map_or(self.balancer.right(), Rect::left)
    }

    /// The segment a request is on and how far along it is: `(from, to, progress)`, or `None` when
    /// the server glyph shows it (queued, in service).
    pub fn segment(&self, request: &Request, now: SimTime) -> Option<Segment> {
        let server = request.server.map(|s| s as usize).unwrap_or(0);
        let (from, to, lane) = match request.phase {
            Phase::ToBalancer => (self.client_point(request.client), self.balancer.left(), 0.0),
            Phase::ToServer => (self.balancer.right(), self.server_inlet(server), 0.0),
            // Held at the balancer: drawn at its door.
            Phase::Delayed | Phase::WaitingForBalancer | Phase::AtBalancer => {
                (self.balancer.left(), self.balancer.left(), 0.0)
            }
            Phase::Queued | Phase::InService => return None,
            Phase::ToBalancerBack => (
                self.server_inlet(server),
                self.balancer.right(),
                RETURN_LANE,
            ),
            Phase::ToClient => (
                self.balancer.left(),
                self.client_point(request.client),
                RETURN_LANE,
            ),
        };
        Some(Segment {
            from: (from.0, from.1 + lane),
            to: (to.0, to.1 + lane),
            progress: request.progress(now),
        })
    }
}

/// A stretch of a request's journey.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Where it starts.
    pub from: (f64, f64),
    /// Where it ends.
    pub to: (f64, f64),
    /// How far along the request is, 0 to 1.
    pub progress: f64,
}

impl Segment {
    /// The request's point on the segment.
    pub fn point(&self) -> (f64, f64) {
        let p = self.progress;
        (
            self.from.0 + (self.to.0 - self.from.0) * p,
            self.from.1 + (self.to.1 - self.from.1) * p,
        )
    }
}

/// A column of server boxes on the right.
fn column(width: f64, height: f64, servers: usize, scale: f64) -> Vec<Rect> {
    let server_w = (160.0 * scale).min(width * 0.24);
    let x = width - MARGIN - server_w;
    let slot = (height - 2.0 * MARGIN) / servers.max(1) as f64;
    let gap = (slot * 0.15).min(12.0);
    (0..servers)
        .map(|i| Rect {
            x,
            y: MARGIN + i as f64 * slot + gap / 2.0,
            w: server_w,
            h: slot - gap,
        })
        .collect()
}

/// A grid of square-ish cells filling the right part of the canvas, row by row, under a caption.
fn grid(width: f64, height: f64, servers: usize, scale: f64) -> Vec<Rect> {
    let top = MARGIN + 20.0 * scale;
    let (x0, w) = (width * 0.62, width * 0.38 - MARGIN);
    let h = height - top - MARGIN;
    let n = servers.max(1) as f64;
    let cols = (n * w / h).sqrt().ceil().max(1.0);
    let rows = (n / cols).ceil();
    let cell = (w / cols).min(h / rows);
    let gap = (cell * 0.15).min(3.0);
    (0..servers)
        .map(|i| Rect {
            x: x0 + (i as f64 % cols) * cell,
            y: top + (i as f64 / cols).floor() * cell,
            w: cell - gap,
            h: cell - gap,
        })
        .collect()
}
