//! The least-connections family: send the request where the fewest requests are in progress, per
//! unit of weight. The three variants differ only in how they break ties, and ties are common
//! (every idle server is tied), so the difference is visible:
//!
//! - nginx `least_conn` compares `active / weight` without division (`a.active * b.weight <
//!   b.active * a.weight`) and runs smooth weighted round robin among the tied servers.
//! - HAProxy `leastconn` keeps servers in a tree keyed by `active / effective weight`; a server
//!   whose count changes moves to the back of its new key's group, so equals take turns (round
//!   robin among equals). Its effective weight follows slow start.
//! - The textbook weighted least connections takes the lowest ratio and the first server on ties.

use super::smooth_weighted::SmoothWeighted;
use super::{
    About, Balancer, Candidate, Decision, Eligible, Feedback, LastPick, PickContext,
    fewer_per_weight, per_weight,
};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT_NGINX: About = About {
    name: "Least connections (nginx least_conn)",
    how: "Sends the request to the server with the fewest requests in progress per unit of weight; ties take turns by smooth weighted round robin.",
    when: "Requests of very different cost, or servers that may slow down: a busy server stops receiving work.",
    weakness: "Counts requests, not their cost; a fast-failing server looks idle and attracts traffic.",
    cost: "O(n) per pick: one pass, plus one more among tied servers.",
};

pub(super) const ABOUT_HAPROXY: About = About {
    name: "Least connections (HAProxy leastconn)",
    how: "Fewest requests in progress per unit of effective weight; among equals, the server whose count changed longest ago goes first, so equals take turns.",
    when: "Long-lived or uneven requests (databases, websockets); HAProxy's choice for them.",
    weakness: "Like every connection count, blind to how heavy each request is.",
    cost: "O(log n) in HAProxy's tree; O(n) here.",
};

pub(super) const ABOUT_WEIGHTED: About = About {
    name: "Weighted least connections (textbook)",
    how: "Lowest ratio of requests in progress to weight; the first server in the list wins ties.",
    when: "Servers of different capacity under uneven load.",
    weakness: "First-wins ties pile idle traffic onto the first server when load is light.",
    cost: "O(n) per pick.",
};

/// The first eligible candidate with the smallest `active / weight`, in one pass as nginx's
/// first loop; `group` is left holding it and every later eligible candidate tied with it, in
/// list order. Ties are exact (cross-multiplied counts), so a new least-loaded candidate is
/// strictly below everything the group held and the group restarts from it.
fn least_loaded(pool: &[Candidate], group: &mut Vec<usize>) -> Option<usize> {
    group.clear();
    let mut best: Option<&Candidate> = None;
    for (i, c) in pool.iter().enumerate() {
        if !c.eligible() {
            continue;
        }
        match best {
            Some(b) if !fewer_per_weight(c, b) => {
                if !fewer_per_weight(b, c) {
                    group.push(i);
                }
            }
            _ => {
                best = Some(c);
                group.clear();
                group.push(i);
            }
        }
    }
    group.first().copied()
}

/// [`least_loaded`] where every eligible candidate (`eligible`, in list order) has the same
/// weight: the load is the active count alone, one comparison per server.
fn least_active(pool: &[Candidate], eligible: &[usize], group: &mut Vec<usize>) -> Option<usize> {
    group.clear();
    let mut least = u32::MAX;
    for &i in eligible {
        let active = pool[i].active;
        if active < least {
            least = active;
            group.clear();
        }
        if active == least {
            group.push(i);
        }
    }
    group.first().copied()
}

/// nginx least connections with smooth-WRR tie breaking.
#[derive(Clone, Debug, Default)]
pub struct LeastConnections {
    ties: SmoothWeighted,
    eligible: Eligible,
    /// The least-loaded servers of the pick in progress (kept only to reuse its memory).
    group: Vec<usize>,
}

impl Balancer for LeastConnections {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        self.eligible.refresh(ctx);
        let best = if self.eligible.same_configured_weight {
            least_active(ctx.pool, &self.eligible.indices, &mut self.group)
        } else {
            least_loaded(ctx.pool, &mut self.group)
        }?;
        if self.group.len() == 1 {
            // A lone least-loaded server is taken as it is: nginx runs its weighted round robin
            // (and its effective-weight recovery) only among tied servers.
            self.ties.take(ctx, best);
            return Some(best);
        }
        self.ties.pick_among(ctx, self.group.iter().copied())
    }

    fn observe(&mut self, server: usize, feedback: Feedback) {
        self.ties.observe(server, feedback);
    }

    /// Active requests per weight; the latest pick is the tie-breaking pass's.
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        per_weight(pool, |c| f64::from(c.weight), self.ties.last_pick())
    }
}

/// HAProxy leastconn: lowest `active / effective weight`, the longest-unchanged server among equals.
#[derive(Clone, Debug, Default)]
pub struct HaproxyLeastConn {
    /// When each server's count last changed, as a running counter: lower goes first among equals.
    changed: Vec<u64>,
    clock: u64,
    /// The server the latest successful pick chose.
    last: Option<usize>,
}

impl HaproxyLeastConn {
    fn touch(&mut self, server: usize) {
        self.clock += 1;
        if let Some(stamp) = self.changed.get_mut(server) {
            *stamp = self.clock;
        }
    }
}

impl Balancer for HaproxyLeastConn {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        // New servers join behind the others, in list order, as HAProxy inserts them at start-up.
        while self.changed.len() < ctx.pool.len() {
            self.clock += 1;
            self.changed.push(self.clock);
        }
        self.changed.truncate(ctx.pool.len());
        let key = |c: &Candidate| f64::from(c.active) / c.effective_weight();
        let chosen = ctx
            .pool
            .iter()
            .enumerate()
            .filter(|(_, c)| c.eligible())
            .min_by(|(i, a), (j, b)| {
                key(a)
                    .total_cmp(&key(b))
                    .then(self.changed[*i].cmp(&self.changed[*j]))
            })?
            .0;
        self.touch(chosen);
        self.last = Some(chosen);
        Some(chosen)
    }

    fn observe(&mut self, server: usize, _feedback: Feedback) {
        self.touch(server);
    }

    /// Active requests per effective weight (its tree key).
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        per_weight(
            pool,
            Candidate::effective_weight,
            self.last.map(LastPick::new),
        )
    }
}

/// Textbook weighted least connections: lowest `active / weight`, first on ties.
#[derive(Clone, Debug, Default)]
pub struct WeightedLeastConnections {
    /// The server the latest successful pick chose.
    last: Option<usize>,
    /// The least-loaded servers of the pick in progress (kept only to reuse its memory).
    group: Vec<usize>,
}

impl Balancer for WeightedLeastConnections {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        let best = least_loaded(ctx.pool, &mut self.group)?;
        self.last = Some(best);
        self.last
    }

    /// Active requests per weight.
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        per_weight(pool, |c| f64::from(c.weight), self.last.map(LastPick::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::Quantity;
    use crate::sim::balancer::test_support::{picks, pool};
    use crate::sim::time::SimDuration;

    #[test]
    fn nginx_picks_the_lowest_active_per_weight() {
        let mut p = pool(&[1, 2, 1]);
        p[0].active = 2;
        p[1].active = 3; // 1.5 per weight
        p[2].active = 2;
        assert_eq!(picks(&mut LeastConnections::default(), &p, 1), "b");
    }

    #[test]
    fn the_decision_shows_active_per_weight_and_the_latest_pick() {
        let mut p = pool(&[1, 2, 4, 0]);
        p[0].active = 2;
        p[1].active = 3;
        p[2].active = 2;
        p[2].ramp = 0.5; // effective weight 2
        let expect = |d: Decision, values: [Option<f64>; 4], chosen| {
            assert_eq!(d.quantity, Some(Quantity::ActivePerWeight));
            assert_eq!(d.values, values);
            assert_eq!(d.last_pick, Some(LastPick::new(chosen)));
        };
        let mut nginx = LeastConnections::default();
        assert_eq!(picks(&mut nginx, &p, 1), "c");
        expect(
            nginx.decision(&p, SimTime::ZERO),
            [Some(2.0), Some(1.5), Some(0.5), None],
            2,
        );
        let mut haproxy = HaproxyLeastConn::default();
        assert_eq!(picks(&mut haproxy, &p, 1), "c");
        expect(
            haproxy.decision(&p, SimTime::ZERO),
            [Some(2.0), Some(1.5), Some(1.0), None],
            2,
        );
        p[2].active = 8;
        let mut textbook = WeightedLeastConnections::default();
        assert_eq!(picks(&mut textbook, &p, 1), "b");
        expect(
            textbook.decision(&p, SimTime::ZERO),
            [Some(2.0), Some(1.5), Some(2.0), None],
            1,
        );
    }

    #[test]
    fn nginx_ties_rotate_by_smooth_weighted_round_robin() {
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
    fn nginx_leaves_round_robin_state_alone_when_one_server_is_least_loaded() {
        let failure = Feedback {
            ok: false,
            rtt: SimDuration::ZERO,
            now: SimTime::ZERO,
        };
        // Idle a and b (weight 2): a tie, a wins and pays back 4 (current weights -2, 2); then a
        // fails, and max_fails 1 drops its effective weight to 0.
        let after_failure = || {
            let mut nginx = LeastConnections::default();
            assert_eq!(picks(&mut nginx, &pool(&[2, 2]), 1), "a");
            nginx.observe(0, failure);
            nginx
        };
        let mut direct = after_failure();
        let mut lone_first = after_failure();
        // a alone is least loaded twice: nginx skips the weighted pass, so its effective weight
        // does not recover there (a pass each time would have brought it back to 2).
        let mut busy_b = pool(&[2, 2]);
        busy_b[1].active = 1;
        assert_eq!(picks(&mut lone_first, &busy_b, 2), "aa");
        // Tied again, a's effective weight climbs back 0, 1, 2 over three passes, b winning them;
        // the lone picks changed nothing (with passes it would be b, a, ...).
        let idle = pool(&[2, 2]);
        assert_eq!(picks(&mut direct, &idle, 4), "bbba");
        assert_eq!(picks(&mut lone_first, &idle, 4), "bbba");
    }

    #[test]
    fn skips_unavailable_even_when_idle() {
        let mut p = pool(&[1, 1]);
        p[0].available = false;
        p[1].active = 50;
        assert_eq!(picks(&mut LeastConnections::default(), &p, 2), "bb");
        assert_eq!(picks(&mut HaproxyLeastConn::default(), &p, 2), "bb");
        assert_eq!(picks(&mut WeightedLeastConnections::default(), &p, 2), "bb");
    }

    #[test]
    fn haproxy_rotates_among_equals_and_weighted_takes_the_first() {
        // Idle equal servers: HAProxy takes turns, the textbook version always takes the first.
        assert_eq!(
            picks(&mut HaproxyLeastConn::default(), &pool(&[1, 1, 1]), 6),
            "abcabc"
        );
        assert_eq!(
            picks(
                &mut WeightedLeastConnections::default(),
                &pool(&[1, 1, 1]),
                3
            ),
            "aaa"
        );
        // Weighted idle servers: all tied at 0 active, so HAProxy still takes turns...
        assert_eq!(
            picks(&mut HaproxyLeastConn::default(), &pool(&[5, 1]), 4),
            "abab"
        );
        // ...and a server whose count just changed goes behind its equals.
        let mut b = HaproxyLeastConn::default();
        let p = pool(&[1, 1, 1]);
        assert_eq!(picks(&mut b, &p, 1), "a");
        b.observe(
            1,
            Feedback {
                ok: true,
                rtt: Default::default(),
                now: Default::default(),
            },
        );
        assert_eq!(picks(&mut b, &p, 3), "cab");
    }

    #[test]
    fn haproxy_follows_slow_start_weights() {
        let mut p = pool(&[4, 4]);
        p[0].active = 2;
        p[1].active = 1;
        p[1].ramp = 0.25; // effective weight 1: 1 active per weight vs 0.5
        assert_eq!(picks(&mut HaproxyLeastConn::default(), &p, 1), "a");
    }
}
