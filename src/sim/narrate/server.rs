//! One server's state in a line, for where its box does not fit (a cell of the flow canvas's grid
//! of many servers): its name, what the server itself is doing, and what the balancer makes of
//! it, kept apart so "down" always says which is meant (`server-17 · 3/4 busy · 2 queued ·
//! healthy`, `server-4 · crashed · health checks still say UP`).

use crate::sim::Simulation;
use crate::sim::breaker::{BreakerConfig, BreakerState};

/// What separates the parts of the line.
const SEPARATOR: &str = " · ";

/// What the server process is doing, in the word every view uses: "running" or "crashed". "DOWN"
/// is kept for what the balancer's health checks decide, so the two are never confused.
pub fn process_word(alive: bool) -> &'static str {
    if alive { "running" } else { "crashed" }
}

/// Server `index` of `sim` at its current instant, in one line (`None` past the last server).
pub fn server_line(sim: &Simulation, index: usize) -> Option<String> {
    let server = sim.servers().get(index)?;
    let backend = &sim.backends()[index];
    let (spec, now) = (server.spec(), sim.now());
    let mut words = vec![spec.name.clone()];
    if spec.backup {
        words.push("backup".into());
    }
    // The server itself.
    if backend.removed() {
        words.push("removed".into());
        return Some(words.join(SEPARATOR));
    }
    if backend.booting() {
        words.push("booting".into());
        return Some(words.join(SEPARATOR));
    }
    if !server.is_alive() {
        words.push(process_word(false).into());
    } else if !server.accepts(now) {
        words.push("starting".into());
    } else {
        words.push(format!("{}/{} busy", server.busy(), spec.workers));
        if server.queued() > 0 {
            words.push(format!("{} queued", server.queued()));
        }
    }
    // What the balancer makes of it.
    match backend.health() {
        Some(h) if !h.is_up() => words.push("marked DOWN by health checks".into()),
        Some(_) if server.is_alive() => words.push("healthy".into()),
        Some(_) => words.push("health checks still say UP".into()),
        None => {}
    }
    if backend.passive().is_out(&sim.resilience().passive, now) {
        words.push("ejected by passive checks".into());
    }
    let breaker = backend.breaker().state();
    if sim.resilience().breaker != BreakerConfig::Off && breaker != BreakerState::Closed {
        words.push(format!("breaker {}", breaker.label()));
    }
    if backend.draining() {
        words.push("draining".into());
    }
    Some(words.join(SEPARATOR))
}

#[cfg(test)]
mod tests {
    use super::server_line;
    use crate::sim::scenario::Scenario;
    use crate::sim::{Command, SimDuration, Simulation};

    fn classroom() -> Simulation {
        Simulation::new(Scenario::classroom()).expect("the default scenario")
    }

    #[test]
    fn a_live_server_says_its_work_and_its_health() {
        let sim = classroom();
        assert_eq!(
            server_line(&sim, 2).as_deref(),
            Some("server-3 · 0/2 busy · healthy")
        );
        assert_eq!(server_line(&sim, 4), None);
    }

    #[test]
    fn a_crash_is_told_apart_from_the_checks_noticing() {
        let mut sim = classroom();
        sim.apply(Command::Kill { server: 0 }).unwrap();
        assert_eq!(
            server_line(&sim, 0).as_deref(),
            Some("server-1 · crashed · health checks still say UP")
        );
        sim.advance_by(SimDuration::from_secs(30));
        assert_eq!(
            server_line(&sim, 0).as_deref(),
            Some("server-1 · crashed · marked DOWN by health checks")
        );
    }

    #[test]
    fn a_removed_server_says_only_that() {
        let mut sim = classroom();
        sim.apply(Command::RemoveServer { server: 1 }).unwrap();
        assert_eq!(server_line(&sim, 1).as_deref(), Some("server-2 · removed"));
    }

    #[test]
    fn a_busy_server_counts_its_workers_and_queue() {
        let mut sim = classroom();
        sim.apply(Command::SetRate(200.0)).unwrap();
        sim.advance_by(SimDuration::from_secs(5));
        let line = server_line(&sim, 0).unwrap();
        assert!(line.starts_with("server-1 · 2/2 busy · "), "{line}");
        assert!(line.contains(" queued · "), "{line}");
    }
}
