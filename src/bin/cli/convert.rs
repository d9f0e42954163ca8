//! `lbsim import` and `lbsim export`: real configurations in and out.

use super::*;

/// `lbsim import CONFIG [--upstream NAME | --backend NAME | --cluster NAME]`: the scenario on stdout, the
/// warnings on stderr.
pub(super) fn import(parser: &mut Parser) -> Result<(), Failure> {
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
pub(super) fn export(parser: &mut Parser) -> Result<(), Failure> {
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
