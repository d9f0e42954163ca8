//! `lbsim sweep` (the `cli::sweep` module of `src/bin/lbsim.rs`): a scenario over a grid of field
//! values, replications at every point run on every core ([`lb_playground::sweep`]), one CSV or
//! JSON table on stdout and a line of progress on stderr per finished point.

use lb_playground::sim::validation::check_range;
use lb_playground::sim::work::{self, Work};
use lb_playground::sim::{Scenario, SimDuration, SimTime};
use lb_playground::sweep::{MAX_REPLICATIONS, Plan, SweepError, output, runner};
use lexopt::Parser;

use super::{
    Failure, Source, bad, failed, parse_max_work, parse_seconds, parse_seed, read_source,
    scenario_and_options, scenario_error, too_much_work, write_stdout,
};

/// The most threads `--jobs` may ask for.
const MAX_JOBS: usize = 1_024;

/// How the table is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

/// The parsed arguments of `lbsim sweep`.
#[derive(Debug)]
struct SweepArgs {
    source: Source,
    varies: Vec<String>,
    replications: usize,
    jobs: Option<usize>,
    format: Format,
    duration: Option<SimTime>,
    seed: Option<u64>,
    max_work: Option<f64>,
}

/// Runs `lbsim sweep` with the rest of the command line.
pub fn sweep(parser: &mut Parser) -> Result<(), Failure> {
    let args = parse_sweep(parser)?;
    let text = read_source(&args.source)?;
    let mut scenario = Scenario::from_json(&text).map_err(|e| scenario_error(&args.source, e))?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let length = match (args.duration, scenario.duration) {
        (Some(t), _) => SimDuration(t.0),
        (None, Some(d)) => d,
        (None, None) => {
            return Err(bad(
                "the scenario has no duration: give --duration SECONDS or add \"duration\" to it",
            ));
        }
    };
    let varies: Vec<&str> = args.varies.iter().map(String::as_str).collect();
    let plan = Plan::new(&scenario, &varies, args.replications, length).map_err(|e| match e {
        SweepError::Vary(problem) => bad(format!("--vary {problem}")),
        point @ SweepError::Point { .. } => bad(point.to_string()),
    })?;
    let limit = args.max_work.unwrap_or(work::DEFAULT_LIMIT);
    for (index, point) in plan.points().iter().enumerate() {
        let work = Work::of(point.scenario(), length);
        if work.units() > limit {
            let why = too_much_work(&work, SimTime(length.0), limit, "--duration");
            return Err(bad(at(&plan, index, &why)));
        }
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let points = plan.points().len();
    let summaries = runner::run(&plan, jobs, |done, point| {
        eprintln!(
            "lbsim: {}",
            at(&plan, point, &format!("{done} of {points} points done"))
        );
    })
    .map_err(|e| failed(format!("cannot start {jobs} threads: {e}")))?;
    let table = match args.format {
        Format::Csv => output::csv(&plan, &summaries),
        Format::Json => output::json(&plan, &summaries),
    };
    write_stdout(table.as_bytes())
}

/// `message` about point `index`, with the point's values after it when there are any.
fn at(plan: &Plan, index: usize, message: &str) -> String {
    let values = plan.grid().describe(index);
    if values.is_empty() {
        message.to_string()
    } else {
        format!("{message} (at {values})")
    }
}

/// Reads the arguments of `lbsim sweep`: `--name VALUE` or `--name=VALUE` for each option
/// (`--vary` as often as wanted), one scenario file (`-` for stdin) anywhere among them.
fn parse_sweep(parser: &mut Parser) -> Result<SweepArgs, Failure> {
    let mut varies = Vec::new();
    let (mut replications, mut jobs, mut format) = (None, None, None);
    let (mut duration, mut seed, mut max_work) = (None, None, None);
    let options = [
        ("vary", "FIELD=FROM..TO:STEPS"),
        ("replications", "N"),
        ("jobs", "N"),
        ("format", "csv or json"),
        ("duration", "SECONDS"),
        ("seed", "N"),
        ("max-work", "N"),
    ];
    let source = scenario_and_options(parser, "sweep", &options, &["vary"], |name, value| {
        let value = value.to_string_lossy().into_owned();
        match name {
            "vary" => varies.push(value),
            "replications" => {
                replications = Some(parse_count("--replications", &value, MAX_REPLICATIONS)?);
            }
            "jobs" => jobs = Some(parse_count("--jobs", &value, MAX_JOBS)?),
            "format" => {
                format = Some(match value.as_str() {
                    "csv" => Format::Csv,
                    "json" => Format::Json,
                    _ => return Err(bad(format!("--format: {value:?} is not csv or json"))),
                });
            }
            "duration" => duration = Some(parse_seconds("--duration", &value)?),
            "seed" => seed = Some(parse_seed(&value)?),
            _ => max_work = Some(parse_max_work(&value)?),
        }
        Ok(())
    })?;
    let Some(replications) = replications else {
        return Err(bad(
            "sweep needs --replications N (runs per point, each with its own seed; e.g. 20)",
        ));
    };
    Ok(SweepArgs {
        source,
        varies,
        replications,
        jobs,
        format: format.unwrap_or(Format::Csv),
        duration,
        seed,
        max_work,
    })
}

/// A count given as option `name`: a whole number from 1 to `max`.
fn parse_count(name: &str, text: &str, max: usize) -> Result<usize, Failure> {
    let n: u64 = text.trim().parse().map_err(|_| {
        bad(format!(
            "{name}: {text:?} is not a whole number from 1 to {max}"
        ))
    })?;
    check_range(name, n as f64, 1.0, max as f64).map_err(|e| bad(e.to_string()))?;
    Ok(n as usize)
}
