//! The `lbsim` command-line contract, checked on the built binary: the report, determinism, seeds,
//! presets, the request-log trace, and exit code 2 with one line on stderr for every bad input.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

use lb_playground::sim::presets::{PRESETS, preset};
use lb_playground::sim::report::{Report, TRACE_HEADER, trace_line};
use lb_playground::sim::{Scenario, SimDuration, SimTime, Simulation};
use serde_json::Value;

mod cli;
use cli::lbsim_with_input;

fn lbsim(args: &[&str]) -> Output {
    lbsim_with_input(args, "")
}

/// Runs `lbsim` and expects success: its stdout.
fn ok(args: &[&str]) -> String {
    let out = lbsim(args);
    assert!(
        out.status.success(),
        "lbsim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "lbsim {args:?} wrote to stderr");
    String::from_utf8(out.stdout).unwrap()
}

/// A file in this test run's scratch directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lbsim");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Writes `text` to a scratch file and returns its path.
fn write(name: &str, text: &str) -> String {
    let path = scratch(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The classroom scenario, ten simulated seconds long: about a hundred requests.
fn short_scenario() -> Scenario {
    Scenario {
        duration: Some(SimDuration::from_secs(10)),
        ..Scenario::classroom()
    }
}

fn report(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("stdout is a JSON report")
}

fn total(report: &Value, field: &str) -> u64 {
    report["totals"][field].as_u64().unwrap()
}

#[test]
fn run_prints_a_report_with_every_field() {
    let path = write("fields.json", &short_scenario().to_json());
    let r = report(&ok(&["run", &path]));
    assert_eq!(r["seed"], 1);
    assert_eq!(
        r["until"], 10.0,
        "--until defaults to the scenario's duration"
    );
    for field in [
        "generated",
        "completed",
        "failed",
        "rejected",
        "in_flight",
        "queued",
    ] {
        assert!(r["totals"][field].is_u64(), "totals.{field}");
    }
    assert!(total(&r, "generated") > 50);
    let stats = ["mean", "p50", "p95", "p99", "max"];
    for field in stats {
        assert!(r["latency_ms"][field].is_f64(), "latency_ms.{field}");
    }
    let servers = r["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 4);
    for s in servers {
        assert!(s["name"].is_string());
        for field in ["routed", "completed", "failed"] {
            assert!(s[field].is_u64(), "servers[].{field}");
        }
        for field in stats {
            assert!(
                s["latency_ms"][field].is_f64(),
                "servers[].latency_ms.{field}"
            );
        }
    }
    assert!(r["events"].is_array());
}

#[test]
fn the_same_scenario_and_seed_give_the_same_report_and_seed_changes_it() {
    let path = write("seeds.json", &short_scenario().to_json());
    let first = ok(&["run", &path]);
    assert_eq!(first, ok(&["run", &path]));
    let reseeded = ok(&["run", &path, "--seed", "2"]);
    assert_ne!(first, reseeded);
    assert_eq!(report(&reseeded)["seed"], 2);
    // The same as a scenario written with that seed.
    let seeded = Scenario {
        seed: 2,
        ..short_scenario()
    };
    let path2 = write("seeds-2.json", &seeded.to_json());
    assert_eq!(reseeded, ok(&["run", &path2]));
}

#[test]
fn until_overrides_the_duration_and_a_dash_reads_stdin() {
    let json = short_scenario().to_json();
    let path = write("until.json", &json);
    let from_file = ok(&["run", &path, "--until=2.5"]);
    assert_eq!(report(&from_file)["until"], 2.5);
    let out = lbsim_with_input(&["run", "--until", "2.5", "-"], &json);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), from_file);
}

#[test]
fn presets_are_listed_one_per_line() {
    let list = ok(&["presets"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), PRESETS.len());
    for (line, p) in lines.iter().zip(PRESETS) {
        let s = (p.build)();
        let duration = s.duration.unwrap().to_config_string();
        assert_eq!(*line, format!("{}\t{}\t{duration}", p.id, s.title));
    }
}

#[test]
fn a_preset_round_trips_through_a_file() {
    let json = ok(&["preset", "crash-recovery"]);
    let expected = preset("crash-recovery").unwrap();
    assert_eq!(Scenario::from_json(&json), Ok(expected.clone()));
    let path = write("crash-recovery.json", &json);
    let r = report(&ok(&["run", &path]));
    assert_eq!(r["scenario"], expected.title.as_str());
    assert_eq!(
        r["until"].as_f64().unwrap(),
        expected.duration.unwrap().as_secs_f64()
    );
    let events = r["events"].as_array().unwrap();
    // Each event carries its data beside its words: the kill at 10 s and the DOWN it leads to.
    let kill = events.iter().find(|e| e["kind"] == "command").unwrap();
    assert_eq!(kill["command"], serde_json::json!({"kill": {"server": 3}}));
    assert_eq!(
        (&kill["server"], &kill["by"], &kill["entry"]),
        (&"server-3".into(), &"timeline".into(), &1.into())
    );
    let down = events.iter().find(|e| e["kind"] == "health").unwrap();
    for (field, value) in [
        ("server", Value::from("server-3")),
        ("to", "DOWN".into()),
        ("failures", 3.into()),
        ("failure", "refused".into()),
        ("health", 0.into()),
        ("rise", 2.into()),
        ("fall", 3.into()),
    ] {
        assert_eq!(down[field], value, "{field} in {down}");
    }
    // The same numbers as the core run in-process.
    let mut sim = Simulation::new(expected).unwrap();
    sim.advance_to(SimTime(sim.scenario().duration.unwrap().0));
    assert_eq!(r, report(&Report::drain(&mut sim).to_json()));
}

#[test]
fn the_trace_lists_finished_requests_in_arrival_order() {
    // Crash and recovery: failures, retries, requests in flight at every timeline command and
    // at the end.
    let path = write("trace.json", &preset("crash-recovery").unwrap().to_json());
    let trace = scratch("trace.csv");
    let traced = ok(&[
        "run",
        &path,
        "--until",
        "55",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(
        traced,
        ok(&["run", &path, "--until", "55"]),
        "tracing does not change the run"
    );
    let r = report(&traced);
    let csv = std::fs::read_to_string(&trace).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(TRACE_HEADER));
    let lines: Vec<&str> = lines.collect();
    let seqs: Vec<u64> = lines
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seq increases");
    let finished = total(&r, "completed") + total(&r, "failed") + total(&r, "rejected");
    assert_eq!(lines.len() as u64, finished);
    assert!(total(&r, "in_flight") > 0, "some requests are left out");
    assert_eq!(
        total(&r, "generated"),
        finished + total(&r, "in_flight") + total(&r, "queued")
    );
    assert!(lines.iter().any(|l| l.contains(",server_crashed,")));
    // Line for line what the core's own trace gives, sorted by arrival.
    let mut sim = Simulation::new(preset("crash-recovery").unwrap()).unwrap();
    sim.keep_finished(true);
    sim.advance_to(SimTime::from_secs_f64(55.0));
    let mut records: Vec<_> = std::iter::from_fn(|| sim.poll_finished()).collect();
    records.sort_by_key(|r| r.seq);
    let expected: Vec<String> = records.iter().map(|r| trace_line(&sim, r)).collect();
    assert_eq!(lines, expected);
}

#[test]
fn every_event_is_reported_however_many_there_are() {
    // A breaker that opens on every failure and retries after 1 ms flaps thousands of times a
    // second: the runner streams them all, with nothing to size in advance.
    let json = r#"{
        "servers": [{"name": "a", "error_rate": 1.0, "workers": 4}],
        "traffic": {"rate": 2000, "cost": {"kind": "constant", "cost": "1ms"}, "clients": 10},
        "resilience": {"breaker": {"kind": "consecutive", "threshold": 1, "timeout": "1ms"}},
        "duration": "1s"
    }"#;
    let path = write("flapping.json", json);
    let r = report(&ok(&["run", &path]));
    let mut sim = Simulation::new(Scenario::from_json(json).unwrap()).unwrap();
    sim.advance_to(SimTime::from_secs_f64(1.0));
    let events = sim.drain_events().count();
    assert!(events > 1_100, "{events} events");
    assert_eq!(r["events"].as_array().unwrap().len(), events);
}

#[test]
fn help_exits_0() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["help", "extra"],
        &["run", "--help"],
        // Anywhere, even where a value goes or after a bad argument.
        &["run", "x.json", "--trace", "--help"],
        &["run", "--fast", "-h"],
        &["frobnicate", "--help"],
    ] {
        let out = ok(args);
        assert!(out.contains("lbsim run SCENARIO.json"), "{args:?}");
    }
}

#[test]
fn options_take_their_value_after_a_space_or_an_equals_sign_anywhere_after_run() {
    let path = write("option-forms.json", &short_scenario().to_json());
    let trace = scratch("option-forms.csv");
    let trace = trace.to_str().unwrap();
    let spaced = ok(&[
        "run", &path, "--until", "2", "--seed", "5", "--trace", trace,
    ]);
    let spaced_trace = std::fs::read_to_string(trace).unwrap();
    std::fs::remove_file(trace).unwrap();
    // The options first this time, the file last.
    let trace_option = format!("--trace={trace}");
    let joined = ok(&["run", "--until=2", &trace_option, "--seed=5", &path]);
    assert_eq!(spaced, joined);
    assert_eq!(spaced_trace, std::fs::read_to_string(trace).unwrap());
    let r = report(&spaced);
    assert_eq!(
        (r["until"].as_f64(), r["seed"].as_u64()),
        (Some(2.0), Some(5))
    );
}

#[test]
fn argument_errors_name_the_argument_exactly() {
    let good = write("args.json", &short_scenario().to_json());
    let u64_max = u64::MAX;
    let cases: &[(&[&str], String)] = &[
        (&[], "no command given (try lbsim --help)".into()),
        (
            &["x", "help"],
            "unknown command \"x\" (the commands are run, sweep, presets, preset, lessons, lesson, exercise, import and export; try lbsim --help)"
                .into(),
        ),
        (
            &["--", "run", &good],
            "unknown command \"--\" (the commands are run, sweep, presets, preset, lessons, lesson, exercise, import and export; try lbsim --help)"
                .into(),
        ),
        (
            &["--until=3"],
            "unknown command \"--until=3\" (the commands are run, sweep, presets, preset, lessons, lesson, exercise, import and export; try lbsim --help)"
                .into(),
        ),
        (&["run"], "run needs a scenario file (or - for stdin)".into()),
        (
            &["run", "-", &good],
            format!("unexpected argument {good:?} (run takes one scenario file)"),
        ),
        (
            &["run", &good, "-"],
            "unexpected argument \"-\" (run takes one scenario file)".into(),
        ),
        (
            &["run", &good, "--fast=2"],
            "unknown option \"--fast\" (run takes --until, --seed, --trace and --max-work)".into(),
        ),
        (
            &["run", &good, "-x"],
            "unknown option \"-x\" (run takes --until, --seed, --trace and --max-work)".into(),
        ),
        (
            &["run", &good, "-xyz=1"],
            "unknown option \"-xyz\" (run takes --until, --seed, --trace and --max-work)".into(),
        ),
        // `--` is not an end-of-options marker: nothing lbsim takes starts with `-`.
        (
            &["run", "--", &good],
            "unknown option \"--\" (run takes --until, --seed, --trace and --max-work)".into(),
        ),
        (&["run", &good, "--until"], "--until needs a value (SECONDS)".into()),
        (&["run", &good, "--seed"], "--seed needs a value (N)".into()),
        (&["run", &good, "--trace"], "--trace needs a value (FILE)".into()),
        // A value is taken even when it looks like an option.
        (
            &["run", &good, "--until", "--seed"],
            "--until: \"--seed\" is not a number of seconds".into(),
        ),
        (
            &["run", &good, "--until="],
            "--until: \"\" is not a number of seconds".into(),
        ),
        (
            &["run", &good, "--seed=x"],
            format!("--seed: \"x\" is not a whole number from 0 to {u64_max}"),
        ),
        (
            &["run", &good, "--until", "1", "--until=2"],
            "--until is given twice".into(),
        ),
        (
            &["run", &good, "--until", "1", "--until"],
            "--until needs a value (SECONDS)".into(),
        ),
        (
            &["run", &good, "--trace", "a.csv", "--trace", "b.csv"],
            "--trace is given twice".into(),
        ),
        (
            &["run", &good, "--trace", "-"],
            "--trace needs a file name (the report alone goes to stdout)".into(),
        ),
        (
            &["run", &good, "--trace="],
            "--trace needs a file name (the report alone goes to stdout)".into(),
        ),
        (
            &["presets", "--x=1"],
            "presets takes no arguments, got \"--x=1\"".into(),
        ),
        (&["presets", "--"], "presets takes no arguments, got \"--\"".into()),
        (&["preset"], "preset needs a NAME (lbsim presets lists them)".into()),
        (&["preset", "a", "b"], "preset takes one NAME".into()),
        (
            &["preset", "crash-recovery", "--"],
            "preset takes one NAME".into(),
        ),
    ];
    for (args, message) in cases {
        let out = lbsim(args);
        assert_eq!(out.status.code(), Some(2), "lbsim {args:?}");
        assert!(out.stdout.is_empty(), "lbsim {args:?} printed on stdout");
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("lbsim: {message}\n"),
            "lbsim {args:?}"
        );
    }
    // A preset name is taken as typed, even one that looks like an option.
    let out = lbsim(&["preset", "--x"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("lbsim: unknown preset \"--x\" (the presets are: "),
        "{stderr}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line_on_stderr_and_nothing_on_stdout() {
    let good = write("good.json", &short_scenario().to_json());
    let mut scenario = short_scenario();
    scenario.traffic.rate = -1.0;
    let negative = write("negative.json", &scenario.to_json());
    let no_duration = write("no-duration.json", &Scenario::classroom().to_json());
    let broken = write("broken.json", "{\"servers\": [");
    let unknown_field = write(
        "unknown-field.json",
        &short_scenario()
            .to_json()
            .replacen('{', "{\"speed\": 3,", 1),
    );
    let bad_timeline = write(
        "bad-timeline.json",
        &short_scenario().to_json().replacen(
            '{',
            r#"{"timeline": [{"at": "1s", "do": {"kill": {"server": 9}}}],"#,
            1,
        ),
    );
    let missing = scratch("missing.json");
    let missing = missing.to_str().unwrap();
    let no_dir = scratch("no-such-dir/trace.csv");
    let no_dir = no_dir.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&[], "no command"),
        (&["frobnicate"], "unknown command \"frobnicate\""),
        (&["run"], "needs a scenario file"),
        (&["run", &good, "--fast"], "unknown option \"--fast\""),
        (&["run", &good, &good], "unexpected argument"),
        (&["run", missing], "cannot read"),
        (
            &["run", &broken],
            "broken.json: servers: EOF while parsing a list at line 1",
        ),
        (&["run", &unknown_field], "unknown field `speed`"),
        (
            &["run", &negative],
            "traffic.rate: -1 is below the minimum 0",
        ),
        (&["run", &bad_timeline], "timeline[0]"),
        (&["run", &no_duration], "no duration"),
        (&["run", &good, "--until", "soon"], "--until: \"soon\""),
        (&["run", &good, "--until", "-1"], "--until: -1 is below"),
        (
            &["run", &good, "--until", "1e9"],
            "--until: 1000000000 is above",
        ),
        (&["run", &good, "--until"], "--until needs a value"),
        (&["run", &good, "--seed", "-3"], "--seed: \"-3\""),
        (
            &["run", &good, "--seed", "1", "--seed", "2"],
            "--seed is given twice",
        ),
        (&["run", &good, "--trace", no_dir], "--trace: cannot create"),
        (&["preset", "nope"], "unknown preset \"nope\""),
        (&["preset"], "needs a NAME"),
        (&["presets", "extra"], "takes no arguments"),
    ];
    for (args, problem) in cases {
        let out = lbsim(args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "lbsim {args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "lbsim {args:?} printed on stdout");
        assert_eq!(stderr.lines().count(), 1, "lbsim {args:?}: {stderr}");
        assert!(stderr.ends_with('\n'));
        assert!(stderr.starts_with("lbsim: "), "lbsim {args:?}: {stderr}");
        assert!(stderr.contains(problem), "lbsim {args:?}: {stderr}");
    }
    // Exactly the message the validation gives.
    let out = lbsim(&["run", &negative]);
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "lbsim: traffic.rate: -1 is below the minimum 0\n"
    );
    // Too big a scenario on stdin, refused without reading it all.
    let huge = " ".repeat(2 << 20);
    let out = lbsim_with_input(&["run", "-"], &huge);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("stdin: more than the maximum")
    );
}

#[test]
#[cfg(unix)]
fn the_trace_never_overwrites_its_own_scenario() {
    let text = short_scenario().to_json();
    let path = write("own.json", &text);
    let dir = scratch("");
    let dotted = dir.join(".").join("own.json");
    let link = scratch("own-link.json");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&path, &link).unwrap();
    for trace in [
        path.clone(),
        dotted.to_str().unwrap().into(),
        link.to_str().unwrap().into(),
    ] {
        let out = lbsim(&["run", &path, "--trace", &trace]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{trace}: {stderr}");
        assert!(out.stdout.is_empty());
        assert_eq!(
            stderr,
            format!(
                "lbsim: --trace {trace} is the scenario file: the request log would overwrite it (choose another file)\n"
            )
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "the scenario is untouched"
        );
    }
    // Through a symbolic link to the scenario, the other way round.
    let out = lbsim(&["run", link.to_str().unwrap(), "--trace", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_file_with_a_byte_order_mark_runs_and_parse_errors_name_the_field() {
    let text = short_scenario().to_json();
    let marked = write("marked.json", &format!("\u{feff}{text}"));
    let plain = write("plain.json", &text);
    assert_eq!(ok(&["run", &marked]), ok(&["run", &plain]));
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["servers"][2].as_object_mut().unwrap().remove("name");
    let nameless = write(
        "nameless.json",
        &serde_json::to_string_pretty(&value).unwrap(),
    );
    let out = lbsim(&["run", &nameless]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("lbsim: {nameless}: servers[2]: missing field `name` at line 63 column 5\n")
    );
}

#[test]
#[cfg(unix)]
fn out_of_memory_is_one_line_and_exit_code_3_never_a_backtrace() {
    // A million requests queue at one slow server, about 120 MB, in a process allowed 32 MiB
    // of address space (lbsim starts in less than 8). A backtrace is asked for, to be refused.
    let hog = write(
        "hog.json",
        r#"{"servers": [{"name": "slow", "workers": 1}], "duration": "10s",
            "traffic": {"rate": 100000, "cost": {"kind": "constant", "cost": "1h"}, "clients": 1000}}"#,
    );
    let out = Command::new("sh")
        .args(["-c", "ulimit -v 32768 && exec \"$0\" run \"$1\""])
        .args([env!("CARGO_BIN_EXE_lbsim"), &hog])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(out.stdout.is_empty());
    let bytes = stderr
        .strip_prefix("lbsim: out of memory (the system refused ")
        .and_then(|rest| rest.strip_suffix(" bytes)\n"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(bytes.parse::<u64>().unwrap() > 0);
}

#[test]
fn a_long_argument_is_shortened_in_the_message() {
    let name = "x".repeat(100_000);
    let out = lbsim(&["preset", &name]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "lbsim: unknown preset \"{}…\" (100000 characters) (the presets are: ",
            "x".repeat(40)
        )),
        "{}",
        &stderr[..stderr.len().min(300)]
    );
}

#[test]
fn the_speed_check_scenario_is_a_million_requests_over_ten_servers() {
    // The README's speed figure is measured on this file; keep it what the README says it is.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/lbsim/million-requests.json"
    );
    let s = Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(s.servers.len(), 10);
    assert_eq!(s.client_latency, SimDuration::ZERO);
    assert_eq!(s.backend_latency, SimDuration::ZERO);
    assert_eq!(s.traffic.rate * s.duration.unwrap().as_secs_f64(), 1e6);
}

#[test]
fn the_report_has_per_path_numbers_and_the_trace_ends_with_the_path() {
    // The long-report preset mixes /page (50 ms) and /report (10 s) requests.
    let path = write("paths.json", &preset("long-report").unwrap().to_json());
    let trace = scratch("paths.csv");
    let r = report(&ok(&[
        "run",
        &path,
        "--until",
        "60",
        "--trace",
        trace.to_str().unwrap(),
    ]));
    let paths = r["paths"].as_array().unwrap();
    let names: Vec<&str> = paths.iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(names, ["/page", "/report"]);
    for field in ["completed", "failed", "rejected"] {
        let sum: u64 = paths.iter().map(|p| p[field].as_u64().unwrap()).sum();
        assert_eq!(sum, total(&r, field), "{field}");
    }
    for field in ["mean", "p50", "p95", "p99", "max"] {
        for p in paths {
            assert!(p["latency_ms"][field].is_f64(), "{}: {field}", p["path"]);
        }
    }
    let report_ms = paths[1]["latency_ms"]["p50"].as_f64().unwrap();
    assert!(report_ms >= 10_000.0, "a report takes 10 s: {report_ms}");
    // The trace's last column is the path, one line per finished request.
    let csv = std::fs::read_to_string(&trace).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("seq,sent_s,client,client_ip,server,tries,outcome,latency_ms,path")
    );
    let mut per_path = [0u64; 2];
    for line in lines {
        let (_, last) = line.rsplit_once(',').unwrap();
        per_path[usize::from(last == "/report")] += 1;
        assert!(matches!(last, "/page" | "/report"), "{line}");
    }
    let finished = |p: &Value| -> u64 {
        ["completed", "failed", "rejected"]
            .iter()
            .map(|f| p[*f].as_u64().unwrap())
            .sum()
    };
    assert_eq!(per_path, [finished(&paths[0]), finished(&paths[1])]);
    // A plain cost distribution has the one path "/".
    let plain = write("plain-paths.json", &short_scenario().to_json());
    let r = report(&ok(&["run", &plain]));
    assert_eq!(r["paths"].as_array().unwrap().len(), 1);
    assert_eq!(r["paths"][0]["path"], "/");
    assert_eq!(r["paths"][0]["completed"], r["totals"]["completed"]);
}

#[test]
fn a_run_estimated_over_the_work_limit_is_refused_with_the_estimate_unless_allowed() {
    let mut week = short_scenario();
    week.traffic.rate = 1e6;
    week.duration = Some(SimDuration::from_secs(7 * 24 * 3_600));
    let week = write("week.json", &week.to_json());
    let out = lbsim(&["run", &week]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("about 605,000,000,000 requests, 1,210,000 health checks"),
        "{stderr}"
    );
    assert!(stderr.contains("--max-work 6.0e11"), "{stderr}");

    // The limit is the user's to move, either way.
    let short = write("short-for-work.json", &short_scenario().to_json());
    let out = lbsim(&["run", &short, "--max-work", "50"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than the limit of 50"));
    ok(&["run", &short, "--max-work=1e4"]);
}

#[test]
fn lbsim_runs_the_readme_client_retry_example_and_names_a_bad_field_with_its_range() {
    // The README's traffic example, in a scenario of its own.
    let traffic = r#"{
      "rate": 56, "clients": 200, "cost": {"kind": "exponential", "mean": "100ms"},
      "client_timeout": "1s",
      "client_retry": {
        "max_attempts": 3,
        "backoff": {"base": "100ms", "cap": "5s", "jitter": "full"},
        "budget": {"max_tokens": 10, "token_ratio": 0.1}
      },
      "closed_loop": {"users": 120, "think_time": "4s"}
    }"#;
    let file = format!(
        r#"{{"servers": [{{"name": "a", "weight": 1, "workers": 8}}], "traffic": {traffic}, "duration": "20s"}}"#
    );
    let out = lbsim_with_input(&["run", "-"], &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let clients = &report["clients"];
    let generated = report["totals"]["generated"].as_u64().unwrap();
    assert_eq!(
        clients["first_sends"].as_u64().unwrap() + clients["client_retries"].as_u64().unwrap(),
        generated
    );
    assert_eq!(clients["goodput"], report["totals"]["completed"]);
    assert_eq!(clients["windows"].as_array().unwrap().len(), 20);
    assert!(clients["windows"][19]["p95_any_ms"].is_number());

    let bad = file.replace(r#""max_tokens": 10"#, r#""max_tokens": 0"#);
    let out = lbsim_with_input(&["run", "-"], &bad);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "lbsim: traffic.client_retry.budget.max_tokens: 0 is below the minimum 1\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn exercise_prints_the_answer_key_of_the_real_balancer() {
    use lb_playground::exercise::{Exercise, Kind, ROUNDS, words};
    for kind in Kind::ALL {
        let key = ok(&["exercise", kind.id(), "--seed", "5"]);
        assert_eq!(
            key,
            ok(&["exercise", kind.id(), "--seed", "5"]),
            "deterministic"
        );
        let lines: Vec<&str> = key.lines().collect();
        assert_eq!(lines.len(), 1 + ROUNDS, "{key}");
        assert!(lines[0].starts_with(kind.algorithm().about().name));
        let mut exercise = Exercise::new(kind, 5);
        for (i, line) in lines[1..].iter().enumerate() {
            let fields: Vec<&str> = line.split('\t').collect();
            let model = exercise.sheet().round.model;
            assert_eq!(fields[0], format!("request {}", i + 1));
            assert_eq!(
                fields[3],
                format!("answer {}", words::name(model)),
                "{line}"
            );
            exercise.pick(model);
            exercise.next_request();
        }
    }
    assert_ne!(
        ok(&["exercise", "nginx-ip-hash"]),
        ok(&["exercise", "nginx-ip-hash", "--seed", "2"])
    );
    let out = lbsim(&["exercise", "round-robin"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(
            "lbsim: unknown exercise \"round-robin\" (the exercises are: nginx-smooth-wrr, "
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}
