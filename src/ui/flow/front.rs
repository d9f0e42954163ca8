//! Several balancers (`scenario.front`): a box each, with its state (up, VRRP master or backup,
//! crashed: greyed and crossed out), how many requests it holds and how many it took, its cores
//! when the balancers cost CPU, and what it is deciding with (its own latest pick; a regional
//! balancer's weights for its local ones); a VRRP group's virtual address, with a line to the
//! master that answers it; with regions a labelled band per region, marked when its balancers are
//! all down or its servers all out of rotation (what the global DNS's health check skips it for);
//! and with a local tier a frame round each local balancer and its cluster of servers.

use super::layout::{Band, Cluster, Rect};
use super::paint::rounded_rect;
use super::scene::{Scene, dashed};
use crate::sim::front::vrrp::Role;
use crate::sim::front::{Front, FrontState, NOT_YET};
use crate::sim::narrate;

/// The line height in the balancers' boxes (before the palette's scale).
const LINE: f64 = 15.0;

/// What a balancer's box says besides its name.
struct BoxWords {
    /// Its role, or that it crashed, in its colour.
    tag: Option<(&'static str, &'static str)>,
    /// How many requests it holds now.
    held: u32,
    /// How many requests it has taken.
    took: u64,
    /// Its cores, busy and waited for, when the balancers have a CPU cost.
    cpu: Option<String>,
    /// A fact about it: its VRRP priority, or how many clients have it cached.
    detail: Option<String>,
    /// What it is deciding with.
    decision: Option<String>,
}

impl Scene<'_> {
    /// Whether balancer `b` is up (the one balancer always is).
    pub(super) fn balancer_up(&self, b: usize) -> bool {
        self.sim.front().is_none_or(|f| f.is_up(b as u8))
    }

    /// The regions' bands, behind everything else.
    pub(super) fn bands(&self) {
        let Some(front) = self.sim.front() else {
            return;
        };
        for (r, band) in self.layout.bands.iter().enumerate() {
            self.band(front, r, band);
        }
        for cluster in &self.layout.clusters {
            self.cluster(cluster);
        }
    }

    /// A local balancer's cluster: a frame round its box and its servers, dashed while the
    /// local balancer is down (its servers get nothing).
    fn cluster(&self, cluster: &Cluster) {
        let (ctx, pal) = (self.ctx, self.pal);
        let up = self.balancer_up(cluster.balancer);
        dashed(ctx, !up);
        let edge = if up { pal.outline } else { pal.failed };
        rounded_rect(ctx, cluster.frame, 6.0, pal.panel, edge);
        dashed(ctx, false);
    }

    fn band(&self, front: &FrontState, r: usize, band: &Band) {
        let (ctx, pal) = (self.ctx, self.pal);
        let balancers_down = band.balancers.clone().all(|b| !front.is_up(b as u8));
        let servers_out = band.servers.clone().all(|s| !self.sim.pool()[s].eligible());
        let failing = balancers_down || servers_out;
        ctx.set_line_width(if failing { 2.0 * pal.scale } else { 1.0 });
        dashed(ctx, failing);
        let (fill, edge) = if failing {
            (pal.dead, pal.failed)
        } else {
            (pal.background, pal.outline)
        };
        rounded_rect(ctx, band.frame, 8.0, fill, edge);
        dashed(ctx, false);
        ctx.set_line_width(1.0);
        let name = front.geography().map_or("", |g| g.name(r));
        let f = band.frame;
        let (x, y) = (f.x + 10.0, f.y + 9.0 * pal.scale);
        // The label keeps left of the band's servers (and clusters), which use its whole height.
        let servers = self.layout.servers.get(band.servers.start).map(|s| s.x);
        let clusters = self
            .layout
            .clusters
            .get(band.clusters.start)
            .map(|c| c.frame.x);
        let room = servers
            .into_iter()
            .chain(clusters)
            .fold(self.layout.width, f64::min)
            - 8.0
            - x;
        let title = self.pen(13.0, true, if failing { pal.failed } else { pal.ink });
        title.clone().fit(room).write(ctx, name, (x, y));
        let words = match (balancers_down, servers_out) {
            // With a local tier, the band's balancers are its regional ones.
            (true, _) if band.clusters.is_empty() => "DOWN: every balancer crashed".to_string(),
            (true, _) if band.balancers.len() == 1 => {
                "DOWN: its regional balancer crashed".to_string()
            }
            (true, _) => "DOWN: every regional balancer crashed".to_string(),
            (false, true) => "DOWN: no server in rotation".to_string(),
            (false, false) => {
                let (b, n) = (band.balancers.len() as u32, band.servers.len() as u32);
                let locals = match band.clusters.len() {
                    0 => String::new(),
                    l => format!(" · {l} local"),
                };
                format!(
                    "{b} balancer{}{locals} · {n} server{}",
                    narrate::plural(b),
                    narrate::plural(n)
                )
            }
        };
        let after = x + title.width(ctx, name) + 8.0 * pal.scale;
        let pen = self.pen(12.0, false, if failing { pal.failed } else { pal.muted });
        pen.fit(room - (after - x)).write(ctx, &words, (after, y));
    }

    /// Every balancer's box, and a VRRP group's virtual address.
    pub(super) fn front(&self) {
        let Some(front) = self.sim.front() else {
            return;
        };
        if front.vrrp().is_some() {
            self.virtual_address(front);
        }
        let held = self.sim.held_per_balancer();
        let stats = self.sim.metrics().balancers();
        for (b, (state, rect)) in front.balancers().zip(&self.layout.balancers).enumerate() {
            let took = stats.get(b).map_or(0, |s| s.received);
            let local = front.is_local(b as u8);
            let tag = match (state.up, state.role) {
                (false, _) => Some(("CRASHED", self.pal.failed)),
                (true, Some(Role::Master { .. })) => Some(("MASTER", self.pal.outbound)),
                (true, Some(_)) => Some(("BACKUP", self.pal.muted)),
                (true, None) if local => Some(("LOCAL", self.pal.muted)),
                (true, None) => None,
            };
            let detail = match front.vrrp() {
                Some(v) => v.priorities.get(b).map(|p| format!("priority {p}")),
                None if local => None,
                None => front
                    .cached_on(b as u8, self.sim.now())
                    .map(|c| format!("in {c} clients' DNS caches")),
            };
            let cpu = self.sim.balancer_load_of(b as u8).map(|load| {
                let cores = format!("CPU {}/{} busy", load.busy, load.workers);
                match load.queued {
                    0 => cores,
                    n => format!("{cores} · {n} waiting"),
                }
            });
            let words = BoxWords {
                tag,
                held: held.get(b).copied().unwrap_or(0),
                took,
                cpu,
                detail,
                decision: self.front_decision(front, b as u8),
            };
            self.front_box(b, rect, state.up, &words);
        }
    }

    /// What balancer `b` is deciding with, in a few words: a regional balancer over local ones
    /// gives each its weight (its servers in rotation); any other, its own latest pick.
    fn front_decision(&self, front: &FrontState, b: u8) -> Option<String> {
        if front.tier().is_some() && !front.is_local(b) {
            let shares = self.sim.local_shares(b);
            let words: Vec<String> = shares
                .iter()
                .map(|&(l, w)| format!("{} {w}", Front::name(l)))
                .collect();
            return Some(format!("weights {}", words.join(" · ")));
        }
        self.pick_words(&self.sim.decision_of(b))
    }

    /// Balancer `b`'s box at `r`: its name and tag (its role, or that it crashed), then as
    /// many of its numbers, its decision and its detail as there is room for; crossed out
    /// when it is down.
    fn front_box(&self, b: usize, r: &Rect, up: bool, words: &BoxWords) {
        let (ctx, pal) = (self.ctx, self.pal);
        let (fill, edge) = if up {
            (pal.balancer, pal.outbound)
        } else {
            (pal.dead, pal.failed)
        };
        rounded_rect(ctx, *r, 8.0, fill, edge);
        if !up {
            ctx.set_stroke_style_str(pal.failed);
            ctx.set_line_width(2.0 * pal.scale);
            ctx.set_global_alpha(0.45);
            ctx.begin_path();
            ctx.move_to(r.x + 4.0, r.y + 4.0);
            ctx.line_to(r.x + r.w - 4.0, r.y + r.h - 4.0);
            ctx.move_to(r.x + r.w - 4.0, r.y + 4.0);
            ctx.line_to(r.x + 4.0, r.y + r.h - 4.0);
            ctx.stroke();
            ctx.set_global_alpha(1.0);
            ctx.set_line_width(1.0);
        }
        let line = LINE * pal.scale;
        let rows = ((r.h - 4.0) / line).floor().clamp(1.0, 4.0);
        let row = |i: f64| r.y + r.h / 2.0 + (i - (rows - 1.0) / 2.0) * line;
        let (left, right) = (r.x + 8.0, r.x + r.w - 8.0);
        let tag_width = words.tag.map_or(0.0, |(tag, colour)| {
            let pen = self.pen(11.0, true, colour).right();
            pen.write(ctx, tag, (right, row(0.0)));
            pen.width(ctx, tag) + 6.0
        });
        let name = Front::name(b as u8);
        let title = self.pen(12.0, true, if up { pal.ink } else { pal.failed });
        let title = title.fit(right - left - tag_width);
        title.write(ctx, &name, (left, row(0.0)));
        let numbers = format!("holds {} · took {}", words.held, words.took);
        let small = self.pen(11.0, false, pal.ink);
        if rows < 2.0 {
            // One line: after the name, the numbers, or only what it holds, if either fits
            // unsqueezed.
            let after = left + title.width(ctx, &name) + 8.0;
            let room = right - tag_width - after;
            let choices = [numbers, format!("holds {}", words.held)];
            if let Some(w) = small.first_fitting(ctx, &choices, room) {
                small.write(ctx, w, (after, row(0.0)));
            }
            return;
        }
        let small = small.fit(right - left);
        small.write(ctx, &numbers, (left, row(1.0)));
        // Its cores first (where a balancer is the bottleneck), then the decision before the
        // detail: it changes with every pick.
        let cpu = words.cpu.iter().map(|w| (w, pal.ink));
        let decision = words.decision.iter().map(|w| (w, pal.outbound));
        let detail = words.detail.iter().map(|w| (w, pal.muted));
        let lines = cpu.chain(decision).chain(detail);
        for (i, (line, colour)) in lines.enumerate().take(rows as usize - 2) {
            let pen = small.clone().colour(colour);
            pen.write(ctx, line, (left, row(2.0 + i as f64)));
        }
    }

    /// The VRRP group's virtual address, where clients send: a ring left of the balancers with
    /// a line to the master that answers it, or marked unanswered while there is none.
    fn virtual_address(&self, front: &FrontState) {
        let (ctx, pal) = (self.ctx, self.pal);
        let (x, y) = self.layout.entry;
        let master = front
            .answering(NOT_YET)
            .and_then(|m| self.layout.balancers.get(usize::from(m)));
        if let Some(m) = master {
            let (dx, dy) = m.left();
            ctx.set_stroke_style_str(pal.outbound);
            ctx.set_line_width(2.0 * pal.scale);
            ctx.begin_path();
            ctx.move_to(x, y);
            ctx.line_to(dx, dy);
            ctx.stroke();
        }
        let colour = if master.is_some() {
            pal.outbound
        } else {
            pal.failed
        };
        ctx.set_fill_style_str(pal.background);
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(2.0 * pal.scale);
        ctx.begin_path();
        let _ = ctx.arc(x, y, 6.0 * pal.scale, 0.0, std::f64::consts::TAU);
        ctx.fill();
        ctx.stroke();
        ctx.set_line_width(1.0);
        let pen = self.pen(11.0, true, colour).centred();
        pen.write(ctx, "virtual IP", (x, y - 16.0 * pal.scale));
        if master.is_none() {
            pen.write(ctx, "no master", (x, y + 16.0 * pal.scale));
        }
    }
}
