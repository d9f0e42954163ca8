//! The breakers against the reference examples (../shared/REFERENCE-SEMANTICS.md).

use super::*;
use crate::sim::time::{SimDuration, SimTime};

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
    CircuitBreaker::new(BreakerConfig::Resilience4j(Resilience4j {
        window: WindowKind::Count(10),
        failure_rate: 50.0,
        slow_rate: 100.0,
        slow_call_duration: SimDuration::from_secs(60),
        minimum_calls: 5,
        wait_open: SimDuration::from_secs(60),
        permitted_half_open: permitted,
        automatic_transition: false,
    }))
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
    let mut b = CircuitBreaker::new(BreakerConfig::Resilience4j(Resilience4j {
        window: WindowKind::Time(10),
        failure_rate: 50.0,
        slow_rate: 80.0,
        slow_call_duration: SimDuration::from_secs(1),
        minimum_calls: 5,
        wait_open: SimDuration::from_secs(5),
        permitted_half_open: 2,
        automatic_transition: true,
    }));
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
    let mut b = CircuitBreaker::new(BreakerConfig::Resilience4j(Resilience4j {
        window: WindowKind::Time(10),
        failure_rate: 50.0,
        slow_rate: 100.0,
        slow_call_duration: SimDuration::from_secs(60),
        minimum_calls: 5,
        wait_open: SimDuration::from_secs(60),
        permitted_half_open: 10,
        automatic_transition: false,
    }));
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
