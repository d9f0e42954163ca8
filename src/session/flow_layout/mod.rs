//! Where things are on the flow canvas, in CSS pixels. Plain geometry, so it is tested natively;
//! the canvas (`ui::flow`) draws at these places and nothing decides where else.
//!
//! As many servers as fit at a readable height ([`MIN_BOX_HEIGHT`]) each get a box in a column
//! on the right, with a link from the balancer. Beyond that, boxes would be slivers with unreadable
//! text, so the servers become a grid of small cells (the aggregate view that keeps 1,000 servers
//! usable): a cell's shade is its load, and requests travel to their cell.
//!
//! With several balancers (`scenario.front`) the one balancer box becomes a column of them
//! ([`tier`]), and with regions the canvas is cut into a band per region: its clients, its
//! balancers and its servers (contiguous in server order) side by side, so a request that
//! leaves its band is a client served by another region. A request's balancer is its `via`: it
//! travels client -> its balancer -> server and back through the same balancer; on its way to
//! a VRRP group's virtual address (before any balancer has it) it heads for [`Layout::entry`].
//! With a local tier a band's servers are cut into clusters, each framed with its local
//! balancer ([`Cluster`]), and a request travels client -> regional balancer -> its local
//! balancer (its `picker`) -> server, moving over each stretch for the time it takes (the
//! hop between the two balancers, then the network to the server).

mod hit;
mod place;
mod tier;

#[cfg(test)]
mod tests;

use std::ops::Range;

use crate::sim::front::FrontState;
use crate::sim::request::Request;
use crate::sim::{Phase, SimTime, Simulation};

pub use tier::{Band, Cluster};

/// The smallest readable server box, in CSS pixels.
const MIN_BOX_HEIGHT: f64 = 22.0;
/// Returning requests travel this far below the outbound lane, so the two directions are distinct.
const RETURN_LANE: f64 = 7.0;
/// The space kept around the edges.
const MARGIN: f64 = 16.0;
/// The room kept along the bottom for the legend, under everything but the clients (before
/// the palette's scale).
const LEGEND_ROOM: f64 = 22.0;
/// The room above the clients' column for its title (before the palette's scale).
const TITLE_ROOM: f64 = 18.0;

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

    /// Whether `other` lies wholly inside this one.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.w <= self.x + self.w
            && other.y + other.h <= self.y + self.h
    }

    /// Whether the two share any area.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
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
pub struct Layout<'a> {
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
    /// The clients' column (with regions, the bands' client boxes are within its span).
    pub clients: Rect,
    /// One box per balancer, in balancer order: one without a front.
    pub balancers: Vec<Rect>,
    /// Where a request on its way to a VRRP group's virtual address goes; the balancer's door
    /// with one balancer.
    pub entry: (f64, f64),
    /// One band per region, in region order (none without regions).
    pub bands: Vec<Band>,
    /// With a local tier, each local balancer with its servers, in balancer order.
    pub clusters: Vec<Cluster>,
    /// Where the legend's row along the bottom begins: nothing but the clients reaches below.
    pub legend_top: f64,
    /// Boxes or cells.
    pub style: ServerStyle,
    /// One rectangle per server, in server order.
    pub servers: Vec<Rect>,
    /// The front the balancers are, when there are several.
    front: Option<&'a FrontState>,
    /// With a local tier, the hop's share of the way between a regional balancer and a
    /// server (the rest is the network to the server).
    hop_share: f64,
}

impl<'a> Layout<'a> {
    /// The layout of a `width` x `height` canvas for `sim`'s servers behind its balancer or
    /// balancers, sized by `scale`.
    pub fn new(width: f64, height: f64, scale: f64, sim: &'a Simulation) -> Layout<'a> {
        let (servers, front) = (sim.servers().len(), sim.front());
        let clients = Rect {
            x: MARGIN,
            y: MARGIN + TITLE_ROOM * scale,
            w: 70.0 * scale,
            h: height - 2.0 * MARGIN - TITLE_ROOM * scale,
        };
        let canvas = Canvas {
            width,
            height,
            scale,
        };
        let tier = match front {
            None => {
                let (style, servers) = place::servers(&canvas, servers);
                let right = servers.iter().map(|s| s.x).fold(width, f64::min);
                let balancer = place::single_balancer(&canvas, clients.x + clients.w, right);
                tier::Tier {
                    balancers: vec![balancer],
                    entry: balancer.left(),
                    bands: Vec::new(),
                    clusters: Vec::new(),
                    style,
                    servers,
                }
            }
            Some(f) => tier::Tier::new(&canvas, f, servers, &clients),
        };
        let hop = front.and_then(FrontState::tier).map(|t| t.hop());
        let hop_share = hop.map_or(0.0, |hop| {
            let total = hop + sim.scenario().backend_latency;
            if total.is_zero() {
                0.5
            } else {
                hop.as_secs_f64() / total.as_secs_f64()
            }
        });
        Layout {
            width,
            height,
            clients,
            balancers: tier.balancers,
            entry: tier.entry,
            bands: tier.bands,
            clusters: tier.clusters,
            legend_top: height - LEGEND_ROOM * scale,
            style: tier.style,
            servers: tier.servers,
            front,
            hop_share,
        }
    }

    /// Where client `client`'s requests start: a stable spot in its clients' box (its region's,
    /// with regions).
    pub fn client_point(&self, client: u32) -> (f64, f64) {
        let spread = (u64::from(client).wrapping_mul(2_654_435_761) % 1_000) as f64 / 1_000.0;
        let c = self.clients_box(client);
        (c.x + c.w, c.y + 10.0 + spread * (c.h - 20.0))
    }

    /// The box `client` is drawn in: its region's band's, or the one clients' box.
    pub fn clients_box(&self, client: u32) -> &Rect {
        self.front
            .and_then(|f| f.client_region(client))
            .and_then(|r| self.bands.get(r))
            .map_or(&self.clients, |b| &b.clients)
    }

    /// Where a request for server `index` goes in: the left edge of its box or cell.
    pub fn server_inlet(&self, index: usize) -> (f64, f64) {
        self.servers
            .get(index)
            .map_or(self.balancers[0].right(), Rect::left)
    }

    /// The balancers that send to server `index`: its cluster's local one, its region's, or
    /// all of them.
    pub fn senders(&self, index: usize) -> Range<usize> {
        if let Some(c) = self.clusters.iter().find(|c| c.servers.contains(&index)) {
            return c.balancer..c.balancer + 1;
        }
        self.bands
            .iter()
            .find(|b| b.servers.contains(&index))
            .map_or(0..self.balancers.len(), |b| b.balancers.clone())
    }

    /// Where server `index`'s links fan out from: its balancer's right edge, or the middle of
    /// its balancers' (where a mark on "the" link to it stands, such as its breaker's gate).
    pub fn feed(&self, index: usize) -> (f64, f64) {
        let senders = self.senders(index);
        let n = senders.len().max(1) as f64;
        let (x, y) = self.balancers[senders]
            .iter()
            .map(Rect::right)
            .fold((0.0, 0.0), |(x, y), (bx, by)| (x + bx, y + by));
        (x / n, y / n)
    }

    /// The segment a request is on and how far along it is: `(from, to, progress)`, or `None` when
    /// something else shows it: the server glyph (queued, in service), or the count of requests
    /// whose clients wait to resend a SYN ([`Request::resending_syn`]), which would otherwise
    /// crawl out of the clients' box for seconds and pile up there.
    pub fn segment(&self, request: &Request, now: SimTime) -> Option<Segment> {
        if request.resending_syn() {
            return None;
        }
        let server = request.server.map(|s| s as usize).unwrap_or(0);
        // Its balancer's doors: in from the clients, out to the servers.
        let via = self.balancers.get(usize::from(request.via));
        let door = via.map_or(self.entry, Rect::left);
        let back = via.map_or(self.entry, Rect::right);
        // With a local tier, the local balancer its regional one sent it to.
        let local = (request.picker != request.via)
            .then(|| self.balancers.get(usize::from(request.picker)))
            .flatten();
        let inlet = self.server_inlet(server);
        let progress = request.progress(now);
        let (from, to, lane, progress) = match (request.phase, local) {
            (Phase::ToBalancer, _) => (self.client_point(request.client), door, 0.0, progress),
            (Phase::ToServer, None) => (back, inlet, 0.0, progress),
            (Phase::ToServer, Some(l)) => {
                let (a, b, p) =
                    two_stretches([back, l.left(), l.right(), inlet], self.hop_share, progress);
                (a, b, 0.0, p)
            }
            // Held at the balancer: drawn at its door.
            (Phase::Delayed | Phase::WaitingForBalancer | Phase::AtBalancer, _) => {
                (door, door, 0.0, progress)
            }
            (Phase::Queued | Phase::InService, _) => return None,
            (Phase::ToBalancerBack, None) => (inlet, back, RETURN_LANE, progress),
            (Phase::ToBalancerBack, Some(l)) => {
                let (a, b, p) = two_stretches(
                    [inlet, l.right(), l.left(), back],
                    1.0 - self.hop_share,
                    progress,
                );
                (a, b, RETURN_LANE, p)
            }
            (Phase::ToClient, _) => (
                door,
                self.client_point(request.client),
                RETURN_LANE,
                progress,
            ),
        };
        Some(Segment {
            from: (from.0, from.1 + lane),
            to: (to.0, to.1 + lane),
            progress,
        })
    }
}

/// A way over two stretches, `points[0] -> points[1]` and then `points[2] -> points[3]` (through
/// a box between them), the first taking the share `first` of the time: the stretch a traveller
/// `progress` of the way along is on, and how far along that stretch.
fn two_stretches(
    points: [(f64, f64); 4],
    first: f64,
    progress: f64,
) -> ((f64, f64), (f64, f64), f64) {
    if progress < first {
        (points[0], points[1], progress / first)
    } else {
        let rest = 1.0 - first;
        let p = if rest > 0.0 {
            (progress - first) / rest
        } else {
            1.0
        };
        (points[2], points[3], p)
    }
}

/// The canvas being laid out.
struct Canvas {
    width: f64,
    height: f64,
    scale: f64,
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
