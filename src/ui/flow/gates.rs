//! Each server's circuit breaker as a gate across its link (see [`Gate`]), and the mark its
//! latest change leaves for a while ([`Gates`]). With several balancers the breakers are still
//! one per server (the balancers share them), so the gate stands on the links' common way in.

use super::layout::ServerStyle;
use super::scene::Scene;
use crate::session::{Gate, GateMark, Gates, Palette};
use crate::sim::breaker::{BreakerConfig, BreakerState};

impl Scene<'_> {
    /// Each server's circuit breaker as a gate across its link (see [`Gate`]), and the mark its
    /// latest change leaves for a while ([`Gates`]): a ring in the new state's colour and what
    /// happened, in words.
    pub(super) fn gates(&self, gates: Option<&Gates>, wall_ms: f64) {
        if self.sim.resilience().breaker == BreakerConfig::Off
            || self.layout.style != ServerStyle::Boxes
        {
            return;
        }
        let (ctx, pal) = (self.ctx, self.pal);
        let line = 15.0 * pal.scale;
        for (index, rect) in self.layout.servers.iter().enumerate() {
            // On the link from its balancer (from the middle of its balancers, with several).
            let (bx, by) = self.layout.feed(index);
            let state = self.sim.backends()[index].breaker().state();
            let (sx, sy) = rect.left();
            let (dx, dy) = (sx - bx, sy - by);
            let length = dx.hypot(dy).max(1.0);
            let (ux, uy) = (dx / length, dy / length);
            // Where the gate stands, and its barrier's length: shorter where the boxes are close.
            let (mx, my) = (bx + dx * GATE_AT, by + dy * GATE_AT);
            let bar = (rect.h * 0.45).clamp(6.0, 14.0 * pal.scale);
            let (px, py) = self.gate(state, (mx, my), (ux, uy), bar);
            let mark = gates.and_then(|g| g.mark(index, wall_ms));
            let words_fit = rect.h >= 2.5 * line;
            let span = (bx + 4.0, rect.x - 4.0);
            if let Some(mark) = mark {
                self.gate_mark(mark, (mx, my), bar);
            }
            let words = match mark {
                Some(mark) => Some((mark.words(), mark.to)),
                None => (state != BreakerState::Closed).then(|| (state.label(), state)),
            };
            if let Some((words, state)) = words.filter(|_| words_fit) {
                self.gate_words(words, state, (px, py - line * 0.6 - bar * 0.3), span);
            }
        }
        ctx.set_line_width(1.0);
    }

    /// The gate of a breaker in `state` (see [`Gate`]) across the link through `(x, y)` that
    /// runs along the unit vector `(ux, uy)`, sized by `bar` (the post's distance from the
    /// link). The post stands beside the link (above it); the barrier swings from lying along the
    /// link (up) to square across it (down). Returns where the post stands.
    pub(super) fn gate(
        &self,
        state: BreakerState,
        (x, y): (f64, f64),
        (ux, uy): (f64, f64),
        bar: f64,
    ) -> (f64, f64) {
        let (ctx, pal) = (self.ctx, self.pal);
        let (px, py) = (x + uy * bar / 2.0, y - ux * bar / 2.0);
        let angle = Gate::of(state).lowered() * std::f64::consts::FRAC_PI_2;
        let (ax, ay) = (
            ux * angle.cos() - uy * angle.sin(),
            uy * angle.cos() + ux * angle.sin(),
        );
        ctx.set_line_width(4.0 * pal.scale);
        ctx.set_line_cap("round");
        ctx.set_stroke_style_str(state_colour(pal, state));
        ctx.begin_path();
        ctx.move_to(px, py);
        ctx.line_to(px + ax * bar * BARRIER, py + ay * bar * BARRIER);
        ctx.stroke();
        ctx.set_line_cap("butt");
        let post = POST * pal.scale;
        ctx.set_fill_style_str(pal.ink);
        ctx.fill_rect(px - post, py - post, 2.0 * post, 2.0 * post);
        (px, py)
    }

    /// A breaker's latest change on its gate at `(x, y)`: a ring in the new state's colour,
    /// fading over [`LINGER_MS`].
    ///
    /// [`LINGER_MS`]: crate::session::LINGER_MS
    pub(super) fn gate_mark(&self, mark: GateMark, (x, y): (f64, f64), bar: f64) {
        let (ctx, pal) = (self.ctx, self.pal);
        // Fully drawn for the first half of its time, then fading out.
        ctx.set_global_alpha((2.0 * mark.strength).min(1.0));
        ctx.set_line_width(3.0 * pal.scale);
        ctx.set_stroke_style_str(state_colour(pal, mark.to));
        ctx.begin_path();
        let _ = ctx.arc(x, y, bar * BARRIER, 0.0, std::f64::consts::TAU);
        ctx.stroke();
        ctx.set_global_alpha(1.0);
    }

    /// A gate's words (its state, or what just happened to it) centred above its post at
    /// `(x, y)` as far as the stretch of link `(left, right)` allows, squeezed to fit it.
    pub(super) fn gate_words(
        &self,
        words: &str,
        state: BreakerState,
        (x, y): (f64, f64),
        span: (f64, f64),
    ) {
        let room = (span.1 - span.0).max(1.0);
        let pen = self
            .pen(12.0, true, gate_ink(self.pal, state))
            .centred()
            .fit(room);
        let half = pen.width(self.ctx, words) / 2.0;
        let x = x.min(span.1 - half).max(span.0 + half);
        // The words stand between the links fanning out to the servers, where a neighbour's
        // link would otherwise run through them.
        self.plate((x, y), 2.0 * half);
        pen.write(self.ctx, words, (x, y));
    }
}

/// Where along a server's link its breaker's gate stands, from the balancer (0) to the server (1):
/// past the middle, where the links have spread apart, and short of the server's queue.
const GATE_AT: f64 = 0.6;

/// How far a gate's barrier reaches from its post, in barrier lengths (the `bar` it is drawn
/// with, the post's distance from the link): down, it reaches past the link it closes.
pub(super) const BARRIER: f64 = 1.3;
/// Half the side of a gate's square post (CSS pixels before the palette's scale).
pub(super) const POST: f64 = 3.0;

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
