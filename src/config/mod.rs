//! Real load-balancer configurations in and out: an nginx `upstream`, an HAProxy `backend` (or
//! `listen`) or an Envoy cluster becomes a [`Scenario`], and a scenario becomes an nginx upstream
//! or an HAProxy backend again.
//!
//! Import maps only onto what a scenario can say. The servers come from the config in its order
//! (named by their address in nginx, by their name in HAProxy and Envoy), with their weights and
//! `backup` flags; the balancing directive becomes an [`Algorithm`]; the passive and active checks,
//! slow start, Envoy's panic threshold and nginx `limit_req` become the scenario's settings of the
//! same design. Everything else the chosen block says is a [`Warning`] with its line: a directive
//! the model does not have, a per-server value where the scenario has one for all servers, or an
//! algorithm the model has only a near relative of. What a config cannot say (the traffic, the
//! servers' capacity, the network delays) is the classroom default ([`Scenario::classroom`]).
//!
//! A config that does not parse is an [`ImportError`] with its line, never a panic.

mod envoy;
mod export;
mod haproxy;
mod nginx;
mod values;

pub use export::{Target, export};

use crate::sim::scenario::{MAX_FILE_BYTES, server};
use crate::sim::{Algorithm, Resilience, Scenario, ValidationError};

/// The config languages import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// nginx's configuration syntax (`upstream NAME { server ADDR ...; }`).
    Nginx,
    /// HAProxy's line syntax (`backend NAME` then `server NAME ADDR ...`).
    Haproxy,
    /// An Envoy cluster as JSON (one cluster, a list, `clusters`, or a bootstrap's `static_resources`).
    Envoy,
}

impl Format {
    /// The format a text is written in: JSON for Envoy, HAProxy when a line opens one of its
    /// sections (`global`, `defaults`, `frontend`, `backend`, `listen`) without nginx's `{` or `;`,
    /// nginx otherwise.
    pub fn detect(text: &str) -> Format {
        let start = text.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with('{') || start.starts_with('[') {
            return Format::Envoy;
        }
        let haproxy = text.lines().any(|line| {
            let mut words = line.split_whitespace();
            matches!(
                words.next(),
                Some("global" | "defaults" | "frontend" | "backend" | "listen")
            ) && !line.contains(['{', ';'])
        });
        if haproxy {
            Format::Haproxy
        } else {
            Format::Nginx
        }
    }

    /// What the format calls the block that holds the servers.
    pub fn block(self) -> &'static str {
        match self {
            Format::Nginx => "upstream",
            Format::Haproxy => "backend",
            Format::Envoy => "cluster",
        }
    }
}

/// A scenario read from a config, with what the model could not take from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The scenario, valid.
    pub scenario: Scenario,
    /// Everything in the chosen block that the scenario does not say as the config does.
    pub warnings: Vec<Warning>,
}

/// One thing of the config the scenario does not reproduce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Its line in the file, from 1 (an Envoy field has none: `directive` is its path).
    pub line: Option<usize>,
    /// The directive or parameter, as the config writes it (`keepalive`, `max_conns=100`).
    pub directive: String,
    /// Why it is not reproduced.
    pub reason: Reason,
}

/// Why a directive is not reproduced (worded by its `Display`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The model has nothing like it: it is ignored.
    NotModelled,
    /// The model has it once for all servers; this server's value differs and is not used.
    PerServer {
        /// The value the scenario uses for every server.
        kept: String,
    },
    /// The model has a near relative, used instead; `difference` says what changes.
    Approximated {
        /// What the scenario uses.
        used: String,
        /// How it behaves differently from the config's.
        difference: &'static str,
    },
    /// A second one of something the scenario has once; the first is used.
    Repeated,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::NotModelled => write!(f, "not modelled, ignored"),
            Reason::PerServer { kept } => write!(
                f,
                "the scenario has one value for all servers; {kept} is used for every server"
            ),
            Reason::Approximated { used, difference } => {
                write!(f, "imported as {used}; {difference}")
            }
            Reason::Repeated => write!(f, "the scenario has only one; the first is used"),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.directive, self.reason),
            None => write!(f, "{}: {}", self.directive, self.reason),
        }
    }
}

/// Why a config cannot be imported.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// More bytes than a scenario file may have.
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// The text is not valid in its format, or a value is bad: where and why.
    Syntax {
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// A field of a JSON config has a bad value: its path and why.
    Field {
        /// The field's path (`health_checks[0].interval`).
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// The file has no block with servers.
    Nothing {
        /// The format read.
        format: Format,
    },
    /// The file has several blocks and none was chosen.
    Choose {
        /// The format read.
        format: Format,
        /// Their names, in file order.
        names: Vec<String>,
    },
    /// The chosen name is not in the file.
    Unknown {
        /// The format read.
        format: Format,
        /// The name asked for.
        name: String,
        /// The names there are.
        names: Vec<String>,
    },
    /// The imported scenario breaks a bound of the scenario format (too many servers, say).
    Invalid(ValidationError),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::TooLarge { bytes } => {
                write!(f, "{bytes} bytes is more than the maximum {MAX_FILE_BYTES}")
            }
            ImportError::Syntax { line, problem } => write!(f, "line {line}: {problem}"),
            ImportError::Field { field, problem } => write!(f, "{field}: {problem}"),
            ImportError::Nothing { format } => {
                write!(f, "no {} with servers found", format.block())
            }
            ImportError::Choose { format, names } => write!(
                f,
                "{} {}s in the file, choose one with --{} NAME: {}",
                names.len(),
                format.block(),
                format.block(),
                names.join(", ")
            ),
            ImportError::Unknown {
                format,
                name,
                names,
            } => write!(
                f,
                "no {} named {name:?} (the file has: {})",
                format.block(),
                names.join(", ")
            ),
            ImportError::Invalid(e) => write!(f, "the imported scenario is invalid: {e}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// A syntax or value error at `line`.
fn syntax(line: usize, problem: impl Into<String>) -> ImportError {
    ImportError::Syntax {
        line,
        problem: problem.into(),
    }
}

/// Reads `text` in `format`, taking the block named `select` (needed when there are several).
pub fn import(text: &str, format: Format, select: Option<&str>) -> Result<Imported, ImportError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: text.len() });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let imported = match format {
        Format::Nginx => nginx::import(text, select)?,
        Format::Haproxy => haproxy::import(text, select)?,
        Format::Envoy => envoy::import(text, select)?,
    };
    imported.scenario.validate().map_err(ImportError::Invalid)?;
    Ok(imported)
}

/// Picks the block named `select` among `blocks` (name, value), or the only one.
fn choose<T>(
    format: Format,
    mut blocks: Vec<(String, T)>,
    select: Option<&str>,
) -> Result<(String, T), ImportError> {
    let names = || blocks.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    match select {
        Some(name) => match blocks.iter().position(|(n, _)| n == name) {
            Some(i) => Ok(blocks.swap_remove(i)),
            None => Err(ImportError::Unknown {
                format,
                name: name.to_string(),
                names: names(),
            }),
        },
        None if blocks.is_empty() => Err(ImportError::Nothing { format }),
        None if blocks.len() > 1 => Err(ImportError::Choose {
            format,
            names: names(),
        }),
        None => Ok(blocks.remove(0)),
    }
}

/// One server as a config gives it, before the scenario-wide settings are settled.
#[derive(Clone, Debug, PartialEq)]
struct ConfigServer {
    name: String,
    line: usize,
    weight: u32,
    backup: bool,
    /// Marked down (nginx `down`): drained, its weight kept.
    down: bool,
}

/// The scenario for `servers` under `algorithm`, titled `title`: the classroom's traffic and
/// server capacity, no failure handling (each format adds its own), and server names made unique
/// (a repeated name gets `#2`, `#3`..., with a warning).
fn scenario(
    title: String,
    servers: &[ConfigServer],
    algorithm: Algorithm,
    warnings: &mut Vec<Warning>,
) -> Scenario {
    let mut base = Scenario::classroom();
    base.title = title;
    base.algorithm = algorithm;
    base.resilience = Resilience::NONE;
    base.servers = Vec::with_capacity(servers.len());
    for s in servers {
        let mut name = s.name.clone();
        let mut n = 1;
        while base
            .servers
            .iter()
            .any(|o: &crate::sim::server::ServerSpec| o.name == name)
        {
            n += 1;
            name = format!("{}#{n}", s.name);
        }
        if n > 1 {
            warnings.push(Warning {
                line: Some(s.line),
                directive: s.name.clone(),
                reason: Reason::Approximated {
                    used: format!("a server named {name:?}"),
                    difference: "scenario server names are unique",
                },
            });
        }
        let mut spec = server(&name, s.weight, 2);
        spec.backup = s.backup;
        spec.down = s.down;
        base.servers.push(spec);
    }
    base
}

/// A per-server value the scenario has once: the first server's is kept (`default` when there
/// are no servers), and each server whose value differs gets a warning. `values` holds each
/// server's line, the directive as written, and its value with the config's default applied.
fn settle<T: PartialEq + Clone>(
    values: &[(usize, String, T)],
    default: T,
    words: impl Fn(&T) -> String,
    warnings: &mut Vec<Warning>,
) -> T {
    let kept = values.first().map_or(default, |(_, _, v)| v.clone());
    for (line, directive, v) in values.iter().skip(1) {
        if *v != kept {
            warnings.push(Warning {
                line: Some(*line),
                directive: directive.clone(),
                reason: Reason::PerServer { kept: words(&kept) },
            });
        }
    }
    kept
}
