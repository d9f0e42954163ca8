//! Hierarchical balancing (global DNS, regional balancers, local balancers in front of
//! clusters): how a regional balancer weighs its local ones, what a local balancer's crash
//! loses, the hop's delay, and the totals kept across the tiers. Worked numbers in each test.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::command::TimedCommand;
use lb_playground::sim::events::{Before, Event};
use lb_playground::sim::front::dns::DnsConfig;
use lb_playground::sim::front::hierarchy::{Level, LocalTier};
use lb_playground::sim::front::regions::Region;
use lb_playground::sim::front::{Front, Spread};
use lb_playground::sim::report::Report;
use lb_playground::sim::request::Outcome;
use lb_playground::sim::traffic::CostDistribution;
use lb_playground::sim::{Command, Scenario, SimDuration, SimTime, Simulation};

fn at(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

fn ms(v: u64) -> SimDuration {
    SimDuration::from_millis(v)
}

/// Two regions, `eu` with five one-worker servers and `us` with four, half the clients each,
/// 5 ms within a region and 50 ms between; one regional balancer in each (lb-1, lb-2) and two
/// local ones under it: lb-3 in front of eu's servers 1-3, lb-4 of 4-5, lb-5 of us's 6-7, lb-6
/// of 8-9. Constant 50 ms requests at `rate` a second, 2 ms to the servers, `hop` between the
/// tiers, HAProxy's health checks.
fn tiers(rate: f64, hop: SimDuration, timeline: Vec<TimedCommand>) -> Scenario {
    let mut s = Scenario::classroom();
    s.servers = (1..=9)
        .map(|i| lb_playground::sim::scenario::server(&format!("server-{i}"), 1, 1))
        .collect();
    s.client_latency = ms(5);
    s.backend_latency = ms(2);
    s.traffic.clients = 2_000;
    s.traffic.rate = rate;
    s.traffic.cost = CostDistribution::Constant { cost: ms(50) };
    let region = |name: &str, servers| Region {
        name: name.into(),
        servers,
        clients: 0.5,
    };
    s.front = Some(Front {
        regions: vec![region("eu", 5), region("us", 4)],
        latency: vec![vec![ms(5), ms(50)], vec![ms(50), ms(5)]],
        local: Some(LocalTier { per_region: 2, hop }),
        ..Front::new(
            1,
            Spread::Dns(DnsConfig {
                ttl: SimDuration::from_secs(30),
                health_checked: true,
            }),
        )
    });
    s.timeline = timeline;
    s
}

fn timed(s: f64, command: Command) -> TimedCommand {
    TimedCommand { at: at(s), command }
}

/// Requests each balancer has taken so far.
fn received(sim: &Simulation) -> Vec<u64> {
    sim.metrics()
        .balancers()
        .iter()
        .map(|b| b.received)
        .collect()
}

#[test]
fn a_regional_balancer_weighs_its_local_ones_by_their_servers_in_rotation() {
    // eu's clusters have 3 and 2 servers: smooth weighted round robin sends exactly 3 of every
    // 5 requests to lb-3. server-1 dies at 60 s and health checks mark it DOWN at 66 s (checks
    // at 62, 64 and 66 s fail): from then on the clusters count 2 and 2, and split evenly.
    let mut sim = Simulation::new(tiers(
        20.0,
        SimDuration::ZERO,
        vec![timed(60.0, Command::Kill { server: 0 })],
    ))
    .unwrap();
    sim.advance_to(at(60.0));
    // What a regional balancer holds, one of its local balancers holds too.
    let held = sim.held_per_balancer();
    assert_eq!(held[0] + held[1], held[2..].iter().sum::<u32>(), "{held:?}");
    let before = received(&sim);
    let (a, b) = (before[2] as f64, before[3] as f64);
    assert!((a / (a + b) - 0.6).abs() < 0.005, "{before:?}");
    let (c, d) = (before[4], before[5]);
    assert!(c.abs_diff(d) <= 1, "us's clusters of 2 and 2: {before:?}");
    // What the page draws on lb-1: each local balancer's weight, its servers in rotation.
    assert_eq!(sim.local_shares(0), [(2, 3), (3, 2)]);
    assert_eq!(sim.local_shares(1), [(4, 2), (5, 2)]);
    assert!(
        sim.local_shares(2).is_empty(),
        "a local balancer weighs nothing"
    );
    sim.advance_to(at(67.0));
    assert_eq!(sim.local_shares(0), [(2, 2), (3, 2)]);
    let down = received(&sim);
    sim.advance_to(at(180.0));
    let after = received(&sim);
    let (a, b) = (after[2] - down[2], after[3] - down[3]);
    assert!(a.abs_diff(b) <= 1, "{a} against {b}");
    // Each tier counts every request once: what the regional balancers took, the local ones
    // took (none was turned away between them), and each tier's answers add up to the totals.
    let report = Report::drain(&mut sim);
    assert!(report.totals.balanced());
    let tier = |level: Level| {
        report
            .balancers
            .iter()
            .filter(move |b| b.tier == Some(level))
    };
    let sum = |level, of: fn(&lb_playground::sim::report::FrontBalancerReport) -> u64| {
        tier(level).map(of).sum::<u64>()
    };
    assert_eq!(tier(Level::Regional).count(), 2);
    assert_eq!(tier(Level::Local).count(), 4);
    assert_eq!(
        sum(Level::Regional, |b| b.routed),
        sum(Level::Local, |b| b.routed)
    );
    for level in [Level::Regional, Level::Local] {
        assert_eq!(sum(level, |b| b.completed), report.totals.completed);
        assert_eq!(sum(level, |b| b.failed), report.totals.failed);
    }
    let names: Vec<(&str, Option<&str>)> = report
        .balancers
        .iter()
        .map(|b| (b.name.as_str(), b.region.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("lb-1", Some("eu")),
            ("lb-2", Some("us")),
            ("lb-3", Some("eu")),
            ("lb-4", Some("eu")),
            ("lb-5", Some("us")),
            ("lb-6", Some("us"))
        ]
    );
}

#[test]
fn a_crashed_local_balancer_loses_what_it_held_and_its_region_carries_on() {
    // lb-3 (eu's first cluster) crashes at 30 s holding the requests it had sent to its
    // servers: they fail as balancer_down, no other request does, and from then on eu's
    // regional balancer sends everything to lb-4 (30 req/s to its two servers, 75% load). At
    // 60 s lb-3 is back and gets its 3 in 5 again.
    let mut sim = Simulation::new(tiers(
        60.0,
        SimDuration::ZERO,
        vec![
            timed(30.0, Command::KillBalancer { balancer: 2 }),
            timed(60.0, Command::ReviveBalancer { balancer: 2 }),
        ],
    ))
    .unwrap();
    sim.keep_finished(true);
    sim.advance_to(at(30.0));
    let crashed = received(&sim);
    // A crashed local balancer weighs nothing, whatever its servers.
    assert_eq!(sim.local_shares(0), [(2, 0), (3, 2)]);
    sim.advance_to(at(60.0));
    let back = received(&sim);
    assert_eq!(back[2], crashed[2], "lb-3 takes nothing while down");
    assert!(
        back[3] - crashed[3] > 800,
        "eu's 30 req/s go to lb-4: {back:?}"
    );
    sim.advance_to(at(120.0));
    let end = received(&sim);
    let (a, b) = ((end[2] - back[2]) as f64, (end[3] - back[3]) as f64);
    assert!((a / (a + b) - 0.6).abs() < 0.01, "{end:?}");
    let held = sim
        .drain_events()
        .find_map(|l| match l.event {
            Event::Command(c) => match c.before {
                Before::Held(n) => Some(n),
                _ => None,
            },
            _ => None,
        })
        .unwrap();
    let finished: Vec<_> = std::iter::from_fn(|| sim.poll_finished()).collect();
    let lost: Vec<_> = finished
        .iter()
        .filter(|r| r.outcome != Outcome::Success)
        .collect();
    println!("lb-3 held {held} requests when it crashed");
    assert!(held > 0, "18 req/s of 54 ms each: about one in flight");
    assert_eq!(lost.len() as u32, held, "{lost:?}");
    assert!(lost.iter().all(|r| r.outcome == Outcome::BalancerDown));
    let report = Report::drain(&mut sim);
    assert!(report.totals.balanced());
    assert_eq!(report.balancers[2].failed, u64::from(held));
}

#[test]
fn the_hop_between_the_tiers_adds_its_round_trip() {
    // A request from a client to its own region's balancer: 5 ms in, the hop, 2 ms to the
    // server, 50 ms of work, and back: 64 ms plus twice the hop, at a load light enough for
    // the fastest requests to find their server idle.
    let fastest = |hop| {
        let mut sim = Simulation::new(tiers(2.0, hop, Vec::new())).unwrap();
        sim.keep_finished(true);
        sim.advance_to(at(120.0));
        std::iter::from_fn(|| sim.poll_finished())
            .map(|r| r.latency)
            .min()
            .unwrap()
    };
    assert_eq!(fastest(SimDuration::ZERO), ms(64));
    assert_eq!(fastest(ms(10)), ms(84));
}

#[test]
fn bad_tiers_are_refused_with_their_field() {
    let mut s = tiers(20.0, SimDuration::ZERO, Vec::new());
    s.front.as_mut().unwrap().local = Some(LocalTier {
        per_region: 5,
        hop: SimDuration::ZERO,
    });
    let err = Simulation::new(s).err().unwrap().to_string();
    assert!(err.contains("front.local.per_region"), "{err}");
    assert!(err.contains("region 2 has 4 servers"), "{err}");
    let mut s = tiers(20.0, SimDuration::ZERO, Vec::new());
    let front = s.front.as_mut().unwrap();
    front.regions.clear();
    front.latency.clear();
    front.balancers = 2;
    let err = Simulation::new(s).err().unwrap().to_string();
    assert!(err.contains("give `regions` too"), "{err}");
}

#[test]
fn the_same_seed_gives_the_same_report_with_a_local_tier() {
    let run = || {
        let mut sim = Simulation::new(tiers(
            30.0,
            ms(3),
            vec![
                timed(20.0, Command::Kill { server: 6 }),
                timed(40.0, Command::KillBalancer { balancer: 0 }),
            ],
        ))
        .unwrap();
        sim.advance_to(at(120.0));
        Report::drain(&mut sim).to_json()
    };
    assert_eq!(run(), run());
}
