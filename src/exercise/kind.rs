//! The five algorithms a student can stand in for.

use crate::sim::Algorithm;

/// An algorithm an exercise asks the student to be, each chosen so that what it decides with
/// can be read off the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// nginx smooth weighted round robin: current weights grow by the weights; the largest wins.
    SmoothWeighted,
    /// Weighted least connections: the fewest active requests per unit of weight, first on ties
    /// (the textbook rule, whose ties the student can see; nginx breaks them by smooth WRR).
    LeastConnections,
    /// nginx `ip_hash`: the first three octets of the client address, hashed onto the weights.
    IpHash,
    /// Consistent hashing of the client address on a ketama ring.
    ConsistentHash,
    /// Power of two choices (nginx `random two least_conn`): the less loaded of two drawn.
    TwoChoices,
}

impl Kind {
    /// Every kind, in menu order.
    pub const ALL: [Kind; 5] = [
        Kind::SmoothWeighted,
        Kind::LeastConnections,
        Kind::IpHash,
        Kind::ConsistentHash,
        Kind::TwoChoices,
    ];

    /// The project's algorithm that grades it.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Kind::SmoothWeighted => Algorithm::SmoothWeighted,
            Kind::LeastConnections => Algorithm::WeightedLeastConnections,
            Kind::IpHash => Algorithm::IpHash,
            Kind::ConsistentHash => Algorithm::ConsistentHashIp,
            Kind::TwoChoices => Algorithm::NginxRandomTwo,
        }
    }

    /// A stable identifier: its algorithm's.
    pub fn id(self) -> &'static str {
        self.algorithm().id()
    }

    /// The kind with identifier `id`.
    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The largest weight its pool draws (weights are 1 to this).
    pub(super) fn max_weight(self) -> u32 {
        match self {
            Kind::SmoothWeighted => 5,
            Kind::ConsistentHash => 1,
            _ => 3,
        }
    }

    /// Whether the servers start with requests in progress (what the least-loaded kinds compare).
    pub(super) fn loaded(self) -> bool {
        matches!(self, Kind::LeastConnections | Kind::TwoChoices)
    }
}
