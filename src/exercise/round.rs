//! One request of an exercise: what the algorithm saw when it picked, and what it picked.

use std::net::IpAddr;

use super::Kind;
use crate::sim::balancer::{Balancer, Candidate, HashKey, PickContext, RequestKey, next_points};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;

/// What the algorithm decided with, beyond the servers' weights and loads.
#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    /// Smooth WRR: each server's current weight before the pick (0 before its first pass, as in
    /// nginx).
    CurrentWeights(Vec<i64>),
    /// Least connections: the servers' active requests and weights are all it compares.
    Load,
    /// ip_hash: the hash of the client's first three octets (`None` if the hash found no server
    /// and round robin chose, which a pool of live servers never needs).
    IpHash {
        /// The hash, before it is taken modulo the total weight.
        hash: Option<u32>,
    },
    /// Consistent hashing: where the key lands on the ring and each server's next point
    /// clockwise from there (`None` for a server without points).
    Ring {
        /// The key's 32-bit ring position.
        position: u32,
        /// Each server's first point at or after `position`, in pool order.
        next: Vec<Option<u32>>,
    },
    /// Power of two choices: the two servers drawn, in pool order (`None` when 21 draws found
    /// only one server and nginx fell back to round robin); on a tie in load per weight, the
    /// one drawn second, which nginx keeps.
    Drawn {
        /// The two servers drawn.
        pair: Option<[usize; 2]>,
        /// The one drawn second, when it matters (a tie).
        second: Option<usize>,
    },
}

/// One request: who sent it, the pool as the algorithm saw it, what else it decided with, and
/// the server it picked (the model answer).
#[derive(Clone, Debug, PartialEq)]
pub struct Round {
    /// The request's number in the exercise (0-based).
    pub request: usize,
    /// The sending client's address.
    pub client: IpAddr,
    /// The servers (weights, active requests), in order.
    pub servers: Vec<Candidate>,
    /// What else the algorithm decided with.
    pub seen: Seen,
    /// The server the algorithm picked.
    pub model: usize,
}

impl Round {
    /// Routes the request `key` (number `request`) with `balancer` over `pool`, keeping what it
    /// saw; `None` if it found no server (a pool of live servers always has one).
    pub(super) fn route(
        kind: Kind,
        request: usize,
        balancer: &mut dyn Balancer,
        pool: &[Candidate],
        key: RequestKey,
        rng: &mut SimRng,
    ) -> Option<Round> {
        let before = balancer.decision(pool, SimTime::ZERO);
        let ctx = PickContext {
            pool,
            key,
            now: SimTime::ZERO,
            pool_version: None,
        };
        let model = balancer.pick(&ctx, rng)?;
        let last = balancer.decision(pool, SimTime::ZERO).last_pick;
        let seen = match kind {
            Kind::SmoothWeighted => Seen::CurrentWeights(
                before
                    .values
                    .iter()
                    .map(|v| v.unwrap_or(0.0) as i64)
                    .collect(),
            ),
            Kind::LeastConnections => Seen::Load,
            Kind::IpHash => Seen::IpHash {
                hash: last.and_then(|l| l.hash),
            },
            Kind::ConsistentHash => {
                let position = HashKey::ClientIp.hash(&key);
                Seen::Ring {
                    position,
                    next: next_points(pool, position),
                }
            }
            Kind::TwoChoices => {
                let against = last.and_then(|l| l.against);
                let tie = against.is_some_and(|a| {
                    let (x, y) = (&pool[a], &pool[model]);
                    u64::from(x.active) * u64::from(y.weight)
                        == u64::from(y.active) * u64::from(x.weight)
                });
                Seen::Drawn {
                    pair: against.map(|a| [a.min(model), a.max(model)]),
                    second: tie.then_some(model),
                }
            }
        };
        Some(Round {
            request,
            client: key.ip,
            servers: pool.to_vec(),
            seen,
            model,
        })
    }
}
