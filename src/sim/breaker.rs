//! Circuit breakers: one per server, in front of it at the load balancer. A breaker watches the
//! results of the calls it let through and, when the server looks broken, OPENs: calls are refused
//! at once (not sent), which spares a struggling server and fails fast. After a wait it lets trial
//! calls through (HALF_OPEN) and closes again if they succeed.
//!
//! Three real designs, each with its own trip rule:
//! - Consecutive failures (the classic): OPEN after `threshold` failures in a row; after `timeout`
//!   since the last failure one call goes through; success closes, failure reopens.
//! - Resilience4j: a sliding window (the last N calls, or the last N seconds); no decision until the
//!   window holds `minimum_calls`; trips when failure% >= threshold or slow% >= threshold (slow: longer
//!   than `slow_call_duration`). HALF_OPEN admits exactly `permitted_half_open` calls, refuses the
//!   rest, and once they are all in decides: rate >= threshold reopens, else it closes.
//! - Hystrix: a 10 s rolling window; trips when it holds >= `volume_threshold` requests and
//!   error% >= threshold; after `sleep_window` exactly one trial request; success closes and resets.
//!
//! Results are tagged with the breaker's epoch when the call was let through, so a late answer
//! from an earlier state cannot sway the current one.

use std::collections::VecDeque;

use super::time::{SimDuration, SimTime};

/// Resilience4j's sliding window.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// The last N calls.
    Count(u32),
    /// The calls of the last N seconds.
    Time(u32),
}

/// Circuit-breaker settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BreakerConfig {
    /// No breaker.
    Off,
    /// OPEN after this many consecutive failures; one trial after `timeout`.
    Consecutive {
        /// Consecutive failures that open it.
        threshold: u32,
        /// How long it stays open after the last failure.
        timeout: SimDuration,
    },
    /// Resilience4j's CircuitBreaker.
    Resilience4j {
        /// The sliding window.
        window: WindowKind,
        /// Failure rate (percent) that opens it.
        failure_rate: f64,
        /// Slow-call rate (percent) that opens it.
        slow_rate: f64,
        /// Calls longer than this are slow.
        slow_call_duration: SimDuration,
        /// No decision until the window holds this many calls.
        minimum_calls: u32,
        /// How long it stays open.
        wait_open: SimDuration,
        /// Calls admitted while half-open.
        permitted_half_open: u32,
        /// Move to half-open by timer instead of on the first call after the wait.
        automatic_transition: bool,
    },
    /// Hystrix's circuit breaker (10 s rolling window).
    Hystrix {
        /// Requests the window must hold before it may trip.
        volume_threshold: u32,
        /// Error percentage that trips it.
        error_percent: f64,
        /// How long it stays open before one trial request.
        sleep_window: SimDuration,
    },
}

impl BreakerConfig {
    /// The classic consecutive-failure breaker: 5 failures, 60 s.
    pub const CONSECUTIVE_DEFAULT: BreakerConfig = BreakerConfig::Consecutive {
        threshold: 5,
        timeout: SimDuration::from_secs(60),
    };
    /// Resilience4j's defaults.
    pub const RESILIENCE4J_DEFAULT: BreakerConfig = BreakerConfig::Resilience4j {
        window: WindowKind::Count(100),
        failure_rate: 50.0,
        slow_rate: 100.0,
        slow_call_duration: SimDuration::from_secs(60),
        minimum_calls: 100,
        wait_open: SimDuration::from_secs(60),
        permitted_half_open: 10,
        automatic_transition: false,
    };
    /// Hystrix's defaults.
    pub const HYSTRIX_DEFAULT: BreakerConfig = BreakerConfig::Hystrix {
        volume_threshold: 20,
        error_percent: 50.0,
        sleep_window: SimDuration::from_secs(5),
    };

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        match *self {
            BreakerConfig::Off => "off".into(),
            BreakerConfig::Consecutive { threshold, timeout } => {
                format!("{threshold} consecutive failures, {timeout} open")
            }
            BreakerConfig::Resilience4j {
                failure_rate,
                minimum_calls,
                wait_open,
                ..
            } => {
                format!(
                    "Resilience4j ({failure_rate}% of >= {minimum_calls} calls, {wait_open} open)"
                )
            }
            BreakerConfig::Hystrix {
                volume_threshold,
                error_percent,
                sleep_window,
            } => format!(
                "Hystrix ({error_percent}% of >= {volume_threshold} requests in 10 s, {sleep_window} sleep)"
            ),
        }
    }
}

/// The breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BreakerState {
    /// Calls flow; results are watched.
    Closed,
    /// Calls are refused.
    Open,
    /// Trial calls are let through.
    HalfOpen,
}

impl BreakerState {
    /// The state's name as the literature writes it.
    pub fn label(self) -> &'static str {
        match self {
            BreakerState::Closed => "CLOSED",
            BreakerState::Open => "OPEN",
            BreakerState::HalfOpen => "HALF_OPEN",
        }
    }
}

/// The rule that moved a breaker, with the numbers it decided on.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum BreakerRule {
    /// Consecutive failures reached the threshold (classic breaker).
    ConsecutiveFailures {
        /// The threshold, reached.
        threshold: u32,
    },
    /// Resilience4j: the window's failure rate reached the threshold.
    FailureRate {
        /// The failure rate, percent.
        rate: f64,
        /// The threshold, percent.
        threshold: f64,
        /// Calls in the window.
        calls: u32,
    },
    /// Resilience4j: the window's slow-call rate reached the threshold.
    SlowCallRate {
        /// The slow-call rate, percent.
        rate: f64,
        /// The threshold, percent.
        threshold: f64,
        /// Calls in the window.
        calls: u32,
    },
    /// Hystrix: enough requests in the rolling window, and enough of them failed.
    ErrorPercent {
        /// Failed requests in the window.
        failures: u32,
        /// Requests in the window.
        calls: u32,
        /// Their error percentage.
        percent: f64,
        /// The threshold, percent.
        threshold: f64,
    },
    /// The open time is over: trial calls may go through.
    WaitOver {
        /// How long it stayed open.
        waited: SimDuration,
        /// How many trial calls it admits.
        permitted: u32,
    },
    /// Resilience4j: every permitted trial call is in; their failure rate decided.
    Trials {
        /// Trial calls that failed (or were slow).
        bad: u32,
        /// Trial calls admitted.
        permitted: u32,
        /// Their failure rate, percent.
        rate: f64,
        /// The threshold (the lower of the failure and slow-call thresholds), percent.
        threshold: f64,
    },
    /// Consecutive or Hystrix: the one trial call ended.
    Trial {
        /// Whether it succeeded.
        ok: bool,
    },
}

/// A change of state, with the rule that made it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct BreakerTransition {
    /// The state before.
    pub from: BreakerState,
    /// The new state.
    pub to: BreakerState,
    /// Why.
    #[serde(flatten)]
    pub rule: BreakerRule,
}

/// Outcome counts in a window: `(calls, failures, slow)`.
type Counts = (u32, u32, u32);

/// A sliding window of call outcomes.
#[derive(Clone, Debug, PartialEq)]
enum Window {
    Count {
        size: usize,
        calls: VecDeque<(bool, bool)>,
    },
    /// One-second buckets `(second, calls, failures, slow)`, oldest first.
    Time {
        seconds: u64,
        buckets: VecDeque<(u64, u32, u32, u32)>,
    },
}

impl Window {
    fn new(kind: WindowKind) -> Window {
        match kind {
            WindowKind::Count(n) => Window::Count {
                size: n.max(1) as usize,
                calls: VecDeque::new(),
            },
            WindowKind::Time(s) => Window::Time {
                seconds: u64::from(s.max(1)),
                buckets: VecDeque::new(),
            },
        }
    }

    fn record(&mut self, failed: bool, slow: bool, now: SimTime) {
        match self {
            Window::Count { size, calls } => {
                if calls.len() == *size {
                    calls.pop_front();
                }
                calls.push_back((failed, slow));
            }
            Window::Time { buckets, .. } => {
                let second = now.0 / 1_000_000;
                match buckets.back_mut() {
                    Some(b) if b.0 == second => {
                        b.1 += 1;
                        b.2 += u32::from(failed);
                        b.3 += u32::from(slow);
                    }
                    _ => buckets.push_back((second, 1, u32::from(failed), u32::from(slow))),
                }
            }
        }
    }

    fn counts(&mut self, now: SimTime) -> Counts {
        match self {
            Window::Count { calls, .. } => {
                calls.iter().fold((0, 0, 0), |(c, f, s), &(failed, slow)| {
                    (c + 1, f + u32::from(failed), s + u32::from(slow))
                })
            }
            Window::Time { seconds, buckets } => {
                let second = now.0 / 1_000_000;
                while buckets.front().is_some_and(|b| b.0 + *seconds <= second) {
                    buckets.pop_front();
                }
                buckets
                    .iter()
                    .fold((0, 0, 0), |(c, f, s), b| (c + b.1, f + b.2, s + b.3))
            }
        }
    }

    fn clear(&mut self) {
        match self {
            Window::Count { calls, .. } => calls.clear(),
            Window::Time { buckets, .. } => buckets.clear(),
        }
    }
}

/// Hystrix's rolling window: 10 one-second buckets.
const HYSTRIX_WINDOW: WindowKind = WindowKind::Time(10);

/// One server's circuit breaker.
#[derive(Clone, Debug, PartialEq)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    state: BreakerState,
    /// Bumped on every state change; results from another epoch are ignored.
    epoch: u32,
    /// When an OPEN breaker may let a call through again.
    open_until: SimTime,
    /// Consecutive failures (classic breaker).
    consecutive: u32,
    window: Window,
    /// Calls admitted and results recorded in the current half-open state.
    trial_admitted: u32,
    trial_results: Vec<bool>,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> CircuitBreaker {
        let window = match config {
            BreakerConfig::Resilience4j { window, .. } => Window::new(window),
            _ => Window::new(HYSTRIX_WINDOW),
        };
        CircuitBreaker {
            config,
            state: BreakerState::Closed,
            epoch: 0,
            open_until: SimTime::ZERO,
            consecutive: 0,
            window,
            trial_admitted: 0,
            trial_results: Vec::new(),
        }
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// The epoch a call let through now belongs to.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    fn permitted(&self) -> u32 {
        match self.config {
            BreakerConfig::Resilience4j {
                permitted_half_open,
                ..
            } => permitted_half_open.max(1),
            _ => 1,
        }
    }

    fn go(&mut self, to: BreakerState, rule: BreakerRule) -> BreakerTransition {
        let from = self.state;
        self.state = to;
        self.epoch = self.epoch.wrapping_add(1);
        self.trial_admitted = 0;
        self.trial_results.clear();
        BreakerTransition { from, to, rule }
    }

    /// How long it stays OPEN before trial calls.
    fn wait(&self) -> SimDuration {
        match self.config {
            BreakerConfig::Off => SimDuration::ZERO,
            BreakerConfig::Consecutive { timeout, .. } => timeout,
            BreakerConfig::Resilience4j { wait_open, .. } => wait_open,
            BreakerConfig::Hystrix { sleep_window, .. } => sleep_window,
        }
    }

    fn open(&mut self, now: SimTime, rule: BreakerRule) -> BreakerTransition {
        self.open_until = now + self.wait();
        self.go(BreakerState::Open, rule)
    }

    fn half_open(&mut self) -> BreakerTransition {
        let rule = BreakerRule::WaitOver {
            waited: self.wait(),
            permitted: self.permitted(),
        };
        self.go(BreakerState::HalfOpen, rule)
    }

    /// Asks to send a call at `now`. Returns whether it may go, and any state change on the way
    /// (an OPEN breaker whose wait is over turns HALF_OPEN and lets this call through).
    pub fn allow(&mut self, now: SimTime) -> (bool, Option<BreakerTransition>) {
        let mut transition = None;
        if self.state == BreakerState::Open {
            if now < self.open_until {
                return (false, None);
            }
            transition = Some(self.half_open());
        }
        if self.state == BreakerState::HalfOpen {
            if self.trial_admitted >= self.permitted() {
                return (false, transition);
            }
            self.trial_admitted += 1;
        }
        (true, transition)
    }

    /// The settings it works with.
    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// Until when an OPEN breaker refuses calls.
    pub fn open_until(&self) -> SimTime {
        self.open_until
    }

    /// When an automatic OPEN -> HALF_OPEN transition is due (Resilience4j with automatic transition).
    pub fn next_timeout(&self) -> Option<SimTime> {
        match self.config {
            BreakerConfig::Resilience4j {
                automatic_transition: true,
                ..
            } if self.state == BreakerState::Open => Some(self.open_until),
            _ => None,
        }
    }

    /// The automatic transition's timer fired at `now`.
    pub fn on_timer(&mut self, now: SimTime) -> Option<BreakerTransition> {
        (self.next_timeout().is_some_and(|at| now >= at)).then(|| self.half_open())
    }

    /// Records a call let through in `epoch` that ended at `now` after `took`.
    pub fn record(
        &mut self,
        epoch: u32,
        ok: bool,
        took: SimDuration,
        now: SimTime,
    ) -> Option<BreakerTransition> {
        if epoch != self.epoch || self.state == BreakerState::Open {
            return None;
        }
        let failed = !ok;
        match self.state {
            BreakerState::HalfOpen => self.record_trial(failed, took, now),
            BreakerState::Closed => self.record_closed(failed, took, now),
            BreakerState::Open => None,
        }
    }

    fn is_slow(&self, took: SimDuration) -> bool {
        matches!(self.config, BreakerConfig::Resilience4j { slow_call_duration, .. } if took > slow_call_duration)
    }

    fn record_closed(
        &mut self,
        failed: bool,
        took: SimDuration,
        now: SimTime,
    ) -> Option<BreakerTransition> {
        match self.config {
            BreakerConfig::Off => None,
            BreakerConfig::Consecutive { threshold, .. } => {
                self.consecutive = if failed { self.consecutive + 1 } else { 0 };
                (self.consecutive >= threshold).then(|| {
                    self.consecutive = 0;
                    self.open(now, BreakerRule::ConsecutiveFailures { threshold })
                })
            }
            BreakerConfig::Resilience4j {
                failure_rate,
                slow_rate,
                minimum_calls,
                ..
            } => {
                let slow = self.is_slow(took);
                self.window.record(failed, slow, now);
                let (calls, failures, slows) = self.window.counts(now);
                if calls < minimum_calls {
                    return None;
                }
                let (f, s) = (percent(failures, calls), percent(slows, calls));
                let rule = if f >= failure_rate {
                    BreakerRule::FailureRate {
                        rate: f,
                        threshold: failure_rate,
                        calls,
                    }
                } else if s >= slow_rate {
                    BreakerRule::SlowCallRate {
                        rate: s,
                        threshold: slow_rate,
                        calls,
                    }
                } else {
                    return None;
                };
                self.window.clear();
                Some(self.open(now, rule))
            }
            BreakerConfig::Hystrix {
                volume_threshold,
                error_percent,
                ..
            } => {
                self.window.record(failed, false, now);
                let (calls, failures, _) = self.window.counts(now);
                let e = percent(failures, calls);
                (calls >= volume_threshold && e >= error_percent).then(|| {
                    self.window.clear();
                    let rule = BreakerRule::ErrorPercent {
                        failures,
                        calls,
                        percent: e,
                        threshold: error_percent,
                    };
                    self.open(now, rule)
                })
            }
        }
    }

    fn record_trial(
        &mut self,
        failed: bool,
        took: SimDuration,
        now: SimTime,
    ) -> Option<BreakerTransition> {
        let slow = self.is_slow(took);
        self.trial_results.push(failed || slow);
        let permitted = self.permitted();
        if (self.trial_results.len() as u32) < permitted {
            return None;
        }
        let bad = self.trial_results.iter().filter(|&&b| b).count() as u32;
        let (reopen, rule) = match self.config {
            BreakerConfig::Resilience4j {
                failure_rate,
                slow_rate,
                ..
            } => {
                let rate = percent(bad, permitted);
                let threshold = failure_rate.min(slow_rate);
                let rule = BreakerRule::Trials {
                    bad,
                    permitted,
                    rate,
                    threshold,
                };
                (rate >= threshold, rule)
            }
            _ => (bad > 0, BreakerRule::Trial { ok: bad == 0 }),
        };
        if reopen {
            return Some(self.open(now, rule));
        }
        self.window.clear();
        self.consecutive = 0;
        Some(self.go(BreakerState::Closed, rule))
    }
}

fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * f64::from(part) / f64::from(whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime(ms * 1_000)
    }

    /// Feeds results (`S` success, `F` failure) let through one millisecond apart from `start` ms;
    /// returns the transitions' states.
    fn feed(b: &mut CircuitBreaker, results: &str, start: u64) -> Vec<BreakerState> {
        let mut out = vec![];
        for (i, r) in results.chars().enumerate() {
            let now = t(start + i as u64);
            let (allowed, transition) = b.allow(now);
            out.extend(transition.map(|t| t.to));
            assert!(allowed, "call {i} refused in {:?}", b.state());
            let epoch = b.epoch();
            out.extend(
                b.record(epoch, r == 'S', SimDuration::from_millis(1), now)
                    .map(|t| t.to),
            );
        }
        out
    }

    fn r4j(permitted: u32) -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig::Resilience4j {
            window: WindowKind::Count(10),
            failure_rate: 50.0,
            slow_rate: 100.0,
            slow_call_duration: SimDuration::from_secs(60),
            minimum_calls: 5,
            wait_open: SimDuration::from_secs(60),
            permitted_half_open: permitted,
            automatic_transition: false,
        })
    }

    #[test]
    fn resilience4j_reference_examples() {
        let mut b = r4j(4);
        assert_eq!(
            feed(&mut b, "SFFSF", 0),
            [BreakerState::Open],
            "60% on the 5th call"
        );
        let mut b = r4j(4);
        assert_eq!(feed(&mut b, "FFFF", 0), [], "only 4 calls: no decision");
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn resilience4j_half_open_admits_exactly_the_permitted_calls() {
        let mut b = r4j(4);
        feed(&mut b, "FFFFF", 0);
        assert_eq!(b.allow(t(30_000)), (false, None), "open: refused");
        // After the wait the first call turns it half-open and is one of the 4 trials.
        let (allowed, transition) = b.allow(t(60_004));
        assert!(allowed);
        assert_eq!(transition.unwrap().to, BreakerState::HalfOpen);
        for _ in 0..3 {
            assert!(b.allow(t(60_005)).0);
        }
        assert!(!b.allow(t(60_005)).0, "a fifth trial is refused");
        let e = b.epoch();
        let mut last = None;
        for ok in [true, false, true, true] {
            last = b.record(e, ok, SimDuration::from_millis(1), t(60_006));
        }
        assert_eq!(last.unwrap().to, BreakerState::Closed, "S,F,S,S: 25% < 50%");

        let mut b = r4j(4);
        feed(&mut b, "FFFFF", 0);
        b.allow(t(60_004));
        for _ in 0..3 {
            b.allow(t(60_005));
        }
        let e = b.epoch();
        let results: Vec<_> = [true, false, false, true]
            .iter()
            .filter_map(|&ok| b.record(e, ok, SimDuration::from_millis(1), t(60_006)))
            .collect();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].to, BreakerState::Open, "S,F,F,S: 50% >= 50%");
        assert_eq!(
            results[0].rule,
            BreakerRule::Trials {
                bad: 2,
                permitted: 4,
                rate: 50.0,
                threshold: 50.0
            }
        );
    }

    #[test]
    fn resilience4j_trips_on_slow_calls_and_automatic_transition_uses_a_timer() {
        let mut b = CircuitBreaker::new(BreakerConfig::Resilience4j {
            window: WindowKind::Time(10),
            failure_rate: 50.0,
            slow_rate: 80.0,
            slow_call_duration: SimDuration::from_secs(1),
            minimum_calls: 5,
            wait_open: SimDuration::from_secs(5),
            permitted_half_open: 2,
            automatic_transition: true,
        });
        let mut transitions = vec![];
        for i in 0..5 {
            let e = b.epoch();
            b.allow(t(i));
            transitions.extend(b.record(e, true, SimDuration::from_millis(1_500), t(i)));
        }
        assert_eq!(transitions.len(), 1);
        assert_eq!(
            transitions[0].rule,
            BreakerRule::SlowCallRate {
                rate: 100.0,
                threshold: 80.0,
                calls: 5
            }
        );
        assert_eq!(b.next_timeout(), Some(t(5_004)));
        assert_eq!(b.on_timer(t(5_004)).unwrap().to, BreakerState::HalfOpen);
    }

    #[test]
    fn resilience4j_time_window_forgets_old_calls() {
        let mut b = CircuitBreaker::new(BreakerConfig::Resilience4j {
            window: WindowKind::Time(10),
            failure_rate: 50.0,
            slow_rate: 100.0,
            slow_call_duration: SimDuration::from_secs(60),
            minimum_calls: 5,
            wait_open: SimDuration::from_secs(60),
            permitted_half_open: 10,
            automatic_transition: false,
        });
        feed(&mut b, "FFFF", 0);
        // Eleven seconds later the four failures have left the window: one more is not enough.
        assert_eq!(feed(&mut b, "F", 11_000), []);
        assert_eq!(feed(&mut b, "FFFF", 11_500), [BreakerState::Open]);
    }

    #[test]
    fn hystrix_reference_examples() {
        let mut b = CircuitBreaker::new(BreakerConfig::HYSTRIX_DEFAULT);
        assert_eq!(
            feed(&mut b, &"F".repeat(19), 0),
            [],
            "19 failures: under the volume threshold"
        );
        let mut b = CircuitBreaker::new(BreakerConfig::HYSTRIX_DEFAULT);
        assert_eq!(
            feed(&mut b, &"SF".repeat(10), 0),
            [BreakerState::Open],
            "20 requests, 10 failures"
        );
        // Sleep window: refused until 5 s after opening, then exactly one trial.
        assert!(!b.allow(t(4_000)).0);
        let (allowed, transition) = b.allow(t(5_020));
        assert!(allowed && transition.unwrap().to == BreakerState::HalfOpen);
        assert!(!b.allow(t(5_021)).0, "only one trial");
        let e = b.epoch();
        let closed = b
            .record(e, true, SimDuration::from_millis(1), t(5_030))
            .unwrap();
        assert_eq!(
            (closed.from, closed.to, closed.rule),
            (
                BreakerState::HalfOpen,
                BreakerState::Closed,
                BreakerRule::Trial { ok: true }
            )
        );
        assert_eq!(
            feed(&mut b, &"F".repeat(19), 6_000),
            [],
            "metrics were reset"
        );
    }

    #[test]
    fn consecutive_breaker_follows_the_seed_material() {
        let mut b = CircuitBreaker::new(BreakerConfig::CONSECUTIVE_DEFAULT);
        assert_eq!(
            feed(&mut b, "FFFFSFFFF", 0),
            [],
            "a success resets the count"
        );
        assert_eq!(feed(&mut b, "F", 100), [BreakerState::Open]);
        assert!(!b.allow(t(60_099)).0);
        assert!(b.allow(t(60_100)).0);
        let e = b.epoch();
        assert_eq!(
            b.record(e, false, SimDuration::ZERO, t(60_101)).unwrap().to,
            BreakerState::Open
        );
        assert!(!b.allow(t(60_200)).0, "open again for another timeout");
        assert!(b.allow(t(120_101)).0);
        let e = b.epoch();
        assert_eq!(
            b.record(e, true, SimDuration::ZERO, t(120_102)).unwrap().to,
            BreakerState::Closed
        );
    }

    #[test]
    fn late_results_from_an_earlier_state_are_ignored() {
        let mut b = CircuitBreaker::new(BreakerConfig::CONSECUTIVE_DEFAULT);
        let old = b.epoch();
        feed(&mut b, "FFFFF", 0);
        b.allow(t(60_004));
        // A call let through while closed answers now: it must not decide the trial.
        assert_eq!(b.record(old, true, SimDuration::ZERO, t(60_005)), None);
        assert_eq!(b.state(), BreakerState::HalfOpen);
    }
}
