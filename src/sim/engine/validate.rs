//! Checking a command before it applies: its values (with the same checks a scenario file's
//! fields get), and the server it names against the servers that exist at its moment.
//!
//! A user's command is checked against the running simulation. A scenario's timeline is checked
//! when the run starts, entry by entry in the order the entries will apply, against a [`Roster`]
//! that follows the servers earlier entries add and remove. So a saved run whose timeline adds a
//! server and then commands it loads again, and a timeline that commands a server it removed is
//! refused up front with the entry's index instead of being dropped when its time comes.
//!
//! An autoscaler adds, removes and reuses servers as the run goes, which no roster can follow:
//! once one may run, the roster only bounds server numbers by [`MAX_SERVERS`], and each entry is
//! checked against the real servers when it applies (a saved run replays its autoscaler exactly,
//! so its entries apply as they did).

use super::*;
use crate::sim::connections::{Layer, check_at_layer4};
use crate::sim::resilience::check_panic_threshold;
use crate::sim::scenario::{
    MAX_SERVERS, check_client_timeout, check_degradation, check_rate, check_workers,
};

/// The servers a command may name at its moment.
pub(crate) trait ServerSet {
    /// How many servers there are (a removed server keeps its number).
    fn count(&self) -> usize;
    /// The name of server `index` (which exists) if it was removed.
    fn removed(&self, index: usize) -> Option<&str>;
    /// Whether the servers cannot be known in advance (an autoscaler may run): then any number
    /// up to [`MAX_SERVERS`] may name one.
    fn open_ended(&self) -> bool {
        false
    }
}

impl ServerSet for Simulation {
    fn count(&self) -> usize {
        self.servers.len()
    }

    fn removed(&self, index: usize) -> Option<&str> {
        self.backends[index]
            .removed()
            .then(|| self.servers[index].spec().name.as_str())
    }
}

/// The servers of a run as its timeline changes them: the scenario's, then the ones added, with
/// the removed ones marked.
pub(crate) struct Roster {
    names: Vec<String>,
    removed: Vec<bool>,
    /// An autoscaler may run from here on.
    scaled: bool,
}

impl Roster {
    /// The servers a run starts with.
    pub(crate) fn new(scenario: &Scenario) -> Roster {
        let servers = &scenario.servers;
        Roster {
            names: servers.iter().map(|s| s.name.clone()).collect(),
            removed: vec![false; servers.len()],
            scaled: scenario.autoscale.is_some(),
        }
    }

    /// Follows `command` (already checked): a server added or removed.
    pub(crate) fn apply(&mut self, command: &Command) {
        match *command {
            Command::AddServer { .. } => {
                let name =
                    added_server_name(self.names.len(), |n| self.names.iter().any(|m| m == n));
                self.names.push(name);
                self.removed.push(false);
            }
            Command::RemoveServer { server } if server < self.removed.len() => {
                self.removed[server] = true;
            }
            Command::SetAutoscale(Some(_)) => self.scaled = true,
            _ => {}
        }
    }
}

impl ServerSet for Roster {
    fn count(&self) -> usize {
        self.names.len()
    }

    fn removed(&self, index: usize) -> Option<&str> {
        let removed = *self.removed.get(index)? && !self.scaled;
        removed.then(|| self.names[index].as_str())
    }

    fn open_ended(&self) -> bool {
        self.scaled
    }
}

/// The name a server added as number `index + 1` gets: `server-N`, with a prime for each
/// existing server that already has the name.
pub(crate) fn added_server_name(index: usize, taken: impl Fn(&str) -> bool) -> String {
    let mut name = format!("server-{}", index + 1);
    while taken(&name) {
        name.push('\'');
    }
    name
}

/// Checks `command` against `servers`: the server it names exists and was not removed, and every
/// value is in range.
pub(crate) fn check_command(
    command: &Command,
    servers: &impl ServerSet,
) -> Result<(), ValidationError> {
    let server_index = |server: usize| {
        if servers.open_ended() && server < MAX_SERVERS {
            return Ok(());
        }
        if server >= servers.count() {
            Err(ValidationError::new(
                "server",
                format!(
                    "no server number {} (there are {})",
                    server + 1,
                    servers.count()
                ),
            ))
        } else if let Some(name) = servers.removed(server) {
            Err(ValidationError::new(
                "server",
                format!("{name} was removed"),
            ))
        } else {
            Ok(())
        }
    };
    match *command {
        Command::Kill { server }
        | Command::Revive { server }
        | Command::Drain { server, .. }
        | Command::RemoveServer { server }
        | Command::SetBackup { server, .. } => server_index(server),
        Command::AddServer { weight, workers } => {
            if !servers.open_ended() && servers.count() >= MAX_SERVERS {
                return Err(ValidationError::new(
                    "servers",
                    format!("already at the maximum of {MAX_SERVERS}"),
                ));
            }
            check_weight("weight", weight)?;
            check_workers("workers", workers)
        }
        Command::Degrade { server, per_minute } => {
            server_index(server).and_then(|_| check_degradation("per_minute", per_minute))
        }
        Command::SetWeight { server, weight } => {
            server_index(server).and_then(|_| check_weight("weight", weight))
        }
        Command::SetSpeed { server, speed } => {
            server_index(server).and_then(|_| check_speed("speed", speed))
        }
        Command::SetErrorRate { server, rate } => {
            server_index(server).and_then(|_| check_error_rate("error rate", rate))
        }
        Command::SetDatabaseDown { server, .. } => server_index(server),
        Command::SetAlgorithm(_) => Ok(()),
        Command::SetSlowStart(slow_start) => check_slow_start("slow start", &slow_start),
        Command::SetClients {
            clients,
            behind_nat,
        } => check_clients("clients", "behind_nat", clients, behind_nat),
        Command::SetHealthCheck(h) => h.map_or(Ok(()), |h| check_health("health check", &h)),
        Command::SetPassive(p) => check_passive("passive", &p),
        Command::SetPanicThreshold(p) => {
            p.map_or(Ok(()), |p| check_panic_threshold("panic threshold", p))
        }
        Command::SetBreaker(b) => check_breaker("breaker", &b),
        Command::SetRetry(r) => check_retry("retry", &r),
        Command::SetRate(rate) => check_rate("rate", rate),
        Command::SetPattern(p) => p.check("pattern"),
        Command::SetClientTimeout(t) => {
            t.map_or(Ok(()), |t| check_client_timeout("client timeout", t))
        }
        Command::SetMeanCost(mean) => check_mean_cost("mean cost", mean),
        Command::SetRateLimit(limit) => limit.validate("rate limit"),
        Command::SetAutoscale(config) => config.map_or(Ok(()), |c| c.validate("autoscale")),
        Command::SetClientRetry(r) => r.map_or(Ok(()), |r| r.validate("client retry")),
        Command::SetClosedLoop(c) => c.map_or(Ok(()), |c| c.validate("closed loop")),
        // Checked against the run's connections and settings where those are known.
        Command::SetLayer(_)
        | Command::SetTls(_)
        | Command::KillBalancer { .. }
        | Command::ReviveBalancer { .. } => Ok(()),
    }
}

/// Checks a scenario's timeline entry by entry, in the order they will apply, against the
/// servers each one meets. The error names the entry: `timeline[4].do (server): server-2 was
/// removed`.
pub(crate) fn check_timeline(scenario: &Scenario) -> Result<(), ValidationError> {
    let mut order: Vec<usize> = (0..scenario.timeline.len()).collect();
    order.sort_by_key(|&i| scenario.timeline[i].at); // stable: equal times apply in file order
    let mut roster = Roster::new(scenario);
    let mut layer4 = scenario.connections.is_some_and(|c| c.layer == Layer::L4);
    for i in order {
        let command = &scenario.timeline[i].command;
        check_command(command, &roster)
            .and_then(|()| match command {
                Command::SetLayer(_) if scenario.connections.is_none() => Err(ValidationError::new(
                    "layer",
                    "the scenario has no connections (scenario.connections) to balance at layer 4",
                )),
                Command::SetLayer(layer) => {
                    layer4 = *layer == Layer::L4;
                    Ok(())
                }
                Command::SetTls(_) => crate::sim::balancer_cpu::check_tls(scenario.balancer),
                Command::KillBalancer { balancer } | Command::ReviveBalancer { balancer } => {
                    crate::sim::front::check_balancer(scenario.front.as_ref(), *balancer)
                }
                _ if layer4 => check_at_layer4(command),
                _ => Ok(()),
            })
            .map_err(|e| {
                ValidationError::new(format!("timeline[{i}].do ({})", e.field), e.problem)
            })?;
        roster.apply(command);
    }
    Ok(())
}
