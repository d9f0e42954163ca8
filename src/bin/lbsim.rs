//! `lbsim`: the headless runner. It runs a scenario on the same deterministic core as the browser
//! and prints what happened, so every number the playground shows can be reproduced, scripted and
//! checked from a shell.
//!
//! # Commands
//!
//! ```text
//! lbsim run SCENARIO.json [--until SECONDS] [--seed N] [--trace FILE] [--max-work N]
//! lbsim sweep SCENARIO.json --vary FIELD=FROM..TO:STEPS [--vary ...] --replications N
//!             [--jobs N] [--format csv|json] [--duration SECONDS] [--seed N] [--max-work N]
//! lbsim presets
//! lbsim preset NAME
//! lbsim lessons
//! lbsim lesson ID|FILE [--check]
//! lbsim exercise KIND [--seed N]
//! lbsim --help
//! ```
//!
//! - `run` reads a scenario file (`-` reads it from stdin), runs it from time zero to `--until`
//!   simulated seconds (default: the scenario's `duration`; with neither, it is an error) and
//!   prints the JSON report on stdout: `scenario`, `seed`, `until`, `totals` (`generated`,
//!   `completed`, `failed`, `rejected`, `rate_limited`, `in_flight`, `queued`), `retries`, `latency_ms` (`mean`,
//!   `p50`, `p95`, `p99`, `max`, client-observed, `null` when nothing was served), `servers`
//!   (each with `name`, `routed`, `completed`, `failed`, `rejected`, `refused` and its own
//!   `latency_ms`), `paths` (each request path with `path`, `completed`, `failed`, `rejected`
//!   and its own `latency_ms`; one `/` unless the cost is a mix of classes with their paths) and
//!   `events`, every command and state-machine transition of the run, oldest first: `at`
//!   seconds, `kind`, `text`, `server` (the server it is about, if any) and the event's own
//!   data fields, listed under EVENT FIELDS in `lbsim --help`. Retries are counted in `retries`, not
//!   listed one by one. A run with client retries or closed-loop users also has `clients`
//!   (first sends, client retries, throughput beside goodput, per window too; see
//!   `sim::clients::report`); one whose balancer costs CPU also has `balancer` (its cores'
//!   utilisation, queue and CPU per request, the servers' CPU per request, the handshakes; see
//!   `sim::report::BalancerReport`). `--seed N` replaces the scenario's seed. The same scenario and seed
//!   always give the same report, byte for byte.
//! - The run is streamed: it advances in steps and takes the core's outputs (events, finished
//!   requests) after each, so nothing is sized in advance and no event is ever left out.
//! - `--trace FILE` also writes the request log as CSV (never over the scenario file): the header
//!   `seq,sent_s,client,client_ip,server,tries,outcome,latency_ms,path`, then one line per finished
//!   request in arrival order (`seq` increasing). Requests still in flight or queued when the run
//!   ends are not in it, so it has `completed + failed + rejected` lines. Lines are written as the
//!   run goes: memory holds only the requests that finished after an older one still in flight,
//!   not the whole log, and at most 1,048,576 of them: past that, the lines held back are
//!   written, so a request that outlives a million later ones is listed where it finishes.
//! - `sweep` runs the scenario at every point of a grid of field values (`--vary`, see
//!   [`lb_playground::sweep::grid`]), `--replications` times at each with seeds drawn from the
//!   scenario's, on `--jobs` threads, and prints one table on stdout (CSV, or JSON with
//!   `--format json`; the columns are [`lb_playground::sweep::output`]'s) and a line per finished
//!   point on stderr. The table is the same, byte for byte, whatever `--jobs` is.
//! - `presets` lists the presets, one per line: `id`, `title` and `duration`, separated by tabs.
//! - `preset NAME` prints that preset as a scenario file, so
//!   `lbsim preset crash-recovery > x.json && lbsim run x.json` runs it.
//! - `lessons` lists the shipped lessons: `id`, `title` and the number of steps, tab-separated.
//! - `lesson ID|FILE` prints a shipped lesson (or a lesson file) as a lesson file; with
//!   `--check` it plays the lesson headless (`lesson::check`) and prints one line per step.
//! - `exercise KIND [--seed N]` prints the answer key of a "you are the balancer" exercise
//!   ([`lb_playground::exercise`]): the rule, then one line per request with what the student
//!   sees, the algorithm's pick and why.
//!
//! # Exit codes
//!
//! `0` on success (and for `--help`). `2` on bad input: an unknown command or option, a missing
//! or repeated value, a bad number, a file that cannot be read, a scenario that does not parse or
//! does not validate, an unknown preset, a trace file that cannot be created or that is the
//! scenario file itself. The error is one line on stderr naming the problem (e.g.
//! `lbsim: traffic.rate: -1 is below the minimum 0`, or for a file that does not parse the field
//! and where: ``lbsim: x.json: servers[2]: missing field `name` at line 32 column 5``; a long value
//! is shortened to its first 40 characters and its length) and nothing is printed on stdout. `1`
//! when the run cannot be reported (writing the trace or the report failed, or a sweep's
//! threads could not start), or when a lesson fails its `--check` (the line names the step).
//! `3` when lbsim runs
//! out of memory: one line on stderr says so, never a stack backtrace.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}

/// Out of memory, lbsim ends with one line and exit code 3 (see [`memory`]).
#[cfg(unix)]
#[global_allocator]
static ALLOCATOR: memory::ExitWhenOutOfMemory = memory::ExitWhenOutOfMemory;

/// The last line of defence against a run too big for the machine. Rust's runtime meets an
/// allocation the system refuses with `memory allocation of N bytes failed`, a stack backtrace
/// when `RUST_BACKTRACE` is set, and an abort (a signal, "Aborted (core dumped)"); the hook that
/// would change that is unstable. So lbsim's allocator is the system's, except that a refused
/// allocation ends the process there: one line on stderr, exit code 3.
///
/// That line is built and written without allocating (nothing can be), straight to file
/// descriptor 2 (std's stderr handle may be borrowed by the very code that was allocating).
/// Any refused allocation ends lbsim, including one that code could have survived with
/// `try_reserve`; lbsim has no such code.
#[cfg(unix)]
mod memory {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::fs::File;
    use std::io::Write;
    use std::mem::ManuallyDrop;
    use std::os::fd::FromRawFd;

    /// The system allocator, ending lbsim when it refuses an allocation.
    pub struct ExitWhenOutOfMemory;

    // SAFETY: every call is passed on to `System` unchanged; only a null answer is acted on.
    unsafe impl GlobalAlloc for ExitWhenOutOfMemory {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller keeps `alloc`'s contract.
            or_exit(unsafe { System.alloc(layout) }, layout.size())
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller keeps `alloc_zeroed`'s contract.
            or_exit(unsafe { System.alloc_zeroed(layout) }, layout.size())
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: the caller keeps `realloc`'s contract.
            or_exit(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller keeps `dealloc`'s contract.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// `ptr`, unless the allocation of `bytes` failed.
    fn or_exit(ptr: *mut u8, bytes: usize) -> *mut u8 {
        if ptr.is_null() {
            out_of_memory(bytes);
        }
        ptr
    }

    /// Writes `lbsim: out of memory (the system refused N bytes)` to stderr and exits with code 3.
    #[cold]
    fn out_of_memory(bytes: usize) -> ! {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = bytes;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut line = [0u8; 80];
        let mut len = 0;
        for part in [
            &b"lbsim: out of memory (the system refused "[..],
            &digits[at..],
            b" bytes)\n",
        ] {
            line[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
        // SAFETY: descriptor 2 is stderr, open for the whole run; ManuallyDrop leaves it open.
        let mut stderr = ManuallyDrop::new(unsafe { File::from_raw_fd(2) });
        let _ = stderr.write_all(&line[..len]);
        std::process::exit(3)
    }
}

/// The runner is native only; the browser build compiles this binary to nothing.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    mod sweep;

    use std::ffi::OsString;
    use std::fs::File;
    use std::io::{self, BufWriter, Read, Write};
    use std::path::{Path, PathBuf};

    use lb_playground::config::{self, Format};
    use lb_playground::exercise::{Exercise, Kind, words};
    use lb_playground::lesson::{self, LESSONS, Lesson, LessonError, shipped};
    use lb_playground::sim::presets::{PRESETS, preset};
    use lb_playground::sim::report::{EventReport, Report, TRACE_HEADER, timeline, trace_line};
    use lb_playground::sim::scenario::{MAX_DURATION, MAX_FILE_BYTES, ScenarioError};
    use lb_playground::sim::validation::{check_range, shorten_values};
    use lb_playground::sim::work::{self, Work, about};
    use lb_playground::sim::{Logged, Scenario, SimDuration, SimTime, Simulation};
    use lexopt::{Arg, Parser};

    /// What `--help` prints.
    const HELP: &str = "\
lbsim: run load-balancing scenarios headless, on the playground's deterministic core.

USAGE:
    lbsim run SCENARIO.json [--until SECONDS] [--seed N] [--trace FILE] [--max-work N]
    lbsim sweep SCENARIO.json --vary FIELD=FROM..TO:STEPS [--vary ...] --replications N
                [--jobs N] [--format csv|json] [--duration SECONDS] [--seed N] [--max-work N]
    lbsim presets
    lbsim preset NAME
    lbsim lessons
    lbsim lesson ID|FILE [--check]
    lbsim exercise KIND [--seed N]
    lbsim import CONFIG [--upstream NAME | --backend NAME | --cluster NAME]
    lbsim export SCENARIO.json --to nginx|haproxy
    lbsim --help

COMMANDS:
    run       Run SCENARIO.json (- reads it from stdin) and print the JSON report on stdout:
              scenario, seed, until, totals (generated, completed, failed, rejected,
              rate_limited, in_flight, queued), retries, latency_ms (mean, p50, p95, p99, max; client-observed),
              servers (name, routed, completed, failed, rejected, refused, latency_ms),
              paths (path, completed, failed, rejected, rate_limited, latency_ms; per path) and
              events (every command and state-machine transition of the run, oldest first,
              each with at, kind, text, server and the data fields below; retries are
              counted in retries, not listed). With client retries or closed-loop users
              (traffic.client_retry, traffic.closed_loop) also clients: first_sends,
              client_retries (each also one of generated), amplification (generated /
              first_sends), waiting_to_retry, served (successes the servers produced, for
              clients still waiting or not), goodput (successes clients got before their
              timeout, = completed), budget_tokens, and windows (end, throughput, goodput,
              client_retries, retries, errors per second; p95_ms of successes, p95_any_ms of
              every answer, over the last 10 windows). With a balancer that costs CPU
              (scenario.balancer) also balancer: workers, utilisation, queued, handled,
              cpu_per_request_ms, server_cpu_per_request_ms, tls, full_handshakes,
              resumed_handshakes.
    sweep     Run SCENARIO.json (- reads stdin) at every point of a grid of field values,
              --replications times at each (every run with its own seed), on --jobs threads,
              and print one table on stdout, CSV with a header (or JSON: scenario, seed,
              duration_s, replications, vary, and points, each with at and the columns): the
              varied fields, replications, mean_ms and p95_ms, each with its 95% confidence
              interval over the replications (Student t: mean_ci95_low_ms, mean_ci95_high_ms,
              p95_ci95_low_ms, p95_ci95_high_ms; empty with one replication), throughput_per_s
              (requests served per simulated second), and theory_mean_ms and theory_model, the
              queueing model's mean latency where one fits (Poisson arrivals, identical
              servers, an algorithm the theory covers, no timeline, autoscaler or rate limit;
              empty elsewhere). Latencies are empty when a replication served nothing. A line
              on stderr per finished point. The same table whatever --jobs is.
    presets   List the presets, one per line: id, title, duration (tab-separated).
    preset    Print preset NAME as a scenario file:
              lbsim preset crash-recovery > x.json && lbsim run x.json
    lessons   List the shipped lessons, one per line: id, title, steps (tab-separated).
    lesson    Print lesson ID (or the lesson FILE, - reads stdin) as a lesson file. With
              --check, play it headless from its scenario, following its steps, and print
              one line per step (when its wait was met, and its question's measured answer);
              exit 1 naming the first step whose wait is not met within its time limit, or
              whose question the run cannot answer.
    exercise  Print the answer key of the \"you are the balancer\" exercise KIND
              (nginx-smooth-wrr, weighted-least-conn, nginx-ip-hash, consistent-hash-ip or
              nginx-random-two) drawn from --seed N (default 1): the algorithm and its rule,
              then one line per request, tab-separated: request N, what it shows, each
              server's numbers, answer SERVER (the project's balancer's pick) and why.
    import    Read an nginx config (its upstream blocks, limit_req and limit_req_zone), an
              HAProxy config (a backend or listen section, with the defaults before it) or an
              Envoy cluster in JSON, and print the scenario that behaves like it on stdout.
              With several, --upstream, --backend or --cluster NAME picks one (without it
              the error lists them). Everything in the chosen block the scenario cannot reproduce is a
              warning on stderr with its line (lbsim: warning: CONFIG: line N: ...; an Envoy
              field by its path); the
              traffic and the servers' capacity are the classroom default's.
    export    Print the nginx upstream or HAProxy backend that behaves like SCENARIO.json
              (- reads stdin), with a comment for each part the target has no equivalent of;
              importing it gives back the servers, algorithm, checks and slow start.

OPTIONS (run):
    --until SECONDS   Simulated seconds to run (default: the scenario's duration; one of the
                      two is required).
    --seed N          Use seed N (0 to 18446744073709551615) instead of the scenario's.
    --trace FILE      Also write the request log as CSV: a header, then one line per finished
                      request in arrival order (seq increasing; the last column is its path). Requests still in flight at
                      the end are not in it: it has completed + failed + rejected lines.
                      FILE may not be the scenario file (it is never overwritten).
    --max-work N      Refuse a run estimated at more than N units of work (default 2e8, a
                      minute or two): requests sent at the highest rate the scenario reaches,
                      health checks at the shortest interval, and metric windows (one unit per
                      100 servers each). The refusal gives the estimate.
    -h, --help        Print this help.

OPTIONS (sweep):
    --vary FIELD=FROM..TO:STEPS
                      Give FIELD STEPS values from FROM to TO, both included and evenly spaced:
                      traffic.rate=100..1000:10 is 100, 200, ..., 1000 (STEPS 1 needs FROM = TO).
                      FIELD is any number or duration of the scenario, named as errors name
                      fields: traffic.rate, backend_latency, resilience.health.inter,
                      servers[0].workers (from 0), servers[*].speed (every server; quote it for
                      the shell). Durations take units (backend_latency=0ms..300ms:4); whole-number
                      fields need whole steps (servers[0].workers=1..4:4). Several --vary run every
                      combination, the first varying slowest; without one, the scenario alone.
    --replications N  Runs per point, 1 to 10000 (required). Run r of point p has the seed
                      SplitMix64(SplitMix64(SplitMix64(seed) ^ p) ^ r) (seed: the scenario's).
    --jobs N          Threads to run on (default: every core).
    --format F        csv (default) or json.
    --duration SECONDS
                      Simulated seconds per run (default: the scenario's duration).
    --seed N          Use seed N instead of the scenario's as the replications' base.
    --max-work N      As for run, for each run of the sweep.

EVENT FIELDS (besides at, kind, text, and server naming the server an event is about):
    command   command (as a scenario's timeline writes it), by (user or timeline), entry
              (the timeline entry, 1-based), before (what it changed from: the old weight,
              speed, error rate, algorithm, slow start, rate or mean cost; {busy, queued} for
              a kill; the new server's number for add_server)
    health    to (UP or DOWN), passes, or failures and failure (refused, error, timeout);
              health (the counter after it), rise, fall
    passive   change: skipped (fails, max_fails, fail_timeout), probe_passed, ejected
              (consecutive_5xx, length, ejection: which one in a row), ejection_over
    breaker   from, to (CLOSED, OPEN, HALF_OPEN), rule and its numbers:
              consecutive_failures (threshold); failure_rate or slow_call_rate (rate,
              threshold, calls; rates in percent); error_percent (failures, calls, percent,
              threshold); wait_over (waited, permitted); trials (bad, permitted, rate,
              threshold); trial (ok); open_until (seconds) when it is now OPEN
    remap     keys (client or path), moved (consistent and modulo: shares of sampled keys),
              sampled, servers_before, servers_after, changes (server, change: left, joined,
              or weight with from and to)
    skipped   a timeline entry that could not apply when its time came (a command given since
              removed its server): command, entry (1-based), reason
    scale_out, scale_in
              an autoscaler's decision: direction (out or in), from, to (servers), desired
              (what the metric asked for: ceil(counted x measured / target)), measured,
              counted (servers whose numbers counted), bound (max, min, scale_up_rate or
              stabilisation, when one held it short), metric (cpu, in_flight, rps), target,
              servers (launched, booting from now; or taken away, draining)
    server_ready
              a launched server finished booting and takes traffic: launched (seconds)
    Durations are written as in scenario files (10s, 500ms).

OUTCOMES (the trace's outcome column; each counts in one total):
    completed  success
    failed     server_error, connection_failed, server_crashed, timeout, client_timeout,
               no_server_left (tries failed, no untried server left); queue_full and
               breaker_open after a failed try
    rejected   no_server (before any try), over_capacity (the run held its 1,000,000
               requests); queue_full and breaker_open on the first try
    rate_limited  rate_limited (the scenario's rate_limit refused it at the balancer)

The same scenario and seed always give the same report, byte for byte.

EXIT CODES:
    0   success
    1   the run could not be reported (writing the trace or the report failed, or a
        sweep's threads could not start), or a lesson failed its --check (the step is named)
    2   bad input (unknown command or option, bad number, unreadable file, invalid scenario,
        unknown preset, a --trace FILE that is the scenario file); one line on stderr names
        the problem (for a file that does not parse, the field and where:
        x.json: servers[2]: missing field `name` at line 32 column 5) and stdout stays empty
    3   out of memory: one line on stderr says so
";

    /// Arrivals per step of a run, about (the step length adapts to it); outputs are drained
    /// after every step.
    const STEP_REQUESTS: usize = 1 << 16;
    /// The most request-log lines held back for arrival order (about 60 MiB).
    const MAX_PENDING_LINES: usize = 1 << 20;

    /// Why the runner stops early: the exit code and the one-line message.
    #[derive(Debug)]
    struct Failure {
        code: i32,
        message: String,
    }

    /// Bad input: exit code 2.
    fn bad(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// The run could not be reported: exit code 1.
    fn failed(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    /// Runs the command line and returns the exit code.
    pub fn main() -> i32 {
        let args: Vec<OsString> = std::env::args_os().skip(1).collect();
        match dispatch(&args) {
            Ok(()) => 0,
            Err(f) => {
                // One line, whatever the underlying error says, and no value in it at length.
                let message = shorten_values(&f.message.replace(['\n', '\r'], " "));
                eprintln!("lbsim: {message}");
                f.code
            }
        }
    }

    fn dispatch(args: &[OsString]) -> Result<(), Failure> {
        // `--help` and `-h` anywhere (even where a value goes) and `help` as the command print
        // the help, whatever else is on the line: looked for in the words as typed, before
        // any of them is parsed.
        if args.iter().any(|a| a == "--help" || a == "-h")
            || args.first().is_some_and(|a| a == "help")
        {
            return write_stdout(HELP.as_bytes());
        }
        let mut parser = Parser::from_args(args);
        let Some((typed, command)) = next_word(&mut parser)? else {
            return Err(bad("no command given (try lbsim --help)"));
        };
        let command = match command {
            Arg::Value(word) => word,
            Arg::Long(_) | Arg::Short(_) => OsString::new(),
        };
        match command.to_str() {
            Some("run") => run(parse_run(&mut parser)?),
            Some("sweep") => sweep::sweep(&mut parser),
            Some("import") => import(&mut parser),
            Some("export") => export(&mut parser),
            Some("presets") => {
                if let Some((typed, _)) = next_word(&mut parser)? {
                    return Err(bad(format!("presets takes no arguments, got {typed:?}")));
                }
                let mut out = String::new();
                for p in PRESETS {
                    let s = (p.build)();
                    let duration = s.duration.map_or("-".into(), |d| d.to_config_string());
                    out += &format!("{}\t{}\t{duration}\n", p.id, s.title);
                }
                write_stdout(out.as_bytes())
            }
            Some("lessons") => {
                if let Some((typed, _)) = next_word(&mut parser)? {
                    return Err(bad(format!("lessons takes no arguments, got {typed:?}")));
                }
                let mut out = String::new();
                for shipped in LESSONS {
                    let l = shipped.lesson();
                    out += &format!("{}\t{}\t{}\n", l.id, l.title, l.steps.len());
                }
                write_stdout(out.as_bytes())
            }
            Some("lesson") => lesson(&mut parser),
            Some("exercise") => exercise(&mut parser),
            Some("preset") => {
                // The NAME is taken as typed, even if it starts with `-`.
                let rest: Vec<OsString> = parser.raw_args().map_err(parse_error)?.collect();
                let [name] = &rest[..] else {
                    return Err(bad(if rest.is_empty() {
                        "preset needs a NAME (lbsim presets lists them)"
                    } else {
                        "preset takes one NAME"
                    }));
                };
                let name = name.to_string_lossy();
                let Some(scenario) = preset(&name) else {
                    let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
                    return Err(bad(format!(
                        "unknown preset {name:?} (the presets are: {})",
                        ids.join(", ")
                    )));
                };
                write_stdout(format!("{}\n", scenario.to_json()).as_bytes())
            }
            _ => Err(bad(format!(
                "unknown command {typed:?} (the commands are run, sweep, presets, preset, lessons, lesson, exercise, import and export; try lbsim --help)"
            ))),
        }
    }

    /// `lbsim lesson ID|FILE [--check]`: the lesson file on stdout, or with `--check` the lesson
    /// played headless, one line per step; a step that fails is exit code 1, naming it.
    fn lesson(parser: &mut Parser) -> Result<(), Failure> {
        let mut named = None;
        let mut check = false;
        while let Some((typed, arg)) = next_word(parser)? {
            match arg {
                Arg::Value(word) if named.is_none() => named = Some(word),
                Arg::Value(_) => {
                    return Err(bad(format!(
                        "unexpected argument {typed:?} (lesson takes one ID or FILE)"
                    )));
                }
                Arg::Long("check") if check => return Err(bad("--check is given twice")),
                Arg::Long("check") => check = true,
                Arg::Long(_) | Arg::Short(_) => {
                    let name = typed.split_once('=').map_or(typed.as_str(), |(n, _)| n);
                    return Err(bad(format!(
                        "unknown option {name:?} (lesson takes --check)"
                    )));
                }
            }
        }
        let Some(named) = named else {
            return Err(bad(
                "lesson needs an ID or a FILE (lbsim lessons lists the IDs)",
            ));
        };
        let (name, lesson) = match named.to_str().and_then(shipped) {
            Some(s) => (s.id.to_string(), s.lesson()),
            None => {
                let source = Source::named(named);
                if let Source::File(path) = &source
                    && !path.exists()
                {
                    let ids: Vec<&str> = LESSONS.iter().map(|l| l.id).collect();
                    return Err(bad(format!(
                        "{:?} is neither a lesson nor a file (the lessons are: {})",
                        source.name(),
                        ids.join(", ")
                    )));
                }
                let text = read_source(&source)?;
                let lesson = Lesson::from_json(&text).map_err(|e| match e {
                    LessonError::Invalid(e) => bad(e.to_string()),
                    e => bad(format!("{}: {e}", source.name())),
                })?;
                (source.name(), lesson)
            }
        };
        if !check {
            return write_stdout(format!("{}\n", lesson.to_json()).as_bytes());
        }
        let passed = lesson::check(&lesson).map_err(|f| failed(format!("lesson {name}: {f}")))?;
        let mut out = String::new();
        for (i, (step, p)) in lesson.steps.iter().zip(&passed).enumerate() {
            out += &format!("step {}\tmet at {:.2} s", i + 1, p.at.as_secs_f64());
            if let (Some(question), Some(reveal)) = (&step.question, &p.reveal) {
                out += &format!("\t{}", reveal.describe(question));
            }
            out.push('\n');
        }
        out += &format!("lesson {name}: all {} steps passed\n", passed.len());
        write_stdout(out.as_bytes())
    }

    /// `lbsim exercise KIND [--seed N]`: the exercise's answer key, one line per request.
    fn exercise(parser: &mut Parser) -> Result<(), Failure> {
        let mut named = None;
        let mut seed = None;
        while let Some((typed, arg)) = next_word(parser)? {
            match arg {
                Arg::Value(word) if named.is_none() => named = Some(word),
                Arg::Value(_) => {
                    return Err(bad(format!(
                        "unexpected argument {typed:?} (exercise takes one KIND)"
                    )));
                }
                Arg::Long("seed") if seed.is_some() => return Err(bad("--seed is given twice")),
                Arg::Long("seed") => {
                    let Ok(value) = parser.value() else {
                        return Err(bad("--seed needs a value (N)"));
                    };
                    seed = Some(parse_seed(&value.to_string_lossy())?);
                }
                Arg::Long(_) | Arg::Short(_) => {
                    let name = typed.split_once('=').map_or(typed.as_str(), |(n, _)| n);
                    return Err(bad(format!(
                        "unknown option {name:?} (exercise takes --seed)"
                    )));
                }
            }
        }
        let kinds = Kind::ALL.map(Kind::id).join(", ");
        let Some(named) = named else {
            return Err(bad(format!("exercise needs a KIND ({kinds})")));
        };
        let Some(kind) = named.to_str().and_then(Kind::from_id) else {
            return Err(bad(format!(
                "unknown exercise {:?} (the exercises are: {kinds})",
                named.to_string_lossy()
            )));
        };
        let mut exercise = Exercise::new(kind, seed.unwrap_or(1));
        let mut out = format!("{}: {}\n", kind.algorithm().about().name, words::rule(kind));
        loop {
            let sheet = exercise.sheet().clone();
            let round = &sheet.round;
            let servers: Vec<String> = (0..round.servers.len())
                .map(|i| format!("{}: {}", words::name(i), words::server(round, i)))
                .collect();
            out += &format!(
                "request {}\t{}\t{}\tanswer {}\t{}\n",
                round.request + 1,
                words::request(&sheet),
                servers.join("; "),
                words::name(round.model),
                words::reason(round)
            );
            exercise.pick(round.model);
            if !exercise.next_request() {
                return write_stdout(out.as_bytes());
            }
        }
    }

    /// `lbsim import CONFIG [--upstream NAME | --backend NAME | --cluster NAME]`: the scenario on stdout, the
    /// warnings on stderr.
    fn import(parser: &mut Parser) -> Result<(), Failure> {
        let mut source = None;
        let mut select: Option<(String, String)> = None;
        while let Some((typed, arg)) = next_word(parser)? {
            match arg {
                Arg::Value(word) if source.is_none() => source = Some(Source::named(word)),
                Arg::Value(_) => {
                    return Err(bad(format!(
                        "unexpected argument {typed:?} (import takes one config file)"
                    )));
                }
                Arg::Long(name @ ("upstream" | "backend" | "cluster")) => {
                    let flag = format!("--{name}");
                    if let Some((given, _)) = &select {
                        return Err(bad(format!("{flag} after {given}: give one name")));
                    }
                    let Ok(value) = parser.value() else {
                        return Err(bad(format!("{flag} needs a value (NAME)")));
                    };
                    select = Some((flag, value.to_string_lossy().into_owned()));
                }
                Arg::Long(_) | Arg::Short(_) => {
                    let name = typed.split_once('=').map_or(typed.as_str(), |(n, _)| n);
                    return Err(bad(format!(
                        "unknown option {name:?} (import takes --upstream, --backend and --cluster)"
                    )));
                }
            }
        }
        let Some(source) = source else {
            return Err(bad("import needs a config file (or - for stdin)"));
        };
        let text = read_source(&source)?;
        let name = source.name();
        let format = Format::detect(&text);
        let imported = config::import(&text, format, select.as_ref().map(|(_, n)| n.as_str()))
            .map_err(|e| bad(format!("{name}: {e}")))?;
        for w in &imported.warnings {
            eprintln!("lbsim: warning: {name}: {w}");
        }
        write_stdout(format!("{}\n", imported.scenario.to_json()).as_bytes())
    }

    /// `lbsim export SCENARIO --to nginx|haproxy`: the config on stdout.
    fn export(parser: &mut Parser) -> Result<(), Failure> {
        let mut source = None;
        let mut target = None;
        while let Some((typed, arg)) = next_word(parser)? {
            match arg {
                Arg::Value(word) if source.is_none() => source = Some(Source::named(word)),
                Arg::Value(_) => {
                    return Err(bad(format!(
                        "unexpected argument {typed:?} (export takes one scenario file)"
                    )));
                }
                Arg::Long("to") => {
                    if target.is_some() {
                        return Err(bad("--to is given twice"));
                    }
                    let value = parser
                        .value()
                        .map_err(|_| bad("--to needs a value (nginx or haproxy)"))?;
                    target = Some(match value.to_str() {
                        Some("nginx") => config::Target::Nginx,
                        Some("haproxy") => config::Target::Haproxy,
                        _ => {
                            return Err(bad(format!(
                                "--to: {:?} is not nginx or haproxy",
                                value.to_string_lossy()
                            )));
                        }
                    });
                }
                Arg::Long(_) | Arg::Short(_) => {
                    let name = typed.split_once('=').map_or(typed.as_str(), |(n, _)| n);
                    return Err(bad(format!("unknown option {name:?} (export takes --to)")));
                }
            }
        }
        let Some(source) = source else {
            return Err(bad("export needs a scenario file (or - for stdin)"));
        };
        let Some(target) = target else {
            return Err(bad("export needs --to nginx or --to haproxy"));
        };
        let text = read_source(&source)?;
        let scenario = Scenario::from_json(&text).map_err(|e| scenario_error(&source, e))?;
        write_stdout(config::export(&scenario, target).as_bytes())
    }

    /// The next word of the command line as lexopt reads it, with the word as typed (lossily
    /// decoded, for messages).
    ///
    /// `--` comes back as an option with an empty name, as `--=x` does, rather than ending the
    /// options: a scenario file never starts with `-` (but `-` itself, stdin), so lbsim has no
    /// use for the marker and refuses it like any other unknown option, as it always has.
    fn next_word(parser: &mut Parser) -> Result<Option<(String, Arg<'_>)>, Failure> {
        let typed = match parser.try_raw_args() {
            Some(mut raw) => {
                if raw.next_if(|word| word == "--").is_some() {
                    return Ok(Some(("--".into(), Arg::Long(""))));
                }
                raw.peek().map(|word| word.to_string_lossy().into_owned())
            }
            // In the middle of a word: lexopt's next() says what is left over.
            None => None,
        };
        let arg = parser.next().map_err(parse_error)?;
        Ok(arg.map(|arg| (typed.unwrap_or_default(), arg)))
    }

    /// A lexopt error as bad input (the words are read so that none is expected).
    fn parse_error(e: lexopt::Error) -> Failure {
        bad(e.to_string())
    }

    /// Where the scenario (or config) comes from.
    #[derive(Debug)]
    enum Source {
        Stdin,
        File(PathBuf),
    }

    impl Source {
        /// The source a command-line word names (`-` is stdin).
        fn named(word: std::ffi::OsString) -> Source {
            if word == "-" {
                Source::Stdin
            } else {
                Source::File(PathBuf::from(word))
            }
        }

        /// What messages call it.
        fn name(&self) -> String {
            match self {
                Source::Stdin => "stdin".to_string(),
                Source::File(path) => path.display().to_string(),
            }
        }
    }

    /// The parsed arguments of `lbsim run`.
    #[derive(Debug)]
    struct RunArgs {
        source: Source,
        until: Option<SimTime>,
        seed: Option<u64>,
        trace: Option<PathBuf>,
        max_work: Option<f64>,
    }

    /// Reads the arguments of `lbsim run`: `--name VALUE` or `--name=VALUE` for each option, one
    /// scenario file (`-` for stdin) anywhere among them.
    fn parse_run(parser: &mut Parser) -> Result<RunArgs, Failure> {
        let mut source = None;
        let mut until = None;
        let mut seed = None;
        let mut trace = None;
        let mut max_work = None;
        while let Some((typed, arg)) = next_word(parser)? {
            let name = match arg {
                Arg::Value(word) => {
                    if source.is_some() {
                        return Err(bad(format!(
                            "unexpected argument {typed:?} (run takes one scenario file)"
                        )));
                    }
                    source = Some(Source::named(word));
                    continue;
                }
                Arg::Long(name @ ("until" | "seed" | "trace" | "max-work")) => format!("--{name}"),
                Arg::Long(_) | Arg::Short(_) => {
                    // Named as typed, up to any `=`: `--fast`, `-x`, `-xyz`, `--`.
                    let name = typed.split_once('=').map_or(typed.as_str(), |(n, _)| n);
                    return Err(bad(format!(
                        "unknown option {name:?} (run takes --until, --seed, --trace and --max-work)"
                    )));
                }
            };
            let Ok(value) = parser.value() else {
                let what = match name.as_str() {
                    "--until" => "SECONDS",
                    "--seed" | "--max-work" => "N",
                    _ => "FILE",
                };
                return Err(bad(format!("{name} needs a value ({what})")));
            };
            let twice = || bad(format!("{name} is given twice"));
            match name.as_str() {
                "--until" if until.is_some() => return Err(twice()),
                "--until" => until = Some(parse_seconds("--until", &value.to_string_lossy())?),
                "--seed" if seed.is_some() => return Err(twice()),
                "--seed" => seed = Some(parse_seed(&value.to_string_lossy())?),
                "--max-work" if max_work.is_some() => return Err(twice()),
                "--max-work" => max_work = Some(parse_max_work(&value.to_string_lossy())?),
                _ if trace.is_some() => return Err(twice()),
                _ => {
                    if value.is_empty() || value == "-" {
                        return Err(bad(
                            "--trace needs a file name (the report alone goes to stdout)",
                        ));
                    }
                    trace = Some(PathBuf::from(value));
                }
            }
        }
        let Some(source) = source else {
            return Err(bad("run needs a scenario file (or - for stdin)"));
        };
        Ok(RunArgs {
            source,
            until,
            seed,
            trace,
            max_work,
        })
    }

    fn parse_max_work(text: &str) -> Result<f64, Failure> {
        let n: f64 = text
            .trim()
            .parse()
            .map_err(|_| bad(format!("--max-work: {text:?} is not a number (e.g. 1e9)")))?;
        check_range("--max-work", n, 1.0, 1e15).map_err(|e| bad(e.to_string()))?;
        Ok(n)
    }

    /// A length of simulated time given as option `name` in seconds (`--until`, `--duration`).
    fn parse_seconds(name: &str, text: &str) -> Result<SimTime, Failure> {
        let seconds: f64 = text
            .trim()
            .parse()
            .map_err(|_| bad(format!("{name}: {text:?} is not a number of seconds")))?;
        check_range(name, seconds, 1e-6, MAX_DURATION.as_secs_f64())
            .map_err(|e| bad(format!("{e} (seconds)")))?;
        Ok(SimTime::from_secs_f64(seconds))
    }

    fn parse_seed(text: &str) -> Result<u64, Failure> {
        text.trim().parse().map_err(|_| {
            bad(format!(
                "--seed: {text:?} is not a whole number from 0 to {}",
                u64::MAX
            ))
        })
    }

    /// Reads the scenario text, refusing more than [`MAX_FILE_BYTES`] without reading it all.
    fn read_source(source: &Source) -> Result<String, Failure> {
        let (name, reader): (String, Box<dyn Read>) = match source {
            Source::Stdin => ("stdin".into(), Box::new(io::stdin().lock())),
            Source::File(path) => {
                let name = path.display().to_string();
                let file = File::open(path).map_err(|e| bad(format!("cannot read {name}: {e}")))?;
                (name, Box::new(file))
            }
        };
        let mut bytes = Vec::new();
        reader
            .take(MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("cannot read {name}: {e}")))?;
        if bytes.len() > MAX_FILE_BYTES {
            return Err(bad(format!(
                "{name}: more than the maximum {MAX_FILE_BYTES} bytes"
            )));
        }
        String::from_utf8(bytes).map_err(|_| bad(format!("{name}: not UTF-8 text")))
    }

    /// A scenario error as one line: a bad value names its field, anything else the file.
    fn scenario_error(source: &Source, e: ScenarioError) -> Failure {
        if let ScenarioError::Invalid(e) = e {
            return bad(e.to_string());
        }
        bad(format!("{}: {e}", source.name()))
    }

    /// Whether `trace` is the scenario file of `source` under another name (`./x.json`, a
    /// symbolic link): both exist and resolve to the same path.
    fn is_the_scenario(source: &Source, trace: &Path) -> bool {
        let Source::File(scenario) = source else {
            return false;
        };
        match (scenario.canonicalize(), trace.canonicalize()) {
            (Ok(scenario), Ok(trace)) => scenario == trace,
            _ => false,
        }
    }

    fn run(args: RunArgs) -> Result<(), Failure> {
        if let Some(trace) = &args.trace
            && is_the_scenario(&args.source, trace)
        {
            return Err(bad(format!(
                "--trace {} is the scenario file: the request log would overwrite it (choose another file)",
                trace.display()
            )));
        }
        let text = read_source(&args.source)?;
        let mut scenario =
            Scenario::from_json(&text).map_err(|e| scenario_error(&args.source, e))?;
        if let Some(seed) = args.seed {
            scenario.seed = seed;
        }
        let until = match (args.until, scenario.duration) {
            (Some(t), _) => t,
            (None, Some(d)) => SimTime(d.0),
            (None, None) => {
                return Err(bad(
                    "the scenario has no duration: give --until SECONDS or add \"duration\" to it",
                ));
            }
        };
        let limit = args.max_work.unwrap_or(work::DEFAULT_LIMIT);
        let work = Work::of(&scenario, SimDuration(until.0));
        if work.units() > limit {
            return Err(bad(too_much_work(&work, until, limit, "--until")));
        }
        let mut sim = Simulation::new(scenario).map_err(|e| bad(e.to_string()))?;
        let mut trace = match &args.trace {
            None => None,
            Some(path) => {
                let file = File::create(path)
                    .map_err(|e| bad(format!("--trace: cannot create {}: {e}", path.display())))?;
                Some(Trace {
                    out: BufWriter::with_capacity(1 << 16, file),
                    pending: Pending::default(),
                })
            }
        };
        let write_error = |e: io::Error| {
            let path = args
                .trace
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string());
            failed(format!("writing {path}: {e}"))
        };
        let events = stream(&mut sim, until, trace.as_mut()).map_err(write_error)?;
        if let Some(trace) = &mut trace {
            trace.finish().map_err(write_error)?;
        }
        let mut json = Report::of(&sim, events).to_json();
        json.push('\n');
        write_stdout(json.as_bytes())
    }

    /// Why a run is refused for its length, in one line: the estimate, its parts, what to change
    /// (`length` is the option that sets the run's length).
    fn too_much_work(work: &Work, until: SimTime, limit: f64, length: &str) -> String {
        format!(
            "the run would simulate about {} requests, {} health checks and {} metric windows in {} s \
             ({} units of work), more than the limit of {}: run it shorter ({length} or \"duration\"), \
             at a lower rate, or raise the limit with --max-work {:.1e}",
            about(work.requests),
            about(work.checks),
            about(work.windows),
            until.as_secs_f64(),
            about(work.units()),
            about(limit),
            work.units(),
        )
    }

    /// The request log being written: the CSV file, and the lines waiting for their turn.
    struct Trace {
        out: BufWriter<File>,
        pending: Pending,
    }

    impl Trace {
        /// Writes the lines still waiting (requests alive at the end never finished and have
        /// none) and flushes the file.
        fn finish(&mut self) -> io::Result<()> {
            self.pending.write_before(u64::MAX, &mut self.out)?;
            self.out.flush()
        }
    }

    /// Runs `sim` to `until` in steps, draining its outputs after each: the events (but retries,
    /// which the report counts instead) are returned for the report, and with a trace every
    /// finished request's line is written in arrival order.
    ///
    /// The engine hands requests out as they finish, which is not arrival order. Each step's
    /// lines go to `pending`; every pending line older than the oldest request still alive (or
    /// not yet sent) can no longer be overtaken, so it is written. A step lasts about
    /// [`STEP_REQUESTS`] arrivals at the current rate (times a scale that halves when a step
    /// turns out much bigger), so memory holds a few steps' lines at most.
    fn stream(
        sim: &mut Simulation,
        until: SimTime,
        mut trace: Option<&mut Trace>,
    ) -> io::Result<Vec<EventReport>> {
        if let Some(trace) = trace.as_mut() {
            writeln!(trace.out, "{TRACE_HEADER}")?;
        }
        sim.keep_finished(trace.is_some());
        let mut events = Vec::new();
        let mut scale = 1.0;
        while sim.now() < until {
            let traffic = sim.traffic();
            let rate = traffic.rate_at(sim.now()).max(traffic.rate).max(1.0);
            let step =
                SimDuration::from_secs_f64((scale * STEP_REQUESTS as f64 / rate).clamp(1e-3, 1.0));
            sim.advance_to((sim.now() + step).min(until));
            let logged: Vec<Logged> = sim.drain_events().collect();
            events.extend(timeline(&logged, sim.servers()));
            let Some(trace) = trace.as_mut() else {
                continue;
            };
            let mut finished = 0;
            while let Some(record) = sim.poll_finished() {
                trace.pending.push(record.seq, &trace_line(sim, &record));
                finished += 1;
            }
            if finished > 2 * STEP_REQUESTS {
                scale = (scale / 2.0).max(1e-3);
            } else if finished < STEP_REQUESTS / 2 {
                scale = (scale * 2.0).min(1.0);
            }
            let oldest_alive = sim
                .requests()
                .map(|r| r.seq.0)
                .min()
                .unwrap_or(sim.totals().generated);
            trace.pending.write_before(oldest_alive, &mut trace.out)?;
            if trace.pending.lines.len() > MAX_PENDING_LINES {
                // One request outlives a million later ones: it gives up its place in the order
                // rather than the log taking memory without end.
                trace.pending.write_before(u64::MAX, &mut trace.out)?;
            }
        }
        Ok(events)
    }

    /// Formatted request-log lines waiting for their turn, kept in one buffer (a million small
    /// strings would cost more in the allocator than in formatting).
    #[derive(Default)]
    struct Pending {
        /// The lines, each with its newline.
        text: String,
        /// Each line's sequence number and where it is in `text`.
        lines: Vec<(u64, usize, usize)>,
        /// Buffers reused for the lines kept back.
        spare_text: String,
        spare_lines: Vec<(u64, usize, usize)>,
    }

    impl Pending {
        fn push(&mut self, seq: u64, line: &str) {
            let start = self.text.len();
            self.text.push_str(line);
            self.text.push('\n');
            self.lines.push((seq, start, self.text.len()));
        }

        /// Writes the lines of requests older than `seq`, in arrival order, and keeps the rest.
        fn write_before(&mut self, seq: u64, out: &mut impl Write) -> io::Result<()> {
            self.lines.sort_unstable_by_key(|&(s, _, _)| s);
            let ready = self.lines.partition_point(|&(s, _, _)| s < seq);
            for &(_, start, end) in &self.lines[..ready] {
                out.write_all(&self.text.as_bytes()[start..end])?;
            }
            self.spare_text.clear();
            self.spare_lines.clear();
            for &(s, start, end) in &self.lines[ready..] {
                let at = self.spare_text.len();
                self.spare_text.push_str(&self.text[start..end]);
                self.spare_lines.push((s, at, self.spare_text.len()));
            }
            std::mem::swap(&mut self.text, &mut self.spare_text);
            std::mem::swap(&mut self.lines, &mut self.spare_lines);
            Ok(())
        }
    }

    fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| failed(format!("cannot write to stdout: {e}")))
    }
}
