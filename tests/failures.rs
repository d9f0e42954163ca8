//! Failure handling end to end: health-check timelines, the kill-under-load scenario with and
//! without retries, passive checks, circuit breakers, the panic threshold and retry amplification.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::breaker::{BreakerConfig, BreakerRule, BreakerState};
use lb_playground::sim::health::{
    ActiveCheck, CheckFailure, CheckKind, CheckSchedule, HealthTransition, ServerCheck,
};
use lb_playground::sim::passive::{Passive, PassiveTransition};
use lb_playground::sim::request::Phase;
use lb_playground::sim::retry::RetryPolicy;
use lb_playground::sim::{
    Algorithm, Command, Event, LogKind, Logged, Resilience, Scenario, SimDuration, SimTime,
    Simulation, TimedCommand, narrate,
};

fn at(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

/// The health transitions not yet taken from `sim`: seconds, server (0-based), transition.
fn health_log(sim: &mut Simulation) -> Vec<(f64, usize, HealthTransition)> {
    sim.drain_events()
        .filter_map(|e| match e.event {
            Event::Health(h) => Some((e.at.as_secs_f64(), h.server as usize, h.transition)),
            _ => None,
        })
        .collect()
}

const DOWN_REFUSED: HealthTransition = HealthTransition::Down {
    failures: 3,
    failure: CheckFailure::Refused,
};

/// The passive-check transitions not yet taken from `sim`: server (0-based), transition.
fn passive_log(sim: &mut Simulation) -> Vec<(usize, PassiveTransition)> {
    sim.drain_events()
        .filter_map(|e| match e.event {
            Event::Passive(p) => Some((p.server as usize, p.transition)),
            _ => None,
        })
        .collect()
}

fn quiet(resilience: Resilience) -> Scenario {
    Scenario {
        resilience,
        client_latency: SimDuration::ZERO,
        backend_latency: SimDuration::ZERO,
        ..Scenario::classroom()
    }
}

#[test]
fn haproxy_reference_timeline() {
    // inter 2 s, rise 2, fall 3, first check at t=0; the server dies at t=5:
    // failed checks at 6, 8, 10 -> DOWN at t=10.
    let mut sim = Simulation::new(quiet(Scenario::classroom().resilience)).unwrap();
    sim.advance_to(at(5.0));
    sim.apply(Command::Kill { server: 2 }).unwrap();
    sim.advance_to(at(20.0));
    let log = health_log(&mut sim);
    assert_eq!(log, [(10.0, 2, DOWN_REFUSED)]);
}

#[test]
fn haproxy_fastinter_timeline() {
    // With fastinter 500 ms the three failures are 500 ms apart: DOWN one second after the first.
    let check = ActiveCheck {
        fastinter: Some(SimDuration::from_millis(500)),
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    let mut sim = Simulation::new(quiet(Resilience {
        health: Some(check),
        ..Resilience::NONE
    }))
    .unwrap();
    sim.advance_to(at(5.0));
    sim.apply(Command::Kill { server: 0 }).unwrap();
    sim.advance_to(at(20.0));
    let log = health_log(&mut sim);
    // Checks: 0 (health 3: in transition, so fastinter), 0.5 (4: full), 2.5, 4.5; dead at 5:
    // failures at 6.5, 7.0, 7.5.
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].0, 7.5);
}

#[test]
fn seed_material_timeline() {
    // Crash, three failed checks 2 s apart, DOWN at +6 s; restart at +10 s, two passes, UP at +14 s.
    // (A check that costs work reports that much later; the seed material's checks are instant.)
    let check = ActiveCheck {
        check_work: SimDuration::ZERO,
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    let mut sim = Simulation::new(quiet(Resilience {
        health: Some(check),
        ..Resilience::NONE
    }))
    .unwrap();
    sim.advance_to(at(10.0));
    sim.apply(Command::Kill { server: 2 }).unwrap();
    sim.advance_to(at(20.0));
    sim.apply(Command::Revive { server: 2 }).unwrap();
    sim.advance_to(at(40.0));
    let log = health_log(&mut sim);
    assert_eq!(
        log,
        [
            (16.0, 2, DOWN_REFUSED),
            (24.0, 2, HealthTransition::Up { passes: 2 })
        ]
    );
}

#[test]
fn a_badly_slowed_server_fails_its_checks_by_timeout() {
    let mut sim = Simulation::new(quiet(Scenario::classroom().resilience)).unwrap();
    sim.advance_to(at(10.0));
    sim.apply(Command::SetSpeed {
        server: 1,
        speed: 0.05,
    })
    .unwrap(); // a check now takes 2 s
    sim.advance_to(at(30.0));
    let log = health_log(&mut sim);
    assert!(
        log.iter().any(|&(_, server, t)| server == 1
            && matches!(
                t,
                HealthTransition::Down {
                    failure: CheckFailure::Timeout,
                    ..
                }
            )),
        "{log:?}"
    );
}

/// Settings under which every check is an event: instant checks, rise 1 and fall 1, so a
/// server is fully UP from the start and each check that disagrees with its state flips it.
fn flipping(mut s: Scenario) -> Scenario {
    let check = s.resilience.health.as_mut().unwrap();
    check.check_work = SimDuration::ZERO;
    check.rise = 1;
    check.fall = 1;
    s
}

/// When each server is first checked: every server dies at the start, so its first check marks
/// it DOWN.
fn first_checks(s: Scenario) -> Vec<f64> {
    let servers = s.servers.len();
    let mut sim = Simulation::new(flipping(s)).unwrap();
    for server in 0..servers {
        sim.apply(Command::Kill { server }).unwrap();
    }
    sim.advance_to(at(10.0));
    let mut log = health_log(&mut sim);
    log.sort_by_key(|&(_, server, _)| server);
    log.iter().map(|&(t, ..)| t).collect()
}

/// The times of server-1's first `n` checks: it is killed and revived after each check, so each
/// check flips it.
fn check_times(s: Scenario, n: usize) -> Vec<f64> {
    let mut sim = Simulation::new(flipping(s)).unwrap();
    sim.apply(Command::Kill { server: 0 }).unwrap();
    let (mut times, mut alive) = (Vec::new(), false);
    while times.len() < n {
        sim.advance_to(sim.now() + SimDuration::from_millis(10));
        if let Some(&(t, ..)) = health_log(&mut sim).iter().find(|&&(_, s, _)| s == 0) {
            times.push(t);
            alive = !alive;
            let server = 0;
            sim.apply(if alive {
                Command::Revive { server }
            } else {
                Command::Kill { server }
            })
            .unwrap();
        }
    }
    times
}

#[test]
fn haproxy_spreads_the_first_checks_over_the_interval() {
    let mut s = quiet(Scenario::classroom().resilience);
    s.resilience.check_schedule = CheckSchedule {
        spread_first: true,
        jitter_percent: 0,
    };
    // Four servers, inter 2 s: the one at position i of 4 first checks at 2000 x i / 4 ms.
    assert_eq!(first_checks(s.clone()), [0.0, 0.5, 1.0, 1.5]);
    // A server that is not checked takes no place in the spreading.
    s.servers[1].health = Some(ServerCheck::Off);
    assert_eq!(first_checks(s.clone()), [0.0, 0.666, 1.333]);
    // Without spreading every first check is at the start (the reference timelines).
    s.resilience.check_schedule = CheckSchedule::default();
    assert_eq!(first_checks(s), [0.0, 0.0, 0.0]);
}

#[test]
fn spread_checks_jitter_moves_each_interval_within_its_percentage() {
    let mut s = quiet(Scenario::classroom().resilience);
    s.resilience.check_schedule = CheckSchedule {
        spread_first: false,
        jitter_percent: 25,
    };
    let times = check_times(s.clone(), 30);
    let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    // inter 2 s, 25%: every interval within 1.5 to 2.5 s, and they differ.
    assert!(gaps.iter().all(|g| (1.5..=2.5).contains(g)), "{gaps:?}");
    let (low, high) = gaps
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), &g| (l.min(g), h.max(g)));
    assert!(high - low > 0.5, "{gaps:?}");
    // Deterministic for a seed; without jitter, exactly inter.
    assert_eq!(check_times(s.clone(), 30), times);
    s.resilience.check_schedule.jitter_percent = 0;
    assert_eq!(check_times(s, 5), [0.0, 2.0, 4.0, 6.0, 8.0]);
}

#[test]
fn a_check_over_the_network_takes_the_round_trip_and_it_counts_against_the_timeout() {
    let mut s = quiet(Scenario::classroom().resilience);
    s.backend_latency = SimDuration::from_millis(150);
    s.resilience.health.as_mut().unwrap().over_network = true;
    // The reference timeline, each result 300 ms later: DOWN at 10.3 s, not 10 s.
    let mut sim = Simulation::new(s.clone()).unwrap();
    sim.advance_to(at(5.0));
    sim.apply(Command::Kill { server: 2 }).unwrap();
    sim.advance_to(at(20.0));
    assert_eq!(health_log(&mut sim), [(10.3, 2, DOWN_REFUSED)]);
    // A round trip longer than the timeout fails every check of a healthy server.
    s.backend_latency = SimDuration::from_millis(600);
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(at(5.0));
    let log = health_log(&mut sim);
    assert_eq!(log.len(), 4, "{log:?}");
    assert!(log.iter().all(|&(t, _, h)| t == 1.0
        && h == HealthTransition::Down {
            failures: 1,
            failure: CheckFailure::Timeout
        }));
}

#[test]
fn a_revived_server_refuses_connections_until_it_has_started() {
    let mut s = quiet(Scenario::classroom().resilience);
    s.servers[2].startup = SimDuration::from_secs(5);
    s.resilience.health.as_mut().unwrap().check_work = SimDuration::ZERO;
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(at(10.0));
    sim.apply(Command::Kill { server: 2 }).unwrap();
    sim.advance_to(at(20.0));
    sim.apply(Command::Revive { server: 2 }).unwrap();
    sim.advance_to(at(40.0));
    // DOWN at 16 s (checks at 12, 14, 16). Revived at 20 s, it starts until 25 s: the checks at
    // 22 and 24 s are refused, 26 and 28 s pass: UP at 28 s (without a start-up time, 24 s).
    assert_eq!(
        health_log(&mut sim),
        [
            (16.0, 2, DOWN_REFUSED),
            (28.0, 2, HealthTransition::Up { passes: 2 })
        ]
    );
}

#[test]
fn a_server_with_its_own_checks_is_checked_by_them_and_one_with_none_is_not() {
    let mut s = quiet(Scenario::classroom().resilience);
    s.servers[0].health = Some(ServerCheck::Check(ActiveCheck {
        fastinter: Some(SimDuration::from_millis(500)),
        ..ActiveCheck::HAPROXY_DEFAULT
    }));
    s.servers[1].health = Some(ServerCheck::Off);
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(at(5.0));
    for server in 0..3 {
        sim.apply(Command::Kill { server }).unwrap();
    }
    sim.advance_to(at(20.0));
    // server-1 as in the fastinter timeline (7.5 s), server-2 never, server-3 as in the
    // reference timeline (10 s).
    let log = health_log(&mut sim);
    assert_eq!(
        log.iter().map(|&(t, s, _)| (t, s)).collect::<Vec<_>>(),
        [(7.5, 0), (10.0, 2)]
    );
    // A health-check change applies to every server, replacing their own settings.
    sim.apply(Command::SetHealthCheck(Some(ActiveCheck::HAPROXY_DEFAULT)))
        .unwrap();
    assert!(sim.servers().iter().all(|s| s.spec().health.is_none()));
    sim.advance_to(at(40.0));
    assert!(health_log(&mut sim).iter().any(|&(_, s, _)| s == 1));
}

#[test]
fn a_server_marked_down_is_in_maintenance_until_put_back() {
    let mut s = quiet(Scenario::classroom().resilience);
    s.servers[1].down = true;
    let mut sim = Simulation::new(s).unwrap();
    sim.apply(Command::Kill { server: 1 }).unwrap();
    sim.advance_to(at(20.0));
    // Not checked while in maintenance: its death goes unnoticed.
    assert_eq!(health_log(&mut sim), []);
    assert_eq!(sim.metrics().servers()[1].routed, 0);
    // Put back (drain off) it is checked from then on, starting as a server does (health =
    // rise: UP, but one failure marks it DOWN).
    sim.apply(Command::Drain {
        server: 1,
        on: false,
    })
    .unwrap();
    assert!(!sim.servers()[1].spec().down);
    sim.advance_to(at(40.0));
    assert_eq!(
        health_log(&mut sim),
        [(
            20.0,
            1,
            HealthTransition::Down {
                failures: 1,
                failure: CheckFailure::Refused
            }
        )]
    );
}

struct KillRun {
    held: u64,
    in_transit: u64,
    routed_in_window: u64,
    down_at: f64,
    sim: Simulation,
    /// Every event of the run.
    events: Vec<Logged>,
}

/// Four servers under load with health checks; server-3 is killed at t=30.
fn kill_under_load(retry: RetryPolicy) -> KillRun {
    let mut scenario = Scenario::classroom();
    scenario.traffic.rate = 12.0;
    scenario.resilience.retry = retry;
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(at(30.0));
    let victim = 2;
    let held = u64::from(sim.servers()[victim].busy() + sim.servers()[victim].queued());
    let in_transit = sim
        .requests()
        .filter(|r| r.server == Some(victim as u32) && r.phase == Phase::ToServer)
        .count() as u64;
    let routed_at_kill = sim.metrics().servers()[victim].routed;
    sim.apply(Command::Kill { server: victim }).unwrap();
    // Step until the health checks mark it DOWN.
    let mut t = 30.0;
    let mut events: Vec<Logged> = Vec::new();
    let down_at = loop {
        t += 0.01;
        sim.advance_to(at(t));
        events.extend(sim.drain_events());
        let down = events
            .iter()
            .find(|e| matches!(e.event, Event::Health(h) if h.server == 2));
        if let Some(down) = down {
            break down.at.as_secs_f64();
        }
    };
    let routed_in_window = sim.metrics().servers()[victim].routed - routed_at_kill;
    sim.advance_to(at(90.0));
    assert_eq!(
        sim.metrics().servers()[victim].routed,
        routed_at_kill + routed_in_window,
        "nothing is routed to it once it is DOWN"
    );
    events.extend(sim.drain_events());
    KillRun {
        held,
        in_transit,
        routed_in_window,
        down_at,
        sim,
        events,
    }
}

#[test]
fn without_retries_exactly_the_requests_that_hit_the_dead_server_fail() {
    let run = kill_under_load(RetryPolicy::OFF);
    assert!(
        run.down_at > 30.0 && run.down_at <= 36.0,
        "detected at {}",
        run.down_at
    );
    assert!(
        run.routed_in_window > 5,
        "the window let requests through: {}",
        run.routed_in_window
    );
    let totals = run.sim.totals();
    let expected = run.held + run.in_transit + run.routed_in_window;
    assert_eq!(totals.failed, expected, "{totals:?}");
    assert_eq!(run.sim.metrics().servers()[2].failed, expected);
    assert_eq!(run.sim.metrics().retries(), 0);
}

#[test]
fn with_health_checks_and_retries_clients_see_no_errors() {
    let run = kill_under_load(RetryPolicy::NGINX_DEFAULT);
    let totals = run.sim.totals();
    assert_eq!(totals.failed + totals.rejected, 0, "{totals:?}");
    // Every try that hit the dead server was retried once, elsewhere.
    assert_eq!(
        run.sim.metrics().retries(),
        run.held + run.in_transit + run.routed_in_window
    );
    assert!(totals.balanced());
    let retries: Vec<_> = run
        .events
        .iter()
        .filter_map(|e| match e.event {
            Event::Retry(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len() as u64, run.sim.metrics().retries());
    assert!(
        retries.iter().all(|r| r.server == 2 && r.cause.tries == 1),
        "{retries:?}"
    );
}

#[test]
fn without_active_checks_nginx_passive_checks_take_a_dead_server_out() {
    let mut scenario = Scenario::classroom();
    scenario.resilience = Resilience {
        passive: Passive::NGINX_DEFAULT,
        ..Resilience::NONE
    };
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(at(10.0));
    sim.apply(Command::Kill { server: 0 }).unwrap();
    sim.advance_to(at(60.0));
    // One failure takes it out for 10 s; then a single probe fails again: about one failure per
    // 10 s instead of a quarter of all traffic.
    let failed = sim.metrics().servers()[0].failed;
    assert!((4..=8).contains(&failed), "{failed} failures");
    let passive: Vec<_> = passive_log(&mut sim);
    assert_eq!(
        passive[0],
        (
            0,
            PassiveTransition::Skipped {
                fails: 1,
                max_fails: 1,
                fail_timeout: SimDuration::from_secs(10)
            }
        ),
        "{passive:?}"
    );
}

#[test]
fn without_any_checks_a_dead_server_keeps_getting_traffic() {
    let mut scenario = Scenario::classroom();
    scenario.resilience = Resilience::NONE;
    let mut sim = Simulation::new(scenario).unwrap();
    sim.apply(Command::Kill { server: 0 }).unwrap();
    sim.advance_to(at(40.0));
    sim.apply(Command::SetRate(0.0)).unwrap();
    sim.advance_to(at(45.0)); // let the last answers reach their clients
    let share = sim.metrics().servers()[0].routed as f64 / sim.totals().generated as f64;
    assert!(
        (share - 0.25).abs() < 0.03,
        "round robin keeps sending a quarter: {share}"
    );
    assert_eq!(sim.totals().failed, sim.metrics().servers()[0].failed);
}

#[test]
fn envoy_outlier_detection_ejects_an_erroring_server() {
    let mut scenario = Scenario::classroom();
    scenario.resilience = Resilience {
        passive: Passive::ENVOY_DEFAULT,
        ..Resilience::NONE
    };
    let mut sim = Simulation::new(scenario).unwrap();
    sim.apply(Command::SetErrorRate {
        server: 3,
        rate: 1.0,
    })
    .unwrap();
    sim.advance_to(at(100.0));
    let ejections: Vec<_> = passive_log(&mut sim)
        .into_iter()
        .filter_map(|(server, t)| match t {
            PassiveTransition::Ejected {
                length, ejection, ..
            } => Some((server, length.as_secs_f64(), ejection)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ejections[..2],
        [(3, 30.0, 1), (3, 60.0, 2)],
        "{ejections:?}"
    );
    // Five errors (and the calls already on their way) per ejection, instead of a quarter of all
    // traffic (about 250 requests).
    let failed = sim.metrics().servers()[3].failed;
    assert!(failed <= 30, "{failed} failed");
}

#[test]
fn below_the_panic_threshold_envoy_balances_across_all_hosts() {
    let mut scenario = Scenario::classroom();
    scenario.servers = (1..=10)
        .map(|i| lb_playground::sim::scenario::server(&format!("s{i}"), 1, 2))
        .collect();
    scenario.resilience.panic_threshold = Some(0.5);
    let mut sim = Simulation::new(scenario).unwrap();
    for server in 0..6 {
        sim.apply(Command::Kill { server }).unwrap();
    }
    sim.advance_to(at(10.0)); // all six are DOWN: 4 of 10 healthy
    let before: Vec<u64> = sim.metrics().servers().iter().map(|s| s.routed).collect();
    sim.advance_to(at(40.0));
    let during: Vec<u64> = sim
        .metrics()
        .servers()
        .iter()
        .zip(&before)
        .map(|(s, b)| s.routed - b)
        .collect();
    assert!(
        during.iter().all(|&n| n > 10),
        "traffic goes to all 10: {during:?}"
    );
    assert!(
        health_log(&mut sim)
            .iter()
            .any(|&(_, server, t)| server == 5 && !t.up())
    );
}

#[test]
fn an_open_breaker_refuses_and_retries_go_elsewhere() {
    let mut scenario = Scenario::classroom();
    scenario.resilience = Resilience {
        breaker: BreakerConfig::CONSECUTIVE_DEFAULT,
        ..Resilience::NONE
    };
    let mut sim = Simulation::new(scenario.clone()).unwrap();
    sim.apply(Command::SetErrorRate {
        server: 1,
        rate: 1.0,
    })
    .unwrap();
    sim.advance_to(at(50.0));
    sim.apply(Command::SetRate(0.0)).unwrap();
    sim.advance_to(at(55.0)); // let the last answers reach their clients
    let refused = sim.metrics().servers()[1].refused;
    assert!(refused > 50, "refused {refused}");
    let failed = sim.metrics().servers()[1].failed;
    // Five errors in a row open it; calls already on their way fail too; then it refuses.
    assert!((5..=10).contains(&failed), "{failed} failed");
    let totals = sim.totals();
    assert_eq!(
        totals.rejected, refused,
        "refusals are rejections, not server errors"
    );
    assert!(sim.drain_events().any(|e| matches!(
        e.event,
        Event::Breaker(b) if b.server == 1
            && b.transition.to == BreakerState::Open
            && b.transition.rule == BreakerRule::ConsecutiveFailures { threshold: 5 }
    )));

    // With retries, a refusal goes to another server.
    scenario.resilience.retry = RetryPolicy {
        on_500: true,
        ..RetryPolicy::NGINX_DEFAULT
    };
    let mut sim = Simulation::new(scenario).unwrap();
    sim.apply(Command::SetErrorRate {
        server: 1,
        rate: 1.0,
    })
    .unwrap();
    sim.advance_to(at(50.0));
    let totals = sim.totals();
    assert_eq!(totals.failed + totals.rejected, 0, "{totals:?}");
}

#[test]
fn per_try_timeouts_on_a_slow_server_amplify_the_load() {
    let mut scenario = Scenario::classroom();
    scenario.resilience.retry = RetryPolicy {
        per_try_timeout: Some(SimDuration::from_secs(1)),
        ..RetryPolicy::NGINX_DEFAULT
    };
    scenario.resilience.health = None;
    let mut sim = Simulation::new(scenario).unwrap();
    sim.apply(Command::SetSpeed {
        server: 0,
        speed: 0.1,
    })
    .unwrap();
    sim.advance_to(at(120.0));
    let slow = &sim.metrics().servers()[0];
    assert!(
        slow.wasted > 20,
        "the slow server finishes work nobody waits for: {}",
        slow.wasted
    );
    let tries: u64 = sim.metrics().servers().iter().map(|s| s.routed).sum();
    assert!(
        tries as f64 > 1.15 * sim.totals().generated as f64,
        "retries add load: {tries} tries"
    );
    assert!(sim.totals().balanced());
}

/// The events not yet taken from `sim`, in words: kind, text, cause.
fn worded(sim: &mut Simulation) -> Vec<(LogKind, String, String)> {
    let events: Vec<Logged> = sim.drain_events().collect();
    let servers = sim.servers();
    events
        .iter()
        .map(|e| {
            let text = narrate::text(e, servers);
            (e.event.kind(), text, narrate::cause(e, servers))
        })
        .collect()
}

/// The cause of the first of `events` of `kind` whose text contains `text`.
fn cause_of(events: &[(LogKind, String, String)], kind: LogKind, text: &str) -> String {
    events
        .iter()
        .find(|(k, t, _)| *k == kind && t.contains(text))
        .unwrap_or_else(|| panic!("no {kind:?} event with {text:?}: {events:?}"))
        .2
        .clone()
}

#[test]
fn a_health_down_says_which_check_settings_decided_it() {
    // The reference timeline: inter 2 s, fall 3, the server killed at t=5, DOWN at t=10.
    let mut sim = Simulation::new(quiet(Scenario::classroom().resilience)).unwrap();
    sim.advance_to(at(5.0));
    sim.apply(Command::Kill { server: 2 }).unwrap();
    sim.advance_to(at(20.0));
    assert_eq!(
        cause_of(&worded(&mut sim), LogKind::Health, "server-3 DOWN"),
        "HAProxy HTTP check (an error status fails it; the body is not read): every 2 s, timeout 1 s, fall 3: the server was marked DOWN after \
         3 consecutive failed checks; last failure: connection refused"
    );
    sim.apply(Command::Revive { server: 2 }).unwrap();
    sim.advance_to(at(40.0));
    assert_eq!(
        cause_of(&worded(&mut sim), LogKind::Health, "server-3 UP"),
        "HAProxy HTTP check (an error status fails it; the body is not read): every 2 s, timeout 1 s, rise 2: the server was marked UP after \
         2 consecutive passed checks"
    );
}

#[test]
fn a_breaker_open_names_its_design_and_settings() {
    let mut scenario = Scenario::classroom();
    scenario.resilience = Resilience {
        breaker: BreakerConfig::CONSECUTIVE_DEFAULT,
        retry: RetryPolicy {
            on_500: true,
            ..RetryPolicy::NGINX_DEFAULT
        },
        ..Resilience::NONE
    };
    let mut sim = Simulation::new(scenario).unwrap();
    sim.apply(Command::SetErrorRate {
        server: 1,
        rate: 1.0,
    })
    .unwrap();
    sim.advance_to(at(10.0));
    let events: Vec<Logged> = sim.drain_events().collect();
    let open = events
        .iter()
        .find(|e| matches!(e.event, Event::Breaker(b) if b.transition.to == BreakerState::Open))
        .unwrap();
    assert_eq!(
        narrate::cause(open, sim.servers()),
        format!(
            "Consecutive-failures breaker: threshold 5 failures, opens for 60 s, then lets one \
             trial call through. Now open: calls to this server are refused at the balancer, \
             without being sent, until t={:.1} s.",
            open.at.as_secs_f64() + 60.0
        )
    );
    let retry = events
        .iter()
        .find(|e| e.event.kind() == LogKind::Retry)
        .map(|e| narrate::cause(e, sim.servers()))
        .unwrap();
    assert!(
        retry.starts_with("Retry policy: 3 tries on error timeout http_500. The try ended with "),
        "{retry}"
    );
    assert!(retry.ends_with("There is no retry budget, so every retryable failure is retried."));
}

#[test]
fn a_command_says_whether_a_user_or_the_timeline_gave_it() {
    let mut scenario = quiet(Resilience::NONE);
    scenario.timeline = vec![TimedCommand {
        at: at(30.0),
        command: Command::Kill { server: 0 },
    }];
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(at(5.0));
    sim.apply(Command::Kill { server: 2 }).unwrap();
    sim.advance_to(at(31.0));
    let events = worded(&mut sim);
    assert_eq!(
        cause_of(&events, LogKind::Command, "server-3 killed"),
        "You applied this at t=5.0 s, from the controls or a keyboard shortcut. The balancer is \
         not told, and nothing watches for it (no health checks, passive checks or breakers): it \
         keeps sending requests there, and they fail."
    );
    assert_eq!(
        cause_of(&events, LogKind::Command, "server-1 killed"),
        "The scenario's timeline applied this at its scheduled time t=30.0 s (entry 1 of 1): it \
         comes with the scenario (a preset, a scenario file or a shared link), not from a click in \
         this run. The balancer is not told, and nothing watches for it (no health checks, passive \
         checks or breakers): it keeps sending requests there, and they fail."
    );
}

#[test]
fn passive_ejections_and_remaps_explain_their_mechanism() {
    let mut sim = Simulation::new(quiet(Resilience {
        passive: Passive::ENVOY_DEFAULT,
        ..Resilience::NONE
    }))
    .unwrap();
    sim.apply(Command::Kill { server: 1 }).unwrap();
    sim.advance_to(at(10.0));
    let ejected = cause_of(&worded(&mut sim), LogKind::Passive, "ejected");
    assert!(
        ejected.starts_with("Envoy outlier detection (consecutive_5xx 5, base_ejection_time 30 s"),
        "{ejected}"
    );
    assert!(ejected.contains("(this is ejection #1)"), "{ejected}");

    let mut scenario = quiet(Resilience::NONE);
    scenario.algorithm = Algorithm::ConsistentHashIp;
    let mut sim = Simulation::new(scenario).unwrap();
    sim.apply(Command::SetWeight {
        server: 3,
        weight: 0,
    })
    .unwrap();
    let remap = cause_of(
        &worded(&mut sim),
        LogKind::Remap,
        "consistent hashing moved",
    );
    assert!(remap.contains("(server-4 left)"), "{remap}");
    assert!(remap.contains("(4 -> 3 servers)"), "{remap}");
}

#[test]
fn a_tcp_check_passes_and_an_http_check_fails_on_a_server_answering_500s() {
    // Server 1 answers every request with a 500 from 2 s, server 2 answers in 2 s (a check
    // costs 100 ms of work: at a twentieth of the speed it passes the 1 s timeout).
    let run = |kind: CheckKind| {
        let mut s = quiet(Scenario::classroom().resilience);
        s.resilience.health.as_mut().unwrap().kind = kind;
        let mut sim = Simulation::new(s).unwrap();
        sim.advance_to(at(2.0));
        sim.apply(Command::SetErrorRate {
            server: 0,
            rate: 1.0,
        })
        .unwrap();
        sim.apply(Command::SetSpeed {
            server: 1,
            speed: 0.05,
        })
        .unwrap();
        sim.advance_to(at(30.0));
        health_log(&mut sim)
    };
    assert_eq!(run(CheckKind::Tcp), []);
    let http = run(CheckKind::Http);
    let failure = |server| {
        http.iter().find_map(|&(_, s, t)| match t {
            HealthTransition::Down { failure, .. } if s == server => Some(failure),
            _ => None,
        })
    };
    assert_eq!(failure(0), Some(CheckFailure::Error), "{http:?}");
    assert_eq!(failure(1), Some(CheckFailure::Timeout), "{http:?}");
    // Both kinds see a dead server.
    let mut s = quiet(Scenario::classroom().resilience);
    s.resilience.health.as_mut().unwrap().kind = CheckKind::Tcp;
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(at(5.0));
    sim.apply(Command::Kill { server: 2 }).unwrap();
    sim.advance_to(at(20.0));
    assert_eq!(health_log(&mut sim), [(10.0, 2, DOWN_REFUSED)]);
}

#[test]
fn only_a_check_of_the_body_catches_a_server_whose_database_is_down() {
    // Checks at 0, 2, 4, ... s; server 1's database goes at 5 s and comes back at 21 s. Its
    // health page still answers 200: TCP and status-only HTTP checks pass it all along, while
    // the body check started at 6, 8 and 10 s fails (DOWN when the third answers, 100 ms of
    // check work later: 10.1 s, fall 3) and the ones at 22 and 24 s pass (UP at 24.1 s, rise 2).
    let run = |kind: CheckKind| {
        let mut s = quiet(Scenario::classroom().resilience);
        s.resilience.health.as_mut().unwrap().kind = kind;
        let mut sim = Simulation::new(s).unwrap();
        sim.advance_to(at(5.0));
        let down = |down| Command::SetDatabaseDown { server: 0, down };
        sim.apply(down(true)).unwrap();
        sim.advance_to(at(21.0));
        sim.apply(down(false)).unwrap();
        sim.advance_to(at(30.0));
        (health_log(&mut sim), sim.metrics().servers()[0].failed)
    };
    let (tcp, failed_tcp) = run(CheckKind::Tcp);
    let (http, failed_http) = run(CheckKind::Http);
    assert_eq!(tcp, []);
    assert_eq!(http, []);
    let (body, failed_body) = run(CheckKind::HttpExpect);
    assert_eq!(
        body,
        [
            (
                10.1,
                0,
                HealthTransition::Down {
                    failures: 3,
                    failure: CheckFailure::Unexpected
                }
            ),
            (24.1, 0, HealthTransition::Up { passes: 2 })
        ]
    );
    // Every request it took while its database was down failed: a quarter of 16 s of traffic
    // at 10 req/s under round robin with status checks, only 5 s of it with the body check.
    assert_eq!(failed_tcp, failed_http);
    assert!((35..=45).contains(&failed_http), "{failed_http}");
    assert!((10..=15).contains(&failed_body), "{failed_body}");
}

#[test]
fn the_health_check_kinds_preset_shows_each_kind_missing_what_the_next_catches() {
    let mut sim =
        Simulation::new(lb_playground::sim::presets::preset("health-check-kinds").unwrap())
            .unwrap();
    let failed = |sim: &Simulation, server: usize| sim.metrics().servers()[server].failed;
    sim.advance_to(at(40.0));
    // Under TCP checks the erroring, the slow and the database-less server stay UP and in
    // rotation: a sixth of 10 req/s for 30 s each fails at server-2 and server-4.
    assert_eq!(health_log(&mut sim), []);
    for server in [1, 3] {
        let failed = failed(&sim, server);
        assert!((30..=70).contains(&failed), "server {server}: {failed}");
    }
    // Status checks: the first two within a second, not server-4.
    sim.advance_to(at(70.0));
    let downs = |log: &[(f64, usize, HealthTransition)]| -> Vec<(usize, CheckFailure)> {
        log.iter()
            .filter_map(|&(_, s, h)| match h {
                HealthTransition::Down { failure, .. } => Some((s, failure)),
                _ => None,
            })
            .collect()
    };
    let log = health_log(&mut sim);
    assert!(
        log.iter().all(|&(t, _, _)| (40.0..=41.1).contains(&t)),
        "{log:?}"
    );
    assert_eq!(
        downs(&log),
        [(1, CheckFailure::Error), (2, CheckFailure::Timeout)],
        "{log:?}"
    );
    // Body checks start every server over at UP: the first check of each takes its server out
    // again, server-4 at last, for its 200 without the OK.
    let before = failed(&sim, 3);
    assert!(before > 50, "{before}");
    sim.advance_to(at(80.0));
    let log = health_log(&mut sim);
    assert_eq!(
        downs(&log),
        [
            (1, CheckFailure::Error),
            (3, CheckFailure::Unexpected),
            (2, CheckFailure::Timeout)
        ],
        "{log:?}"
    );
    // Once out, neither fails anything more.
    let (two, four) = (failed(&sim, 1), failed(&sim, 3));
    sim.advance_to(at(100.0));
    assert_eq!((failed(&sim, 1), failed(&sim, 3)), (two, four));
}
