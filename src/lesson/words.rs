//! Lessons in words, for the page and `lbsim`: what a step waits for, and a guess beside the
//! measured value. Words live here, at the edge; the matcher and the meter work on data.

use super::format::{Answer, Condition, EventKind, Question, Wait};
use super::measure::{Guess, Reveal};

impl EventKind {
    /// What the event is, as the end of "until ...": `a server is marked DOWN`.
    fn words(self, server: Option<usize>) -> String {
        let who = server.map_or("a server".to_string(), |s| format!("server {}", s + 1));
        let breaker = server.map_or("a circuit breaker".to_string(), |s| {
            format!("the breaker of server {}", s + 1)
        });
        match self {
            EventKind::HealthDown => format!("{who} is marked DOWN"),
            EventKind::HealthUp => format!("{who} is marked UP"),
            EventKind::PassiveOut => format!("passive checks take {who} out"),
            EventKind::PassiveIn => format!("passive checks let {who} back in"),
            EventKind::BreakerOpen => format!("{breaker} opens"),
            EventKind::BreakerHalfOpen => format!("{breaker} goes HALF_OPEN"),
            EventKind::BreakerClosed => format!("{breaker} closes"),
            EventKind::Retry => "a failed try is retried".into(),
            EventKind::Remap => "the hash ring is remapped".into(),
            EventKind::ScaleOut => "the autoscaler adds servers".into(),
            EventKind::ScaleIn => "the autoscaler removes servers".into(),
            EventKind::ServerReady => format!("{who} has booted"),
        }
    }
}

impl Wait {
    /// What the step waits for: `until server 3 is marked DOWN (at most 20s)`.
    pub fn describe(&self) -> String {
        let until = match self.until {
            Condition::Time(d) => format!("for {}", d.to_message_string()),
            Condition::Served(n) => format!("until {n} more requests are served"),
            Condition::Event(p) => {
                let what = p.kind.words(p.server.map(|s| s.0));
                match p.times {
                    1 => format!("until {what}"),
                    n => format!("until {what} ({n} times)"),
                }
            }
        };
        match self.until {
            Condition::Time(d) if d == self.within => until,
            _ => format!("{until} (at most {})", self.within.to_message_string()),
        }
    }
}

impl Guess {
    /// The guess as the reveal shows it: the choice's text, or the number with its unit.
    pub fn describe(self, question: &Question) -> String {
        match (self, &question.answer) {
            (Guess::Choice(i), Answer::Choice(c)) => {
                c.choices.get(i).map_or(String::new(), |c| c.text.clone())
            }
            (Guess::Number(x), answer) => answer.measure().show(x),
            (Guess::Choice(_), Answer::Number(_)) => String::new(),
        }
    }
}

impl Reveal {
    /// The reveal in words, as `lbsim` shows it: `p95 latency: 2474 ms`, then the right choice
    /// or the queueing model's value when there is one.
    pub fn describe(&self, question: &Question) -> String {
        let what = question.answer.measure().label().0;
        format!("{what}: {}", self.value(question))
    }

    /// The measured value in words, with the right choice or the queueing model's value:
    /// `2474 ms`, `24.5% (the right choice: about a quarter)`.
    pub fn value(&self, question: &Question) -> String {
        let measure = question.answer.measure();
        let mut text = measure.show(self.measured);
        if let (Answer::Choice(c), Some(right)) = (&question.answer, self.right) {
            text += &format!(" (the right choice: {})", c.choices[right].text);
        }
        if let Some(theory) = self.theory {
            text += &format!(
                "; queueing theory: mean {:.0} ms ({})",
                theory.mean_ms, theory.model
            );
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{EventPattern, ServerRef};
    use crate::sim::SimDuration;

    #[test]
    fn waits_are_worded_with_their_limit() {
        let s = SimDuration::from_secs;
        let wait = |until| Wait {
            until,
            within: s(20),
        };
        let down = EventPattern {
            kind: EventKind::HealthDown,
            server: Some(ServerRef(2)),
            times: 1,
        };
        assert_eq!(
            wait(Condition::Event(down)).describe(),
            "until server 3 is marked DOWN (at most 20s)"
        );
        assert_eq!(wait(Condition::Time(s(20))).describe(), "for 20s");
        assert_eq!(
            wait(Condition::Served(200)).describe(),
            "until 200 more requests are served (at most 20s)"
        );
    }
}
