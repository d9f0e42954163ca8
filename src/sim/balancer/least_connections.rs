//! nginx `least_conn`: the server with the fewest active requests per unit of weight.
//!
//! Peers are compared by `active / weight` without division (`a.active * b.weight < b.active *
//! a.weight`). When several share the minimum, smooth weighted round robin runs among just those,
//! so idle equal servers still take turns instead of the first one winning every time.

use super::smooth_weighted::SmoothWeighted;
use super::{About, Balancer, Candidate, RequestKey};
use crate::sim::rng::SimRng;

pub(super) const ABOUT: About = About {
    name: "Least connections (nginx least_conn)",
    how: "Sends the request to the server with the fewest requests in progress per unit of weight; ties take turns by smooth weighted round robin.",
    when: "Requests of very different cost, or servers that may slow down: a busy server stops receiving work.",
    weakness: "Counts requests, not their cost; a fast-failing server looks idle and attracts traffic.",
    cost: "O(n) per pick: one pass, plus one more among tied servers.",
};

/// nginx least connections with smooth-WRR tie breaking.
#[derive(Clone, Debug, Default)]
pub struct LeastConnections {
    ties: SmoothWeighted,
}

impl Balancer for LeastConnections {
    fn pick(&mut self, pool: &[Candidate], _key: &RequestKey, _rng: &mut SimRng) -> Option<usize> {
        let fewer = |a: &Candidate, b: &Candidate| {
            u64::from(a.active) * u64::from(b.weight) < u64::from(b.active) * u64::from(a.weight)
        };
        let best = pool
            .iter()
            .filter(|c| c.eligible())
            .fold(None::<&Candidate>, |best, c| match best {
                Some(b) if !fewer(c, b) => Some(b),
                _ => Some(c),
            })?;
        let tied = |c: &Candidate| !fewer(c, best) && !fewer(best, c);
        self.ties.pick_where(pool, tied)
    }

    fn observe(&mut self, server: usize, ok: bool) {
        self.ties.observe(server, ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{picks, pool};

    #[test]
    fn picks_the_lowest_active_per_weight() {
        let mut p = pool(&[1, 2, 1]);
        p[0].active = 2;
        p[1].active = 3; // 1.5 per weight
        p[2].active = 2;
        assert_eq!(picks(&mut LeastConnections::default(), &p, 1), "b");
    }

    #[test]
    fn ties_rotate_by_smooth_weighted_round_robin() {
        // All idle: every pick is a tie among all, so the sequence is smooth WRR's.
        assert_eq!(
            picks(&mut LeastConnections::default(), &pool(&[5, 1, 1]), 7),
            "aabacaa"
        );
        let mut p = pool(&[1, 1, 1]);
        p[1].active = 1;
        assert_eq!(picks(&mut LeastConnections::default(), &p, 4), "acac");
    }

    #[test]
    fn skips_unavailable_even_when_idle() {
        let mut p = pool(&[1, 1]);
        p[0].available = false;
        p[1].active = 50;
        assert_eq!(picks(&mut LeastConnections::default(), &p, 2), "bb");
    }
}
