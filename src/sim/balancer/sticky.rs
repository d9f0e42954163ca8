//! Sticky sessions: the first request of a session is balanced normally (smooth weighted round
//! robin) and the session is pinned to that server, as a load balancer's session cookie does.
//! Later requests of the session go to the same server while it is available; when it is not,
//! the session is balanced again and re-pinned to its new server.

use std::collections::HashMap;

use super::Quantity;
use super::smooth_weighted::SmoothWeighted;
use super::{About, Balancer, Candidate, Decision, LastPick, PickContext};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT: About = About {
    name: "Sticky sessions (session cookie)",
    how: "A session's first request is balanced by weighted round robin and pinned to its server; the session stays there until that server becomes unavailable, then it is re-pinned.",
    when: "Applications that keep session state in server memory (shopping carts) and cannot share it.",
    weakness: "Load follows the sessions, not the requests: a few heavy sessions overload their servers, and a server's death loses its sessions' state.",
    cost: "O(1) per pick for known sessions (a hash lookup); one table entry per session.",
};

/// Session affinity over smooth weighted round robin.
#[derive(Clone, Debug, Default)]
pub struct StickySessions {
    pins: HashMap<u64, usize>,
    balance: SmoothWeighted,
    /// The server the latest successful pick chose.
    last: Option<usize>,
}

impl Balancer for StickySessions {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        let session = ctx.key.session;
        if let Some(&server) = self.pins.get(&session)
            && ctx.pool.get(server).is_some_and(|c| c.eligible())
        {
            self.last = Some(server);
            return Some(server);
        }
        let server = self.balance.pick_eligible(ctx)?;
        self.pins.insert(session, server);
        self.last = Some(server);
        Some(server)
    }

    /// How many sessions are pinned to each server.
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        let mut pinned = vec![0.0; pool.len()];
        for &server in self.pins.values() {
            if let Some(n) = pinned.get_mut(server) {
                *n += 1.0;
            }
        }
        Decision {
            quantity: Some(Quantity::PinnedSessions),
            values: pinned.into_iter().map(Some).collect(),
            next: None,
            last_pick: self.last.map(LastPick::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{key, pick_one, pool};

    #[test]
    fn sessions_stay_until_their_server_goes_then_repin() {
        let mut b = StickySessions::default();
        let mut p = pool(&[1, 1, 1]);
        let mut rng = SimRng::from_seed(0);
        let mut pick = |b: &mut StickySessions, p: &[_], client| {
            pick_one(b, p, key(client, [1, 1, 1, 1]), &mut rng)
        };
        // New sessions are spread by round robin.
        assert_eq!(
            [
                pick(&mut b, &p, 10),
                pick(&mut b, &p, 11),
                pick(&mut b, &p, 12)
            ],
            [Some(0), Some(1), Some(2)]
        );
        // They stick.
        assert_eq!(pick(&mut b, &p, 11), Some(1));
        assert_eq!(pick(&mut b, &p, 11), Some(1));
        // Server b goes away: session 11 is re-pinned and stays on its new server.
        p[1].available = false;
        let moved = pick(&mut b, &p, 11).unwrap();
        assert_ne!(moved, 1);
        p[1].available = true;
        assert_eq!(
            pick(&mut b, &p, 11),
            Some(moved),
            "re-pinned, not sent back"
        );
        assert_eq!(pick(&mut b, &p, 10), Some(0));
        let d = b.decision(&p, SimTime::ZERO);
        assert_eq!(d.quantity, Some(Quantity::PinnedSessions));
        let mut pinned = [Some(1.0); 3];
        pinned[moved] = Some(2.0);
        pinned[1] = Some(0.0);
        assert_eq!(d.values, pinned);
        assert_eq!(d.last_pick, Some(LastPick::new(0)));
    }
}
