//! The flow canvas in words: what the picture shows at an instant, for whoever cannot see it (the
//! canvas's accessible label, read by a screen reader when it reaches the picture). The live
//! region tells the changes as they happen; this line tells the state they left.

use std::fmt::Write;

use crate::sim::Simulation;

/// How many servers a group of the line names before it only counts the rest.
const NAMED: usize = 3;

/// What the flow canvas shows of `sim` now, in a few sentences: the way requests take, how many
/// servers run and which have crashed, which the health checks took out, the balancers that are
/// down, and how many requests are on their way.
pub fn flow_summary(sim: &Simulation) -> String {
    let servers = sim.servers();
    let backends = sim.backends();
    let in_config: Vec<usize> = (0..servers.len())
        .filter(|&i| !backends[i].removed())
        .collect();
    let crashed = names(
        sim,
        in_config
            .iter()
            .copied()
            .filter(|&i| !servers[i].is_alive()),
    );
    let marked_down = names(
        sim,
        in_config
            .iter()
            .copied()
            .filter(|&i| !backends[i].health_up()),
    );
    let algorithm = sim.algorithm().about().name;
    let mut words = match sim.front() {
        Some(front) => {
            let down: Vec<String> = front
                .balancers()
                .enumerate()
                .filter(|(_, b)| !b.up)
                .map(|(b, _)| crate::sim::front::Front::name(b as u8))
                .collect();
            let mut line = format!(
                "Requests travel from the clients through {} load balancers ({algorithm})",
                front.len()
            );
            if !down.is_empty() {
                let _ = write!(line, ", {} down", list(&down));
            }
            line
        }
        None => format!("Requests travel from the clients through the load balancer ({algorithm})"),
    };
    let _ = write!(
        words,
        " to {} server{}",
        in_config.len(),
        super::plural(in_config.len() as u32)
    );
    if crashed.is_empty() {
        words += ", all running.";
    } else {
        let _ = write!(words, ": {} crashed.", list(&crashed));
    }
    if !marked_down.is_empty() {
        let _ = write!(words, " Health checks mark {} DOWN.", list(&marked_down));
    }
    let in_flight = sim.requests().count();
    let _ = write!(
        words,
        " {in_flight} request{} on {}.",
        super::plural(in_flight as u32),
        if in_flight == 1 {
            "its way"
        } else {
            "their way"
        }
    );
    words
}

/// The names of `servers`, up to [`NAMED`] of them and then how many more.
fn names(sim: &Simulation, servers: impl Iterator<Item = usize>) -> Vec<String> {
    let mut names = Vec::new();
    let mut more = 0;
    for i in servers {
        if names.len() < NAMED {
            names.push(sim.servers()[i].spec().name.clone());
        } else {
            more += 1;
        }
    }
    if more > 0 {
        names.push(format!("{more} more"));
    }
    names
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::flow_summary;
    use crate::sim::scenario::Scenario;
    use crate::sim::{Command, SimDuration, Simulation};

    #[test]
    fn the_picture_says_who_crashed_and_whom_the_checks_took_out() {
        let mut sim = Simulation::new(Scenario::classroom()).expect("the default scenario");
        let start = flow_summary(&sim);
        assert!(
            start.starts_with("Requests travel from the clients through the load balancer (")
                && start.contains(" to 4 servers, all running. "),
            "{start}"
        );
        sim.apply(Command::Kill { server: 1 }).unwrap();
        let now = flow_summary(&sim);
        assert!(now.contains("4 servers: server-2 crashed."), "{now}");
        assert!(!now.contains("Health checks"), "not noticed yet: {now}");
        sim.advance_by(SimDuration::from_secs(30));
        let later = flow_summary(&sim);
        assert!(
            later.contains("Health checks mark server-2 DOWN."),
            "{later}"
        );
        assert!(later.ends_with(" on their way."), "{later}");
    }

    #[test]
    fn a_long_group_names_three_and_counts_the_rest() {
        let mut sim = Simulation::new(Scenario::classroom()).expect("the default scenario");
        for server in 0..4 {
            sim.apply(Command::Kill { server }).unwrap();
        }
        let line = flow_summary(&sim);
        assert!(
            line.contains(": server-1, server-2, server-3 and 1 more crashed."),
            "{line}"
        );
    }
}
