//! The page's "What if" sweep: the system as it stands now, offered loads from 10% to 95% of
//! what its live servers can serve, each run several times with independent seeds, and each
//! load's mean and 95th-percentile latency with their 95% confidence intervals beside the
//! queueing model's mean where one fits.
//!
//! "As it stands now" is the starting scenario with every command applied so far given again
//! at time zero, in order (the algorithm switched, a server killed, a weight changed), and
//! nothing of the script still to come: a system that does not change while it runs, which the
//! queueing models can describe. A command that sets the arrival rate is left out, since the
//! rate is what the sweep varies.
//!
//! The page runs [`run`] in a Web Worker, so the animation never waits for it; the request and
//! the answers cross as JSON ([`Request`], [`Reply`]), the scenario as the text a scenario file
//! holds, read back by [`Scenario::from_json`] as the page reads any file (one reader in the
//! bundle, not a second one for this). The same function runs natively in tests.

use serde::{Deserialize, Serialize};

use super::point::{Point, Summary, replication_seed};
use super::stats::Estimate;
use crate::sim::traffic::Traffic;
use crate::sim::{Command, Scenario, SimDuration, SimTime, Simulation, TimedCommand};

/// The lowest and highest offered load, as shares of the capacity, and how many loads between.
pub const LOADS: (f64, f64, usize) = (0.10, 0.95, 18);
/// Runs at each load.
pub const REPLICATIONS: usize = 4;
/// About how many requests the whole sweep sends: each run's length is what keeps it near this
/// (under a second in the page's worker). Runs are never shorter than [`LENGTH`]'s first, so a
/// system that serves thousands of requests a second sends more (about 4 s for 10,000 req/s).
pub const REQUEST_BUDGET: f64 = 1_500_000.0;
/// The shortest and longest run.
pub const LENGTH: (SimDuration, SimDuration) =
    (SimDuration::from_secs(10), SimDuration::from_secs(600));

/// What the worker is asked to sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The system as it stands now: a scenario, as JSON.
    pub scenario: String,
    /// Requests per second its live servers can serve.
    pub capacity: f64,
    /// How long each run lasts.
    pub length: SimDuration,
    /// Runs at each load.
    pub replications: usize,
}

/// One offered load's result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Load {
    /// Requests per second offered.
    pub rate: f64,
    /// Mean latency (ms) over the runs, with its 95% confidence interval; none when a run
    /// served nothing.
    pub mean_ms: Option<Estimate>,
    /// 95th-percentile latency (ms), likewise.
    pub p95_ms: Option<Estimate>,
    /// Requests served per second.
    pub throughput: f64,
    /// The queueing model's mean latency (ms), where one fits.
    pub theory_ms: Option<f64>,
}

/// What the worker says: how far it is, what it found, or why it could not sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// `done` of `of` runs made.
    Progress {
        /// Runs made.
        done: usize,
        /// Runs in all.
        of: usize,
    },
    /// Every load's result, lowest first, with the model's name where one fits.
    Done {
        /// The loads.
        loads: Vec<Load>,
        /// The queueing model the theory comes from.
        model: Option<String>,
    },
    /// The sweep could not be planned (a sentence).
    Failed(String),
}

/// Why the system as it stands cannot be swept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsweepable {
    /// No live server: no load is a share of nothing.
    NoCapacity,
    /// Closed-loop users send at their own pace, not at an arrival rate.
    ClosedLoop,
    /// The commands so far, given again at time zero, do not make a valid scenario (what the
    /// checks say).
    Refused(String),
}

impl Request {
    /// The sweep of `sim`'s system as it stands now ([module docs](self)).
    pub fn of(sim: &Simulation) -> Result<Request, Unsweepable> {
        let base = sim.scenario();
        let now: Vec<TimedCommand> = sim
            .recording()
            .iter()
            .filter(|t| !matches!(t.command, Command::SetRate(_)))
            .map(|t| TimedCommand {
                at: SimTime::ZERO,
                command: t.command,
            })
            .collect();
        let scenario = Scenario {
            timeline: now,
            duration: None,
            ..base.clone()
        };
        let json = scenario.to_json();
        let mut start =
            Simulation::new(scenario).map_err(|e| Unsweepable::Refused(e.to_string()))?;
        start.advance_to(SimTime::ZERO);
        if start.traffic().closed_loop.is_some() {
            return Err(Unsweepable::ClosedLoop);
        }
        let capacity = start.capacity();
        if capacity <= 0.0 {
            return Err(Unsweepable::NoCapacity);
        }
        let (low, high, steps) = LOADS;
        let offered = capacity * (low + high) / 2.0 * steps as f64 * REPLICATIONS as f64;
        let length = SimDuration::from_secs_f64(REQUEST_BUDGET / offered)
            .max(LENGTH.0)
            .min(LENGTH.1);
        Ok(Request {
            scenario: json,
            capacity,
            length,
            replications: REPLICATIONS,
        })
    }

    /// The offered loads, requests per second, lowest first.
    pub fn rates(&self) -> Vec<f64> {
        let (low, high, steps) = LOADS;
        (0..steps)
            .map(|i| self.capacity * (low + (high - low) * i as f64 / (steps - 1) as f64))
            .collect()
    }

    /// How many runs the sweep makes.
    pub fn runs(&self) -> usize {
        LOADS.2 * self.replications
    }
}

/// Makes the sweep `request` asks for, telling `progress` after each run how many are done of
/// how many: the loads' results, or why it could not be made. Run `r` of load `p` has the seed
/// [`replication_seed`] gives, as in any sweep of the same points.
pub fn run(request: &Request, mut progress: impl FnMut(usize, usize)) -> Reply {
    let scenario = match Scenario::from_json(&request.scenario) {
        Ok(scenario) => scenario,
        Err(e) => return Reply::Failed(e.to_string()),
    };
    let rates = request.rates();
    let points = rates.iter().map(|&rate| {
        Point::new(Scenario {
            traffic: Traffic {
                rate,
                ..scenario.traffic.clone()
            },
            ..scenario.clone()
        })
    });
    let points = match points.collect::<Result<Vec<_>, _>>() {
        Ok(points) => points,
        Err(e) => return Reply::Failed(e.to_string()),
    };
    let (of, mut done) = (request.runs(), 0);
    let summaries: Vec<Summary> = points
        .iter()
        .enumerate()
        .map(|(p, point)| {
            let runs: Vec<_> = (0..request.replications)
                .map(|r| {
                    let run =
                        point.replicate(replication_seed(scenario.seed, p, r), request.length);
                    done += 1;
                    progress(done, of);
                    run
                })
                .collect();
            Summary::of(point, &runs)
        })
        .collect();
    let model = summaries
        .iter()
        .find_map(|s| s.theory)
        .map(|t| t.model.to_string());
    let loads = rates
        .iter()
        .zip(&summaries)
        .map(|(&rate, s)| Load::of(rate, s))
        .collect();
    Reply::Done { loads, model }
}

impl Load {
    fn of(rate: f64, summary: &Summary) -> Load {
        Load {
            rate,
            mean_ms: summary.mean_ms,
            p95_ms: summary.p95_ms,
            throughput: summary.throughput,
            theory_ms: summary.theory.map(|t| t.mean_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::server;
    use crate::sim::traffic::CostDistribution;

    /// Four one-worker servers of 100 ms exponential work picked at random, no network delay:
    /// each is an M/M/1 queue, as the model says (round robin's even turns would wait less).
    fn four() -> Scenario {
        let mut s = Scenario::classroom();
        s.algorithm = crate::sim::Algorithm::Random;
        s.servers = (1..=4).map(|i| server(&format!("s-{i}"), 1, 1)).collect();
        s.client_latency = SimDuration::ZERO;
        s.backend_latency = SimDuration::ZERO;
        s.resilience.health = None;
        s.traffic.cost = CostDistribution::Exponential {
            mean: SimDuration::from_millis(100),
        };
        s
    }

    #[test]
    fn the_system_now_is_the_start_with_the_commands_so_far_and_without_the_script() {
        let mut s = four();
        s.timeline = vec![TimedCommand {
            at: SimTime::from_secs_f64(100.0),
            command: Command::Kill { server: 0 },
        }];
        let mut sim = Simulation::new(s).unwrap();
        sim.advance_to(SimTime::from_secs_f64(5.0));
        sim.apply(Command::Kill { server: 1 }).unwrap();
        sim.apply(Command::SetRate(30.0)).unwrap();
        let request = Request::of(&sim).unwrap();
        // server-2's crash is kept (at time zero), the rate change and the script are not.
        let scenario = Scenario::from_json(&request.scenario).unwrap();
        assert_eq!(
            scenario.timeline,
            [TimedCommand {
                at: SimTime::ZERO,
                command: Command::Kill { server: 1 }
            }]
        );
        // Three live one-worker servers of 100 ms: 30 requests a second.
        assert!(
            (request.capacity - 30.0).abs() < 1e-9,
            "{}",
            request.capacity
        );
        let rates = request.rates();
        assert_eq!(rates.len(), 18);
        assert!((rates[0] - 3.0).abs() < 1e-9 && (rates[17] - 28.5).abs() < 1e-9);
        // 1.5 M requests over 18 loads x 4 runs at 15.75 req/s on average: 1,322 s, so 600 s.
        assert_eq!(request.length, SimDuration::from_secs(600));
    }

    #[test]
    fn nothing_alive_or_closed_loop_users_cannot_be_swept() {
        let mut sim = Simulation::new(four()).unwrap();
        for server in 0..4 {
            sim.apply(Command::Kill { server }).unwrap();
        }
        assert_eq!(Request::of(&sim), Err(Unsweepable::NoCapacity));
        let users = crate::sim::presets::preset("closed-vs-open-loop").unwrap();
        let sim = Simulation::new(users).unwrap();
        assert_eq!(Request::of(&sim), Err(Unsweepable::ClosedLoop));
    }

    #[test]
    fn the_measured_means_follow_the_model_and_climb_with_the_load() {
        let sim = Simulation::new(four()).unwrap();
        let mut request = Request::of(&sim).unwrap();
        request.length = SimDuration::from_secs(300);
        let mut seen = Vec::new();
        let Reply::Done { loads, model } = run(&request, |done, of| seen.push((done, of))) else {
            panic!("the sweep runs")
        };
        assert_eq!(seen.len(), 72);
        assert_eq!(seen.last(), Some(&(72, 72)));
        assert!(model.is_some());
        assert_eq!(loads.len(), 18);
        for load in &loads[..12] {
            // Up to about 70% load, the model's mean lies within the runs' spread.
            let (mean, theory) = (load.mean_ms.unwrap(), load.theory_ms.unwrap());
            assert!((mean.mean - theory).abs() / theory < 0.12, "{load:?}");
        }
        let means: Vec<f64> = loads.iter().map(|l| l.mean_ms.unwrap().mean).collect();
        assert!(means[17] > 5.0 * means[0], "{means:?}");
        // Served about as much as offered.
        assert!((loads[8].throughput / loads[8].rate - 1.0).abs() < 0.05);
    }

    #[test]
    fn the_request_and_the_replies_cross_as_json() {
        let sim = Simulation::new(four()).unwrap();
        let request = Request::of(&sim).unwrap();
        let text = serde_json::to_string(&request).unwrap();
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), request);
        let reply = Reply::Progress { done: 3, of: 72 };
        let text = serde_json::to_string(&reply).unwrap();
        assert_eq!(serde_json::from_str::<Reply>(&text).unwrap(), reply);
    }
}
