//! Errors as people read them. The core refuses bad input with a [`ValidationError`] (a field and
//! its problem); what a user sees is a sentence saying what could not be done and why, naming
//! servers by name and by the 1-based number the page shows, e.g. "Cannot set the weight of
//! server-3 (server 3): weight: 2000 is above the maximum 1000." Never `Debug` output.

use crate::lesson::LessonError;
use crate::sim::scenario::{MAX_FILE_BYTES, ScenarioError};
use crate::sim::{Command, Simulation, ValidationError};

/// The sentence for a command the simulation refused.
pub fn refused(command: &Command, sim: &Simulation, error: &ValidationError) -> String {
    cannot(&attempt(command, sim), &reason(error))
}

/// "Cannot {attempt}: {reason}.", as one sentence.
pub fn cannot(attempt: &str, reason: &str) -> String {
    let reason = reason.trim_end();
    let stop = if reason.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("Cannot {attempt}: {reason}{stop}")
}

/// What an imported config said that the scenario does not reproduce, as one notice (`None`
/// when nothing): `Imported with 2 warnings: line 3: keepalive: not modelled, ignored; ...`.
pub fn config_warnings(warnings: &[crate::config::Warning]) -> Option<String> {
    let (first, rest) = warnings.split_first()?;
    let count = if rest.is_empty() {
        "1 warning".to_string()
    } else {
        format!("{} warnings", warnings.len())
    };
    let list: Vec<String> = std::iter::once(first)
        .chain(rest)
        .map(|w| w.to_string())
        .collect();
    Some(format!("Imported with {count}: {}.", list.join("; ")))
}

/// Why the core refused, in words: the field and its problem, with any 0-based `servers[i]` in
/// the field's path also given as the 1-based server number. A problem with the `server` field
/// itself already names the server ("no server number 9 (there are 4)"), so it stands alone.
pub fn reason(error: &ValidationError) -> String {
    if error.field == "server" {
        return error.problem.clone();
    }
    format!("{}: {}", numbered_path(&error.field), error.problem)
}

/// Why a scenario file or link cannot be used, in words. A field that does not parse is named
/// like a bad value, with the server number: `servers[2] (server 3): missing field ...`.
pub fn scenario_reason(error: &ScenarioError) -> String {
    match error {
        ScenarioError::Invalid(e) => reason(e),
        ScenarioError::TooLarge { bytes } => {
            format!("it is {bytes} bytes, more than the maximum {MAX_FILE_BYTES}")
        }
        ScenarioError::Unreadable(e) if e.field.is_empty() => {
            format!("it is not a scenario file ({e})")
        }
        ScenarioError::Unreadable(e) => format!(
            "{}: {} at line {} column {}",
            numbered_path(&e.field),
            e.problem,
            e.line,
            e.column
        ),
        ScenarioError::BadLink(problem) => problem.to_string(),
    }
}

/// Why a lesson file cannot be used, in words, as for a scenario file.
pub fn lesson_reason(error: &LessonError) -> String {
    match error {
        LessonError::Invalid(e) => reason(e),
        LessonError::TooLarge { bytes } => {
            scenario_reason(&ScenarioError::TooLarge { bytes: *bytes })
        }
        LessonError::Unreadable(e) if e.field.is_empty() => {
            format!("it is not a lesson file ({e})")
        }
        LessonError::Unreadable(e) => scenario_reason(&ScenarioError::Unreadable(e.clone())),
    }
}

/// What a command tried to do, as the words after "Cannot".
pub(crate) fn attempt(command: &Command, sim: &Simulation) -> String {
    let server = |index: usize| match sim.servers().get(index) {
        Some(s) => format!("{} (server {})", s.spec().name, index + 1),
        None => format!("server {}", index + 1),
    };
    match *command {
        Command::Kill { server: s } => format!("kill {}", server(s)),
        Command::Revive { server: s } => format!("revive {}", server(s)),
        Command::SetWeight { server: s, .. } => format!("set the weight of {}", server(s)),
        Command::SetSpeed { server: s, .. } => format!("change the speed of {}", server(s)),
        Command::AddServer { .. } => "add a server".into(),
        Command::RemoveServer { server: s } => format!("remove {}", server(s)),
        Command::Degrade { server: s, .. } => format!("make {} degrade", server(s)),
        Command::SetErrorRate { server: s, .. } => {
            format!("set the error rate of {}", server(s))
        }
        Command::SetDatabaseDown { server: s, down } => format!(
            "{} the database of {}",
            if down { "cut off" } else { "restore" },
            server(s)
        ),
        Command::Drain {
            server: s,
            on: true,
        } => format!("drain {}", server(s)),
        Command::Drain {
            server: s,
            on: false,
        } => format!("stop draining {}", server(s)),
        Command::SetBackup {
            server: s,
            backup: true,
        } => format!("make {} a backup", server(s)),
        Command::SetBackup {
            server: s,
            backup: false,
        } => format!("make {} a primary server", server(s)),
        Command::SetHealthCheck(_) => "change the health checks".into(),
        Command::SetPassive(_) => "change the passive checks".into(),
        Command::SetPanicThreshold(_) => "change the panic threshold".into(),
        Command::SetBreaker(_) => "change the circuit breakers".into(),
        Command::SetRetry(_) => "change the retry policy".into(),
        Command::SetAlgorithm(a) => format!("switch to {}", a.about().name),
        Command::SetSlowStart(_) => "change slow start".into(),
        Command::SetClients { .. } => "change the clients".into(),
        Command::SetRate(_) => "change the arrival rate".into(),
        Command::SetPattern(_) => "change the arrival pattern".into(),
        Command::SetClientTimeout(_) => "change the client timeout".into(),
        Command::SetMeanCost(_) => "change the mean request cost".into(),
        Command::SetRateLimit(_) => "change the rate limit".into(),
        Command::SetAutoscale(_) => "change the autoscaler".into(),
        Command::SetClientRetry(_) => "change the client retries".into(),
        Command::SetClosedLoop(_) => "change the closed-loop users".into(),
        Command::SetLayer(_) => "change the balancing layer".into(),
        Command::SetTls(_) => "change who does the TLS handshakes".into(),
        Command::KillBalancer { balancer } => {
            format!("crash {}", crate::sim::front::Front::name(balancer))
        }
        Command::ReviveBalancer { balancer } => {
            format!("revive {}", crate::sim::front::Front::name(balancer))
        }
    }
}

/// `path` followed by the server numbers of the `servers[i]` in it: `servers[2].weight` becomes
/// `servers[2].weight (server 3)`. The path stays as the file has it; the number is the page's.
fn numbered_path(path: &str) -> String {
    const KEY: &str = "servers[";
    let numbers: Vec<String> = path
        .match_indices(KEY)
        .filter_map(|(at, _)| {
            let rest = &path[at + KEY.len()..];
            let digits = &rest[..rest.find(']')?];
            digits
                .parse::<usize>()
                .ok()
                .map(|i| format!("server {}", i + 1))
        })
        .collect();
    if numbers.is_empty() {
        path.to_string()
    } else {
        format!("{path} ({})", numbers.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::breaker::BreakerConfig;
    use crate::sim::health::ActiveCheck;
    use crate::sim::passive::Passive;
    use crate::sim::retry::RetryPolicy;
    use crate::sim::traffic::Pattern;
    use crate::sim::{Algorithm, Scenario, SimDuration, SlowStart};

    /// One command of every kind, aimed at server index 2 where it names a server.
    fn every_kind() -> Vec<Command> {
        let server = 2;
        vec![
            Command::Kill { server },
            Command::Revive { server },
            Command::SetWeight { server, weight: 9 },
            Command::SetSpeed { server, speed: 0.5 },
            Command::AddServer {
                weight: 1,
                workers: 2,
            },
            Command::RemoveServer { server },
            Command::Degrade {
                server,
                per_minute: 0.1,
            },
            Command::SetErrorRate { server, rate: 0.5 },
            Command::Drain { server, on: true },
            Command::Drain { server, on: false },
            Command::SetHealthCheck(Some(ActiveCheck::HAPROXY_DEFAULT)),
            Command::SetPassive(Passive::NGINX_DEFAULT),
            Command::SetPanicThreshold(Some(0.5)),
            Command::SetBreaker(BreakerConfig::Off),
            Command::SetRetry(RetryPolicy::OFF),
            Command::SetBackup {
                server,
                backup: true,
            },
            Command::SetBackup {
                server,
                backup: false,
            },
            Command::SetAlgorithm(Algorithm::RoundRobin),
            Command::SetSlowStart(SlowStart::Off),
            Command::SetClients {
                clients: 10,
                behind_nat: 0,
            },
            Command::SetRate(5.0),
            Command::SetPattern(Pattern::Poisson),
            Command::SetClientTimeout(None),
            Command::SetMeanCost(SimDuration::from_millis(100)),
            Command::SetClientRetry(None),
            Command::SetClosedLoop(None),
            Command::SetLayer(crate::sim::connections::Layer::L7),
            Command::SetTls(crate::sim::balancer_cpu::TlsMode::Terminate),
        ]
    }

    #[test]
    fn every_command_kind_is_a_sentence_without_debug_output() {
        let sim = Simulation::new(Scenario::classroom()).unwrap();
        let error = ValidationError::new("rate", "-1 is below the minimum 0");
        let mut seen = std::collections::HashSet::new();
        for command in every_kind() {
            let text = refused(&command, &sim, &error);
            assert!(text.starts_with("Cannot ") && text.ends_with('.'), "{text}");
            assert!(!text.contains(['{', '}', '_']), "{text}");
            let debug = format!("{command:?}");
            let kind = debug.split(['(', ' ', '{']).next().unwrap();
            assert!(!text.contains(kind), "{text} names the variant {kind}");
            assert!(seen.insert(text.clone()), "two kinds worded alike: {text}");
            if debug.contains("server:") {
                assert!(text.contains("server-3 (server 3)"), "{text}");
            }
        }
    }

    #[test]
    fn the_example_sentence() {
        let mut sim = Simulation::new(Scenario::classroom()).unwrap();
        let command = Command::SetWeight {
            server: 2,
            weight: 2000,
        };
        let error = sim.apply(command).unwrap_err();
        assert_eq!(
            refused(&command, &sim, &error),
            "Cannot set the weight of server-3 (server 3): weight: 2000 is above the maximum 1000."
        );
    }

    #[test]
    fn a_missing_server_is_numbered_from_one() {
        let mut sim = Simulation::new(Scenario::classroom()).unwrap();
        let command = Command::Kill { server: 8 };
        let error = sim.apply(command).unwrap_err();
        assert_eq!(
            refused(&command, &sim, &error),
            "Cannot kill server 9: no server number 9 (there are 4)."
        );
    }

    #[test]
    fn scenario_paths_also_give_the_server_number() {
        let error = ValidationError::new("servers[2].weight", "2000 is above the maximum 1000");
        assert_eq!(
            cannot("load the file", &reason(&error)),
            "Cannot load the file: servers[2].weight (server 3): 2000 is above the maximum 1000."
        );
        let plain = ValidationError::new("traffic.rate", "-1 is below the minimum 0");
        assert_eq!(reason(&plain), "traffic.rate: -1 is below the minimum 0");
        assert_eq!(cannot("x", "done."), "Cannot x: done.");
    }
}
