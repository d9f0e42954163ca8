//! The benchmark workloads, defined once and measured by two drivers: natively by
//! `benches/bench.rs` (`cargo bench --bench bench`) and in headless Chromium by
//! `tests/bench_wasm.rs` (`cargo test --release --target wasm32-unknown-unknown --test bench_wasm`).
//! Both include this file, so the two platforms run exactly the same scenarios, seeds and loops.
//!
//! The drivers differ only in the [`Env`] they pass: how to read a clock and how to read memory.
//! Every measurement is a [`Job`] that runs in steps of at most a few seconds (the browser driver
//! yields between them: a page blocked for 30 s loses its WebDriver connection) and ends in a
//! [`Record`]: one JSON object (collected into `target/bench/`) and one line for people. Nothing
//! here passes or fails on a time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use lb_playground::sim::balancer::{Balancer, Candidate, Feedback, PickContext, RequestKey};
use lb_playground::sim::breaker::BreakerConfig;
use lb_playground::sim::front::dns::DnsConfig;
use lb_playground::sim::front::regions::Region;
use lb_playground::sim::front::{Front, Spread};
use lb_playground::sim::health::ActiveCheck;
use lb_playground::sim::resilience::Resilience;
use lb_playground::sim::retry::RetryPolicy;
use lb_playground::sim::rng::SimRng;
use lb_playground::sim::scenario::server;
use lb_playground::sim::share;
use lb_playground::sim::traffic::{CostDistribution, Traffic, path_hash};
use lb_playground::sim::{
    Algorithm, Command, Scenario, SimDuration, SimTime, Simulation, SlowStart, Totals,
};
use lb_playground::sim::{LogKind, narrate};
use serde_json::{Value, json};

mod time_travel;

/// The seed of every benchmark run.
pub const SEED: u64 = 2024;
/// Mean request cost of the throughput workloads. With one worker per server, 90% load is
/// `0.9 x servers / mean cost` arrivals per second.
pub const MEAN_COST: SimDuration = SimDuration::from_millis(1);
/// Utilisation of the throughput workloads.
pub const LOAD: f64 = 0.9;
/// Arrival rate of the memory run, in requests per second.
pub const MEMORY_RATE: f64 = 5_000.0;

/// How much work each measurement does.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// A short run that only proves the benchmark still works (its figures mean nothing).
    pub smoke: bool,
    /// Runs per measurement; the median is reported.
    pub runs: usize,
    /// Simulated requests per throughput run.
    pub requests: u64,
    /// Picks per timed run at 10 servers.
    pub picks_small: u64,
    /// Picks per timed run at 1,000 servers.
    pub picks_large: u64,
    /// Simulated seconds of the memory run.
    pub memory_secs: u64,
    /// Simulated seconds between two memory readings.
    pub memory_every: u64,
}

impl Plan {
    /// The full benchmark (`make bench`).
    pub fn full() -> Plan {
        Plan {
            smoke: false,
            runs: 5,
            requests: 1_000_000,
            picks_small: 300_000,
            picks_large: 30_000,
            memory_secs: 600,
            memory_every: 60,
        }
    }

    /// The smoke run (`make bench-smoke`): seconds, to keep the benchmark working in CI.
    pub fn smoke() -> Plan {
        Plan {
            smoke: true,
            runs: 1,
            requests: 10_000,
            picks_small: 1_000,
            picks_large: 100,
            memory_secs: 10,
            memory_every: 5,
        }
    }

    /// The plan's name, as written into the JSON.
    pub fn name(&self) -> &'static str {
        if self.smoke { "smoke" } else { "full" }
    }
}

/// What a driver provides: a clock and memory readings for its platform.
pub struct Env<'a> {
    /// Seconds from a fixed origin (`Instant` natively, `performance.now()` in the browser).
    pub clock: &'a dyn Fn() -> f64,
    /// A platform-specific memory reading in bytes and what it is, if the platform has one
    /// besides the counting allocator (wasm32: linear memory size).
    pub platform_memory: Option<(&'a str, &'a dyn Fn() -> u64)>,
    /// Seconds this thread has run on a CPU and waited for one, if the platform says (Linux:
    /// /proc/thread-self/schedstat). Other processes on the machine slow the wall clock down; the
    /// CPU time is what the simulation itself took, and the wait shows how contended the run was.
    pub sched: Option<&'a dyn Fn() -> (f64, f64)>,
}

/// One result: a JSON object and a line for people.
#[derive(Clone, Debug)]
pub struct Record {
    /// The result as a JSON object.
    pub json: Value,
    /// The result in one line of text.
    pub line: String,
}

/// Runs the next step of a job (one run, or one stretch of the memory run); the last step
/// returns the result.
pub type Step = Box<dyn FnMut(&Env) -> Option<Record>>;

/// One measurement, ready to run in steps.
pub struct Job {
    /// What it measures.
    pub name: String,
    /// Its next step.
    pub step: Step,
}

impl Job {
    /// Runs every step without a pause.
    pub fn run_to_end(mut self, env: &Env) -> Record {
        loop {
            if let Some(record) = (self.step)(env) {
                return record;
            }
        }
    }
}

/// Every measurement of `plan`, in the order they should run.
pub fn jobs(plan: Plan) -> Vec<Job> {
    let mut jobs = Vec::new();
    for w in throughput_workloads(&plan) {
        let mut runs = Vec::new();
        jobs.push(Job {
            name: format!("throughput {}", w.id),
            step: Box::new(move |env| {
                runs.push(w.run_once(env));
                (runs.len() >= plan.runs).then(|| w.summarize(&runs))
            }),
        });
    }
    for servers in [10, 1_000] {
        let picks = if servers == 10 {
            plan.picks_small
        } else {
            plan.picks_large
        };
        for algorithm in std::iter::once(None).chain(Algorithm::ALL.map(Some)) {
            let mut ns = Vec::new();
            jobs.push(Job {
                name: match algorithm {
                    Some(a) => format!("pick {} at {servers} servers", a.id()),
                    None => format!("pick harness baseline at {servers} servers"),
                },
                step: Box::new(move |env| {
                    ns.push(match algorithm {
                        Some(a) => pick_loop(a.build().as_mut(), servers, picks, env),
                        None => pick_loop(&mut Cycle::default(), servers, picks, env),
                    });
                    (ns.len() >= plan.runs).then(|| pick_record(algorithm, servers, picks, &ns))
                }),
            });
        }
    }
    let mut memory: Option<MemoryRun> = None;
    jobs.push(Job {
        name: "memory".to_string(),
        step: Box::new(move |env| memory.get_or_insert_with(MemoryRun::start).step(&plan, env)),
    });
    jobs.extend(time_travel::jobs(plan));
    jobs
}

// ---------------------------------------------------------------------------------------------
// Allocation counting.

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static LIVE_BYTES: AtomicU64 = AtomicU64::new(0);
static PEAK_BYTES: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting allocations and live bytes. Each driver installs it with
/// `#[global_allocator]`; it costs two relaxed atomic updates per allocation or free.
pub struct CountingAlloc;

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size() as u64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size() as u64);
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE_BYTES.fetch_sub(layout.size() as u64, Ordering::Relaxed);
            grew(new_size as u64);
        }
        p
    }
}

fn grew(bytes: u64) {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    let live = LIVE_BYTES.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
}

/// Allocations (and reallocations) so far.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Bytes allocated and not yet freed.
pub fn live_bytes() -> u64 {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// Forgets the peak and returns the live bytes now (the new baseline).
pub fn reset_peak() -> u64 {
    let live = live_bytes();
    PEAK_BYTES.store(live, Ordering::Relaxed);
    live
}

/// The most bytes live at once since the last [`reset_peak`].
pub fn peak_bytes() -> u64 {
    PEAK_BYTES.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------------
// Core throughput.

/// A whole-simulation workload.
pub struct Workload {
    /// Short identifier: `a`, `b`, `c`.
    pub id: &'static str,
    /// What it is, in words.
    pub title: String,
    /// Caveats printed with the figures.
    pub notes: Vec<String>,
    /// The run's starting point.
    pub scenario: Scenario,
    /// A server killed a quarter of the way through (early enough for the health checks to take it
    /// out of rotation before the end), if any.
    pub kill: Option<usize>,
    /// When the run stops (chosen so that about `plan.requests` requests arrive).
    pub end: SimTime,
}

/// A scenario of `servers` equal servers with one worker each, exponential costs of mean
/// [`MEAN_COST`], Poisson arrivals at `rate`, zero network delays, one-second metric windows and
/// no failure handling (no health checks, breakers or retries).
pub fn queueing_scenario(servers: usize, algorithm: Algorithm, rate: f64) -> Scenario {
    // Built on the classroom default so that fields the core gains later keep their defaults.
    let classroom = Scenario::classroom();
    Scenario {
        title: "Benchmark".into(),
        seed: SEED,
        servers: (1..=servers)
            .map(|i| server(&format!("server-{i}"), 1, 1))
            .collect(),
        algorithm,
        traffic: Traffic {
            rate,
            cost: CostDistribution::Exponential { mean: MEAN_COST },
            clients: 10_000,
            behind_nat: 0,
            ..classroom.traffic.clone()
        },
        client_latency: SimDuration::ZERO,
        backend_latency: SimDuration::ZERO,
        sample_every: SimDuration::from_secs(1),
        slow_start: SlowStart::Off,
        resilience: Resilience::NONE,
        ..classroom
    }
}

/// The failure handling of workload (c): HAProxy's default active health checks, the classic
/// consecutive-failure breaker (5 failures, 60 s) and nginx's default retries (3 tries, on
/// connection errors and timeouts).
pub const FAILURE_HANDLING: Resilience = Resilience {
    health: Some(ActiveCheck::HAPROXY_DEFAULT),
    breaker: BreakerConfig::CONSECUTIVE_DEFAULT,
    retry: RetryPolicy::NGINX_DEFAULT,
    ..Resilience::NONE
};

/// The arrival rate that loads `servers` one-worker servers to [`LOAD`].
pub fn rate_for(servers: usize) -> f64 {
    LOAD * servers as f64 / MEAN_COST.as_secs_f64()
}

/// A power-of-two-choices algorithm, if the core has one (by id, so a rename only loses the
/// preference instead of breaking the build).
pub fn two_choices() -> Option<Algorithm> {
    ["envoy-least-request", "nginx-random-two"]
        .into_iter()
        .find_map(Algorithm::from_id)
}

/// The three throughput workloads of issue 7, as far as the core supports them today.
pub fn throughput_workloads(plan: &Plan) -> Vec<Workload> {
    let end_for = |rate: f64| SimTime::from_secs_f64(plan.requests as f64 / rate);
    let mut out = Vec::new();

    let rate = rate_for(10);
    out.push(Workload {
        id: "a",
        title: "10 servers, least connections, Poisson at 90% load".to_string(),
        notes: vec![],
        scenario: queueing_scenario(10, Algorithm::LeastConnections, rate),
        kill: None,
        end: end_for(rate),
    });

    let rate = rate_for(1_000);
    let (algorithm, notes) = match two_choices() {
        Some(a) => (a, vec![]),
        None => (
            Algorithm::LeastConnections,
            vec!["no power-of-two-choices algorithm in Algorithm::ALL yet: least connections used instead".to_string()],
        ),
    };
    out.push(Workload {
        id: "b",
        title: format!("1,000 servers, {}, Poisson at 90% load", algorithm.id()),
        notes,
        scenario: queueing_scenario(1_000, algorithm, rate),
        kill: None,
        end: end_for(rate),
    });

    let rate = rate_for(100);
    out.push(Workload {
        id: "c",
        title: "100 servers, least connections, 90% load, health checks + breakers + retries, server-1 killed at 1/4 of the run".to_string(),
        notes: vec![format!(
            "failure handling: health checks {}; breaker {}; retries {}; no passive checks",
            "HAProxy default (inter 2 s, rise 2, fall 3)",
            FAILURE_HANDLING.breaker.describe(),
            FAILURE_HANDLING.retry.describe()
        )],
        scenario: Scenario {
            resilience: FAILURE_HANDLING,
            ..queueing_scenario(100, Algorithm::LeastConnections, rate)
        },
        kill: Some(0),
        end: end_for(rate),
    });

    // Ten minutes, as issue 18 states it (the smoke plan keeps its tiny request count).
    let ten_minutes = SimTime::from_secs_f64(600.0);
    out.push(Workload {
        id: "d",
        title: format!(
            "10 servers, least connections, {MEMORY_RATE:.0} req/s, 300 ms network delays, HAProxy health checks, 10 simulated minutes"
        ),
        notes: vec!["the memory run's scenario, timed: about 6,000 requests live at once".to_string()],
        scenario: memory_scenario(),
        kill: None,
        end: if plan.smoke {
            end_for(MEMORY_RATE)
        } else {
            ten_minutes
        },
    });
    out
}

/// What one throughput run did.
#[derive(Clone, Debug)]
pub struct RunStats {
    /// Wall-clock seconds spent advancing the simulation.
    pub wall: f64,
    /// Of which on a CPU, and waiting for one (when the platform says).
    pub sched: Option<(f64, f64)>,
    /// Where every request ended up.
    pub totals: Totals,
    /// Events the engine processed (`Simulation::events_processed`; none before the timed part).
    pub events: u64,
    /// Allocations made while advancing.
    pub allocations: u64,
    /// Retries made.
    pub retries: u64,
    /// Health-check and breaker transitions, `t=<seconds>: <text>` (runs with a kill only).
    pub timeline: Vec<String>,
}

impl RunStats {
    /// Requests answered (successfully or not) during the run.
    pub fn answered(&self) -> u64 {
        self.totals.completed + self.totals.failed + self.totals.rejected
    }
}

impl Workload {
    /// One run: builds the simulation (untimed), then times advancing it to the end.
    pub fn run_once(&self, env: &Env) -> RunStats {
        let mut sim = Simulation::new(self.scenario.clone()).expect("a valid benchmark scenario");
        let allocations_before = allocations();
        let sched_before = env.sched.map(|f| f());
        let start = (env.clock)();
        match self.kill {
            Some(server) => {
                sim.advance_to(SimTime(self.end.0 / 4));
                sim.apply(Command::Kill { server }).expect("a valid kill");
                sim.advance_to(self.end);
            }
            None => sim.advance_to(self.end),
        }
        let wall = (env.clock)() - start;
        let sched = env.sched.zip(sched_before).map(|(f, (cpu, wait))| {
            let (cpu_now, wait_now) = f();
            (cpu_now - cpu, wait_now - wait)
        });
        let allocations = allocations() - allocations_before;
        let events: Vec<_> = sim.drain_events().collect();
        RunStats {
            wall,
            sched,
            totals: sim.totals(),
            events: sim.events_processed(),
            allocations,
            retries: sim.metrics().retries(),
            timeline: match self.kill {
                Some(_) => events
                    .iter()
                    .filter(|e| {
                        matches!(
                            e.event.kind(),
                            LogKind::Health | LogKind::Breaker | LogKind::Command
                        )
                    })
                    .take(8)
                    .map(|e| {
                        let text = narrate::text(e, sim.servers());
                        format!("t={:.3} s: {text}", e.at.as_secs_f64())
                    })
                    .collect(),
                None => Vec::new(),
            },
        }
    }

    /// The runs, summarised by their medians.
    pub fn summarize(&self, runs: &[RunStats]) -> Record {
        let per_sec = |f: &dyn Fn(&RunStats) -> f64| -> Vec<f64> {
            runs.iter().map(|r| f(r) / r.wall.max(1e-9)).collect()
        };
        let requests = per_sec(&|r| r.answered() as f64);
        let events = per_sec(&|r| r.events as f64);
        let cpu_rates: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.sched.map(|(cpu, _)| r.answered() as f64 / cpu.max(1e-9)))
            .collect();
        let waits: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.sched.map(|(_, wait)| wait / r.wall.max(1e-9)))
            .collect();
        let walls: Vec<f64> = runs.iter().map(|r| r.wall).collect();
        let last = runs[runs.len() - 1].clone();
        let allocs_per_request = last.allocations as f64 / last.answered().max(1) as f64;
        let t = last.totals;
        let json = json!({
            "kind": "throughput",
            "id": self.id,
            "title": self.title,
            "servers": self.scenario.servers.len(),
            "algorithm": self.scenario.algorithm.id(),
            "rate": self.scenario.traffic.rate,
            "mean_cost_ms": MEAN_COST.as_millis_f64(),
            "sim_seconds": self.end.as_secs_f64(),
            "runs": runs.len(),
            "requests_per_s": median(&requests),
            "requests_per_s_min": min(&requests),
            "requests_per_s_max": max(&requests),
            "events_per_s": median(&events),
            "events_per_s_min": min(&events),
            "events_per_s_max": max(&events),
            "wall_s": median(&walls),
            "requests_per_cpu_s": median(&cpu_rates),
            "cpu_wait_share": median(&waits),
            "answered": last.answered(),
            "events": last.events,
            "completed": t.completed,
            "failed": t.failed,
            "rejected": t.rejected,
            "retries": last.retries,
            "allocations_per_request": allocs_per_request,
            "notes": self.notes,
            "timeline": last.timeline,
        });
        let cpu = if cpu_rates.is_empty() {
            String::new()
        } else {
            format!(
                ", {:.2} M per CPU second, {:.0}% of the wall time waiting for a CPU",
                median(&cpu_rates) / 1e6,
                100.0 * median(&waits)
            )
        };
        let line = format!(
            "throughput {}: {:>6.2} M req/s, {:>6.2} M events/s{cpu} (median of {}, {} requests and {} events per run: {} failed, {} rejected, {} retries; {:.4} allocations/request)  {}",
            self.id,
            median(&requests) / 1e6,
            median(&events) / 1e6,
            runs.len(),
            last.answered(),
            last.events,
            t.failed,
            t.rejected,
            last.retries,
            allocs_per_request,
            self.title
        );
        Record { json, line }
    }
}

// ---------------------------------------------------------------------------------------------
// Pick cost.

/// The harness baseline: a balancer that only cycles through the pool, so what remains of a
/// measured pick is the algorithm.
#[derive(Clone, Default)]
struct Cycle(usize);

impl Balancer for Cycle {
    fn pick(&mut self, ctx: &PickContext<'_>, _rng: &mut SimRng) -> Option<usize> {
        self.0 = (self.0 + 1) % ctx.pool.len();
        Some(self.0)
    }
}

/// The simulated time between two picks in the pick-cost loop.
const PICK_STEP: SimDuration = SimDuration(100);

/// A pool of `servers` equal servers carrying on average two requests each, fed picks the way the
/// engine feeds them: a request key per pick, the clock moving on, each routed request answered
/// (with `observe`) after `2 x servers` later picks, with a round-trip time that differs by
/// server. Returns nanoseconds per pick (the whole loop, harness included).
fn pick_loop(balancer: &mut dyn Balancer, servers: usize, picks: u64, env: &Env) -> f64 {
    let traffic = Traffic {
        clients: 4_096,
        behind_nat: 0,
        ..Scenario::classroom().traffic
    };
    let keys: Vec<RequestKey> = (0..traffic.clients)
        .map(|client| RequestKey {
            client,
            ip: traffic.client_ip(client),
            session: traffic.client_session(client),
            // 64 paths, so hashing by path spreads over the pool too.
            path: (client % 64) as u8,
            path_hash: path_hash(&format!("/item/{}", client % 64)),
        })
        .collect();
    let mut pool: Vec<Candidate> = (0..servers).map(|i| Candidate::new(i as u32, 1)).collect();
    let mut rng = SimRng::from_seed(SEED);
    let capacity = 2 * servers;
    let mut in_flight: VecDeque<(usize, SimTime)> = VecDeque::with_capacity(capacity);
    let mut now = SimTime::ZERO;
    let mut round = |count: u64, balancer: &mut dyn Balancer| {
        for i in 0..count {
            now += PICK_STEP;
            if in_flight.len() == capacity {
                let (server, sent) = in_flight.pop_front().expect("a full queue");
                pool[server].active -= 1;
                let rtt = now - sent + SimDuration(1_000 * (server as u64 % 4));
                balancer.observe(server, Feedback { ok: true, rtt, now });
            }
            let key = keys[i as usize % keys.len()];
            // Only the active counts change from one pick to the next, as in the engine.
            let ctx = PickContext {
                pool: &pool,
                key,
                now,
                pool_version: Some(0),
            };
            if let Some(server) = black_box(balancer.pick(&ctx, &mut rng)) {
                pool[server].active += 1;
                in_flight.push_back((server, now));
            }
        }
    };
    round(capacity as u64 + picks / 10, balancer); // warm up: fill the pool and caches
    let start = (env.clock)();
    round(picks, balancer);
    ((env.clock)() - start) * 1e9 / picks as f64
}

/// The pick-cost runs (ns per pick) of one algorithm, summarised by their median.
fn pick_record(algorithm: Option<Algorithm>, servers: usize, picks: u64, ns: &[f64]) -> Record {
    let (id, name) = match algorithm {
        Some(a) => (a.id(), a.about().name),
        None => (
            "harness-baseline",
            "harness only (cycles through the pool; observe, pool update, dynamic call)",
        ),
    };
    let json = json!({
        "kind": "pick",
        "algorithm": id,
        "name": name,
        "servers": servers,
        "picks": picks,
        "runs": ns.len(),
        "ns_per_pick": median(ns),
        "ns_per_pick_min": min(ns),
        "ns_per_pick_max": max(ns),
    });
    let line = format!(
        "pick {id:<24} {servers:>5} servers: {:>9.1} ns/pick (median of {})",
        median(ns),
        ns.len()
    );
    Record { json, line }
}

// ---------------------------------------------------------------------------------------------
// Memory.

/// The memory run: workload (a)'s ten servers and least connections at [`MEMORY_RATE`] requests
/// per second (mean cost set for 90% load), with the classroom's 300 ms network delays (so that
/// about 6,000 requests are live at any moment) and its default health checks, as on the page.
pub fn memory_scenario() -> Scenario {
    let servers = 10;
    let mean = SimDuration::from_secs_f64(LOAD * servers as f64 / MEMORY_RATE);
    Scenario {
        traffic: Traffic {
            rate: MEMORY_RATE,
            cost: CostDistribution::Exponential { mean },
            ..queueing_scenario(servers, Algorithm::LeastConnections, MEMORY_RATE).traffic
        },
        client_latency: SimDuration::from_millis(300),
        backend_latency: SimDuration::from_millis(300),
        resilience: Scenario::classroom().resilience,
        ..queueing_scenario(servers, Algorithm::LeastConnections, MEMORY_RATE)
    }
}

/// The memory run in progress: one step advances it by `plan.memory_every` simulated seconds.
struct MemoryRun {
    scenario: Scenario,
    sim: Simulation,
    /// Bytes live before the simulation was built.
    baseline: u64,
    /// Simulated seconds reached.
    at: u64,
    /// The readings so far, as numbers: made JSON only at the end, so that JSON values do not
    /// count in the heap the run measures.
    points: Vec<MemoryPoint>,
    heap: Vec<u64>,
    /// Wall-clock seconds spent advancing.
    wall: f64,
}

/// One reading of the memory run.
struct MemoryPoint {
    sim_s: u64,
    heap_bytes: u64,
    live_requests: usize,
    answered: u64,
    platform_bytes: Option<u64>,
}

impl MemoryRun {
    fn start() -> MemoryRun {
        let scenario = memory_scenario();
        let baseline = reset_peak();
        let sim = Simulation::new(scenario.clone()).expect("a valid memory scenario");
        MemoryRun {
            scenario,
            sim,
            baseline,
            at: 0,
            points: Vec::new(),
            heap: Vec::new(),
            wall: 0.0,
        }
    }

    fn step(&mut self, plan: &Plan, env: &Env) -> Option<Record> {
        self.at += plan.memory_every;
        let start = (env.clock)();
        self.sim.advance_to(SimTime::from_secs_f64(self.at as f64));
        self.wall += (env.clock)() - start;
        let live = live_bytes().saturating_sub(self.baseline);
        self.heap.push(live);
        let totals = self.sim.totals();
        self.points.push(MemoryPoint {
            sim_s: self.at,
            heap_bytes: live,
            live_requests: self.sim.requests().count(),
            answered: totals.completed + totals.failed + totals.rejected,
            platform_bytes: env.platform_memory.map(|(_, read)| read()),
        });
        (self.at >= plan.memory_secs).then(|| self.record(plan, env))
    }

    fn record(&self, plan: &Plan, env: &Env) -> Record {
        let (scenario, heap, wall) = (&self.scenario, &self.heap, self.wall);
        let peak = peak_bytes().saturating_sub(self.baseline);
        let mut json = json!({
            "kind": "memory",
            "rate": MEMORY_RATE,
            "servers": scenario.servers.len(),
            "algorithm": scenario.algorithm.id(),
            "mean_cost_ms": scenario.traffic.cost.mean().as_millis_f64(),
            "network_delay_ms": scenario.client_latency.as_millis_f64(),
            "sim_seconds": plan.memory_secs,
            "wall_s": wall,
            "heap_measure": "bytes live in the counting global allocator, minus those live before the run",
            "heap_peak_bytes": peak,
        });
        if let Some((what, _)) = env.platform_memory {
            json["platform_measure"] = json!(what);
        }
        let points = self.points.iter().map(|p| {
            let mut point = json!({
                "sim_s": p.sim_s,
                "heap_bytes": p.heap_bytes,
                "live_requests": p.live_requests,
                "answered": p.answered,
            });
            if let Some(bytes) = p.platform_bytes {
                point["platform_bytes"] = json!(bytes);
            }
            point
        });
        json["points"] = Value::Array(points.collect());
        let kib = |b: u64| b as f64 / 1024.0;
        let line = format!(
            "memory: {} s simulated at {MEMORY_RATE} req/s: heap {} KiB at each {} s; peak {:.0} KiB",
            plan.memory_secs,
            heap.iter()
                .map(|&b| format!("{:.0}", kib(b)))
                .collect::<Vec<_>>()
                .join(" / "),
            plan.memory_every,
            kib(peak)
        );
        Record { json, line }
    }
}

// ---------------------------------------------------------------------------------------------
// Page scenarios.

/// Requests in flight the page scenarios aim at (issue 7).
pub const PAGE_IN_FLIGHT: u32 = 2_000;

/// The page scenarios beyond the default page, opened through share links (`#s=...`): `servers`
/// servers with two workers each and the classroom's algorithm and health checks, 500 requests
/// per second of 10 ms mean cost, and one-second network delays each way, so that about
/// 500 x 4 s = 2,000 requests are in flight once the first four seconds have filled the pipeline.
pub fn page_scenario(servers: usize) -> Scenario {
    let classroom = Scenario::classroom();
    let delay = SimDuration::from_secs(1);
    let rate = f64::from(PAGE_IN_FLIGHT) / (4.0 * delay.as_secs_f64());
    Scenario {
        title: format!("Benchmark: {servers} servers, about {PAGE_IN_FLIGHT} requests in flight"),
        seed: SEED,
        servers: (1..=servers)
            .map(|i| server(&format!("server-{i}"), 1, 2))
            .collect(),
        traffic: Traffic {
            rate,
            cost: CostDistribution::Exponential {
                mean: SimDuration::from_millis(10),
            },
            ..classroom.traffic.clone()
        },
        client_latency: delay,
        backend_latency: delay,
        ..classroom
    }
}

/// The regions of the page's front-tier scenario, and the balancers and servers in each.
const PAGE_REGIONS: [&str; 3] = ["eu", "us", "ap"];
const PAGE_REGION_BALANCERS: u8 = 2;
const PAGE_REGION_SERVERS: u32 = 10;

/// The page scenario with a front tier: [`page_scenario`]'s traffic on 3 regions x 2 balancers
/// x 10 servers behind a global DNS, 1 s from a client to its own region's balancers (1.5 s to
/// another's), so the flow canvas draws bands, six balancer boxes, sixty links and about
/// 2,000 requests each frame.
pub fn page_regions_scenario() -> Scenario {
    let servers = PAGE_REGIONS.len() * PAGE_REGION_SERVERS as usize;
    let mut scenario = page_scenario(servers);
    scenario.title = format!(
        "Benchmark: 3 regions x 2 balancers x 10 servers, about {PAGE_IN_FLIGHT} requests in flight"
    );
    let (near, far) = (SimDuration::from_secs(1), SimDuration::from_millis(1_500));
    let share = 1.0 / PAGE_REGIONS.len() as f64;
    scenario.front = Some(Front {
        regions: PAGE_REGIONS
            .iter()
            .map(|name| Region {
                name: name.to_string(),
                servers: PAGE_REGION_SERVERS,
                clients: share,
            })
            .collect(),
        latency: (0..PAGE_REGIONS.len())
            .map(|from| {
                (0..PAGE_REGIONS.len())
                    .map(|to| if from == to { near } else { far })
                    .collect()
            })
            .collect(),
        ..Front::new(PAGE_REGION_BALANCERS, Spread::Dns(DnsConfig::default()))
    });
    scenario
}

/// The page scenarios as JSON: id, description and URL fragment (the share link).
pub fn page_scenarios_json() -> String {
    let described = |scenario: &Scenario, servers: usize| {
        format!(
            "{servers} servers x 2 workers, {} req/s of 10 ms mean cost, 1 s network delays: about {PAGE_IN_FLIGHT} in flight; share link, speed 1x",
            scenario.traffic.rate
        )
    };
    let item = |id: String, description: String, scenario: &Scenario| {
        json!({
            "id": id,
            "description": description,
            "servers": scenario.servers.len(),
            "fragment": format!("{}{}", share::FRAGMENT_KEY, share::pack(scenario)),
        })
    };
    let mut items: Vec<Value> = [4, 50, 1_000]
        .into_iter()
        .map(|servers| {
            let scenario = page_scenario(servers);
            item(
                format!("servers-{servers}"),
                described(&scenario, servers),
                &scenario,
            )
        })
        .collect();
    let regions = page_regions_scenario();
    items.push(item(
        "regions-3x2x10".to_string(),
        format!(
            "3 regions x 2 balancers x 10 servers (global DNS); {}",
            described(&regions, regions.servers.len())
        ),
        &regions,
    ));
    Value::Array(items).to_string()
}

// ---------------------------------------------------------------------------------------------
// Small helpers: statistics.

/// The median (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}
