//! The links from the balancers to the servers they send to, and the latest pick on them.

use super::layout::ServerStyle;
use super::scene::{Scene, dashed};

impl Scene<'_> {
    /// A line from each balancer to each server it sends to (to its servers' grid, in cells),
    /// and with a local tier from each regional balancer to its region's local ones. A link is
    /// dashed once the balancer stops offering the server; until health checks notice, a dead
    /// server's link stays solid (and red): the detection window, drawn. A crashed balancer's
    /// links are dashed and faint: it sends nowhere.
    pub(super) fn links(&self) {
        let (ctx, pal) = (self.ctx, self.pal);
        ctx.set_line_width(pal.scale);
        self.tier_links();
        if self.layout.style == ServerStyle::Cells {
            self.grid_links();
        } else {
            self.server_links();
        }
        ctx.set_global_alpha(1.0);
        dashed(ctx, false);
        ctx.set_line_width(1.0);
    }

    /// A link from `from` to `to`, dashed and faint unless `on`.
    fn link(&self, from: (f64, f64), to: (f64, f64), on: bool) {
        let (ctx, pal) = (self.ctx, self.pal);
        ctx.set_stroke_style_str(if on { pal.link } else { pal.link_off });
        dashed(ctx, !on);
        ctx.begin_path();
        ctx.move_to(from.0, from.1);
        ctx.line_to(to.0, to.1);
        ctx.stroke();
    }

    /// Each regional balancer's links to its region's local balancers, on while both are up
    /// and the local one has a server to offer.
    fn tier_links(&self) {
        let Some(front) = self.sim.front().filter(|f| f.tier().is_some()) else {
            return;
        };
        for band in &self.layout.bands {
            for regional in band.balancers.clone() {
                let shares = self.sim.local_shares(regional as u8);
                let from = self.layout.balancers[regional].right();
                for (local, weight) in shares {
                    let on = front.is_up(regional as u8) && weight > 0;
                    let to = self.layout.balancers[usize::from(local)].left();
                    self.link(from, to, on);
                }
            }
        }
    }

    /// One line per balancer that sends to servers, to the left of its servers' grid, instead
    /// of a thousand.
    fn grid_links(&self) {
        for (b, rect) in self.layout.balancers.iter().enumerate() {
            let cluster = self.layout.clusters.iter().find(|c| c.balancer == b);
            let band = self
                .layout
                .bands
                .iter()
                .find(|band| band.balancers.contains(&b));
            let first = match (cluster, band) {
                (Some(c), _) => c.servers.start,
                // A regional balancer over local ones sends to them, not to the grid.
                (None, Some(band)) if !band.clusters.is_empty() => continue,
                (None, Some(band)) => band.servers.start,
                (None, None) => 0,
            };
            let Some(cell) = self.layout.servers.get(first) else {
                continue;
            };
            let (bx, by) = rect.right();
            self.link((bx, by), (cell.x - 6.0, by), self.balancer_up(b));
        }
    }

    /// The links from the balancers to each server's box.
    fn server_links(&self) {
        let (ctx, pal) = (self.ctx, self.pal);
        for (index, rect) in self.layout.servers.iter().enumerate() {
            let offered = self.sim.pool()[index].eligible();
            let alive = self.sim.servers()[index].is_alive();
            let (sx, sy) = rect.left();
            let senders = self.layout.senders(index);
            // The more balancers send to a server, the fainter each link, so eight balancers'
            // mesh stays behind the requests on it.
            ctx.set_global_alpha((2.0 / senders.len() as f64).sqrt().min(1.0));
            for b in senders {
                let up = self.balancer_up(b);
                ctx.set_stroke_style_str(match (offered && up, alive) {
                    (true, true) => pal.link,
                    (true, false) => pal.failed,
                    (false, _) => pal.link_off,
                });
                dashed(ctx, !offered || !up);
                let (bx, by) = self.layout.balancers[b].right();
                ctx.begin_path();
                ctx.move_to(bx, by);
                ctx.line_to(sx, sy);
                ctx.stroke();
            }
        }
    }

    /// The latest pick's link in bold, from the balancer that made it, and the loser of a
    /// two-choice draw's link dashed (in the grid, their cells outlined).
    pub(super) fn last_pick(&self) {
        let Some(pick) = self.decision.last_pick else {
            return;
        };
        let (ctx, pal) = (self.ctx, self.pal);
        let balancers = &self.layout.balancers;
        let from = balancers
            .get(usize::from(self.sim.decider()))
            .unwrap_or(&balancers[0])
            .right();
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
}
