//! `lbsim`: the headless runner. It runs a scenario on the same deterministic core as the browser
//! and prints what happened, so every number the playground shows can be reproduced, scripted and
//! checked from a shell.
//!
//! # Commands
//!
//! ```text
//! lbsim run SCENARIO.json [--until SECONDS] [--seed N] [--trace FILE]
//! lbsim presets
//! lbsim preset NAME
//! lbsim --help
//! ```
//!
//! - `run` reads a scenario file (`-` reads it from stdin), runs it from time zero to `--until`
//!   simulated seconds (default: the scenario's `duration`; with neither, it is an error) and
//!   prints the JSON report on stdout: `scenario`, `seed`, `until`, `totals` (`generated`,
//!   `completed`, `failed`, `rejected`, `in_flight`, `queued`), `retries`, `latency_ms` (`mean`,
//!   `p50`, `p95`, `p99`, `max`, client-observed, `null` when nothing was served), `servers`
//!   (each with `name`, `routed`, `completed`, `failed`, `rejected`, `refused` and its own
//!   `latency_ms`), `paths` (each request path with `path`, `completed`, `failed`, `rejected`
//!   and its own `latency_ms`; one `/` unless the cost is a mix of classes with their paths) and
//!   `events`, the timeline of commands and state-machine transitions (`at`
//!   seconds, `kind`, `text`). Retries are counted in `retries`, not listed one by one.
//!   `--seed N` replaces the scenario's seed. The same scenario and seed always give the same
//!   report, byte for byte.
//! - Every event of the run is in the report: the event log is sized from the run (100 events per
//!   server per simulated second, the most health checks every 10 ms can make, plus two per
//!   timeline entry and a thousand spare), up to one million events. A run that fills that
//!   estimate is run again with room for a million; one that logs more than a million is refused
//!   (exit 1: shorten it with `--until`) rather than reported with events missing.
//! - `--trace FILE` also writes the request log as CSV: the header
//!   `seq,sent_s,client,client_ip,server,tries,outcome,latency_ms,path`, then one line per finished
//!   request in arrival order (`seq` increasing). Requests still in flight or queued when the run
//!   ends are not in it, so it has `completed + failed + rejected` lines. Lines are written as the
//!   run goes: memory holds only the requests that finished after an older one still in flight,
//!   not the whole log.
//! - `presets` lists the presets, one per line: `id`, `title` and `duration`, separated by tabs.
//! - `preset NAME` prints that preset as a scenario file, so
//!   `lbsim preset crash-recovery > x.json && lbsim run x.json` runs it.
//!
//! # Exit codes
//!
//! `0` on success (and for `--help`). `2` on bad input: an unknown command or option, a missing
//! or repeated value, a bad number, a file that cannot be read, a scenario that does not parse or
//! does not validate, an unknown preset, a trace file that cannot be created. The error is one
//! line on stderr naming the problem (e.g. `lbsim: traffic.rate: -1 is below the minimum 0`) and
//! nothing is printed on stdout. `1` when the run cannot be reported: writing the trace or the
//! report failed, or the run logged more than a million events.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}

/// The runner is native only; the browser build compiles this binary to nothing.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::ffi::OsString;
    use std::fs::File;
    use std::io::{self, BufWriter, Read, Write};
    use std::path::PathBuf;

    use lb_playground::sim::presets::{PRESETS, preset};
    use lb_playground::sim::report::{Report, TRACE_HEADER, trace_line};
    use lb_playground::sim::scenario::{MAX_DURATION, MAX_FILE_BYTES};
    use lb_playground::sim::validation::check_range;
    use lb_playground::sim::{Scenario, SimDuration, SimTime, Simulation, ValidationError};
    use lexopt::{Arg, Parser};

    /// What `--help` prints.
    const HELP: &str = "\
lbsim: run load-balancing scenarios headless, on the playground's deterministic core.

USAGE:
    lbsim run SCENARIO.json [--until SECONDS] [--seed N] [--trace FILE]
    lbsim presets
    lbsim preset NAME
    lbsim --help

COMMANDS:
    run       Run SCENARIO.json (- reads it from stdin) and print the JSON report on stdout:
              scenario, seed, until, totals (generated, completed, failed, rejected,
              in_flight, queued), retries, latency_ms (mean, p50, p95, p99, max; client-observed),
              servers (name, routed, completed, failed, rejected, refused, latency_ms),
              paths (path, completed, failed, rejected, latency_ms; per request path) and
              events (every command and state-machine transition of the run; retries are
              counted, not listed). The event log is sized from the run (100 events per server
              per simulated second plus the timeline), up to 1000000 events; a run that logs
              more is refused rather than reported with events missing.
    presets   List the presets, one per line: id, title, duration (tab-separated).
    preset    Print preset NAME as a scenario file:
              lbsim preset crash-recovery > x.json && lbsim run x.json

OPTIONS (run):
    --until SECONDS   Simulated seconds to run (default: the scenario's duration; one of the
                      two is required).
    --seed N          Use seed N (0 to 18446744073709551615) instead of the scenario's.
    --trace FILE      Also write the request log as CSV: a header, then one line per finished
                      request in arrival order (seq increasing; the last column is its path). Requests still in flight at
                      the end are not in it: it has completed + failed + rejected lines.
    -h, --help        Print this help.

The same scenario and seed always give the same report, byte for byte.

EXIT CODES:
    0   success
    1   the run could not be reported (writing the trace or the report failed, or the run
        logged more than 1000000 events)
    2   bad input (unknown command or option, bad number, unreadable file, invalid scenario,
        unknown preset); one line on stderr names the problem and stdout stays empty
";

    /// The most events a report lists.
    const MAX_EVENTS: usize = 1_000_000;
    /// Events a server can log per simulated second, estimated: active health checks run at
    /// most every 10 ms, so each server can change state at most 100 times a second that way.
    const EVENTS_PER_SERVER_SECOND: u64 = 100;
    /// Finished requests per chunk of a traced run (the chunk length adapts to this).
    const TRACE_CHUNK: usize = 1 << 16;

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
                // One line, whatever the underlying error says.
                let message = f.message.replace(['\n', '\r'], " ");
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
            Some("presets") => {
                if let Some((typed, _)) = next_word(&mut parser)? {
                    return Err(bad(format!("presets takes no arguments, got {typed:?}")));
                }
                let mut out = String::new();
                for p in &PRESETS {
                    let s = (p.build)();
                    let duration = s.duration.map_or("-".into(), |d| d.to_config_string());
                    out += &format!("{}\t{}\t{duration}\n", p.id, s.title);
                }
                write_stdout(out.as_bytes())
            }
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
                "unknown command {typed:?} (the commands are run, presets and preset; try lbsim --help)"
            ))),
        }
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

    /// Where the scenario comes from.
    #[derive(Debug)]
    enum Source {
        Stdin,
        File(PathBuf),
    }

    /// The parsed arguments of `lbsim run`.
    #[derive(Debug)]
    struct RunArgs {
        source: Source,
        until: Option<SimTime>,
        seed: Option<u64>,
        trace: Option<PathBuf>,
    }

    /// Reads the arguments of `lbsim run`: `--name VALUE` or `--name=VALUE` for each option, one
    /// scenario file (`-` for stdin) anywhere among them.
    fn parse_run(parser: &mut Parser) -> Result<RunArgs, Failure> {
        let mut source = None;
        let mut until = None;
        let mut seed = None;
        let mut trace = None;
        while let Some((typed, arg)) = next_word(parser)? {
            let name = match arg {
                Arg::Value(word) => {
                    if source.is_some() {
                        return Err(bad(format!(
                            "unexpected argument {typed:?} (run takes one scenario file)"
                        )));
                    }
                    source = Some(if word == "-" {
                        Source::Stdin
                    } else {
                        Source::File(PathBuf::from(word))
                    });
                    continue;
                }
                Arg::Long(name @ ("until" | "seed" | "trace")) => format!("--{name}"),
                Arg::Long(_) | Arg::Short(_) => {
                    // Named as typed, up to any `=`: `--fast`, `-x`, `-xyz`, `--`.
                    let name = typed.split_once('=').map_or(typed.as_str(), |(n, _)| n);
                    return Err(bad(format!(
                        "unknown option {name:?} (run takes --until, --seed and --trace)"
                    )));
                }
            };
            let Ok(value) = parser.value() else {
                let what = match name.as_str() {
                    "--until" => "SECONDS",
                    "--seed" => "N",
                    _ => "FILE",
                };
                return Err(bad(format!("{name} needs a value ({what})")));
            };
            let twice = || bad(format!("{name} is given twice"));
            match name.as_str() {
                "--until" if until.is_some() => return Err(twice()),
                "--until" => until = Some(parse_until(&value.to_string_lossy())?),
                "--seed" if seed.is_some() => return Err(twice()),
                "--seed" => seed = Some(parse_seed(&value.to_string_lossy())?),
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
        })
    }

    fn parse_until(text: &str) -> Result<SimTime, Failure> {
        let seconds: f64 = text
            .trim()
            .parse()
            .map_err(|_| bad(format!("--until: {text:?} is not a number of seconds")))?;
        check_range("--until", seconds, 1e-6, MAX_DURATION.as_secs_f64())
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

    /// A scenario error as one line: parse errors name the file, field errors name the field.
    fn scenario_error(source: &Source, e: ValidationError) -> Failure {
        if e.field == "file" {
            let name = match source {
                Source::Stdin => "stdin".to_string(),
                Source::File(path) => path.display().to_string(),
            };
            bad(format!("{name}: {}", e.problem))
        } else {
            bad(e.to_string())
        }
    }

    /// How many events the log keeps for a run of `scenario` to `until`: the estimate in the
    /// module doc, capped at [`MAX_EVENTS`].
    fn log_capacity(scenario: &Scenario, until: SimTime) -> usize {
        let seconds = until.0.div_ceil(1_000_000);
        let estimate = (scenario.servers.len() as u64)
            .saturating_mul(seconds)
            .saturating_mul(EVENTS_PER_SERVER_SECOND)
            .saturating_add(2 * scenario.timeline.len() as u64 + 1_000);
        estimate.min(MAX_EVENTS as u64) as usize
    }

    fn run(args: RunArgs) -> Result<(), Failure> {
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
        let capacity = log_capacity(&scenario, until);
        let mut sim = Simulation::new(scenario.clone()).map_err(|e| bad(e.to_string()))?;
        sim.set_log_capacity(capacity);
        match &args.trace {
            None => sim.advance_to(until),
            Some(path) => {
                let file = File::create(path)
                    .map_err(|e| bad(format!("--trace: cannot create {}: {e}", path.display())))?;
                let mut out = BufWriter::with_capacity(1 << 16, file);
                run_traced(&mut sim, until, &mut out)
                    .and_then(|()| out.flush())
                    .map_err(|e| failed(format!("writing {}: {e}", path.display())))?;
            }
        }
        if sim.log().len() >= capacity {
            // The estimate was too small: events may have been dropped. The run is
            // deterministic, so run it again with all the room a report allows (the trace,
            // if any, is already complete).
            if capacity >= MAX_EVENTS {
                return Err(too_many_events());
            }
            sim = Simulation::new(scenario).map_err(|e| bad(e.to_string()))?;
            sim.set_log_capacity(MAX_EVENTS);
            sim.advance_to(until);
            if sim.log().len() >= MAX_EVENTS {
                return Err(too_many_events());
            }
        }
        let mut json = Report::of(&sim).to_json();
        json.push('\n');
        write_stdout(json.as_bytes())
    }

    fn too_many_events() -> Failure {
        failed(format!(
            "the run logged {MAX_EVENTS} events or more, the most a report lists: shorten it with --until"
        ))
    }

    /// Runs `sim` to `until` in chunks, writing the request log in arrival order as it goes.
    ///
    /// The engine logs requests as they finish, which is not arrival order. After each chunk the
    /// new records are formatted into `pending`; every pending line older than the oldest
    /// request still alive (or not yet sent) can no longer be overtaken, so it is written.
    /// Chunks also end just before each timeline command, so a line is formatted with the client
    /// population its request saw.
    fn run_traced(sim: &mut Simulation, until: SimTime, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{TRACE_HEADER}")?;
        let mut stops: Vec<SimTime> = sim
            .scenario()
            .timeline
            .iter()
            .filter(|e| e.at.0 > 0 && e.at < until)
            .map(|e| SimTime(e.at.0 - 1))
            .collect();
        stops.sort_unstable();
        stops.dedup();
        let mut stops = stops.into_iter().peekable();
        // A chunk lasts about TRACE_CHUNK arrivals at the current rate (times `scale`, which
        // halves when a chunk turns out much bigger), between 1 ms and 1 s.
        let mut scale = 1.0;
        let mut pending = Pending::default();
        sim.enable_trace(usize::MAX);
        while sim.now() < until {
            while stops.next_if(|&s| s <= sim.now()).is_some() {}
            let traffic = sim.traffic();
            let rate = traffic.rate_at(sim.now()).max(traffic.rate).max(1.0);
            let step =
                SimDuration::from_secs_f64((scale * TRACE_CHUNK as f64 / rate).clamp(1e-3, 1.0));
            let mut end = (sim.now() + step).min(until);
            if let Some(&stop) = stops.peek() {
                end = end.min(stop);
            }
            sim.advance_to(end);
            let finished = sim.trace().map_or(0, |t| t.len());
            for r in sim.trace().into_iter().flatten() {
                pending.push(r.seq, &trace_line(sim, r));
            }
            sim.enable_trace(usize::MAX); // starts an empty log
            if finished > 2 * TRACE_CHUNK {
                scale = (scale / 2.0).max(1e-3);
            } else if finished < TRACE_CHUNK / 2 {
                scale = (scale * 2.0).min(1.0);
            }
            let oldest_alive = sim
                .requests()
                .map(|r| r.seq)
                .min()
                .unwrap_or(sim.totals().generated);
            pending.write_before(oldest_alive, out)?;
        }
        // The rest; requests still alive never finished and have no line.
        pending.write_before(u64::MAX, out)
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
