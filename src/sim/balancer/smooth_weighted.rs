//! nginx's smooth weighted round robin, the default method of an nginx `upstream`.
//!
//! Each peer has its weight `w`, a current weight `cw` (starting at 0) and an effective weight `ew`
//! (starting at `w`). For every pick, each eligible peer gets `cw += ew` (and `ew += 1` while below
//! `w`); the peer with the largest `cw` wins (the first in list order on ties) and pays back the sum
//! of all effective weights. Weights 5, 1, 1 give `a a b a c a a`: the same shares as the textbook
//! expanded list `a a a a a b c`, interleaved. A failure lowers the failed peer's `ew` by
//! `w / max_fails`, and `ew` climbs back by one per pick, a gentle ramp-up after errors.

use super::Quantity;
use super::{About, Balancer, Candidate, Decision, DerivedFor, Feedback, LastPick, PickContext};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT: About = About {
    name: "Weighted round robin (nginx smooth)",
    how: "Every pick, each server's running score grows by its weight; the highest score wins and pays back the total. Weights 5,1,1 give a a b a c a a.",
    when: "Servers of different capacity with requests of similar cost; nginx's default.",
    weakness: "Static shares: it cannot see that a server has slowed down or is overloaded.",
    cost: "O(n) per pick: one pass over the servers.",
};

/// nginx's `max_fails` default: one failure drops the effective weight to zero.
const DEFAULT_MAX_FAILS: u32 = 1;

/// The per-peer state of smooth weighted round robin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Peer {
    /// The weight this state was built for; a changed weight resets `effective`.
    weight: u32,
    current: i64,
    effective: i64,
}

/// nginx smooth weighted round robin.
#[derive(Clone, Debug)]
pub struct SmoothWeighted {
    peers: Vec<Peer>,
    /// The pool version `peers` was last brought in line with (see [`SmoothWeighted::sync`]).
    synced: DerivedFor,
    max_fails: u32,
    /// The peer the latest successful pass chose.
    last: Option<usize>,
}

impl Default for SmoothWeighted {
    fn default() -> Self {
        SmoothWeighted::new(DEFAULT_MAX_FAILS)
    }
}

impl SmoothWeighted {
    /// A balancer whose failures lower a peer's effective weight by `weight / max_fails`
    /// (`max_fails` 0: failures do not lower it, as in nginx).
    pub fn new(max_fails: u32) -> SmoothWeighted {
        SmoothWeighted {
            peers: Vec::new(),
            synced: DerivedFor::default(),
            max_fails,
            last: None,
        }
    }

    /// The latest peer chosen by a pass.
    pub(super) fn last_pick(&self) -> Option<LastPick> {
        self.last.map(LastPick::new)
    }

    /// Brings the per-peer state in line with the pool (new servers, changed weights), unless the
    /// pool's version says neither changed since the last time.
    fn sync(&mut self, ctx: &PickContext<'_>) {
        if self.synced.still_holds(ctx) {
            return;
        }
        let pool = ctx.pool;
        self.peers.resize(pool.len(), Peer::default());
        for (peer, c) in self.peers.iter_mut().zip(pool) {
            if peer.weight != c.weight {
                *peer = Peer {
                    weight: c.weight,
                    current: peer.current,
                    effective: i64::from(c.weight),
                };
            }
        }
    }

    /// Records that `chosen` was picked without a pass (least connections' lone least-loaded
    /// server), keeping the per-peer state in line with the pool so failures still lower it.
    pub(super) fn take(&mut self, ctx: &PickContext<'_>, chosen: usize) {
        self.sync(ctx);
        self.last = Some(chosen);
    }

    /// One smooth-WRR pass over the eligible peers.
    pub(super) fn pick_eligible(&mut self, ctx: &PickContext<'_>) -> Option<usize> {
        let pool = ctx.pool;
        self.pick_among(ctx, (0..pool.len()).filter(|&i| pool[i].eligible()))
    }

    /// One smooth-WRR pass over the peers `among`: eligible ones, in ascending list order.
    pub(super) fn pick_among(
        &mut self,
        ctx: &PickContext<'_>,
        among: impl Iterator<Item = usize>,
    ) -> Option<usize> {
        self.sync(ctx);
        let pool = ctx.pool;
        let mut total = 0;
        let mut best: Option<(usize, i64)> = None;
        for i in among {
            let (c, peer) = (&pool[i], &mut self.peers[i]);
            // Slow start (not in nginx OSS) caps the effective weight at the ramped weight.
            let cap = if c.ramp < 1.0 {
                (c.effective_weight().ceil() as i64).max(1)
            } else {
                i64::from(peer.weight)
            };
            peer.effective = peer.effective.min(cap);
            peer.current += peer.effective;
            total += peer.effective;
            if peer.effective < cap {
                peer.effective += 1;
            }
            if best.is_none_or(|(_, current)| peer.current > current) {
                best = Some((i, peer.current));
            }
        }
        let (chosen, _) = best?;
        self.peers[chosen].current -= total;
        self.last = Some(chosen);
        Some(chosen)
    }
}

impl Balancer for SmoothWeighted {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        self.pick_eligible(ctx)
    }

    fn observe(&mut self, server: usize, feedback: Feedback) {
        if feedback.ok || self.max_fails == 0 {
            return;
        }
        if let Some(peer) = self.peers.get_mut(server) {
            peer.effective = (peer.effective - i64::from(peer.weight / self.max_fails)).max(0);
        }
    }

    /// Each peer's current weight `cw` (none for a server no pass has seen yet).
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        Decision {
            quantity: Some(Quantity::CurrentWeight),
            values: (0..pool.len())
                .map(|i| self.peers.get(i).map(|p| p.current as f64))
                .collect(),
            next: None,
            last_pick: self.last_pick(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{picks, pool};
    use crate::sim::time::{SimDuration, SimTime};

    fn failure() -> Feedback {
        Feedback {
            ok: false,
            rtt: SimDuration::ZERO,
            now: SimTime::ZERO,
        }
    }

    #[test]
    fn reference_sequences() {
        let mut b = SmoothWeighted::default();
        assert_eq!(picks(&mut b, &pool(&[5, 1, 1]), 14), "aabacaaaabacaa");
        assert_eq!(
            picks(&mut SmoothWeighted::default(), &pool(&[4, 2, 1]), 7),
            "abacaba"
        );
        assert_eq!(
            picks(&mut SmoothWeighted::default(), &pool(&[3, 1]), 8),
            "aabaaaba"
        );
    }

    #[test]
    fn equal_weights_are_plain_round_robin() {
        assert_eq!(
            picks(&mut SmoothWeighted::default(), &pool(&[2, 2, 2]), 6),
            "abcabc"
        );
    }

    /// The current weights and the latest pick, as the decision shows them.
    fn state(b: &SmoothWeighted, pool: &[Candidate]) -> (Vec<f64>, usize) {
        let d = b.decision(pool, SimTime::ZERO);
        assert_eq!(d.quantity, Some(Quantity::CurrentWeight));
        let cw = d.values.into_iter().map(Option::unwrap).collect();
        (cw, d.last_pick.unwrap().chosen)
    }

    #[test]
    fn the_decision_shows_the_current_weights_through_a_cycle() {
        let mut b = SmoothWeighted::default();
        let p = pool(&[5, 1, 1]);
        assert_eq!(
            b.decision(&p, SimTime::ZERO).values,
            [None, None, None],
            "no pass yet"
        );
        // By hand: cw += (5, 1, 1), the largest wins and pays back 7.
        let cycle: [([f64; 3], usize); 7] = [
            ([-2.0, 1.0, 1.0], 0),
            ([-4.0, 2.0, 2.0], 0),
            ([1.0, -4.0, 3.0], 1),
            ([-1.0, -3.0, 4.0], 0),
            ([4.0, -2.0, -2.0], 2),
            ([2.0, -1.0, -1.0], 0),
            ([0.0, 0.0, 0.0], 0),
        ];
        for (cw, chosen) in cycle.into_iter().chain(cycle) {
            picks(&mut b, &p, 1);
            assert_eq!(state(&b, &p), (cw.to_vec(), chosen));
        }
    }

    #[test]
    fn a_down_peer_is_skipped_and_rejoins() {
        let mut b = SmoothWeighted::default();
        let mut p = pool(&[5, 1, 1]);
        assert_eq!(picks(&mut b, &p, 3), "aab");
        p[0].available = false;
        // b paid for its pick just before a left (cw -4), so c catches up first: nginx does the same.
        assert_eq!(picks(&mut b, &p, 4), "cccc");
        p[0].available = true;
        assert_eq!(picks(&mut b, &p, 7), "aabaaca");
    }

    #[test]
    fn a_failure_drops_the_effective_weight_and_it_ramps_back() {
        let mut b = SmoothWeighted::default();
        let p = pool(&[5, 1, 1]);
        assert_eq!(picks(&mut b, &p, 1), "a");
        b.observe(0, failure()); // ew(a): 5 -> 0, then +1 per pass
        // With a's effective weight at 0, 1, 2, ... the others take the next picks.
        assert_eq!(picks(&mut b, &p, 7), "bcbaaca");
        // Fully recovered: the steady pattern holds the 5:1:1 shares again.
        let steady = picks(&mut b, &p, 70);
        assert_eq!(steady.matches('a').count(), 50);
    }

    #[test]
    fn max_fails_scales_the_drop() {
        let mut b = SmoothWeighted::new(2);
        picks(&mut b, &pool(&[6, 1]), 1);
        b.observe(0, failure());
        assert_eq!(b.peers[0].effective, 3);
        b.observe(
            0,
            Feedback {
                ok: true,
                ..failure()
            },
        );
        assert_eq!(b.peers[0].effective, 3);
    }

    #[test]
    fn slow_start_caps_the_effective_weight() {
        let mut b = SmoothWeighted::default();
        let mut p = pool(&[8, 8]);
        p[1].ramp = 0.25; // effective weight 2 of 8
        let seq = picks(&mut b, &p, 50);
        assert_eq!(seq.matches('b').count(), 10, "{seq}");
    }

    #[test]
    fn changing_a_weight_takes_effect_on_the_next_pick() {
        let mut b = SmoothWeighted::default();
        let mut p = pool(&[1, 1]);
        assert_eq!(picks(&mut b, &p, 2), "ab");
        p[1].weight = 3;
        assert_eq!(picks(&mut b, &p, 8).matches('b').count(), 6);
    }
}
