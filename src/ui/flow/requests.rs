//! The requests on their way, each kind with its own shape and colour, or with reduced motion
//! how many are on each stretch.

use super::layout::{Rect, ServerStyle};
use super::paint::{Shape, rounded_rect, shapes};
use super::scene::Scene;
use crate::session::{Palette, request_scale};
use crate::sim::breaker::BreakerConfig;
use crate::sim::ratelimit::RateLimit;
use crate::sim::{Outcome, Phase, Simulation};

/// The kinds of request drawn, each with its shape; the legend lists them in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Outbound,
    Retried,
    Served,
    Failed,
    Rejected,
    Refused,
    Limited,
}

impl Kind {
    pub(super) const ALL: [Kind; 7] = [
        Kind::Outbound,
        Kind::Retried,
        Kind::Served,
        Kind::Failed,
        Kind::Rejected,
        Kind::Refused,
        Kind::Limited,
    ];

    /// The kind of a request with `tries` at the balancer, sent again by its client or not.
    pub(super) fn of(tries: u8, client_retry: bool, outcome: Option<Outcome>) -> Kind {
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

    pub(super) fn shape(self) -> Shape {
        match self {
            Kind::Outbound | Kind::Served => Shape::Dot,
            Kind::Retried => Shape::Diamond,
            Kind::Failed => Shape::Cross,
            Kind::Rejected => Shape::Square,
            Kind::Refused => Shape::Triangle,
            Kind::Limited => Shape::Bar,
        }
    }

    pub(super) fn colour(self, pal: &Palette) -> &'static str {
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

    /// Whether the run can draw this kind now: requests, answers, failures and 503s always
    /// (a 503 when no server is left); retries, a breaker's refusals and the rate limit's only
    /// while they are on. The legend keys the kinds the run can draw, and those still on screen.
    pub(super) fn in_run(self, sim: &Simulation) -> bool {
        match self {
            Kind::Outbound | Kind::Served | Kind::Failed | Kind::Rejected => true,
            Kind::Retried => {
                sim.resilience().retry.enabled() || sim.traffic().client_retry.is_some()
            }
            Kind::Refused => sim.resilience().breaker != BreakerConfig::Off,
            Kind::Limited => sim.rate_limit() != RateLimit::Off,
        }
    }

    pub(super) fn label(self) -> &'static str {
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
    /// Every request on its way, grouped by kind so each kind is one path; says which kinds it
    /// drew.
    pub(super) fn requests(&self) -> [bool; Kind::ALL.len()] {
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
        points.map(|p| !p.is_empty())
    }

    /// How many requests wait at their clients to resend a SYN (a down balancer left it
    /// unanswered), written just right of the foot of the clients' box, where their links
    /// start: those requests are not on a link. A region's band has its balancers close beside
    /// its small clients' box, so there the count sits across the box's bottom edge.
    pub(super) fn syn_waits(&self) {
        // Only the balancers of a front go down and leave SYNs unanswered.
        if self.sim.front().is_none() {
            return;
        }
        let mut waiting: Vec<(Rect, u32)> = Vec::new();
        for request in self.sim.requests().filter(|r| r.resending_syn()) {
            let clients = *self.layout.clients_box(request.client);
            match waiting.iter_mut().find(|(r, _)| *r == clients) {
                Some((_, n)) => *n += 1,
                None => waiting.push((clients, 1)),
            }
        }
        for (clients, n) in waiting {
            let words = format!("{n} resending SYN");
            let at = if self.layout.bands.is_empty() {
                (
                    clients.x + clients.w + 6.0 + self.badge_width(&words) / 2.0,
                    clients.y + clients.h - 14.0 * self.pal.scale,
                )
            } else {
                // Centred on the box, but kept on the canvas.
                let half = self.badge_width(&words) / 2.0;
                (
                    (clients.x + clients.w / 2.0).max(half + 2.0),
                    clients.y + clients.h,
                )
            };
            self.count_badge(&words, at);
        }
    }

    /// Reduced motion: how many requests are on each stretch, written at its middle: between
    /// the clients and each balancer, and on each server's link (on each balancer's way to the
    /// grid, in cells).
    pub(super) fn link_counts(&self) {
        let n = self.layout.servers.len();
        let balancers = &self.layout.balancers;
        // Per balancer, and last the VRRP group's virtual address (requests no balancer has yet).
        let slot = |via: u8| usize::from(via).min(balancers.len());
        let mut to_balancer = vec![0u32; balancers.len() + 1];
        let mut to_client = to_balancer.clone();
        let (mut sent, mut returned) = (to_balancer.clone(), to_balancer.clone());
        let (mut out, mut back) = (vec![0u32; n], vec![0u32; n]);
        for request in self.sim.requests() {
            let server = request.server.map_or(0, |s| s as usize);
            // The clients' balancer, and the one that sent it to its server (its local one,
            // with a local tier).
            let (b, picker) = (slot(request.via), slot(request.picker));
            match request.phase {
                Phase::ToBalancer if !request.resending_syn() => to_balancer[b] += 1,
                Phase::ToClient => to_client[b] += 1,
                Phase::ToServer if server < n => {
                    out[server] += 1;
                    sent[picker] += 1;
                }
                Phase::ToBalancerBack if server < n => {
                    back[server] += 1;
                    returned[picker] += 1;
                }
                _ => {}
            }
        }
        let c = self.layout.clients;
        let several = balancers.len() > 1;
        let local = |i: usize| self.layout.clusters.iter().any(|c| c.balancer == i);
        for (i, b) in balancers.iter().enumerate() {
            let mid_x = (c.x + c.w + b.x) / 2.0;
            // Clients never send to a local balancer: only its way to the grid is counted.
            if several && !local(i) {
                let words = format!("→ {}  ← {}", to_balancer[i], to_client[i]);
                self.count_badge(&words, (mid_x, b.y + b.h / 2.0));
            } else if !several {
                self.count_badge(&format!("→ {}", to_balancer[i]), (mid_x, b.y + b.h * 0.3));
                self.count_badge(&format!("← {}", to_client[i]), (mid_x, b.y + b.h * 0.7));
            }
            if self.layout.style == ServerStyle::Cells
                && (local(i) || self.layout.clusters.is_empty())
            {
                let x = (b.x + b.w + self.layout.servers[0].x) / 2.0;
                let words = format!("→ {}  ← {}", sent[i], returned[i]);
                self.count_badge(&words, (x, b.y + b.h / 2.0));
            }
        }
        let waiting = to_balancer[balancers.len()];
        if waiting > 0 {
            // Under the virtual address's ring and its words.
            let (x, y) = self.layout.entry;
            let below = (x, y + 32.0 * self.pal.scale);
            self.count_badge(&format!("→ {waiting}"), below);
        }
        if self.layout.style == ServerStyle::Cells {
            return;
        }
        for (i, r) in self.layout.servers.iter().enumerate() {
            if out[i] + back[i] == 0 {
                continue;
            }
            let (bx, by) = self.layout.feed(i);
            let (sx, sy) = r.left();
            let at = (bx + (sx - bx) * 0.6, by + (sy - by) * 0.6);
            self.count_badge(&format!("→ {}  ← {}", out[i], back[i]), at);
        }
    }

    /// The width of a count badge saying `words`.
    fn badge_width(&self, words: &str) -> f64 {
        let pen = self.pen(11.0, true, self.pal.ink).centred();
        pen.width(self.ctx, words) + 10.0
    }

    pub(super) fn count_badge(&self, words: &str, (x, y): (f64, f64)) {
        let (ctx, pal) = (self.ctx, self.pal);
        let pen = self.pen(11.0, true, pal.ink).centred();
        let w = self.badge_width(words);
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
}
