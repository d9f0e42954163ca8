//! Consistent hashing on a ketama ring (nginx `hash $key consistent`, pingora `Consistent`).
//!
//! Each server puts `160 x weight` points on a ring of 32-bit hashes; a request goes to the server
//! of the first point clockwise from its key's hash. When a server leaves, only the keys on its
//! arcs move (about 1/N of them), where modulo hashing (`hash % N`) moves most keys. An unavailable
//! server keeps its points and its keys walk on to the next points (20 tries, then round robin, as
//! nginx); draining (weight 0) or reweighting rebuilds the ring. The ring's hash function is this
//! project's own (SplitMix64), so the structure matches ketama but not nginx's exact point values.

use super::smooth_weighted::SmoothWeighted;
use super::{About, Balancer, Candidate, Decision, LastPick, PickContext, RequestKey};
use std::net::IpAddr;

use crate::sim::hash::{fnv1a, splitmix64};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT_IP: About = About {
    name: "Consistent hashing on client IP (ketama)",
    how: "Each server owns arcs of a hash ring (160 points per unit of weight); the client address hashes to a point and goes to the next server clockwise.",
    when: "Caches and sharded state: when a server leaves, only its own keys move (about 1/N).",
    weakness: "Clients behind one NAT share an address and a server; a popular key overloads its server.",
    cost: "O(log points) per pick (a binary search); the ring is rebuilt when weights change.",
};

pub(super) const ABOUT_SESSION: About = About {
    name: "Consistent hashing on session id (ketama)",
    how: "Like the IP variant, keyed by the session cookie: every session has its own place on the ring.",
    when: "Session affinity that survives servers joining and leaving with minimal reshuffling.",
    weakness: "Sessions on a server that leaves lose their affinity; load follows the key distribution.",
    cost: "O(log points) per pick.",
};

pub(super) const ABOUT_URI: About = About {
    name: "Consistent hashing on request path (nginx hash $request_uri consistent, HAProxy balance uri)",
    how: "Like the IP variant, keyed by the request path (/api, /static, ...): every request for one path goes to the same server, whoever sends it.",
    when: "Caching proxies and per-resource caches: each server keeps only its own paths warm, and a server leaving moves only its paths.",
    weakness: "A popular or expensive path loads one server alone (a few paths spread unevenly); nothing follows the client's session.",
    cost: "O(log points) per pick; the path's hash is computed once per run, not per request.",
};

/// Ring points per unit of weight (ketama's 160).
pub const POINTS_PER_WEIGHT: u32 = 160;
/// The most points a ring holds; larger configurations are scaled down proportionally.
const MAX_POINTS: u64 = 1 << 20;
/// Points tried clockwise before falling back to round robin (as nginx).
pub(super) const TRIES: usize = 20;

/// What a request is hashed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashKey {
    /// The client's full IP address.
    ClientIp,
    /// The client's session id.
    Session,
    /// The request path (nginx `hash $request_uri consistent`, HAProxy `balance uri`): all
    /// requests for one path land on one server, which keeps that path's cache warm.
    Uri,
}

impl HashKey {
    /// The 32-bit ring position of a request.
    pub fn hash(self, key: &RequestKey) -> u32 {
        let raw = match self {
            HashKey::ClientIp => match key.ip {
                IpAddr::V4(a) => u64::from(u32::from(a)),
                IpAddr::V6(a) => fnv1a(&a.octets()),
            },
            HashKey::Session => key.session,
            HashKey::Uri => key.path_hash,
        };
        (splitmix64(raw) >> 32) as u32
    }
}

/// A ketama ring: sorted (hash, server index) points. It depends only on the servers' ids and
/// weights, so availability changes never rebuild it: an unavailable server's points are
/// skipped at lookup.
#[derive(Clone, Debug, Default)]
pub(super) struct Ring {
    pub(super) points: Vec<(u32, u32)>,
    /// The (id, weight) pairs it was built for.
    built_for: Vec<(u32, u32)>,
}

impl Ring {
    /// Rebuilds the ring if `pool`'s ids or weights are not the ones it was built for.
    pub(super) fn sync(&mut self, pool: &[Candidate]) {
        if self.is_for(pool) {
            return;
        }
        self.built_for = pool.iter().map(|c| (c.id, c.weight)).collect();
        let total: u64 = pool
            .iter()
            .map(|c| u64::from(c.weight) * u64::from(POINTS_PER_WEIGHT))
            .sum();
        let scale = if total > MAX_POINTS {
            MAX_POINTS as f64 / total as f64
        } else {
            1.0
        };
        self.points.clear();
        for (index, c) in pool.iter().enumerate() {
            let n = (f64::from(c.weight * POINTS_PER_WEIGHT) * scale).round() as u64;
            let n = if c.weight > 0 { n.max(1) } else { 0 };
            self.points.extend((0..n).map(|p| {
                (
                    (splitmix64((u64::from(c.id) << 32) | p) >> 32) as u32,
                    index as u32,
                )
            }));
        }
        self.points.sort_unstable();
        #[cfg(test)]
        work::counted(&work::POINTS, self.points.len());
    }

    /// Whether the ring was built for `pool`'s ids and weights.
    fn is_for(&self, pool: &[Candidate]) -> bool {
        pool.iter()
            .map(|c| (c.id, c.weight))
            .eq(self.built_for.iter().copied())
    }

    /// The servers of the [`TRIES`] points clockwise from `hash` (all points on a smaller ring),
    /// nearest first: the servers a key at `hash` may go to, in the order it tries them.
    pub(super) fn window(&self, hash: u32) -> impl Iterator<Item = usize> + '_ {
        #[cfg(test)]
        work::counted(&work::LOOKUPS, 1);
        let start = self.points.partition_point(|&(h, _)| h < hash);
        (0..TRIES.min(self.points.len()))
            .map(move |i| self.points[(start + i) % self.points.len()].1 as usize)
    }

    /// The first eligible server clockwise from `hash`, within [`TRIES`] points.
    pub(super) fn owner(&self, pool: &[Candidate], hash: u32) -> Option<usize> {
        self.window(hash).find(|&s| pool[s].eligible())
    }
}

/// Each server's first ring point clockwise from `hash` (at or after it, wrapping past the top),
/// in pool order; `None` for a server with no points (drained). The nearest of them owns the key
/// when its server is eligible: what a student reads off the ring to find the server, on the
/// same ring [`ConsistentHash`] builds.
pub fn next_points(pool: &[Candidate], hash: u32) -> Vec<Option<u32>> {
    let mut ring = Ring::default();
    ring.sync(pool);
    let mut next = vec![None; pool.len()];
    let start = ring.points.partition_point(|&(h, _)| h < hash);
    let (before, after) = ring.points.split_at(start);
    for &(point, server) in after.iter().chain(before) {
        next[server as usize].get_or_insert(point);
    }
    next
}

/// The ring work done on this thread, for tests that check what a change costs.
#[cfg(test)]
pub(crate) mod work {
    use std::cell::Cell;
    use std::thread::LocalKey;

    thread_local! {
        /// Points placed on rings built.
        pub static POINTS: Cell<u64> = const { Cell::new(0) };
        /// Keys looked up on a ring (binary searches).
        pub static LOOKUPS: Cell<u64> = const { Cell::new(0) };
    }

    pub(super) fn counted(counter: &'static LocalKey<Cell<u64>>, n: usize) {
        counter.with(|c| c.set(c.get() + n as u64));
    }

    /// The (points built, lookups) counted since the last call.
    pub fn take() -> (u64, u64) {
        (POINTS.with(|c| c.take()), LOOKUPS.with(|c| c.take()))
    }
}

/// Consistent hashing on a ketama ring.
#[derive(Clone, Debug)]
pub struct ConsistentHash {
    key: HashKey,
    ring: Ring,
    fallback: SmoothWeighted,
    /// The latest successful pick, with the key's hash unless the fallback chose.
    last: Option<LastPick>,
}

impl ConsistentHash {
    /// A ring keyed by `key`.
    pub fn new(key: HashKey) -> ConsistentHash {
        ConsistentHash {
            key,
            ring: Ring::default(),
            fallback: SmoothWeighted::default(),
            last: None,
        }
    }
}

impl Balancer for ConsistentHash {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        self.ring.sync(ctx.pool);
        let hash = self.key.hash(&ctx.key);
        let last = match self.ring.owner(ctx.pool, hash) {
            Some(owner) => Some(LastPick {
                hash: Some(hash),
                ..LastPick::new(owner)
            }),
            None => self.fallback.pick_eligible(ctx).map(LastPick::new),
        };
        self.last = last.or(self.last);
        last.map(|l| l.chosen)
    }

    /// The latest pick and the ring position its key hashed to.
    fn decision(&self, _pool: &[Candidate], _now: SimTime) -> Decision {
        Decision {
            last_pick: self.last,
            ..Decision::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{counts, key, pick_one, pool};

    #[test]
    fn the_nearest_next_point_belongs_to_the_owner() {
        let p = pool(&[1, 2, 1, 0]);
        let mut b = ConsistentHash::new(HashKey::ClientIp);
        let mut rng = SimRng::from_seed(1);
        for client in 0..200 {
            let k = key(client, [203, 0, 113, client as u8]);
            let chosen = pick_one(&mut b, &p, k, &mut rng);
            let hash = HashKey::ClientIp.hash(&k);
            let next = next_points(&p, hash);
            assert_eq!(next[3], None, "a drained server has no points");
            let nearest = (0..p.len()).filter_map(|s| Some((next[s]?.wrapping_sub(hash), s)));
            assert_eq!(nearest.min().map(|(_, s)| s), chosen);
        }
    }

    #[test]
    fn the_same_key_always_lands_on_the_same_server() {
        let mut b = ConsistentHash::new(HashKey::ClientIp);
        let p = pool(&[1, 1, 1]);
        let mut rng = SimRng::from_seed(1);
        let first = pick_one(&mut b, &p, key(7, [198, 51, 100, 7]), &mut rng);
        let last = b.decision(&p, SimTime::ZERO).last_pick.unwrap();
        assert_eq!(Some(last.chosen), first);
        assert_eq!(b.ring.owner(&p, last.hash.unwrap()), first);
        assert_eq!(
            last.hash,
            Some(HashKey::ClientIp.hash(&key(7, [198, 51, 100, 7])))
        );
        for client in 0..50 {
            // Other fields do not matter for the IP key.
            assert_eq!(
                pick_one(&mut b, &p, key(client, [198, 51, 100, 7]), &mut rng),
                first
            );
        }
    }

    /// A request from `client` for `path`.
    fn for_path(client: u32, path: &str) -> RequestKey {
        RequestKey {
            path_hash: crate::sim::traffic::path_hash(path),
            ..key(client, [10, 0, (client >> 8) as u8, client as u8])
        }
    }

    #[test]
    fn by_uri_one_path_goes_to_one_server_and_paths_spread() {
        let mut b = ConsistentHash::new(HashKey::Uri);
        let p = pool(&[1, 1, 1, 1]);
        let mut rng = SimRng::from_seed(1);
        let mut servers = std::collections::HashSet::new();
        for i in 0..200 {
            let path = format!("/item/{i}");
            let first = pick_one(&mut b, &p, for_path(0, &path), &mut rng);
            for client in 1..20 {
                assert_eq!(
                    pick_one(&mut b, &p, for_path(client, &path), &mut rng),
                    first,
                    "{path} from client {client}"
                );
            }
            servers.insert(first);
        }
        assert_eq!(servers.len(), 4, "200 paths reach every server");
        assert_ne!(
            HashKey::Uri.hash(&for_path(0, "/api")),
            HashKey::Uri.hash(&for_path(0, "/static"))
        );
    }

    #[test]
    fn weights_set_the_share_of_the_ring() {
        let c = counts(
            &mut ConsistentHash::new(HashKey::Session),
            &pool(&[1, 3]),
            40_000,
            0,
        );
        assert!((c[1] as f64 / 40_000.0 - 0.75).abs() < 0.04, "{c:?}");
    }

    #[test]
    fn ring_size_is_bounded() {
        let mut ring = Ring::default();
        ring.sync(&pool(&vec![1_000; 1_000]));
        assert!(ring.points.len() as u64 <= MAX_POINTS + 1_000);
    }
}
