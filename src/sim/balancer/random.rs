//! Random choice: uniformly among the eligible servers, or in proportion to their weights
//! (the effective weight, so slow start applies). No state, no coordination between balancers:
//! the shares are right on average and noisy in the short run.

use super::Quantity;
use super::{About, Balancer, Candidate, Decision, Eligible, LastPick, PickContext, weighted_draw};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT_RANDOM: About = About {
    name: "Random",
    how: "Picks any available server with equal probability.",
    when: "Many independent balancers that cannot share state; a baseline to compare against.",
    weakness: "Short-run luck: some servers get runs of requests while others idle, so tail latency suffers.",
    cost: "O(1) per pick from a list of the available servers, made again (O(n)) only when they change.",
};

pub(super) const ABOUT_WEIGHTED: About = About {
    name: "Weighted random",
    how: "Picks a server with probability proportional to its weight (reduced during slow start).",
    when: "Servers of different capacity and no shared state between balancers.",
    weakness: "Same short-run luck as random; shares only hold on average.",
    cost: "O(n) per pick: a walk over cumulative weights.",
};

/// The decision of a random draw in proportion to `weight` over the eligible servers: each
/// server's chance of the next pick (none for servers out of the draw), after `last`.
fn chances(
    pool: &[Candidate],
    weight: impl Fn(&Candidate) -> f64,
    last: Option<usize>,
) -> Decision {
    let total: f64 = pool.iter().filter(|c| c.eligible()).map(&weight).sum();
    Decision {
        quantity: Some(Quantity::Chance),
        values: pool
            .iter()
            .map(|c| (c.eligible() && total > 0.0).then(|| weight(c) / total))
            .collect(),
        next: None,
        last_pick: last.map(LastPick::new),
    }
}

/// Uniformly random among the eligible servers.
#[derive(Clone, Debug, Default)]
pub struct Random {
    eligible: Eligible,
    /// The server the latest successful pick chose.
    last: Option<usize>,
}

impl Balancer for Random {
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize> {
        self.eligible.refresh(ctx);
        let hosts = &self.eligible.indices;
        if hosts.is_empty() {
            return None;
        }
        self.last = Some(hosts[rng.below(hosts.len() as u32) as usize]);
        self.last
    }

    /// The same chance for every eligible server.
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        chances(pool, |_| 1.0, self.last)
    }
}

/// Random in proportion to effective weight.
#[derive(Clone, Copy, Debug, Default)]
pub struct WeightedRandom {
    /// The server the latest successful pick chose.
    last: Option<usize>,
}

impl Balancer for WeightedRandom {
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize> {
        let chosen = weighted_draw(ctx.pool, Candidate::effective_weight, rng);
        self.last = chosen.or(self.last);
        chosen
    }

    /// Chances in proportion to effective weight.
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        chances(pool, Candidate::effective_weight, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{counts, picks, pool};

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
    fn the_decision_shows_each_servers_chance() {
        let mut p = pool(&[1, 2, 4, 1]);
        p[2].ramp = 0.5; // effective 2
        p[3].available = false;
        let mut b = WeightedRandom::default();
        assert_eq!(b.decision(&p, SimTime::ZERO).last_pick, None);
        let chosen = picks(&mut b, &p, 1).as_bytes()[0] - b'a';
        let d = b.decision(&p, SimTime::ZERO);
        assert_eq!(d.quantity, Some(Quantity::Chance));
        assert_eq!(d.values, [Some(0.2), Some(0.4), Some(0.4), None]);
        assert_eq!(d.last_pick, Some(LastPick::new(usize::from(chosen))));
        let d = Random::default().decision(&p, SimTime::ZERO);
        assert_eq!(
            d.values,
            [Some(1.0 / 3.0), Some(1.0 / 3.0), Some(1.0 / 3.0), None]
        );
    }

    #[test]
    fn weighted_random_follows_effective_weights() {
        let mut p = pool(&[1, 2, 4]);
        p[2].ramp = 0.5; // effective 2
        let c = counts(&mut WeightedRandom::default(), &p, 50_000, 2);
        let shares: Vec<f64> = c.iter().map(|&n| n as f64 / 50_000.0).collect();
        for (share, expected) in shares.iter().zip([0.2, 0.4, 0.4]) {
            assert!((share - expected).abs() < 0.01, "{shares:?}");
        }
    }
}
