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
use crate::sim::hash::splitmix64;
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
const TRIES: usize = 20;

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
            HashKey::ClientIp => u64::from(u32::from_be_bytes(key.ip)),
            HashKey::Session => key.session,
            HashKey::Uri => key.path_hash,
        };
        (splitmix64(raw) >> 32) as u32
    }
}

/// A ketama ring: sorted (hash, server index) points.
#[derive(Clone, Debug, Default)]
struct Ring {
    points: Vec<(u32, u32)>,
    /// The (id, weight) pairs it was built from.
    built_for: Vec<(u32, u32)>,
}

impl Ring {
    fn sync(&mut self, pool: &[Candidate]) {
        if pool
            .iter()
            .map(|c| (c.id, c.weight))
            .eq(self.built_for.iter().copied())
        {
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
    }

    /// The first eligible server clockwise from `hash`, within [`TRIES`] points.
    fn owner(&self, pool: &[Candidate], hash: u32) -> Option<usize> {
        if self.points.is_empty() {
            return None;
        }
        let start = self.points.partition_point(|&(h, _)| h < hash);
        (0..TRIES.min(self.points.len()))
            .map(|i| self.points[(start + i) % self.points.len()].1 as usize)
            .find(|&s| pool[s].eligible())
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
            None => self
                .fallback
                .pick_where(ctx.pool, |_| true)
                .map(LastPick::new),
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

/// What share of keys changed server between two states of the pool.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Remap {
    /// Under consistent hashing.
    pub consistent: f64,
    /// Under modulo hashing (`hash % live servers`), for comparison.
    pub modulo: f64,
}

/// The share of `hashes` whose server changes from `before` to `after`, on the ring and under
/// modulo hashing over the eligible servers. Servers are compared by id.
pub fn remap(before: &[Candidate], after: &[Candidate], hashes: &[u32]) -> Remap {
    let (mut ring_before, mut ring_after) = (Ring::default(), Ring::default());
    ring_before.sync(before);
    ring_after.sync(after);
    let live = |pool: &[Candidate]| -> Vec<u32> {
        pool.iter().filter(|c| c.eligible()).map(|c| c.id).collect()
    };
    let (live_before, live_after) = (live(before), live(after));
    let modulo = |ids: &[u32], h: u32| (!ids.is_empty()).then(|| ids[h as usize % ids.len()]);
    let (mut ring_moved, mut modulo_moved) = (0usize, 0usize);
    for &h in hashes {
        let on_ring = |ring: &Ring, pool: &[Candidate]| ring.owner(pool, h).map(|s| pool[s].id);
        if on_ring(&ring_before, before) != on_ring(&ring_after, after) {
            ring_moved += 1;
        }
        if modulo(&live_before, h) != modulo(&live_after, h) {
            modulo_moved += 1;
        }
    }
    let share = |n: usize| {
        if hashes.is_empty() {
            0.0
        } else {
            n as f64 / hashes.len() as f64
        }
    };
    Remap {
        consistent: share(ring_moved),
        modulo: share(modulo_moved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::test_support::{counts, key, pick_one, pool};

    fn hashes(n: u32) -> Vec<u32> {
        (0..n)
            .map(|i| HashKey::Session.hash(&key(i, [0; 4])))
            .collect()
    }

    #[test]
    fn one_of_n_leaving_moves_about_one_nth_of_the_keys() {
        for n in [4, 5, 10] {
            let before = pool(&vec![1; n]);
            let mut after = before.clone();
            after[1].available = false;
            let r = remap(&before, &after, &hashes(20_000));
            let ideal = 1.0 / n as f64;
            assert!((r.consistent - ideal).abs() < 0.05, "n {n}: {r:?}");
            assert!(r.modulo > 0.5, "modulo hashing moves most keys: {r:?}");
        }
    }

    #[test]
    fn draining_moves_only_the_drained_servers_keys() {
        let before = pool(&[1, 1, 1, 1]);
        let mut after = before.clone();
        after[3].weight = 0;
        let r = remap(&before, &after, &hashes(20_000));
        assert!((r.consistent - 0.25).abs() < 0.05, "{r:?}");
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
