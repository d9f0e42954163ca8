//! The words, checked against events built by hand (the state machines' own tests check the data).

use super::*;
use crate::sim::breaker::{BreakerConfig, BreakerRule, BreakerState, BreakerTransition};
use crate::sim::command::Command;
use crate::sim::events::{
    Before, BreakerEvent, CommandEvent, HealthEvent, KeyKind, Membership, Origin, PassiveEvent,
    RemapEvent, RetryCause, RetryEvent,
};
use crate::sim::health::{ActiveCheck, CheckFailure, CheckKind, HealthTransition};
use crate::sim::passive::{Passive, PassiveTransition};
use crate::sim::request::Outcome;
use crate::sim::retry::RetryPolicy;
use crate::sim::scenario;
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::{Algorithm, Resilience};

fn servers() -> Vec<Server> {
    (1..=3)
        .map(|i| Server::new(scenario::server(&format!("server-{i}"), 1, 1)))
        .collect()
}

fn at(seconds: u64, event: Event) -> Logged {
    Logged {
        at: SimTime::from_secs_f64(seconds as f64),
        event,
    }
}

fn words(event: Event) -> (String, String) {
    let logged = at(6, event);
    (text(&logged, &servers()), cause(&logged, &servers()))
}

#[test]
fn health_transitions_say_the_streak_and_the_check() {
    let down = Event::Health(HealthEvent {
        server: 2,
        transition: HealthTransition::Down {
            failures: 3,
            failure: CheckFailure::Timeout,
        },
        health: 0,
        max: 4,
        check: ActiveCheck::HAPROXY_DEFAULT,
    });
    let (line, why) = words(down);
    assert_eq!(
        line,
        "server-3 DOWN after 3 failed checks (timeout, timeout 1 s) (health 0/4)"
    );
    assert_eq!(
        why,
        "HAProxy HTTP check (an error status fails it; the body is not read): every 2 s, timeout 1 s, fall 3: the server was marked DOWN after 3 consecutive failed checks; last failure: timeout"
    );
    let body = Event::Health(HealthEvent {
        server: 1,
        transition: HealthTransition::Down {
            failures: 1,
            failure: CheckFailure::Unexpected,
        },
        health: 0,
        max: 4,
        check: ActiveCheck {
            kind: CheckKind::HttpExpect,
            ..ActiveCheck::HAPROXY_DEFAULT
        },
    });
    let (line, why) = words(body);
    assert_eq!(
        line,
        "server-2 DOWN after 1 failed check (200 OK without the expected body, timeout 1 s) (health 0/4)"
    );
    assert!(
        why.starts_with("HAProxy HTTP check expecting the health page's OK in the body"),
        "{why}"
    );
    let up = Event::Health(HealthEvent {
        server: 0,
        transition: HealthTransition::Up { passes: 2 },
        health: 4,
        max: 4,
        check: ActiveCheck::HAPROXY_DEFAULT,
    });
    assert_eq!(
        words(up).0,
        "server-1 UP after 2 passed checks (health 4/4)"
    );
}

#[test]
fn a_server_not_fully_up_is_explained_as_falling_early() {
    let down = Event::Health(HealthEvent {
        server: 0,
        transition: HealthTransition::Down {
            failures: 1,
            failure: CheckFailure::Refused,
        },
        health: 0,
        max: 4,
        check: ActiveCheck::HAPROXY_DEFAULT,
    });
    let (line, why) = words(down);
    assert!(
        line.contains("after 1 failed check (connection refused"),
        "{line}"
    );
    assert!(why.contains("not fully UP yet"), "{why}");
}

fn breaker(from: BreakerState, to: BreakerState, rule: BreakerRule) -> Event {
    Event::Breaker(BreakerEvent {
        server: 0,
        transition: BreakerTransition { from, to, rule },
        config: BreakerConfig::RESILIENCE4J_DEFAULT,
        open_until: SimTime::from_secs_f64(66.0),
    })
}

#[test]
fn breaker_rules_are_worded_with_their_numbers() {
    use BreakerState::*;
    let cases = [
        (
            breaker(
                Closed,
                Open,
                BreakerRule::FailureRate {
                    rate: 60.0,
                    threshold: 50.0,
                    calls: 5,
                },
            ),
            "server-1 breaker open: failure rate 60% >= 50% over 5 calls",
        ),
        (
            breaker(
                HalfOpen,
                Open,
                BreakerRule::Trials {
                    bad: 2,
                    permitted: 4,
                    rate: 50.0,
                    threshold: 50.0,
                },
            ),
            "server-1 breaker open again: 2 of 4 trial calls failed (50% >= 50%)",
        ),
        (
            breaker(
                HalfOpen,
                Closed,
                BreakerRule::Trials {
                    bad: 1,
                    permitted: 4,
                    rate: 25.0,
                    threshold: 50.0,
                },
            ),
            "server-1 breaker closed: 1 of 4 trial calls failed (25% < 50%)",
        ),
        (
            breaker(
                Open,
                HalfOpen,
                BreakerRule::WaitOver {
                    waited: SimDuration::from_secs(60),
                    permitted: 10,
                },
            ),
            "server-1 breaker half-open after 60 s open: 10 trial calls",
        ),
        (
            breaker(HalfOpen, Closed, BreakerRule::Trial { ok: true }),
            "server-1 breaker closed: the trial call succeeded",
        ),
    ];
    for (event, expected) in cases {
        assert_eq!(words(event).0, expected);
    }
    let (_, why) = words(breaker(
        Closed,
        Open,
        BreakerRule::ConsecutiveFailures { threshold: 5 },
    ));
    assert!(why.starts_with("Resilience4j breaker: a sliding window of the last 100 calls"));
    assert!(why.ends_with("refused at the balancer, without being sent, until t=66.0 s."));
}

#[test]
fn passive_transitions_name_the_mechanism() {
    let passive = |transition, config| {
        words(Event::Passive(PassiveEvent {
            server: 1,
            transition,
            config,
            retry: RetryPolicy::NGINX_DEFAULT,
        }))
    };
    let (line, why) = passive(
        PassiveTransition::Skipped {
            fails: 1,
            max_fails: 1,
            fail_timeout: SimDuration::from_secs(10),
        },
        Passive::NGINX_DEFAULT,
    );
    assert_eq!(
        line,
        "server-2 skipped for 10 s after 1 failure (max_fails=1)"
    );
    assert!(why.starts_with("nginx passive check (max_fails=1 fail_timeout=10 s), counting connection errors and timeouts"));
    let (line, why) = passive(
        PassiveTransition::Ejected {
            consecutive_5xx: 5,
            length: SimDuration::from_secs(90),
            ejection: 3,
        },
        Passive::ENVOY_DEFAULT,
    );
    assert_eq!(
        line,
        "server-2 ejected for 90 s after 5 consecutive errors (ejection #3)"
    );
    assert!(why.contains("(this is ejection #3)"), "{why}");
}

#[test]
fn commands_say_what_changed_and_who_changed_it() {
    let command = |command, origin, before, watchers| {
        words(Event::Command(Box::new(CommandEvent {
            command,
            origin,
            before,
            watchers,
        })))
    };
    let (line, why) = command(
        Command::Kill { server: 2 },
        Origin::User,
        Before::Load { busy: 2, queued: 1 },
        Some(Resilience::NONE),
    );
    assert_eq!(
        line,
        "server-3 killed: the tries of its 2 in service and 1 queued requests fail"
    );
    assert!(why.starts_with("You applied this at t=6.0 s"), "{why}");
    assert!(why.contains("nothing watches for it"), "{why}");
    let scripted = Origin::Timeline {
        entry: 0,
        of: 2,
        scheduled: SimTime::from_secs_f64(6.0),
    };
    let (line, why) = command(
        Command::SetWeight {
            server: 0,
            weight: 3,
        },
        scripted,
        Before::Weight(1),
        None,
    );
    assert_eq!(line, "server-1 weight 1 -> 3");
    assert!(why.contains("(entry 1 of 2)"), "{why}");
    let (line, _) = command(
        Command::SetSpeed {
            server: 1,
            speed: 1.0 / 1.5,
        },
        scripted,
        Before::Speed(1.0),
        None,
    );
    assert_eq!(line, "server-2 full speed -> 1.5x slower");
    assert_eq!(pace(0.1), "10x slower");
    assert_eq!(pace(2.0), "2x faster");
    let (line, _) = command(
        Command::SetAlgorithm(Algorithm::LeastConnections),
        Origin::User,
        Before::Algorithm(Algorithm::RoundRobin),
        None,
    );
    assert_eq!(
        line,
        "algorithm Round robin -> Least connections (nginx least_conn)"
    );
}

#[test]
fn retries_and_remaps_are_worded_from_their_numbers() {
    let (line, why) = words(Event::Retry(RetryEvent {
        request: 41,
        server: 2,
        cause: RetryCause {
            policy: RetryPolicy::NGINX_DEFAULT,
            outcome: Outcome::ConnectionFailed,
            tries: 1,
            active: 10,
            retrying: 0,
        },
    }));
    assert!(line.starts_with("request #41 retried after"), "{line}");
    assert!(line.ends_with("on server-3 (try 2 of 3)"), "{line}");
    assert!(why.ends_with("There is no retry budget, so every retryable failure is retried."));
    let (line, why) = words(Event::Remap(RemapEvent {
        algorithm: Algorithm::ConsistentHashIp,
        keys: KeyKind::Client,
        moved: crate::sim::balancer::Remap {
            consistent: 0.2,
            modulo: 0.82,
        },
        sampled: 200,
        eligible: (5, 4),
        changes: vec![(2, Membership::Left)],
    }));
    assert_eq!(
        line,
        "consistent hashing moved 20.0% of client keys (modulo hashing would move 82.0%)"
    );
    assert!(
        why.contains("(server-3 left)") && why.contains("(5 -> 4 servers)"),
        "{why}"
    );
}

#[test]
fn scaling_decisions_say_the_metric_the_arithmetic_and_what_held_them() {
    use crate::sim::autoscale::{
        Autoscale, Bound, Direction, Hpa, Metric, Policy, ScaleDecision, TargetTracking,
    };
    use crate::sim::events::ScaleEvent;
    let config = Autoscale {
        policy: Policy::Hpa(Hpa::default()),
        metric: Metric::Cpu,
        target: 0.6,
        min: 1,
        max: 3,
        boot_time: SimDuration::from_secs(30),
    };
    let out = Event::Scale(Box::new(ScaleEvent {
        decision: ScaleDecision {
            direction: Direction::Out,
            from: 2,
            to: 3,
            desired: 4,
            measured: 0.9,
            counted: 2,
            bound: Some(Bound::Max),
        },
        config,
        servers: vec![2],
    }));
    let (text, cause) = words(out);
    assert_eq!(
        text,
        "autoscaler: 2 -> 3 servers (90% CPU against a target of 60% CPU): server-3 booting (30 s)"
    );
    assert!(
        cause.starts_with(
            "Kubernetes HPA, every 15 s (tolerance 10%, scale-down stabilisation 300 s)"
        ),
        "{cause}"
    );
    assert!(
        cause.contains("ceil(2 servers x 90% CPU / 60% CPU) = 4"),
        "{cause}"
    );
    assert!(cause.ends_with("held at 3 by its maximum of 3."), "{cause}");
    let inward = Event::Scale(Box::new(ScaleEvent {
        decision: ScaleDecision {
            direction: Direction::In,
            from: 3,
            to: 1,
            desired: 1,
            measured: 4.0,
            counted: 3,
            bound: None,
        },
        config: Autoscale {
            policy: Policy::TargetTracking(TargetTracking::default()),
            metric: Metric::Rps,
            target: 20.0,
            ..config
        },
        servers: vec![2, 1],
    }));
    let (text, cause) = words(inward);
    assert!(text.ends_with("server-3, server-2 draining"), "{text}");
    assert!(
        cause.contains("15 datapoints of 60 s in a row below the target"),
        "{cause}"
    );
    assert!(
        cause.contains("no further scale-in for the 300 s cooldown"),
        "{cause}"
    );
}

#[test]
fn an_inspected_request_says_where_it_went_and_how_it_ended() {
    use crate::sim::engine::TraceRecord;
    use crate::sim::inspect::{Hop, Story};
    use crate::sim::request::Phase;
    let hop = |phase, try_number, server, start: u64| Hop {
        phase,
        try_number,
        server,
        start: SimTime(start),
        end: SimTime(start + 1),
    };
    let record = |outcome, tries| TraceRecord {
        seq: 7,
        sent: SimTime(0),
        client: 0,
        ip: std::net::IpAddr::from([10, 0, 0, 1]),
        server: Some(2),
        tries,
        outcome,
        latency: SimDuration::from_millis(412),
        path: 0,
    };
    let mut story = Story {
        seq: 7,
        client: 0,
        sent: SimTime(0),
        hops: vec![
            hop(Phase::ToBalancer, 1, None, 0),
            hop(Phase::ToServer, 1, Some(1), 1),
            hop(Phase::ToServer, 2, Some(2), 2),
            hop(Phase::InService, 2, Some(2), 3),
        ],
        finished: Some(record(Outcome::Success, 2)),
    };
    let servers = servers();
    assert_eq!(
        story_text(&story, &servers),
        "Served in 412 ms. It was tried on server-2, then server-3 (2 servers)."
    );
    story.finished = Some(record(Outcome::Timeout, 2));
    assert_eq!(
        story_text(&story, &servers),
        "Failed after 412 ms and 2 tries: server-3 took longer than the try timeout (504). It was tried on server-2, then server-3 (2 servers)."
    );
    story.finished = None;
    assert!(story_text(&story, &servers).starts_with("Still on its way"));
    assert_eq!(phase_text(Phase::Queued), "waiting in the queue");
}
