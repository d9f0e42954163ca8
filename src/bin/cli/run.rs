//! `lbsim run`: its arguments, the streamed run, the request-log trace and the report.

use super::*;

/// Arrivals per step of a run, about (the step length adapts to it); outputs are drained
/// after every step.
const STEP_REQUESTS: usize = 1 << 16;
/// The most request-log lines held back for arrival order (about 60 MiB).
const MAX_PENDING_LINES: usize = 1 << 20;

/// The parsed arguments of `lbsim run`.
#[derive(Debug)]
pub(super) struct RunArgs {
    source: Source,
    until: Option<SimTime>,
    seed: Option<u64>,
    trace: Option<PathBuf>,
    max_work: Option<f64>,
}

/// Reads the arguments of `lbsim run`: `--name VALUE` or `--name=VALUE` for each option, one
/// scenario file (`-` for stdin) anywhere among them.
pub(super) fn parse_run(parser: &mut Parser) -> Result<RunArgs, Failure> {
    let (mut until, mut seed, mut trace, mut max_work) = (None, None, None, None);
    let options = [
        ("until", "SECONDS"),
        ("seed", "N"),
        ("trace", "FILE"),
        ("max-work", "N"),
    ];
    let source = scenario_and_options(parser, "run", &options, &[], |name, value| {
        let text = value.to_string_lossy();
        match name {
            "until" => until = Some(parse_seconds("--until", &text)?),
            "seed" => seed = Some(parse_seed(&text)?),
            "max-work" => max_work = Some(parse_max_work(&text)?),
            _ => {
                if value.is_empty() || value == "-" {
                    return Err(bad(
                        "--trace needs a file name (the report alone goes to stdout)",
                    ));
                }
                trace = Some(PathBuf::from(value));
            }
        }
        Ok(())
    })?;
    Ok(RunArgs {
        source,
        until,
        seed,
        trace,
        max_work,
    })
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

pub(super) fn run(args: RunArgs) -> Result<(), Failure> {
    if let Some(trace) = &args.trace
        && is_the_scenario(&args.source, trace)
    {
        return Err(bad(format!(
            "--trace {} is the scenario file: the request log would overwrite it (choose another file)",
            trace.display()
        )));
    }
    let text = read_source(&args.source)?;
    let mut scenario = Scenario::from_json(&text).map_err(|e| scenario_error(&args.source, e))?;
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
pub(super) fn too_much_work(work: &Work, until: SimTime, limit: f64, length: &str) -> String {
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
