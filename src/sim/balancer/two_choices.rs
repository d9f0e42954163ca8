//! Power of two choices: draw two servers at random and send the request to the less loaded one.
//! Two random looks are almost as good as looking at every server (the maximum queue drops from
//! about log n / log log n to log log n), at the cost of two draws.
//!
//! - nginx `random two least_conn`: two distinct weighted-random draws (by configured weight, over
//!   all servers, skipping unavailable ones, 20 tries before falling back to round robin); the
//!   second draw is kept unless it has strictly more active requests per unit of weight.
//! - Envoy least request with equal weights: two uniform draws *with* replacement among healthy
//!   hosts; the second replaces the first only with strictly fewer active requests. With unequal
//!   weights Envoy schedules by earliest deadline with weight `w / (active + 1)^bias` (bias 1):
//!   weight 2 with 4 active requests counts as 0.4.

use super::Quantity;
use super::smooth_weighted::SmoothWeighted;
use super::{
    About, Balancer, Candidate, Decision, DerivedFor, Eligible, LastPick, PickContext, per_weight,
};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT_NGINX: About = About {
    name: "Power of two choices (nginx random two least_conn)",
    how: "Draws two different servers at random by weight and keeps the one with fewer requests in progress per unit of weight (the second on a tie).",
    when: "Many balancers without shared state, large pools: nearly as good as least connections with two looks.",
    weakness: "Random: a little worse than full least connections when one balancer sees everything.",
    cost: "O(log n) per draw: a binary search over the servers' cumulative weights, as in nginx.",
};

pub(super) const ABOUT_ENVOY: About = About {
    name: "Least request (Envoy, power of two choices)",
    how: "Equal weights: two random draws (possibly the same host), keep the one with fewer active requests. Unequal weights: earliest-deadline scheduling with weight / (active + 1).",
    when: "Service meshes and large fleets; Envoy's recommended default for HTTP.",
    weakness: "With replacement, both draws can hit the same busy host; weights are blurred by load.",
    cost: "O(1) per pick with equal weights (the healthy hosts listed when they change); O(log n) scheduling otherwise (O(n) here).",
};

/// nginx's draw limit before it falls back to round robin.
const NGINX_TRIES: u32 = 20;

/// nginx `random two least_conn`.
#[derive(Clone, Debug, Default)]
pub struct NginxRandomTwo {
    fallback: SmoothWeighted,
    /// Every server's cumulative weight, in list order (nginx's `ranges`), and the pool version
    /// they were summed for.
    ranges: Vec<u64>,
    ranges_of: DerivedFor,
    /// The latest successful pick: the pair drawn and the winner, or the fallback's choice.
    last: Option<LastPick>,
}

impl NginxRandomTwo {
    /// Sums the weights again unless the pool's version says they are unchanged.
    fn refresh(&mut self, ctx: &PickContext<'_>) {
        if self.ranges_of.still_holds(ctx) {
            return;
        }
        self.ranges.clear();
        let mut total = 0;
        for c in ctx.pool {
            total += u64::from(c.weight);
            self.ranges.push(total);
        }
    }

    /// A weighted draw over every server by configured weight, as nginx's `peek_random_peer`:
    /// a binary search for the first server whose range ends past the point drawn.
    fn peek(&self, total: u64, rng: &mut SimRng) -> usize {
        let point = rng.below_u64(total);
        self.ranges.partition_point(|&end| end <= point)
    }
}

impl Balancer for NginxRandomTwo {
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize> {
        let pool = ctx.pool;
        self.refresh(ctx);
        let total = self.ranges.last().copied().unwrap_or(0);
        if total == 0 {
            return None;
        }
        let mut first: Option<usize> = None;
        for _ in 0..=NGINX_TRIES {
            let x = self.peek(total, rng);
            if !pool[x].eligible() {
                continue;
            }
            match first {
                None => first = Some(x),
                Some(f) if f != x => {
                    let (a, b) = (&pool[f], &pool[x]);
                    let second_busier = u64::from(b.active) * u64::from(a.weight)
                        > u64::from(a.active) * u64::from(b.weight);
                    let (chosen, against) = if second_busier { (f, x) } else { (x, f) };
                    self.last = Some(LastPick {
                        against: Some(against),
                        ..LastPick::new(chosen)
                    });
                    return Some(chosen);
                }
                Some(_) => {}
            }
        }
        let chosen = self.fallback.pick_eligible(ctx);
        self.last = chosen.map(LastPick::new).or(self.last);
        chosen
    }

    /// Active requests per weight, what the drawn pair is compared by.
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        per_weight(pool, |c| f64::from(c.weight), self.last)
    }
}

/// An entry of Envoy's earliest-deadline-first schedule.
#[derive(Clone, Copy, Debug)]
struct Deadline {
    at: f64,
    order: u64,
    server: usize,
}

/// Envoy's earliest-deadline-first schedule over hosts of unequal weight: each host is due again
/// `1 / weight` after its last turn, with weight `w / (active + 1)^bias`.
#[derive(Clone, Debug)]
struct Schedule {
    bias: f64,
    /// The hosts the schedule was built for; it is rebuilt when they change.
    built_for: Vec<usize>,
    deadlines: Vec<Deadline>,
    clock: f64,
    order: u64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            bias: 1.0,
            built_for: Vec::new(),
            deadlines: Vec::new(),
            clock: 0.0,
            order: 0,
        }
    }
}

/// Whether every eligible candidate has the same effective weight: Envoy then draws two hosts,
/// otherwise it follows its schedule (what a pick keeps in [`Eligible`]; this is for a view of
/// any pool).
fn equal_weights(pool: &[Candidate]) -> bool {
    let mut weights = pool
        .iter()
        .filter(|c| c.eligible())
        .map(Candidate::effective_weight);
    let first = weights.next();
    weights.all(|w| Some(w) == first)
}

impl Schedule {
    /// The host's scheduling weight: `w / (active + 1)^bias`.
    fn weight(&self, c: &Candidate) -> f64 {
        c.effective_weight() / libm::pow(f64::from(c.active) + 1.0, self.bias)
    }

    fn add(&mut self, server: usize, weight: f64) {
        self.order += 1;
        self.deadlines.push(Deadline {
            at: self.clock + 1.0 / weight,
            order: self.order,
            server,
        });
    }

    /// The next host due among the eligible hosts `eligible`.
    fn next(&mut self, pool: &[Candidate], eligible: &[usize]) -> Option<usize> {
        if self.built_for != eligible {
            self.built_for.clear();
            self.built_for.extend_from_slice(eligible);
            self.deadlines.clear();
            self.clock = 0.0;
            for &server in eligible {
                self.add(server, self.weight(&pool[server]));
            }
        }
        let (slot, next) = self
            .deadlines
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| a.at.total_cmp(&b.at).then(a.order.cmp(&b.order)))?;
        let (slot, next) = (slot, *next);
        self.deadlines.swap_remove(slot);
        self.clock = next.at;
        self.add(next.server, self.weight(&pool[next.server]));
        Some(next.server)
    }
}

/// Envoy least request.
#[derive(Clone, Debug, Default)]
pub struct EnvoyLeastRequest {
    eligible: Eligible,
    schedule: Schedule,
    /// The latest successful pick: the two draws and the winner, or the scheduled host.
    last: Option<LastPick>,
}

impl Balancer for EnvoyLeastRequest {
    /// Two draws among the eligible hosts when their weights are equal, else the schedule.
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize> {
        self.eligible.refresh(ctx);
        let (pool, hosts) = (ctx.pool, &self.eligible.indices);
        if hosts.is_empty() {
            return None;
        }
        if !self.eligible.same_effective_weight {
            let chosen = self.schedule.next(pool, hosts);
            self.last = chosen.map(LastPick::new).or(self.last);
            return chosen;
        }
        let n = hosts.len() as u32;
        let a = hosts[rng.below(n) as usize];
        let b = hosts[rng.below(n) as usize];
        let (chosen, against) = if pool[b].active < pool[a].active {
            (b, a)
        } else {
            (a, b)
        };
        self.last = Some(LastPick {
            against: Some(against),
            ..LastPick::new(chosen)
        });
        Some(chosen)
    }

    /// With equal weights, the active requests the two draws are compared by; otherwise each
    /// host's deadline in the schedule, as virtual time ahead of the schedule's clock (the
    /// earliest goes next; none for hosts not scheduled).
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        if equal_weights(pool) {
            return Decision {
                quantity: Some(Quantity::ActiveRequests),
                values: pool.iter().map(|c| Some(f64::from(c.active))).collect(),
                next: None,
                last_pick: self.last,
            };
        }
        let mut values = vec![None; pool.len()];
        for d in &self.schedule.deadlines {
            if let Some(v) = values.get_mut(d.server) {
                *v = Some(d.at - self.schedule.clock);
            }
        }
        Decision {
            quantity: Some(Quantity::Deadline),
            values,
            next: None,
            last_pick: self.last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{counts, key, pick_one, picks, pool};

    #[test]
    fn nginx_keeps_the_less_loaded_of_two_distinct_draws() {
        let mut p = pool(&[1, 1, 1, 1]);
        p[0].active = 9;
        let c = counts(&mut NginxRandomTwo::default(), &p, 30_000, 3);
        // Every pair that includes a has a busier a, so a is never kept.
        assert_eq!(c[0], 0, "{c:?}");
        assert!(
            c[1..]
                .iter()
                .all(|&n| (n as f64 / 30_000.0 - 1.0 / 3.0).abs() < 0.015),
            "{c:?}"
        );
    }

    #[test]
    fn nginx_prefers_the_second_draw_on_ties() {
        // Two servers, both idle: the pair is always (first, other) and the second wins, so the
        // share of each is the probability that the *other* is drawn first: 1/2 with equal weights.
        let c = counts(&mut NginxRandomTwo::default(), &pool(&[3, 1]), 40_000, 4);
        // Weighted draws: a is drawn first 3/4 of the time, then b wins the tie: b gets 3/4.
        assert!((c[1] as f64 / 40_000.0 - 0.75).abs() < 0.01, "{c:?}");
    }

    #[test]
    fn nginx_with_one_live_server_falls_back_to_it() {
        let mut p = pool(&[1, 1]);
        p[1].available = false;
        assert_eq!(picks(&mut NginxRandomTwo::default(), &p, 3), "aaa");
    }

    #[test]
    fn envoy_equal_weights_draw_with_replacement_and_keep_strictly_fewer() {
        let mut p = pool(&[1, 1]);
        p[0].active = 1;
        // b wins unless both draws are a (probability 1/4).
        let c = counts(&mut EnvoyLeastRequest::default(), &p, 40_000, 5);
        assert!((c[0] as f64 / 40_000.0 - 0.25).abs() < 0.01, "{c:?}");
        // Idle: first draw wins ties, so each gets half.
        let c = counts(&mut EnvoyLeastRequest::default(), &pool(&[1, 1]), 40_000, 6);
        assert!((c[0] as f64 / 40_000.0 - 0.5).abs() < 0.01, "{c:?}");
    }

    /// `n` picks on `p`, each checked against the decision that follows it: the latest pick is
    /// the one just made, against the other server drawn. Returns the (chosen, against) pairs.
    fn drawn_pairs(b: &mut dyn Balancer, p: &[Candidate], n: usize) -> Vec<(usize, usize)> {
        let mut rng = SimRng::from_seed(7);
        (0..n)
            .map(|i| {
                let k = key(i as u32, [10, 0, 0, 1]);
                let chosen = pick_one(b, p, k, &mut rng).unwrap();
                let last = b.decision(p, SimTime::ZERO).last_pick.unwrap();
                assert_eq!((last.chosen, last.hash), (chosen, None));
                (chosen, last.against.unwrap())
            })
            .collect()
    }

    #[test]
    fn the_decision_names_the_drawn_pair_and_the_winner() {
        let mut p = pool(&[1, 1, 1, 1]);
        for (c, active) in p.iter_mut().zip([4, 1, 3, 2]) {
            c.active = active;
        }
        let mut nginx = NginxRandomTwo::default();
        for (chosen, against) in drawn_pairs(&mut nginx, &p, 200) {
            assert!(
                p[chosen].active < p[against].active,
                "{chosen} over {against}"
            );
        }
        let d = nginx.decision(&p, SimTime::ZERO);
        assert_eq!(d.quantity, Some(Quantity::ActivePerWeight));
        assert_eq!(d.values, [Some(4.0), Some(1.0), Some(3.0), Some(2.0)]);

        let mut envoy = EnvoyLeastRequest::default();
        let pairs = drawn_pairs(&mut envoy, &p, 200);
        for &(chosen, against) in &pairs {
            assert!(
                p[chosen].active <= p[against].active,
                "{chosen} over {against}"
            );
        }
        // With replacement, some picks drew the same host twice.
        assert!(pairs.iter().any(|(c, a)| c == a));
        assert!(pairs.iter().any(|(c, a)| c != a));
        let d = envoy.decision(&p, SimTime::ZERO);
        assert_eq!(d.quantity, Some(Quantity::ActiveRequests));
        assert_eq!(d.values, [Some(4.0), Some(1.0), Some(3.0), Some(2.0)]);
    }

    #[test]
    fn envoy_unequal_weights_show_the_schedules_deadlines() {
        let mut b = EnvoyLeastRequest::default();
        let p = pool(&[2, 1]);
        // Deadlines 1/w apart: a at 0.5, 1.0, 1.5, b at 1.0, 2.0; the picks a b a leave the clock
        // at 1.0 with a due at 1.5 and b at 2.0.
        assert_eq!(picks(&mut b, &p, 3), "aba");
        let d = b.decision(&p, SimTime::ZERO);
        assert_eq!(d.quantity, Some(Quantity::Deadline));
        assert_eq!(d.values, [Some(0.5), Some(1.0)]);
        assert_eq!(d.last_pick, Some(LastPick::new(0)));
    }

    #[test]
    fn envoy_unequal_weights_follow_the_earliest_deadline_schedule() {
        assert_eq!(
            picks(&mut EnvoyLeastRequest::default(), &pool(&[2, 1]), 8),
            "abaabaab"
        );
        let schedule = Schedule::default();
        let mut c = Candidate::new(0, 2);
        c.active = 4;
        assert!(
            (schedule.weight(&c) - 0.4).abs() < 1e-12,
            "weight 2 with 4 active counts as 0.4"
        );
    }
}
