//! Scenario files: round trips, validation messages, timelines and presets.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::events::KeyKind;
use lb_playground::sim::presets::{PRESETS, preset};
use lb_playground::sim::report::{PathReport, Report};
use lb_playground::sim::resilience::Resilience;
use lb_playground::sim::scenario::{MAX_FILE_BYTES, ScenarioError, server};
use lb_playground::sim::traffic::{CostDistribution, RequestClass, RequestMix};
use lb_playground::sim::{Algorithm, Command, Event, Scenario, SimDuration, SimTime, Simulation};

#[test]
fn every_preset_round_trips_through_json() {
    for p in PRESETS {
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
            "timeline[0].at: 90s is after the end of the run (1m)",
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
        (
            file(r#""round-robin""#, r#""consistent-hash-url""#),
            "unknown algorithm \"consistent-hash-url\" (known: ",
        ),
        (
            file(
                r#"{"kind": "exponential", "mean": "100ms"}"#,
                r#"{"kind": "mix", "classes": [{"path": "api", "cost": "10ms", "share": 1}]}"#,
            ),
            "traffic.cost.classes[0].path: \"api\" does not start with '/'",
        ),
        (
            file(
                r#"{"kind": "exponential", "mean": "100ms"}"#,
                r#"{"kind": "mix", "classes": [{"cost": "10ms", "share": 1}]}"#,
            ),
            "missing field `path`",
        ),
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
    let broken = file("", "").replace("}]}", "}");
    assert!(
        matches!(Scenario::from_json(&broken), Err(ScenarioError::Unreadable(e)) if e.line > 0),
        "a file that does not parse says where"
    );
    let huge = " ".repeat(MAX_FILE_BYTES + 1);
    assert_eq!(
        Scenario::from_json(&huge),
        Err(ScenarioError::TooLarge {
            bytes: MAX_FILE_BYTES + 1
        })
    );
}

#[test]
fn a_file_that_does_not_parse_names_the_field_path_and_where() {
    let json = "{\n  \"servers\": [\n    {\"name\": \"a\"},\n    {\"name\": \"b\"},\n    {\"weight\": 2}\n  ],\n  \"traffic\": {\"rate\": 1, \"cost\": {\"kind\": \"constant\", \"cost\": \"1s\"}}\n}";
    assert_eq!(
        error_of(json),
        "servers[2]: missing field `name` at line 5 column 17"
    );
    let cases = [
        (
            file(r#""weight": 2"#, r#""weight": "heavy""#),
            "servers[0].weight: invalid type: string \"heavy\", expected u32 at line 1 column ",
        ),
        (
            file(r#""clients": 5"#, r#""clients": 5, "colour": "red""#),
            "traffic.colour: unknown field `colour`, expected one of ",
        ),
        (
            file(r#""server": 1"#, r#""server": 0"#),
            "timeline[0].do.kill.server: servers are numbered from 1 at line 1 column ",
        ),
        (
            file(r#""duration": "60s""#, r#""duration": "1e3s""#),
            "duration: \"1e3s\" has an exponent: write it as \"1000s\" at line 1 column ",
        ),
        (
            file(r#""duration": "60s""#, r#""duration": "-5s""#),
            "duration: \"-5s\" is negative (a duration is 0 or more) at line 1 column ",
        ),
        // A syntax error at the top level has no field to name.
        ("not json".to_string(), "expected ident at line 1 column 2"),
        (file("", "") + "x", "trailing characters at line 1 column "),
    ];
    for (json, expected) in cases {
        let error = error_of(&json);
        assert!(
            error.starts_with(expected),
            "expected {expected:?}, got {error:?}"
        );
    }
    let Err(ScenarioError::Unreadable(e)) =
        Scenario::from_json(&file(r#""weight": 2"#, r#""weight": -2"#))
    else {
        panic!("a negative weight does not parse");
    };
    assert_eq!((e.field.as_str(), e.line), ("servers[0].weight", 1));
}

#[test]
fn duration_limits_are_worded_in_the_units_of_the_file() {
    let error = error_of(&file(r#""duration": "60s""#, r#""duration": "200h""#));
    assert_eq!(error, "duration: 200h is above the maximum 168h");
    let error = error_of(&file(r#""mean": "100ms""#, r#""mean": "90m""#));
    assert_eq!(error, "traffic.cost.mean: 90m is above the maximum 1h");
}

#[test]
fn a_long_value_is_shortened_in_the_message() {
    let long = "y".repeat(1_000_000);
    let shown = format!("{}…", "y".repeat(40));
    let cases = [
        (
            file(r#""round-robin""#, &format!("{long:?}")),
            format!("algorithm: unknown algorithm \"{shown}\" (1000000 characters) (known: "),
        ),
        (
            file(r#""exponential""#, &format!("{long:?}")),
            format!(
                "traffic.cost.kind: unknown variant `{shown}` (1000000 characters), expected one of "
            ),
        ),
        (
            file(r#""name": "a""#, &format!(r#""name": "a", {long:?}: 1"#)),
            format!(
                "servers[0].{shown} (1000000 characters): unknown field `{shown}` (1000000 characters), expected one of "
            ),
        ),
        (
            file(r#""60s""#, &format!("\"1{long}\"")),
            format!(
                "duration: \"1{}…\" (1000001 characters) has an unknown unit \"{shown}\" (1000000 characters) (use us, ms, s, m or h) at line 1 column ",
                &shown[..39]
            ),
        ),
        (
            file(
                r#"{"kind": "exponential", "mean": "100ms"}"#,
                &format!(
                    r#"{{"kind": "mix", "classes": [{{"path": {long:?}, "cost": "10ms", "share": 1}}]}}"#
                ),
            ),
            format!(
                "traffic.cost.classes[0].path: \"{shown}\" (1000000 characters) does not start with '/'"
            ),
        ),
    ];
    for (json, expected) in cases {
        assert!(json.len() <= MAX_FILE_BYTES);
        let error = error_of(&json);
        assert!(
            error.starts_with(&expected),
            "expected {expected:?}, got {}",
            &error[..error.len().min(400)]
        );
        assert!(error.len() < 600, "{} characters", error.len());
    }
}

#[test]
fn a_byte_order_mark_before_the_json_is_ignored() {
    let json = file("", "");
    let with_mark = format!("\u{feff}{json}");
    assert_eq!(Scenario::from_json(&with_mark), Scenario::from_json(&json));
    assert!(Scenario::from_json(&with_mark).is_ok());
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
    assert_same_run(&mut replay, &mut sim);
}

/// Asserts that two runs reported the same numbers and the same timeline in words (a replayed
/// command comes from the replay's timeline, so who gave it differs).
fn assert_same_run(a: &mut Simulation, b: &mut Simulation) {
    let (mut a, mut b) = (Report::drain(a), Report::drain(b));
    let words = |r: &mut Report| -> Vec<_> {
        std::mem::take(&mut r.events)
            .into_iter()
            .map(|e| (e.at, e.kind, e.text))
            .collect()
    };
    let (words_a, words_b) = (words(&mut a), words(&mut b));
    assert!(!words_a.is_empty());
    assert_eq!(words_a, words_b);
    assert_eq!(a, b);
}

#[test]
fn a_session_exported_before_its_script_ends_keeps_the_rest_of_the_script() {
    // crash-recovery kills server-3 at 10 s; a session exported at 5 s must still do so.
    let mut sim = Simulation::new(preset("crash-recovery").unwrap()).unwrap();
    sim.advance_to(SimTime::from_secs_f64(5.0));
    let mut replay = Simulation::new(sim.export_scenario()).unwrap();
    replay.advance_to(SimTime::from_secs_f64(5.0));
    sim.advance_to(SimTime::from_secs_f64(40.0));
    replay.advance_to(SimTime::from_secs_f64(40.0));
    let report = Report::drain(&mut sim);
    assert!(report.events.iter().any(|e| e.text.contains("killed")));
    let mut again = Simulation::new(preset("crash-recovery").unwrap()).unwrap();
    again.advance_to(SimTime::from_secs_f64(40.0));
    assert_same_run(&mut replay, &mut again);
}

#[test]
fn reports_carry_totals_latency_servers_and_events() {
    let mut sim = Simulation::new(preset("crash-recovery").unwrap()).unwrap();
    sim.advance_to(SimTime::from_secs_f64(30.0));
    let report: serde_json::Value =
        serde_json::from_str(&Report::drain(&mut sim).to_json()).unwrap();
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

/// A file from before request paths, with the two-class `bimodal` cost files had then.
const PATHLESS_FILE: &str = r#"{
  "version": 1,
  "title": "The long report request",
  "seed": 1,
  "servers": [{"name": "server-1", "weight": 1, "workers": 2, "speed": 1.0}],
  "algorithm": "round-robin",
  "traffic": {
    "rate": 40.0,
    "pattern": {"kind": "poisson"},
    "cost": {"kind": "bimodal", "common": "50ms", "rare": "10s", "rare_share": 0.01},
    "clients": 200,
    "behind_nat": 0
  },
  "duration": "120s"
}"#;

#[test]
fn a_file_from_before_paths_still_loads_with_page_and_report_paths() {
    let old = Scenario::from_json(PATHLESS_FILE).unwrap();
    // The same classes as the long-report preset, which now writes them as a mix with paths.
    assert_eq!(
        old.traffic.cost,
        preset("long-report").unwrap().traffic.cost
    );
    assert_eq!(old.traffic.cost.path(0), "/page");
    assert_eq!(old.traffic.cost.path(1), "/report");
    assert_eq!(old.traffic.cost.mean(), SimDuration::from_micros(149_500));
    // Share links hold the same JSON, so an old link loads too.
    let link = lb_playground::sim::share::pack(&old);
    assert_eq!(lb_playground::sim::share::unpack(&link), Ok(old));
}

/// Three classes with their own paths and constant costs, no network delays, light load.
fn three_paths(algorithm: Algorithm) -> Scenario {
    let class = |path: &str, ms: u64, share: f64| RequestClass {
        path: path.into(),
        cost: SimDuration::from_millis(ms),
        share,
    };
    let mut s = Scenario::classroom();
    s.algorithm = algorithm;
    s.client_latency = SimDuration::ZERO;
    s.backend_latency = SimDuration::ZERO;
    s.resilience = Resilience::NONE;
    s.servers = (1..=4).map(|i| server(&format!("s{i}"), 1, 8)).collect();
    s.traffic.cost = CostDistribution::Mix(RequestMix {
        classes: vec![
            class("/", 20, 0.5),
            class("/api", 40, 0.3),
            class("/static", 5, 0.2),
        ],
    });
    s.traffic.rate = 20.0; // about 1% of the 32 workers' capacity
    s
}

#[test]
fn a_mix_reports_each_path_apart_and_its_counts_add_up() {
    let mut sim = Simulation::new(three_paths(Algorithm::RoundRobin)).unwrap();
    sim.apply(Command::Kill { server: 3 }).unwrap(); // some failures, so they are counted too
    sim.advance_to(SimTime::from_secs_f64(0.5));
    sim.apply(Command::Revive { server: 3 }).unwrap();
    sim.advance_to(SimTime::from_secs_f64(300.0));
    let report = Report::drain(&mut sim);
    let paths: Vec<&str> = report.paths.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["/", "/api", "/static"]);
    let sum = |f: fn(&PathReport) -> u64| report.paths.iter().map(f).sum::<u64>();
    assert_eq!(sum(|p| p.completed), report.totals.completed);
    assert_eq!(sum(|p| p.failed), report.totals.failed);
    assert_eq!(sum(|p| p.rejected), report.totals.rejected);
    assert!(report.totals.failed > 0, "the kill failed some requests");
    for (p, (cost_ms, share)) in report
        .paths
        .iter()
        .zip([(20.0, 0.5), (40.0, 0.3), (5.0, 0.2)])
    {
        let mean = p.latency_ms.mean.unwrap();
        assert!(
            (mean - cost_ms).abs() < cost_ms * 0.01,
            "{}: mean {mean} ms",
            p.path
        );
        let seen = p.completed as f64 / report.totals.completed as f64;
        assert!((seen - share).abs() < 0.02, "{}: share {seen}", p.path);
    }
}

#[test]
fn hashing_by_uri_sends_each_path_to_one_server() {
    let mut sim = Simulation::new(three_paths(Algorithm::ConsistentHashUri)).unwrap();
    sim.keep_finished(true);
    sim.advance_to(SimTime::from_secs_f64(60.0));
    let mut server_of = std::collections::HashMap::new();
    while let Some(r) = sim.poll_finished() {
        let first = *server_of.entry(r.path).or_insert(r.server);
        assert_eq!(r.server, first, "path {} changed server", r.path);
    }
    assert_eq!(server_of.len(), 3);
    // When a server is drained, the remap report counts path keys.
    sim.apply(Command::SetWeight {
        server: 0,
        weight: 0,
    })
    .unwrap();
    let remapped = sim
        .drain_events()
        .any(|e| matches!(e.event, Event::Remap(r) if r.keys == KeyKind::Path));
    assert!(remapped);
    // Client-keyed hashing spreads every path over the servers instead.
    let mut sim = Simulation::new(three_paths(Algorithm::ConsistentHashIp)).unwrap();
    sim.keep_finished(true);
    sim.advance_to(SimTime::from_secs_f64(60.0));
    let api: std::collections::HashSet<_> = std::iter::from_fn(|| sim.poll_finished())
        .filter(|r| r.path == 1)
        .map(|r| r.server)
        .collect();
    assert_eq!(api.len(), 4);
}

#[test]
fn listed_client_addresses_say_where_each_address_goes() {
    // Ten clients at the listed addresses under ip_hash: the eight of 192.0.2.0/29 share a /24
    // and so a server; the two IPv6 ones are hashed on all their bytes.
    let json = r#"{
        "servers": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
        "traffic": {"rate": 50, "cost": {"kind": "constant", "cost": "10ms"}, "clients": 10,
                    "addresses": ["192.0.2.0/29", "2001:db8::1", "2001:db8::2"]},
        "algorithm": "nginx-ip-hash"
    }"#;
    let s = Scenario::from_json(json).unwrap();
    assert_eq!(Scenario::from_json(&s.to_json()), Ok(s.clone()));
    let mut sim = Simulation::new(s).unwrap();
    sim.keep_finished(true);
    sim.advance_to(SimTime::from_secs_f64(10.0));
    let mut seen = std::collections::BTreeMap::new();
    while let Some(r) = sim.poll_finished() {
        seen.insert(r.client, (r.ip.to_string(), r.server));
    }
    assert_eq!(seen.len(), 10, "{seen:?}");
    let v4_server = seen[&0].1;
    for client in 0..8 {
        assert_eq!(seen[&client], (format!("192.0.2.{client}"), v4_server));
    }
    // 2001:db8::1 hashes to 2600 (2600 % 3 = 2: c), ::2 to 2601 (0: a).
    assert_eq!(seen[&8], ("2001:db8::1".to_string(), Some(2)));
    assert_eq!(seen[&9], ("2001:db8::2".to_string(), Some(0)));
    // A bad entry names its place in the list.
    let bad = json.replace("2001:db8::2", "2001:db8::2/200");
    assert_eq!(
        error_of(&bad),
        "traffic.addresses[2]: the prefix /200 is not 0 to 128 at line 4 column 83"
    );
}
