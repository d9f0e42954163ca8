//! Plain round robin: each eligible server in turn, weights ignored (except that weight 0 drains).

use super::{About, Balancer, PickContext};
use crate::sim::rng::SimRng;

pub(super) const ABOUT: About = About {
    name: "Round robin",
    how: "Sends each request to the next server in the list, wrapping around; servers that are down or drained are skipped.",
    when: "Identical servers and requests of similar cost.",
    weakness: "Blind to load: a slow server gets the same share as a fast one, and its queue grows.",
    cost: "O(1) per pick (O(n) only while skipping unavailable servers).",
};

/// Round robin over the eligible servers.
#[derive(Clone, Debug, Default)]
pub struct RoundRobin {
    next: usize,
}

impl Balancer for RoundRobin {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        let pool = ctx.pool;
        let n = pool.len();
        let chosen = (0..n)
            .map(|i| (self.next + i) % n)
            .find(|&i| pool[i].eligible())?;
        self.next = chosen + 1;
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{picks, pool};

    #[test]
    fn cycles_and_ignores_weights() {
        assert_eq!(
            picks(&mut RoundRobin::default(), &pool(&[5, 1, 1]), 7),
            "abcabca"
        );
    }

    #[test]
    fn skips_unavailable_servers_and_resumes_after_them() {
        let mut rr = RoundRobin::default();
        let mut p = pool(&[1, 1, 1, 1]);
        assert_eq!(picks(&mut rr, &p, 2), "ab");
        p[2].available = false;
        p[3].weight = 0;
        assert_eq!(picks(&mut rr, &p, 3), "aba");
        p[2].available = true;
        assert_eq!(picks(&mut rr, &p, 3), "bca");
    }
}
