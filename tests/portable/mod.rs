//! A run whose numbers are pinned, checked natively (tests/simulation.rs) and in the browser
//! (tests/browser.rs): the same scenario, seed and commands must give the same numbers on both.

use lb_playground::sim::{Algorithm, Command, Scenario, SimTime, Simulation};

/// Runs the classroom scenario with seed 42 through a kill, a slow-down, an algorithm switch and a
/// revive, and returns its fingerprint: totals, latency sum and per-server routed counts.
pub fn fingerprint() -> String {
    let mut sim = Simulation::new(Scenario {
        seed: 42,
        ..Scenario::classroom()
    })
    .unwrap();
    let at = |s: f64| SimTime::from_secs_f64(s);
    sim.advance_to(at(30.0));
    sim.apply(Command::Kill { server: 0 }).unwrap();
    sim.apply(Command::SetSpeed {
        server: 1,
        speed: 0.2,
    })
    .unwrap();
    sim.advance_to(at(60.0));
    sim.apply(Command::SetAlgorithm(Algorithm::LeastConnections))
        .unwrap();
    sim.apply(Command::Revive { server: 0 }).unwrap();
    sim.advance_to(at(120.0));
    let latency = sim.metrics().latency();
    let routed: Vec<u64> = sim.metrics().servers().iter().map(|s| s.routed).collect();
    format!(
        "{:?} mean={:?} p99={:?} routed={routed:?}",
        sim.totals(),
        latency.mean(),
        latency.quantile(0.99)
    )
}

/// The pinned fingerprint.
pub const EXPECTED: &str = "Totals { generated: 1195, completed: 1129, failed: 15, rejected: 0, rate_limited: 0, in_flight: 19, queued: 32, connections: None } mean=Some(3734544.252435784) p99=Some(53215232) routed=[279, 174, 371, 369]";

/// The JSON report of the crash-recovery preset after its 90 s, reduced to a digest (FNV-1a).
pub fn preset_report_digest() -> String {
    use lb_playground::sim::presets::preset;
    use lb_playground::sim::report::Report;
    let scenario = preset("crash-recovery").unwrap();
    let end = SimTime(scenario.duration.unwrap().0);
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(end);
    let json = Report::drain(&mut sim).to_json();
    format!("{} / {}", digest(&json), digest(&without_event_data(&json)))
}

fn digest(json: &str) -> String {
    let hash = lb_playground::sim::hash::fnv1a(json.as_bytes());
    format!("{} bytes, fnv {hash:016x}", json.len())
}

/// The pretty-printed report with each event's data fields taken out, leaving `at`, `kind` and
/// `text` as they were before the events carried data.
fn without_event_data(json: &str) -> String {
    let mut out = Vec::new();
    let mut skipping = false;
    for line in json.split('\n') {
        if skipping {
            skipping = !line.starts_with("    }");
            if skipping {
                continue;
            }
        } else if let Some(text) = line
            .strip_prefix("      \"text\": ")
            .and_then(|t| t.strip_suffix(','))
        {
            out.push(format!("      \"text\": {text}"));
            skipping = true;
            continue;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

/// The pinned digests of that report, whole and without the events' data fields. The second is
/// the digest the report had before events carried data (2991 bytes, fnv 418a175b9f1f9728), so
/// adding the data changed nothing else; before the report had `paths` it was 2713 bytes, fnv
/// 6de510dc49ddca68. The totals' and paths' `rate_limited` (0 here) added 48 bytes to each. A
/// kill's words gained "the tries of its" (17 bytes a kill, two here): before, 4635 bytes, fnv
/// 9acb779d34cdfa91 / 3039 bytes, fnv b175dc1cc38a63e0.
pub const EXPECTED_REPORT_DIGEST: &str =
    "4669 bytes, fnv 328773f113eaf0b3 / 3073 bytes, fnv cbb6310f5d1ae5c0";

/// The JSON report of preset `id` at the end of its duration, reduced to a digest (FNV-1a).
pub fn preset_end_digest(id: &str) -> String {
    use lb_playground::sim::presets::preset;
    use lb_playground::sim::report::Report;
    let scenario = preset(id).unwrap();
    let end = SimTime(scenario.duration.unwrap().0);
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(end);
    digest(&Report::drain(&mut sim).to_json())
}

/// The pinned digests of [`preset_end_digest`]: tls-termination after its 240 s (the
/// balancer's cores, its queue and the handshakes' draws), the presets with several balancers
/// (DNS lookups, load reports, VRRP timers, SYN retransmissions, the local tier's picks), and
/// health-check-kinds (the three kinds of check, and the fault draws), and
/// balancer-tier-sizing (each balancer's own cores, emptied by its crash). The kill's longer
/// words moved regions-failover (four kills, from 10666 bytes, fnv 0aaa71e9176ae5d1) and
/// hierarchical-balancing (one, from 8541 bytes, fnv 8d8e49ccfde57378), and nothing else. A new
/// connection's handshake at the layer the balancer works at now (it had kept the scenario's
/// first layer) moved tls-termination (from 3720 bytes, fnv fa4dc7e8c3088775), and nothing else.
pub const EXPECTED_END_DIGESTS: [(&str, &str); 7] = [
    ("tls-termination", "3723 bytes, fnv 9975249f6f31457c"),
    ("many-balancers-herding", "6622 bytes, fnv a26a56be977bcf50"),
    ("balancer-failover", "3584 bytes, fnv 9736a81c555eea71"),
    ("regions-failover", "10734 bytes, fnv fbaa27a77169a045"),
    ("hierarchical-balancing", "8558 bytes, fnv cb19f86275969f5f"),
    ("health-check-kinds", "6028 bytes, fnv 6f6fc86830f69032"),
    ("balancer-tier-sizing", "3490 bytes, fnv 65af0fc9d6598229"),
];
