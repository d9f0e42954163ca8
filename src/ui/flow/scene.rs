//! The request-flow canvas: clients on the left, the load balancer in the middle, the servers on the
//! right, and every live request as a dot on its way. A dot's position is its phase's progress
//! (`Request::progress`), so what moves on screen is exactly what the simulation says.
//!
//! Outcomes use the Okabe-Ito colour-blind-safe palette and a shape each: requests on their way out
//! are blue dots, served answers green dots, failures vermillion crosses, 503 rejections orange squares.

use std::f64::consts::TAU;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::sim::request::Request;
use crate::sim::{Outcome, Phase, Simulation};

const OUTBOUND: &str = "#0072B2";
const SERVED: &str = "#009E73";
const FAILED: &str = "#D55E00";
const REJECTED: &str = "#E69F00";
const INK: &str = "#1f2933";
const MUTED: &str = "#7b8794";
const PANEL: &str = "#f5f7fa";
const DEAD: &str = "#d9dde3";
/// Returning dots travel this far below the outbound lane, so the two directions are distinct.
const RETURN_LANE: f64 = 7.0;

/// Resizes the canvas's backing store to its displayed size times the device pixel ratio.
/// Returns whether it changed (and so must be redrawn).
pub fn fit_to_display(canvas: &HtmlCanvasElement) -> bool {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let width = (f64::from(canvas.client_width()) * ratio).round() as u32;
    let height = (f64::from(canvas.client_height()) * ratio).round() as u32;
    if width == 0 || height == 0 || (canvas.width(), canvas.height()) == (width, height) {
        return false;
    }
    canvas.set_width(width);
    canvas.set_height(height);
    true
}

/// Where things are on the canvas, in CSS pixels.
struct Layout {
    width: f64,
    height: f64,
    clients: Rect,
    balancer: Rect,
    servers: Vec<Rect>,
}

#[derive(Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn left(&self) -> (f64, f64) {
        (self.x, self.y + self.h / 2.0)
    }
    fn right(&self) -> (f64, f64) {
        (self.x + self.w, self.y + self.h / 2.0)
    }
}

impl Layout {
    fn new(width: f64, height: f64, servers: usize) -> Layout {
        let margin = 16.0;
        let clients = Rect {
            x: margin,
            y: margin + 18.0,
            w: 70.0,
            h: height - 2.0 * margin - 18.0,
        };
        let balancer = Rect {
            x: width * 0.40 - 90.0,
            y: height / 2.0 - 40.0,
            w: 180.0,
            h: 80.0,
        };
        let server_w = 150.0_f64.min(width * 0.2);
        let x = width - margin - server_w;
        let slot = (height - 2.0 * margin) / servers.max(1) as f64;
        let gap = (slot * 0.15).min(12.0);
        let servers = (0..servers)
            .map(|i| Rect {
                x,
                y: margin + i as f64 * slot + gap / 2.0,
                w: server_w,
                h: slot - gap,
            })
            .collect();
        Layout {
            width,
            height,
            clients,
            balancer,
            servers,
        }
    }

    /// Where client `client`'s requests start: a stable spot in the clients' column.
    fn client_point(&self, client: u32) -> (f64, f64) {
        let spread = (u64::from(client).wrapping_mul(2_654_435_761) % 1_000) as f64 / 1_000.0;
        let c = &self.clients;
        (c.x + c.w, c.y + 10.0 + spread * (c.h - 20.0))
    }

    /// Where a request for server `index` goes in: the left edge of its box.
    fn server_inlet(&self, index: usize) -> (f64, f64) {
        self.servers
            .get(index)
            .map_or(self.balancer.right(), Rect::left)
    }

    /// Where `request` is drawn, or `None` when the server glyph shows it (queued, in service).
    fn position(&self, request: &Request, now: crate::sim::SimTime) -> Option<(f64, f64)> {
        let p = request.progress(now);
        let server = request.server.map(|s| s as usize).unwrap_or(0);
        let (from, to, lane) = match request.phase {
            Phase::ToBalancer => (self.client_point(request.client), self.balancer.left(), 0.0),
            Phase::ToServer => (self.balancer.right(), self.server_inlet(server), 0.0),
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
        Some((
            from.0 + (to.0 - from.0) * p,
            from.1 + (to.1 - from.1) * p + lane,
        ))
    }
}

/// Draws the whole flow for the simulation's current instant.
pub fn draw(canvas: &HtmlCanvasElement, sim: &Simulation) {
    let Some(ctx) = context(canvas) else { return };
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    let layout = Layout::new(
        f64::from(canvas.width()) / ratio,
        f64::from(canvas.height()) / ratio,
        sim.servers().len(),
    );
    ctx.clear_rect(0.0, 0.0, layout.width, layout.height);
    draw_links(&ctx, &layout, sim);
    draw_clients(&ctx, &layout, sim);
    draw_balancer(&ctx, &layout, sim);
    for (index, rect) in layout.servers.iter().enumerate() {
        draw_server(&ctx, rect, sim, index);
    }
    draw_requests(&ctx, &layout, sim);
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

fn draw_links(ctx: &CanvasRenderingContext2d, layout: &Layout, sim: &Simulation) {
    ctx.set_line_width(1.0);
    let (bx, by) = layout.balancer.right();
    // A link is dashed once the balancer stops offering the server; until health checks notice,
    // a dead server's link stays solid (and red): the detection window, drawn.
    for (index, rect) in layout.servers.iter().enumerate() {
        let offered = sim.pool()[index].eligible();
        let alive = sim.servers()[index].is_alive();
        ctx.set_stroke_style_str(match (offered, alive) {
            (true, true) => "#cbd2d9",
            (true, false) => FAILED,
            (false, _) => "#e4e7eb",
        });
        let dash = if offered {
            js_sys::Array::new()
        } else {
            js_sys::Array::of2(&6.into(), &4.into())
        };
        let _ = ctx.set_line_dash(&dash);
        let (sx, sy) = rect.left();
        ctx.begin_path();
        ctx.move_to(bx, by);
        ctx.line_to(sx, sy);
        ctx.stroke();
    }
    let _ = ctx.set_line_dash(&js_sys::Array::new());
}

fn draw_clients(ctx: &CanvasRenderingContext2d, layout: &Layout, sim: &Simulation) {
    let c = layout.clients;
    rounded_rect(ctx, c, 10.0, PANEL, "#cbd2d9");
    label(
        ctx,
        "Clients",
        c.x + c.w / 2.0,
        c.y - 8.0,
        "bold 13px system-ui, sans-serif",
        INK,
    );
    label(
        ctx,
        &sim.traffic().clients.to_string(),
        c.x + c.w / 2.0,
        c.y + c.h / 2.0,
        "12px system-ui, sans-serif",
        MUTED,
    );
}

fn draw_balancer(ctx: &CanvasRenderingContext2d, layout: &Layout, sim: &Simulation) {
    let b = layout.balancer;
    rounded_rect(ctx, b, 10.0, "#e3f0fa", OUTBOUND);
    let cx = b.x + b.w / 2.0;
    label(
        ctx,
        "Load balancer",
        cx,
        b.y + 22.0,
        "bold 13px system-ui, sans-serif",
        INK,
    );
    // Long algorithm names are squeezed into the box rather than spilling over the links.
    ctx.set_text_align("center");
    text_style(ctx, "11px system-ui, sans-serif", INK);
    let name = sim.algorithm().about().name;
    let _ = ctx.fill_text_with_max_width(name, cx, b.y + 44.0, b.w - 12.0);
    label(
        ctx,
        &format!("{:.0} req/s now", sim.traffic().rate_at(sim.now())),
        cx,
        b.y + 62.0,
        "11px system-ui, sans-serif",
        MUTED,
    );
}

fn draw_server(ctx: &CanvasRenderingContext2d, r: &Rect, sim: &Simulation, index: usize) {
    let server = &sim.servers()[index];
    let spec = server.spec();
    let alive = server.is_alive();
    rounded_rect(
        ctx,
        *r,
        8.0,
        if alive { PANEL } else { DEAD },
        if alive { "#9aa5b1" } else { FAILED },
    );
    let compact = r.h < 44.0;
    let title = match (alive, spec.backup) {
        _ if sim.backends()[index].removed() => format!("{} (removed)", spec.name),
        (false, _) => format!("{} DOWN", spec.name),
        (true, true) => format!("{} (backup)", spec.name),
        (true, false) => spec.name.clone(),
    };
    let title_y = if compact { r.y + r.h / 2.0 } else { r.y + 15.0 };
    label_in(
        ctx,
        r,
        &title,
        title_y,
        "bold 12px system-ui, sans-serif",
        if alive { INK } else { FAILED },
    );
    if compact {
        return;
    }
    let pace = if spec.speed < 1.0 {
        format!("{:.0}x slower", 1.0 / spec.speed)
    } else {
        format!("speed x{}", spec.speed)
    };
    let detail = format!("weight {}  ·  {pace}", spec.weight);
    label_in(
        ctx,
        r,
        &detail,
        r.y + 31.0,
        "11px system-ui, sans-serif",
        MUTED,
    );
    if r.h >= 72.0 {
        let backend = &sim.backends()[index];
        let mut lb_view = match backend.health() {
            Some(h) => {
                let (health, max) = h.health();
                format!(
                    "health {} {health}/{max}",
                    if h.is_up() { "UP" } else { "DOWN" }
                )
            }
            None => "no health checks".to_string(),
        };
        if sim.resilience().breaker != crate::sim::breaker::BreakerConfig::Off {
            lb_view += &format!("  ·  {}", backend.breaker().state().label());
        }
        let colour = if sim.pool()[index].eligible() {
            MUTED
        } else {
            FAILED
        };
        label_in(
            ctx,
            r,
            &lb_view,
            r.y + 46.0,
            "11px system-ui, sans-serif",
            colour,
        );
    }
    // Worker slots: filled while busy.
    let slots = spec.workers.min(12);
    let size = 10.0;
    for i in 0..slots {
        let x = r.x + 8.0 + f64::from(i) * (size + 3.0);
        let busy = i < server.busy();
        ctx.set_fill_style_str(if busy { OUTBOUND } else { "#ffffff" });
        ctx.fill_rect(x, r.y + r.h - 18.0, size, size);
        ctx.set_stroke_style_str("#9aa5b1");
        ctx.stroke_rect(x, r.y + r.h - 18.0, size, size);
    }
    if spec.workers > slots {
        ctx.set_text_align("left");
        draw_text(
            ctx,
            &format!("{}/{}", server.busy(), spec.workers),
            r.x + 8.0 + f64::from(slots) * 13.0,
            r.y + r.h - 13.0,
            "10px system-ui, sans-serif",
            MUTED,
        );
    }
    // The queue: dots lined up left of the box, newest furthest out.
    let queued = server.queued();
    let shown = queued.min(10);
    let (qx, qy) = r.left();
    ctx.set_fill_style_str(OUTBOUND);
    for i in 0..shown {
        circle(ctx, qx - 8.0 - f64::from(i) * 8.0, qy, 3.0);
    }
    if queued > shown {
        label(
            ctx,
            &format!("+{}", queued - shown),
            qx - 8.0 - f64::from(shown) * 8.0 - 8.0,
            qy - 10.0,
            "10px system-ui, sans-serif",
            MUTED,
        );
    }
}

fn draw_requests(ctx: &CanvasRenderingContext2d, layout: &Layout, sim: &Simulation) {
    let now = sim.now();
    let (mut outbound, mut served, mut failed, mut rejected) = (vec![], vec![], vec![], vec![]);
    for request in sim.requests() {
        let Some(point) = layout.position(request, now) else {
            continue;
        };
        match request.outcome {
            None => outbound.push(point),
            Some(Outcome::Success) => served.push(point),
            Some(o) if o.is_rejection() => rejected.push(point),
            Some(_) => failed.push(point),
        }
    }
    for (points, colour) in [(outbound, OUTBOUND), (served, SERVED)] {
        ctx.set_fill_style_str(colour);
        ctx.begin_path();
        for (x, y) in points {
            ctx.move_to(x + 4.0, y);
            let _ = ctx.arc(x, y, 4.0, 0.0, TAU);
        }
        ctx.fill();
    }
    ctx.set_fill_style_str(REJECTED);
    for (x, y) in rejected {
        ctx.fill_rect(x - 4.0, y - 4.0, 8.0, 8.0);
    }
    ctx.set_stroke_style_str(FAILED);
    ctx.set_line_width(2.5);
    ctx.begin_path();
    for (x, y) in failed {
        ctx.move_to(x - 4.0, y - 4.0);
        ctx.line_to(x + 4.0, y + 4.0);
        ctx.move_to(x + 4.0, y - 4.0);
        ctx.line_to(x - 4.0, y + 4.0);
    }
    ctx.stroke();
    ctx.set_line_width(1.0);
}

fn circle(ctx: &CanvasRenderingContext2d, x: f64, y: f64, radius: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, radius, 0.0, TAU);
    ctx.fill();
}

fn rounded_rect(ctx: &CanvasRenderingContext2d, r: Rect, radius: f64, fill: &str, stroke: &str) {
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

fn label(ctx: &CanvasRenderingContext2d, text: &str, x: f64, y: f64, font: &str, colour: &str) {
    ctx.set_text_align("center");
    draw_text(ctx, text, x, y, font, colour);
}

/// Left-aligned text inside server box `r`, squeezed to fit its width.
fn label_in(
    ctx: &CanvasRenderingContext2d,
    r: &Rect,
    text: &str,
    y: f64,
    font: &str,
    colour: &str,
) {
    ctx.set_text_align("left");
    text_style(ctx, font, colour);
    let _ = ctx.fill_text_with_max_width(text, r.x + 8.0, y, r.w - 16.0);
}

fn draw_text(ctx: &CanvasRenderingContext2d, text: &str, x: f64, y: f64, font: &str, colour: &str) {
    text_style(ctx, font, colour);
    let _ = ctx.fill_text(text, x, y);
}

fn text_style(ctx: &CanvasRenderingContext2d, font: &str, colour: &str) {
    ctx.set_font(font);
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str(colour);
}
