//! Presets with more than one balancer.

use super::{at, base};
use crate::sim::balancer::Algorithm;
use crate::sim::balancer_cpu::{BalancerCost, Tls, TlsMode};
use crate::sim::command::Command;
use crate::sim::front::dns::DnsConfig;
use crate::sim::front::hierarchy::LocalTier;
use crate::sim::front::regions::Region;
use crate::sim::front::vrrp::VrrpConfig;
use crate::sim::front::{Front, LoadView, Spread};
use crate::sim::scenario::{Scenario, server};
use crate::sim::time::SimDuration;
use crate::sim::traffic::CostDistribution;

/// Eight balancers reading once-a-second load reports: least connections herds, two random
/// choices does not.
pub(super) fn many_balancers_herding() -> Scenario {
    let mut s = base(
        "Eight balancers on old information: least connections herds",
        "Eight balancers, reached by DNS round robin, share ten one-worker servers at 90% load. \
         They know the servers' load only from reports sent once a second. Between reports all \
         eight see the same numbers, and least connections sends every request to the server \
         that looked least loaded: that server's queue explodes while the others empty, and \
         p95 climbs past 5 s. At 60 s they switch to two random choices (nginx random two \
         least_conn): each request compares two random servers, the herd spreads, and p95 \
         falls under 2 s within a minute (Mitzenmacher, \"How useful is old information?\").",
        180,
    );
    s.servers = (1..=10)
        .map(|i| server(&format!("server-{i}"), 1, 1))
        .collect();
    s.algorithm = Algorithm::LeastConnections;
    s.client_latency = SimDuration::from_millis(20);
    s.backend_latency = SimDuration::from_millis(5);
    s.resilience.health = None;
    s.traffic.clients = 5_000;
    s.traffic.rate = 90.0;
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(100),
    };
    s.front = Some(Front {
        view: LoadView::Reported {
            every: SimDuration::from_secs(1),
        },
        ..Front::new(8, Spread::Dns(DnsConfig::default()))
    });
    s.timeline = vec![at(60, Command::SetAlgorithm(Algorithm::NginxRandomTwo))];
    s
}

/// A VRRP pair: the master crashes, the backup takes the address, the master comes back and
/// takes it again.
pub(super) fn balancer_failover() -> Scenario {
    let mut s = base(
        "An active / passive pair: VRRP failover",
        "lb-1 (priority 150) owns the virtual address; lb-2 (priority 100) waits, hearing an \
         advertisement every second. lb-1 crashes at 30.5 s: the requests it held are lost. \
         lb-2 takes over when it has heard nothing for 3 x 1 s + its skew of 0.6 s, at 33.6 s. \
         Requests sent in between get no answer; their clients send the SYN again 1 s later, \
         then 2 s after that, so they arrive late but arrive. lb-1 comes back at 60 s and, with \
         preemption, takes the address back 3.41 s later: the requests lb-2 held are reset.",
        90,
    );
    s.traffic.rate = 10.0;
    s.resilience.health = None;
    s.front = Some(Front::new(2, Spread::Vrrp(VrrpConfig::default())));
    s.timeline = vec![
        super::at_ms(30_500, Command::KillBalancer { balancer: 0 }),
        at(60, Command::ReviveBalancer { balancer: 0 }),
    ];
    s
}

/// Two balancers that each terminate TLS at 60% of a core: when one crashes, the other is asked
/// for 121% and becomes the bottleneck, while the servers idle. Sizing the tier is N + 1.
pub(super) fn balancer_tier_sizing() -> Scenario {
    let mut s = base(
        "Two busy balancers are not a redundant pair: sizing the tier",
        "Two balancers behind DNS round robin, each with one core that terminates TLS: every \
         request comes on a new connection and costs its balancer a 2 ms handshake and 0.2 ms \
         of parsing. At 550 requests a second each takes 275 and is 60% busy (see CPU busy in \
         the balancers' table). At 30 s lb-1 crashes. The DNS stops naming it, and within the \
         10 s its answers are cached every client sends to lb-2 (the requests sent to lb-1 in \
         those 10 s retransmit their SYNs, 1, 2, 4, 8 and 16 s apart, and get through at the \
         first one after it is back). lb-2 is asked for 550 x 2.2 ms = 121% of its core: it \
         finishes 455 a second, its queue grows by about 95 a second and latency climbs by 0.2 \
         s each second, while the servers stay under a third busy. Two balancers at 60% each \
         are one balancer's worth short after a failure: each must be able to carry the whole \
         load (N + 1: with two, under 50% each). At 60 s lb-1 is back and lb-2's queue drains \
         in about 20 s.",
        120,
    );
    s.client_latency = SimDuration::from_millis(20);
    s.backend_latency = SimDuration::from_millis(5);
    s.resilience.health = None;
    s.traffic.clients = 2_000;
    s.traffic.rate = 550.0;
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(5),
    };
    s.balancer = Some(BalancerCost {
        workers: 1,
        per_request: SimDuration::from_micros(200),
        per_connection: SimDuration::ZERO,
        tls: Some(Tls {
            mode: TlsMode::Terminate,
            full_handshake: SimDuration::from_millis(2),
            resumed_handshake: SimDuration::from_micros(200),
            resumption: 0.0,
        }),
    });
    s.front = Some(Front::new(
        2,
        Spread::Dns(DnsConfig {
            ttl: SimDuration::from_secs(10),
            health_checked: true,
        }),
    ));
    s.timeline = vec![
        at(30, Command::KillBalancer { balancer: 0 }),
        at(60, Command::ReviveBalancer { balancer: 0 }),
    ];
    s
}

/// Three regions behind a global DNS; one region's servers all fail and its clients move to the
/// next nearest as their cached answers expire.
pub(super) fn regions_failover() -> Scenario {
    let mut s = base(
        "Three regions and a global DNS: a region fails over",
        "eu (half the clients), us and ap each have two balancers and four servers; a global \
         DNS (a GSLB with health checks, TTL 30 s) sends each client to its nearest region: \
         5 ms away, against 40 ms from eu to us. At 60 s all of eu's servers crash. Its \
         balancers' health checks mark them DOWN within 6 s and answer 502 to the eu clients \
         that still have them cached; the GSLB sends new lookups to us. Within 30 s of the \
         failover every cached answer has expired: eu's clients are all served by us, 70 ms \
         further away. At 150 s eu's servers come back, and eu's clients return as their \
         answers expire again.",
        240,
    );
    let names = ["eu", "us", "ap"];
    s.servers = names
        .iter()
        .flat_map(|region| (1..=4).map(move |i| server(&format!("{region}-{i}"), 1, 2)))
        .collect();
    s.algorithm = Algorithm::LeastConnections;
    s.client_latency = SimDuration::from_millis(5);
    s.backend_latency = SimDuration::from_millis(2);
    s.traffic.clients = 3_000;
    s.traffic.rate = 30.0;
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(100),
    };
    let ms = SimDuration::from_millis;
    s.front = Some(Front {
        regions: names
            .iter()
            .zip([0.5, 0.3, 0.2])
            .map(|(name, clients)| Region {
                name: name.to_string(),
                servers: 4,
                clients,
            })
            .collect(),
        latency: vec![
            vec![ms(5), ms(40), ms(120)],
            vec![ms(40), ms(5), ms(90)],
            vec![ms(120), ms(90), ms(5)],
        ],
        ..Front::new(
            2,
            Spread::Dns(DnsConfig {
                ttl: SimDuration::from_secs(30),
                health_checked: true,
            }),
        )
    });
    s.timeline = (0..4)
        .map(|server| at(60, Command::Kill { server }))
        .chain((0..4).map(|server| at(150, Command::Revive { server })))
        .collect();
    s
}

/// Global, regional, local: each failure is absorbed by the lowest tier that still has
/// capacity.
pub(super) fn hierarchical_balancing() -> Scenario {
    let mut s = base(
        "Global, regional, local: hierarchical balancing",
        "A global DNS (TTL 30 s, health-checked) sends each client to its region, eu or us. In \
         each, a regional balancer (lb-1, lb-2) spreads requests over two local balancers \
         (eu: lb-3, lb-4; us: lb-5, lb-6), each in front of a cluster of three servers; the \
         regional one weighs each cluster by its servers in rotation. At 30 s eu-1 crashes: \
         lb-3's health checks take it out within 6 s and lb-1 gives lb-3's cluster 2 shares \
         in 5 instead of 3 in 6; nothing else notices. At 60 s lb-3 itself crashes, losing \
         the requests it held: lb-1 sends all of eu to lb-4's cluster (83% load, latency \
         rises). At 90 s lb-1 crashes: eu's clients get no answer until their cached DNS \
         answers expire, then the global DNS sends them to us, 60 ms away. Everything comes \
         back at 150 s.",
        210,
    );
    let ms = SimDuration::from_millis;
    s.servers = ["eu", "us"]
        .iter()
        .flat_map(|region| (1..=6).map(move |i| server(&format!("{region}-{i}"), 1, 1)))
        .collect();
    s.client_latency = ms(5);
    s.backend_latency = ms(2);
    s.traffic.clients = 2_000;
    s.traffic.rate = 50.0;
    s.traffic.client_timeout = Some(SimDuration::from_secs(10));
    s.traffic.cost = CostDistribution::Exponential { mean: ms(100) };
    let region = |name: &str| Region {
        name: name.into(),
        servers: 6,
        clients: 0.5,
    };
    s.front = Some(Front {
        regions: vec![region("eu"), region("us")],
        latency: vec![vec![ms(5), ms(60)], vec![ms(60), ms(5)]],
        local: Some(LocalTier {
            per_region: 2,
            hop: ms(1),
        }),
        ..Front::new(
            1,
            Spread::Dns(DnsConfig {
                ttl: SimDuration::from_secs(30),
                health_checked: true,
            }),
        )
    });
    let back = [
        Command::Revive { server: 0 },
        Command::ReviveBalancer { balancer: 2 },
        Command::ReviveBalancer { balancer: 0 },
    ];
    s.timeline = [
        at(30, Command::Kill { server: 0 }),
        at(60, Command::KillBalancer { balancer: 2 }),
        at(90, Command::KillBalancer { balancer: 0 }),
    ]
    .into_iter()
    .chain(back.into_iter().map(|c| at(150, c)))
    .collect();
    s
}
