//! Several balancers: a column of balancer boxes where the one balancer stands, and with regions
//! a band per region that frames its clients, its balancers and its servers. With a local tier
//! (hierarchical balancing) each band has two columns of balancers: its regional ones, and
//! right of them its local ones, each framed with its cluster of servers.

use std::ops::Range;

use super::{Canvas, LEGEND_ROOM, MARGIN, Rect, ServerStyle, place};
use crate::sim::front::FrontState;
use crate::sim::front::hierarchy::Tier as LocalTier;

/// A band's label row, above its contents (before the palette's scale).
const LABEL_ROW: f64 = 18.0;
/// The space between two bands, and under a band's contents (before the palette's scale).
const BAND_GAP: f64 = 6.0;
/// The space between two clusters' frames (before the palette's scale).
const CLUSTER_GAP: f64 = 6.0;
/// How far a cluster's frame reaches beyond its local balancer and its servers (before the
/// palette's scale).
const CLUSTER_PAD: f64 = 4.0;
/// How far left of the balancers a VRRP group's virtual address is drawn (before the scale).
const ENTRY_GAP: f64 = 44.0;
/// Half the width of the virtual address's label, "virtual IP" (before the scale).
const VIP_HALF_WIDTH: f64 = 32.0;
/// The least space between a balancer's box and the boxes left of it (before the scale).
const BOX_GAP: f64 = 12.0;
/// Where the regional balancers stand when local ones stand right of them.
const REGIONAL: place::Column = place::Column {
    at: 0.27,
    width: 140.0,
};
/// Where the local balancers stand.
const LOCAL: place::Column = place::Column {
    at: 0.55,
    width: 120.0,
};

/// One region's part of the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// The whole band, framing the rest.
    pub frame: Rect,
    /// Its clients' box.
    pub clients: Rect,
    /// Its balancers (its regional ones, with a local tier), as balancer indices.
    pub balancers: Range<usize>,
    /// Its servers, as server indices.
    pub servers: Range<usize>,
    /// Its clusters, as indices into [`Layout::clusters`](super::Layout::clusters) (none
    /// without a local tier).
    pub clusters: Range<usize>,
}

/// A local balancer with the servers it sends to, framed together.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// The frame around the local balancer's box and its servers.
    pub frame: Rect,
    /// The local balancer, as a balancer index.
    pub balancer: usize,
    /// Its servers, as server indices.
    pub servers: Range<usize>,
}

/// The balancers, bands and servers of a run with several balancers.
pub(super) struct Tier {
    pub balancers: Vec<Rect>,
    pub entry: (f64, f64),
    pub bands: Vec<Band>,
    pub clusters: Vec<Cluster>,
    pub style: ServerStyle,
    pub servers: Vec<Rect>,
}

impl Tier {
    /// Lays out `front` with `servers` servers; `clients` is the clients' column.
    pub fn new(c: &Canvas, front: &FrontState, servers: usize, clients: &Rect) -> Tier {
        let bottom = c.height - LEGEND_ROOM * c.scale;
        // Clear of the clients, and with a VRRP group of its virtual address and its label.
        let gap = BOX_GAP * c.scale;
        let clear = clients.x + clients.w + gap;
        let Some(geography) = front.geography() else {
            let left = match front.vrrp() {
                Some(_) => clear + (ENTRY_GAP + VIP_HALF_WIDTH) * c.scale,
                None => clear,
            };
            let (style, servers) = place::servers(c, servers);
            let right = servers.iter().map(|s| s.x).fold(c.width, f64::min) - gap;
            let span = (clients.y, bottom);
            let bounds = (left, right);
            let balancers = place::balancer_column(c, place::BALANCERS, front.len(), span, bounds);
            let entry = (
                balancers[0].x - ENTRY_GAP * c.scale,
                (balancers[0].y + balancers[balancers.len() - 1].y + balancers[0].h) / 2.0,
            );
            return Tier {
                balancers,
                entry,
                bands: Vec::new(),
                clusters: Vec::new(),
                style,
                servers,
            };
        };
        let local = front.tier();
        let regions: Vec<Region> = (0..geography.len())
            .map(|r| {
                let servers = geography.servers_of(r, servers);
                Region {
                    balancers: front.balancers_of(r),
                    clusters: local.map_or_else(Vec::new, |t| clusters(t, r, &servers)),
                    servers,
                }
            })
            .collect();
        let frames = frames(c, &regions, clients.y, bottom);
        // The label row is over the clients and the balancers; the servers use the band's
        // whole height, and are boxes only if every band has room for its servers' boxes.
        let pad = BAND_GAP * c.scale / 2.0;
        let content = |f: &Rect| (f.y + LABEL_ROW * c.scale, f.h - LABEL_ROW * c.scale - pad);
        let server_span = |f: &Rect| (f.y + pad, f.h - 2.0 * pad);
        let gaps = |r: &Region| CLUSTER_GAP * c.scale * r.clusters.len().saturating_sub(1) as f64;
        let boxes = frames
            .iter()
            .zip(&regions)
            .all(|(f, r)| place::boxes_fit(c, server_span(f).1 - gaps(r), r.servers.len()));
        let style = if boxes {
            ServerStyle::Boxes
        } else {
            ServerStyle::Cells
        };
        let column = if local.is_some() {
            REGIONAL
        } else {
            place::BALANCERS
        };
        let mut tier = Tier {
            balancers: Vec::new(),
            entry: (0.0, 0.0),
            bands: Vec::new(),
            clusters: Vec::new(),
            style,
            servers: Vec::new(),
        };
        // The local balancers are numbered after every regional one.
        let mut locals = Vec::new();
        for (frame, region) in frames.into_iter().zip(regions) {
            let (top, h) = content(&frame);
            let right = if local.is_some() {
                LOCAL.x(c)
            } else {
                place::servers_left(c, style)
            } - gap;
            let span = (top, top + h);
            let regional =
                place::balancer_column(c, column, region.balancers.len(), span, (clear, right));
            let beside = regional.iter().map(|r| r.x + r.w + gap).fold(0.0, f64::max);
            tier.balancers.extend(regional);
            let (server_top, server_h) = server_span(&frame);
            let first_cluster = tier.clusters.len();
            if region.clusters.is_empty() {
                tier.servers.extend(place_servers(
                    c,
                    style,
                    server_top,
                    server_h,
                    region.servers.len(),
                    place::GRID_AT,
                ));
            } else {
                let spans = slices(c, server_top, server_h, &region.clusters);
                for ((b, servers), (y, h)) in region.clusters.iter().cloned().zip(spans) {
                    // Right of its regional balancers, left of its servers' boxes (a grid
                    // starts right of it).
                    let right = match style {
                        ServerStyle::Boxes => place::servers_left(c, style) - gap,
                        ServerStyle::Cells => c.width * place::GRID_AT,
                    };
                    let local = place::centred_box(c, LOCAL, (y, h), (beside, right));
                    let grid_at = (local.x + local.w + place::GRID_GAP * c.scale) / c.width;
                    let rects = place_servers(c, style, y, h, servers.len(), grid_at);
                    let right = rects.iter().map(|r| r.x + r.w).fold(0.0, f64::max);
                    let pad = CLUSTER_PAD * c.scale;
                    tier.clusters.push(Cluster {
                        frame: Rect {
                            x: local.x - pad,
                            y,
                            w: right + pad - (local.x - pad),
                            h,
                        },
                        balancer: b,
                        servers,
                    });
                    tier.servers.extend(rects);
                    locals.push(local);
                }
            }
            tier.bands.push(Band {
                frame,
                clients: Rect {
                    x: clients.x,
                    y: top,
                    w: clients.w,
                    h,
                },
                balancers: region.balancers,
                servers: region.servers,
                clusters: first_cluster..tier.clusters.len(),
            });
        }
        tier.balancers.extend(locals);
        tier.entry = tier.balancers.first().map_or((0.0, 0.0), Rect::left);
        tier
    }
}

/// One region's balancers, servers and (with a local tier) clusters, before placing.
struct Region {
    balancers: Range<usize>,
    servers: Range<usize>,
    /// Each local balancer with its cluster.
    clusters: Vec<(usize, Range<usize>)>,
}

/// Region `r`'s local balancers, each with its cluster of the region's `servers`.
fn clusters(tier: &LocalTier, r: usize, servers: &Range<usize>) -> Vec<(usize, Range<usize>)> {
    tier.locals(r)
        .map(|b| (usize::from(b), tier.cluster(b, servers.clone())))
        .collect()
}

/// `n` servers from `top` down `h`: a column of boxes, or a grid of cells from `grid_at` of the
/// canvas's width.
fn place_servers(
    c: &Canvas,
    style: ServerStyle,
    top: f64,
    h: f64,
    n: usize,
    grid_at: f64,
) -> Vec<Rect> {
    match style {
        ServerStyle::Boxes => place::column(c, top, h, n),
        ServerStyle::Cells => place::grid(place::grid_area(c, grid_at, top, h), n),
    }
}

/// The clusters' slices of `top..top + h`, one each, as tall as its share of the servers, with
/// a gap between two.
fn slices(c: &Canvas, top: f64, h: f64, clusters: &[(usize, Range<usize>)]) -> Vec<(f64, f64)> {
    let gap = CLUSTER_GAP * c.scale;
    let total: usize = clusters.iter().map(|(_, s)| s.len()).sum();
    let room = (h - gap * clusters.len().saturating_sub(1) as f64).max(0.0);
    let mut y = top;
    clusters
        .iter()
        .map(|(_, s)| {
            let slice = room * s.len() as f64 / total.max(1) as f64;
            let at = (y, slice);
            y += slice + gap;
            at
        })
        .collect()
}

/// The bands' frames, stacked from `top` to `bottom` across the canvas, each as tall as its
/// servers' share (its balancers' at least, so every band has room for them).
fn frames(c: &Canvas, regions: &[Region], top: f64, bottom: f64) -> Vec<Rect> {
    let weight = |r: &Region| {
        let balancers = r.balancers.len().max(r.clusters.len());
        (r.servers.len() as f64)
            .max(1.5 * balancers as f64)
            .max(1.0)
    };
    let total: f64 = regions.iter().map(weight).sum();
    let gap = BAND_GAP * c.scale;
    let room = (bottom - top - gap * (regions.len() as f64 - 1.0)).max(0.0);
    let mut y = top;
    regions
        .iter()
        .map(|r| {
            let h = room * weight(r) / total;
            let frame = Rect {
                x: MARGIN / 2.0,
                y,
                w: c.width - MARGIN,
                h,
            };
            y += h + gap;
            frame
        })
        .collect()
}
