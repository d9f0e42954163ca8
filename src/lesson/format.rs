//! The lesson file format (JSON, versioned, unknown fields refused), as the types serde reads.
//!
//! ```json
//! {"version": 1, "id": "round-robin", "title": "Round robin",
//!  "start": {"preset": "equal-round-robin"},
//!  "steps": [
//!    {"caption": "Four *equal* servers take turns.", "highlight": {"chart": "requests-per-server"},
//!     "wait": {"until": {"served": 100}, "within": "30s"},
//!     "question": {"prompt": "Which server served most?", "why": "...",
//!                  "answer": {"choice": {"measure": "busiest_server",
//!                                        "choices": [{"text": "server-1", "is": 1}, ...]}}}}]}
//! ```
//!
//! Servers are numbered from 1 as the page names them; durations are written with units.

use crate::sim::command::numbered_from_one;
use crate::sim::{Command, Scenario, SimDuration};

/// A guided lesson: a starting scenario and the steps a class walks through.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The file format version ([`FORMAT_VERSION`](super::FORMAT_VERSION)).
    #[serde(default = "format_version")]
    pub version: u32,
    /// Its identifier (`lbsim lesson ID`): lower case letters, digits and dashes.
    pub id: String,
    /// Its title, as the lesson menu shows it.
    pub title: String,
    /// The scenario the lesson starts from.
    pub start: Start,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

fn format_version() -> u32 {
    super::FORMAT_VERSION
}

/// What a lesson starts from: a preset (`{"preset": "slow-server"}`) or a scenario written out
/// (`{"scenario": {...}}`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Start {
    /// The preset with this id.
    Preset(String),
    /// This scenario.
    Scenario(Box<Scenario>),
}

/// One step: a caption, what it changes, what it points at, what it waits for, and what it asks.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A chapter starts here: its title in the chapter menu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapter: Option<String>,
    /// What the step says: plain text with `*emphasis*` and `` `code` `` spans.
    pub caption: String,
    /// Commands applied when the step begins (as a scenario's timeline writes them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<Command>,
    /// What the page points at while the step is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<Highlight>,
    /// What the run waits for before the step is over (the run pauses then and Continue is
    /// offered); without it, Continue is offered at once and the run stays paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
    /// A prediction asked before the run goes on, revealed when the wait is over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

/// A server, numbered from 1 in files (`3` is server-3), 0-based here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServerRef(#[serde(with = "numbered_from_one")] pub usize);

/// What a step points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Highlight {
    /// A server's box and card (`{"server": 3}`).
    Server(ServerRef),
    /// The load balancer (`"balancer"`).
    Balancer,
    /// A chart (`{"chart": "latency"}`).
    Chart(Chart),
    /// A group of controls (`{"control": "algorithm"}`).
    Control(Control),
}

/// The page's charts, by the ids their PNGs are saved under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Chart {
    /// Requests per server.
    RequestsPerServer,
    /// Latency over time.
    Latency,
    /// Throughput, errors and retries over time.
    Throughput,
    /// Queue length per server.
    Queues,
    /// Servers against the load.
    Servers,
}

impl Chart {
    /// Every chart, in page order.
    pub const ALL: [Chart; 5] = [
        Chart::RequestsPerServer,
        Chart::Latency,
        Chart::Throughput,
        Chart::Queues,
        Chart::Servers,
    ];

    /// The id the page gives the chart.
    pub fn id(self) -> &'static str {
        match self {
            Chart::RequestsPerServer => "requests-per-server",
            Chart::Latency => "latency",
            Chart::Throughput => "throughput",
            Chart::Queues => "queues",
            Chart::Servers => "servers",
        }
    }

    /// The chart with this id.
    pub fn from_id(id: &str) -> Option<Chart> {
        Chart::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Its name, as a menu offers it.
    pub fn title(self) -> &'static str {
        match self {
            Chart::RequestsPerServer => "Requests per server",
            Chart::Latency => "Latency",
            Chart::Throughput => "Throughput and errors",
            Chart::Queues => "Queue lengths",
            Chart::Servers => "Servers and load",
        }
    }
}

/// The page's groups of controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// Play, pause, step, speed.
    Playback,
    /// The algorithm picker.
    Algorithm,
    /// Compare mode.
    Compare,
    /// Slow start, clients and NAT.
    Balancer,
    /// Health checks, passive checks, breakers, retries.
    Resilience,
    /// Arrival rate, pattern, cost.
    Traffic,
    /// Client retries and closed-loop users.
    Clients,
    /// Autoscaling.
    Scaling,
}

/// What a step waits for, and for how long at most (of simulated time from the step's start).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    /// The condition.
    pub until: Condition,
    /// The time limit: the condition must be met within this much simulated time.
    pub within: SimDuration,
}

/// A condition on the run, counted from the step's start.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// This much simulated time has passed (`{"time": "10s"}`).
    Time(SimDuration),
    /// This many more requests were answered successfully (`{"served": 200}`).
    Served(u64),
    /// An event happened (`{"event": {"kind": "health_down", "server": 3}}`).
    Event(EventPattern),
}

/// Which events a condition waits for: their kind, optionally their server, and how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventPattern {
    /// The kind of event.
    pub kind: EventKind,
    /// Only events about this server (any server when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerRef>,
    /// How many such events (1 when left out).
    #[serde(default = "once")]
    pub times: u32,
}

fn once() -> u32 {
    1
}

/// A kind of event a lesson can wait for (each is a variant, or a variant's transition, of
/// [`Event`](crate::sim::Event)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Active health checks marked a server DOWN.
    HealthDown,
    /// Active health checks marked a server UP.
    HealthUp,
    /// Passive checks took a server out of rotation (nginx skip, Envoy ejection).
    PassiveOut,
    /// Passive checks let a server back in.
    PassiveIn,
    /// A circuit breaker opened.
    BreakerOpen,
    /// A circuit breaker went HALF_OPEN.
    BreakerHalfOpen,
    /// A circuit breaker closed.
    BreakerClosed,
    /// The balancer retried a failed try on another server.
    Retry,
    /// A change of the server set moved keys under a hashing algorithm.
    Remap,
    /// The autoscaler added servers.
    ScaleOut,
    /// The autoscaler took servers away.
    ScaleIn,
    /// A launched server finished booting.
    ServerReady,
}

/// A prediction: the prompt, its answer, and the sentence on why.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// What is asked (plain text with emphasis and code spans, like a caption).
    pub prompt: String,
    /// How it is answered, and what the run measures to reveal the answer.
    pub answer: Answer,
    /// Why the answer is what it is, shown with the reveal.
    pub why: String,
}

/// How a question is answered.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    /// Pick one of the choices; the right one is the choice the measured value falls in.
    Choice(ChoiceAnswer),
    /// A number on a slider; the measured value is shown beside the guess.
    Number(NumberAnswer),
}

impl Answer {
    /// What the run measures to reveal it.
    pub fn measure(&self) -> Measure {
        match self {
            Answer::Choice(c) => c.measure,
            Answer::Number(n) => n.measure,
        }
    }
}

/// A multiple-choice answer.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceAnswer {
    /// What the run measures when the step's wait is over.
    pub measure: Measure,
    /// The choices (2 to 6), each standing for the values it covers.
    pub choices: Vec<Choice>,
}

/// One choice and the measured values that make it right: exactly `is`, or from `from`
/// (included) to `below` (excluded), either end open.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// What the choice says.
    pub text: String,
    /// The value it stands for (a server number, a count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is: Option<f64>,
    /// The lowest value it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    /// The value its range ends before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
}

impl Choice {
    /// Whether `value` makes this choice right.
    pub fn covers(&self, value: f64) -> bool {
        match self.is {
            Some(is) => value == is,
            None => {
                self.from.is_none_or(|from| value >= from)
                    && self.below.is_none_or(|below| value < below)
            }
        }
    }
}

/// A numeric answer, guessed on a slider.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberAnswer {
    /// What the run measures when the step's wait is over.
    pub measure: Measure,
    /// The slider's lowest value.
    pub min: f64,
    /// The slider's highest value.
    pub max: f64,
    /// The slider's step.
    pub step: f64,
    /// A guess within this many percent of the measured value counts as right.
    #[serde(default = "default_tolerance")]
    pub tolerance_percent: f64,
    /// Also show what queueing theory predicts for the mean latency, when a model fits.
    #[serde(default)]
    pub theory: bool,
}

fn default_tolerance() -> f64 {
    25.0
}

/// A number the run measures over a step (from its start until its wait is over), from the
/// requests that finished in it and the events that happened in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    /// Median client-observed latency of the successful requests, in milliseconds.
    P50Ms,
    /// Their 95th percentile, in milliseconds.
    P95Ms,
    /// Their 99th percentile, in milliseconds.
    P99Ms,
    /// Their mean, in milliseconds.
    MeanMs,
    /// The share of the successful requests this server answered, in percent (`{"share": 3}`).
    Share(ServerRef),
    /// The number of the server that answered the most successful requests.
    BusiestServer,
    /// The number of the server the step's first request (by the time it was sent) went to.
    FirstServer,
    /// How many requests were answered successfully.
    Served,
    /// The share of the finished requests that did not succeed, in percent.
    ErrorPercent,
    /// How many times the balancer retried a failed try.
    Retries,
    /// How long the step waited for its condition, in seconds.
    Seconds,
    /// The share of the sampled keys the step's last remap moved (consistent hashing), in
    /// percent.
    KeysMoved,
    /// The share of those keys modulo hashing (`hash % servers`) would have moved, in percent.
    ModuloMoved,
}

impl Measure {
    /// What the number is, and its unit, for the reveal: `("p95 latency", "ms")`.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Measure::P50Ms => ("median latency", "ms"),
            Measure::P95Ms => ("p95 latency", "ms"),
            Measure::P99Ms => ("p99 latency", "ms"),
            Measure::MeanMs => ("mean latency", "ms"),
            Measure::Share(_) => ("share of the requests served", "%"),
            Measure::BusiestServer => ("the busiest server", ""),
            Measure::FirstServer => ("the first request's server", ""),
            Measure::Served => ("requests served", ""),
            Measure::ErrorPercent => ("requests that failed", "%"),
            Measure::Retries => ("retries", ""),
            Measure::Seconds => ("time waited", "s"),
            Measure::KeysMoved => ("keys moved", "%"),
            Measure::ModuloMoved => ("keys modulo hashing would have moved", "%"),
        }
    }

    /// `value` as the reveal shows it: `2474 ms`, `33.3%`, `server 3`, `200`.
    pub fn show(self, value: f64) -> String {
        match self {
            Measure::BusiestServer | Measure::FirstServer => format!("server {value:.0}"),
            _ => match self.label().1 {
                "ms" => format!("{value:.0} ms"),
                "%" => format!("{value:.1}%"),
                "s" => format!("{value:.1} s"),
                _ => format!("{value:.0}"),
            },
        }
    }
}
