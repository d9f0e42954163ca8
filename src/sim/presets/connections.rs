//! Presets about connections and the balancing layer.

use super::{at, base};
use crate::sim::balancer::Algorithm;
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
