//! Hierarchical balancing: global, regional, local.
//!
//! With a [`LocalTier`], each region has local balancers under its regional ones, each in front
//! of a cluster of the region's servers (a zone, a rack, a cell). A request goes through three
//! decisions: the global DNS sends its client to a region (the [`regions`](super::regions)),
//! a regional balancer sends it to one of the region's local balancers, and that local balancer
//! picks a server of its cluster with the scenario's algorithm and its own view of load.
//!
//! Each tier sees the tier below only in aggregate. A regional balancer weighs each local
//! balancer by how many of its cluster's servers are in rotation (nginx's smooth weighted round
//! robin over the local balancers, with those counts as weights), so a cluster that loses a
//! server loses its share of the traffic, and one whose local balancer is down gets none: a
//! failure is absorbed by the lowest tier that still has capacity. The regional balancers see a
//! local balancer's crash at once (a simplification: a real one would notice within its health
//! check's interval); a local balancer retries a request within its own cluster only.
//!
//! Balancers are numbered regional ones first (`lb-1`, `lb-2`, ... as without a local tier),
//! then the local ones, region by region.

use std::ops::Range;

use crate::sim::balancer::{Balancer, Candidate, PickContext, RequestKey, SmoothWeighted};
use crate::sim::rng::SimRng;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// The most local balancers a region may have.
pub const MAX_LOCAL: u8 = 8;

/// Local balancers under each region's balancers (`front.local`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalTier {
    /// Local balancers in each region, 2 to [`MAX_LOCAL`]: each in front of a contiguous share
    /// of the region's servers, its cluster (as even as they divide; the first clusters take
    /// one more).
    pub per_region: u8,
    /// The one-way network delay between a regional balancer and a local one, on top of the
    /// delay to the servers.
    #[serde(default, skip_serializing_if = "SimDuration::is_zero")]
    pub hop: SimDuration,
}

impl LocalTier {
    /// Checks the settings for regions with `servers` servers each; the error names the field.
    pub fn validate(&self, field: &str, servers: &[u32]) -> Result<(), ValidationError> {
        let per = format!("{field}.per_region");
        check_range(&per, f64::from(self.per_region), 2.0, f64::from(MAX_LOCAL))?;
        if let Some((r, &n)) = servers
            .iter()
            .enumerate()
            .find(|&(_, &n)| n < u32::from(self.per_region))
        {
            return Err(ValidationError::new(
                per,
                format!(
                    "region {} has {n} servers, fewer than {} clusters: give each local \
                     balancer at least one",
                    r + 1,
                    self.per_region
                ),
            ));
        }
        check_duration(
            &format!("{field}.hop"),
            self.hop,
            SimDuration::ZERO,
            crate::sim::scenario::MAX_LATENCY,
        )
    }
}

/// Which tier a balancer is in, in hierarchical balancing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A region's balancer, reached through the global DNS.
    Regional,
    /// A local balancer in front of a cluster.
    Local,
}

/// The local tier as a run has it: where each local balancer is, and each regional balancer's
/// round robin over its region's local balancers.
#[derive(Clone, Debug)]
pub struct Tier {
    per_region: u8,
    /// The delay between a regional and a local balancer.
    hop: SimDuration,
    /// The number of the first local balancer (there are this many regional ones).
    first_local: u8,
    /// Regional balancers in each region.
    regional_per_region: u8,
    /// One smooth weighted round robin per regional balancer.
    pickers: Vec<SmoothWeighted>,
    /// The local balancers as a picker's candidates, refreshed before each pick.
    pool: Vec<Candidate>,
}

impl Tier {
    /// The tier of `config` under `regions` regions of `regional_per_region` balancers each.
    pub fn new(config: LocalTier, regions: usize, regional_per_region: u8) -> Tier {
        let regional = regions * usize::from(regional_per_region);
        Tier {
            per_region: config.per_region,
            hop: config.hop,
            first_local: regional as u8,
            regional_per_region,
            pickers: vec![SmoothWeighted::default(); regional],
            pool: (0..config.per_region)
                .map(|k| Candidate::new(u32::from(k), 1))
                .collect(),
        }
    }

    /// How many local balancers there are in `regions` regions.
    pub fn count(config: &LocalTier, regions: usize) -> usize {
        usize::from(config.per_region) * regions
    }

    /// The one-way delay between a regional and a local balancer.
    pub fn hop(&self) -> SimDuration {
        self.hop
    }

    /// Whether balancer `b` is a local one.
    pub fn is_local(&self, b: u8) -> bool {
        b >= self.first_local
    }

    /// The tier balancer `b` is in.
    pub fn level(&self, b: u8) -> Level {
        if self.is_local(b) {
            Level::Local
        } else {
            Level::Regional
        }
    }

    /// The region balancer `b` is in, local or regional.
    pub fn region_of(&self, b: u8) -> usize {
        if self.is_local(b) {
            usize::from((b - self.first_local) / self.per_region)
        } else {
            usize::from(b / self.regional_per_region)
        }
    }

    /// The local balancers of region `r`.
    pub fn locals(&self, r: usize) -> Range<u8> {
        let first = self.first_local + r as u8 * self.per_region;
        first..first + self.per_region
    }

    /// The cluster of local balancer `b`, given its region's servers `region`.
    pub fn cluster(&self, b: u8, region: Range<usize>) -> Range<usize> {
        let k = (b - self.first_local) % self.per_region;
        split(region, k, self.per_region)
    }

    /// Regional balancer `regional` picks one of its region's local balancers for the request
    /// `key`, given the region's servers `region`: each local balancer weighs what `weight`
    /// says of it and its cluster (its servers in rotation; 0 when it is down or has none).
    /// `None` when every weight is 0.
    pub fn pick(
        &mut self,
        regional: u8,
        region: Range<usize>,
        key: RequestKey,
        now: SimTime,
        rng: &mut SimRng,
        weight: impl Fn(u8, Range<usize>) -> u32,
    ) -> Option<u8> {
        let locals = self.locals(self.region_of(regional));
        for ((k, candidate), b) in (0..).zip(self.pool.iter_mut()).zip(locals.clone()) {
            candidate.weight = weight(b, split(region.clone(), k, self.per_region));
            candidate.available = candidate.weight > 0;
        }
        // The weights were just set again: nothing may be kept from the last pick.
        let ctx = PickContext {
            pool: &self.pool,
            key,
            now,
            pool_version: None,
        };
        let k = self.pickers[usize::from(regional)].pick(&ctx, rng)?;
        Some(locals.start + k as u8)
    }
}

/// The `k`-th of `n` contiguous clusters of the servers `region`, as even as they divide (the
/// first ones take one more).
fn split(region: Range<usize>, k: u8, n: u8) -> Range<usize> {
    let (k, n) = (usize::from(k), usize::from(n));
    let (size, extra) = (region.len() / n, region.len() % n);
    let start = region.start + k * size + k.min(extra);
    start..start + size + usize::from(k < extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RequestKey {
        RequestKey {
            client: 0,
            ip: std::net::Ipv4Addr::LOCALHOST.into(),
            session: 0,
            path: 0,
            path_hash: 0,
        }
    }

    fn tier() -> Tier {
        let config = LocalTier {
            per_region: 3,
            hop: SimDuration::ZERO,
        };
        Tier::new(config, 2, 1)
    }

    #[test]
    fn balancers_are_numbered_regional_first_and_clusters_split_in_order() {
        let t = tier();
        assert_eq!((t.is_local(1), t.is_local(2)), (false, true));
        assert_eq!(t.locals(1), 5..8);
        assert_eq!(
            [0, 1, 2, 4, 7].map(|b| t.region_of(b)),
            [0, 1, 0, 0, 1],
            "regional 0, 1; local 2, 4 in the first region, 7 in the second"
        );
        // Seven servers in three clusters: 3, 2, 2.
        let clusters: Vec<Range<usize>> = (2..5).map(|b| t.cluster(b, 0..7)).collect();
        assert_eq!(clusters, [0..3, 3..5, 5..7]);
        assert_eq!(t.cluster(6, 7..13), 9..11);
    }

    #[test]
    fn a_regional_balancer_weighs_each_cluster_by_its_servers_in_rotation() {
        let mut t = tier();
        let mut rng = SimRng::new(1, crate::sim::rng::Stream::Balancer);
        let mut picks = |t: &mut Tier, weights: [u32; 3], n: usize| -> [usize; 3] {
            let mut counts = [0; 3];
            for _ in 0..n {
                let b = t
                    .pick(0, 0..7, key(), SimTime::ZERO, &mut rng, |b, _| {
                        weights[usize::from(b - 2)]
                    })
                    .unwrap();
                counts[usize::from(b - 2)] += 1;
            }
            counts
        };
        // Smooth WRR over weights 3, 2, 2: exactly in proportion over a cycle of 7.
        assert_eq!(picks(&mut t, [3, 2, 2], 70), [30, 20, 20]);
        // The first cluster's local balancer is down: the others share evenly.
        assert_eq!(picks(&mut t, [0, 2, 2], 10), [0, 5, 5]);
        let mut none = tier();
        assert_eq!(
            none.pick(0, 0..7, key(), SimTime::ZERO, &mut rng, |_, _| 0),
            None
        );
    }

    #[test]
    fn bad_tiers_are_named() {
        let ok = LocalTier {
            per_region: 2,
            hop: SimDuration::from_millis(1),
        };
        assert!(ok.validate("front.local", &[2, 3]).is_ok());
        let err = ok.validate("front.local", &[2, 1]).unwrap_err();
        assert_eq!(err.field, "front.local.per_region");
        assert!(
            err.problem.contains("region 2 has 1 servers"),
            "{}",
            err.problem
        );
        let one = LocalTier {
            per_region: 1,
            ..ok
        };
        assert!(one.validate("front.local", &[2, 2]).is_err());
    }
}
