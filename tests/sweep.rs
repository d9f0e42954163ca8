//! The `lbsim sweep` contract, checked on the built binary: a table on stdout that does not
//! depend on the number of threads, confidence intervals that hold the queueing-theory value
//! where the model is exact, progress on stderr, and exit code 2 with one line for bad input.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Output;

use lb_playground::sim::traffic::CostDistribution;
use lb_playground::sim::{Scenario, SimDuration};
use serde_json::Value;

mod cli;

/// Runs `lbsim sweep - ARGS` with `scenario` on stdin.
fn sweep(scenario: &Scenario, args: &[&str]) -> Output {
    let args: Vec<&str> = ["sweep", "-"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    cli::lbsim_with_input(&args, &scenario.to_json())
}

/// Runs a sweep that must succeed: its stdout and stderr.
fn ok(scenario: &Scenario, args: &[&str]) -> (String, String) {
    let out = sweep(scenario, args);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        out.status.success(),
        "lbsim sweep {args:?} failed: {stderr}"
    );
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// Runs a sweep that must be refused as bad input: its one line on stderr.
fn refused(scenario: &Scenario, args: &[&str]) -> String {
    let out = sweep(scenario, args);
    assert_eq!(out.status.code(), Some(2), "lbsim sweep {args:?}");
    assert!(
        out.stdout.is_empty(),
        "lbsim sweep {args:?} wrote to stdout"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr.trim_end().to_string()
}

/// The classroom default (four servers, round robin, network delays, health checks), 20
/// simulated seconds long.
fn classroom() -> Scenario {
    Scenario {
        duration: Some(SimDuration::from_secs(20)),
        ..Scenario::classroom()
    }
}

/// An M/M/1 queue (tests/lbsim/mm1.json, the README's example): one single-worker server,
/// Poisson arrivals at 50 per second, exponential 10 ms requests (load 0.5: mean time in system
/// 1 / (100 - 50) = 20 ms), no network delay, no health checks, 60 simulated seconds.
fn mm1() -> Scenario {
    Scenario::from_json(include_str!("lbsim/mm1.json")).unwrap()
}

/// The CSV's lines as cells, the header first.
fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn the_table_is_the_same_whatever_the_number_of_threads() {
    let s = classroom();
    for format in ["csv", "json"] {
        let args = |jobs| {
            [
                "--vary",
                "traffic.rate=4..12:3",
                "--vary",
                "backend_latency=0ms..300ms:2",
                "--replications",
                "3",
                "--format",
                format,
                "--jobs",
                jobs,
            ]
        };
        let (one, _) = ok(&s, &args("1"));
        let (two, progress) = ok(&s, &args("2"));
        assert_eq!(one, two, "{format}");
        // A line of progress per point, and nothing else.
        assert_eq!(progress.lines().count(), 6, "{progress}");
        assert!(
            progress
                .lines()
                .all(|l| l.starts_with("lbsim: ") && l.contains(" of 6 points done (at ")),
            "{progress}"
        );
    }
}

#[test]
fn the_csv_has_a_header_and_a_line_per_point_in_grid_order() {
    let (csv, _) = ok(
        &classroom(),
        &[
            "--vary",
            "resilience.health.inter=1s..3s:3",
            "--vary=servers[*].speed=0.5..1:2",
            "--replications=2",
        ],
    );
    let rows = rows(&csv);
    assert_eq!(
        rows[0].join(","),
        "resilience.health.inter,servers[*].speed,replications,mean_ms,mean_ci95_low_ms,\
         mean_ci95_high_ms,p95_ms,p95_ci95_low_ms,p95_ci95_high_ms,throughput_per_s,\
         theory_mean_ms,theory_model"
    );
    let at: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        at,
        [
            ("1s", "0.5"),
            ("1s", "1"),
            ("2s", "0.5"),
            ("2s", "1"),
            ("3s", "0.5"),
            ("3s", "1")
        ]
    );
    // Slower servers, longer waits.
    let mean = |row: &Vec<String>| row[3].parse::<f64>().unwrap();
    assert!(mean(&rows[1]) > mean(&rows[2]));
}

#[test]
fn the_mean_latency_interval_holds_the_m_m_1_value() {
    let (json, _) = ok(&mm1(), &["--replications", "20", "--format", "json"]);
    let sweep: Value = serde_json::from_str(&json).unwrap();
    let point = &sweep["points"][0];
    let theory = point["theory_mean_ms"].as_f64().unwrap();
    assert!((theory - 20.0).abs() < 1e-9, "{theory}");
    let low = point["mean_ci95_ms"][0].as_f64().unwrap();
    let high = point["mean_ci95_ms"][1].as_f64().unwrap();
    assert!(low <= theory && theory <= high, "{low}..{high}");
    // About 3,000 requests a replication: the interval is a few percent wide, not vacuous.
    assert!(high - low < 2.0, "{low}..{high}");
    let throughput = point["throughput_per_s"].as_f64().unwrap();
    assert!((throughput - 50.0).abs() < 1.0, "{throughput}");
    assert_eq!(sweep["replications"], 20);
    assert_eq!(sweep["duration_s"], 60.0);
}

#[test]
fn a_scenario_no_model_fits_has_an_empty_theory() {
    let mut s = classroom();
    s.traffic.cost = CostDistribution::Constant {
        cost: SimDuration::from_millis(500),
    };
    let (csv, _) = ok(&s, &["--replications", "2", "--duration", "5"]);
    let rows = rows(&csv);
    // Constant costs on two workers: no M/D/c formula here.
    assert_eq!(rows[1][8..], ["", ""]);
}

#[test]
fn bad_input_is_refused_with_one_line() {
    let s = classroom();
    let reps = ["--replications", "2"];
    let with = |extra: &[&'static str]| {
        let mut args = reps.to_vec();
        args.extend_from_slice(extra);
        args
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            with(&["--vary", "traffic.rat=1..2:2"]),
            "lbsim: --vary traffic.rat: no such field (traffic has behind_nat, clients, cost, pattern, rate)",
        ),
        (
            with(&["--vary", "traffic.rate=100-1000:10"]),
            "lbsim: --vary traffic.rate=100-1000:10: \"100-1000:10\" is not FROM..TO:STEPS (e.g. traffic.rate=100..1000:10)",
        ),
        (
            with(&["--vary", "traffic.rate=1..2:0"]),
            "lbsim: --vary traffic.rate=1..2:0: STEPS \"0\" is not a whole number from 1 to 10000 (how many values, both ends included)",
        ),
        (
            with(&["--vary", "backend_latency=0..300:4"]),
            "lbsim: --vary backend_latency=0..300:4: \"0\" has no unit (write e.g. \"500ms\" or \"2s\")",
        ),
        (
            with(&["--vary", "algorithm=1..2:2"]),
            "lbsim: --vary algorithm is not a number or a duration (it is \"round-robin\")",
        ),
        (
            with(&["--vary", "traffic.rate=0..2000000:2"]),
            "lbsim: at traffic.rate=2000000: traffic.rate: 2000000 is above the maximum 1000000",
        ),
        (
            with(&["--vary", "servers[*].workers=0..2:3"]),
            "lbsim: at servers[*].workers=0: servers[0].workers: 0 is below the minimum 1",
        ),
        (
            vec!["--replications", "0"],
            "lbsim: --replications: 0 is below the minimum 1",
        ),
        (
            vec!["--vary", "traffic.rate=1..2:2"],
            "lbsim: sweep needs --replications N (runs per point, each with its own seed; e.g. 20)",
        ),
        (
            with(&["--jobs", "0"]),
            "lbsim: --jobs: 0 is below the minimum 1",
        ),
        (
            with(&["--format", "xml"]),
            "lbsim: --format: \"xml\" is not csv or json",
        ),
        (
            with(&["--replications", "3"]),
            "lbsim: --replications is given twice",
        ),
        (
            with(&["--until", "3"]),
            "lbsim: unknown option \"--until\" (sweep takes --vary, --replications, --jobs, --format, --duration, --seed and --max-work)",
        ),
        (
            with(&["--vary"]),
            "lbsim: --vary needs a value (FIELD=FROM..TO:STEPS)",
        ),
        (
            with(&["--vary", "traffic.rate=10..20:2", "--max-work", "300"]),
            "lbsim: the run would simulate about 400 requests, 40 health checks and 20 metric windows \
             in 20 s (460 units of work), more than the limit of 300: run it shorter (--duration or \
             \"duration\"), at a lower rate, or raise the limit with --max-work 4.6e2 (at traffic.rate=20)",
        ),
    ];
    for (args, message) in cases {
        assert_eq!(refused(&s, &args), message, "{args:?}");
    }
    let endless = Scenario {
        duration: None,
        ..classroom()
    };
    assert_eq!(
        refused(&endless, &reps),
        "lbsim: the scenario has no duration: give --duration SECONDS or add \"duration\" to it"
    );
}
