//! Presets with more than one balancer.

use super::{at, base};
use crate::sim::balancer::Algorithm;
use crate::sim::command::Command;
use crate::sim::front::dns::DnsConfig;
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
        balancers: 8,
        spread: Spread::Dns(DnsConfig::default()),
        view: LoadView::Reported {
            every: SimDuration::from_secs(1),
        },
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
    s.front = Some(Front {
        balancers: 2,
        spread: Spread::Vrrp(VrrpConfig::default()),
        view: LoadView::Own,
    });
    s.timeline = vec![
        super::at_ms(30_500, Command::KillBalancer { balancer: 0 }),
        at(60, Command::ReviveBalancer { balancer: 0 }),
    ];
    s
}
