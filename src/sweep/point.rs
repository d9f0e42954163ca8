//! One point of a sweep: a scenario with the point's values, run again and again with
//! independent seeds (replications), and what its replications add up to.

use crate::sim::hash::splitmix64;
use crate::sim::report::LatencyMs;
use crate::sim::theory::{Expectation, expected_latency};
use crate::sim::{Scenario, SimDuration, SimTime, Simulation, ValidationError};

use super::stats::Estimate;

/// A point's scenario, ready to run.
#[derive(Clone, Debug)]
pub struct Point {
    scenario: Scenario,
    theory: Option<Expectation>,
}

/// What one replication measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Replication {
    /// Mean client-observed latency of the requests served, in milliseconds (`None`: none was).
    pub mean_ms: Option<f64>,
    /// Their 95th percentile, in milliseconds.
    pub p95_ms: Option<f64>,
    /// Requests served per simulated second.
    pub throughput: f64,
}

impl Point {
    /// The point that runs `scenario`, or the scenario's first problem (a value out of bounds, a
    /// timeline command that cannot apply).
    pub fn new(scenario: Scenario) -> Result<Point, ValidationError> {
        let mut sim = Simulation::new(scenario.clone())?;
        // The model is of the system once the commands at time zero have applied.
        sim.advance_to(SimTime::ZERO);
        let theory = if steady(&scenario) {
            expected_latency(&sim)
        } else {
            None
        };
        Ok(Point { scenario, theory })
    }

    /// The point's scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The queueing model's mean latency for this point, when one fits ([`steady`]).
    pub fn theory(&self) -> Option<Expectation> {
        self.theory
    }

    /// Runs the scenario with `seed` from time zero for `length`. The run advances a simulated
    /// second at a time and drops the events it hands out, so its memory stays flat.
    pub fn replicate(&self, seed: u64, length: SimDuration) -> Replication {
        let scenario = Scenario {
            seed,
            ..self.scenario.clone()
        };
        // `new` checked this scenario; the seed is not something validation looks at.
        let mut sim = Simulation::new(scenario).expect("a point's scenario is valid");
        let end = SimTime(length.0);
        while sim.now() < end {
            sim.advance_to((sim.now() + SimDuration::from_secs(1)).min(end));
            sim.drain_events().for_each(drop);
        }
        let latency = LatencyMs::of(sim.metrics().latency());
        Replication {
            mean_ms: latency.mean,
            p95_ms: latency.p95,
            throughput: sim.totals().completed as f64 / length.as_secs_f64(),
        }
    }
}

/// Whether the queueing model that fits a scenario at time zero ([`expected_latency`], which
/// already refuses what thins the Poisson arrivals, such as a rate limit) describes the whole
/// run: nothing changes the system while it runs (no command after time zero, no autoscaler).
/// The models leave out the work health checks cost the servers (`check_work`), as the page's
/// chart does.
fn steady(scenario: &Scenario) -> bool {
    scenario.timeline.iter().all(|t| t.at == SimTime::ZERO) && scenario.autoscale.is_none()
}

/// The seed of replication `replication` of point `point` in a sweep of a scenario seeded with
/// `base`: SplitMix64 over the three, so every (point, replication) gets its own unrelated seed
/// whatever order the runs are made in, and the same sweep gets the same seeds every time.
pub fn replication_seed(base: u64, point: usize, replication: usize) -> u64 {
    splitmix64(splitmix64(splitmix64(base) ^ point as u64) ^ replication as u64)
}

/// A point's result over its replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// How many replications were run.
    pub replications: usize,
    /// Mean latency (ms) over the replications' means; `None` when a replication served nothing.
    pub mean_ms: Option<Estimate>,
    /// 95th-percentile latency (ms) over the replications' p95s; `None` likewise.
    pub p95_ms: Option<Estimate>,
    /// Requests served per second, averaged over the replications.
    pub throughput: f64,
    /// The queueing model's prediction, where one fits.
    pub theory: Option<Expectation>,
}

impl Summary {
    /// What `replications` of `point` add up to.
    pub fn of(point: &Point, replications: &[Replication]) -> Summary {
        let each = |value: fn(&Replication) -> Option<f64>| -> Option<Estimate> {
            let samples: Option<Vec<f64>> = replications.iter().map(value).collect();
            Estimate::of(&samples?)
        };
        let throughputs: Vec<f64> = replications.iter().map(|r| r.throughput).collect();
        Summary {
            replications: replications.len(),
            mean_ms: each(|r| r.mean_ms),
            p95_ms: each(|r| r.p95_ms),
            throughput: Estimate::of(&throughputs).map_or(0.0, |e| e.mean),
            theory: point.theory,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::server;
    use crate::sim::traffic::CostDistribution;

    #[test]
    fn seeds_differ_for_every_point_and_replication() {
        let mut seeds: Vec<u64> = (0..50)
            .flat_map(|p| (0..50).map(move |r| replication_seed(1, p, r)))
            .collect();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), 2_500);
        assert_ne!(replication_seed(1, 0, 0), replication_seed(2, 0, 0));
        assert_eq!(replication_seed(7, 3, 4), replication_seed(7, 3, 4));
    }

    #[test]
    fn a_replication_is_its_seed_s_run() {
        let mut scenario = Scenario::classroom();
        scenario.servers = vec![server("only", 1, 1)];
        scenario.traffic.rate = 1.0;
        scenario.traffic.cost = CostDistribution::Exponential {
            mean: SimDuration::from_millis(500),
        };
        let point = Point::new(scenario).unwrap();
        let length = SimDuration::from_secs(20);
        let a = point.replicate(5, length);
        assert_eq!(a, point.replicate(5, length));
        assert_ne!(a, point.replicate(6, length));
        assert!(a.mean_ms.is_some() && a.throughput > 0.0);
    }

    #[test]
    fn the_model_fits_a_run_only_when_nothing_changes_in_it() {
        let still = Point::new(Scenario::classroom()).unwrap();
        assert!(still.theory().is_some());
        let mut scripted = Scenario::classroom();
        scripted.timeline = crate::sim::presets::preset("crash-recovery")
            .unwrap()
            .timeline;
        assert_eq!(Point::new(scripted).unwrap().theory(), None);
    }

    #[test]
    fn commands_at_time_zero_are_part_of_the_system_the_model_describes() {
        let mut scenario = Scenario::classroom();
        let round_robin = Point::new(scenario.clone()).unwrap().theory().unwrap();
        scenario.timeline = vec![crate::sim::TimedCommand {
            at: SimTime::ZERO,
            command: crate::sim::Command::SetAlgorithm(crate::sim::Algorithm::LeastConnections),
        }];
        let least = Point::new(scenario).unwrap().theory().unwrap();
        assert!(round_robin.model.starts_with("M/M/c per server"));
        assert!(least.model.starts_with("one shared queue"), "{least:?}");
        assert!(least.mean_ms < round_robin.mean_ms);
    }

    #[test]
    fn a_replication_that_served_nothing_leaves_the_latency_empty() {
        let mut idle = Scenario::classroom();
        idle.traffic.rate = 0.0;
        let point = Point::new(idle).unwrap();
        let length = SimDuration::from_secs(5);
        let runs = [point.replicate(1, length), point.replicate(2, length)];
        let summary = Summary::of(&point, &runs);
        assert_eq!((summary.mean_ms, summary.p95_ms), (None, None));
        assert_eq!(summary.throughput, 0.0);
        assert_eq!(summary.replications, 2);
    }
}
