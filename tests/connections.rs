//! Client connections and layer 4 vs layer 7: a server joining under layer 4 waits for
//! connections to recycle, an HTTP/2 client stays on one server, and what layer 4 cannot do is
//! refused in words.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::connections::{Connections, Layer, Protocol};
use lb_playground::sim::front::dns::DnsConfig;
use lb_playground::sim::front::vrrp::VrrpConfig;
use lb_playground::sim::front::{Front, Spread};
use lb_playground::sim::retry::RetryPolicy;
use lb_playground::sim::scenario::server;
use lb_playground::sim::traffic::CostDistribution;
use lb_playground::sim::{
    Algorithm, Command, Scenario, SimDuration, SimTime, Simulation, TimedCommand,
};

fn at(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

/// A timeline of `(seconds, command)` steps.
fn script(steps: &[(f64, Command)]) -> Vec<TimedCommand> {
    steps
        .iter()
        .map(|&(s, command)| TimedCommand { at: at(s), command })
        .collect()
}

/// 100 clients sending 40 req/s of 20 ms requests to four servers, no network delay, over
/// connections of `connections`; a fifth server joins at 60 s.
fn joining(connections: Connections, algorithm: Algorithm) -> Scenario {
    let mut s = Scenario::classroom();
    s.algorithm = algorithm;
    s.client_latency = SimDuration::ZERO;
    s.backend_latency = SimDuration::ZERO;
    s.traffic.rate = 40.0;
    s.traffic.clients = 100;
    s.traffic.cost = CostDistribution::Constant {
        cost: SimDuration::from_millis(20),
    };
    s.connections = Some(connections);
    s.timeline = vec![TimedCommand {
        at: at(60.0),
        command: Command::AddServer {
            weight: 1,
            workers: 2,
        },
    }];
    s
}

/// The share of the requests routed from `from` to `to` seconds that went to the fifth server.
fn new_servers_share(sim: &mut Simulation, from: f64, to: f64) -> f64 {
    sim.advance_to(at(from));
    let routed = |sim: &Simulation| -> Vec<u64> {
        sim.metrics().servers().iter().map(|s| s.routed).collect()
    };
    let before = routed(sim);
    sim.advance_to(at(to));
    let after = routed(sim);
    let total: u64 = after.iter().sum::<u64>() - before.iter().sum::<u64>();
    let fifth = after[4] - before.get(4).copied().unwrap_or(0);
    fifth as f64 / total as f64
}

fn keep_alive(max_requests: u32) -> Connections {
    Connections {
        layer: Layer::L4,
        max_requests,
        idle_timeout: SimDuration::HOUR,
        ..Connections::default()
    }
}

#[test]
fn under_layer_4_a_joining_server_waits_for_connections_to_recycle() {
    // Connections that never close: once every client has its connection, a new server gets
    // only what a client's rare second connection brings (two of its requests at once).
    let mut sim =
        Simulation::new(joining(keep_alive(1_000_000), Algorithm::LeastConnections)).unwrap();
    let share = new_servers_share(&mut sim, 60.0, 120.0);
    println!("no recycling: the new server's share 60-120 s {share:.4}");
    assert!(share < 0.03, "{share}");
    let opened = sim.connections_opened().unwrap();
    assert!(opened < 130, "{opened} connections for 100 clients");

    // Connections of 20 requests recycle every 50 s or so (a client sends 0.4 req/s). Least
    // connections sends every new connection to the new server, the one with the fewest, until
    // it has as many as the others: its share grows as connections turn over.
    let mut sim = Simulation::new(joining(keep_alive(20), Algorithm::LeastConnections)).unwrap();
    sim.advance_to(at(60.0));
    let opened_at_join = sim.connections_opened().unwrap();
    let early = new_servers_share(&mut sim, 60.0, 65.0);
    let per_server = sim.connections_per_server();
    let opened_since = sim.connections_opened().unwrap() - opened_at_join;
    println!(
        "recycling every 20 requests: {opened_since} connections opened 60-65 s, the new server has {}, the others {:?}; share 60-65 s {early:.3}",
        per_server[4],
        &per_server[..4]
    );
    assert!(opened_since > 3);
    assert_eq!(u64::from(per_server[4]), opened_since);
    assert!(per_server[..4].iter().all(|&n| n > per_server[4]));
    let late = new_servers_share(&mut sim, 150.0, 200.0);
    println!("share 150-200 s {late:.3}");
    assert!(early < late && late > 0.17, "{early} then {late}");

    // Layer 7: the new server takes its fifth at once.
    let l7 = Connections {
        layer: Layer::L7,
        ..keep_alive(1_000_000)
    };
    let mut sim = Simulation::new(joining(l7, Algorithm::LeastConnections)).unwrap();
    let share = new_servers_share(&mut sim, 60.0, 70.0);
    println!("layer 7: 60-70 s {share:.3}");
    assert!((0.15..0.25).contains(&share), "{share}");
}

#[test]
fn an_http2_client_stays_on_one_server_under_layer_4_and_spreads_under_layer_7() {
    let run = |layer: Layer| {
        let mut s = Scenario::classroom();
        s.servers = (1..=6)
            .map(|i| server(&format!("server-{i}"), 1, 4))
            .collect();
        s.traffic.clients = 2;
        s.traffic.rate = 10.0;
        s.connections = Some(Connections {
            layer,
            protocol: Protocol::Http2,
            ..Connections::default()
        });
        let mut sim = Simulation::new(s).unwrap();
        sim.advance_to(at(60.0));
        let busy = sim
            .metrics()
            .servers()
            .iter()
            .filter(|s| s.routed > 0)
            .count();
        (busy, sim.connections_opened().unwrap())
    };
    // Two clients, one long-lived connection each: two servers do all the work.
    assert_eq!(run(Layer::L4), (2, 2));
    assert_eq!(run(Layer::L7), (6, 2));
}

#[test]
fn a_new_connection_costs_a_handshake_and_keep_alive_saves_it() {
    // One request per connection pays one more client round trip (600 ms here) than one on a
    // connection kept alive.
    let latency = |max_requests| {
        let mut s = Scenario::classroom();
        s.traffic.rate = 2.0;
        s.traffic.clients = 1;
        s.traffic.cost = CostDistribution::Constant {
            cost: SimDuration::from_millis(10),
        };
        s.connections = Some(Connections {
            max_requests,
            ..Connections::default()
        });
        let mut sim = Simulation::new(s).unwrap();
        sim.advance_to(at(120.0));
        (
            sim.metrics().latency().quantile(0.5).unwrap() as f64 / 1_000.0,
            sim.connections_opened().unwrap(),
        )
    };
    let (fresh, opened_fresh) = latency(1);
    let (kept, opened_kept) = latency(1_000);
    println!(
        "p50 {fresh} ms with a connection per request ({opened_fresh}), {kept} ms kept alive ({opened_kept})"
    );
    assert!((fresh - kept - 600.0).abs() < 20.0, "{fresh} vs {kept}");
    assert!(opened_kept < opened_fresh / 5);
}

#[test]
fn a_crash_resets_layer_4_connections_and_clients_reconnect_elsewhere() {
    let mut s = joining(keep_alive(1_000_000), Algorithm::LeastConnections);
    s.timeline = vec![TimedCommand {
        at: at(20.0),
        command: Command::Kill { server: 1 },
    }];
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(at(19.0));
    assert!(sim.connections_per_server()[1] > 10);
    sim.advance_to(at(60.0));
    assert_eq!(sim.connections_per_server()[1], 0);
    assert!(sim.totals().balanced());
    // The dead server is DOWN and every request since 30 s has gone elsewhere.
    let routed = sim.metrics().servers()[1].routed;
    sim.advance_to(at(90.0));
    assert_eq!(sim.metrics().servers()[1].routed, routed);
}

#[test]
fn what_a_layer_4_balancer_cannot_do_is_refused_in_words() {
    let mut s = joining(keep_alive(100), Algorithm::ConsistentHashUri);
    assert_eq!(
        Simulation::new(s.clone()).err().unwrap().to_string(),
        "algorithm: hashing the URI needs layer 7: a layer-4 balancer does not see requests"
    );
    s.algorithm = Algorithm::RoundRobin;
    s.resilience.retry = RetryPolicy::NGINX_DEFAULT;
    assert_eq!(
        Simulation::new(s.clone()).err().unwrap().to_string(),
        "resilience.retry: retrying a request needs layer 7: a layer-4 balancer does not see requests"
    );
    s.resilience.retry = RetryPolicy::OFF;
    let mut sim = Simulation::new(s).unwrap();
    assert_eq!(
        sim.apply(Command::SetAlgorithm(Algorithm::StickySessions))
            .unwrap_err()
            .to_string(),
        "algorithm: a session cookie needs layer 7: a layer-4 balancer does not read cookies"
    );
    assert!(sim.apply(Command::SetAlgorithm(Algorithm::IpHash)).is_ok());
}

#[test]
fn switching_to_layer_7_spreads_at_once_what_layer_4_kept_pinned() {
    let mut s = joining(keep_alive(1_000_000), Algorithm::LeastConnections);
    s.timeline.push(TimedCommand {
        at: at(120.0),
        command: Command::SetLayer(Layer::L7),
    });
    let mut sim = Simulation::new(s).unwrap();
    let pinned = new_servers_share(&mut sim, 60.0, 120.0);
    let spread = new_servers_share(&mut sim, 120.0, 150.0);
    println!("the new server's share: {pinned:.3} at layer 4, {spread:.3} after the switch");
    assert!(pinned < 0.03 && (0.15..0.25).contains(&spread));
    assert!(sim.totals().balanced());
    // And back: each connection keeps the server its next request gets.
    sim.apply(Command::SetLayer(Layer::L4)).unwrap();
    sim.advance_to(at(200.0));
    let open: u32 = sim.connections_per_server().iter().sum();
    assert!(open >= 100, "{open}");
    // Without connections there is no layer to switch.
    let mut plain = Simulation::new(Scenario::classroom()).unwrap();
    assert_eq!(
        plain
            .apply(Command::SetLayer(Layer::L4))
            .unwrap_err()
            .to_string(),
        "layer: the scenario has no connections (scenario.connections) to balance at layer 4"
    );
}

/// Each server's requests routed from `from` to `to` seconds.
fn routed_between(sim: &mut Simulation, from: f64, to: f64) -> Vec<u64> {
    sim.advance_to(at(from));
    let before: Vec<u64> = sim.metrics().servers().iter().map(|s| s.routed).collect();
    sim.advance_to(at(to));
    sim.metrics()
        .servers()
        .iter()
        .enumerate()
        .map(|(i, s)| s.routed - before.get(i).copied().unwrap_or(0))
        .collect()
}

#[test]
fn the_connection_presets_show_what_their_text_says() {
    let preset = |id| Simulation::new(lb_playground::sim::presets::preset(id).unwrap()).unwrap();
    // layer4-vs-layer7: server-5 idles from 30 s to 90 s, then takes its fifth.
    let mut sim = preset("layer4-vs-layer7");
    let l4 = routed_between(&mut sim, 30.0, 90.0);
    let l7 = routed_between(&mut sim, 90.0, 150.0);
    let share = |r: &[u64]| r[4] as f64 / r.iter().sum::<u64>() as f64;
    println!(
        "layer4-vs-layer7: server-5 {:.3} at layer 4, {:.3} at layer 7",
        share(&l4),
        share(&l7)
    );
    assert!(share(&l4) < 0.08, "{l4:?}");
    assert!((0.16..0.24).contains(&share(&l7)), "{l7:?}");
    // http2-pinning: three servers do everything until 60 s, then all six share.
    let mut sim = preset("http2-pinning");
    let pinned = routed_between(&mut sim, 5.0, 60.0);
    let spread = routed_between(&mut sim, 60.0, 120.0);
    println!("http2-pinning: {pinned:?} then {spread:?}");
    assert_eq!(pinned.iter().filter(|&&n| n > 0).count(), 3, "{pinned:?}");
    assert!(spread.iter().all(|&n| n > 150), "{spread:?}");
    assert!(sim.totals().balanced());
}

#[test]
fn open_connections_show_each_http2_client_pinned_to_one_server() {
    // http2-pinning at 30 s: three clients, one long-lived connection each, on three servers
    // (round robin per connection), the same three as the per-server counts.
    let mut sim =
        Simulation::new(lb_playground::sim::presets::preset("http2-pinning").unwrap()).unwrap();
    sim.advance_to(at(30.0));
    let open: Vec<_> = sim.open_connections().collect();
    assert_eq!(open.len(), 3);
    let mut clients: Vec<u32> = open.iter().map(|c| c.client).collect();
    clients.dedup();
    assert_eq!(clients.len(), 3);
    let mut servers: Vec<u32> = open.iter().map(|c| c.server.expect("pinned")).collect();
    servers.sort_unstable();
    servers.dedup();
    assert_eq!(servers.len(), 3);
    let per_server = sim.connections_per_server();
    for s in servers {
        assert_eq!(per_server[s as usize], 1);
    }
    // At layer 7 the connections stay open but end at the balancer.
    sim.advance_to(at(70.0));
    assert!(sim.open_connections().all(|c| c.server.is_none()));
}

#[test]
fn a_layer_4_balancer_counts_exactly_the_connections_open_on_each_server_after_a_crash() {
    // With network delays, requests are on their way to the balancer over connections the
    // crash resets: their clients' next requests open new connections, and the balancer's
    // count of connections per server (what least connections compares) stays the true one.
    let mut s = joining(keep_alive(1_000_000), Algorithm::LeastConnections);
    s.client_latency = SimDuration::from_millis(300);
    s.backend_latency = SimDuration::from_millis(100);
    s.timeline = script(&[
        (20.0, Command::Kill { server: 1 }),
        (25.0, Command::Revive { server: 1 }),
    ]);
    let mut sim = Simulation::new(s).unwrap();
    for t in [19.0, 20.5, 30.0, 60.0] {
        sim.advance_to(at(t));
        let counted: Vec<u32> = sim.pool().iter().map(|c| c.active).collect();
        assert_eq!(counted, sim.connections_per_server(), "at {t} s");
    }
    assert!(sim.totals().balanced());
}

/// Two layer-4 balancers in front of [`joining`]'s four servers (no fifth joins), reached as
/// `spread` says, over connections kept alive for good.
fn two_at_layer_4(spread: Spread) -> Scenario {
    let mut s = joining(keep_alive(1_000_000), Algorithm::LeastConnections);
    s.resilience.health = None;
    s.timeline.clear();
    s.front = Some(Front::new(2, spread));
    s
}

/// Each balancer's own count of the connections it pinned, per server, summed over both, and
/// the open connections each balancer holds.
fn pinned(sim: &Simulation) -> (Vec<u32>, [usize; 2]) {
    let (a, b) = (sim.active_seen_by(0), sim.active_seen_by(1));
    let summed = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    let mut held = [0; 2];
    for c in sim.open_connections() {
        held[usize::from(c.balancer)] += 1;
    }
    (summed, held)
}

#[test]
fn layer_4_balancers_behind_dns_count_their_own_connections_and_a_crash_ends_those_it_held() {
    let mut s = two_at_layer_4(Spread::Dns(DnsConfig {
        ttl: SimDuration::from_secs(10),
        health_checked: true,
    }));
    s.timeline = script(&[(20.0, Command::KillBalancer { balancer: 0 })]);
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(at(19.0));
    let (summed, held) = pinned(&sim);
    // Each of the 100 clients keeps a connection to the balancer its DNS answer names: DNS
    // round robin gives each balancer about half of them, each counting only its own.
    assert_eq!(summed, sim.connections_per_server());
    assert!(held[0] > 30 && held[1] > 30, "{held:?}");
    assert_eq!(held[0] as u32, sim.active_seen_by(0).iter().sum::<u32>());
    let opened = sim.connections_opened().unwrap();
    sim.advance_to(at(20.001));
    let (summed, held) = pinned(&sim);
    assert_eq!(held[0], 0, "lb-1's connections ended with it");
    assert_eq!(sim.active_seen_by(0), [0, 0, 0, 0]);
    assert_eq!(summed, sim.connections_per_server());
    // Within the 10 s TTL every client has moved to lb-2 over a new connection.
    sim.advance_to(at(45.0));
    let (summed, held) = pinned(&sim);
    assert_eq!(held[0], 0);
    assert!(held[1] >= 90, "{held:?}");
    assert_eq!(summed, sim.connections_per_server());
    assert!(sim.connections_opened().unwrap() >= opened + 30);
    assert!(sim.totals().balanced());
}

#[test]
fn a_new_vrrp_master_knows_no_connections_and_clients_open_new_ones_through_it() {
    let mut s = two_at_layer_4(Spread::Vrrp(VrrpConfig::default()));
    s.timeline = script(&[
        (20.0, Command::KillBalancer { balancer: 0 }),
        (40.0, Command::ReviveBalancer { balancer: 0 }),
    ]);
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(at(19.0));
    let (summed, held) = pinned(&sim);
    // Every connection goes to the virtual address, which the master lb-1 holds.
    assert!(held[0] >= 90 && held[1] == 0, "{held:?}");
    assert_eq!(summed, sim.connections_per_server());
    // lb-2 takes over at 23.6 s (3 x 1 s + its skew 0.6 s): the clients reconnect through it.
    sim.advance_to(at(30.0));
    let (summed, held) = pinned(&sim);
    assert!(held[0] == 0 && held[1] >= 90, "{held:?}");
    assert_eq!(sim.active_seen_by(0), [0, 0, 0, 0]);
    assert_eq!(summed, sim.connections_per_server());
    // lb-1 is back at 40 s and preempts: lb-2's connections are reset, and lb-1 takes them.
    sim.advance_to(at(60.0));
    let (summed, held) = pinned(&sim);
    assert!(held[0] >= 90 && held[1] == 0, "{held:?}");
    assert_eq!(sim.active_seen_by(1), [0, 0, 0, 0]);
    assert_eq!(summed, sim.connections_per_server());
    assert!(sim.totals().balanced());
}

#[test]
fn a_local_tier_with_connections_is_refused_in_words() {
    let mut s = lb_playground::sim::presets::preset("hierarchical-balancing").unwrap();
    s.connections = Some(keep_alive(100));
    let error = Simulation::new(s).err().expect("refused");
    assert_eq!(error.field, "front.local");
    assert!(
        error
            .problem
            .contains("cannot be combined with `connections`"),
        "{error}"
    );
}
