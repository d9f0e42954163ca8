//! The state machine every breaker design shares: CLOSED, OPEN, HALF_OPEN, with an epoch per
//! state so that a late result cannot sway a later state, and the admission of trial calls. What
//! differs between designs (when to trip, how long to wait, how many trials and how to judge
//! them) each design answers through [`Design`].

use super::consecutive::ConsecutiveCount;
use super::hystrix::HystrixWindow;
use super::resilience4j::Resilience4jWindow;
use super::{BreakerConfig, BreakerRule, BreakerState, BreakerTransition};
use crate::sim::time::{SimDuration, SimTime};

/// What sets one breaker design apart from another.
pub(super) trait Design {
    /// How long it stays OPEN before trial calls.
    fn wait(&self) -> SimDuration;

    /// Trial calls it admits while HALF_OPEN.
    fn permitted(&self) -> u32 {
        1
    }

    /// Whether a call that took `took` counts against it as slow.
    fn is_slow(&self, _took: SimDuration) -> bool {
        false
    }

    /// Whether it turns HALF_OPEN by timer when the wait is over (else on the next call).
    fn automatic(&self) -> bool {
        false
    }

    /// Records a call's result while CLOSED; returns the rule that trips it, if one does (and
    /// then forgets what it counted).
    fn record(&mut self, failed: bool, took: SimDuration, now: SimTime) -> Option<BreakerRule>;

    /// Once every trial is in, `bad` of `permitted` failed: whether it opens again, and why.
    fn judge(&self, bad: u32, _permitted: u32) -> (bool, BreakerRule) {
        (bad > 0, BreakerRule::Trial { ok: bad == 0 })
    }

    /// Forgets the calls it counted (when the breaker closes).
    fn forget(&mut self);
}

/// No breaker: it never trips.
#[derive(Clone, Debug, PartialEq)]
struct Never;

impl Design for Never {
    fn wait(&self) -> SimDuration {
        SimDuration::ZERO
    }

    fn record(&mut self, _: bool, _: SimDuration, _: SimTime) -> Option<BreakerRule> {
        None
    }

    fn forget(&mut self) {}
}

/// The design's own state, by design.
#[derive(Clone, Debug, PartialEq)]
enum DesignState {
    Off(Never),
    Consecutive(ConsecutiveCount),
    Resilience4j(Resilience4jWindow),
    Hystrix(HystrixWindow),
}

impl DesignState {
    fn new(config: BreakerConfig) -> DesignState {
        match config {
            BreakerConfig::Off => DesignState::Off(Never),
            BreakerConfig::Consecutive(c) => DesignState::Consecutive(ConsecutiveCount::new(c)),
            BreakerConfig::Resilience4j(r) => DesignState::Resilience4j(Resilience4jWindow::new(r)),
            BreakerConfig::Hystrix(h) => DesignState::Hystrix(HystrixWindow::new(h)),
        }
    }

    fn get(&self) -> &dyn Design {
        match self {
            DesignState::Off(d) => d,
            DesignState::Consecutive(d) => d,
            DesignState::Resilience4j(d) => d,
            DesignState::Hystrix(d) => d,
        }
    }

    fn get_mut(&mut self) -> &mut dyn Design {
        match self {
            DesignState::Off(d) => d,
            DesignState::Consecutive(d) => d,
            DesignState::Resilience4j(d) => d,
            DesignState::Hystrix(d) => d,
        }
    }
}

/// One server's circuit breaker.
#[derive(Clone, Debug, PartialEq)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    design: DesignState,
    state: BreakerState,
    /// Bumped on every state change; results from another epoch are ignored.
    epoch: u32,
    /// When an OPEN breaker may let a call through again.
    open_until: SimTime,
    /// Calls admitted and results recorded in the current half-open state.
    trial_admitted: u32,
    trial_results: Vec<bool>,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> CircuitBreaker {
        CircuitBreaker {
            config,
            design: DesignState::new(config),
            state: BreakerState::Closed,
            epoch: 0,
            open_until: SimTime::ZERO,
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

    /// The settings it works with.
    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// Until when an OPEN breaker refuses calls.
    pub fn open_until(&self) -> SimTime {
        self.open_until
    }

    fn go(&mut self, to: BreakerState, rule: BreakerRule) -> BreakerTransition {
        let from = self.state;
        self.state = to;
        self.epoch = self.epoch.wrapping_add(1);
        self.trial_admitted = 0;
        self.trial_results.clear();
        BreakerTransition { from, to, rule }
    }

    fn open(&mut self, now: SimTime, rule: BreakerRule) -> BreakerTransition {
        self.open_until = now + self.design.get().wait();
        self.go(BreakerState::Open, rule)
    }

    fn half_open(&mut self) -> BreakerTransition {
        let design = self.design.get();
        let rule = BreakerRule::WaitOver {
            waited: design.wait(),
            permitted: design.permitted(),
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
            if self.trial_admitted >= self.design.get().permitted() {
                return (false, transition);
            }
            self.trial_admitted += 1;
        }
        (true, transition)
    }

    /// When an automatic OPEN -> HALF_OPEN transition is due (Resilience4j with automatic transition).
    pub fn next_timeout(&self) -> Option<SimTime> {
        (self.state == BreakerState::Open && self.design.get().automatic())
            .then_some(self.open_until)
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
        if epoch != self.epoch {
            return None;
        }
        match self.state {
            BreakerState::HalfOpen => self.record_trial(!ok, took, now),
            BreakerState::Closed => {
                let rule = self.design.get_mut().record(!ok, took, now)?;
                Some(self.open(now, rule))
            }
            BreakerState::Open => None,
        }
    }

    fn record_trial(
        &mut self,
        failed: bool,
        took: SimDuration,
        now: SimTime,
    ) -> Option<BreakerTransition> {
        let slow = self.design.get().is_slow(took);
        self.trial_results.push(failed || slow);
        let permitted = self.design.get().permitted();
        if (self.trial_results.len() as u32) < permitted {
            return None;
        }
        let bad = self.trial_results.iter().filter(|&&b| b).count() as u32;
        let (reopen, rule) = self.design.get().judge(bad, permitted);
        if reopen {
            return Some(self.open(now, rule));
        }
        self.design.get_mut().forget();
        Some(self.go(BreakerState::Closed, rule))
    }
}
