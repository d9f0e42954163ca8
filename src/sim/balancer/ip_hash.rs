//! nginx `ip_hash`: the client's address picks the server, so a client keeps landing on the same
//! one (a poor man's session affinity).
//!
//! The key is the first three octets of an IPv4 address (all sixteen bytes of an IPv6 one), so a
//! whole /24 (an office, a NAT) lands together. The hash starts at 89 and takes each key byte as `h = (h * 113 + byte) % 6271`; then
//! `h % total_weight` walks the configured weights to a server. If that server is unavailable the
//! loop continues from the current `h` (hashing the same bytes again); nginx falls back to round
//! robin once more than 20 re-hashes have failed (`++tries > 20`: 21 rounds in all). Unavailable servers keep their place in the walk, so marking one down moves
//! only its own clients.

use std::net::IpAddr;

use super::smooth_weighted::SmoothWeighted;
use super::{About, Balancer, Candidate, Decision, LastPick, PickContext};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

pub(super) const ABOUT: About = About {
    name: "IP hash (nginx ip_hash)",
    how: "Hashes the first three octets of the client address to a server; an unavailable server sends its clients on by re-hashing.",
    when: "Keeping each client on one server (local caches, in-memory sessions) without cookies.",
    weakness: "A whole /24 or NAT shares one key: an office or a mobile carrier's NAT lands on a single server.",
    cost: "O(n) per pick for the weight walk.",
};

const INITIAL: u32 = 89;
const MULTIPLIER: u32 = 113;
const MODULUS: u32 = 6271;
/// Hash rounds before the fallback: the first, and 20 re-hashes.
const TRIES: u32 = 21;

/// nginx ip_hash.
#[derive(Clone, Debug, Default)]
pub struct IpHash {
    fallback: SmoothWeighted,
    /// The latest successful pick, with the hash that chose it unless the fallback did.
    last: Option<LastPick>,
}

impl IpHash {
    /// The round-robin fallback's pick.
    fn fall_back(&mut self, ctx: &PickContext<'_>) -> Option<usize> {
        let chosen = self.fallback.pick_eligible(ctx);
        self.last = chosen.map(LastPick::new).or(self.last);
        chosen
    }
}

impl Balancer for IpHash {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        let pool = ctx.pool;
        let total: u32 = pool.iter().map(|c| c.weight).sum();
        if pool.len() == 1 || total == 0 {
            return self.fall_back(ctx);
        }
        // nginx hashes three bytes of an IPv4 address and all sixteen of an IPv6 one.
        let (v4, v6);
        let bytes: &[u8] = match ctx.key.ip {
            IpAddr::V4(a) => {
                v4 = a.octets();
                &v4[..3]
            }
            IpAddr::V6(a) => {
                v6 = a.octets();
                &v6
            }
        };
        let mut hash = INITIAL;
        for _ in 0..TRIES {
            for &byte in bytes {
                hash = (hash * MULTIPLIER + u32::from(byte)) % MODULUS;
            }
            let mut w = hash % total;
            let mut peer = 0;
            while w >= pool[peer].weight {
                w -= pool[peer].weight;
                peer += 1;
            }
            if pool[peer].eligible() {
                self.last = Some(LastPick {
                    hash: Some(hash),
                    ..LastPick::new(peer)
                });
                return Some(peer);
            }
        }
        self.fall_back(ctx)
    }

    /// The latest pick and the hash (after any re-hashing) that chose its server.
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
    use crate::sim::balancer::test_support::{key, pick_one, pool};

    fn server_for(
        b: &mut IpHash,
        p: &[crate::sim::balancer::Candidate],
        ip: [u8; 4],
    ) -> Option<usize> {
        pick_one(b, p, key(0, ip), &mut SimRng::from_seed(0))
    }

    #[test]
    fn worked_example() {
        // h: 89 -> 3978 (192) -> 4441 (168) -> 154 (1); 154 % 3 = 1: server b.
        let mut b = IpHash::default();
        let mut p = pool(&[1, 1, 1]);
        assert_eq!(server_for(&mut b, &p, [192, 168, 1, 10]), Some(1));
        // The same /24 lands together.
        assert_eq!(server_for(&mut b, &p, [192, 168, 1, 77]), Some(1));
        let hashed = |b: &IpHash, chosen, hash| {
            let last = b.decision(&[], SimTime::ZERO).last_pick;
            assert_eq!(
                last,
                Some(LastPick {
                    hash: Some(hash),
                    ..LastPick::new(chosen)
                })
            );
        };
        hashed(&b, 1, 154);
        // b down: hash on from 154 -> 5052 -> 383 -> 5654; 5654 % 3 = 2: server c.
        p[1].available = false;
        assert_eq!(server_for(&mut b, &p, [192, 168, 1, 10]), Some(2));
        hashed(&b, 2, 5654);
        // A lone server is the fallback's pick: no hash chose it.
        assert_eq!(server_for(&mut b, &p[..1], [192, 168, 1, 10]), Some(0));
        assert_eq!(
            b.decision(&p, SimTime::ZERO).last_pick,
            Some(LastPick::new(0))
        );
    }

    #[test]
    fn an_ipv6_address_is_hashed_on_all_sixteen_bytes() {
        // 2001:db8::1 hashes to 2600 over its 16 bytes (2600 % 3 = 2), ::2 to 2601 and ::3 to
        // 2602: neighbours in one /64 spread, where IPv4 neighbours in one /24 land together.
        let mut b = IpHash::default();
        let p = pool(&[1, 1, 1]);
        let v6 = |last: u16| IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, last]);
        let servers: Vec<_> = (1..=3)
            .map(|last| pick_one(&mut b, &p, key(0, v6(last)), &mut SimRng::from_seed(0)))
            .collect();
        assert_eq!(servers, [Some(2), Some(0), Some(1)]);
        assert_eq!(
            b.decision(&[], SimTime::ZERO)
                .last_pick
                .and_then(|l| l.hash),
            Some(2602)
        );
    }

    #[test]
    fn marking_a_server_down_moves_only_its_clients() {
        let mut b = IpHash::default();
        let mut p = pool(&[1, 2, 1, 1]);
        let ips: Vec<[u8; 4]> = (0..2_000u32)
            .map(|i| [(i % 200) as u8 + 1, (i / 7) as u8, (i * 13) as u8, 9])
            .collect();
        let before: Vec<_> = ips
            .iter()
            .map(|&ip| server_for(&mut b, &p, ip).unwrap())
            .collect();
        p[2].available = false;
        for (ip, &was) in ips.iter().zip(&before) {
            let now = server_for(&mut b, &p, *ip).unwrap();
            if was == 2 {
                assert_ne!(now, 2);
            } else {
                assert_eq!(now, was, "{ip:?} moved although its server is up");
            }
        }
    }

    #[test]
    fn weights_widen_a_servers_share_of_the_hash_space() {
        let mut b = IpHash::default();
        let p = pool(&[3, 1]);
        let mut on_a = 0;
        for i in 0..6_000u32 {
            if server_for(&mut b, &p, [(i >> 8) as u8, i as u8, (i * 7) as u8, 0]) == Some(0) {
                on_a += 1;
            }
        }
        assert!((on_a as f64 / 6_000.0 - 0.75).abs() < 0.03, "{on_a}");
    }

    /// The server the hash reaches in round `round` (1-based) for `ip` over equal weights.
    fn round_reaches(ip: [u8; 4], servers: u32, round: u32) -> u32 {
        let mut hash = INITIAL;
        for _ in 0..round {
            for &byte in &ip[..3] {
                hash = (hash * MULTIPLIER + u32::from(byte)) % MODULUS;
            }
        }
        hash % servers
    }

    #[test]
    fn the_hash_gets_twenty_one_rounds_before_round_robin_takes_over() {
        // Ten servers, only server 9 up: an address whose first 20 rounds reach down servers and
        // whose 21st reaches server 9 is still placed by the hash, as nginx's `++tries > 20` does.
        let mut p = pool(&[1; 10]);
        for c in &mut p[..9] {
            c.available = false;
        }
        let late = (0..60_000u32)
            .map(|i| [(i >> 8) as u8, i as u8, 7, 0])
            .find(|&ip| {
                (1..=20).all(|r| round_reaches(ip, 10, r) != 9) && round_reaches(ip, 10, 21) == 9
            })
            .expect("an address found in the 21st round");
        let mut b = IpHash::default();
        assert_eq!(server_for(&mut b, &p, late), Some(9));
        let last = b.decision(&p, SimTime::ZERO).last_pick.unwrap();
        assert!(last.hash.is_some(), "the hash chose it, not the fallback");
        // One that reaches server 9 in no round up to the 21st falls back to round robin.
        let never = (0..60_000u32)
            .map(|i| [(i >> 8) as u8, i as u8, 7, 0])
            .find(|&ip| (1..=21).all(|r| round_reaches(ip, 10, r) != 9))
            .expect("an address the hash never places");
        assert_eq!(server_for(&mut b, &p, never), Some(9));
        assert_eq!(b.decision(&p, SimTime::ZERO).last_pick.unwrap().hash, None);
    }
}
