//! What happened in a run, as data: every command applied and every state-machine transition
//! (health, passive, breaker, retry, remap) is an [`Event`] value carrying its numbers, stamped
//! with its simulated time ([`Logged`]). The engine hands them out in order through
//! [`Simulation::poll_event`](super::Simulation::poll_event); nothing in the core words them.
//! Lessons wait on them, tests assert on them, and [`narrate`](super::narrate) turns them into
//! the sentences of the timeline and the report.
//!
//! Each event also keeps the settings in force when it happened (the health check's interval, the
//! breaker's design...), so it can be explained later exactly as it was, whatever changed since.

use super::autoscale::{Autoscale, Direction, ScaleDecision};
use super::balancer::{Algorithm, Remap};
use super::balancer_cpu::TlsMode;
use super::breaker::{BreakerConfig, BreakerTransition};
use super::clients::{ClientRetry, ClosedLoop};
use super::command::Command;
use super::connections::Layer;
use super::health::{ActiveCheck, HealthTransition};
use super::passive::{Passive, PassiveTransition};
use super::ratelimit::RateLimit;
use super::request::Outcome;
use super::resilience::Resilience;
use super::retry::RetryPolicy;
use super::slow_start::SlowStart;
use super::time::{SimDuration, SimTime};
use super::validation::ValidationError;

/// An event with the simulated time it happened at.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    /// When it happened.
    pub at: SimTime,
    /// What happened.
    pub event: Event,
}

/// Something that happened in a run, with its numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A command was applied (boxed: commands are rare and carry the most).
    Command(Box<CommandEvent>),
    /// Active health checks marked a server UP or DOWN.
    Health(HealthEvent),
    /// Passive checks took a server out of rotation or let it back in.
    Passive(PassiveEvent),
    /// A circuit breaker changed state.
    Breaker(BreakerEvent),
    /// A failed try is retried on another server.
    Retry(RetryEvent),
    /// A change of the server set moved keys under a hashing algorithm.
    Remap(RemapEvent),
    /// A timeline entry could not apply when its time came (a user's command since stood in its
    /// way, e.g. removed its server), so it was skipped.
    Skipped(Box<SkippedEvent>),
    /// The autoscaler changed the number of servers.
    Scale(Box<ScaleEvent>),
    /// A server the autoscaler launched has booted and takes traffic.
    Ready(ReadyEvent),
    /// A VRRP group has a new master.
    Vrrp(VrrpEvent),
}

/// What an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// A user's (or a script's) command.
    Command,
    /// An active health-check transition.
    Health,
    /// A passive-check transition (nginx failure window, Envoy ejection).
    Passive,
    /// A circuit-breaker transition.
    Breaker,
    /// A retry.
    Retry,
    /// A consistent-hashing remap report.
    Remap,
    /// A timeline entry that could not apply.
    Skipped,
    /// The autoscaler added servers.
    ScaleOut,
    /// The autoscaler took servers away.
    ScaleIn,
    /// A launched server finished booting.
    ServerReady,
    /// A balancer took over a VRRP group's address.
    Failover,
}

impl Event {
    /// What it is about.
    pub fn kind(&self) -> LogKind {
        match self {
            Event::Command(_) => LogKind::Command,
            Event::Health(_) => LogKind::Health,
            Event::Passive(_) => LogKind::Passive,
            Event::Breaker(_) => LogKind::Breaker,
            Event::Retry(_) => LogKind::Retry,
            Event::Remap(_) => LogKind::Remap,
            Event::Skipped(_) => LogKind::Skipped,
            Event::Scale(e) => match e.decision.direction {
                Direction::Out => LogKind::ScaleOut,
                Direction::In => LogKind::ScaleIn,
            },
            Event::Ready(_) => LogKind::ServerReady,
            Event::Vrrp(_) => LogKind::Failover,
        }
    }

    /// The server it is about (0-based), if it is about one.
    pub fn server(&self) -> Option<usize> {
        match self {
            Event::Command(c) => c.command.server(),
            Event::Health(e) => Some(e.server as usize),
            Event::Passive(e) => Some(e.server as usize),
            Event::Breaker(e) => Some(e.server as usize),
            Event::Retry(e) => Some(e.server as usize),
            Event::Remap(_) | Event::Scale(_) | Event::Vrrp(_) => None,
            Event::Skipped(e) => e.command.server(),
            Event::Ready(e) => Some(e.server as usize),
        }
    }
}

/// Who gave a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A user, from the controls or a shortcut (or an API call).
    User,
    /// The scenario's timeline.
    Timeline {
        /// The entry's index (0-based).
        entry: u32,
        /// How many entries the timeline has.
        of: u32,
        /// The time the entry is scheduled at.
        scheduled: SimTime,
    },
}

/// What the setting a command changed was before it, and what the command met. In a report it
/// is the old value itself (`"before": 1` for a weight), or `{"busy", "queued"}` for a kill.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Before {
    /// Nothing worth keeping.
    Nothing,
    /// A killed server's load.
    Load {
        /// Requests in service.
        busy: u32,
        /// Requests queued.
        queued: u32,
    },
    /// The number the added server gets (1-based).
    NewServer(u32),
    /// A server's weight.
    Weight(u32),
    /// A server's speed factor.
    Speed(f64),
    /// A server's error rate.
    ErrorRate(f64),
    /// The algorithm.
    Algorithm(Algorithm),
    /// The slow-start setting.
    SlowStart(SlowStart),
    /// The arrival rate, requests per second.
    Rate(f64),
    /// The mean request cost.
    MeanCost(SimDuration),
    /// The rate limit.
    RateLimit(RateLimit),
    /// The autoscaler's settings (`null`: off).
    Autoscale(Option<Autoscale>),
    /// The clients' retry policy.
    ClientRetry(Option<ClientRetry>),
    /// The closed-loop users.
    ClosedLoop(Option<ClosedLoop>),
    /// The balancing layer.
    Layer(Layer),
    /// Who did the TLS handshakes.
    Tls(TlsMode),
    /// The requests a crashed balancer held (lost with it).
    Held(u32),
}

impl Before {
    /// Whether there is nothing (for leaving it out of a report).
    pub fn is_nothing(&self) -> bool {
        *self == Before::Nothing
    }
}

/// A command applied.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandEvent {
    /// The command.
    pub command: Command,
    /// Who gave it.
    pub origin: Origin,
    /// What it changed from.
    pub before: Before,
    /// For a kill: the failure handling that will notice (the balancer is not told).
    pub watchers: Option<Resilience>,
}

/// A timeline entry skipped when its time came.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedEvent {
    /// The entry's command.
    pub command: Command,
    /// The entry ([`Origin::Timeline`]).
    pub origin: Origin,
    /// Why it could not apply.
    pub reason: ValidationError,
}

/// Active health checks marked a server UP or DOWN (HAProxy semantics).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HealthEvent {
    /// The server (0-based).
    pub server: u32,
    /// The transition and the streak that decided it.
    pub transition: HealthTransition,
    /// The health counter after it.
    pub health: u32,
    /// The counter's maximum, `rise + fall - 1`.
    pub max: u32,
    /// The check's settings.
    pub check: ActiveCheck,
}

/// Passive checks changed a server's standing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PassiveEvent {
    /// The server (0-based).
    pub server: u32,
    /// What changed, with its numbers.
    pub transition: PassiveTransition,
    /// The passive check's settings.
    pub config: Passive,
    /// The retry policy: nginx counts as failures what it retries on.
    pub retry: RetryPolicy,
}

/// A circuit breaker changed state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BreakerEvent {
    /// The server (0-based).
    pub server: u32,
    /// The states and the rule that decided.
    pub transition: BreakerTransition,
    /// The breaker's settings.
    pub config: BreakerConfig,
    /// Until when it refuses calls, when it is now OPEN.
    pub open_until: SimTime,
}

/// A failed try retried on another server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryEvent {
    /// The request's sequence number.
    pub request: u64,
    /// The server the failed try went to (0-based).
    pub server: u32,
    /// What decided the retry.
    pub cause: RetryCause,
}

/// What decided a retry: the policy, how the try ended, and the budget at that moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryCause {
    /// The retry policy in force.
    pub policy: RetryPolicy,
    /// How the failed try ended.
    pub outcome: Outcome,
    /// Tries made so far.
    pub tries: u8,
    /// Requests active at the balancer.
    pub active: u64,
    /// Retries in progress.
    pub retrying: u64,
}

/// Whose keys a hashing algorithm maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// Client keys (address, session).
    Client,
    /// Request paths.
    Path,
}

/// How one server's place in the hash changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Membership {
    /// It left the eligible set.
    Left,
    /// It joined it.
    Joined,
    /// Its weight changed.
    Weight {
        /// Before.
        from: u32,
        /// After.
        to: u32,
    },
}

/// Keys moved by a change of the server set under a hashing algorithm.
#[derive(Clone, Debug, PartialEq)]
pub struct RemapEvent {
    /// The hashing algorithm.
    pub algorithm: Algorithm,
    /// Whose keys.
    pub keys: KeyKind,
    /// The shares of sampled keys that moved, and that modulo hashing would have moved.
    pub moved: Remap,
    /// How many keys were sampled.
    pub sampled: u32,
    /// Eligible servers before and after.
    pub eligible: (u32, u32),
    /// Which servers changed, and how.
    pub changes: Vec<(u32, Membership)>,
}

/// The autoscaler changed the number of servers.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleEvent {
    /// The decision, with the metric and counts behind it.
    pub decision: ScaleDecision,
    /// The autoscaler's settings (the metric, the target, the design).
    pub config: Autoscale,
    /// The servers launched (booting from now) or taken away (draining), 0-based.
    pub servers: Vec<u32>,
}

/// A server the autoscaler launched takes traffic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReadyEvent {
    /// The server (0-based).
    pub server: u32,
    /// When it was launched.
    pub launched: SimTime,
}

/// A balancer of a VRRP group became its master.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VrrpEvent {
    /// The new master (0-based).
    pub router: u8,
    /// How long the address had no master before (zero for a preemption).
    pub gap: SimDuration,
    /// The master it replaced, when it preempted one.
    pub replaced: Option<u8>,
    /// Its priority.
    pub priority: u8,
    /// The group's advertisement interval.
    pub advert_interval: SimDuration,
    /// Its Master_Down_Interval: 3 x the interval + its skew.
    pub master_down_interval: SimDuration,
    /// The requests the replaced master held, lost as their connections were reset.
    pub lost: u32,
}
