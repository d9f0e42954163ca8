//! The servers: a box each (its name and state, the algorithm's number for it, its health pips,
//! its workers and its queue), or a grid of cells when there are too many for boxes.

use super::layout::Rect;
use super::paint::{Pen, Shape, rounded_rect, shapes};
use super::scene::Scene;
use crate::session::{Pips, request_scale};
use crate::sim::breaker::BreakerConfig;
use crate::sim::{Phase, Simulation, narrate};

/// The requests at one server, for its queue and its workers: each queued one's size, oldest
/// first, and how far through its service each one in service is, longest served first.
#[derive(Clone, Debug, Default)]
pub(super) struct AtServer {
    queued: Vec<f64>,
    serving: Vec<f64>,
}

impl AtServer {
    /// The requests at each of `sim`'s servers.
    pub(super) fn gather(sim: &Simulation) -> Vec<AtServer> {
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

impl Scene<'_> {
    pub(super) fn server_box(&self, index: usize) {
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
        // Without the state line, a live server the health checks took out says so in its
        // title: otherwise only the pips' colour would tell it from a healthy one.
        let marked_down = !state_line && pips.is_some_and(|p| !p.up);
        let title = match (alive, spec.backup) {
            _ if self.sim.backends()[index].removed() => format!("{} (removed)", spec.name),
            _ if self.sim.backends()[index].booting() => format!("{} (booting)", spec.name),
            (false, _) => format!("{} {}", spec.name, narrate::process_word(false)),
            (true, _) if marked_down => format!("{} marked DOWN", spec.name),
            (true, true) => format!("{} (backup)", spec.name),
            (true, false) => spec.name.clone(),
        };
        let left = |y: f64| (r.x + 8.0, y);
        let title_colour = if alive && !marked_down {
            pal.ink
        } else {
            pal.failed
        };
        let title_pen = self
            .pen(12.0, true, title_colour)
            .fit(r.w - 16.0 - value_width - pips_width);
        title_pen.write(ctx, &title, left(title_y));
        if !compact {
            let pace = narrate::pace(spec.speed);
            let small = self.pen(11.0, false, pal.muted).fit(r.w - 16.0);
            // With connections pinned here, their count takes the place of a full-speed pace.
            let pinned = self.pinned.get(index);
            let detail = match pinned {
                Some(1) if spec.speed == 1.0 => format!("weight {}  ·  1 connection", spec.weight),
                Some(n) if spec.speed == 1.0 => {
                    format!("weight {}  ·  {n} connections", spec.weight)
                }
                Some(n) => format!("weight {}  ·  {pace}  ·  {n} conn.", spec.weight),
                None => format!("weight {}  ·  {pace}", spec.weight),
            };
            if state_line {
                self.lb_view(index, left(r.y + 3.0 * line), &small);
            }
            let server = &self.sim.servers()[index];
            let serving = &self.at_servers[index].serving;
            let (slots_end, slots_y) =
                self.worker_slots(r, server.busy(), server.spec().workers, serving);
            // Its own line under the title where the box has room for it above the slots,
            // else on the slots' row, after them.
            let detail_y = r.y + 2.0 * line;
            if detail_y + line / 2.0 <= slots_y - SLOT / 2.0 * pal.scale {
                small.write(ctx, &detail, left(detail_y));
            } else {
                let x = slots_end + 6.0 * pal.scale;
                small
                    .fit(r.x + r.w - 8.0 - x)
                    .write(ctx, &detail, (x, slots_y));
            }
        }
        let at = &self.at_servers[index];
        let reach = self.layout.feed(index).0 + 6.0 * self.pal.scale;
        self.queue(r, self.sim.servers()[index].queued(), &at.queued, reach);
    }

    /// What the balancer knows of server `index`, written from `at` with `pen`: its health
    /// counter as pips ([`Pips`]: filled while checks may still fail, or passes towards UP) and
    /// its breaker's state.
    pub(super) fn lb_view(&self, index: usize, (mut x, y): (f64, f64), pen: &Pen<'static>) {
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
    pub(super) fn pips(&self, pips: Pips, (x, y): (f64, f64)) -> f64 {
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
    pub(super) fn pips_width(&self, pips: Pips) -> f64 {
        (f64::from(pips.total) * PIP_STEP - (PIP_STEP - 2.0 * PIP_RADIUS)) * self.pal.scale
    }

    /// Worker slots (a server's workers, the balancer's cores) along the bottom of a box, `busy`
    /// of them in use. A slot whose request's progress is known (`serving`, 0 to 1) fills from
    /// the bottom as it is served, so a 10 s report creeps up its slot while page loads flash.
    /// Returns where the row ends and the height of its middle.
    pub(super) fn worker_slots(
        &self,
        r: &Rect,
        busy: u32,
        workers: u32,
        serving: &[f64],
    ) -> (f64, f64) {
        let (ctx, pal) = (self.ctx, self.pal);
        let size = SLOT * pal.scale;
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
        let end = r.x + 8.0 + f64::from(slots) * (size + 3.0) - 3.0;
        if workers > slots {
            let label = format!("{busy}/{workers}");
            let pen = self.pen(10.0, false, pal.muted);
            let x = end + 5.0;
            pen.write(ctx, &label, (x, y + size / 2.0));
            return (x + pen.width(ctx, &label), y + size / 2.0);
        }
        (end, y + size / 2.0)
    }

    /// A queue of `queued` (a server's, the balancer's): dots lined up left of the box, newest
    /// furthest out, each as large as the work it carries (`sizes`, oldest first; the base size
    /// for those not listed), up to ten and never left of `reach` (what stands before the box:
    /// the balancer, the clients). The rest are counted (`+N`) over the queue's near end, clear
    /// of whatever is out at its far end.
    pub(super) fn queue(&self, r: &Rect, queued: u32, sizes: &[f64], reach: f64) {
        let (ctx, pal) = (self.ctx, self.pal);
        let (mut x, qy) = r.left();
        let base = 3.0 * pal.scale;
        let mut points: Vec<(f64, f64, f64)> = Vec::new();
        for i in 0..queued.min(10) as usize {
            // Each dot a gap and its own width further out than the one before.
            let radius = base * sizes.get(i).copied().unwrap_or(1.0);
            let centre = x - 2.0 * pal.scale - radius;
            if centre - radius < reach {
                break;
            }
            x = centre - radius;
            points.push((centre, qy, radius));
        }
        ctx.set_fill_style_str(pal.outbound);
        shapes(ctx, Shape::Dot, &points);
        let more = queued - points.len() as u32;
        if more > 0 {
            let at = (r.x - 2.0 * pal.scale, qy - 11.0 * pal.scale);
            self.pen(10.0, false, pal.muted)
                .right()
                .write(ctx, &format!("+{more}"), at);
        }
    }

    /// Servers as cells: shaded by how busy their workers are, marked when they queue, vermillion
    /// when dead, faint when the balancer does not offer them.
    pub(super) fn server_cells(&self) {
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
        // Each cell's number (as on its card), when the longest number fits a cell: in the
        // background's colour on a dark cell (a busy or a dead one), in ink on a light one.
        let count = self.layout.servers.len();
        let number = self.pen(9.0, false, pal.ink).centred();
        if number.width(ctx, &count.to_string()) + 2.0 <= first.w && 10.0 * pal.scale <= first.h {
            let dark = |server: &crate::sim::server::Server| {
                !server.is_alive() || 2 * server.busy() >= server.spec().workers.max(1)
            };
            for (index, r) in self.layout.servers.iter().enumerate() {
                let at = (r.x + r.w / 2.0, r.y + r.h / 2.0);
                let colour = if dark(&self.sim.servers()[index]) {
                    pal.background
                } else {
                    pal.ink
                };
                let pen = number.clone().colour(colour);
                pen.write(ctx, &(index + 1).to_string(), at);
            }
        }
        // The key to the cells, shorter where the room is narrow rather than squeezed.
        let captions = [
            format!("{count} servers: darker = busier, corner = queueing, vermillion = down"),
            "darker = busier · corner = queueing · vermillion = down".to_string(),
            "darker = busier · vermillion = down".to_string(),
        ];
        let room = self.layout.width - first.x - 4.0;
        let pen = self.pen(11.0, false, pal.muted);
        let caption = pen
            .first_fitting(ctx, &captions, room)
            .unwrap_or(&captions[2]);
        pen.fit(room)
            .write(ctx, caption, (first.x, first.y - 10.0 * pal.scale));
    }
}

/// A worker slot's side (CSS pixels before the palette's scale).
const SLOT: f64 = 10.0;
/// A health pip's radius, and the distance from one pip's centre to the next (CSS pixels before
/// the palette's scale).
const PIP_RADIUS: f64 = 3.5;
const PIP_STEP: f64 = 9.0;
