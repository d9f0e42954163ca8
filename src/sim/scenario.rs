//! A scenario: everything a run starts from. The servers, the algorithm, the traffic, the network
//! delays, the failure handling, the seed, and a timeline of scripted commands. The same scenario
//! gives the same run, number for number.
//!
//! Scenarios are files too (JSON, versioned): durations are written with units (`"500ms"`,
//! `"2s"`), algorithms by id, servers in commands by number from 1. Fields left out take sensible
//! defaults; unknown fields are errors, so a typo never passes silently. Files are limited in size
//! and every value is range-checked, so a hostile file cannot freeze the page.

use super::address::MAX_BLOCKS;
use super::autoscale::Autoscale;
use super::balancer::Algorithm;
use super::balancer_cpu::BalancerCost;
use super::command::TimedCommand;
use super::connections::{Connections, Layer, check_scenario_at_layer4};
use super::front::Front;
use super::health::{ActiveCheck, ServerCheck};
use super::ratelimit::RateLimit;
use super::resilience::{Resilience, check_health};
use super::server::{MAX_SPEED, MAX_WEIGHT, MAX_WORKERS, MIN_SPEED, ServerSpec};
use super::share::LinkProblem;
use super::slow_start::SlowStart;
use super::time::{SimDuration, SimTime};
use super::traffic::{CostDistribution, Pattern, Traffic};
use super::validation::{
    ValidationError, check_duration, check_range, shorten_alternatives, shorten_values, shortened,
};
use serde_path_to_error::Segment;

/// The most servers a scenario may have.
pub const MAX_SERVERS: usize = 1_000;
/// The highest arrival rate, in requests per second.
pub const MAX_RATE: f64 = 1_000_000.0;
/// The most clients a scenario may have.
pub const MAX_CLIENTS: u32 = 1_000_000;
/// The longest one-way network delay.
pub const MAX_LATENCY: SimDuration = SimDuration::from_secs(60);
/// The largest mean request cost.
pub const MAX_MEAN_COST: SimDuration = SimDuration::from_secs(3_600);
/// The scenario file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The largest scenario file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// The most timeline entries a scenario may have.
pub const MAX_TIMELINE: usize = 10_000;
/// The longest run a scenario may ask for.
pub const MAX_DURATION: SimDuration = SimDuration::from_secs(7 * 24 * 3_600);

/// The starting point of a run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The file format version ([`FORMAT_VERSION`]).
    #[serde(default = "format_version")]
    pub version: u32,
    /// A title, e.g. a preset's name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// What to watch for, in a few sentences.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub watch: String,
    /// The seed of every random stream.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The servers, in balancer order.
    pub servers: Vec<ServerSpec>,
    /// The balancing algorithm.
    #[serde(default = "default_algorithm")]
    pub algorithm: Algorithm,
    /// The offered load.
    pub traffic: Traffic,
    /// One-way delay between a client and the load balancer.
    #[serde(default)]
    pub client_latency: SimDuration,
    /// One-way delay between the load balancer and a server.
    #[serde(default)]
    pub backend_latency: SimDuration,
    /// The length of a metrics window (one point on the time charts).
    #[serde(default = "default_sample_every")]
    pub sample_every: SimDuration,
    /// How a revived server's weight ramps back up.
    #[serde(default = "default_slow_start")]
    pub slow_start: SlowStart,
    /// Health checks, passive checks, circuit breakers and retries.
    #[serde(default)]
    pub resilience: Resilience,
    /// Rate limiting at the balancer (nginx `limit_req`, Envoy's token bucket), off by default.
    #[serde(default, skip_serializing_if = "RateLimit::is_off")]
    pub rate_limit: RateLimit,
    /// Client connections and the balancing layer; `None`: requests without connections, at
    /// layer 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<Connections>,
    /// The balancer's own CPU (parsing, connections, TLS); `None`: a balancer that costs nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balancer: Option<BalancerCost>,
    /// Several balancers in front of the servers; `None`: one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front: Option<Front>,
    /// Autoscaling (Kubernetes HPA, AWS target tracking), off by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
    /// How long the run lasts (the command-line runner's default end; the UI runs on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<SimDuration>,
    /// Scripted commands, applied at their times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<TimedCommand>,
}

fn format_version() -> u32 {
    FORMAT_VERSION
}

fn default_seed() -> u64 {
    1
}

fn default_algorithm() -> Algorithm {
    Algorithm::RoundRobin
}

fn default_sample_every() -> SimDuration {
    SimDuration::from_secs(1)
}

fn default_slow_start() -> SlowStart {
    SlowStart::Off
}

/// Why a scenario file or link cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// More bytes than a scenario file may have ([`MAX_FILE_BYTES`]).
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// Not a scenario file: the JSON does not parse, or a field has the wrong name or shape.
    Unreadable(ParseError),
    /// A share link that does not hold a scenario.
    BadLink(LinkProblem),
    /// A value is out of bounds: the field and why.
    Invalid(ValidationError),
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::TooLarge { bytes } => {
                write!(f, "{bytes} bytes is more than the maximum {MAX_FILE_BYTES}")
            }
            ScenarioError::Unreadable(e) => e.fmt(f),
            ScenarioError::BadLink(problem) => problem.fmt(f),
            ScenarioError::Invalid(e) => e.fmt(f),
        }
    }
}

/// Where and why the JSON parser stopped reading a scenario file:
/// ``servers[2]: missing field `name` at line 5 column 3``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The field being read, named as validation names fields (`servers[2].weight`, 0-based);
    /// empty when the problem is the file as a whole (`expected value`, `trailing characters`).
    pub field: String,
    /// The parser's words, with long values shortened ([`shorten_values`]).
    pub problem: String,
    /// The line of the file, from 1.
    pub line: usize,
    /// The column on that line, from 1.
    pub column: usize,
}

impl ParseError {
    /// The parser's error `e` at `path`, the field it was reading.
    fn new<'a>(path: impl IntoIterator<Item = &'a Segment>, e: &serde_json::Error) -> ParseError {
        let mut field = String::new();
        // An `Unknown` segment is a key that was not read yet: the path ends before it.
        for segment in path
            .into_iter()
            .take_while(|s| !matches!(s, Segment::Unknown))
        {
            match segment {
                Segment::Seq { index } => field += &format!("[{index}]"),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    if !field.is_empty() {
                        field.push('.');
                    }
                    field += &shortened(key);
                }
                Segment::Unknown => {}
            }
        }
        let words = e.to_string();
        let at = format!(" at line {} column {}", e.line(), e.column());
        ParseError {
            field,
            problem: shorten_alternatives(&shorten_values(
                words.strip_suffix(&at).unwrap_or(&words),
            )),
            line: e.line(),
            column: e.column(),
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(
            f,
            "{} at line {} column {}",
            self.problem, self.line, self.column
        )
    }
}

impl std::error::Error for ScenarioError {}

/// Reads a JSON file into `T` (a scenario, a lesson), naming the field and the place where it
/// stops: a byte order mark before the JSON is skipped, and nothing but white space may follow it.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut json = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut json)
        .map_err(|e| ParseError::new(e.path(), e.inner()))
        .and_then(|value| {
            json.end()
                .map(|()| value)
                .map_err(|e| ParseError::new([], &e))
        })
}

impl Scenario {
    /// The classroom default: four equal servers with two workers each, 500 ms mean requests at
    /// 10 per second (62.5% load), delays long enough to watch requests travel, and HAProxy's
    /// default health checks (no retries, no breakers: a class turns those on and compares).
    pub fn classroom() -> Scenario {
        Scenario {
            version: FORMAT_VERSION,
            title: "Classroom default".into(),
            watch: "New here? Each dot is a request, travelling from the clients through the \
                    load balancer (round robin) to four equal servers and back; the charts show \
                    where the requests went and how long they took. Press Kill on a server's \
                    card (or key k) and watch: its requests fail until the health checks mark it \
                    DOWN, within about 6 s, then the others take its share. Revive it, or start \
                    a lesson from the Lesson menu at the top for a guided walk through the course."
                .into(),
            seed: 1,
            servers: (1..=4)
                .map(|i| server(&format!("server-{i}"), 1, 2))
                .collect(),
            algorithm: Algorithm::RoundRobin,
            traffic: Traffic {
                rate: 10.0,
                cost: CostDistribution::Exponential {
                    mean: SimDuration::from_millis(500),
                },
                clients: 200,
                behind_nat: 0,
                addresses: Vec::new(),
                pattern: Pattern::Poisson,
                client_timeout: None,
                client_retry: None,
                closed_loop: None,
            },
            client_latency: SimDuration::from_millis(300),
            backend_latency: SimDuration::from_millis(300),
            sample_every: SimDuration::from_secs(1),
            slow_start: SlowStart::Off,
            resilience: Resilience {
                health: Some(ActiveCheck::HAPROXY_DEFAULT),
                ..Resilience::NONE
            },
            rate_limit: RateLimit::Off,
            connections: None,
            balancer: None,
            front: None,
            autoscale: None,
            duration: None,
            timeline: Vec::new(),
        }
    }

    /// Reads a scenario file (JSON), checking its size, its format and every value. A byte order
    /// mark before the JSON (some editors write one) is skipped. A file that does not parse
    /// says which field, where, and why.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(ScenarioError::TooLarge { bytes: text.len() });
        }
        let scenario: Scenario = parse_json(text).map_err(ScenarioError::Unreadable)?;
        scenario.validate().map_err(ScenarioError::Invalid)?;
        Ok(scenario)
    }

    /// Writes the scenario as a readable JSON file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    /// Checks every field; the error names the first bad one. (Timeline commands are checked
    /// against the servers when a simulation starts from the scenario.)
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.version != FORMAT_VERSION {
            return Err(ValidationError::new(
                "version",
                format!(
                    "version {} is not supported (this build reads version {FORMAT_VERSION})",
                    self.version
                ),
            ));
        }
        if self.servers.is_empty() {
            return Err(ValidationError::new(
                "servers",
                "at least one server is needed",
            ));
        }
        if self.servers.len() > MAX_SERVERS {
            return Err(ValidationError::new(
                "servers",
                format!(
                    "{} servers is more than the maximum {MAX_SERVERS}",
                    self.servers.len()
                ),
            ));
        }
        for (i, s) in self.servers.iter().enumerate() {
            validate_server(&format!("servers[{i}]"), s)?;
            if self.servers[..i].iter().any(|other| other.name == s.name) {
                return Err(ValidationError::new(
                    format!("servers[{i}].name"),
                    format!("{:?} is used by another server", s.name),
                ));
            }
        }
        check_rate("traffic.rate", self.traffic.rate)?;
        check_clients(
            "traffic.clients",
            "traffic.behind_nat",
            self.traffic.clients,
            self.traffic.behind_nat,
        )?;
        if let Some(c) = &self.connections {
            c.validate("connections")?;
            if c.layer == Layer::L4 {
                check_scenario_at_layer4(self.algorithm, &self.resilience, self.rate_limit)?;
            }
        }
        if let Some(b) = &self.balancer {
            b.validate("balancer")?;
        }
        if let Some(f) = &self.front {
            f.validate("front", self.servers.len())?;
            self.check_alone_in_front()?;
        }
        if self.traffic.addresses.len() > MAX_BLOCKS {
            return Err(ValidationError::new(
                "traffic.addresses",
                format!(
                    "{} entries is more than the {MAX_BLOCKS} allowed",
                    self.traffic.addresses.len()
                ),
            ));
        }
        // The shape first: a mix without classes or shares has no mean to check.
        self.traffic.cost.check_shape("traffic.cost")?;
        check_mean_cost("traffic.cost.mean", self.traffic.cost.mean())?;
        self.traffic.pattern.check("traffic.pattern")?;
        if let Some(t) = self.traffic.client_timeout {
            check_client_timeout("traffic.client_timeout", t)?;
        }
        if let Some(r) = &self.traffic.client_retry {
            r.validate("traffic.client_retry")?;
        }
        if let Some(c) = &self.traffic.closed_loop {
            c.validate("traffic.closed_loop")?;
        }
        check_duration(
            "client_latency",
            self.client_latency,
            SimDuration::ZERO,
            MAX_LATENCY,
        )?;
        check_duration(
            "backend_latency",
            self.backend_latency,
            SimDuration::ZERO,
            MAX_LATENCY,
        )?;
        check_duration(
            "sample_every",
            self.sample_every,
            SimDuration::from_millis(10),
            SimDuration::from_secs(3_600),
        )?;
        check_slow_start("slow_start", &self.slow_start)?;
        self.resilience.validate("resilience")?;
        self.rate_limit.validate("rate_limit")?;
        if let Some(autoscale) = &self.autoscale {
            autoscale.validate("autoscale")?;
        }
        if let Some(d) = self.duration {
            check_duration("duration", d, SimDuration(1), MAX_DURATION)?;
        }
        if self.timeline.len() > MAX_TIMELINE {
            return Err(ValidationError::new(
                "timeline",
                format!(
                    "{} entries is more than the maximum {MAX_TIMELINE}",
                    self.timeline.len()
                ),
            ));
        }
        let end = SimTime(self.duration.unwrap_or(MAX_DURATION).0);
        for (i, entry) in self.timeline.iter().enumerate() {
            if entry.at > end {
                return Err(ValidationError::new(
                    format!("timeline[{i}].at"),
                    format!(
                        "{} is after the end of the run ({})",
                        SimDuration(entry.at.0).to_message_string(),
                        SimDuration(end.0).to_message_string()
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Scenario {
    /// With several balancers, what the model does not combine with them yet, both with a local
    /// tier: connections (which tier would hold them, and which pin them at layer 4) and the
    /// balancer's cost (which of the tiers would do the work).
    fn check_alone_in_front(&self) -> Result<(), ValidationError> {
        let local = self.front.as_ref().is_some_and(|f| f.local.is_some());
        if self.connections.is_some() && local {
            return Err(ValidationError::new(
                "front.local",
                "a local tier of balancers cannot be combined with `connections` in this version: leave one out",
            ));
        }
        if self.balancer.is_some() && local {
            return Err(ValidationError::new(
                "front.local",
                "a local tier of balancers cannot be combined with `balancer` (the balancers' CPU cost) in this version: leave one out",
            ));
        }
        Ok(())
    }
}

/// Checks a client population: 1 to [`MAX_CLIENTS`] clients, at most all of them behind the NAT.
pub fn check_clients(
    clients_field: &str,
    nat_field: &str,
    clients: u32,
    behind_nat: u32,
) -> Result<(), ValidationError> {
    check_range(
        clients_field,
        f64::from(clients),
        1.0,
        f64::from(MAX_CLIENTS),
    )?;
    check_range(nat_field, f64::from(behind_nat), 0.0, f64::from(clients))
}

/// Checks a base arrival rate, in requests per second.
pub fn check_rate(field: &str, rate: f64) -> Result<(), ValidationError> {
    check_range(field, rate, 0.0, MAX_RATE)
}

/// Checks how long a client waits for an answer.
pub fn check_client_timeout(field: &str, t: SimDuration) -> Result<(), ValidationError> {
    check_duration(field, t, SimDuration::MS, SimDuration::HOUR)
}

/// Checks a server's worker count.
pub fn check_workers(field: &str, workers: u32) -> Result<(), ValidationError> {
    check_range(field, f64::from(workers), 1.0, f64::from(MAX_WORKERS))
}

/// Checks a degradation: the share of speed lost per minute, 0 (none) to 0.99.
pub fn check_degradation(field: &str, per_minute: f64) -> Result<(), ValidationError> {
    check_range(field, per_minute, 0.0, 0.99)
}

/// Checks slow-start settings.
pub fn check_slow_start(field: &str, slow_start: &SlowStart) -> Result<(), ValidationError> {
    let hour = SimDuration::from_secs(3_600);
    match *slow_start {
        SlowStart::Off => Ok(()),
        SlowStart::Linear { period } => {
            check_duration(&format!("{field}.period"), period, SimDuration(1), hour)
        }
        SlowStart::Envoy {
            window,
            aggression,
            min_weight,
        } => {
            check_duration(&format!("{field}.window"), window, SimDuration(1), hour)?;
            check_range(&format!("{field}.aggression"), aggression, 0.1, 100.0)?;
            check_range(&format!("{field}.min_weight"), min_weight, 0.001, 1.0)
        }
    }
}

/// A server spec with default speed and an unbounded queue.
pub fn server(name: &str, weight: u32, workers: u32) -> ServerSpec {
    ServerSpec {
        name: name.to_string(),
        weight,
        workers,
        speed: 1.0,
        queue_limit: None,
        backup: false,
        error_rate: 0.0,
        database_down: false,
        down: false,
        health: None,
        startup: SimDuration::ZERO,
    }
}

fn validate_server(field: &str, s: &ServerSpec) -> Result<(), ValidationError> {
    if s.name.trim().is_empty() || s.name.len() > 64 {
        return Err(ValidationError::new(
            format!("{field}.name"),
            "must be 1 to 64 characters",
        ));
    }
    check_weight(&format!("{field}.weight"), s.weight)?;
    check_workers(&format!("{field}.workers"), s.workers)?;
    check_speed(&format!("{field}.speed"), s.speed)?;
    check_error_rate(&format!("{field}.error_rate"), s.error_rate)?;
    if let Some(limit) = s.queue_limit {
        check_range(&format!("{field}.queue_limit"), f64::from(limit), 0.0, 1e6)?;
    }
    if let Some(ServerCheck::Check(h)) = &s.health {
        check_health(&format!("{field}.health.check"), h)?;
    }
    check_duration(
        &format!("{field}.startup"),
        s.startup,
        SimDuration::ZERO,
        SimDuration::HOUR,
    )
}

/// Checks a balancing weight.
pub fn check_weight(field: &str, weight: u32) -> Result<(), ValidationError> {
    check_range(field, f64::from(weight), 0.0, f64::from(MAX_WEIGHT))
}

/// Checks a server error rate (a share from 0 to 1).
pub fn check_error_rate(field: &str, rate: f64) -> Result<(), ValidationError> {
    check_range(field, rate, 0.0, 1.0)
}

/// Checks a server speed factor.
pub fn check_speed(field: &str, speed: f64) -> Result<(), ValidationError> {
    check_range(field, speed, MIN_SPEED, MAX_SPEED)
}

/// Checks a mean request cost.
pub fn check_mean_cost(field: &str, mean: SimDuration) -> Result<(), ValidationError> {
    check_duration(field, mean, SimDuration(1), MAX_MEAN_COST)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::traffic::{RequestClass, RequestMix};

    #[test]
    fn the_classroom_default_is_valid() {
        assert_eq!(Scenario::classroom().validate(), Ok(()));
    }

    /// What the default page tells a first visitor: a killed server is marked DOWN within about
    /// 6 s (HAProxy's 2 s checks, fall 3), and its requests fail until then, none after.
    #[test]
    fn the_classroom_text_is_what_a_kill_does() {
        use crate::sim::{Command, SimTime, Simulation};
        let mut sim = Simulation::new(Scenario::classroom()).unwrap();
        sim.advance_to(SimTime::from_secs_f64(10.0));
        sim.apply(Command::Kill { server: 0 }).unwrap();
        let failed_before = sim.metrics().ended().failed;
        sim.advance_to(SimTime::from_secs_f64(16.0));
        assert!(!sim.backends()[0].health_up(), "marked DOWN by 16 s");
        assert!(sim.metrics().ended().failed > failed_before);
        // Those already on their way when it was marked still meet it (300 ms away).
        sim.advance_to(SimTime::from_secs_f64(17.0));
        let failed_at_mark = sim.metrics().ended().failed;
        sim.advance_to(SimTime::from_secs_f64(40.0));
        assert_eq!(sim.metrics().ended().failed, failed_at_mark, "none after");
        assert!(Scenario::classroom().watch.contains("within about 6 s"));
    }

    #[test]
    fn errors_name_the_bad_field() {
        let bad = |f: fn(&mut Scenario)| {
            let mut s = Scenario::classroom();
            f(&mut s);
            s.validate().unwrap_err().to_string()
        };
        assert_eq!(
            bad(|s| s.servers.clear()),
            "servers: at least one server is needed"
        );
        assert_eq!(
            bad(|s| s.servers[2].weight = 1001),
            "servers[2].weight: 1001 is above the maximum 1000"
        );
        assert_eq!(
            bad(|s| s.servers[0].workers = 0),
            "servers[0].workers: 0 is below the minimum 1"
        );
        assert_eq!(
            bad(|s| s.servers[1].speed = f64::INFINITY),
            "servers[1].speed: inf is not a finite number"
        );
        assert_eq!(
            bad(|s| s.servers[3].name = " ".into()),
            "servers[3].name: must be 1 to 64 characters"
        );
        assert_eq!(
            bad(|s| s.traffic.rate = -2.0),
            "traffic.rate: -2 is below the minimum 0"
        );
        assert_eq!(
            bad(|s| s.traffic.clients = 0),
            "traffic.clients: 0 is below the minimum 1"
        );
        assert!(
            bad(|s| s.traffic.cost = CostDistribution::Constant {
                cost: SimDuration::ZERO
            })
            .starts_with("traffic.cost.mean: 0s is below the minimum 1us")
        );
        assert!(
            bad(|s| s.backend_latency = SimDuration::from_secs(61)).starts_with("backend_latency:")
        );
        assert_eq!(
            bad(|s| s.traffic.cost = CostDistribution::Mix(RequestMix { classes: vec![] })),
            "traffic.cost.classes: 0 classes is not within 1 to 16"
        );
        assert_eq!(
            bad(|s| s.traffic.cost = CostDistribution::Mix(RequestMix {
                classes: vec![RequestClass {
                    path: "/api v2".into(),
                    cost: SimDuration::from_millis(10),
                    share: 1.0,
                }]
            })),
            "traffic.cost.classes[0].path: \"/api v2\" is not printable ASCII without spaces"
        );
        assert!(
            bad(|s| s.servers = vec![server("x", 1, 1); MAX_SERVERS + 1]).contains("maximum 1000")
        );
    }
}
