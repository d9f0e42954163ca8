//! Engine behaviour that needs the core's own counters.

use super::*;
use crate::sim::LogKind;
use crate::sim::balancer::ring_work;
use crate::sim::scenario::server;

/// A pool big enough that rebuilding its ring shows: 50 servers of weight 100 (800,000 points).
fn heavy_hashing_pool() -> Simulation {
    Simulation::new(Scenario {
        algorithm: Algorithm::ConsistentHashSession,
        servers: (1..=50)
            .map(|i| server(&format!("server-{i}"), 100, 2))
            .collect(),
        traffic: Traffic {
            rate: 0.0,
            clients: 10_000,
            ..Scenario::classroom().traffic
        },
        ..Scenario::classroom()
    })
    .unwrap()
}

#[test]
fn availability_changes_under_consistent_hashing_build_no_ring_and_look_up_no_key() {
    let mut sim = heavy_hashing_pool();
    let drain = |sim: &mut Simulation, server, on| {
        sim.apply(Command::Drain { server, on }).unwrap();
        sim.drain_events()
            .filter(|e| e.event.kind() == LogKind::Remap)
            .count()
    };
    // The first report sets up the sample's owners: one ring, every key looked up once.
    assert_eq!(drain(&mut sim, 0, true) + drain(&mut sim, 0, false), 2);
    let (points, lookups) = ring_work::take();
    assert!(points <= 800_000 && lookups <= 10_000, "{points} {lookups}");
    for i in 0..100 {
        assert_eq!(
            drain(&mut sim, (i / 2 * 7) % 50, i % 2 == 0),
            1,
            "toggle {i}"
        );
    }
    assert_eq!(
        ring_work::take(),
        (0, 0),
        "a toggle re-resolves only its own keys"
    );
}
