//! Several balancers: a column of balancer boxes where the one balancer stands, and with regions
//! a band per region that frames its clients, its balancers and its servers.

use std::ops::Range;

use super::{Canvas, MARGIN, Rect, ServerStyle, place};
use crate::sim::front::FrontState;

/// The room kept under the balancers (and the bands) for the legend (before the palette's
/// scale).
const LEGEND_ROOM: f64 = 22.0;
/// A band's label row, above its contents (before the palette's scale).
const LABEL_ROW: f64 = 18.0;
/// The space between two bands, and under a band's contents (before the palette's scale).
const BAND_GAP: f64 = 6.0;
/// How far left of the balancers a VRRP group's virtual address is drawn (before the scale).
const ENTRY_GAP: f64 = 44.0;

/// One region's part of the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// The whole band, framing the rest.
    pub frame: Rect,
    /// Its clients' box.
    pub clients: Rect,
    /// Its balancers, as balancer indices.
    pub balancers: Range<usize>,
    /// Its servers, as server indices.
    pub servers: Range<usize>,
}

/// The balancers, bands and servers of a run with several balancers.
pub(super) struct Tier {
    pub balancers: Vec<Rect>,
    pub entry: (f64, f64),
    pub bands: Vec<Band>,
    pub style: ServerStyle,
    pub servers: Vec<Rect>,
}

impl Tier {
    /// Lays out `front` with `servers` servers; `clients` is the clients' column.
    pub fn new(c: &Canvas, front: &FrontState, servers: usize, clients: &Rect) -> Tier {
        let bottom = c.height - LEGEND_ROOM * c.scale;
        let Some(geography) = front.geography() else {
            let balancers = place::balancer_column(c, front.len(), clients.y, bottom);
            let (style, servers) = place::servers(c, servers);
            let entry = (
                balancers[0].x - ENTRY_GAP * c.scale,
                (balancers[0].y + balancers[balancers.len() - 1].y + balancers[0].h) / 2.0,
            );
            return Tier {
                balancers,
                entry,
                bands: Vec::new(),
                style,
                servers,
            };
        };
        let regions: Vec<(Range<usize>, Range<usize>)> = (0..geography.len())
            .map(|r| (front.balancers_of(r), geography.servers_of(r, servers)))
            .collect();
        let frames = frames(c, &regions, clients.y, bottom);
        // The label row is over the clients and the balancers; the servers use the band's
        // whole height, and are boxes only if every band has room for its servers' boxes.
        let pad = BAND_GAP * c.scale / 2.0;
        let content = |f: &Rect| (f.y + LABEL_ROW * c.scale, f.h - LABEL_ROW * c.scale - pad);
        let server_span = |f: &Rect| (f.y + pad, f.h - 2.0 * pad);
        let boxes = frames
            .iter()
            .zip(&regions)
            .all(|(f, (_, s))| place::boxes_fit(c, server_span(f).1, s.len()));
        let mut tier = Tier {
            balancers: Vec::new(),
            entry: (0.0, 0.0),
            bands: Vec::new(),
            style: if boxes {
                ServerStyle::Boxes
            } else {
                ServerStyle::Cells
            },
            servers: Vec::new(),
        };
        for (frame, (balancers, servers)) in frames.into_iter().zip(regions) {
            let (top, h) = content(&frame);
            tier.balancers
                .extend(place::balancer_column(c, balancers.len(), top, top + h));
            let (server_top, server_h) = server_span(&frame);
            tier.servers.extend(if boxes {
                place::column(c, server_top, server_h, servers.len())
            } else {
                let area = place::grid_area(c, server_top, server_h);
                place::grid(area, servers.len())
            });
            tier.bands.push(Band {
                frame,
                clients: Rect {
                    x: clients.x,
                    y: top,
                    w: clients.w,
                    h,
                },
                balancers,
                servers,
            });
        }
        tier.entry = tier.balancers.first().map_or((0.0, 0.0), Rect::left);
        tier
    }
}

/// The bands' frames, stacked from `top` to `bottom` across the canvas, each as tall as its
/// servers' share (its balancers' at least, so every band has room for them).
fn frames(
    c: &Canvas,
    regions: &[(Range<usize>, Range<usize>)],
    top: f64,
    bottom: f64,
) -> Vec<Rect> {
    let weight =
        |(b, s): &(Range<usize>, Range<usize>)| (s.len() as f64).max(1.5 * b.len() as f64).max(1.0);
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
