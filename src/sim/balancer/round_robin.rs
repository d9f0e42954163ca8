//! Plain round robin: each eligible server in turn, weights ignored (except that weight 0 drains).

use super::{About, Balancer, Candidate, Decision, LastPick, PickContext};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

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
    /// One past the latest server chosen (0 before the first pick): where the next pick starts.
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

    /// Where the pointer stands; the latest pick is the server just before it.
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        Decision {
            next: (!pool.is_empty()).then(|| self.next % pool.len()),
            last_pick: self.next.checked_sub(1).map(LastPick::new),
            ..Decision::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{picks, pool};

    #[test]
    fn the_decision_shows_the_pointer_and_the_latest_pick() {
        let mut rr = RoundRobin::default();
        let mut p = pool(&[1, 1, 1]);
        assert_eq!(
            rr.decision(&p, SimTime::ZERO),
            Decision {
                next: Some(0),
                ..Decision::default()
            }
        );
        assert_eq!(picks(&mut rr, &p, 3), "abc");
        let d = rr.decision(&p, SimTime::ZERO);
        assert_eq!((d.next, d.last_pick), (Some(0), Some(LastPick::new(2))));
        // The pointer stays on a down server; the pick skips it.
        p[1].available = false;
        assert_eq!(picks(&mut rr, &p, 1), "a");
        assert_eq!(rr.decision(&p, SimTime::ZERO).next, Some(1));
        assert_eq!(picks(&mut rr, &p, 1), "c");
    }

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
