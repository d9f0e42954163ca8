//! Random choice: uniformly among the eligible servers, or in proportion to their weights
//! (the effective weight, so slow start applies). No state, no coordination between balancers:
//! the shares are right on average and noisy in the short run.

use super::{About, Balancer, PickContext, eligible_indices, weighted_draw};
use crate::sim::rng::SimRng;

pub(super) const ABOUT_RANDOM: About = About {
    name: "Random",
    how: "Picks any available server with equal probability.",
    when: "Many independent balancers that cannot share state; a baseline to compare against.",
    weakness: "Short-run luck: some servers get runs of requests while others idle, so tail latency suffers.",
    cost: "O(n) here to list the available servers; O(1) with a maintained list.",
};

pub(super) const ABOUT_WEIGHTED: About = About {
    name: "Weighted random",
    how: "Picks a server with probability proportional to its weight (reduced during slow start).",
    when: "Servers of different capacity and no shared state between balancers.",
    weakness: "Same short-run luck as random; shares only hold on average.",
    cost: "O(n) per pick: a walk over cumulative weights.",
};

/// Uniformly random among the eligible servers.
#[derive(Clone, Debug, Default)]
pub struct Random {
    eligible: Vec<usize>,
}

impl Balancer for Random {
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize> {
        eligible_indices(ctx.pool, &mut self.eligible);
        if self.eligible.is_empty() {
            return None;
        }
        Some(self.eligible[rng.below(self.eligible.len() as u32) as usize])
    }
}

/// Random in proportion to effective weight.
#[derive(Clone, Copy, Debug, Default)]
pub struct WeightedRandom;

impl Balancer for WeightedRandom {
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize> {
        weighted_draw(ctx.pool, |c| c.effective_weight(), rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{counts, pool};

    #[test]
    fn random_is_uniform_over_the_available() {
        let mut p = pool(&[1, 9, 1, 1]);
        p[3].available = false;
        let c = counts(&mut Random::default(), &p, 60_000, 1);
        assert_eq!(c[3], 0);
        for &n in &c[..3] {
            assert!((n as f64 / 60_000.0 - 1.0 / 3.0).abs() < 0.01, "{c:?}");
        }
    }

    #[test]
    fn weighted_random_follows_effective_weights() {
        let mut p = pool(&[1, 2, 4]);
        p[2].ramp = 0.5; // effective 2
        let c = counts(&mut WeightedRandom, &p, 50_000, 2);
        let shares: Vec<f64> = c.iter().map(|&n| n as f64 / 50_000.0).collect();
        for (share, expected) in shares.iter().zip([0.2, 0.4, 0.4]) {
            assert!((share - expected).abs() < 0.01, "{shares:?}");
        }
    }
}
