//! The textbook weighted round robin: each server appears in a list as many times as its weight,
//! and the list is walked in order. Weights 5, 1, 1 give `a a a a a b c`: the right shares, in
//! blocks. (pingora's `RoundRobin` works this way.) Offered beside nginx's smooth variant so a class
//! can see why nginx interleaves: a burst of five requests all lands on one server here.

use super::{About, Balancer, Candidate, Decision, LastPick, PickContext};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT: About = About {
    name: "Weighted round robin (textbook expanded list)",
    how: "Lists each server as many times as its weight (5,1,1 gives a a a a a b c) and walks the list in order.",
    when: "Teaching: the simplest way to honour weights.",
    weakness: "Blocky: a heavy server gets its whole share in a burst, so its queue spikes; nginx's smooth variant interleaves instead.",
    cost: "O(1) per pick; the list costs memory proportional to the sum of the weights.",
};

/// The expanded-list weighted round robin.
#[derive(Clone, Debug, Default)]
pub struct ExpandedWeighted {
    /// Server indices, each repeated `weight` times.
    list: Vec<usize>,
    /// The weights the list was built from.
    built_for: Vec<u32>,
    /// One past the list position of the latest pick (0 before the first): where the next starts.
    next: usize,
}

impl Balancer for ExpandedWeighted {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        let weights = ctx.pool.iter().map(|c| c.weight);
        if !weights.clone().eq(self.built_for.iter().copied()) {
            self.built_for = weights.collect();
            self.list = (0..ctx.pool.len())
                .flat_map(|i| std::iter::repeat_n(i, self.built_for[i] as usize))
                .collect();
            self.next = 0;
        }
        let n = self.list.len();
        let at = (0..n)
            .map(|i| (self.next + i) % n)
            .find(|&at| ctx.pool[self.list[at]].eligible())?;
        self.next = at + 1;
        Some(self.list[at])
    }

    /// Where the pointer stands in the list (as the server there) and the latest pick. Until a pick
    /// rebuilds the list after a weight change, these describe the list as it was.
    fn decision(&self, _pool: &[Candidate], _now: SimTime) -> Decision {
        let n = self.list.len();
        Decision {
            next: (n > 0).then(|| self.list[self.next % n]),
            last_pick: self
                .next
                .checked_sub(1)
                .map(|at| LastPick::new(self.list[at])),
            ..Decision::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{picks, pool};

    #[test]
    fn walks_the_expanded_list() {
        let mut b = ExpandedWeighted::default();
        assert_eq!(picks(&mut b, &pool(&[5, 1, 1]), 14), "aaaaabcaaaaabc");
        assert_eq!(
            picks(&mut ExpandedWeighted::default(), &pool(&[4, 2, 1]), 7),
            "aaaabbc"
        );
    }

    #[test]
    fn the_decision_follows_the_list() {
        let mut b = ExpandedWeighted::default();
        let p = pool(&[2, 1]);
        assert_eq!(b.decision(&p, SimTime::ZERO), Decision::default());
        let mut seen = Vec::new();
        for _ in 0..4 {
            picks(&mut b, &p, 1);
            let d = b.decision(&p, SimTime::ZERO);
            seen.push((d.last_pick.map(|l| l.chosen), d.next));
        }
        // The list a a b, walked twice over: (latest, next).
        let expected = [(0, 0), (0, 1), (1, 0), (0, 0)];
        assert_eq!(seen, expected.map(|(l, n)| (Some(l), Some(n))));
    }

    #[test]
    fn skips_unavailable_entries_and_rebuilds_on_a_weight_change() {
        let mut b = ExpandedWeighted::default();
        let mut p = pool(&[2, 1, 1]);
        assert_eq!(picks(&mut b, &p, 2), "aa");
        p[1].available = false;
        assert_eq!(picks(&mut b, &p, 3), "caa");
        p[1].available = true;
        p[2].weight = 2;
        assert_eq!(picks(&mut b, &p, 5), "aabcc");
    }
}
