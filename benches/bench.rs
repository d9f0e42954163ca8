//! The native benchmark driver: runs every job of `workloads` (core throughput, pick cost, memory)
//! in this process, prints one line per result and writes them all to `target/bench/native.json`.
//!
//! `cargo bench --bench bench` (release profile). `BENCH_SMOKE=1` runs the short smoke plan;
//! `BENCH_ONLY=<text>` runs only the jobs whose name contains the text (e.g. `throughput a` for
//! profiling) and `BENCH_RUNS=<n>` sets the runs per measurement. It prints figures; it never
//! passes or fails on a time.

#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)] // the browser driver uses parts this one does not
mod workloads;

#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: workloads::CountingAlloc = workloads::CountingAlloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use serde_json::json;
    use std::time::Instant;
    use workloads::{Env, Plan, jobs};

    let plan = if std::env::var_os("BENCH_SMOKE").is_some_and(|v| !v.is_empty() && v != "0") {
        Plan::smoke()
    } else {
        Plan::full()
    };
    let mut plan = plan;
    if let Some(runs) = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
    {
        plan.runs = runs;
    }
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let origin = Instant::now();
    let clock = move || origin.elapsed().as_secs_f64();
    let sched = || -> (f64, f64) {
        // "<ns on a CPU> <ns waiting on a run queue> <timeslices>"
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
        let mut fields = text
            .split_whitespace()
            .map(|f| f.parse::<f64>().unwrap_or(0.0) / 1e9);
        (fields.next().unwrap_or(0.0), fields.next().unwrap_or(0.0))
    };
    let has_sched = std::path::Path::new("/proc/thread-self/schedstat").exists();
    let env = Env {
        clock: &clock,
        platform_memory: None,
        sched: has_sched.then_some(&sched as &dyn Fn() -> (f64, f64)),
    };
    println!("native benchmark ({} plan)", plan.name());
    let mut records = Vec::new();
    for job in jobs(plan) {
        if !job.name.contains(only.as_str()) {
            continue;
        }
        let record = job.run_to_end(&env);
        println!("{}", record.line);
        records.push(record.json);
    }
    let json = json!({
        "platform": "native",
        "plan": plan.name(),
        "target": std::env::consts::ARCH,
        "results": records,
    })
    .to_string();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).expect("create target/bench");
    let path = dir.join("native.json");
    std::fs::write(&path, json + "\n").expect("write native.json");
    println!("wrote {}", path.display());
    // The page benchmark (benches/page.py) opens these scenarios through share links.
    let path = dir.join("page-scenarios.json");
    std::fs::write(&path, workloads::page_scenarios_json() + "\n")
        .expect("write page-scenarios.json");
    println!("wrote {}", path.display());
}

/// The benchmark is native; the browser driver is tests/bench_wasm.rs.
#[cfg(target_arch = "wasm32")]
fn main() {}
