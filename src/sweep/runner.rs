//! Runs a [`Plan`] on a pool of threads (rayon's work-stealing pool), native only: the page runs
//! its What-if sweep's runs in a Web Worker instead ([`super::whatif`]).
//!
//! Every run of every point is one task, so a slow point (high load, long queues) is spread over
//! the threads like the rest. Each run's numbers depend only on its scenario and seed, and the
//! results are put back in run order before they are summed, so the output is the same, bit for
//! bit, whatever the number of threads and whichever thread finishes first.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::plan::Plan;
use super::point::Summary;

/// Runs every run of `plan` on `jobs` threads (at least 1) and summarises each point. When a
/// point's last run finishes, `finished(done, point)` is called with how many points are done so
/// far and which one it was (from any thread, in the order they finish).
pub fn run(
    plan: &Plan,
    jobs: usize,
    finished: impl Fn(usize, usize) + Sync,
) -> Result<Vec<Summary>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()?;
    let left: Vec<AtomicUsize> = plan
        .points()
        .iter()
        .map(|_| AtomicUsize::new(plan.replications()))
        .collect();
    let done = AtomicUsize::new(0);
    let runs: Vec<_> = pool.install(|| {
        (0..plan.runs())
            .into_par_iter()
            .map(|run| {
                let result = plan.run(run);
                let point = plan.point_of(run);
                if left[point].fetch_sub(1, Ordering::AcqRel) == 1 {
                    finished(done.fetch_add(1, Ordering::AcqRel) + 1, point);
                }
                result
            })
            .collect()
    });
    Ok(plan.summarise(&runs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Scenario, SimDuration};
    use std::sync::Mutex;

    #[test]
    fn threads_change_nothing_but_the_time() {
        let plan = Plan::new(
            &Scenario::classroom(),
            &["traffic.rate=4..12:3"],
            3,
            SimDuration::from_secs(5),
        )
        .unwrap();
        let order = Mutex::new(Vec::new());
        let one = run(&plan, 1, |_, _| ()).unwrap();
        let three = run(&plan, 3, |done, point| {
            order.lock().unwrap().push((done, point))
        })
        .unwrap();
        assert_eq!(one, three);
        let mut order = order.into_inner().unwrap();
        assert_eq!(
            order.iter().map(|&(done, _)| done).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        order.sort_by_key(|&(_, point)| point);
        assert_eq!(
            order.iter().map(|&(_, point)| point).collect::<Vec<_>>(),
            [0, 1, 2]
        );
    }
}
