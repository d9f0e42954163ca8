//! `lbsim lesson` and `lbsim exercise`: lessons and exercises, printed or played headless.

use super::*;

/// `lbsim lesson ID|FILE [--check]`: the lesson file on stdout, or with `--check` the lesson
/// played headless, one line per step; a step that fails is exit code 1, naming it.
pub(super) fn lesson(parser: &mut Parser) -> Result<(), Failure> {
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
pub(super) fn exercise(parser: &mut Parser) -> Result<(), Failure> {
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
