//! A whole sweep, planned: the grid, each point's checked scenario, and the runs to make. Runs
//! are numbered `point × replications + replication`; any runner may make them in any order, on
//! any number of threads, and hand the results back in run order to [`Plan::summarise`].

use std::fmt;

use serde_json::Value;

use crate::sim::{Scenario, SimDuration, ValidationError};

use super::grid::{Grid, Vary};
use super::point::{Point, Replication, Summary, replication_seed};

/// The most replications a point may have.
pub const MAX_REPLICATIONS: usize = 10_000;

/// Why a sweep cannot be planned.
#[derive(Clone, Debug, PartialEq)]
pub enum SweepError {
    /// A vary that cannot be used; the words start with its field, or with the vary as given.
    Vary(String),
    /// The scenario at a point of the grid is not valid.
    Point {
        /// The point's values, `traffic.rate=2000000`.
        at: String,
        /// What the scenario's checks say.
        problem: ValidationError,
    },
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Vary(problem) => f.write_str(problem),
            SweepError::Point { at, problem } => write!(f, "at {at}: {problem}"),
        }
    }
}

impl std::error::Error for SweepError {}

/// A sweep ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    title: String,
    seed: u64,
    length: SimDuration,
    replications: usize,
    grid: Grid,
    points: Vec<Point>,
}

impl Plan {
    /// Plans `replications` runs of `length` at every point of the grid that `varies`
    /// (`FIELD=FROM..TO:STEPS` each) make of `scenario`, with seeds drawn from the scenario's.
    /// Every point's scenario is read back and checked here, so a bad value is found before
    /// anything runs; the seed and the duration are the sweep's own and cannot be varied.
    pub fn new(
        scenario: &Scenario,
        varies: &[&str],
        replications: usize,
        length: SimDuration,
    ) -> Result<Plan, SweepError> {
        let base = serde_json::to_value(scenario).expect("a scenario always serialises");
        let varies = varies
            .iter()
            .map(|text| Vary::parse(text, &base))
            .collect::<Result<Vec<_>, _>>()
            .map_err(SweepError::Vary)?;
        for vary in &varies {
            for (own, why) in [
                ("seed", "the runs' seeds are drawn from it"),
                ("duration", "every run lasts the sweep's length"),
            ] {
                if vary.field.is(own) {
                    return Err(SweepError::Vary(format!(
                        "{own} is the sweep's own ({why}) and cannot be varied"
                    )));
                }
            }
        }
        let grid = Grid::new(varies).map_err(SweepError::Vary)?;
        let points = (0..grid.len())
            .map(|index| {
                let invalid = |problem| SweepError::Point {
                    at: grid.describe(index),
                    problem,
                };
                let mut value = base.clone();
                grid.set(&mut value, index).map_err(SweepError::Vary)?;
                let scenario = from_value(value).map_err(invalid)?;
                Point::new(scenario).map_err(invalid)
            })
            .collect::<Result<_, _>>()?;
        Ok(Plan {
            title: scenario.title.clone(),
            seed: scenario.seed,
            length,
            replications,
            grid,
            points,
        })
    }

    /// The grid.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The points, in grid order.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The title of the scenario swept.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// How long each run lasts.
    pub fn length(&self) -> SimDuration {
        self.length
    }

    /// The seed the replications' seeds come from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Replications per point.
    pub fn replications(&self) -> usize {
        self.replications
    }

    /// How many runs the sweep makes: points × replications.
    pub fn runs(&self) -> usize {
        self.points.len() * self.replications
    }

    /// The point that run `run` belongs to.
    pub fn point_of(&self, run: usize) -> usize {
        run / self.replications
    }

    /// Makes run `run` (from 0 to [`Plan::runs`]): the same numbers whenever and wherever it runs.
    pub fn run(&self, run: usize) -> Replication {
        let (point, replication) = (run / self.replications, run % self.replications);
        let seed = replication_seed(self.seed, point, replication);
        self.points[point].replicate(seed, self.length)
    }

    /// Each point's summary, from every run's result in run order.
    pub fn summarise(&self, runs: &[Replication]) -> Vec<Summary> {
        self.points
            .iter()
            .zip(runs.chunks(self.replications.max(1)))
            .map(|(point, runs)| Summary::of(point, runs))
            .collect()
    }
}

/// Reads a scenario from its JSON form and checks it: a value of the wrong type (a count too big
/// for its field) is named by its field path, like any value out of bounds.
fn from_value(value: Value) -> Result<Scenario, ValidationError> {
    let scenario: Scenario = serde_path_to_error::deserialize(value)
        .map_err(|e| ValidationError::new(e.path().to_string(), e.inner().to_string()))?;
    scenario.validate()?;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(varies: &[&str]) -> Result<Plan, SweepError> {
        Plan::new(&Scenario::classroom(), varies, 2, SimDuration::from_secs(5))
    }

    #[test]
    fn runs_in_any_order_give_the_same_summaries() {
        let plan = plan(&["traffic.rate=2..8:3"]).unwrap();
        assert_eq!(plan.runs(), 6);
        let forwards: Vec<Replication> = (0..plan.runs()).map(|r| plan.run(r)).collect();
        let mut backwards: Vec<(usize, Replication)> =
            (0..plan.runs()).rev().map(|r| (r, plan.run(r))).collect();
        backwards.sort_by_key(|&(r, _)| r);
        let backwards: Vec<Replication> = backwards.into_iter().map(|(_, r)| r).collect();
        assert_eq!(plan.summarise(&forwards), plan.summarise(&backwards));
        let summaries = plan.summarise(&forwards);
        assert_eq!(summaries.len(), 3);
        assert!(summaries[0].throughput < summaries[2].throughput);
    }

    #[test]
    fn a_value_the_scenario_refuses_names_the_point_and_the_field() {
        let error = plan(&["traffic.rate=0..2000000:2"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "at traffic.rate=2000000: traffic.rate: 2000000 is above the maximum 1000000"
        );
        assert_eq!(
            plan(&["servers[0].workers=1..10000000000:2"])
                .unwrap_err()
                .to_string(),
            "at servers[0].workers=10000000000: servers[0].workers: invalid value: integer `10000000000`, expected u32"
        );
        assert_eq!(
            plan(&["seed=1..2:2"]).unwrap_err().to_string(),
            "seed is the sweep's own (the runs' seeds are drawn from it) and cannot be varied"
        );
    }
}
