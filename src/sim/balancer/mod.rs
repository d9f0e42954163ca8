//! Balancing algorithms: which server gets the next request.
//!
//! Every algorithm implements the narrow [`Balancer`] trait: it sees a read-only view of the pool
//! (one [`Candidate`] per server, in configuration order), the request's [`RequestKey`] and the
//! balancer's random stream, and names a server or none. It may also learn the outcome of each
//! request it routed. [`Algorithm`] is the user-facing list, each with its explanation ([`About`]).

mod least_connections;
mod round_robin;
mod smooth_weighted;

pub use least_connections::LeastConnections;
pub use round_robin::RoundRobin;
pub use smooth_weighted::SmoothWeighted;

use super::rng::SimRng;

/// What a balancer may know about one server when it picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Configured weight; 0 means drained (never picked).
    pub weight: u32,
    /// Requests routed to it whose answer has not yet come back to the balancer.
    pub active: u32,
    /// Whether the balancer may send it traffic at all (it is up and not taken out of rotation).
    pub available: bool,
}

impl Candidate {
    /// Whether the server may receive a new request: available and not drained.
    pub fn eligible(&self) -> bool {
        self.available && self.weight > 0
    }
}

/// What a balancer may know about the request it is routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestKey {
    /// The sending client's index in the client population.
    pub client: u32,
}

/// A load-balancing algorithm with its own state.
pub trait Balancer {
    /// The server (index into `pool`) for the request, or `None` when no candidate is eligible.
    fn pick(&mut self, pool: &[Candidate], key: &RequestKey, rng: &mut SimRng) -> Option<usize>;

    /// Learns how a request it sent to `server` ended (`ok` false: the server failed it).
    fn observe(&mut self, _server: usize, _ok: bool) {}
}

/// The explanation shown beside the algorithm picker and in the docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct About {
    /// The name as the real system calls it.
    pub name: &'static str,
    /// How it chooses.
    pub how: &'static str,
    /// When to use it.
    pub when: &'static str,
    /// Where it goes wrong.
    pub weakness: &'static str,
    /// Its cost per pick.
    pub cost: &'static str,
}

/// The algorithms a user can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Plain round robin, ignoring weights.
    RoundRobin,
    /// nginx's smooth weighted round robin (its default `upstream` method).
    SmoothWeighted,
    /// nginx `least_conn`: fewest active requests per unit of weight.
    LeastConnections,
}

impl Algorithm {
    /// Every algorithm, in picker order.
    pub const ALL: [Algorithm; 3] = [
        Algorithm::RoundRobin,
        Algorithm::SmoothWeighted,
        Algorithm::LeastConnections,
    ];

    /// A stable identifier (for URLs, files and the command line).
    pub fn id(self) -> &'static str {
        match self {
            Algorithm::RoundRobin => "round-robin",
            Algorithm::SmoothWeighted => "nginx-smooth-wrr",
            Algorithm::LeastConnections => "nginx-least-conn",
        }
    }

    /// The algorithm with identifier `id`.
    pub fn from_id(id: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.id() == id)
    }

    /// Its explanation.
    pub fn about(self) -> &'static About {
        match self {
            Algorithm::RoundRobin => &round_robin::ABOUT,
            Algorithm::SmoothWeighted => &smooth_weighted::ABOUT,
            Algorithm::LeastConnections => &least_connections::ABOUT,
        }
    }

    /// Whether server weights change the shares this algorithm gives (plain round robin ignores them,
    /// apart from weight 0 draining a server).
    pub fn honours_weights(self) -> bool {
        !matches!(self, Algorithm::RoundRobin)
    }

    /// A fresh balancer running this algorithm.
    pub fn build(self) -> Box<dyn Balancer> {
        match self {
            Algorithm::RoundRobin => Box::new(RoundRobin::default()),
            Algorithm::SmoothWeighted => Box::new(SmoothWeighted::default()),
            Algorithm::LeastConnections => Box::new(LeastConnections::default()),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A pool of available, idle servers with these weights.
    pub fn pool(weights: &[u32]) -> Vec<Candidate> {
        weights
            .iter()
            .map(|&weight| Candidate {
                weight,
                active: 0,
                available: true,
            })
            .collect()
    }

    /// `n` picks as letters (`a` = server 0), `-` for none.
    pub fn picks(b: &mut dyn Balancer, pool: &[Candidate], n: usize) -> String {
        let mut rng = SimRng::from_seed(0);
        (0..n)
            .map(
                |_| match b.pick(pool, &RequestKey { client: 0 }, &mut rng) {
                    Some(i) => (b'a' + i as u8) as char,
                    None => '-',
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_every_algorithm_is_explained() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_id(a.id()), Some(a));
            let about = a.about();
            for text in [
                about.name,
                about.how,
                about.when,
                about.weakness,
                about.cost,
            ] {
                assert!(!text.is_empty(), "{a:?} lacks an explanation");
            }
        }
        assert_eq!(Algorithm::from_id("nope"), None);
    }

    #[test]
    fn an_empty_or_dead_pool_gives_no_server() {
        let dead = Candidate {
            weight: 1,
            active: 0,
            available: false,
        };
        let drained = Candidate {
            weight: 0,
            active: 0,
            available: true,
        };
        for a in Algorithm::ALL {
            let mut b = a.build();
            let mut rng = SimRng::from_seed(1);
            let key = RequestKey { client: 0 };
            assert_eq!(b.pick(&[], &key, &mut rng), None, "{a:?}");
            assert_eq!(b.pick(&[dead, drained], &key, &mut rng), None, "{a:?}");
        }
    }
}
