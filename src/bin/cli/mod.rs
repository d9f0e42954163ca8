//! The command line of `lbsim` (see the binary's documentation): reading the words, the
//! failures and their exit codes, and where each command is carried out.

mod convert;
mod help;
mod lessons;
mod run;
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

use convert::{export, import};
use help::HELP;
use lessons::{exercise, lesson};
use run::{parse_run, run, too_much_work};

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
    if args.iter().any(|a| a == "--help" || a == "-h") || args.first().is_some_and(|a| a == "help")
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

/// Reads the words of a command that takes one scenario file and `--name VALUE` (or
/// `--name=VALUE`) options, in any order: `options` are the names it takes with what their value
/// is called in messages, `repeatable` the ones that may be given more than once. Each option is
/// handed to `take` as it is read (so a bad value is refused before a later word is looked at);
/// the scenario file's source is returned.
fn scenario_and_options(
    parser: &mut Parser,
    command: &str,
    options: &[(&'static str, &'static str)],
    repeatable: &[&str],
    mut take: impl FnMut(&'static str, OsString) -> Result<(), Failure>,
) -> Result<Source, Failure> {
    let mut source = None;
    let mut seen: Vec<&str> = Vec::new();
    while let Some((typed, arg)) = next_word(parser)? {
        let option = match arg {
            Arg::Value(word) => {
                if source.is_some() {
                    return Err(bad(format!(
                        "unexpected argument {typed:?} ({command} takes one scenario file)"
                    )));
                }
                source = Some(Source::named(word));
                continue;
            }
            Arg::Long(name) => options.iter().find(|(o, _)| *o == name),
            Arg::Short(_) => None,
        };
        let Some(&(name, what)) = option else {
            // Named as typed, up to any `=`: `--fast`, `-x`, `-xyz`, `--`.
            let name = typed.split_once('=').map_or(typed.as_str(), |(n, _)| n);
            let names: Vec<String> = options.iter().map(|(o, _)| format!("--{o}")).collect();
            let (last, rest) = names.split_last().expect("a command with options");
            return Err(bad(format!(
                "unknown option {name:?} ({command} takes {} and {last})",
                rest.join(", ")
            )));
        };
        let Ok(value) = parser.value() else {
            return Err(bad(format!("--{name} needs a value ({what})")));
        };
        if seen.contains(&name) && !repeatable.contains(&name) {
            return Err(bad(format!("--{name} is given twice")));
        }
        seen.push(name);
        take(name, value)?;
    }
    source.ok_or_else(|| bad(format!("{command} needs a scenario file (or - for stdin)")))
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

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| failed(format!("cannot write to stdout: {e}")))
}
