//! The balancer's side of the servers: the view its algorithm picks from (one [`Candidate`] per
//! server, in configuration order), which servers are backups, and the slow-start ramps of the
//! servers that just came back.
//!
//! A pick offers the algorithm the servers it may choose for this request. Usually that is the
//! whole pool as it stands. A retry must avoid the servers its request already tried, backups are
//! offered only when no primary can be picked (nginx `backup`), and below Envoy's panic threshold
//! every server is offered, healthy or not. Those narrower offers are made by masking the pool in
//! place (turning `available` off, or on in a panic) for the one pick and restoring it after,
//! so the algorithm sees exactly the view it would from a copy, without the copy.
//!
//! With several balancers ([`front`](super::front)) each counts only the requests it routed
//! itself, or all read the servers' reported load ([`Counts`]).

mod counts;

pub use counts::Counts;

use super::balancer::{Balancer, Candidate, PickContext, RequestKey};
use super::rng::SimRng;
use super::slow_start::SlowStart;
use super::time::SimTime;

/// The balancer's view of every server.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    candidates: Vec<Candidate>,
    /// Per server, whether it is a backup.
    backup: Vec<bool>,
    /// How many servers are backups (so a pick need not look).
    backups: usize,
    /// Per server, when it came back, while its slow start lasts.
    ramping_since: Vec<Option<SimTime>>,
    /// How many entries of `ramping_since` are set (so picks skip the scan when none is).
    ramping: usize,
    /// Availability flags a pick changed, with their real values, to put back after it.
    masked: Vec<(usize, bool)>,
    /// Whose requests the candidates' `active` counts.
    counts: Counts,
    /// Changes whenever anything in the candidates but their `active` counts does (see
    /// [`PickContext::pool_version`]).
    version: u64,
}

/// Which servers one pick may offer beyond the pool as it stands.
#[derive(Clone, Copy, Debug)]
pub struct Offer<'a> {
    /// Servers the request already tried (never offered again).
    pub tried: &'a [u32],
    /// Below the panic threshold: offer unavailable servers too.
    pub panic: bool,
    /// Offer only the servers from the first index to before the second (a region's balancer
    /// sends to its region's).
    pub within: Option<(usize, usize)>,
}

impl Pool {
    /// Adds a live, idle server at the end of the pool.
    pub fn push(&mut self, weight: u32, backup: bool) {
        self.version += 1;
        self.candidates
            .push(Candidate::new(self.candidates.len() as u32, weight));
        self.backup.push(backup);
        self.backups += usize::from(backup);
        self.ramping_since.push(None);
        self.counts.push();
    }

    /// Gives each of `balancers` balancers its own counts of active requests (none yet).
    pub fn separate_views(&mut self, balancers: usize) {
        self.counts = Counts::Own {
            parked: vec![vec![0; self.candidates.len()]; balancers],
            viewing: 0,
        };
    }

    /// Makes every balancer pick by the servers' reported load (none reported yet).
    pub fn read_reports(&mut self) {
        self.counts = Counts::Reported {
            outstanding: vec![0; self.candidates.len()],
        };
    }

    /// The servers report their load: what the balancers see until the next report.
    pub fn report(&mut self, loads: impl Iterator<Item = u32>) {
        for (c, load) in self.candidates.iter_mut().zip(loads) {
            c.active = load;
        }
    }

    /// Puts balancer `b`'s counts in the candidates, for it to pick from.
    #[inline]
    pub fn view(&mut self, b: u8) {
        self.counts.view(&mut self.candidates, b);
    }

    /// The balancer whose counts the candidates hold.
    pub fn viewing(&self) -> u8 {
        self.counts.viewing()
    }

    /// Whether no balancer has a request out at `server`.
    pub fn idle(&self, server: usize) -> bool {
        self.counts.idle(&self.candidates, server)
    }

    /// Makes `server`'s place that of a new primary server with `weight`, with no ramp (its slot
    /// is reused; nothing may be on its way to it).
    pub fn reset(&mut self, server: usize, weight: u32) {
        debug_assert!(self.idle(server));
        self.version += 1;
        self.candidates[server] = Candidate::new(server as u32, weight);
        self.counts.reset(server);
        self.set_backup(server, false);
        if self.ramping_since[server].take().is_some() {
            self.ramping -= 1;
        }
    }

    /// The view the algorithm picks from.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The view balancer `b` picks from: the candidates, with its own counts of active
    /// requests when each balancer counts its own (a copy only for a balancer not picking now).
    pub fn seen_by(&self, b: u8) -> std::borrow::Cow<'_, [Candidate]> {
        match self.counts.parked(b) {
            None => std::borrow::Cow::Borrowed(&self.candidates),
            Some(own) => std::borrow::Cow::Owned(
                self.candidates
                    .iter()
                    .zip(own)
                    .map(|(c, &active)| Candidate { active, ..*c })
                    .collect(),
            ),
        }
    }

    /// How many of the servers `servers` are in rotation (eligible for a pick).
    pub fn in_rotation(&self, servers: std::ops::Range<usize>) -> u32 {
        self.candidates[servers]
            .iter()
            .filter(|c| c.eligible())
            .count() as u32
    }

    /// Changes a server's weight.
    pub fn set_weight(&mut self, server: usize, weight: u32) {
        self.version += 1;
        self.candidates[server].weight = weight;
    }

    /// Makes a server a backup or a primary.
    pub fn set_backup(&mut self, server: usize, backup: bool) {
        if self.backup[server] != backup {
            self.backup[server] = backup;
            self.backups = self.backup.iter().filter(|&&b| b).count();
        }
    }

    /// Offers a server or stops offering it.
    pub fn set_available(&mut self, server: usize, available: bool) {
        self.version += 1;
        self.candidates[server].available = available;
    }

    /// Balancer `b` sent a try to `server`.
    #[inline]
    pub fn dispatched(&mut self, server: usize, b: u8) {
        match self.counts {
            Counts::Single => self.candidates[server].active += 1,
            _ => self.counts.add(&mut self.candidates, server, b, 1),
        }
    }

    /// A try balancer `b` sent to `server` is over for it.
    #[inline]
    pub fn returned(&mut self, server: usize, b: u8) {
        match self.counts {
            Counts::Single => self.candidates[server].active -= 1,
            _ => self.counts.add(&mut self.candidates, server, b, -1),
        }
    }

    /// `server` came back at `now`: its slow start begins.
    pub fn start_ramp(&mut self, server: usize, now: SimTime) {
        if self.ramping_since[server].replace(now).is_none() {
            self.ramping += 1;
        }
    }

    /// Brings the slow-start factors of recently revived servers up to date.
    #[inline]
    pub fn update_ramps(&mut self, slow_start: &SlowStart, now: SimTime) {
        if self.ramping == 0 {
            return;
        }
        self.version += 1;
        for (server, since) in self.ramping_since.iter_mut().enumerate() {
            let Some(at) = *since else { continue };
            let factor = slow_start.factor(now - at);
            self.candidates[server].ramp = factor;
            if factor >= 1.0 {
                *since = None;
                self.ramping -= 1;
            }
        }
    }

    /// Asks `balancer` for a server for `key` among those `offer` allows: the primaries first,
    /// then, if none can be picked, the backups.
    pub fn pick(
        &mut self,
        balancer: &mut dyn Balancer,
        rng: &mut SimRng,
        key: RequestKey,
        now: SimTime,
        offer: Offer<'_>,
    ) -> Option<usize> {
        if !offer.panic && self.backups == 0 && offer.tried.is_empty() && offer.within.is_none() {
            let ctx = PickContext {
                pool: &self.candidates,
                key,
                now,
                pool_version: Some(self.version),
            };
            return balancer.pick(&ctx, rng);
        }
        let phases: &[bool] = if self.backups > 0 {
            &[false, true]
        } else {
            &[false]
        };
        for &backups in phases {
            self.mask(offer, backups);
            let ctx = PickContext {
                pool: &self.candidates,
                key,
                now,
                pool_version: Some(self.version),
            };
            let picked = balancer.pick(&ctx, rng);
            self.unmask();
            if picked.is_some() {
                return picked;
            }
        }
        None
    }

    /// Narrows (or, in a panic, widens) the pool to what `offer` allows among the backups (or
    /// the primaries), remembering what it changed.
    fn mask(&mut self, offer: Offer<'_>, backups: bool) {
        self.version += 1;
        let Pool {
            candidates,
            backup,
            masked,
            ..
        } = self;
        if !offer.panic && self.backups == 0 && offer.within.is_none() {
            // Only the tried servers change: no need to look at the others.
            for &server in offer.tried {
                let c = &mut candidates[server as usize];
                masked.push((server as usize, c.available));
                c.available = false;
            }
            return;
        }
        for (server, c) in candidates.iter_mut().enumerate() {
            let offered = (c.available || offer.panic)
                && backup[server] == backups
                && !offer.tried.contains(&(server as u32))
                && offer
                    .within
                    .is_none_or(|(from, to)| (from..to).contains(&server));
            if offered != c.available {
                masked.push((server, c.available));
                c.available = offered;
            }
        }
    }

    /// Puts back what [`Pool::mask`] changed (newest first, so each flag gets its real value).
    fn unmask(&mut self) {
        self.version += 1;
        while let Some((server, available)) = self.masked.pop() {
            self.candidates[server].available = available;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::Algorithm;
    use crate::sim::time::SimDuration;

    /// A balancer that keeps what it derives from the pool while the pool's version stays the
    /// same picks exactly as a twin that derives everything afresh on every pick, whatever
    /// changes the pool goes through between picks (each mutator must change the version).
    #[test]
    fn a_pick_by_the_pools_version_matches_one_derived_afresh() {
        let slow_start = SlowStart::Linear {
            period: SimDuration::from_millis(200),
        };
        // Equal weights (drained or 1; Envoy draws two) and mixed ones (Envoy's schedule).
        for (algorithm, equal) in Algorithm::ALL
            .into_iter()
            .flat_map(|a| [(a, true), (a, false)])
        {
            let weight = |draw: u32| if equal { draw % 2 } else { draw % 4 };
            let mut pool = Pool::default();
            for i in 0..12 {
                pool.push(if equal { 1 } else { 1 + i % 3 }, false);
            }
            let (mut kept, mut afresh) = (algorithm.build(), algorithm.build());
            let (mut rng_kept, mut rng_afresh) = (SimRng::from_seed(7), SimRng::from_seed(7));
            let mut script = SimRng::from_seed(11);
            let mut now = SimTime::ZERO;
            for step in 0..3_000u32 {
                now += SimDuration::from_millis(10);
                let servers = pool.candidates().len();
                let server = script.below(servers as u32) as usize;
                // Now and then a change; a ramp only rarely, since one bumps the version on
                // every pick while it lasts.
                match script.below(100) {
                    0..5 => pool.set_available(server, !pool.candidates()[server].available),
                    5..10 => pool.set_weight(server, weight(script.below(4))),
                    10 => pool.start_ramp(server, now),
                    11 if servers < 24 => pool.push(weight(script.below(4)), false),
                    12 => {
                        if let Some(idle) = (0..servers).find(|&s| pool.idle(s)) {
                            pool.reset(idle, weight(script.below(4)));
                        }
                    }
                    _ => {}
                }
                pool.update_ramps(&slow_start, now);
                let key = crate::sim::balancer::test_support::key(step % 50, [10, 0, 0, 1]);
                let tried = [script.below(servers as u32)];
                let tried: &[u32] = if step % 3 == 0 { &tried } else { &[] };
                let offer = Offer {
                    tried,
                    panic: false,
                    within: None,
                };
                let picked = pool.pick(kept.as_mut(), &mut rng_kept, key, now, offer);
                // The same view, masked by hand, with nothing known about its history.
                let mut view = pool.candidates().to_vec();
                for &t in tried {
                    view[t as usize].available = false;
                }
                let ctx = PickContext {
                    pool: &view,
                    key,
                    now,
                    pool_version: None,
                };
                let expected = afresh.pick(&ctx, &mut rng_afresh);
                assert_eq!(
                    picked,
                    expected,
                    "{} at step {step}, equal {equal}",
                    algorithm.id()
                );
                if let Some(s) = picked {
                    pool.dispatched(s, 0);
                }
                if step % 3 == 0 {
                    let busy = (0..servers).find(|&s| pool.candidates()[s].active > 0);
                    if let Some(s) = busy {
                        pool.returned(s, 0);
                    }
                }
            }
        }
    }
}
