//! Autoscalers at work in whole runs: the decisions they make from what the engine measures,
//! boot times, warm-up, cooldowns, draining on scale-in, and the bounded list of servers.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::autoscale::{
    Autoscale, Direction, Hpa, Metric, Policy, ScaleDecision, TargetTracking,
};
use lb_playground::sim::command::TimedCommand;
use lb_playground::sim::events::ScaleEvent;
use lb_playground::sim::report::Report;
use lb_playground::sim::scenario::server;
use lb_playground::sim::traffic::{CostDistribution, Pattern};
use lb_playground::sim::{
    Command, Event, Logged, Resilience, Scenario, SimDuration, SimTime, Simulation,
};

fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

fn hpa(target: f64) -> Autoscale {
    Autoscale {
        policy: Policy::Hpa(Hpa::default()),
        metric: Metric::Cpu,
        target,
        min: 2,
        max: 10,
        boot_time: SimDuration::from_secs(30),
    }
}

/// Four one-worker servers (capacity 40 requests/s at 100 ms each) under `rate` requests/s,
/// no network delays, no health checks.
fn fleet(rate: f64, autoscale: Autoscale) -> Scenario {
    let mut scenario = Scenario {
        servers: (1..=4)
            .map(|i| server(&format!("server-{i}"), 1, 1))
            .collect(),
        client_latency: SimDuration::ZERO,
        backend_latency: SimDuration::ZERO,
        resilience: Resilience::NONE,
        autoscale: Some(autoscale),
        ..Scenario::classroom()
    };
    scenario.traffic.rate = rate;
    scenario.traffic.pattern = Pattern::Constant;
    scenario.traffic.client_timeout = None;
    scenario.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(100),
    };
    scenario
}

fn events(sim: &mut Simulation) -> Vec<Logged> {
    std::iter::from_fn(|| sim.poll_event()).collect()
}

fn scalings(events: &[Logged]) -> Vec<(SimTime, ScaleEvent)> {
    events
        .iter()
        .filter_map(|l| match &l.event {
            Event::Scale(e) => Some((l.at, (**e).clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn hpa_scales_out_from_the_cpu_it_measured_and_new_servers_take_traffic_only_once_booted() {
    let mut sim = Simulation::new(fleet(36.0, hpa(0.6))).unwrap();
    sim.advance_to(secs(16.0));
    let log = events(&mut sim);
    let scaled = scalings(&log);
    assert_eq!(scaled.len(), 1, "one decision in the first sync period");
    let (at, e) = &scaled[0];
    let d: ScaleDecision = e.decision;
    assert_eq!(*at, secs(15.0), "at the first sync");
    assert_eq!((d.direction, d.from, d.counted), (Direction::Out, 4, 4));
    // 36 req/s of 100 ms work on 4 workers is 90% CPU; the run measured it, and its decision
    // is HPA's arithmetic on what it measured.
    assert!((d.measured - 0.9).abs() < 0.1, "measured {}", d.measured);
    let expected = (4.0 * (d.measured * 1000.0).round() / 600.0).ceil() as u32;
    assert_eq!(d.desired, expected);
    assert_eq!(d.to, d.desired);
    assert_eq!(e.servers.len() as u32, d.to - 4);
    let new: Vec<usize> = e.servers.iter().map(|&s| s as usize).collect();
    assert!(new.iter().all(|&s| sim.backends()[s].booting()));
    // Booting: no requests for 30 s.
    sim.advance_to(secs(44.9));
    for &s in &new {
        assert_eq!(sim.metrics().servers()[s].routed, 0, "server {s} booting");
    }
    sim.advance_to(secs(60.0));
    let log = events(&mut sim);
    let ready: Vec<(SimTime, u32)> = log
        .iter()
        .filter_map(|l| match &l.event {
            Event::Ready(r) => Some((l.at, r.server)),
            _ => None,
        })
        .collect();
    assert_eq!(ready.len(), new.len());
    assert!(ready.iter().all(|&(at, _)| at == secs(45.0)));
    for &s in &new {
        assert!(
            sim.metrics().servers()[s].routed > 0,
            "server {s} serves once ready"
        );
    }
    let last = sim.metrics().series().back().unwrap().fleet;
    assert_eq!((last.servers, last.in_rotation), (d.to, d.to));
    assert!(sim.totals().balanced());
}

#[test]
fn hpa_waits_out_its_stabilisation_window_then_drains_the_newest_servers() {
    let mut scenario = fleet(36.0, hpa(0.6));
    // The load falls to a tenth at 60 s.
    scenario.timeline = vec![TimedCommand {
        at: secs(60.0),
        command: Command::SetRate(3.6),
    }];
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(secs(700.0));
    let log = events(&mut sim);
    let scaled = scalings(&log);
    let first_in = scaled
        .iter()
        .find(|(_, e)| e.decision.direction == Direction::In)
        .expect("a scale-in");
    // The last high recommendation was made at the 60 s sync (it measured 45-60 s); the window
    // holds the count until no recommendation less than 300 s old is high: 360 s.
    let last_out = scaled
        .iter()
        .filter(|(_, e)| e.decision.direction == Direction::Out)
        .map(|(at, _)| *at)
        .max()
        .unwrap();
    assert!(last_out <= secs(60.0), "last scale-out at {last_out:?}");
    assert!(
        first_in.0 >= secs(360.0) && first_in.0 <= secs(375.0),
        "{:?}",
        first_in.0
    );
    let (_, e) = first_in;
    // The newest go first.
    let mut taken = e.servers.clone();
    taken.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(taken, e.servers);
    for &s in &e.servers {
        assert!(sim.backends()[s as usize].removed());
    }
    assert!(sim.totals().balanced());
    let fleet = sim.metrics().series().back().unwrap().fleet;
    assert!(fleet.servers >= 2, "never below its minimum: {fleet:?}");
}

#[test]
fn target_tracking_waits_for_its_alarm_counts_only_warm_servers_and_cools_down() {
    let config = Autoscale {
        policy: Policy::TargetTracking(TargetTracking {
            period: SimDuration::from_secs(10),
            scale_out_periods: 3,
            scale_out_cooldown: SimDuration::from_secs(60),
            warmup: SimDuration::from_secs(40),
            ..TargetTracking::default()
        }),
        target: 0.5,
        min: 1,
        max: 20,
        boot_time: SimDuration::from_secs(10),
        ..hpa(0.5)
    };
    // 36 req/s on 4 servers is 90% against a 50% target.
    let mut scenario = fleet(36.0, config);
    // At 60 s the load more than doubles: another scale-out is wanted at once.
    scenario.timeline = vec![TimedCommand {
        at: secs(60.0),
        command: Command::SetRate(80.0),
    }];
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(secs(200.0));
    let scaled = scalings(&events(&mut sim));
    let outs: Vec<&(SimTime, ScaleEvent)> = scaled
        .iter()
        .filter(|(_, e)| e.decision.direction == Direction::Out)
        .collect();
    assert!(outs.len() >= 2, "{outs:?}");
    // Three datapoints of 10 s above the target: the first at 30 s.
    assert_eq!(outs[0].0, secs(30.0));
    assert_eq!(outs[0].1.decision.counted, 4);
    // The cooldown holds the next one until 90 s, and the servers launched at 30 s are still
    // warming up until 70 s, so they count from then.
    assert!(outs[1].0 >= secs(90.0), "{:?}", outs[1].0);
    for pair in outs.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= SimDuration::from_secs(60));
    }
    assert!(sim.totals().balanced());
}

#[test]
fn a_run_that_scales_out_and_in_all_day_reuses_the_slots_of_servers_it_took_away() {
    let mut scenario = fleet(
        36.0,
        Autoscale {
            policy: Policy::Hpa(Hpa {
                scale_down_window: SimDuration::ZERO,
                ..Hpa::default()
            }),
            boot_time: SimDuration::from_secs(5),
            ..hpa(0.6)
        },
    );
    // The load swings between 4 servers' worth and a tenth of it every 2 minutes.
    scenario.traffic.pattern = Pattern::Wave {
        period: SimDuration::from_secs(120),
        amplitude: 0.9,
    };
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(secs(4.0 * 3600.0));
    let scaled = scalings(&events(&mut sim));
    let launched: usize = scaled
        .iter()
        .filter(|(_, e)| e.decision.direction == Direction::Out)
        .map(|(_, e)| e.servers.len())
        .sum();
    assert!(launched > 100, "it kept scaling: {launched} launches");
    assert!(
        sim.servers().len() <= 10 + 4,
        "{} slots",
        sim.servers().len()
    );
    assert!(sim.totals().balanced());
}

#[test]
fn an_autoscale_command_is_checked_and_switches_the_autoscaler() {
    let mut sim = Simulation::new(fleet(36.0, hpa(0.6))).unwrap();
    let bad = Command::SetAutoscale(Some(Autoscale {
        target: 2.0,
        ..hpa(0.6)
    }));
    let e = sim.apply(bad).unwrap_err();
    assert_eq!(e.field, "autoscale.target");
    sim.apply(Command::SetAutoscale(None)).unwrap();
    sim.advance_to(secs(120.0));
    assert!(scalings(&events(&mut sim)).is_empty(), "switched off");
    assert_eq!(sim.servers().len(), 4);
}

#[test]
fn the_report_words_each_decision_and_keeps_its_numbers() {
    let mut sim = Simulation::new(fleet(36.0, hpa(0.6))).unwrap();
    sim.advance_to(secs(50.0));
    let report = Report::drain(&mut sim);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let events = json["events"].as_array().unwrap();
    let out = events
        .iter()
        .find(|e| e["kind"] == "scale_out")
        .expect("scale_out");
    assert_eq!(out["from"], 4);
    assert_eq!(out["metric"], "cpu");
    assert_eq!(out["target"], 0.6);
    assert!(out["desired"].as_u64().unwrap() > 4);
    assert!(out["servers"][0].as_str().unwrap().starts_with("server-"));
    let text = out["text"].as_str().unwrap();
    assert!(text.starts_with("autoscaler: 4 -> "), "{text}");
    assert!(text.contains("target of 60% CPU"), "{text}");
    let ready = events
        .iter()
        .find(|e| e["kind"] == "server_ready")
        .expect("server_ready");
    assert_eq!(ready["launched"], 15.0);
}

/// The highest p95 (ms) of the windows ending in `[from, to)` seconds.
fn worst_p95(sim: &Simulation, from: f64, to: f64) -> f64 {
    sim.metrics()
        .series()
        .iter()
        .filter(|s| s.end >= secs(from) && s.end < secs(to))
        .filter_map(|s| s.p95_ms)
        .fold(0.0, f64::max)
}

#[test]
fn the_flash_crowd_preset_scales_too_late_with_target_tracking_and_in_time_with_hpa() {
    let scenario = lb_playground::sim::presets::preset("autoscale-flash-crowd").unwrap();
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(secs(300.0));
    let log = events(&mut sim);
    let scaled = scalings(&log);
    let outs: Vec<SimTime> = scaled
        .iter()
        .filter(|(_, e)| e.decision.direction == Direction::Out)
        .map(|(at, _)| *at)
        .collect();
    let ready: Vec<SimTime> = log
        .iter()
        .filter(|l| matches!(l.event, Event::Ready(_)))
        .map(|l| l.at)
        .collect();
    // The first crowd (20 s to 90 s): target tracking's three datapoints, then a 45 s boot.
    assert_eq!(outs[0], secs(60.0), "{outs:?}");
    assert_eq!(ready[0], secs(105.0), "ready after the crowd has gone");
    assert_eq!(
        outs[1],
        secs(120.0),
        "warm-up hides the new servers: two more"
    );
    // The second crowd (from 180 s): HPA on requests per second with 5 s boots.
    let second = outs.iter().find(|&&t| t > secs(180.0)).unwrap();
    assert!(*second <= secs(195.0), "{second:?}");
    let late = worst_p95(&sim, 20.0, 150.0);
    let in_time = worst_p95(&sim, 180.0, 300.0);
    assert!(
        late > 25_000.0,
        "p95 peaked at {late} ms in the first crowd"
    );
    assert!(
        in_time < 10_000.0,
        "p95 peaked at {in_time} ms in the second crowd"
    );
    assert!(sim.totals().balanced());
}

#[test]
fn a_saved_run_that_commands_a_launched_server_loads_and_replays() {
    let mut sim = Simulation::new(fleet(36.0, hpa(0.6))).unwrap();
    sim.advance_to(secs(50.0));
    assert!(sim.servers().len() > 4, "launched servers");
    sim.apply(Command::Kill { server: 4 }).unwrap();
    sim.advance_to(secs(80.0));
    let saved = sim.export_scenario();
    let mut replay = Simulation::new(saved).expect("the export loads");
    replay.advance_to(sim.now());
    assert_eq!(replay.totals(), sim.totals());
    assert!(!replay.servers()[4].is_alive());
    // Without an autoscaler the same server number is refused up front, as before.
    let mut plain = fleet(36.0, hpa(0.6));
    plain.autoscale = None;
    plain.timeline = vec![TimedCommand {
        at: secs(1.0),
        command: Command::Kill { server: 4 },
    }];
    let e = Simulation::new(plain).err().expect("refused");
    assert_eq!(e.field, "timeline[0].do (server)");
}
