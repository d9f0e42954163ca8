//! Fuzzing (proptest): damaged scenario files, damaged share links, and the runs of every
//! mutated scenario that still validates. `make test` runs a few hundred cases of each; `make
//! fuzz` runs 100,000 of each (`PROPTEST_CASES`), in release, and prints what it saw.
//!
//! Each kind holds what a user may rely on whatever they feed in: no panic; a refusal is one
//! line; a scenario that loads runs to its end within a bounded amount of work and memory, twice
//! to the same numbers, conserving requests; every timeline entry that came due applied or was
//! reported as skipped (nothing dropped silently). Hangs and memory are watched from outside the
//! property: the slowest case and the peak memory are printed, and a case over 20 s or a process
//! over 1 GiB fails the run.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use proptest::prelude::*;
use serde_json::Value;

use lb_playground::sim::events::Origin;
use lb_playground::sim::presets::PRESETS;
use lb_playground::sim::work::Work;
use lb_playground::sim::{Event, Scenario, SimTime, Simulation, share};

/// The most work one fuzzed run may take (about a millisecond or two in release).
const RUN_UNITS: f64 = 5_000.0;
/// The slowest a case may be, in milliseconds.
const SLOWEST_MS: u64 = 20_000;
/// The most memory the fuzzing process may reach, in KiB.
const MAX_RSS_KIB: u64 = 1 << 20;

/// The slowest case so far, in microseconds, per kind.
static SLOWEST: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
/// Cases that loaded and ran.
static RAN: AtomicU64 = AtomicU64::new(0);

/// Times `case` as one of kind `kind`, failing it when it is over [`SLOWEST_MS`].
fn timed<T>(kind: usize, case: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = case();
    let us = start.elapsed().as_micros() as u64;
    SLOWEST[kind].fetch_max(us, Ordering::Relaxed);
    assert!(us < SLOWEST_MS * 1_000, "a case took {} ms", us / 1_000);
    out
}

/// The process's peak resident memory, in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A mutation of a JSON value: where (a path of choices) and what.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace a number with this one.
    Number(f64),
    /// Replace a string with this one.
    Text(String),
    /// Remove a field or an array element.
    Remove,
    /// Duplicate an array element (or repeat a field's object).
    Duplicate,
    /// Replace anything with this JSON.
    Json(Value),
}

fn numbers() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-1.0),
        Just(1.0),
        Just(1e6),
        Just(1e9),
        Just(f64::MAX),
        Just(1e-9),
        Just(0.5),
        any::<u32>().prop_map(f64::from),
        -1e7..1e7f64,
    ]
}

fn texts() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1h".to_string()),
        Just("168h".to_string()),
        Just("0s".to_string()),
        Just("-5s".to_string()),
        Just("1e3s".to_string()),
        Just("10us".to_string()),
        Just("500ms".to_string()),
        Just(String::new()),
        Just("x".repeat(1_000)),
        Just("\u{feff}".to_string()),
        "[a-z_]{1,12}",
        "[0-9]{1,6}(ms|s|m|h|us)",
    ]
}

fn jsons() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(serde_json::json!({"kill": {"server": 2}})),
        Just(serde_json::json!({"remove_server": {"server": 1}})),
        Just(serde_json::json!({"add_server": {"weight": 1, "workers": 1}})),
        Just(serde_json::json!({"at": "1s", "do": {"kill": {"server": 5}}})),
        Just(serde_json::json!({"at": "2s", "do": {"remove_server": {"server": 1}}})),
        Just(serde_json::json!({"at": "3s", "do": {"set_weight": {"server": 1, "weight": 0}}})),
        Just(serde_json::json!({"at": "1s", "do": {"add_server": {"weight": 1, "workers": 1}}})),
        Just(serde_json::json!({"name": "n", "queue_limit": 0})),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!(true)),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<(Vec<u32>, Mutation)>> {
    let mutation = prop_oneof![
        numbers().prop_map(Mutation::Number),
        texts().prop_map(Mutation::Text),
        Just(Mutation::Remove),
        Just(Mutation::Duplicate),
        jsons().prop_map(Mutation::Json),
    ];
    prop::collection::vec((prop::collection::vec(any::<u32>(), 1..6), mutation), 1..6)
}

/// Applies `mutation` at the place `path` chooses: each choice picks a child (modulo the
/// children there), and the walk stops at a leaf or at the path's end.
fn mutate(value: &mut Value, path: &[u32], mutation: &Mutation) {
    let Some((&choice, rest)) = path.split_first() else {
        return apply(value, mutation);
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(choice as usize % map.len()).unwrap().clone();
            if rest.is_empty() && matches!(mutation, Mutation::Remove) {
                map.remove(&key);
            } else {
                mutate(map.get_mut(&key).unwrap(), rest, mutation);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = choice as usize % items.len();
            match (rest.is_empty(), mutation) {
                (true, Mutation::Remove) => {
                    items.remove(i);
                }
                (true, Mutation::Duplicate) => {
                    let copy = items[i].clone();
                    items.insert(i, copy);
                }
                _ => mutate(&mut items[i], rest, mutation),
            }
        }
        _ => apply(value, mutation),
    }
}

fn apply(value: &mut Value, mutation: &Mutation) {
    match mutation {
        Mutation::Number(n) => {
            *value = serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
        }
        Mutation::Text(t) => *value = Value::String(t.clone()),
        Mutation::Json(j) => match value {
            Value::Array(items) => items.push(j.clone()),
            _ => *value = j.clone(),
        },
        Mutation::Remove | Mutation::Duplicate => {}
    }
}

/// A preset, or the classroom default, as a JSON value.
fn base(which: usize) -> Value {
    let scenario = PRESETS
        .get(which % (PRESETS.len() + 1))
        .map_or_else(Scenario::classroom, |p| (p.build)());
    serde_json::to_value(&scenario).unwrap()
}

/// Runs `scenario` for as long as [`RUN_UNITS`] of work allows (at most its duration), and
/// checks what a run must hold. Returns the run's numbers.
fn run_bounded(scenario: &Scenario) -> String {
    let per_second = Work::per_second(scenario).units().max(1.0);
    let mut until = (RUN_UNITS / per_second).min(120.0);
    if let Some(d) = scenario.duration {
        until = until.min(d.as_secs_f64());
    }
    let until = SimTime::from_secs_f64(until);
    let mut sim = Simulation::new(scenario.clone()).expect("a valid scenario runs");
    sim.advance_to(until);
    let totals = sim.totals();
    assert!(totals.balanced(), "{totals:?}");
    let due = scenario.timeline.iter().filter(|t| t.at <= until).count();
    let accounted = sim
        .drain_events()
        .filter(|e| match &e.event {
            Event::Command(c) => matches!(c.origin, Origin::Timeline { .. }),
            Event::Skipped(_) => true,
            _ => false,
        })
        .count();
    assert_eq!(accounted, due, "every entry due applied or was skipped");
    format!("{totals:?} {:?}", sim.metrics().latency().mean())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// A damaged scenario file is read or refused in one line; one that reads writes back the
    /// same; one that validates runs (see [`run_bounded`]) and reruns identically.
    #[test]
    fn damaged_scenario_files(which in 0usize..32, mutations in mutations()) {
        timed(0, || {
            let mut value = base(which);
            for (path, mutation) in &mutations {
                mutate(&mut value, path, mutation);
            }
            let text = value.to_string();
            match Scenario::from_json(&text) {
                Err(e) => {
                    let message = e.to_string();
                    assert!(!message.contains('\n'), "{message}");
                    assert!(message.len() < 600, "{} characters: {message:.200}", message.len());
                }
                Ok(scenario) => {
                    let again = Scenario::from_json(&scenario.to_json()).expect("it writes back");
                    assert_eq!(again, scenario);
                    if Simulation::new(scenario.clone()).is_ok() {
                        let first = run_bounded(&scenario);
                        assert_eq!(run_bounded(&scenario), first, "a rerun gives the same numbers");
                        RAN.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }

    /// A valid scenario changed field by field, each change kept only while the scenario still
    /// validates, runs (see [`run_bounded`]) and reruns identically.
    #[test]
    fn mutated_valid_scenarios_run(which in 0usize..32, mutations in mutations()) {
        timed(3, || {
            let mut value = base(which);
            for (path, mutation) in &mutations {
                let mut changed = value.clone();
                mutate(&mut changed, path, mutation);
                let valid = serde_json::from_value::<Scenario>(changed.clone())
                    .ok()
                    .is_some_and(|s| Simulation::new(s).is_ok());
                if valid {
                    value = changed;
                }
            }
            let scenario: Scenario = serde_json::from_value(value).unwrap();
            let first = run_bounded(&scenario);
            assert_eq!(run_bounded(&scenario), first, "a rerun gives the same numbers");
            RAN.fetch_add(1, Ordering::Relaxed);
        });
    }

    /// A damaged file's bytes (cut, flipped, spliced) are refused in one line or read.
    #[test]
    fn damaged_bytes(which in 0usize..32, cut in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        timed(1, || {
            let mut bytes = base(which).to_string().into_bytes();
            for (at, byte) in &flips {
                let i = at.index(bytes.len());
                bytes[i] = *byte;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let text = String::from_utf8_lossy(&bytes);
            if let Err(e) = Scenario::from_json(&text) {
                let message = e.to_string();
                assert!(!message.contains('\n'), "{message}");
            }
        });
    }

    /// A damaged share link opens or is refused in one line.
    #[test]
    fn damaged_share_links(which in 0usize..32, cut in any::<prop::sample::Index>(), flips in prop::collection::vec((any::<prop::sample::Index>(), "[A-Za-z0-9_=+/-]"), 0..6)) {
        timed(2, || {
            let scenario: Scenario = serde_json::from_value(base(which)).unwrap();
            let mut link: Vec<char> = share::pack(&scenario).chars().collect();
            for (at, c) in &flips {
                let i = at.index(link.len());
                link[i] = c.chars().next().unwrap();
            }
            link.truncate(cut.index(link.len() + 1));
            let link: String = link.into_iter().collect();
            match share::unpack(&link) {
                Ok(opened) => assert!(opened.validate().is_ok()),
                Err(e) => {
                    let message = e.to_string();
                    assert!(!message.contains('\n'), "{message}");
                    for library in ["symbol", "Output", "Progress", "base64", "inflate"] {
                        assert!(!message.contains(library), "library words: {message}");
                    }
                }
            }
        });
    }
}

/// Runs last (by name) in a `--test-threads 1` run and prints what the fuzzing saw; in a
/// parallel run it may print early, which only makes its figures partial.
#[test]
fn zz_summary() {
    let ms = |kind: usize| SLOWEST[kind].load(Ordering::Relaxed) as f64 / 1_000.0;
    let rss = peak_rss_kib();
    println!(
        "fuzz: slowest case {:.1} ms (files), {:.1} ms (bytes), {:.1} ms (links), {:.1} ms (runs); {} scenarios ran; peak memory {} KiB",
        ms(0),
        ms(1),
        ms(2),
        ms(3),
        RAN.load(Ordering::Relaxed),
        rss.map_or("unknown".into(), |k| k.to_string()),
    );
    if let Some(kib) = rss {
        assert!(kib < MAX_RSS_KIB, "peak memory {kib} KiB");
    }
}
