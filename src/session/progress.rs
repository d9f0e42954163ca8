//! How far a run is through its scenario: the simulated time against the scenario's length, the
//! scripted changes already made and the next ones, and that it has played out; and the word a
//! share link opens with, that the page replays a shared session. Read from the scenario's
//! timeline and the simulated time, so a scrub back in time shows the script as it stood then.

use super::errors;
use crate::sim::{Scenario, SimDuration, SimTime, Simulation};

/// How many of the next scripted changes are listed.
pub const UPCOMING: usize = 3;

/// A run's progress through its scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The simulated time.
    pub now: SimTime,
    /// How long the scenario is meant to run, if it says.
    pub duration: Option<SimDuration>,
    /// Scripted changes whose time has come.
    pub done: usize,
    /// Scripted changes in all.
    pub total: usize,
    /// The next scripted changes (at most [`UPCOMING`]), in words.
    pub upcoming: Vec<Upcoming>,
}

/// A scripted change still to come.
#[derive(Clone, Debug, PartialEq)]
pub struct Upcoming {
    /// When it is due.
    pub at: SimTime,
    /// What it will do, e.g. `switch to Least connections (nginx least_conn)`.
    pub what: String,
}

impl Upcoming {
    /// The change in a line: `at 60 s (in 15 s): switch to Least connections`.
    pub fn line(&self, now: SimTime) -> String {
        let at = self.at.as_secs_f64();
        let left = (at - now.as_secs_f64()).max(0.0);
        format!(
            "at {} s (in {} s): {}",
            seconds(at),
            seconds(left),
            self.what
        )
    }
}

impl Progress {
    /// The progress of `sim`; none for a scenario with neither a length nor a script (the
    /// classroom default, which simply runs).
    pub fn of(sim: &Simulation) -> Option<Progress> {
        let scenario = sim.scenario();
        if scenario.timeline.is_empty() && scenario.duration.is_none() {
            return None;
        }
        let now = sim.now();
        let done = scenario.timeline.iter().filter(|t| t.at <= now).count();
        Some(Progress {
            now,
            duration: scenario.duration,
            done,
            total: scenario.timeline.len(),
            upcoming: scenario.timeline[done..]
                .iter()
                .take(UPCOMING)
                .map(|t| Upcoming {
                    at: t.at,
                    what: errors::attempt(&t.command, sim),
                })
                .collect(),
        })
    }

    /// Every scripted change made and the scenario's length (if it has one) reached.
    pub fn ended(&self) -> bool {
        self.done == self.total && self.duration.is_none_or(|d| self.now.0 >= d.0)
    }

    /// The share of the scenario's length gone by (0 to 1), if it has a length.
    pub fn fraction(&self) -> Option<f64> {
        self.duration
            .map(|d| (self.now.0 as f64 / d.0.max(1) as f64).min(1.0))
    }

    /// Where the run stands, in a sentence: the time against the length and the scripted changes
    /// made, or that it has played out.
    pub fn words(&self) -> String {
        let changes = match self.total {
            0 => String::new(),
            1 => "its one scripted change".to_string(),
            n => format!("all {n} scripted changes"),
        };
        if self.ended() {
            let length = self
                .duration
                .map(|d| format!("its {} s are over", seconds(d.as_secs_f64())));
            let parts: Vec<String> = length
                .into_iter()
                .chain((!changes.is_empty()).then(|| format!("{changes} made")))
                .collect();
            return format!(
                "Played out: {}. The run goes on; Restart shows it again.",
                parts.join(" and ")
            );
        }
        let time = match self.duration {
            Some(d) => format!(
                "{} of {} s",
                seconds(self.now.as_secs_f64()),
                seconds(d.as_secs_f64())
            ),
            None => format!("{} s", seconds(self.now.as_secs_f64())),
        };
        match self.total {
            0 => format!("{time}."),
            total => format!("{time}; scripted changes made: {} of {total}.", self.done),
        }
    }
}

/// The word a session opened from a share link starts with: what it replays.
pub fn replaying(scenario: &Scenario) -> String {
    let changes = match scenario.timeline.len() {
        0 => "no changes".to_string(),
        1 => "its one change".to_string(),
        n => format!("its {n} changes"),
    };
    let last = scenario.timeline.last().map_or(String::new(), |t| {
        format!(" (the last at {} s)", seconds(t.at.as_secs_f64()))
    });
    format!(
        "This link replays a shared session: the same scenario and seed, and {changes} at the simulated times they were made{last}. What you do now is added to it."
    )
}

/// Seconds as a person reads them: whole, or with one decimal under ten.
fn seconds(s: f64) -> String {
    if s < 10.0 && s.fract() > 0.05 {
        format!("{s:.1}")
    } else {
        format!("{s:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::presets::PRESETS;
    use crate::sim::{Command, TimedCommand};

    fn scripted() -> Simulation {
        let mut scenario = Scenario::classroom();
        scenario.duration = Some(SimDuration::from_secs(20));
        scenario.timeline = vec![
            TimedCommand {
                at: SimTime(5_000_000),
                command: Command::Kill { server: 1 },
            },
            TimedCommand {
                at: SimTime(10_000_000),
                command: Command::Revive { server: 1 },
            },
        ];
        Simulation::new(scenario).unwrap()
    }

    #[test]
    fn the_script_counts_down_names_what_comes_and_says_when_it_has_played_out() {
        let mut sim = scripted();
        let p = Progress::of(&sim).unwrap();
        assert_eq!((p.done, p.total, p.fraction()), (0, 2, Some(0.0)));
        assert_eq!(
            p.upcoming[0].line(p.now),
            "at 5 s (in 5 s): kill server-2 (server 2)"
        );
        assert_eq!(p.words(), "0 of 20 s; scripted changes made: 0 of 2.");

        sim.advance_to(SimTime(7_000_000));
        let p = Progress::of(&sim).unwrap();
        assert_eq!(p.done, 1);
        assert_eq!(
            p.upcoming.iter().map(|u| u.line(p.now)).collect::<Vec<_>>(),
            ["at 10 s (in 3 s): revive server-2 (server 2)"]
        );
        assert!(!p.ended());

        sim.advance_to(SimTime(12_000_000));
        let p = Progress::of(&sim).unwrap();
        assert!(p.upcoming.is_empty() && !p.ended(), "20 s are not over");

        sim.advance_to(SimTime(20_000_000));
        let p = Progress::of(&sim).unwrap();
        assert!(p.ended());
        assert_eq!(p.fraction(), Some(1.0));
        assert_eq!(
            p.words(),
            "Played out: its 20 s are over and all 2 scripted changes made. The run goes on; Restart shows it again."
        );
    }

    #[test]
    fn a_run_without_a_script_or_a_length_has_no_progress_and_every_preset_has_one() {
        let sim = Simulation::new(Scenario::classroom()).unwrap();
        assert_eq!(Progress::of(&sim), None);
        for p in PRESETS {
            let sim = Simulation::new((p.build)()).unwrap();
            let progress = Progress::of(&sim).expect("presets say how long they run");
            assert!(progress.upcoming.len() <= UPCOMING, "{}", p.id);
            assert!(!progress.words().contains("Some("), "{}", p.id);
        }
    }

    #[test]
    fn a_shared_session_says_what_it_replays() {
        let scenario = scripted().scenario().clone();
        assert_eq!(
            replaying(&scenario),
            "This link replays a shared session: the same scenario and seed, and its 2 changes at the simulated times they were made (the last at 10 s). What you do now is added to it."
        );
    }
}
