//! Several balancers (`scenario.front`): a box each, with its state (up, VRRP master or backup,
//! crashed: greyed and crossed out), how many requests it holds and how many it took; a VRRP
//! group's virtual address, with a line to the master that answers it; and with regions a
//! labelled band per region, marked when its balancers are all down or its servers all out of
//! rotation (what the global DNS's health check skips it for).

use super::layout::{Band, Rect};
use super::paint::rounded_rect;
use super::scene::{Scene, dashed};
use crate::sim::front::vrrp::Role;
use crate::sim::front::{Front, FrontState, NOT_YET};
use crate::sim::narrate;

/// The line height in the balancers' boxes (before the palette's scale).
const LINE: f64 = 15.0;

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
        // The label keeps left of the band's servers, which use its whole height.
        let servers = self.layout.servers.get(band.servers.start);
        let room = servers.map_or(self.layout.width, |s| s.x) - 8.0 - x;
        let title = self.pen(13.0, true, if failing { pal.failed } else { pal.ink });
        title.clone().fit(room).write(ctx, name, (x, y));
        let words = match (balancers_down, servers_out) {
            (true, _) => "DOWN: every balancer crashed".to_string(),
            (false, true) => "DOWN: no server in rotation".to_string(),
            (false, false) => {
                let (b, n) = (band.balancers.len() as u32, band.servers.len() as u32);
                format!(
                    "{b} balancer{} · {n} server{}",
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
            let numbers = format!("holds {} · took {took}", held.get(b).copied().unwrap_or(0));
            let tag = match (state.up, state.role) {
                (false, _) => Some(("CRASHED", self.pal.failed)),
                (true, Some(Role::Master { .. })) => Some(("MASTER", self.pal.outbound)),
                (true, Some(_)) => Some(("BACKUP", self.pal.muted)),
                (true, None) => None,
            };
            let detail = match front.vrrp() {
                Some(v) => v.priorities.get(b).map(|p| format!("priority {p}")),
                None => front
                    .cached_on(b as u8, self.sim.now())
                    .map(|c| format!("in {c} clients' DNS caches")),
            };
            self.front_box(b, rect, state.up, tag, &numbers, detail.as_deref());
        }
    }

    /// Balancer `b`'s box at `r`: its name and `tag` (its role, or that it crashed), its
    /// `numbers`, and a `detail` where there is room; crossed out when it is down.
    fn front_box(
        &self,
        b: usize,
        r: &Rect,
        up: bool,
        tag: Option<(&str, &'static str)>,
        numbers: &str,
        detail: Option<&str>,
    ) {
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
        let rows = ((r.h - 4.0) / line).floor().clamp(1.0, 3.0);
        let row = |i: f64| r.y + r.h / 2.0 + (i - (rows - 1.0) / 2.0) * line;
        let (left, right) = (r.x + 8.0, r.x + r.w - 8.0);
        let tag_width = tag.map_or(0.0, |(words, colour)| {
            let pen = self.pen(11.0, true, colour).right();
            pen.write(ctx, words, (right, row(0.0)));
            pen.width(ctx, words) + 6.0
        });
        let name = Front::name(b as u8);
        let title = self.pen(12.0, true, if up { pal.ink } else { pal.failed });
        let title = title.fit(right - left - tag_width);
        title.write(ctx, &name, (left, row(0.0)));
        let small = self.pen(11.0, false, pal.ink).fit(right - left);
        if rows >= 2.0 {
            small.write(ctx, numbers, (left, row(1.0)));
        } else {
            // One line: the numbers after the name, as far as they fit.
            let after = left + title.width(ctx, &name) + 8.0;
            let room = right - tag_width - after;
            if room > 30.0 * pal.scale {
                small.fit(room).write(ctx, numbers, (after, row(0.0)));
            }
            return;
        }
        if let Some(detail) = detail.filter(|_| rows >= 3.0) {
            small.colour(pal.muted).write(ctx, detail, (left, row(2.0)));
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
