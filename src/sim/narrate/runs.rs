//! What a run balances with, in words that stay true after a switch: its starting algorithm and
//! every switch it has made so far, scripted or by hand, with the time of each
//! (`Round robin, then Least connections at 60 s`). Compare mode names its runs with this, so a
//! preset's scripted switch in run A never makes A read like run B.

use std::fmt::Write;

use crate::sim::{Command, Simulation};

/// The algorithms `sim` has used so far, in order, each switch with its simulated time.
pub fn algorithms(sim: &Simulation) -> String {
    let mut words = sim.scenario().algorithm.about().name.to_string();
    for timed in sim.recording() {
        if let Command::SetAlgorithm(algorithm) = timed.command {
            let _ = write!(
                words,
                ", then {} at {} s",
                algorithm.about().name,
                seconds(timed.at.as_secs_f64())
            );
        }
    }
    words
}

/// Seconds as a person writes them: whole when whole, else to a tenth.
fn seconds(s: f64) -> String {
    if (s - s.round()).abs() < 0.05 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}
