//! The browser driver of the benchmark: the same jobs as the native driver (benches/bench.rs, both
//! include benches/workloads/mod.rs), compiled to WebAssembly and run in headless Chromium through
//! wasm-bindgen-test-runner. Each result is logged as a `BENCH-JSON {...}` line, which
//! `benches/run` collects into target/bench/wasm.json.
//!
//! `LB_BENCH_FULL=1 cargo test --profile wasm-release --target wasm32-unknown-unknown --test bench_wasm -- --nocapture`
//! runs the full plan with the page's optimisation settings (`--release` for the native ones);
//! `LB_BENCH_ONLY=<text>` keeps only the jobs whose name contains the text. Both are read at compile
//! time: the browser has no environment. Without them the short smoke plan runs: that is what
//! `cargo test --target wasm32-unknown-unknown` does, to keep this driver working. It prints
//! figures; it never fails on a time.
#![cfg(target_arch = "wasm32")]

#[allow(dead_code)] // the native driver uses parts this one does not
#[path = "../benches/workloads/mod.rs"]
mod workloads;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_test::*;
use workloads::{CountingAlloc, Env, Plan, jobs};

wasm_bindgen_test_configure!(run_in_browser);

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

/// The size of the module's linear memory (grows, never shrinks: a high-water mark).
fn linear_memory() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * 65_536
}

#[wasm_bindgen_test]
async fn benchmark() {
    let plan = if option_env!("LB_BENCH_FULL").is_some_and(|v| !v.is_empty() && v != "0") {
        Plan::full()
    } else {
        Plan::smoke()
    };
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .expect("window.performance");
    let clock = move || performance.now() / 1e3;
    let env = Env {
        clock: &clock,
        platform_memory: Some((
            "wasm32 linear memory: memory_size(0) x 64 KiB (a high-water mark: it never shrinks)",
            &linear_memory,
        )),
        sched: None,
    };
    console_log!(
        "BENCH-PLAN {} (debug assertions: {})",
        plan.name(),
        cfg!(debug_assertions)
    );
    let only = option_env!("LB_BENCH_ONLY").unwrap_or("");
    for mut job in jobs(plan).into_iter().filter(|j| j.name.contains(only)) {
        let record = loop {
            let done = (job.step)(&env);
            // Let the page breathe between steps: blocked for 30 s, it loses its WebDriver session.
            TimeoutFuture::new(0).await;
            if let Some(record) = done {
                break record;
            }
        };
        console_log!("{}", record.line);
        console_log!("BENCH-JSON {}", record.json);
    }
    console_log!("BENCH-DONE");
}
