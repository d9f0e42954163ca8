//! How much a run asks of the machine, estimated from its scenario before it starts.
//!
//! Memory is bounded by the engine itself (a run holds at most `MAX_HELD` requests); time is not:
//! a valid file may ask for a million requests a second for a week. So a runner estimates the
//! work first and refuses a run over its limit with the numbers, and the page warns when a
//! scenario asks for more per simulated second than it can show in real time. The estimate is an
//! upper bound on the three things the run's time grows with: requests sent (at the highest
//! rate the scenario reaches, timeline changes included), health checks (at the shortest
//! interval), and metric windows (each records every server's queue). Retries and network hops
//! multiply a request's events by a small factor, which the limit leaves room for.

use super::command::Command;
use super::scenario::Scenario;
use super::time::SimDuration;
use super::traffic::Pattern;

/// The work a run of a scenario is estimated to take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Work {
    /// Requests sent, at most.
    pub requests: f64,
    /// Health checks, at most.
    pub checks: f64,
    /// Metric windows closed.
    pub windows: f64,
    /// The most servers the run has (each window records every server).
    pub servers: f64,
}

/// A runner's default limit on [`Work::units`]: a minute or two of a laptop's time.
pub const DEFAULT_LIMIT: f64 = 2e8;

/// A window costs about as much as a request per this many servers it records.
const SERVERS_PER_UNIT: f64 = 100.0;

impl Work {
    /// The work of running `scenario` for `length` of simulated time.
    pub fn of(scenario: &Scenario, length: SimDuration) -> Work {
        let secs = length.as_secs_f64();
        Work {
            requests: peak_rate(scenario) * secs,
            checks: servers(scenario) * checks_per_server_second(scenario) * secs,
            windows: secs / scenario.sample_every.as_secs_f64(),
            servers: servers(scenario),
        }
    }

    /// The work per simulated second of `scenario`, for a page that runs on without an end.
    pub fn per_second(scenario: &Scenario) -> Work {
        Work::of(scenario, SimDuration::from_secs(1))
    }

    /// All of it in one number, in requests' worth.
    pub fn units(&self) -> f64 {
        self.requests + self.checks + self.windows * (self.servers / SERVERS_PER_UNIT).max(1.0)
    }
}

/// A large count as a message gives it: rounded to three significant digits and grouped by
/// thousands (`604,800,000,000`).
pub fn about(n: f64) -> String {
    let digits = if n >= 1.0 {
        n.log10().floor() as i32
    } else {
        0
    };
    let step = 10f64.powi((digits - 2).max(0));
    let text = (((n / step).round() * step) as u128).to_string();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The highest rate of requests the scenario reaches: the open arrivals' (below) plus the most
/// its closed-loop users can send (users / think time, at the most of them any point of the
/// timeline has), times the most attempts a client makes at each (its retries).
fn peak_rate(scenario: &Scenario) -> f64 {
    let timeline = scenario.timeline.iter().map(|t| t.command);
    let users = timeline
        .clone()
        .filter_map(|c| match c {
            Command::SetClosedLoop(c) => c,
            _ => None,
        })
        .chain(scenario.traffic.closed_loop)
        .map(|c| c.peak_rate())
        .fold(0.0, f64::max);
    let attempts = timeline
        .filter_map(|c| match c {
            Command::SetClientRetry(r) => r,
            _ => None,
        })
        .chain(scenario.traffic.client_retry)
        .map(|r| f64::from(r.max_attempts))
        .fold(1.0, f64::max);
    if users == 0.0 && attempts == 1.0 {
        return open_peak_rate(scenario);
    }
    (open_peak_rate(scenario) + users) * attempts
}

/// The highest open arrival rate the scenario reaches: its base rate or any rate its timeline
/// sets, times the highest peak of its pattern or any pattern its timeline sets.
fn open_peak_rate(scenario: &Scenario) -> f64 {
    let timeline = scenario.timeline.iter().map(|t| t.command);
    let rate = timeline
        .clone()
        .filter_map(|c| match c {
            Command::SetRate(rate) => Some(rate),
            _ => None,
        })
        .fold(scenario.traffic.rate, f64::max);
    let peak = timeline
        .filter_map(|c| match c {
            Command::SetPattern(p) => Some(p),
            _ => None,
        })
        .map(|p| Pattern::peak(&p))
        .fold(scenario.traffic.pattern.peak(), f64::max);
    rate * peak
}

/// The most servers the run has: the scenario's, or the most an autoscaler of the run may
/// run, and every one its timeline adds.
fn servers(scenario: &Scenario) -> f64 {
    let added = scenario
        .timeline
        .iter()
        .filter(|t| matches!(t.command, Command::AddServer { .. }))
        .count();
    let scaled = scenario
        .timeline
        .iter()
        .filter_map(|t| match t.command {
            Command::SetAutoscale(a) => a,
            _ => None,
        })
        .chain(scenario.autoscale)
        .map(|a| a.max as usize)
        .max()
        .unwrap_or(0);
    (scenario.servers.len().max(scaled) + added) as f64
}

/// Health checks per server per second at the shortest interval any check of the run has.
fn checks_per_server_second(scenario: &Scenario) -> f64 {
    let timeline = scenario.timeline.iter().filter_map(|t| match t.command {
        Command::SetHealthCheck(h) => h,
        _ => None,
    });
    scenario
        .resilience
        .health
        .into_iter()
        .chain(timeline)
        .map(|h| {
            let shortest = [Some(h.inter), h.fastinter, h.downinter]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(h.inter);
            1.0 / shortest.as_secs_f64()
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::command::TimedCommand;
    use crate::sim::time::SimTime;

    #[test]
    fn closed_loop_users_and_client_attempts_count_in_the_estimate() {
        use crate::sim::clients::{ClientRetry, ClosedLoop};
        let mut s = Scenario::classroom();
        let plain = Work::per_second(&s).requests;
        assert_eq!(plain, 10.0);
        s.traffic.closed_loop = Some(ClosedLoop {
            users: 50,
            think_time: SimDuration::from_secs(5),
        });
        assert_eq!(Work::per_second(&s).requests, 20.0, "10 open + 50 / 5 s");
        s.timeline.push(TimedCommand {
            at: SimTime(1),
            command: Command::SetClientRetry(Some(ClientRetry {
                max_attempts: 4,
                ..ClientRetry::NAIVE
            })),
        });
        assert_eq!(Work::per_second(&s).requests, 80.0, "times 4 attempts");
    }

    #[test]
    fn the_estimate_counts_requests_checks_and_windows() {
        let scenario = Scenario::classroom(); // 10 req/s, 4 servers checked every 2 s
        let work = Work::of(&scenario, SimDuration::from_secs(100));
        assert_eq!(work.requests, 1_000.0);
        assert_eq!(work.checks, 4.0 * 0.5 * 100.0);
        assert_eq!(work.windows, 100.0);
        assert_eq!(work.units(), 1_300.0);
    }

    #[test]
    fn the_timeline_can_raise_the_estimate() {
        let mut scenario = Scenario::classroom();
        scenario.timeline = vec![
            TimedCommand {
                at: SimTime::from_secs_f64(5.0),
                command: Command::SetRate(1_000.0),
            },
            TimedCommand {
                at: SimTime::from_secs_f64(6.0),
                command: Command::SetPattern(Pattern::Wave {
                    period: SimDuration::from_secs(60),
                    amplitude: 0.5,
                }),
            },
            TimedCommand {
                at: SimTime::from_secs_f64(7.0),
                command: Command::AddServer {
                    weight: 1,
                    workers: 1,
                },
            },
        ];
        let work = Work::per_second(&scenario);
        assert_eq!(work.requests, 1_500.0);
        assert_eq!(work.servers, 5.0);
    }

    #[test]
    fn counts_are_rounded_and_grouped() {
        assert_eq!(about(604_800_000_000.0), "605,000,000,000");
        assert_eq!(about(1_000_000.0), "1,000,000");
        assert_eq!(about(999.4), "999");
        assert_eq!(about(0.4), "0");
    }

    #[test]
    fn a_week_at_a_million_a_second_is_far_over_the_default_limit() {
        let mut scenario = Scenario::classroom();
        scenario.traffic.rate = 1e6;
        let week = SimDuration::from_secs(7 * 24 * 3_600);
        assert!(Work::of(&scenario, week).units() > 1_000.0 * DEFAULT_LIMIT);
    }
}
