//! The one load balancer's box: its layer, its algorithm and what it is deciding with, its CPU
//! when it has a cost, and the network's delays under it.

use super::layout::{Rect, ServerStyle};
use super::paint::{Pen, rounded_rect};
use super::scene::Scene;
use crate::sim::balancer::Decision;
use crate::sim::balancer_cpu::TlsMode;
use crate::sim::connections::Layer;
use crate::sim::engine::BalancerLoad;
use crate::sim::narrate;

impl Scene<'_> {
    /// The network's one-way delays, under the balancer: its part of every request's time.
    pub(super) fn network(&self) {
        let scenario = self.sim.scenario();
        let (to_clients, to_servers) = (scenario.client_latency, scenario.backend_latency);
        if to_clients.is_zero() && to_servers.is_zero() {
            return;
        }
        let (b, pal) = (self.layout.balancers[0], self.pal);
        // Shorter where the room is narrow, never squeezed: on two lines at the narrowest.
        let words = [
            format!("network one way: clients {to_clients} · servers {to_servers}"),
            format!("one way: clients {to_clients} · servers {to_servers}"),
        ];
        let lines = [
            format!("to clients {to_clients}"),
            format!("to servers {to_servers}"),
        ];
        // Centred under the balancer, within the clients' column and the servers'.
        let cx = b.x + b.w / 2.0;
        let clients = self.layout.clients.x + self.layout.clients.w;
        let servers = self
            .layout
            .servers
            .first()
            .map_or(self.layout.width, |r| r.x);
        let room = 2.0 * (cx - clients).min(servers - cx) - 8.0;
        let pen = self.pen(11.0, false, pal.muted).centred();
        let one = pen.first_fitting(self.ctx, &words, room);
        let lines: Vec<&str> = match one {
            Some(w) => vec![w],
            None => lines.iter().map(String::as_str).collect(),
        };
        // Under the box, or over it where the words would reach the legend's row; on a canvas
        // too short for either, not at all.
        let (gap, step) = (12.0 * pal.scale, 14.0 * pal.scale);
        let under = b.y + b.h + gap;
        let last = under + step * (lines.len() - 1) as f64;
        let over = b.y - gap - step * (lines.len() - 1) as f64;
        let top = if last + 6.0 * pal.scale <= self.layout.legend_top {
            under
        } else if over >= step {
            over
        } else {
            return;
        };
        let pen = pen.fit(room);
        for (i, line) in lines.iter().enumerate() {
            let at = (cx, top + i as f64 * step);
            self.plate(at, pen.width(self.ctx, line));
            pen.write(self.ctx, line, at);
        }
    }

    pub(super) fn balancer(&self) {
        let (b, pal, ctx) = (self.layout.balancers[0], self.pal, self.ctx);
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
    pub(super) fn balancer_cpu(&self, b: &Rect, load: &BalancerLoad, small: &Pen<'static>) {
        self.worker_slots(b, load.busy, load.workers, &[]);
        let clients = self.layout.clients;
        let queued = load.queued.min(u64::from(u32::MAX)) as u32;
        self.queue(b, queued, &[], clients.x + clients.w + 6.0 * self.pal.scale);
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
    pub(super) fn decision_words(&self) -> (Option<String>, Option<String>) {
        let d = &self.decision;
        if !self.sim.pool().iter().any(|c| c.eligible()) {
            return (None, Some("no server to send to".to_string()));
        }
        let numbers = d
            .quantity
            .filter(|_| self.layout.style == ServerStyle::Boxes)
            .map(|q| format!("at servers: {}", narrate::quantity(q)));
        (numbers, self.pick_words(d))
    }

    /// A decision's latest pick (or where its round-robin pointer stands), in a few words.
    pub(super) fn pick_words(&self, d: &Decision) -> Option<String> {
        match (d.next, d.last_pick) {
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
        }
    }
}
