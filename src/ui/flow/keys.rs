//! The legend's keys to the mechanisms drawn on the links and the server boxes, which the request
//! shapes' legend does not explain: the circuit breakers' gates (closed, half-open, open) and the
//! health checks' pips. Each key is drawn only when the run has the mechanism and the picture
//! shows it (server boxes: the grid of cells draws neither).
//!
//! A key is drawn whole or not at all: on the legend's row after its last entry if it fits
//! before the canvas's edge, else on a row just above, from the legend's start. A key's place is
//! measured with its pens and checked against everything the layout places (boxes, bands,
//! clusters), so it is never written over anything; a canvas too narrow for it goes without it.

use super::gates::{BARRIER, POST};
use super::layout::{Rect, ServerStyle};
use super::scene::Scene;
use crate::session::Pips;
use crate::sim::breaker::{BreakerConfig, BreakerState};

/// What a key entry shows.
#[derive(Clone, Copy)]
enum Glyph {
    /// A breaker's gate in this state.
    Gate(BreakerState),
    /// A row of health pips.
    Pips(Pips),
}

/// A key: its title and its entries, each a glyph and what it means.
struct Key {
    title: &'static str,
    entries: &'static [(Glyph, &'static str)],
}

/// The breakers' gates, as [`Scene::gate`] draws them.
const BREAKER: Key = Key {
    title: "breaker gate:",
    entries: &[
        (Glyph::Gate(BreakerState::Closed), "closed"),
        (Glyph::Gate(BreakerState::HalfOpen), "half-open"),
        (Glyph::Gate(BreakerState::Open), "open"),
    ],
};

/// The health pips, as [`Scene::pips`] draws them (see [`Pips`]).
const HEALTH: Key = Key {
    title: "health checks:",
    entries: &[
        (
            Glyph::Pips(Pips {
                filled: 2,
                total: 3,
                up: true,
            }),
            "UP, failures to spare",
        ),
        (
            Glyph::Pips(Pips {
                filled: 1,
                total: 2,
                up: false,
            }),
            "DOWN, passes towards UP",
        ),
    ],
};

/// The room between a glyph and its words, and between entries and keys (CSS pixels before the
/// palette's scale).
const GLYPH_GAP: f64 = 5.0;
const ENTRY_GAP: f64 = 10.0;
const KEY_GAP: f64 = 18.0;
/// How far above the legend's row the second row is (CSS pixels before the palette's scale).
const ROW_STEP: f64 = 17.0;
/// How tall a key's line is reckoned (its 11 px words), in CSS pixels before the palette's scale.
const TEXT_HEIGHT: f64 = 12.0;
/// The size a gate is drawn at in its key (its `bar`, CSS pixels before the palette's scale).
const KEY_BAR: f64 = 8.0;

impl Scene<'_> {
    /// The keys to the mechanisms this run draws, from `(x, y)` on the legend's row (where its
    /// last entry ended).
    pub(super) fn mechanism_keys(&self, (x, y): (f64, f64)) {
        if self.layout.style != ServerStyle::Boxes {
            return;
        }
        let breakers = self.sim.resilience().breaker != BreakerConfig::Off;
        let checks = self.sim.backends().iter().any(|b| b.health().is_some());
        let keys = [(breakers, &BREAKER), (checks, &HEALTH)];
        let start = self.layout.clients.x + self.layout.clients.w + 16.0;
        let step = ROW_STEP * self.pal.scale;
        // Where each row has room from.
        let mut rows = [(x, y), (start, y - step)];
        for (_, key) in keys.iter().filter(|(shown, _)| *shown) {
            let width = self.key_width(key);
            if let Some(row) = rows.iter_mut().find(|&&mut at| self.room_for(at, width)) {
                self.key(key, *row);
                row.0 += width + KEY_GAP * self.pal.scale;
            }
        }
    }

    /// Whether a key `width` wide fits on the canvas from `(x, y)` (the middle of its left
    /// edge) without touching anything the layout places.
    fn room_for(&self, (x, y): (f64, f64), width: f64) -> bool {
        let l = self.layout;
        let h = TEXT_HEIGHT * self.pal.scale;
        let place = Rect {
            x,
            y: y - h / 2.0,
            w: width,
            h,
        };
        let canvas = Rect {
            x: 0.0,
            y: 0.0,
            w: l.width,
            h: l.height,
        };
        let mut placed = std::iter::once(&l.clients)
            .chain(&l.balancers)
            .chain(&l.servers)
            .chain(l.bands.iter().map(|b| &b.frame))
            .chain(l.clusters.iter().map(|c| &c.frame));
        canvas.contains(&place) && !placed.any(|r| r.overlaps(&place))
    }

    /// How wide `key` is drawn.
    fn key_width(&self, key: &Key) -> f64 {
        let (ctx, scale) = (self.ctx, self.pal.scale);
        let pen = self.pen(11.0, false, self.pal.muted);
        let entries: f64 = key
            .entries
            .iter()
            .map(|(glyph, words)| {
                ENTRY_GAP * scale
                    + self.glyph_width(*glyph)
                    + GLYPH_GAP * scale
                    + pen.width(ctx, words)
            })
            .sum();
        pen.width(ctx, key.title) + entries
    }

    /// Draws `key` from `(x, y)`.
    fn key(&self, key: &Key, (mut x, y): (f64, f64)) {
        let (ctx, scale) = (self.ctx, self.pal.scale);
        let pen = self.pen(11.0, false, self.pal.muted);
        pen.write(ctx, key.title, (x, y));
        x += pen.width(ctx, key.title);
        for (glyph, words) in key.entries {
            x += ENTRY_GAP * scale;
            self.glyph(*glyph, (x, y));
            x += self.glyph_width(*glyph) + GLYPH_GAP * scale;
            pen.write(ctx, words, (x, y));
            x += pen.width(ctx, words);
        }
        ctx.set_line_width(1.0);
    }

    /// How wide `glyph` is drawn.
    fn glyph_width(&self, glyph: Glyph) -> f64 {
        let scale = self.pal.scale;
        match glyph {
            // The post's left half, and the barrier lying along the link when up (with its
            // round cap).
            Glyph::Gate(_) => (POST + KEY_BAR * BARRIER + 2.0) * scale,
            Glyph::Pips(pips) => self.pips_width(pips),
        }
    }

    /// Draws `glyph` from `x`, centred on `y`.
    fn glyph(&self, glyph: Glyph, (x, y): (f64, f64)) {
        match glyph {
            Glyph::Gate(state) => {
                let (ctx, pal) = (self.ctx, self.pal);
                let (bar, post) = (KEY_BAR * pal.scale, POST * pal.scale);
                // The post's top to the lowered barrier's end, centred on the line.
                let post_y = y - (BARRIER * bar - post) / 2.0;
                let link_y = post_y + bar / 2.0;
                // A stretch of link under the gate, as on the canvas.
                ctx.set_line_width(1.0);
                ctx.set_stroke_style_str(pal.link);
                ctx.begin_path();
                ctx.move_to(x, link_y);
                ctx.line_to(x + self.glyph_width(glyph), link_y);
                ctx.stroke();
                self.gate(state, (x + post, link_y), (1.0, 0.0), bar);
            }
            Glyph::Pips(pips) => {
                self.pips(pips, (x, y));
            }
        }
    }
}
