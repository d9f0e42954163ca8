//! Scenario files: round trips, validation messages, timelines and presets.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::presets::{PRESETS, preset};
use lb_playground::sim::report::Report;
use lb_playground::sim::scenario::MAX_FILE_BYTES;
use lb_playground::sim::{Command, Scenario, SimTime, Simulation};

#[test]
fn every_preset_round_trips_through_json() {
    for p in &PRESETS {
        let scenario = (p.build)();
        let json = scenario.to_json();
        assert_eq!(Scenario::from_json(&json), Ok(scenario), "{}", p.id);
    }
}

#[test]
fn a_minimal_file_takes_defaults() {
    let json = r#"{
        "servers": [{"name": "a"}, {"name": "b", "weight": 3, "workers": 4}],
        "traffic": {"rate": 20, "cost": {"kind": "exponential", "mean": "100ms"}, "clients": 50},
        "algorithm": "nginx-smooth-wrr",
        "timeline": [{"at": "10s", "do": {"kill": {"server": 2}}}, {"at": "15s", "do": {"set_rate": 5}}]
    }"#;
    let s = Scenario::from_json(json).unwrap();
    assert_eq!(s.servers[0].weight, 1);
    assert_eq!(s.servers[1].workers, 4);
    assert_eq!(s.timeline[0].command, Command::Kill { server: 1 });
    assert_eq!(s.timeline[1].at, SimTime::from_secs_f64(15.0));
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(SimTime::from_secs_f64(20.0));
    assert!(!sim.servers()[1].is_alive());
    assert_eq!(sim.traffic().rate, 5.0);
}

fn error_of(json: &str) -> String {
    match Scenario::from_json(json) {
        Ok(s) => Simulation::new(s)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default(),
        Err(e) => e.to_string(),
    }
}

/// A valid file with one substitution.
fn file(replace: &str, with: &str) -> String {
    let base = r#"{"servers": [{"name": "a", "weight": 2}], "traffic": {"rate": 10, "cost": {"kind": "exponential", "mean": "100ms"}, "clients": 5}, "algorithm": "round-robin", "duration": "60s", "timeline": [{"at": "30s", "do": {"kill": {"server": 1}}}]}"#;
    assert!(base.contains(replace), "{replace}");
    base.replace(replace, with)
}

#[test]
fn bad_files_are_refused_with_the_field_named() {
    assert_eq!(error_of(&file("", "")), "", "the base file is valid");
    let cases = [
        (
            file(r#""rate": 10"#, r#""rate": -1"#),
            "traffic.rate: -1 is below the minimum 0",
        ),
        (
            file(r#""weight": 2"#, r#""weight": 5000"#),
            "servers[0].weight: 5000 is above the maximum 1000",
        ),
        (
            file(r#""round-robin""#, r#""fastest""#),
            "unknown algorithm \"fastest\"",
        ),
        (
            file(r#""at": "30s""#, r#""at": "90s""#),
            "timeline[0].at: 90s is after the end of the run (60s)",
        ),
        (
            file(r#""server": 1"#, r#""server": 7"#),
            "timeline[0].do (server): no server number 7 (there are 1)",
        ),
        (
            file(r#""mean": "100ms""#, r#""mean": "100""#),
            "has no unit",
        ),
        (
            file(r#""clients": 5"#, r#""clients": 5, "colour": "red""#),
            "unknown field `colour`",
        ),
        (
            file(
                r#""servers": [{"name": "a", "weight": 2}]"#,
                r#""servers": []"#,
            ),
            "servers: at least one server is needed",
        ),
        (
            file(r#"{"servers""#, r#"{"version": 2, "servers""#),
            "version: version 2 is not supported",
        ),
        (
            file(
                r#"{"name": "a", "weight": 2}"#,
                r#"{"name": "a"}, {"name": "a"}"#,
            ),
            "servers[1].name: \"a\" is used by another server",
        ),
        (file("", "").replace("}]}", "}"), "file: "),
    ];
    for (json, expected) in cases {
        let error = error_of(&json);
        assert!(
            error.contains(expected),
            "expected {expected:?}, got {error:?}"
        );
    }
    let many: Vec<String> = (0..1_001)
        .map(|i| format!(r#"{{"name": "s{i}"}}"#))
        .collect();
    let too_many = file(r#"{"name": "a", "weight": 2}"#, &many.join(","));
    assert!(error_of(&too_many).contains("servers: 1001 servers is more than the maximum 1000"));
    let huge = " ".repeat(MAX_FILE_BYTES + 1);
    assert!(error_of(&huge).starts_with("file: "));
}

#[test]
fn an_exported_session_replays_number_for_number() {
    let mut sim = Simulation::new(preset("crash-recovery").unwrap()).unwrap();
    sim.advance_to(SimTime::from_secs_f64(30.0));
    sim.apply(Command::SetSpeed {
        server: 0,
        speed: 0.5,
    })
    .unwrap();
    sim.advance_to(SimTime::from_secs_f64(60.0));
    let exported = Scenario::from_json(&sim.export_scenario().to_json()).unwrap();
    let mut replay = Simulation::new(exported).unwrap();
    replay.advance_to(SimTime::from_secs_f64(60.0));
    assert_eq!(Report::of(&replay), Report::of(&sim));
}

#[test]
fn reports_carry_totals_latency_servers_and_events() {
    let mut sim = Simulation::new(preset("crash-recovery").unwrap()).unwrap();
    sim.advance_to(SimTime::from_secs_f64(30.0));
    let report: serde_json::Value = serde_json::from_str(&Report::of(&sim).to_json()).unwrap();
    for key in [
        "generated",
        "completed",
        "failed",
        "rejected",
        "in_flight",
        "queued",
    ] {
        assert!(report["totals"][key].is_u64(), "{key}");
    }
    for key in ["mean", "p50", "p95", "p99", "max"] {
        assert!(report["latency_ms"][key].is_f64(), "{key}");
    }
    assert_eq!(report["servers"][2]["name"], "server-3");
    let events = report["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "health" && e["at"] == 16.0),
        "{events:?}"
    );
}
