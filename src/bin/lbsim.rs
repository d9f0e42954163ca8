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
mod cli;
