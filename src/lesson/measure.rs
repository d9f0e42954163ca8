//! What a step measures, and the reveal of a question's answer: a [`Meter`] takes the requests
//! that finish during a step and the retries in it; when the step's wait is over, the question's
//! [`Measure`] is read from it, beside the queueing model's value where one fits.

use super::format::{Answer, Measure, Question};
use crate::sim::balancer::Remap;
use crate::sim::engine::TraceRecord;
use crate::sim::histogram::Histogram;
use crate::sim::theory::{Expectation, expected_latency};
use crate::sim::{Event, Logged, SimDuration, SimTime, Simulation};

/// The requests that finished during a step and the retries made in it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meter {
    /// When the step began.
    since: SimTime,
    /// Latency of the successful requests, microseconds.
    latency: Histogram,
    /// Successful requests per server (0-based).
    served_by: Vec<u64>,
    /// Requests that finished another way.
    unsuccessful: u64,
    /// The earliest request sent during the step that has finished: its sequence number and
    /// server.
    first: Option<(u64, Option<u32>)>,
    retries: u64,
    /// The latest remap's shares of keys moved.
    remap: Option<Remap>,
    /// How long the step waited, once its wait is over.
    waited: Option<SimDuration>,
}

impl Meter {
    /// A meter for a step beginning at `since`.
    pub fn new(since: SimTime) -> Meter {
        Meter {
            since,
            ..Meter::default()
        }
    }

    /// Takes an event of the step.
    pub fn event(&mut self, logged: &Logged) {
        match &logged.event {
            Event::Retry(_) => self.retries += 1,
            Event::Remap(remap) => self.remap = Some(remap.moved),
            _ => {}
        }
    }

    /// The step's wait ended at `at`.
    pub fn stop(&mut self, at: SimTime) {
        self.waited = Some(at.saturating_since(self.since));
    }

    /// Takes a request that finished during the step.
    pub fn finished(&mut self, r: &TraceRecord) {
        if r.outcome.is_success() {
            self.latency.record(r.latency.0);
            if let Some(server) = r.server {
                let s = server as usize;
                if self.served_by.len() <= s {
                    self.served_by.resize(s + 1, 0);
                }
                self.served_by[s] += 1;
            }
        } else {
            self.unsuccessful += 1;
        }
        if r.sent >= self.since && self.first.is_none_or(|(seq, _)| r.seq < seq) {
            self.first = Some((r.seq, r.server));
        }
    }

    /// Successful requests so far.
    pub fn served(&self) -> u64 {
        self.latency.count()
    }

    /// The value of `measure` so far; `None` when there is none yet (no request served).
    pub fn value(&self, measure: Measure) -> Option<f64> {
        let ms = |us: u64| us as f64 / 1e3;
        let served = self.served();
        match measure {
            Measure::P50Ms => self.latency.quantile(0.5).map(ms),
            Measure::P95Ms => self.latency.quantile(0.95).map(ms),
            Measure::P99Ms => self.latency.quantile(0.99).map(ms),
            Measure::MeanMs => self.latency.mean().map(|us| us / 1e3),
            Measure::Share(server) => (served > 0).then(|| {
                let n = self.served_by.get(server.0).copied().unwrap_or(0);
                100.0 * n as f64 / served as f64
            }),
            Measure::BusiestServer => {
                let (index, &most) = self
                    .served_by
                    .iter()
                    .enumerate()
                    // The first of equals: max_by_key keeps the last.
                    .rev()
                    .max_by_key(|&(_, n)| n)?;
                (most > 0).then_some(index as f64 + 1.0)
            }
            Measure::FirstServer => self.first?.1.map(|s| f64::from(s) + 1.0),
            Measure::Served => Some(served as f64),
            Measure::ErrorPercent => {
                let finished = served + self.unsuccessful;
                (finished > 0).then(|| 100.0 * self.unsuccessful as f64 / finished as f64)
            }
            Measure::Retries => Some(self.retries as f64),
            Measure::Seconds => self.waited.map(SimDuration::as_secs_f64),
            Measure::KeysMoved => self.remap.map(|r| 100.0 * r.consistent),
            Measure::ModuloMoved => self.remap.map(|r| 100.0 * r.modulo),
        }
    }
}

/// A question's answer as the run revealed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reveal {
    /// The measured value.
    pub measured: f64,
    /// For a choice question, the right choice (0-based).
    pub right: Option<usize>,
    /// What queueing theory predicts for the mean latency, when asked for and a model fits.
    pub theory: Option<Expectation>,
}

/// The reveal of `question` from what `meter` saw and where `sim` is now, or why the run
/// cannot reveal it (nothing measured, no choice covers the value, no queueing model fits).
pub fn reveal(question: &Question, meter: &Meter, sim: &Simulation) -> Result<Reveal, String> {
    let measure = question.answer.measure();
    let what = measure.label().0;
    let measured = meter.value(measure).ok_or_else(|| {
        format!("the run measured no {what} (nothing it is measured from happened)")
    })?;
    match &question.answer {
        Answer::Choice(c) => {
            let right = c.choices.iter().position(|choice| choice.covers(measured));
            let right = right.ok_or_else(|| {
                format!(
                    "the measured {what}, {}, is none of the choices",
                    measure.show(measured)
                )
            })?;
            Ok(Reveal {
                measured,
                right: Some(right),
                theory: None,
            })
        }
        Answer::Number(n) => {
            let theory = if n.theory {
                Some(expected_latency(sim).ok_or("no queueing model fits the run")?)
            } else {
                None
            };
            Ok(Reveal {
                measured,
                right: None,
                theory,
            })
        }
    }
}

/// A student's answer to a question.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Guess {
    /// The choice picked (0-based).
    Choice(usize),
    /// The number set on the slider.
    Number(f64),
}

impl Guess {
    /// Whether the guess is right: the right choice, or a number within the question's tolerance
    /// of the measured value.
    pub fn is_right(self, question: &Question, reveal: &Reveal) -> bool {
        match (self, &question.answer) {
            (Guess::Choice(i), Answer::Choice(_)) => reveal.right == Some(i),
            (Guess::Number(x), Answer::Number(n)) => {
                (x - reveal.measured).abs() <= n.tolerance_percent / 100.0 * reveal.measured.abs()
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::format::ServerRef;
    use crate::sim::Outcome;

    fn record(seq: u64, sent_s: f64, server: u32, ms: u64, outcome: Outcome) -> TraceRecord {
        TraceRecord {
            seq,
            sent: SimTime::from_secs_f64(sent_s),
            client: 0,
            ip: [0u8; 4].into(),
            server: Some(server),
            tries: 1,
            outcome,
            latency: SimDuration::from_millis(ms),
            path: 0,
        }
    }

    #[test]
    fn measures_are_read_from_the_requests_of_the_step() {
        let mut m = Meter::new(SimTime::from_secs_f64(10.0));
        assert_eq!(m.value(Measure::P95Ms), None);
        assert_eq!(m.value(Measure::BusiestServer), None);
        // Sent before the step: counted in latency, not as the step's first request.
        m.finished(&record(7, 9.0, 0, 100, Outcome::Success));
        m.finished(&record(12, 10.5, 2, 300, Outcome::Success));
        m.finished(&record(11, 10.2, 2, 200, Outcome::Success));
        m.finished(&record(13, 10.6, 1, 0, Outcome::ServerError));
        assert_eq!(m.value(Measure::Served), Some(3.0));
        assert_eq!(m.value(Measure::FirstServer), Some(3.0));
        assert_eq!(m.value(Measure::BusiestServer), Some(3.0));
        assert_eq!(m.value(Measure::ErrorPercent), Some(25.0));
        let share = m.value(Measure::Share(ServerRef(2))).unwrap();
        assert!((share - 200.0 / 3.0).abs() < 1e-9);
        let mean = m.value(Measure::MeanMs).unwrap();
        assert!((mean - 200.0).abs() < 2.0, "{mean}");
    }

    #[test]
    fn the_first_of_equally_busy_servers_is_the_busiest() {
        let mut m = Meter::new(SimTime::ZERO);
        m.finished(&record(1, 0.1, 1, 10, Outcome::Success));
        m.finished(&record(2, 0.2, 0, 10, Outcome::Success));
        assert_eq!(m.value(Measure::BusiestServer), Some(1.0));
    }
}
