//! Draws one instant of a simulation on the flow canvas: links, clients, the load balancer with
//! what its algorithm is deciding with, the servers (boxes or cells), the requests, and a legend.
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

use super::layout::{Layout, Rect, ServerStyle};
use super::paint::{self, Pen, Shape, rounded_rect, shapes};
use crate::session::{Gate, GateMark, Gates, Palette, Pips, request_scale};
use crate::sim::balancer::Decision;
use crate::sim::balancer_cpu::TlsMode;
use crate::sim::breaker::{BreakerConfig, BreakerState};
use crate::sim::connections::Layer;
use crate::sim::engine::BalancerLoad;
use crate::sim::{Outcome, Phase, Simulation, narrate};

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
        sim.servers().len(),
        pal.scale,
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
    };
    scene.links();
    scene.last_pick();
    scene.gates(view.gates, view.wall_ms);
    scene.clients();
    scene.network();
    scene.balancer();
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
    if view.reduced_motion {
        scene.link_counts();
    } else {
        scene.requests();
    }
    scene.legend();
}

/// What one drawing pass needs.
struct Scene<'a> {
    ctx: &'a CanvasRenderingContext2d,
    layout: &'a Layout,
    sim: &'a Simulation,
    pal: &'static Palette,
    decision: Decision,
    at_servers: Vec<AtServer>,
}

/// The requests at one server, for its queue and its workers: each queued one's size, oldest
/// first, and how far through its service each one in service is, longest served first.
#[derive(Clone, Debug, Default)]
struct AtServer {
    queued: Vec<f64>,
    serving: Vec<f64>,
}

impl AtServer {
    /// The requests at each of `sim`'s servers.
    fn gather(sim: &Simulation) -> Vec<AtServer> {
        let now = sim.now();
        let mut at: Vec<(Vec<_>, Vec<_>)> = vec![Default::default(); sim.servers().len()];
        for r in sim.requests() {
            let Some(server) = r.server.and_then(|s| at.get_mut(s as usize)) else {
                continue;
            };
            match r.phase {
                Phase::Queued => server.0.push((r.phase_start, request_scale(r.cost))),
                Phase::InService => server.1.push((r.phase_start, r.progress(now))),
                _ => {}
            }
        }
        at.into_iter()
            .map(|(mut queued, mut serving)| {
                queued.sort_by_key(|q| q.0);
                serving.sort_by_key(|s| s.0);
                AtServer {
                    queued: queued.into_iter().map(|q| q.1).collect(),
                    serving: serving.into_iter().map(|s| s.1).collect(),
                }
            })
            .collect()
    }
}

/// The kinds of request drawn, each with its shape; the legend lists them in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Outbound,
    Retried,
    Served,
    Failed,
    Rejected,
    Refused,
    Limited,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Outbound,
        Kind::Retried,
        Kind::Served,
        Kind::Failed,
        Kind::Rejected,
        Kind::Refused,
        Kind::Limited,
    ];

    /// The kind of a request with `tries` at the balancer, sent again by its client or not.
    fn of(tries: u8, client_retry: bool, outcome: Option<Outcome>) -> Kind {
        match outcome {
            None if tries > 1 || client_retry => Kind::Retried,
            None => Kind::Outbound,
            Some(Outcome::Success) => Kind::Served,
            Some(Outcome::BreakerOpen) => Kind::Refused,
            Some(Outcome::RateLimited) => Kind::Limited,
            Some(o) if o.is_rejection() => Kind::Rejected,
            Some(_) => Kind::Failed,
        }
    }

    fn shape(self) -> Shape {
        match self {
            Kind::Outbound | Kind::Served => Shape::Dot,
            Kind::Retried => Shape::Diamond,
            Kind::Failed => Shape::Cross,
            Kind::Rejected => Shape::Square,
            Kind::Refused => Shape::Triangle,
            Kind::Limited => Shape::Bar,
        }
    }

    fn colour(self, pal: &Palette) -> &'static str {
        match self {
            Kind::Outbound => pal.outbound,
            Kind::Retried => pal.retried,
            Kind::Served => pal.served,
            Kind::Failed => pal.failed,
            Kind::Rejected => pal.rejected,
            Kind::Refused => pal.rejected,
            Kind::Limited => pal.limited,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Outbound => "request",
            Kind::Retried => "retry",
            Kind::Served => "answer",
            Kind::Failed => "failed",
            Kind::Rejected => "503",
            Kind::Refused => "breaker open",
            Kind::Limited => "rate limited",
        }
    }
}

impl Scene<'_> {
    /// A left-aligned pen of `px` pixels (scaled for the theme).
    fn pen(&self, px: f64, bold: bool, colour: &'static str) -> Pen<'static> {
        Pen::new(px, bold, self.pal.scale, colour)
    }

    fn name(&self, index: usize) -> String {
        self.sim
            .servers()
            .get(index)
            .map_or_else(|| format!("#{index}"), |s| s.spec().name.clone())
    }

    fn links(&self) {
        let (ctx, pal) = (self.ctx, self.pal);
        ctx.set_line_width(pal.scale);
        let (bx, by) = self.layout.balancer.right();
        if self.layout.style == ServerStyle::Cells {
            // One line to the grid instead of a thousand.
            if let Some(r) = self.layout.servers.first() {
                ctx.set_stroke_style_str(pal.link);
                ctx.begin_path();
                ctx.move_to(bx, by);
                ctx.line_to(r.x - 6.0, by);
                ctx.stroke();
            }
            return;
        }
        // A link is dashed once the balancer stops offering the server; until health checks notice,
        // a dead server's link stays solid (and red): the detection window, drawn.
        for (index, rect) in self.layout.servers.iter().enumerate() {
            let offered = self.sim.pool()[index].eligible();
            let alive = self.sim.servers()[index].is_alive();
            ctx.set_stroke_style_str(match (offered, alive) {
                (true, true) => pal.link,
                (true, false) => pal.failed,
                (false, _) => pal.link_off,
            });
            dashed(ctx, !offered);
            let (sx, sy) = rect.left();
            ctx.begin_path();
            ctx.move_to(bx, by);
            ctx.line_to(sx, sy);
            ctx.stroke();
        }
        dashed(ctx, false);
        ctx.set_line_width(1.0);
    }

    /// The latest pick's link in bold, and the loser of a two-choice draw's link dashed (in the
    /// grid, their cells outlined).
    fn last_pick(&self) {
        let Some(pick) = self.decision.last_pick else {
            return;
        };
        let (ctx, pal) = (self.ctx, self.pal);
        let from = self.layout.balancer.right();
        let mark = |index: usize, colour: &str, dash: bool| {
            let Some(r) = self.layout.servers.get(index) else {
                return;
            };
            ctx.set_stroke_style_str(colour);
            ctx.set_line_width(2.5 * pal.scale);
            dashed(ctx, dash);
            if self.layout.style == ServerStyle::Cells {
                ctx.stroke_rect(r.x - 1.5, r.y - 1.5, r.w + 3.0, r.h + 3.0);
            } else {
                let to = r.left();
                ctx.begin_path();
                ctx.move_to(from.0, from.1);
                ctx.line_to(to.0, to.1);
                ctx.stroke();
            }
        };
        if let Some(other) = pick.against.filter(|&o| o != pick.chosen) {
            mark(other, pal.rejected, true);
        }
        mark(pick.chosen, pal.outbound, false);
        dashed(ctx, false);
        ctx.set_line_width(1.0);
    }

    /// Each server's circuit breaker as a gate across its link (see [`Gate`]), and the mark its
    /// latest change leaves for a while ([`Gates`]): a ring in the new state's colour and what
    /// happened, in words.
    fn gates(&self, gates: Option<&Gates>, wall_ms: f64) {
        if self.sim.resilience().breaker == BreakerConfig::Off
            || self.layout.style != ServerStyle::Boxes
        {
            return;
        }
        let (ctx, pal) = (self.ctx, self.pal);
        let (bx, by) = self.layout.balancer.right();
        let line = 15.0 * pal.scale;
        for (index, rect) in self.layout.servers.iter().enumerate() {
            let state = self.sim.backends()[index].breaker().state();
            let gate = Gate::of(state);
            let (sx, sy) = rect.left();
            let (dx, dy) = (sx - bx, sy - by);
            let length = dx.hypot(dy).max(1.0);
            let (ux, uy) = (dx / length, dy / length);
            // Where the gate stands, and its barrier's length: shorter where the boxes are close.
            let (mx, my) = (bx + dx * GATE_AT, by + dy * GATE_AT);
            let bar = (rect.h * 0.45).clamp(6.0, 14.0 * pal.scale);
            // The post stands beside the link (above it); the barrier swings from lying along
            // the link (up) to square across it (down).
            let (px, py) = (mx + uy * bar / 2.0, my - ux * bar / 2.0);
            let angle = gate.lowered() * std::f64::consts::FRAC_PI_2;
            let (ax, ay) = (
                ux * angle.cos() - uy * angle.sin(),
                uy * angle.cos() + ux * angle.sin(),
            );
            let colour = state_colour(pal, state);
            ctx.set_line_width(4.0 * pal.scale);
            ctx.set_line_cap("round");
            ctx.set_stroke_style_str(colour);
            ctx.begin_path();
            ctx.move_to(px, py);
            ctx.line_to(px + ax * bar * 1.3, py + ay * bar * 1.3);
            ctx.stroke();
            ctx.set_line_cap("butt");
            let post = 3.0 * pal.scale;
            ctx.set_fill_style_str(pal.ink);
            ctx.fill_rect(px - post, py - post, 2.0 * post, 2.0 * post);
            let mark = gates.and_then(|g| g.mark(index, wall_ms));
            let words_fit = rect.h >= 2.5 * line;
            let span = (bx + 4.0, rect.x - 4.0);
            if let Some(mark) = mark {
                self.gate_mark(mark, (mx, my), bar);
            }
            let words = match mark {
                Some(mark) => Some((mark.words(), mark.to)),
                None => (gate != Gate::Up).then(|| (state.label(), state)),
            };
            if let Some((words, state)) = words.filter(|_| words_fit) {
                self.gate_words(words, state, (px, py - line * 0.6 - bar * 0.3), span);
            }
        }
        ctx.set_line_width(1.0);
    }

    /// A breaker's latest change on its gate at `(x, y)`: a ring in the new state's colour,
    /// fading over [`LINGER_MS`].
    ///
    /// [`LINGER_MS`]: crate::session::LINGER_MS
    fn gate_mark(&self, mark: GateMark, (x, y): (f64, f64), bar: f64) {
        let (ctx, pal) = (self.ctx, self.pal);
        // Fully drawn for the first half of its time, then fading out.
        ctx.set_global_alpha((2.0 * mark.strength).min(1.0));
        ctx.set_line_width(3.0 * pal.scale);
        ctx.set_stroke_style_str(state_colour(pal, mark.to));
        ctx.begin_path();
        let _ = ctx.arc(x, y, bar * 1.3, 0.0, std::f64::consts::TAU);
        ctx.stroke();
        ctx.set_global_alpha(1.0);
    }

    /// A gate's words (its state, or what just happened to it) centred above its post at
    /// `(x, y)` as far as the stretch of link `(left, right)` allows, squeezed to fit it.
    fn gate_words(&self, words: &str, state: BreakerState, (x, y): (f64, f64), span: (f64, f64)) {
        let room = (span.1 - span.0).max(1.0);
        let pen = self
            .pen(12.0, true, gate_ink(self.pal, state))
            .centred()
            .fit(room);
        let half = pen.width(self.ctx, words) / 2.0;
        let x = x.min(span.1 - half).max(span.0 + half);
        pen.write(self.ctx, words, (x, y));
    }

    /// The network's one-way delays, under the balancer: its part of every request's time.
    fn network(&self) {
        let scenario = self.sim.scenario();
        let (to_clients, to_servers) = (scenario.client_latency, scenario.backend_latency);
        if to_clients.is_zero() && to_servers.is_zero() {
            return;
        }
        let (b, pal) = (self.layout.balancer, self.pal);
        let words = format!("network one way: clients {to_clients} · servers {to_servers}");
        // Centred under the balancer, within the clients' column and the servers'.
        let cx = b.x + b.w / 2.0;
        let clients = self.layout.clients.x + self.layout.clients.w;
        let servers = self
            .layout
            .servers
            .first()
            .map_or(self.layout.width, |r| r.x);
        let room = 2.0 * (cx - clients).min(servers - cx) - 8.0;
        let pen = self.pen(11.0, false, pal.muted).centred().fit(room);
        pen.write(self.ctx, &words, (cx, b.y + b.h + 12.0 * pal.scale));
    }

    fn clients(&self) {
        let (c, pal) = (self.layout.clients, self.pal);
        rounded_rect(self.ctx, c, 10.0, pal.panel, pal.outline);
        let cx = c.x + c.w / 2.0;
        let title = self.pen(13.0, true, pal.ink).centred();
        title.write(self.ctx, "Clients", (cx, c.y - 9.0 * pal.scale));
        let count = self.sim.traffic().clients.to_string();
        let small = self.pen(12.0, false, pal.muted).centred();
        small.write(self.ctx, &count, (cx, c.y + c.h / 2.0));
    }

    fn balancer(&self) {
        let (b, pal, ctx) = (self.layout.balancer, self.pal, self.ctx);
        rounded_rect(ctx, b, 10.0, pal.balancer, pal.outbound);
        let cx = b.x + b.w / 2.0;
        let line = 15.0 * pal.scale;
        let at = |n: f64| (cx, b.y + n * line);
        let title = self.pen(13.0, true, pal.ink).centred().fit(b.w - 12.0);
        let heading = match self.sim.layer() {
            Some(Layer::L4) => "Load balancer · layer 4",
            Some(Layer::L7) => "Load balancer · layer 7",
            None => "Load balancer",
        };
        title.write(ctx, heading, at(1.0));
        let small = self.pen(11.0, false, pal.ink).centred().fit(b.w - 12.0);
        // A long name on two lines, its parenthesised remark (the implementations) on the second,
        // rather than squeezed into one unreadable line.
        let name = self.sim.algorithm().about().name;
        let (name, remark) = match name.split_once(" (") {
            Some((short, rest)) if small.width(ctx, name) >= b.w - 12.0 => {
                (short, Some(format!("({rest}")))
            }
            _ => (name, None),
        };
        small.write(ctx, name, at(2.0));
        let mut next = 3.0;
        if let Some(remark) = remark {
            small
                .clone()
                .colour(pal.muted)
                .write(ctx, &remark, at(next));
            next += 1.0;
        }
        let rate = format!(
            "{:.0} req/s now",
            self.sim.traffic().rate_at(self.sim.now())
        );
        small.clone().colour(pal.muted).write(ctx, &rate, at(next));
        let (numbers, pick) = self.decision_words();
        let decision = small.clone().colour(pal.outbound);
        for (i, words) in [numbers, pick].iter().flatten().enumerate() {
            decision.write(ctx, words, at(next + 1.0 + i as f64));
        }
        if let Some(load) = self.sim.balancer_load() {
            self.balancer_cpu(&b, &load, &small);
        }
    }

    /// The balancer's own CPU on its box: its cores along the bottom, filled while busy, with
    /// how busy they were over the last second, how many requests wait for one and who does
    /// the TLS handshakes; its queue at its door.
    fn balancer_cpu(&self, b: &Rect, load: &BalancerLoad, small: &Pen<'static>) {
        self.worker_slots(b, load.busy, load.workers, &[]);
        self.queue(b, load.queued.min(u64::from(u32::MAX)) as u32, &[]);
        let size = 10.0 * self.pal.scale;
        let tls = match load.tls {
            Some(TlsMode::Terminate) => " · TLS ends here",
            Some(TlsMode::Passthrough) => " · TLS passed on",
            Some(TlsMode::Reencrypt) => " · TLS re-encrypted",
            None => "",
        };
        // The last metrics window's share (the run's so far before the first one closes).
        let busy = self
            .sim
            .metrics()
            .series()
            .back()
            .and_then(|s| s.balancer)
            .map_or(load.utilisation(self.sim.now()), |b| b.busy);
        let words = format!("CPU {:.0}% · {} waiting{tls}", busy * 100.0, load.queued);
        small.clone().colour(self.pal.muted).write(
            self.ctx,
            &words,
            (b.x + b.w / 2.0, b.y + b.h - size - 16.0),
        );
    }

    /// The balancer box's account of the decision: what the numbers at the servers are, and the
    /// latest pick (or where the round-robin pointer stands).
    fn decision_words(&self) -> (Option<String>, Option<String>) {
        let d = &self.decision;
        if !self.sim.pool().iter().any(|c| c.eligible()) {
            return (None, Some("no server to send to".to_string()));
        }
        let numbers = d
            .quantity
            .filter(|_| self.layout.style == ServerStyle::Boxes)
            .map(|q| format!("at servers: {}", narrate::quantity(q)));
        let pick = match (d.next, d.last_pick) {
            (Some(next), _) => Some(format!("next: {}", self.name(next))),
            (None, Some(p)) => Some(match (p.against, p.hash) {
                (Some(other), _) if other != p.chosen => format!(
                    "drew {} and {}: {} won",
                    self.name(p.chosen),
                    self.name(other),
                    self.name(p.chosen)
                ),
                (Some(_), _) => format!("drew {} twice", self.name(p.chosen)),
                (None, Some(hash)) => format!("hash {hash} → {}", self.name(p.chosen)),
                (None, None) => format!("last pick: {}", self.name(p.chosen)),
            }),
            (None, None) => None,
        };
        (numbers, pick)
    }

    fn server_box(&self, index: usize) {
        let (ctx, pal) = (self.ctx, self.pal);
        let r = &self.layout.servers[index];
        let server = &self.sim.servers()[index];
        let spec = server.spec();
        let alive = server.is_alive();
        let (fill, edge) = if alive {
            (pal.panel, pal.outline)
        } else {
            (pal.dead, pal.failed)
        };
        rounded_rect(ctx, *r, 8.0, fill, edge);
        let line = 15.0 * pal.scale;
        let compact = r.h < 2.9 * line;
        let title_y = if compact { r.y + r.h / 2.0 } else { r.y + line };
        // The algorithm's number for this server, right-aligned on the title line.
        let value = self.decision.values.get(index).copied().flatten();
        let value = value.zip(self.decision.quantity);
        let value_width = value.map_or(0.0, |(v, q)| {
            let words = narrate::value(q, v);
            let pen = self.pen(11.0, true, pal.outbound).right();
            pen.write(ctx, &words, (r.x + r.w - 8.0, title_y));
            pen.width(ctx, &words) + 6.0
        });
        // Without room for the state line, the health pips end the title line.
        let state_line = !compact && r.h >= 4.6 * line;
        let pips = self.sim.backends()[index].health().map(Pips::of);
        let pips_width = match pips.filter(|_| !state_line) {
            Some(pips) => {
                let width = self.pips_width(pips);
                self.pips(pips, (r.x + r.w - 8.0 - value_width - width, title_y));
                width + 6.0
            }
            None => 0.0,
        };
        let title = match (alive, spec.backup) {
            _ if self.sim.backends()[index].removed() => format!("{} (removed)", spec.name),
            _ if self.sim.backends()[index].booting() => format!("{} (booting)", spec.name),
            (false, _) => format!("{} DOWN", spec.name),
            (true, true) => format!("{} (backup)", spec.name),
            (true, false) => spec.name.clone(),
        };
        let left = |y: f64| (r.x + 8.0, y);
        let title_colour = if alive { pal.ink } else { pal.failed };
        let title_pen = self
            .pen(12.0, true, title_colour)
            .fit(r.w - 16.0 - value_width - pips_width);
        title_pen.write(ctx, &title, left(title_y));
        if !compact {
            let pace = narrate::pace(spec.speed);
            let small = self.pen(11.0, false, pal.muted).fit(r.w - 16.0);
            let detail = format!("weight {}  ·  {pace}", spec.weight);
            small.write(ctx, &detail, left(r.y + 2.0 * line));
            if state_line {
                self.lb_view(index, left(r.y + 3.0 * line), &small);
            }
            let server = &self.sim.servers()[index];
            let serving = &self.at_servers[index].serving;
            self.worker_slots(r, server.busy(), server.spec().workers, serving);
        }
        let at = &self.at_servers[index];
        self.queue(r, self.sim.servers()[index].queued(), &at.queued);
    }

    /// What the balancer knows of server `index`, written from `at` with `pen`: its health
    /// counter as pips ([`Pips`]: filled while checks may still fail, or passes towards UP) and
    /// its breaker's state.
    fn lb_view(&self, index: usize, (mut x, y): (f64, f64), pen: &Pen<'static>) {
        let (ctx, pal) = (self.ctx, self.pal);
        let backend = &self.sim.backends()[index];
        let pen = if self.sim.pool()[index].eligible() {
            pen.clone()
        } else {
            pen.clone().colour(pal.failed)
        };
        let right = self.layout.servers[index].x + self.layout.servers[index].w - 8.0;
        let mut words = String::new();
        match backend.health() {
            Some(h) => {
                let pips = Pips::of(h);
                let state = if pips.up { "UP" } else { "DOWN" };
                let label = format!("health {state}");
                pen.write(ctx, &label, (x, y));
                x += pen.width(ctx, &label) + 5.0 * pal.scale;
                x = self.pips(pips, (x, y)) + 5.0 * pal.scale;
            }
            None => words += "no health checks",
        }
        if self.sim.resilience().breaker != BreakerConfig::Off {
            if !words.is_empty() {
                words += "  ·  ";
            }
            words += &format!("breaker {}", backend.breaker().state().label());
        }
        pen.clone().fit(right - x).write(ctx, &words, (x, y));
    }

    /// A health counter's row of pips from `x`, centred on `y`: filled in the answers' green
    /// while UP (the vermillion of failures while DOWN), hollow for the rest. Returns where the
    /// row ends.
    fn pips(&self, pips: Pips, (x, y): (f64, f64)) -> f64 {
        let (ctx, pal) = (self.ctx, self.pal);
        let (r, step) = (PIP_RADIUS * pal.scale, PIP_STEP * pal.scale);
        let colour = if pips.up { pal.served } else { pal.failed };
        ctx.set_line_width(1.5 * pal.scale);
        ctx.set_stroke_style_str(colour);
        let centre = |i: u32| x + r + f64::from(i) * step;
        for i in 0..pips.total {
            ctx.begin_path();
            let _ = ctx.arc(centre(i), y, r, 0.0, std::f64::consts::TAU);
            if i < pips.filled {
                ctx.set_fill_style_str(colour);
                ctx.fill();
            }
            ctx.stroke();
        }
        ctx.set_line_width(1.0);
        x + self.pips_width(pips)
    }

    /// How wide a row of pips is drawn.
    fn pips_width(&self, pips: Pips) -> f64 {
        (f64::from(pips.total) * PIP_STEP - (PIP_STEP - 2.0 * PIP_RADIUS)) * self.pal.scale
    }

    /// Worker slots (a server's workers, the balancer's cores) along the bottom of a box, `busy`
    /// of them in use. A slot whose request's progress is known (`serving`, 0 to 1) fills from
    /// the bottom as it is served, so a 10 s report creeps up its slot while page loads flash.
    fn worker_slots(&self, r: &Rect, busy: u32, workers: u32, serving: &[f64]) {
        let (ctx, pal) = (self.ctx, self.pal);
        let size = 10.0 * pal.scale;
        let fits = ((r.w - 40.0) / (size + 3.0)).floor().max(1.0) as u32;
        let slots = workers.min(12).min(fits);
        let y = r.y + r.h - size - 6.0;
        ctx.set_stroke_style_str(pal.outline);
        for i in 0..slots {
            let x = r.x + 8.0 + f64::from(i) * (size + 3.0);
            ctx.set_fill_style_str(pal.idle);
            ctx.fill_rect(x, y, size, size);
            if i < busy {
                let done = serving.get(i as usize).copied().unwrap_or(1.0);
                // Never quite empty: a slot just taken shows as taken.
                let h = size * done.max(0.15);
                ctx.set_fill_style_str(pal.outbound);
                ctx.fill_rect(x, y + size - h, size, h);
            }
            ctx.stroke_rect(x, y, size, size);
        }
        if workers > slots {
            let label = format!("{busy}/{workers}");
            let x = r.x + 10.0 + f64::from(slots) * (size + 3.0);
            self.pen(10.0, false, pal.muted)
                .write(ctx, &label, (x, y + size / 2.0));
        }
    }

    /// A queue of `queued` (a server's, the balancer's): dots lined up left of the box, newest
    /// furthest out, each as large as the work it carries (`sizes`, oldest first; the base size
    /// for those not listed).
    fn queue(&self, r: &Rect, queued: u32, sizes: &[f64]) {
        let (ctx, pal) = (self.ctx, self.pal);
        let shown = queued.min(10);
        let (mut x, qy) = r.left();
        let base = 3.0 * pal.scale;
        let points: Vec<(f64, f64, f64)> = (0..shown as usize)
            .map(|i| {
                // Each dot a gap and its own width further out than the one before.
                let radius = base * sizes.get(i).copied().unwrap_or(1.0);
                let centre = x - 2.0 * pal.scale - radius;
                x = centre - radius;
                (centre, qy, radius)
            })
            .collect();
        ctx.set_fill_style_str(pal.outbound);
        shapes(ctx, Shape::Dot, &points);
        if queued > shown {
            let x = x - 8.0 * pal.scale;
            let more = format!("+{}", queued - shown);
            self.pen(10.0, false, pal.muted)
                .centred()
                .write(ctx, &more, (x, qy - 10.0));
        }
    }

    /// Servers as cells: shaded by how busy their workers are, marked when they queue, vermillion
    /// when dead, faint when the balancer does not offer them.
    fn server_cells(&self) {
        let (ctx, pal) = (self.ctx, self.pal);
        for (index, r) in self.layout.servers.iter().enumerate() {
            let server = &self.sim.servers()[index];
            let offered = self.sim.pool()[index].eligible();
            let fill = match (server.is_alive(), offered) {
                (false, _) => pal.failed,
                (true, false) => pal.link_off,
                (true, true) => pal.panel,
            };
            ctx.set_fill_style_str(fill);
            ctx.fill_rect(r.x, r.y, r.w, r.h);
            if server.is_alive() && server.busy() > 0 {
                let load = f64::from(server.busy()) / f64::from(server.spec().workers.max(1));
                ctx.set_global_alpha(0.25 + 0.75 * load.min(1.0));
                ctx.set_fill_style_str(pal.outbound);
                ctx.fill_rect(r.x, r.y, r.w, r.h);
                ctx.set_global_alpha(1.0);
            }
            if server.queued() > 0 {
                ctx.set_fill_style_str(pal.rejected);
                let mark = (r.w * 0.4).max(1.5);
                ctx.fill_rect(r.x + r.w - mark, r.y, mark, mark);
            }
        }
        let Some(first) = self.layout.servers.first() else {
            return;
        };
        // Each cell's number (as on its card), when the longest number fits a cell.
        let count = self.layout.servers.len();
        let number = self.pen(9.0, false, pal.ink).centred();
        if number.width(ctx, &count.to_string()) + 2.0 <= first.w && 10.0 * pal.scale <= first.h {
            for (index, r) in self.layout.servers.iter().enumerate() {
                let at = (r.x + r.w / 2.0, r.y + r.h / 2.0);
                number.write(ctx, &(index + 1).to_string(), at);
            }
        }
        let caption = format!(
            "{} servers: darker = busier, corner = queueing, vermillion = down",
            self.layout.servers.len()
        );
        let pen = self
            .pen(11.0, false, pal.muted)
            .fit(self.layout.width - first.x - 4.0);
        pen.write(ctx, &caption, (first.x, first.y - 10.0 * pal.scale));
    }

    /// Every request on its way, grouped by kind so each kind is one path.
    fn requests(&self) {
        let now = self.sim.now();
        let mut points: [Vec<(f64, f64, f64)>; Kind::ALL.len()] = Default::default();
        let base = 4.0 * self.pal.scale;
        for request in self.sim.requests() {
            if let Some(segment) = self.layout.segment(request, now) {
                let kind = Kind::of(request.tries, request.chain.attempt > 0, request.outcome);
                let (x, y) = segment.point();
                points[kind as usize].push((x, y, base * request_scale(request.cost)));
            }
        }
        self.ctx.set_line_width(2.5 * self.pal.scale);
        for kind in Kind::ALL {
            let colour = kind.colour(self.pal);
            self.ctx.set_fill_style_str(colour);
            self.ctx.set_stroke_style_str(colour);
            shapes(self.ctx, kind.shape(), &points[kind as usize]);
        }
        self.ctx.set_line_width(1.0);
    }

    /// Reduced motion: how many requests are on each stretch, written at its middle.
    fn link_counts(&self) {
        let n = self.layout.servers.len();
        let (mut to_balancer, mut to_client) = (0u32, 0u32);
        let (mut out, mut back) = (vec![0u32; n], vec![0u32; n]);
        for request in self.sim.requests() {
            let server = request.server.map_or(0, |s| s as usize);
            match request.phase {
                Phase::ToBalancer => to_balancer += 1,
                Phase::ToClient => to_client += 1,
                Phase::ToServer if server < n => out[server] += 1,
                Phase::ToBalancerBack if server < n => back[server] += 1,
                _ => {}
            }
        }
        let b = self.layout.balancer;
        let c = self.layout.clients;
        let mid_x = (c.x + c.w + b.x) / 2.0;
        self.count_badge(&format!("→ {to_balancer}"), (mid_x, b.y + b.h * 0.3));
        self.count_badge(&format!("← {to_client}"), (mid_x, b.y + b.h * 0.7));
        if self.layout.style == ServerStyle::Cells {
            let (o, k): (u32, u32) = (out.iter().sum(), back.iter().sum());
            let x = (b.x + b.w + self.layout.servers[0].x) / 2.0;
            self.count_badge(&format!("→ {o}  ← {k}"), (x, b.y + b.h / 2.0));
            return;
        }
        let (bx, by) = b.right();
        for (i, r) in self.layout.servers.iter().enumerate() {
            if out[i] + back[i] == 0 {
                continue;
            }
            let (sx, sy) = r.left();
            let at = (bx + (sx - bx) * 0.6, by + (sy - by) * 0.6);
            self.count_badge(&format!("→ {}  ← {}", out[i], back[i]), at);
        }
    }

    fn count_badge(&self, words: &str, (x, y): (f64, f64)) {
        let (ctx, pal) = (self.ctx, self.pal);
        let pen = self.pen(11.0, true, pal.ink).centred();
        let w = pen.width(ctx, words) + 10.0;
        let h = 16.0 * pal.scale;
        let rect = Rect {
            x: x - w / 2.0,
            y: y - h / 2.0,
            w,
            h,
        };
        rounded_rect(ctx, rect, 6.0, pal.background, pal.outline);
        pen.write(ctx, words, (x, y));
    }

    /// The key to the shapes, along the bottom between the clients and the servers.
    fn legend(&self) {
        let (ctx, pal) = (self.ctx, self.pal);
        let pen = self.pen(11.0, false, pal.muted);
        let r = 4.0 * pal.scale;
        let y = self.layout.height - 10.0 * pal.scale;
        let mut x = self.layout.clients.x + self.layout.clients.w + 16.0;
        ctx.set_line_width(2.0 * pal.scale);
        for kind in Kind::ALL {
            let colour = kind.colour(pal);
            ctx.set_fill_style_str(colour);
            ctx.set_stroke_style_str(colour);
            shapes(ctx, kind.shape(), &[(x, y, r)]);
            pen.write(ctx, kind.label(), (x + 2.5 * r, y));
            x += pen.width(ctx, kind.label()) + 5.0 * r + 8.0;
        }
        ctx.set_line_width(1.0);
    }
}

/// A health pip's radius, and the distance from one pip's centre to the next (CSS pixels before
/// the palette's scale).
const PIP_RADIUS: f64 = 3.5;
const PIP_STEP: f64 = 9.0;

/// Where along a server's link its breaker's gate stands, from the balancer (0) to the server (1):
/// past the middle, where the links have spread apart, and short of the server's queue.
const GATE_AT: f64 = 0.6;

/// The colour of a breaker in `state`, as its gate is drawn: the answers' green while calls pass,
/// the 503s' amber while trials do, the failures' vermillion while it refuses.
fn state_colour(pal: &Palette, state: BreakerState) -> &'static str {
    match state {
        BreakerState::Closed => pal.served,
        BreakerState::HalfOpen => pal.rejected,
        BreakerState::Open => pal.failed,
    }
}

/// The colour a breaker's words are written in: vermillion while it refuses, ink otherwise (the
/// green and the amber are for shapes: too light for text on every theme).
fn gate_ink(pal: &Palette, state: BreakerState) -> &'static str {
    if state == BreakerState::Open {
        pal.failed
    } else {
        pal.ink
    }
}

/// Solid or dashed strokes from now on.
fn dashed(ctx: &CanvasRenderingContext2d, on: bool) {
    let pattern = if on {
        js_sys::Array::of2(&6.into(), &4.into())
    } else {
        js_sys::Array::new()
    };
    let _ = ctx.set_line_dash(&pattern);
}
