//! Presets about connections and the balancing layer.

use super::{at, base};
use crate::sim::balancer::Algorithm;
use crate::sim::balancer_cpu::{BalancerCost, Tls, TlsMode};
use crate::sim::command::Command;
use crate::sim::connections::{Connections, Layer, Protocol};
use crate::sim::scenario::{Scenario, server};
use crate::sim::time::SimDuration;
use crate::sim::traffic::CostDistribution;

/// A server joins a layer-4 pool of kept-alive connections and waits; layer 7 uses it at once.
pub(super) fn layer4_vs_layer7() -> Scenario {
    let mut s = base(
        "Layer 4 vs layer 7: a server joins kept-alive connections",
        "60 clients keep HTTP/1.1 connections open (100 requests each) to a layer-4 balancer, \
         which picks a server per connection, by least connections. server-5 joins at 30 s: \
         every request goes over a connection that is already on another server, so server-5 \
         gets only the few new connections that open when one wears out, and its bar barely \
         moves. At 90 s the balancer works at layer 7 and picks for every request: server-5 \
         takes its fifth at once.",
        150,
    );
    s.algorithm = Algorithm::LeastConnections;
    s.traffic.rate = 20.0;
    s.traffic.clients = 60;
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(100),
    };
    s.connections = Some(Connections {
        layer: Layer::L4,
        max_requests: 100,
        idle_timeout: SimDuration::from_secs(60),
        ..Connections::default()
    });
    s.timeline = vec![
        at(
            30,
            Command::AddServer {
                weight: 1,
                workers: 2,
            },
        ),
        at(90, Command::SetLayer(Layer::L7)),
    ];
    s
}

/// Three busy HTTP/2 clients on six servers: layer 4 pins each to one server.
pub(super) fn http2_pinning() -> Scenario {
    let mut s = base(
        "HTTP/2 pinning: three busy clients, six servers",
        "Three services call this one over HTTP/2, each on one long-lived connection that \
         carries all its requests. A layer-4 balancer (round robin per connection) puts the \
         three connections on server-1, -2 and -3: they run at 75% while the other three \
         idle, and nothing moves while the connections stay open. At 60 s the balancer works \
         at layer 7 and spreads the requests of each connection: all six servers share the \
         work and the latency falls.",
        120,
    );
    s.servers = (1..=6)
        .map(|i| server(&format!("server-{i}"), 1, 2))
        .collect();
    s.traffic.rate = 30.0;
    s.traffic.clients = 3;
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(150),
    };
    s.connections = Some(Connections {
        layer: Layer::L4,
        protocol: Protocol::Http2,
        max_requests: 100_000,
        idle_timeout: SimDuration::from_secs(600),
        ..Connections::default()
    });
    s.timeline = vec![at(60, Command::SetLayer(Layer::L7))];
    s
}

/// TLS passed through to the servers, then terminated at a balancer that becomes the bottleneck.
pub(super) fn tls_termination() -> Scenario {
    let mut s = base(
        "SSL termination: the handshakes move to the balancer",
        "400 clients call over TLS, and most requests open a new connection (an idle one closes \
         after 2 s), which costs a handshake: 30 ms of CPU, 3 ms when the session resumes (40% \
         do). Until 60 s the layer-4 balancer passes TLS through: the servers do the handshakes, \
         about 34 ms of CPU for each 20 ms request, and are a third busy while the balancer's two \
         cores idle. At 60 s it terminates TLS, at layer 7: the servers' workers empty to a fifth \
         busy (20 ms a request) and the balancer's cores fill to two thirds (16 ms a request: \
         the handshakes and 2 ms to parse each request), and p95 falls from 2.5 s to 1.9 s, \
         since a new connection's handshake now goes only as far as the balancer. At 120 s the \
         traffic rises to 150 req/s, more than two cores can take: a queue grows at the \
         balancer's door (hundreds by 180 s) and p95 latency climbs to about 5 s while the \
         servers stay under 40% busy. At 180 s TLS goes back to the servers: the balancer's \
         queue drains, the servers carry the handshakes at nearly 60% busy, and the latency is \
         back to 2.5 s.",
        240,
    );
    s.traffic.rate = 80.0;
    s.traffic.clients = 400;
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(20),
    };
    s.connections = Some(Connections {
        layer: Layer::L4,
        idle_timeout: SimDuration::from_secs(2),
        ..Connections::default()
    });
    s.balancer = Some(BalancerCost {
        workers: 2,
        per_request: SimDuration::from_millis(2),
        per_connection: SimDuration::from_millis(1),
        tls: Some(Tls {
            mode: TlsMode::Passthrough,
            full_handshake: SimDuration::from_millis(30),
            resumed_handshake: SimDuration::from_millis(3),
            resumption: 0.4,
        }),
    });
    s.timeline = vec![
        at(60, Command::SetLayer(Layer::L7)),
        at(60, Command::SetTls(TlsMode::Terminate)),
        at(120, Command::SetRate(150.0)),
        at(180, Command::SetLayer(Layer::L4)),
        at(180, Command::SetTls(TlsMode::Passthrough)),
    ];
    s
}
