//! Draws one instant of a simulation on the flow canvas: links, clients, the load balancer (or
//! several, in their regions' bands) with what it is deciding with, the servers (boxes or
//! cells), open connections, the requests, and a legend. Each part is drawn by the module named
//! for it; this one holds what they share and the order they are drawn in.
//!
//! The algorithm's decision data ([`Decision`]) is drawn where it applies: the number it compares
//! (smooth WRR's current weight, active requests per weight, Peak EWMA's cost...) on each server's
//! box, the latest pick as a bold link (and, for the power-of-two-choices algorithms, the server it
//! lost against as a dashed one), and the round-robin pointer or the request's hash in the
//! balancer's box.
//!
//! With reduced motion the requests do not travel: each link is labelled with how many requests are
//! on it instead, so the picture changes only when the numbers do.

use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::connections::THREAD_ALPHA;
use super::layout::{Layout, Rect, ServerStyle};
use super::paint::{self, Pen, rounded_rect, shapes};
use super::requests::Kind;
use super::servers::AtServer;
use crate::session::{Gates, Palette};
use crate::sim::Simulation;
use crate::sim::balancer::Decision;
use crate::sim::connections::Layer;

/// How to draw the flow, beyond the simulation itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowView<'a> {
    /// Colours and sizes.
    pub palette: &'static Palette,
    /// Count requests on their links instead of moving them.
    pub reduced_motion: bool,
    /// The server the keyboard acts on, outlined.
    pub selected: Option<usize>,
    /// The breakers' latest changes, marked on their gates (none for compare mode's run B,
    /// whose events the page does not keep).
    pub gates: Option<&'a Gates>,
    /// The wall time of this frame, in milliseconds: how far the gates' marks have faded.
    pub wall_ms: f64,
}

/// Draws the whole flow for the simulation's current instant.
pub fn draw(canvas: &HtmlCanvasElement, sim: &Simulation, view: FlowView<'_>) {
    let Some(ctx) = paint::context(canvas) else {
        return;
    };
    let ratio = paint::device_ratio();
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    let pal = view.palette;
    let layout = Layout::new(
        f64::from(canvas.width()) / ratio,
        f64::from(canvas.height()) / ratio,
        pal.scale,
        sim,
    );
    ctx.set_fill_style_str(pal.background);
    ctx.fill_rect(0.0, 0.0, layout.width, layout.height);
    let scene = Scene {
        ctx: &ctx,
        layout: &layout,
        sim,
        pal,
        decision: sim.decision(),
        at_servers: AtServer::gather(sim),
        pinned: match sim.layer() {
            Some(Layer::L4) => sim.connections_per_server(),
            _ => Vec::new(),
        },
    };
    scene.bands();
    scene.links();
    scene.connections();
    scene.last_pick();
    scene.gates(view.gates, view.wall_ms);
    scene.clients();
    if sim.front().is_some() {
        scene.front();
    } else {
        scene.balancer();
    }
    match layout.style {
        ServerStyle::Boxes => (0..layout.servers.len()).for_each(|i| scene.server_box(i)),
        ServerStyle::Cells => scene.server_cells(),
    }
    if let Some(rect) = view.selected.and_then(|i| layout.servers.get(i)) {
        ctx.set_line_width(3.0);
        ctx.set_stroke_style_str(pal.selected);
        ctx.stroke_rect(rect.x - 3.0, rect.y - 3.0, rect.w + 6.0, rect.h + 6.0);
        ctx.set_line_width(1.0);
    }
    let drawn = if view.reduced_motion {
        scene.link_counts();
        [false; Kind::ALL.len()]
    } else {
        scene.requests()
    };
    scene.syn_waits();
    // Over the requests: the clients' dots fan out across its start.
    if sim.front().is_none() {
        scene.network();
    }
    scene.legend(drawn);
}

/// What one drawing pass needs.
pub(super) struct Scene<'a> {
    pub ctx: &'a CanvasRenderingContext2d,
    pub layout: &'a Layout<'a>,
    pub sim: &'a Simulation,
    pub pal: &'static Palette,
    pub decision: Decision,
    pub at_servers: Vec<AtServer>,
    /// Open connections pinned to each server by a layer-4 balancer (none otherwise).
    pub pinned: Vec<u32>,
}

impl Scene<'_> {
    /// A plate of the background's colour behind one line of words `width` wide centred at
    /// `(x, y)`, so that no link or request drawn before it runs through them.
    pub(super) fn plate(&self, (x, y): (f64, f64), width: f64) {
        let (pad, h) = (3.0 * self.pal.scale, 15.0 * self.pal.scale);
        let plate = Rect {
            x: x - width / 2.0 - pad,
            y: y - h / 2.0,
            w: width + 2.0 * pad,
            h,
        };
        let background = self.pal.background;
        rounded_rect(self.ctx, plate, 4.0, background, background);
    }

    /// A left-aligned pen of `px` pixels (scaled for the theme).
    pub(super) fn pen(&self, px: f64, bold: bool, colour: &'static str) -> Pen<'static> {
        Pen::new(px, bold, self.pal.scale, colour)
    }

    pub(super) fn name(&self, index: usize) -> String {
        self.sim
            .servers()
            .get(index)
            .map_or_else(|| format!("#{index}"), |s| s.spec().name.clone())
    }

    /// The clients' column under its title, with how many there are; with regions, a box in
    /// each region's band with its share of them.
    pub(super) fn clients(&self) {
        let (c, pal) = (self.layout.clients, self.pal);
        let cx = c.x + c.w / 2.0;
        let title = self.pen(13.0, true, pal.ink).centred();
        title.write(self.ctx, "Clients", (cx, c.y - 9.0 * pal.scale));
        let small = self.pen(12.0, false, pal.muted).centred().fit(c.w - 4.0);
        let regions = self.sim.scenario().front.as_ref().map(|f| &f.regions);
        match regions.filter(|_| !self.layout.bands.is_empty()) {
            Some(regions) => {
                for (band, region) in self.layout.bands.iter().zip(regions) {
                    let b = band.clients;
                    rounded_rect(self.ctx, b, 10.0, pal.panel, pal.outline);
                    let share = format!("{:.0}%", region.clients * 100.0);
                    small.write(self.ctx, &share, (cx, b.y + b.h / 2.0));
                }
            }
            None => {
                rounded_rect(self.ctx, c, 10.0, pal.panel, pal.outline);
                let count = self.sim.traffic().clients.to_string();
                small.write(self.ctx, &count, (cx, c.y + c.h / 2.0));
            }
        }
    }

    /// The key to the shapes, along the bottom between the clients and the servers: the kinds
    /// this run can draw and any `drawn` this frame (short enough for a phone's canvas).
    pub(super) fn legend(&self, drawn: [bool; Kind::ALL.len()]) {
        let (ctx, pal) = (self.ctx, self.pal);
        let pen = self.pen(11.0, false, pal.muted);
        let r = 4.0 * pal.scale;
        let y = self.layout.height - 10.0 * pal.scale;
        let mut x = self.layout.clients.x + self.layout.clients.w + 16.0;
        ctx.set_line_width(2.0 * pal.scale);
        for kind in Kind::ALL
            .into_iter()
            .filter(|&k| drawn[k as usize] || k.in_run(self.sim))
        {
            let colour = kind.colour(pal);
            ctx.set_fill_style_str(colour);
            ctx.set_stroke_style_str(colour);
            shapes(ctx, kind.shape(), &[(x, y, r)]);
            pen.write(ctx, kind.label(), (x + 2.5 * r, y));
            x += pen.width(ctx, kind.label()) + 5.0 * r + 8.0;
        }
        if self.sim.layer().is_some() {
            ctx.set_global_alpha(THREAD_ALPHA);
            ctx.set_stroke_style_str(pal.limited);
            ctx.begin_path();
            ctx.move_to(x - r, y);
            ctx.line_to(x + 2.0 * r, y);
            ctx.stroke();
            ctx.set_global_alpha(1.0);
            pen.write(ctx, "open connection", (x + 3.0 * r, y));
            x += pen.width(ctx, "open connection") + 5.0 * r + 8.0;
        }
        self.mechanism_keys((x, y));
        ctx.set_line_width(1.0);
    }
}

/// Solid or dashed strokes from now on.
pub(super) fn dashed(ctx: &CanvasRenderingContext2d, on: bool) {
    let pattern = if on {
        js_sys::Array::of2(&6.into(), &4.into())
    } else {
        js_sys::Array::new()
    };
    let _ = ctx.set_line_dash(&pattern);
}
