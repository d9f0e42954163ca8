//! Balancing algorithms: which server gets the next request.
//!
//! Every algorithm implements the narrow [`Balancer`] trait: it sees a [`PickContext`] (a read-only
//! view of the pool, one [`Candidate`] per server in configuration order, the request's
//! [`RequestKey`] and the current time) and the balancer's random stream, and names a server or none.
//! It may also learn how each request it routed went ([`Feedback`]). [`Algorithm`] is the
//! user-facing list, each with its explanation ([`About`]).
//!
//! Algorithms named after a real system behave like it, down to tie-breaking; see
//! ../shared/REFERENCE-SEMANTICS.md. Backup servers are handled by the engine for every algorithm
//! (a backup is offered only when no primary can be picked), as nginx does.

mod consistent_hash;
mod expanded_weighted;
mod ip_hash;
mod least_connections;
mod random;
mod remap;
mod response_time;
mod round_robin;
mod smooth_weighted;
mod sticky;
mod two_choices;

#[cfg(test)]
pub(crate) use consistent_hash::work as ring_work;
pub use consistent_hash::{ConsistentHash, HashKey, next_points};
pub use expanded_weighted::ExpandedWeighted;
pub use ip_hash::IpHash;
pub use least_connections::{HaproxyLeastConn, LeastConnections, WeightedLeastConnections};
pub use random::{Random, WeightedRandom};
pub use remap::{KeyOwners, Remap, remap};
pub use response_time::{LeastResponseTime, PeakEwma};
pub use round_robin::RoundRobin;
pub use smooth_weighted::SmoothWeighted;
pub use sticky::StickySessions;
pub use two_choices::{EnvoyLeastRequest, NginxRandomTwo};

use super::rng::SimRng;
use super::time::{SimDuration, SimTime};

/// What a balancer may know about one server when it picks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// A stable identity (survives other servers being added or removed); hashes use it.
    pub id: u32,
    /// Configured weight; 0 means drained (never picked).
    pub weight: u32,
    /// Slow-start factor in (0, 1]: the share of its weight a server that just came back gets.
    pub ramp: f64,
    /// Requests routed to it whose answer has not yet come back to the balancer.
    pub active: u32,
    /// Whether the balancer may send it traffic at all (it is up and not taken out of rotation).
    pub available: bool,
}

impl Candidate {
    /// A live, idle server with this id and weight, at full ramp.
    pub fn new(id: u32, weight: u32) -> Candidate {
        Candidate {
            id,
            weight,
            ramp: 1.0,
            active: 0,
            available: true,
        }
    }

    /// Whether the server may receive a new request: available and not drained.
    pub fn eligible(&self) -> bool {
        self.available && self.weight > 0
    }

    /// The weight after slow start: `weight x ramp`.
    pub fn effective_weight(&self) -> f64 {
        f64::from(self.weight) * self.ramp
    }
}

/// What a balancer may know about the request it is routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestKey {
    /// The sending client's index in the client population.
    pub client: u32,
    /// The client's address as the balancer sees it (clients behind a NAT share one).
    pub ip: std::net::IpAddr,
    /// The client's session id (what a session cookie carries).
    pub session: u64,
    /// The request path's index among the scenario's paths (see `CostDistribution::path`).
    pub path: u8,
    /// The 64-bit FNV-1a hash of the request path (`traffic::path_hash`), computed once per run.
    pub path_hash: u64,
}

/// Everything a balancer sees when it picks.
#[derive(Clone, Copy, Debug)]
pub struct PickContext<'a> {
    /// One candidate per server, in configuration order.
    pub pool: &'a [Candidate],
    /// The request.
    pub key: RequestKey,
    /// The current time.
    pub now: SimTime,
    /// A number that changes whenever anything in `pool` but the `active` counts does (a
    /// server's weight, availability or ramp, or the pool's size), so a balancer may keep what
    /// it derives from them (which servers are eligible) from one pick to the next while the
    /// number stays the same. `None`: unknown, derive everything afresh (a pool built by hand).
    pub pool_version: Option<u64>,
}

/// How a request the balancer routed went, as the balancer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feedback {
    /// False when the server failed it (refused the connection or crashed).
    pub ok: bool,
    /// From sending the request to the server until its answer was back at the balancer.
    pub rtt: SimDuration,
    /// When the answer came back.
    pub now: SimTime,
}

/// What an algorithm is deciding with right now, for drawing on the balancer: one number per
/// server straight from its state (nginx smooth WRR's current weights, least connections' active
/// requests per weight, Peak EWMA's costs, ...), where its round-robin pointer stands, and how its
/// latest pick went. Built only on request ([`Balancer::decision`]), so picking stays cheap.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    /// What `values` are (`None` when there are none).
    pub quantity: Option<Quantity>,
    /// Empty, or one per pool entry in pool order; `None` where the algorithm has no such number
    /// for that server (a drained server has no active requests per weight, say).
    pub values: Vec<Option<f64>>,
    /// For round robins, the server the next pick tries first (it is skipped if not eligible).
    pub next: Option<usize>,
    /// The latest pick that chose a server, if any.
    pub last_pick: Option<LastPick>,
}

/// What the numbers of a [`Decision`] are (worded by `narrate::quantity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// nginx smooth WRR's current weight.
    CurrentWeight,
    /// Active requests per unit of weight.
    ActivePerWeight,
    /// Active requests.
    ActiveRequests,
    /// The chance of a random pick, 0 to 1.
    Chance,
    /// The mean of recent response times.
    MeanResponseTime,
    /// Peak EWMA's cost: the latency estimate times pending requests plus one.
    Cost,
    /// Sessions pinned to the server.
    PinnedSessions,
    /// Envoy's earliest-deadline-first schedule position.
    Deadline,
}

impl Quantity {
    /// The unit its numbers are in.
    pub fn unit(self) -> Unit {
        match self {
            Quantity::MeanResponseTime | Quantity::Cost => Unit::Micros,
            Quantity::Chance => Unit::Share,
            _ => Unit::Count,
        }
    }
}

/// The unit of a [`Quantity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A plain number.
    Count,
    /// A share, 0 to 1.
    Share,
    /// Simulated microseconds.
    Micros,
}

/// How an algorithm's latest successful pick went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastPick {
    /// The server it chose.
    pub chosen: usize,
    /// For the power-of-two-choices algorithms, the other server drawn, which lost (Envoy draws
    /// with replacement, so it may be `chosen` itself).
    pub against: Option<usize>,
    /// For the hashing algorithms, the request's hash that mapped it to `chosen` (`None` when the
    /// hash found no eligible server and the round-robin fallback chose).
    pub hash: Option<u32>,
}

impl LastPick {
    /// A pick of `chosen` with nothing else to tell.
    pub fn new(chosen: usize) -> LastPick {
        LastPick {
            chosen,
            against: None,
            hash: None,
        }
    }
}

/// A load-balancing algorithm with its own state.
pub trait Balancer: BalancerClone {
    /// The server (index into the pool) for the request, or `None` when no candidate is eligible.
    fn pick(&mut self, ctx: &PickContext<'_>, rng: &mut SimRng) -> Option<usize>;

    /// Learns how a request it sent to `server` went.
    fn observe(&mut self, _server: usize, _feedback: Feedback) {}

    /// What it is deciding with right now, given the current `pool` and time (nothing by default).
    fn decision(&self, _pool: &[Candidate], _now: SimTime) -> Decision {
        Decision::default()
    }
}

/// A copy of a boxed balancer, state and all: a run's checkpoint (time travel) copies the
/// balancer with everything else. Every `Clone` balancer has it.
pub trait BalancerClone {
    /// A copy of this balancer in its current state.
    fn clone_box(&self) -> Box<dyn Balancer>;
}

impl<T: Balancer + Clone + 'static> BalancerClone for T {
    fn clone_box(&self) -> Box<dyn Balancer> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Balancer> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
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
    /// The textbook weighted round robin: the expanded list walked in order.
    ExpandedWeighted,
    /// nginx `least_conn`: fewest active requests per unit of weight, ties by smooth WRR.
    LeastConnections,
    /// HAProxy `leastconn`: fewest active per unit of weight, round robin among equals.
    HaproxyLeastConn,
    /// The textbook weighted least connections: lowest active/weight, first on ties.
    WeightedLeastConnections,
    /// Uniformly random.
    Random,
    /// Random in proportion to weight.
    WeightedRandom,
    /// nginx `random two least_conn`.
    NginxRandomTwo,
    /// Envoy's least request (power of two choices; weighted by active requests).
    EnvoyLeastRequest,
    /// nginx `ip_hash`.
    IpHash,
    /// Consistent hashing (ketama ring) on the client address.
    ConsistentHashIp,
    /// Consistent hashing (ketama ring) on the session id.
    ConsistentHashSession,
    /// Consistent hashing (ketama ring) on the request path (nginx `hash $request_uri consistent`).
    ConsistentHashUri,
    /// The textbook least response time: average of the last 10 responses.
    LeastResponseTime,
    /// Peak EWMA over two random choices (tower, Finagle, Linkerd).
    PeakEwma,
    /// Sticky sessions: a session stays on its server while that server is available.
    StickySessions,
}

impl Algorithm {
    /// Every algorithm, in picker order.
    pub const ALL: [Algorithm; 17] = [
        Algorithm::RoundRobin,
        Algorithm::SmoothWeighted,
        Algorithm::ExpandedWeighted,
        Algorithm::LeastConnections,
        Algorithm::HaproxyLeastConn,
        Algorithm::WeightedLeastConnections,
        Algorithm::Random,
        Algorithm::WeightedRandom,
        Algorithm::NginxRandomTwo,
        Algorithm::EnvoyLeastRequest,
        Algorithm::IpHash,
        Algorithm::ConsistentHashIp,
        Algorithm::ConsistentHashSession,
        Algorithm::ConsistentHashUri,
        Algorithm::LeastResponseTime,
        Algorithm::PeakEwma,
        Algorithm::StickySessions,
    ];

    /// A stable identifier (for URLs, files and the command line).
    pub fn id(self) -> &'static str {
        match self {
            Algorithm::RoundRobin => "round-robin",
            Algorithm::SmoothWeighted => "nginx-smooth-wrr",
            Algorithm::ExpandedWeighted => "textbook-wrr",
            Algorithm::LeastConnections => "nginx-least-conn",
            Algorithm::HaproxyLeastConn => "haproxy-leastconn",
            Algorithm::WeightedLeastConnections => "weighted-least-conn",
            Algorithm::Random => "random",
            Algorithm::WeightedRandom => "weighted-random",
            Algorithm::NginxRandomTwo => "nginx-random-two",
            Algorithm::EnvoyLeastRequest => "envoy-least-request",
            Algorithm::IpHash => "nginx-ip-hash",
            Algorithm::ConsistentHashIp => "consistent-hash-ip",
            Algorithm::ConsistentHashSession => "consistent-hash-session",
            Algorithm::ConsistentHashUri => "consistent-hash-uri",
            Algorithm::LeastResponseTime => "least-response-time",
            Algorithm::PeakEwma => "peak-ewma",
            Algorithm::StickySessions => "sticky-sessions",
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
            Algorithm::ExpandedWeighted => &expanded_weighted::ABOUT,
            Algorithm::LeastConnections => &least_connections::ABOUT_NGINX,
            Algorithm::HaproxyLeastConn => &least_connections::ABOUT_HAPROXY,
            Algorithm::WeightedLeastConnections => &least_connections::ABOUT_WEIGHTED,
            Algorithm::Random => &random::ABOUT_RANDOM,
            Algorithm::WeightedRandom => &random::ABOUT_WEIGHTED,
            Algorithm::NginxRandomTwo => &two_choices::ABOUT_NGINX,
            Algorithm::EnvoyLeastRequest => &two_choices::ABOUT_ENVOY,
            Algorithm::IpHash => &ip_hash::ABOUT,
            Algorithm::ConsistentHashIp => &consistent_hash::ABOUT_IP,
            Algorithm::ConsistentHashSession => &consistent_hash::ABOUT_SESSION,
            Algorithm::ConsistentHashUri => &consistent_hash::ABOUT_URI,
            Algorithm::LeastResponseTime => &response_time::ABOUT_AVERAGE,
            Algorithm::PeakEwma => &response_time::ABOUT_EWMA,
            Algorithm::StickySessions => &sticky::ABOUT,
        }
    }

    /// Whether server weights change the shares this algorithm aims for (weight 0 always drains).
    pub fn honours_weights(self) -> bool {
        !matches!(
            self,
            Algorithm::RoundRobin
                | Algorithm::Random
                | Algorithm::LeastResponseTime
                | Algorithm::PeakEwma
        )
    }

    /// The consistent-hashing key, for the algorithms that hash onto a ring.
    pub fn hash_key(self) -> Option<HashKey> {
        match self {
            Algorithm::ConsistentHashIp => Some(HashKey::ClientIp),
            Algorithm::ConsistentHashSession => Some(HashKey::Session),
            Algorithm::ConsistentHashUri => Some(HashKey::Uri),
            _ => None,
        }
    }

    /// A fresh balancer running this algorithm.
    pub fn build(self) -> Box<dyn Balancer> {
        match self {
            Algorithm::RoundRobin => Box::new(RoundRobin::default()),
            Algorithm::SmoothWeighted => Box::new(SmoothWeighted::default()),
            Algorithm::ExpandedWeighted => Box::new(ExpandedWeighted::default()),
            Algorithm::LeastConnections => Box::new(LeastConnections::default()),
            Algorithm::HaproxyLeastConn => Box::new(HaproxyLeastConn::default()),
            Algorithm::WeightedLeastConnections => Box::new(WeightedLeastConnections::default()),
            Algorithm::Random => Box::new(Random::default()),
            Algorithm::WeightedRandom => Box::new(WeightedRandom::default()),
            Algorithm::NginxRandomTwo => Box::new(NginxRandomTwo::default()),
            Algorithm::EnvoyLeastRequest => Box::new(EnvoyLeastRequest::default()),
            Algorithm::IpHash => Box::new(IpHash::default()),
            Algorithm::ConsistentHashIp => Box::new(ConsistentHash::new(HashKey::ClientIp)),
            Algorithm::ConsistentHashSession => Box::new(ConsistentHash::new(HashKey::Session)),
            Algorithm::ConsistentHashUri => Box::new(ConsistentHash::new(HashKey::Uri)),
            Algorithm::LeastResponseTime => Box::new(LeastResponseTime::default()),
            Algorithm::PeakEwma => Box::new(PeakEwma::default()),
            Algorithm::StickySessions => Box::new(StickySessions::default()),
        }
    }
}

/// Algorithms are written in files by their [`Algorithm::id`].
impl serde::Serialize for Algorithm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Algorithm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Algorithm::from_id(&id).ok_or_else(|| {
            let known: Vec<&str> = Algorithm::ALL.iter().map(|a| a.id()).collect();
            serde::de::Error::custom(format!(
                "unknown algorithm {id:?} (known: {})",
                known.join(", ")
            ))
        })
    }
}

/// Whether `a` carries fewer active requests per unit of weight than `b`, compared without
/// division (`a.active * b.weight < b.active * a.weight`), as nginx does.
fn fewer_per_weight(a: &Candidate, b: &Candidate) -> bool {
    u64::from(a.active) * u64::from(b.weight) < u64::from(b.active) * u64::from(a.weight)
}

/// The decision of a least-loaded algorithm: each server's active requests per unit of `weight`
/// (none where that weight is 0), after `last`.
fn per_weight(
    pool: &[Candidate],
    weight: impl Fn(&Candidate) -> f64,
    last: Option<LastPick>,
) -> Decision {
    Decision {
        quantity: Some(Quantity::ActivePerWeight),
        values: pool
            .iter()
            .map(|c| {
                let w = weight(c);
                (w > 0.0).then(|| f64::from(c.active) / w)
            })
            .collect(),
        next: None,
        last_pick: last,
    }
}

/// A draw in proportion to `weight` among the eligible candidates (walking cumulative weights).
fn weighted_draw(
    pool: &[Candidate],
    weight: impl Fn(&Candidate) -> f64,
    rng: &mut SimRng,
) -> Option<usize> {
    let total: f64 = pool.iter().filter(|c| c.eligible()).map(&weight).sum();
    if total <= 0.0 {
        return None;
    }
    let mut point = rng.unit() * total;
    let mut last = None;
    for (i, c) in pool.iter().enumerate().filter(|(_, c)| c.eligible()) {
        let w = weight(c);
        if point < w {
            return Some(i);
        }
        point -= w;
        if w > 0.0 {
            last = Some(i);
        }
    }
    last // rounding left the point a hair past the end
}

/// The indices of a pool's eligible candidates, in list order, and what their weights have in
/// common. Kept from one pick to the next while the pool's version stays the same
/// ([`PickContext::pool_version`]), so that a pick which only needs them (a random draw) does
/// not look at every server each time.
#[derive(Clone, Debug, Default)]
struct Eligible {
    indices: Vec<usize>,
    /// Whether they all have the same effective weight (slow start included).
    same_effective_weight: bool,
    /// Whether they all have the same configured weight.
    same_configured_weight: bool,
    /// The pool version they were derived for.
    of: DerivedFor,
}

/// The pool version something a balancer keeps was derived for.
#[derive(Clone, Copy, Debug, Default)]
struct DerivedFor(Option<u64>);

impl DerivedFor {
    /// Whether what was derived before still holds for `ctx`'s pool (its version says nothing
    /// but the active counts changed since). If not, it is marked as derived for this pool: the
    /// caller derives it again.
    fn still_holds(&mut self, ctx: &PickContext<'_>) -> bool {
        if ctx.pool_version.is_some() && ctx.pool_version == self.0 {
            return true;
        }
        self.0 = ctx.pool_version;
        false
    }
}

impl Eligible {
    /// Brings them in line with `ctx`'s pool, derived afresh only when it changed.
    fn refresh(&mut self, ctx: &PickContext<'_>) {
        if self.of.still_holds(ctx) {
            return;
        }
        self.indices.clear();
        (self.same_effective_weight, self.same_configured_weight) = (true, true);
        let mut first: Option<&Candidate> = None;
        for (i, c) in ctx.pool.iter().enumerate() {
            if !c.eligible() {
                continue;
            }
            self.indices.push(i);
            let f = *first.get_or_insert(c);
            self.same_effective_weight &= c.effective_weight() == f.effective_weight();
            self.same_configured_weight &= c.weight == f.weight;
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A pool of available, idle servers with these weights (ids 0, 1, 2, ...).
    pub fn pool(weights: &[u32]) -> Vec<Candidate> {
        weights
            .iter()
            .enumerate()
            .map(|(i, &w)| Candidate::new(i as u32, w))
            .collect()
    }

    /// A request key for client `client` at address `ip`, for the path `/`.
    pub fn key(client: u32, ip: impl Into<std::net::IpAddr>) -> RequestKey {
        RequestKey {
            client,
            ip: ip.into(),
            session: u64::from(client),
            path: 0,
            path_hash: crate::sim::traffic::path_hash("/"),
        }
    }

    /// One pick at time zero.
    pub fn pick_one(
        b: &mut dyn Balancer,
        pool: &[Candidate],
        key: RequestKey,
        rng: &mut SimRng,
    ) -> Option<usize> {
        b.pick(
            &PickContext {
                pool,
                key,
                now: SimTime::ZERO,
                pool_version: None,
            },
            rng,
        )
    }

    /// `n` picks as letters (`a` = server 0), `-` for none.
    pub fn picks(b: &mut dyn Balancer, pool: &[Candidate], n: usize) -> String {
        let mut rng = SimRng::from_seed(0);
        (0..n)
            .map(
                |_| match pick_one(b, pool, key(0, [10, 0, 0, 1]), &mut rng) {
                    Some(i) => (b'a' + i as u8) as char,
                    None => '-',
                },
            )
            .collect()
    }

    /// How many of `n` picks each server gets.
    pub fn counts(b: &mut dyn Balancer, pool: &[Candidate], n: usize, seed: u64) -> Vec<usize> {
        let mut rng = SimRng::from_seed(seed);
        let mut counts = vec![0; pool.len()];
        for i in 0..n {
            let k = key(i as u32, [10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
            if let Some(s) = pick_one(b, pool, k, &mut rng) {
                counts[s] += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
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
        let mut dead = Candidate::new(0, 1);
        dead.available = false;
        let drained = Candidate::new(1, 0);
        for a in Algorithm::ALL {
            let mut b = a.build();
            let mut rng = SimRng::from_seed(1);
            let k = key(0, [1, 2, 3, 4]);
            assert_eq!(pick_one(b.as_mut(), &[], k, &mut rng), None, "{a:?}");
            assert_eq!(
                pick_one(b.as_mut(), &[dead, drained], k, &mut rng),
                None,
                "{a:?}"
            );
        }
    }

    #[test]
    fn every_decision_fits_the_pool_and_names_the_latest_pick() {
        let mut p = pool(&[3, 1, 2, 0, 1]);
        p[1].active = 2;
        p[2].active = 1;
        p[4].available = false;
        let dead: Vec<Candidate> = p
            .iter()
            .map(|c| Candidate {
                available: false,
                ..*c
            })
            .collect();
        for a in Algorithm::ALL {
            let mut b = a.build();
            assert_eq!(b.decision(&p, SimTime::ZERO).last_pick, None, "{a:?}");
            let mut rng = SimRng::from_seed(3);
            for client in 0..20 {
                let k = key(client, [10, 0, client as u8, 1]);
                let chosen = pick_one(b.as_mut(), &p, k, &mut rng);
                assert!(chosen.is_some(), "{a:?}");
                let d = b.decision(&p, SimTime::ZERO);
                assert_eq!(d.last_pick.map(|l| l.chosen), chosen, "{a:?}");
                assert!(d.values.is_empty() || d.values.len() == p.len(), "{a:?}");
                assert_eq!(d.quantity.is_none(), d.values.is_empty(), "{a:?}");
                // A pick that finds no server leaves the latest pick as it was.
                assert_eq!(pick_one(b.as_mut(), &dead, k, &mut rng), None, "{a:?}");
                assert_eq!(
                    b.decision(&p, SimTime::ZERO).last_pick,
                    d.last_pick,
                    "{a:?}"
                );
            }
        }
    }

    #[test]
    fn weighted_draw_follows_the_weights() {
        let p = pool(&[1, 0, 3]);
        let mut rng = SimRng::from_seed(5);
        let mut counts = [0; 3];
        for _ in 0..40_000 {
            counts[weighted_draw(&p, |c| f64::from(c.weight), &mut rng).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        let share = counts[2] as f64 / 40_000.0;
        assert!((share - 0.75).abs() < 0.01, "{counts:?}");
    }
}
