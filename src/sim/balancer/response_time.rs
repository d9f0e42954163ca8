//! Latency-aware algorithms: they learn each server's response time from the answers coming back.
//!
//! - The textbook least response time keeps each server's last 10 response times and picks the
//!   lowest average; a server with no history counts as 0, so new servers are tried first.
//! - Peak EWMA (Finagle, tower, Linkerd) keeps one round-trip estimate per server. A sample above the
//!   estimate replaces it at once (the peak); otherwise `est = est * d + rtt * (1 - d)` with
//!   `d = exp(-dt / tau)`, and reading the estimate decays it towards zero the same way, so an idle
//!   server slowly looks attractive again. The cost is `est * (pending + 1)`; as in tower, two
//!   distinct servers are drawn and the cheaper one wins (the first on a tie).

use std::collections::VecDeque;

use super::Quantity;
use super::{About, Balancer, Candidate, Decision, Eligible, Feedback, LastPick, PickContext};
use crate::sim::rng::SimRng;
use crate::sim::time::{SimDuration, SimTime};

pub(super) const ABOUT_AVERAGE: About = About {
    name: "Least response time (average of last 10)",
    how: "Keeps each server's last 10 response times and sends the request to the lowest average; no history counts as 0.",
    when: "Servers whose speed differs or changes, with requests of similar cost.",
    weakness: "Herding: every request goes to the current best until its average catches up; stale averages of idle servers never update.",
    cost: "O(n) per pick; O(1) per response.",
};

pub(super) const ABOUT_EWMA: About = About {
    name: "Peak EWMA, two random choices (tower / Finagle / Linkerd)",
    how: "Tracks a latency estimate per server that jumps up at once on a slow answer and decays otherwise; cost = estimate x (pending + 1); the cheaper of two random servers wins.",
    when: "Latency-sensitive services where servers slow down unpredictably (GC pauses, noisy neighbours).",
    weakness: "Needs traffic to learn; a server that fails fast looks quick unless failures are penalised.",
    cost: "O(1) per pick (two draws and two exponentials).",
};

/// How many responses the least-response-time average covers.
const HISTORY: usize = 10;

/// The textbook least response time.
#[derive(Clone, Debug, Default)]
pub struct LeastResponseTime {
    history: Vec<VecDeque<SimDuration>>,
    /// The server the latest successful pick chose.
    last: Option<usize>,
}

impl LeastResponseTime {
    /// The average of server `i`'s recent response times in microseconds (0 with no history).
    fn average(&self, i: usize) -> f64 {
        match self.history.get(i) {
            Some(h) if !h.is_empty() => h.iter().map(|d| d.0 as f64).sum::<f64>() / h.len() as f64,
            _ => 0.0,
        }
    }
}

impl Balancer for LeastResponseTime {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        let chosen = ctx
            .pool
            .iter()
            .enumerate()
            .filter(|(_, c)| c.eligible())
            .map(|(i, _)| (i, self.average(i)))
            .fold(None, |best: Option<(usize, f64)>, (i, avg)| match best {
                Some((_, b)) if b <= avg => best,
                _ => Some((i, avg)),
            })
            .map(|(i, _)| i);
        self.last = chosen.or(self.last);
        chosen
    }

    fn observe(&mut self, server: usize, feedback: Feedback) {
        if self.history.len() <= server {
            self.history.resize_with(server + 1, VecDeque::new);
        }
        let h = &mut self.history[server];
        if h.len() == HISTORY {
            h.pop_front();
        }
        h.push_back(feedback.rtt);
    }

    /// Each server's average response time, in microseconds (0 with no history, as it counts).
    fn decision(&self, pool: &[Candidate], _now: SimTime) -> Decision {
        Decision {
            quantity: Some(Quantity::MeanResponseTime),
            values: (0..pool.len()).map(|i| Some(self.average(i))).collect(),
            next: None,
            last_pick: self.last.map(LastPick::new),
        }
    }
}

/// One server's peak-EWMA round-trip estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Estimate {
    rtt_us: f64,
    updated: SimTime,
}

impl Estimate {
    /// Folds in a sample of `rtt_us` at `now`, decaying by the time since the last update.
    fn update(&mut self, rtt_us: f64, now: SimTime, tau_us: f64) -> f64 {
        if self.rtt_us < rtt_us {
            self.rtt_us = rtt_us;
        } else {
            let decay = self.decay_since(now, tau_us);
            self.rtt_us = self.rtt_us * decay + rtt_us * (1.0 - decay);
        }
        self.updated = now;
        self.rtt_us
    }

    /// The decay factor `exp(-dt / tau)` for the time since the last update.
    fn decay_since(&self, now: SimTime, tau_us: f64) -> f64 {
        let elapsed = now.saturating_since(self.updated).0 as f64;
        libm::exp(-elapsed / tau_us)
    }

    /// The estimate decayed to `now` (an update with a zero sample, as tower's `load()` does).
    fn decay(&mut self, now: SimTime, tau_us: f64) -> f64 {
        self.update(0.0, now, tau_us)
    }
}

/// A server's cost from its round-trip estimate and its requests in progress.
fn load(rtt_us: f64, pending: u32) -> f64 {
    rtt_us * (f64::from(pending) + 1.0)
}

/// Peak EWMA with two random choices.
#[derive(Clone, Debug)]
pub struct PeakEwma {
    default_rtt_us: f64,
    tau_us: f64,
    estimates: Vec<Option<Estimate>>,
    eligible: Eligible,
    /// The latest successful pick: the pair drawn and the cheaper, or the only eligible server.
    last: Option<LastPick>,
}

impl Default for PeakEwma {
    /// tower's example settings: a 20 ms default estimate and a 1 s decay time.
    fn default() -> Self {
        PeakEwma::new(SimDuration::from_millis(20), SimDuration::from_secs(1))
    }
}

impl PeakEwma {
    /// Estimates start at `default_rtt` and decay with time constant `tau`.
    pub fn new(default_rtt: SimDuration, tau: SimDuration) -> PeakEwma {
        PeakEwma {
            default_rtt_us: default_rtt.0 as f64,
            tau_us: tau.0 as f64,
            estimates: Vec::new(),
            eligible: Eligible::default(),
            last: None,
        }
    }

    fn estimate(&mut self, server: usize, now: SimTime) -> &mut Estimate {
        if self.estimates.len() <= server {
            self.estimates.resize(server + 1, None);
        }
        let default = self.default_rtt_us;
        self.estimates[server].get_or_insert(Estimate {
            rtt_us: default,
            updated: now,
        })
    }

    /// tower's `load()`: the decayed estimate times (pending + 1), in microseconds.
    fn cost(&mut self, server: usize, pending: u32, now: SimTime) -> f64 {
        let tau = self.tau_us;
        load(self.estimate(server, now).decay(now, tau), pending)
    }
}

impl Balancer for PeakEwma {
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize> {
        self.eligible.refresh(ctx);
        let n = self.eligible.indices.len() as u32;
        if n <= 1 {
            let only = self.eligible.indices.first().copied();
            self.last = only.map(LastPick::new).or(self.last);
            return only;
        }
        // Two distinct indices.
        let i = rng.below(n);
        let mut j = rng.below(n - 1);
        if j >= i {
            j += 1;
        }
        let hosts = &self.eligible.indices;
        let (a, b) = (hosts[i as usize], hosts[j as usize]);
        let cost_a = self.cost(a, ctx.pool[a].active, ctx.now);
        let cost_b = self.cost(b, ctx.pool[b].active, ctx.now);
        let (chosen, against) = if cost_a <= cost_b { (a, b) } else { (b, a) };
        self.last = Some(LastPick {
            against: Some(against),
            ..LastPick::new(chosen)
        });
        Some(chosen)
    }

    fn observe(&mut self, server: usize, feedback: Feedback) {
        let tau = self.tau_us;
        self.estimate(server, feedback.now)
            .update(feedback.rtt.0 as f64, feedback.now, tau);
    }

    /// Each server's cost as a pick at `now` would read it: the estimate decayed to `now` times
    /// (pending + 1), in microseconds (a server not yet seen starts from the default estimate).
    /// Reading does not store the decay, which a pick would; the value is the same.
    fn decision(&self, pool: &[Candidate], now: SimTime) -> Decision {
        let values = pool.iter().enumerate().map(|(i, c)| {
            let rtt_us = match self.estimates.get(i).copied().flatten() {
                Some(e) => e.rtt_us * e.decay_since(now, self.tau_us),
                None => self.default_rtt_us,
            };
            Some(load(rtt_us, c.active))
        });
        Decision {
            quantity: Some(Quantity::Cost),
            values: values.collect(),
            next: None,
            last_pick: self.last,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{picks, pool};

    fn ms(v: u64) -> SimTime {
        SimTime(v * 1_000)
    }

    fn answer(rtt_ms: u64, at: SimTime) -> Feedback {
        Feedback {
            ok: true,
            rtt: SimDuration::from_millis(rtt_ms),
            now: at,
        }
    }

    #[test]
    fn peak_ewma_follows_towers_compound_decay_example() {
        let mut b = PeakEwma::default();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.max(1.0);
        assert_eq!(b.cost(0, 0, ms(0)), 20_000.0);
        // t=100 ms: one request pending; t=200 ms: two.
        assert!(b.cost(0, 1, ms(100)) > 20_000.0);
        assert!(b.cost(0, 2, ms(200)) > 40_000.0);
        // t=300 ms: the first answer took 200 ms: a peak, so the estimate jumps to it.
        b.observe(0, answer(200, ms(300)));
        assert!(close(b.cost(0, 1, ms(300)), 400_000.0));
        // t=400 ms: the second answer also took 200 ms: the estimate stays at 200 ms.
        b.observe(0, answer(200, ms(400)));
        assert!(close(b.cost(0, 0, ms(400)), 200_000.0));
        // Idle, it decays: below 100 ms after a second, below 0.1 ms after ten more.
        assert!(b.cost(0, 0, ms(1_400)) < 100_000.0);
        assert!(b.cost(0, 0, ms(11_400)) < 100.0);
    }

    #[test]
    fn peak_ewma_decision_shows_the_costs_a_pick_compares() {
        let mut b = PeakEwma::default();
        let mut p = pool(&[1, 1]);
        // tower's example on server a; b is never seen, so it costs the default 20 ms.
        p[0].active = 1;
        assert_eq!(
            b.decision(&p, ms(0)).values,
            [Some(40_000.0), Some(20_000.0)]
        );
        b.cost(0, 1, ms(100));
        b.cost(0, 2, ms(200));
        b.observe(0, answer(200, ms(300)));
        // 200 ms with one request still pending: 400 ms.
        let d = b.decision(&p, ms(300));
        assert_eq!(d.quantity, Some(Quantity::Cost));
        assert_eq!(d.values[0], Some(400_000.0));
        b.observe(0, answer(200, ms(400)));
        p[0].active = 0;
        // Then 200 ms, decaying while idle: always exactly what a pick would read.
        assert!((b.decision(&p, ms(400)).values[0].unwrap() - 200_000.0).abs() < 1e-6);
        for t in [ms(400), ms(1_400), ms(11_400)] {
            let shown = b.decision(&p, t).values[0].unwrap();
            assert_eq!(shown, b.cost(0, 0, t), "at {t:?}");
        }
        // The latest pick names both servers drawn: the slow one loses.
        b.observe(1, answer(5_000, ms(11_400)));
        assert_eq!(picks(&mut b, &p, 1), "a");
        let last = b.decision(&p, ms(11_400)).last_pick;
        assert_eq!(
            last,
            Some(LastPick {
                against: Some(1),
                ..LastPick::new(0)
            })
        );
    }

    #[test]
    fn peak_ewma_avoids_a_slow_server() {
        let mut b = PeakEwma::default();
        let p = pool(&[1, 1, 1]);
        b.observe(1, answer(5_000, ms(0)));
        let seq = picks(&mut b, &p, 30);
        assert_eq!(seq.matches('b').count(), 0, "{seq}");
    }

    #[test]
    fn least_response_time_averages_the_last_ten() {
        let mut b = LeastResponseTime::default();
        let p = pool(&[1, 1, 1]);
        // No history counts as 0: first the servers without any, in order.
        assert_eq!(picks(&mut b, &p, 1), "a");
        b.observe(0, answer(30, ms(0)));
        assert_eq!(picks(&mut b, &p, 1), "b");
        b.observe(1, answer(20, ms(0)));
        b.observe(2, answer(50, ms(0)));
        assert_eq!(picks(&mut b, &p, 2), "bb");
        // Eleven fast answers for c push its old slow one out of the window.
        for _ in 0..HISTORY {
            b.observe(2, answer(10, ms(1)));
        }
        assert_eq!(picks(&mut b, &p, 1), "c");
        assert_eq!(b.average(2), 10_000.0);
        let d = b.decision(&p, ms(1));
        assert_eq!(d.values, [Some(30_000.0), Some(20_000.0), Some(10_000.0)]);
        assert_eq!(d.last_pick, Some(LastPick::new(2)));
    }
}
