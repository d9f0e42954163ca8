//! Time travel's cost: a run is played for `plan.memory_secs` simulated seconds (ten minutes in
//! the full plan) with its tape kept as the page keeps it, then taken back to evenly spaced
//! moments of it, the first a jump back over the whole run. Each jump copies the last checkpoint
//! before its time and replays to it; the figure is the wall time of a jump, median and worst.

use lb_playground::sim::tape::Tape;
use lb_playground::sim::{Scenario, SimDuration, SimTime, Simulation};
use serde_json::json;

use super::{Env, Job, Plan, Record, live_bytes, max, median, memory_scenario, reset_peak};

/// Jumps measured per run.
const JUMPS: u64 = 20;

/// The scenarios measured: the page's default, and the memory run's heavy one.
fn scenarios() -> [(&'static str, Scenario); 2] {
    [
        ("classroom", Scenario::classroom()),
        ("memory-run", memory_scenario()),
    ]
}

/// The run in progress: played first, then jumped in.
struct Travel {
    id: &'static str,
    head: Simulation,
    tape: Tape,
    heap: u64,
    played_s: f64,
    jumps_ms: Vec<f64>,
}

impl Travel {
    fn start(id: &'static str, scenario: Scenario, plan: &Plan, env: &Env) -> Travel {
        let baseline = reset_peak();
        let started = (env.clock)();
        let mut head = Simulation::new(scenario).expect("a valid scenario");
        let mut tape = Tape::new(&head);
        let end = SimTime::from_secs_f64(plan.memory_secs as f64);
        // As the page plays: a second of simulated time at a time, the tape kept after each.
        while head.now() < end {
            head.advance_by(SimDuration::from_secs(1));
            head.drain_events().for_each(drop);
            tape.keep(&head);
        }
        Travel {
            id,
            heap: live_bytes().saturating_sub(baseline),
            played_s: (env.clock)() - started,
            head,
            tape,
            jumps_ms: Vec::new(),
        }
    }

    /// One jump; the record after the last.
    fn step(&mut self, env: &Env) -> Option<Record> {
        let i = self.jumps_ms.len() as u64;
        let reach = self.tape.reach().0;
        let to = SimTime(reach * i / JUMPS);
        let started = (env.clock)();
        let back = self.tape.seek(&self.head, to);
        self.jumps_ms.push(((env.clock)() - started) * 1e3);
        assert_eq!(back.now(), to);
        drop(back);
        (self.jumps_ms.len() as u64 == JUMPS).then(|| self.record())
    }

    fn record(&self) -> Record {
        let (median_ms, worst_ms) = (median(&self.jumps_ms), max(&self.jumps_ms));
        let checkpoints = self.tape.checkpoints();
        let events = self.head.events_processed();
        let json = json!({
            "kind": "time_travel",
            "id": self.id,
            "sim_seconds": self.tape.reach().as_secs_f64(),
            "events": events,
            "checkpoints": checkpoints,
            "jumps": self.jumps_ms.len(),
            "jump_ms_median": median_ms,
            "jump_ms_max": worst_ms,
            "played_s": self.played_s,
            "heap_bytes": self.heap,
            "heap_measure": "bytes live in the counting allocator after playing: the run and its checkpoints",
        });
        let line = format!(
            "time travel {:<10}: a jump back takes {median_ms:>6.1} ms (median of {}, worst {worst_ms:.1} ms) over {:.0} simulated s, {events} events, {checkpoints} checkpoints, {:.1} MB live",
            self.id,
            self.jumps_ms.len(),
            self.tape.reach().as_secs_f64(),
            self.heap as f64 / 1e6,
        );
        Record { json, line }
    }
}

/// The time-travel jobs of `plan`.
pub fn jobs(plan: Plan) -> Vec<Job> {
    scenarios()
        .into_iter()
        .map(|(id, scenario)| {
            let mut travel: Option<Travel> = None;
            let mut scenario = Some(scenario);
            Job {
                name: format!("time travel {id}"),
                step: Box::new(move |env| match travel.as_mut() {
                    None => {
                        let scenario = scenario.take().expect("started once");
                        travel = Some(Travel::start(id, scenario, &plan, env));
                        None
                    }
                    Some(t) => t.step(env),
                }),
            }
        })
        .collect()
}
