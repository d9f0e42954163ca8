//! Commands: every change a user (or a scripted timeline) makes to a running simulation.
//!
//! A command is applied at the simulation's current time. The simulation keeps the list of applied
//! commands with their times: that list is a recording, and applying it again to the same scenario
//! reproduces the run exactly.

use super::autoscale::Autoscale;
use super::balancer::Algorithm;
use super::balancer_cpu::TlsMode;
use super::breaker::BreakerConfig;
use super::clients::{ClientRetry, ClosedLoop};
use super::connections::Layer;
use super::health::ActiveCheck;
use super::passive::Passive;
use super::ratelimit::RateLimit;
use super::retry::RetryPolicy;
use super::slow_start::SlowStart;
use super::time::{SimDuration, SimTime};
use super::traffic::Pattern;

/// A change to a running simulation. Servers are named by their index in the scenario; in files
/// they are numbered from 1, as the UI names them (`"server": 3` is server-3), and a command is
/// written `{"kill": {"server": 3}}` or `{"set_rate": 20}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Crash a server: its queued and in-service requests fail and it accepts none.
    Kill {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
    },
    /// Bring a killed server back, idle and empty.
    Revive {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
    },
    /// Change a server's balancing weight (0 drains it).
    SetWeight {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
        /// The new weight.
        weight: u32,
    },
    /// Change a server's speed factor (0.2 = five times slower).
    SetSpeed {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
        /// The new speed factor.
        speed: f64,
    },
    /// Add a server (named `server-N`, N its number) with these settings.
    AddServer {
        /// Its weight.
        weight: u32,
        /// Its workers.
        workers: u32,
    },
    /// Take a server out of the configuration: no new requests, the ones it has finish. It keeps
    /// its number; commands to it are refused from then on.
    RemoveServer {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
    },
    /// Make a server slow down gradually, like a process leaking memory: it loses this share of
    /// its speed every minute (compounding); 0 stops the degradation. A revive restores the speed
    /// it had when the degradation began.
    Degrade {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
        /// Share of speed lost per minute, 0 to 0.99.
        per_minute: f64,
    },
    /// Change the share of a server's answers that are errors (0 to 1).
    SetErrorRate {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
        /// The new error rate.
        rate: f64,
    },
    /// Make a server's database unreachable (`down`) or reachable again: while it is down every
    /// request the server takes fails with a 500, and its health page answers `200 OK` saying so.
    SetDatabaseDown {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
        /// Whether the database is unreachable.
        down: bool,
    },
    /// Start or stop draining a server: no new requests, the ones it has finish.
    Drain {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
        /// Whether it drains.
        on: bool,
    },
    /// Change the active health checks (`None` turns them off); every server starts over at UP.
    SetHealthCheck(Option<ActiveCheck>),
    /// Change the passive checks; every server starts over with a clean record.
    SetPassive(Passive),
    /// Change Envoy's panic threshold (`None` turns it off).
    SetPanicThreshold(Option<f64>),
    /// Change the circuit breakers; every breaker starts over CLOSED.
    SetBreaker(BreakerConfig),
    /// Change the retry policy.
    SetRetry(RetryPolicy),
    /// Make a server a backup (used only when no primary can take a request) or a primary again.
    SetBackup {
        /// The server.
        #[serde(with = "numbered_from_one")]
        server: usize,
        /// Whether it is a backup.
        backup: bool,
    },
    /// Switch the balancing algorithm (its state starts fresh, as after a reload).
    SetAlgorithm(Algorithm),
    /// Change how revived servers ramp up.
    SetSlowStart(SlowStart),
    /// Change the client population.
    SetClients {
        /// How many clients.
        clients: u32,
        /// How many of them share one NAT address.
        behind_nat: u32,
    },
    /// Change the base arrival rate, in requests per second.
    SetRate(f64),
    /// Change how the arrival rate varies over time.
    SetPattern(Pattern),
    /// Change how long clients wait before giving up (`None`: forever).
    SetClientTimeout(Option<SimDuration>),
    /// Change the mean request cost.
    SetMeanCost(SimDuration),
    /// Change the rate limit at the balancer (what it remembers per key starts over).
    SetRateLimit(RateLimit),
    /// Switch the autoscaler on with these settings (its history starts over), or off (`null`):
    /// the servers stay as they are.
    SetAutoscale(Option<Autoscale>),
    /// Change how clients retry a failed request (`None`: they do not); a retry budget keeps
    /// its fill, scaled to its new size.
    SetClientRetry(Option<ClientRetry>),
    /// Change the closed-loop users (`None`: open arrivals only); the new users start thinking
    /// now, the old ones stop once their requests are over.
    SetClosedLoop(Option<ClosedLoop>),
    /// Switch the balancer between layer 4 and layer 7 (a scenario with connections only): at
    /// layer 7 every request is picked for again, at layer 4 each connection keeps the server its
    /// next request gets.
    SetLayer(Layer),
    /// Change who does the TLS handshakes (a scenario whose balancer has TLS only): the
    /// balancer (terminate), the servers (passthrough) or both (reencrypt), from the next new
    /// connection on.
    SetTls(TlsMode),
    /// Crash one of several balancers (a scenario with `front` only): the requests it holds are
    /// lost, and connections to it go unanswered.
    KillBalancer {
        /// The balancer.
        #[serde(with = "balancer_number")]
        balancer: u8,
    },
    /// Bring a crashed balancer back.
    ReviveBalancer {
        /// The balancer.
        #[serde(with = "balancer_number")]
        balancer: u8,
    },
}

impl Command {
    /// The server it is about (0-based), if it is about one.
    pub fn server(&self) -> Option<usize> {
        match *self {
            Command::Kill { server }
            | Command::Revive { server }
            | Command::SetWeight { server, .. }
            | Command::SetSpeed { server, .. }
            | Command::RemoveServer { server }
            | Command::Degrade { server, .. }
            | Command::SetErrorRate { server, .. }
            | Command::SetDatabaseDown { server, .. }
            | Command::Drain { server, .. }
            | Command::SetBackup { server, .. } => Some(server),
            _ => None,
        }
    }

    /// The balancer it is about (0-based), if it is about one of several.
    pub fn balancer(&self) -> Option<u8> {
        match *self {
            Command::KillBalancer { balancer } | Command::ReviveBalancer { balancer } => {
                Some(balancer)
            }
            _ => None,
        }
    }
}

/// A command and the simulated time it was applied at; in files `{"at": "30s", "do": {...}}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedCommand {
    /// When it was applied.
    pub at: SimTime,
    /// What was applied.
    #[serde(rename = "do")]
    pub command: Command,
}

/// Server indices written as the 1-based numbers people use (`#[serde(with = ...)]`, also for
/// the servers a lesson names).
pub(crate) mod numbered_from_one {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(index: &usize, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*index as u64 + 1)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
        let n = u64::deserialize(d)?;
        if n == 0 {
            return Err(serde::de::Error::custom("servers are numbered from 1"));
        }
        Ok((n - 1) as usize)
    }
}

/// Balancer indices written as the 1-based numbers of their names (`lb-1` is 1).
mod balancer_number {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(index: &u8, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::from(*index) + 1)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        let n = u64::deserialize(d)?;
        match u8::try_from(n) {
            Ok(n @ 1..=crate::sim::front::MAX_BALANCERS) => Ok(n - 1),
            _ => Err(serde::de::Error::custom(format!(
                "balancers are numbered from 1 to {}",
                crate::sim::front::MAX_BALANCERS
            ))),
        }
    }
}
