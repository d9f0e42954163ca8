//! How many keys a change of the server set moves under consistent hashing, and under modulo
//! hashing (`hash % eligible servers`) for comparison: the numbers of the remap report.
//!
//! [`remap`] compares any two states of a pool by building both of their rings and looking every
//! key up on each: two ring builds (up to a million points each) per change. The engine reports a
//! remap at every availability change, where that cost about 50 ms per health-check flap at
//! 1,000 servers of weight 1,000 (issue 19). [`KeyOwners`] keeps a sample's keys with their
//! servers from one change to the next instead, so a server leaving or joining costs only the
//! keys it can move; it gives exactly [`remap`]'s numbers.

use super::Candidate;
use super::consistent_hash::{Ring, TRIES};

/// What share of keys changed server between two states of the pool.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Remap {
    /// Under consistent hashing.
    pub consistent: f64,
    /// Under modulo hashing (`hash % live servers`), for comparison.
    pub modulo: f64,
}

impl Remap {
    /// The shares of `keys` keys that `ring` and `modulo` moved.
    fn of(ring: usize, modulo: usize, keys: usize) -> Remap {
        let share = |n: usize| {
            if keys == 0 {
                0.0
            } else {
                n as f64 / keys as f64
            }
        };
        Remap {
            consistent: share(ring),
            modulo: share(modulo),
        }
    }
}

/// The share of `hashes` whose server changes from `before` to `after`, on the ring and under
/// modulo hashing over the eligible servers. Servers are compared by id.
pub fn remap(before: &[Candidate], after: &[Candidate], hashes: &[u32]) -> Remap {
    let (mut ring_before, mut ring_after) = (Ring::default(), Ring::default());
    ring_before.sync(before);
    ring_after.sync(after);
    let on_ring = |ring: &Ring, pool: &[Candidate], h| ring.owner(pool, h).map(|s| pool[s].id);
    let ring_moved = hashes
        .iter()
        .filter(|&&h| on_ring(&ring_before, before, h) != on_ring(&ring_after, after, h))
        .count();
    Remap::of(
        ring_moved,
        modulo_moved(before, after, hashes),
        hashes.len(),
    )
}

/// How many of `hashes` change server from `before` to `after` under modulo hashing over the
/// eligible servers, compared by id.
fn modulo_moved(before: &[Candidate], after: &[Candidate], hashes: &[u32]) -> usize {
    let live = |pool: &[Candidate]| -> Vec<u32> {
        pool.iter().filter(|c| c.eligible()).map(|c| c.id).collect()
    };
    let (live_before, live_after) = (live(before), live(after));
    let modulo = |ids: &[u32], h: u32| (!ids.is_empty()).then(|| ids[h as usize % ids.len()]);
    hashes
        .iter()
        .filter(|&&h| modulo(&live_before, h) != modulo(&live_after, h))
        .count()
}

/// A sample of keys, each with the server it goes to on the ring, kept up to date as servers
/// leave and join the pool, so that a change costs only the keys it can move.
///
/// A key goes to the first eligible server among the [`TRIES`] ring points clockwise from its
/// hash: its window. The ring depends only on ids and weights, so the windows are found once per
/// weight configuration (one ring build, one lookup per key) and eligibility is applied to them,
/// as nginx skips down peers while it walks. When one server's eligibility flips, only keys whose
/// window holds it can move: when it leaves, exactly the keys it owned move, on to the next
/// eligible server of their window; when it joins, exactly the keys whose window reaches it before
/// their owner come to it. Each server keeps the list of keys whose window holds it, so a flip
/// visits those (about `20 / N` of the sample on a pool of N servers) and builds nothing.
///
/// Under modulo hashing, a flip of the server of rank `k` among `n` eligible servers keeps the
/// keys whose `h % n` and `h % (n - 1)` name the same server, a count that depends only on
/// `(n, k)`: it is read from a table made once per `n` with one pass over the sample.
///
/// A weight change moves the ring, so it finds every window again: one ring build and a lookup
/// per key (where [`remap`] costs two of each). A change it was not told about (made while another algorithm ran, or a
/// server added) shows when the pool is compared with what it knows, a pass over the servers'
/// flags at every report, and the windows are found again.
#[derive(Clone, Debug)]
pub struct KeyOwners {
    /// The sampled keys' ring positions.
    hashes: Vec<u32>,
    /// The windows and owners, for the pool of the latest report.
    owners: Option<Owners>,
    /// By eligible server count `n`, the keys kept when the server of each rank leaves (empty
    /// until needed).
    kept: Vec<Vec<u32>>,
}

impl KeyOwners {
    /// The sample of keys at these ring positions; nothing is looked up until the first change.
    pub fn new(hashes: Vec<u32>) -> KeyOwners {
        KeyOwners {
            hashes,
            owners: None,
            kept: Vec::new(),
        }
    }

    /// How many keys are sampled.
    pub fn sampled(&self) -> u32 {
        self.hashes.len() as u32
    }

    /// What share of the sample moved when `server`'s availability changed to what `pool` says,
    /// or `None` when that did not change whether it is eligible (a server of weight 0). Costs
    /// the keys whose window holds `server`, when that is the only change since the last report;
    /// after other changes the windows are found again first.
    pub fn availability_changed(&mut self, pool: &[Candidate], server: usize) -> Option<Remap> {
        let now = pool[server].eligible();
        let was = !pool[server].available && pool[server].weight > 0;
        if now == was {
            return None;
        }
        let eligible_before =
            |i: usize, c: &Candidate| if i == server { was } else { c.eligible() };
        let mut owners = self
            .owners
            .take()
            .filter(|o| o.is_for(pool, eligible_before))
            .unwrap_or_else(|| Owners::new(pool, eligible_before, &self.hashes));
        let ring_moved = owners.flip(server);
        let rank = owners.eligible[..server].iter().filter(|&&e| e).count();
        let n = owners.live + usize::from(was);
        self.owners = Some(owners);
        let modulo_moved = self.modulo_moved_by_flip(n, rank);
        Some(Remap::of(ring_moved, modulo_moved, self.hashes.len()))
    }

    /// What share of the sample moved between `before` (the pool of the last report, or any
    /// other) and `after`: any change, such as new weights. Builds the ring of `after` (and of
    /// `before`, when it is not the pool of the last report) and looks every key up.
    pub fn changed(&mut self, before: &[Candidate], after: &[Candidate]) -> Remap {
        let eligible = |_: usize, c: &Candidate| c.eligible();
        let owner_ids = |owners: &Owners, pool: &[Candidate]| -> Vec<Option<u32>> {
            (0..self.hashes.len())
                .map(|key| owners.owner(key).map(|s| pool[s].id))
                .collect()
        };
        let was = {
            let owners = self
                .owners
                .take()
                .filter(|o| o.is_for(before, eligible))
                .unwrap_or_else(|| Owners::new(before, eligible, &self.hashes));
            owner_ids(&owners, before)
        };
        let owners = Owners::new(after, eligible, &self.hashes);
        let ring_moved = owner_ids(&owners, after)
            .iter()
            .zip(&was)
            .filter(|(now, was)| now != was)
            .count();
        self.owners = Some(owners);
        let modulo_moved = modulo_moved(before, after, &self.hashes);
        Remap::of(ring_moved, modulo_moved, self.hashes.len())
    }

    /// How many keys move under modulo hashing when the server of rank `rank` among `n` eligible
    /// servers leaves (or joins the other `n - 1`).
    fn modulo_moved_by_flip(&mut self, n: usize, rank: usize) -> usize {
        let keys = self.hashes.len();
        if n == 1 {
            return keys; // from one server to none, or from none to one: every key moves
        }
        if self.kept.len() <= n {
            self.kept.resize(n + 1, Vec::new());
        }
        if self.kept[n].is_empty() {
            self.kept[n] = kept_by_rank(&self.hashes, n as u32);
        }
        keys - self.kept[n][rank] as usize
    }
}

/// For each rank `k` among `n >= 2` eligible servers, how many of `hashes` keep their server
/// under modulo hashing when the server of rank `k` leaves: below `k` the servers keep their
/// places, so a key stays if `h % n == h % (n - 1) < k`; from `k` on each moves down one, so a
/// key stays if `h % n == h % (n - 1) + 1`.
fn kept_by_rank(hashes: &[u32], n: u32) -> Vec<u32> {
    let m = n as usize - 1;
    let (mut same, mut next) = (vec![0u32; m], vec![0u32; m]);
    for &h in hashes {
        let (r, q) = (h % n, h % (n - 1));
        if r == q {
            same[q as usize] += 1;
        } else if r == q + 1 {
            next[q as usize] += 1;
        }
    }
    let mut kept = Vec::with_capacity(n as usize);
    let mut k: u32 = next.iter().sum();
    for q in 0..m {
        kept.push(k);
        k = k + same[q] - next[q];
    }
    kept.push(k);
    kept
}

/// No eligible server in a key's window.
const NONE: u8 = u8::MAX;
const _: () = assert!(TRIES < NONE as usize);

/// The sample's windows and owners for one state of the pool.
#[derive(Clone, Debug)]
struct Owners {
    /// The (id, weight) of every server: what the ring, and so the windows, come from.
    weights: Vec<(u32, u32)>,
    /// Per server, whether it is eligible.
    eligible: Vec<bool>,
    /// How many servers are eligible.
    live: usize,
    /// Points in a window: [`TRIES`], or the whole ring when it is smaller.
    width: usize,
    /// The windows' server indices, `width` per key, nearest point first.
    windows: Vec<u32>,
    /// Per key, where in its window its owner is, or [`NONE`].
    owner_at: Vec<u8>,
    /// Server `s`'s entries of `touching` are `touching[touching_from[s]..touching_from[s + 1]]`.
    touching_from: Vec<u32>,
    /// Per server, the keys whose window holds it, each with its first place there.
    touching: Vec<(u32, u8)>,
}

impl Owners {
    /// The windows of `hashes` on the ring of `pool`, with the owners that `eligible` gives.
    fn new(
        pool: &[Candidate],
        eligible: impl Fn(usize, &Candidate) -> bool,
        hashes: &[u32],
    ) -> Owners {
        let (width, windows) = {
            let mut ring = Ring::default();
            ring.sync(pool);
            let width = TRIES.min(ring.points.len());
            let mut windows = Vec::with_capacity(hashes.len() * width);
            for &h in hashes {
                windows.extend(ring.window(h).map(|s| s as u32));
            }
            (width, windows)
        };
        let eligible: Vec<bool> = pool
            .iter()
            .enumerate()
            .map(|(i, c)| eligible(i, c))
            .collect();
        let window = |key: usize| &windows[key * width..(key + 1) * width];
        // Each server's first place in each window: counted, then placed (a counting sort).
        let mut touching_from = vec![0u32; pool.len() + 1];
        for key in 0..hashes.len() {
            for (_, s) in firsts(window(key)) {
                touching_from[s + 1] += 1;
            }
        }
        for s in 0..pool.len() {
            touching_from[s + 1] += touching_from[s];
        }
        let mut touching = vec![(0, 0); touching_from[pool.len()] as usize];
        let mut next = touching_from.clone();
        for key in 0..hashes.len() {
            for (at, s) in firsts(window(key)) {
                touching[next[s] as usize] = (key as u32, at);
                next[s] += 1;
            }
        }
        let owner_at = (0..hashes.len())
            .map(|key| first_eligible(window(key), &eligible, 0))
            .collect();
        Owners {
            weights: pool.iter().map(|c| (c.id, c.weight)).collect(),
            live: eligible.iter().filter(|&&e| e).count(),
            eligible,
            width,
            windows,
            owner_at,
            touching_from,
            touching,
        }
    }

    /// Whether these are the windows of `pool`'s ring and the owners `eligible` gives.
    fn is_for(&self, pool: &[Candidate], eligible: impl Fn(usize, &Candidate) -> bool) -> bool {
        pool.iter()
            .map(|c| (c.id, c.weight))
            .eq(self.weights.iter().copied())
            && pool
                .iter()
                .enumerate()
                .map(|(i, c)| eligible(i, c))
                .eq(self.eligible.iter().copied())
    }

    /// The server (index) `key` goes to, if any.
    fn owner(&self, key: usize) -> Option<usize> {
        let at = self.owner_at[key];
        (at != NONE).then(|| self.windows[key * self.width + usize::from(at)] as usize)
    }

    /// Makes an eligible `server` ineligible or the other way round; returns how many keys changed
    /// owner. Visits only the keys whose window holds `server`.
    fn flip(&mut self, server: usize) -> usize {
        let joins = !self.eligible[server];
        self.eligible[server] = joins;
        if joins {
            self.live += 1;
        } else {
            self.live -= 1;
        }
        let mut moved = 0;
        let from = self.touching_from[server] as usize..self.touching_from[server + 1] as usize;
        for &(key, at) in &self.touching[from] {
            let key = key as usize;
            let owner_at = &mut self.owner_at[key];
            if joins && at < *owner_at {
                // It comes before the key's owner (NONE is after every place).
                *owner_at = at;
                moved += 1;
            } else if !joins && *owner_at == at {
                let window = &self.windows[key * self.width..(key + 1) * self.width];
                *owner_at = first_eligible(window, &self.eligible, usize::from(at) + 1);
                moved += 1;
            }
        }
        moved
    }
}

/// The places of `window` that hold a server for the first time, with that server.
fn firsts(window: &[u32]) -> impl Iterator<Item = (u8, usize)> + '_ {
    window
        .iter()
        .enumerate()
        .filter(|&(i, s)| !window[..i].contains(s))
        .map(|(i, &s)| (i as u8, s as usize))
}

/// The first place from `from` on in `window` whose server is eligible, or [`NONE`].
fn first_eligible(window: &[u32], eligible: &[bool], from: usize) -> u8 {
    window[from..]
        .iter()
        .position(|&s| eligible[s as usize])
        .map_or(NONE, |p| (from + p) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::balancer::HashKey;
    use crate::sim::balancer::test_support::{key, pool};
    use crate::sim::rng::SimRng;

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

    /// Random pools through random changes: the kept owners give exactly what comparing the two
    /// whole rings gives, whether each change was reported or only found at the next report.
    #[test]
    fn key_owners_report_exactly_what_remap_does() {
        let mut rng = SimRng::from_seed(19);
        for round in 0..30 {
            let servers = 1 + rng.below(12) as usize;
            let mut pool = pool(&vec![1; servers]);
            for c in &mut pool {
                c.weight = rng.below(3);
                c.available = rng.chance(0.6);
            }
            let hashes: Vec<u32> = (0..rng.below(600))
                .map(|_| rng.below_u64(1 << 32) as u32)
                .collect();
            let mut owners = KeyOwners::new(hashes.clone());
            for step in 0..40 {
                let before = pool.clone();
                let server = rng.below(pool.len() as u32) as usize;
                let context = format!("round {round} step {step}: {pool:?}");
                match rng.below(10) {
                    0 => {
                        pool[server].weight = rng.below(3);
                        let got = owners.changed(&before, &pool);
                        assert_eq!(got, remap(&before, &pool, &hashes), "{context}");
                    }
                    // Changes it is not told about, as while another algorithm runs.
                    1 => pool[server].available = !pool[server].available,
                    2 if pool.len() < 16 => {
                        pool.push(Candidate::new(pool.len() as u32, 1 + rng.below(2)))
                    }
                    _ => {
                        pool[server].available = !pool[server].available;
                        let flipped = before[server].eligible() != pool[server].eligible();
                        let expected = flipped.then(|| remap(&before, &pool, &hashes));
                        let got = owners.availability_changed(&pool, server);
                        assert_eq!(got, expected, "{context}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_flip_visits_only_the_keys_whose_window_holds_the_server() {
        let p = pool(&vec![1; 200]);
        let mut owners = KeyOwners::new(hashes(10_000));
        let mut after = p.clone();
        after[5].available = false;
        owners.changed(&p, &p);
        let o = owners.owners.as_ref().unwrap();
        let visited = (o.touching_from[6] - o.touching_from[5]) as usize;
        // 20 points of 200 servers: about a tenth of the keys have server 5 in their window.
        assert!(visited < 2_000, "{visited}");
        assert!(owners.availability_changed(&after, 5).is_some());
    }

    #[test]
    fn kept_by_rank_counts_the_keys_that_keep_their_server() {
        let hashes: Vec<u32> = (0..1_000).map(|i| i * 7_919).collect();
        for n in 2..12u32 {
            let kept = kept_by_rank(&hashes, n);
            for (k, &kept) in kept.iter().enumerate() {
                let before: Vec<u32> = (0..n).collect();
                let after: Vec<u32> = before.iter().copied().filter(|&s| s != k as u32).collect();
                let stay = hashes
                    .iter()
                    .filter(|&&h| before[(h % n) as usize] == after[(h % (n - 1)) as usize])
                    .count();
                assert_eq!(kept as usize, stay, "n {n} k {k}");
            }
        }
    }
}
