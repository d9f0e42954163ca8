//! Whole runs of the simulation core: determinism, accounting, queueing theory, and the effect of
//! every command. Native only (the browser tests live in tests/browser.rs).
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::scenario::server;
use lb_playground::sim::traffic::{CostDistribution, Pattern, Traffic};
use lb_playground::sim::{
    Algorithm, Command, Phase, Resilience, Scenario, SimDuration, SimTime, Simulation, SlowStart,
};

fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

/// A fingerprint of everything a run measured.
fn fingerprint(sim: &Simulation) -> String {
    let m = sim.metrics();
    let servers: Vec<_> = m
        .servers()
        .iter()
        .map(|s| (s.routed, s.completed, s.failed, s.latency.quantile(0.99)))
        .collect();
    format!(
        "{:?} {:?} {:?} {:?}",
        sim.totals(),
        m.latency().mean(),
        servers,
        m.series().back()
    )
}

fn run_classroom(seed: u64) -> Simulation {
    let mut sim = Simulation::new(Scenario {
        seed,
        ..Scenario::classroom()
    })
    .unwrap();
    sim.advance_to(secs(20.0));
    sim.apply(Command::Kill { server: 1 }).unwrap();
    sim.advance_to(secs(30.0));
    sim.apply(Command::SetSpeed {
        server: 2,
        speed: 0.25,
    })
    .unwrap();
    sim.apply(Command::SetAlgorithm(Algorithm::LeastConnections))
        .unwrap();
    sim.advance_to(secs(45.0));
    sim.apply(Command::Revive { server: 1 }).unwrap();
    sim.apply(Command::SetWeight {
        server: 0,
        weight: 3,
    })
    .unwrap();
    sim.advance_to(secs(60.0));
    sim
}

#[test]
fn same_seed_and_commands_give_identical_runs() {
    let a = run_classroom(7);
    let b = run_classroom(7);
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert!(
        a.totals().generated > 400,
        "the run did something: {:?}",
        a.totals()
    );
}

#[test]
fn a_different_seed_gives_a_different_run() {
    assert_ne!(
        fingerprint(&run_classroom(7)),
        fingerprint(&run_classroom(8))
    );
}

#[test]
fn the_event_count_grows_with_time_and_is_deterministic() {
    let counts = |seed: u64| -> Vec<u64> {
        let mut sim = Simulation::new(Scenario {
            seed,
            ..Scenario::classroom()
        })
        .unwrap();
        let mut counts = vec![sim.events_processed()];
        for t in [10.0, 20.0, 30.0] {
            sim.advance_to(secs(t));
            counts.push(sim.events_processed());
        }
        counts
    };
    let a = counts(7);
    assert_eq!(a[0], 0, "nothing is processed before the clock moves");
    assert!(
        a.windows(2).all(|w| w[0] < w[1]),
        "every 10 simulated seconds process events: {a:?}"
    );
    // Every request is at least sent, received by the balancer and answered.
    let mut sim = run_classroom(7);
    assert!(sim.events_processed() >= 3 * sim.totals().generated);
    let before = sim.events_processed();
    sim.advance_to(sim.now());
    assert_eq!(sim.events_processed(), before, "no time, no events");
    assert_eq!(a, counts(7), "same scenario and seed, same count");
    assert_eq!(
        run_classroom(7).events_processed(),
        sim.events_processed(),
        "commands included"
    );
}

#[test]
fn replaying_the_recording_reproduces_the_run() {
    let original = run_classroom(3);
    let mut replay = Simulation::new(original.scenario().clone()).unwrap();
    for timed in original.recording() {
        replay.advance_to(timed.at);
        replay.apply(timed.command).unwrap();
    }
    replay.advance_to(original.now());
    assert_eq!(fingerprint(&replay), fingerprint(&original));
}

#[test]
fn every_request_is_accounted_for_at_every_instant() {
    let mut sim = Simulation::new(Scenario {
        seed: 11,
        ..Scenario::classroom()
    })
    .unwrap();
    let commands = [
        Command::Kill { server: 0 },
        Command::SetSpeed {
            server: 1,
            speed: 0.1,
        },
        Command::SetRate(40.0),
        Command::Kill { server: 1 },
        Command::Kill { server: 2 },
        Command::Kill { server: 3 },
        Command::Revive { server: 0 },
        Command::SetWeight {
            server: 0,
            weight: 0,
        },
        Command::SetWeight {
            server: 0,
            weight: 2,
        },
        Command::Revive { server: 2 },
        Command::SetMeanCost(SimDuration::from_millis(50)),
        Command::SetAlgorithm(Algorithm::SmoothWeighted),
    ];
    let mut t = 0.0;
    for command in commands {
        for _ in 0..40 {
            t += 0.05;
            sim.advance_to(secs(t));
            let totals = sim.totals();
            assert!(totals.balanced(), "t={t}: {totals:?}");
            let live = sim.requests().count() as u64;
            assert_eq!(live, totals.in_flight + totals.queued, "t={t}");
        }
        sim.apply(command).unwrap();
        assert!(sim.totals().balanced());
    }
    let totals = sim.totals();
    assert!(
        totals.failed > 0 && totals.rejected > 0 && totals.completed > 0,
        "{totals:?}"
    );
}

#[test]
fn with_every_server_dead_the_balancer_answers_503_at_once() {
    let mut sim = Simulation::new(Scenario::classroom()).unwrap();
    for server in 0..4 {
        sim.apply(Command::Kill { server }).unwrap();
    }
    sim.advance_to(secs(10.0));
    let t = sim.totals();
    assert!(t.rejected > 50, "{t:?}");
    assert_eq!((t.completed, t.failed), (0, 0));
    // Rejected at the balancer: the answer only travels back to the client.
    assert!(
        sim.requests()
            .all(|r| matches!(r.phase, Phase::ToBalancer | Phase::ToClient))
    );
}

#[test]
fn weights_steer_the_share_of_requests() {
    let mut scenario = Scenario::classroom();
    scenario.algorithm = Algorithm::SmoothWeighted;
    scenario.servers[0].weight = 5;
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(secs(200.0));
    let routed: Vec<u64> = sim.metrics().servers().iter().map(|s| s.routed).collect();
    let total: u64 = routed.iter().sum();
    // Smooth WRR is exact: 5/8 of the picks, give or take the unfinished cycle.
    assert!(
        (routed[0] as f64 / total as f64 - 5.0 / 8.0).abs() < 0.01,
        "{routed:?}"
    );
}

#[test]
fn a_slow_server_hurts_round_robin_more_than_least_connections() {
    let p99 = |algorithm| {
        let mut scenario = Scenario {
            algorithm,
            seed: 5,
            ..Scenario::classroom()
        };
        scenario.servers[3].speed = 0.2;
        scenario.traffic.rate = 9.0;
        let mut sim = Simulation::new(scenario).unwrap();
        sim.advance_to(secs(600.0));
        sim.metrics().latency().quantile(0.99).unwrap()
    };
    let rr = p99(Algorithm::RoundRobin);
    let lc = p99(Algorithm::LeastConnections);
    assert!(
        rr > 2 * lc,
        "round robin p99 {rr} µs vs least connections {lc} µs"
    );
}

#[test]
fn bad_commands_are_refused_and_change_nothing() {
    let mut sim = Simulation::new(Scenario::classroom()).unwrap();
    let errors = [
        (
            Command::Kill { server: 4 },
            "server: no server number 5 (there are 4)",
        ),
        (
            Command::SetWeight {
                server: 0,
                weight: 5000,
            },
            "weight: 5000 is above the maximum 1000",
        ),
        (
            Command::SetSpeed {
                server: 0,
                speed: 0.0,
            },
            "speed: 0 is below the minimum 0.01",
        ),
        (
            Command::SetRate(f64::NAN),
            "rate: NaN is not a finite number",
        ),
    ];
    for (command, message) in errors {
        assert_eq!(sim.apply(command).unwrap_err().to_string(), message);
    }
    assert!(sim.recording().is_empty() && sim.poll_event().is_none());
}

/// Mean time in system of an M/M/1 queue with service rate 1 and arrival rate `rho`, measured.
fn mm1_mean(rho: f64, seed: u64) -> f64 {
    let mean_cost = SimDuration::from_millis(10);
    let scenario = Scenario {
        seed,
        servers: vec![server("only", 1, 1)],
        algorithm: Algorithm::RoundRobin,
        traffic: Traffic {
            rate: rho / mean_cost.as_secs_f64(),
            cost: CostDistribution::Exponential { mean: mean_cost },
            clients: 1,
            behind_nat: 0,
            addresses: Vec::new(),
            pattern: Pattern::Poisson,
            client_timeout: None,
            client_retry: None,
            closed_loop: None,
        },
        client_latency: SimDuration::ZERO,
        backend_latency: SimDuration::ZERO,
        sample_every: SimDuration::from_secs(1),
        slow_start: SlowStart::Off,
        resilience: Resilience::NONE,
        ..Scenario::classroom()
    };
    let mut sim = Simulation::new(scenario).unwrap();
    // About a million requests.
    let arrivals_per_sec = rho / mean_cost.as_secs_f64();
    sim.advance_to(SimTime::from_secs_f64(1_000_000.0 / arrivals_per_sec));
    let latency = sim.metrics().latency();
    assert!(latency.count() > 950_000, "{} requests", latency.count());
    latency.mean().unwrap() / mean_cost.0 as f64
}

#[test]
fn mm1_mean_time_in_system_matches_theory() {
    for (rho, seed) in [(0.5, 1), (0.8, 2)] {
        let theory = 1.0 / (1.0 - rho);
        let measured = mm1_mean(rho, seed);
        let error = (measured - theory).abs() / theory;
        assert!(
            error < 0.03,
            "rho {rho}: measured {measured:.3}, theory {theory:.3}"
        );
    }
}

#[test]
fn capacity_counts_live_workers_at_their_speed() {
    let mut sim = Simulation::new(Scenario::classroom()).unwrap();
    // 4 servers x 2 workers / 0.5 s.
    assert_eq!(sim.capacity(), 16.0);
    sim.apply(Command::Kill { server: 0 }).unwrap();
    sim.apply(Command::SetSpeed {
        server: 1,
        speed: 0.5,
    })
    .unwrap();
    assert_eq!(sim.capacity(), 10.0);
    // A removed server only finishes what it has.
    sim.apply(Command::RemoveServer { server: 2 }).unwrap();
    assert_eq!(sim.capacity(), 6.0);
}

mod portable;

#[test]
fn the_pinned_run_gives_its_pinned_numbers() {
    assert_eq!(portable::fingerprint(), portable::EXPECTED);
}

#[test]
fn the_pinned_preset_report_gives_its_pinned_digest() {
    assert_eq!(
        portable::preset_report_digest(),
        portable::EXPECTED_REPORT_DIGEST
    );
}

#[test]
fn presets_reports_at_their_end_give_their_pinned_digests() {
    // Every preset's digest first, then one assertion naming all that moved.
    let moved: Vec<String> = portable::EXPECTED_END_DIGESTS
        .iter()
        .filter_map(|&(id, expected)| {
            let got = portable::preset_end_digest(id);
            (got != expected).then(|| format!("(\"{id}\", \"{got}\") was {expected}"))
        })
        .collect();
    assert!(moved.is_empty(), "{}", moved.join("\n"));
}

fn arrivals_between(sim: &mut Simulation, from: f64, to: f64) -> u64 {
    sim.advance_to(secs(from));
    let before = sim.totals().generated;
    sim.advance_to(secs(to));
    sim.totals().generated - before
}

#[test]
fn arrival_patterns_shape_the_rate() {
    use lb_playground::sim::traffic::Pattern;
    let run = |pattern: Pattern| {
        let mut s = Scenario::classroom();
        s.traffic.rate = 20.0;
        s.traffic.pattern = pattern;
        Simulation::new(s).unwrap()
    };
    // Bursts: 5 s on, 5 s off.
    let mut sim = run(Pattern::Bursts {
        on: SimDuration::from_secs(5),
        off: SimDuration::from_secs(5),
    });
    assert_eq!(arrivals_between(&mut sim, 5.0, 10.0), 0, "quiet while off");
    let on = arrivals_between(&mut sim, 10.0, 15.0);
    assert!((70..=130).contains(&on), "about 100 while on: {on}");
    // A spike to 4x between 20 s and 40 s (after a 5 s ramp).
    let spike = Pattern::Spike {
        start: SimDuration::from_secs(15),
        ramp: SimDuration::from_secs(5),
        hold: SimDuration::from_secs(20),
        peak: 4.0,
    };
    let mut sim = run(spike);
    let base = arrivals_between(&mut sim, 0.0, 10.0);
    let peak = arrivals_between(&mut sim, 20.0, 30.0);
    assert!(
        (peak as f64 / base as f64 - 4.0).abs() < 0.6,
        "{base} -> {peak}"
    );
    // Evenly spaced: exactly the rate.
    let mut sim = run(Pattern::Constant);
    assert_eq!(arrivals_between(&mut sim, 10.0, 20.0), 200);
    // A wave averages to the base rate over whole periods.
    let mut sim = run(Pattern::Wave {
        period: SimDuration::from_secs(60),
        amplitude: 0.8,
    });
    let total = arrivals_between(&mut sim, 0.0, 600.0);
    assert!((total as f64 / 12_000.0 - 1.0).abs() < 0.05, "{total}");
}

#[test]
fn clients_that_give_up_count_as_failures_and_nothing_leaks() {
    let mut s = Scenario::classroom();
    s.traffic.client_timeout = Some(SimDuration::from_secs(3));
    s.servers[0].speed = 0.1; // its requests take 5 s on average
    let mut sim = Simulation::new(s).unwrap();
    for t in 1..=120 {
        sim.advance_to(secs(f64::from(t)));
        assert!(sim.totals().balanced());
    }
    let totals = sim.totals();
    assert!(totals.failed > 50, "{totals:?}");
    // Every request the client saw fail took exactly the timeout, and the balancer does not
    // count the abandoned tries as still active.
    assert!(sim.pool().iter().all(|c| c.active < 10), "{:?}", sim.pool());
    assert!(sim.metrics().servers()[0].wasted + sim.metrics().servers()[0].completed > 0);
}

#[test]
fn servers_can_be_added_removed_and_can_degrade() {
    let mut sim = Simulation::new(Scenario::classroom()).unwrap();
    sim.advance_to(secs(10.0));
    sim.apply(Command::AddServer {
        weight: 1,
        workers: 2,
    })
    .unwrap();
    assert_eq!(sim.servers()[4].spec().name, "server-5");
    sim.advance_to(secs(40.0));
    assert!(
        sim.metrics().servers()[4].routed > 40,
        "the new server takes a share"
    );
    assert!(
        sim.backends()[4].health().is_some(),
        "and is health-checked"
    );

    sim.apply(Command::RemoveServer { server: 1 }).unwrap();
    let routed = sim.metrics().servers()[1].routed;
    sim.advance_to(secs(60.0));
    assert_eq!(
        sim.metrics().servers()[1].routed,
        routed,
        "a removed server gets nothing new"
    );
    assert_eq!(
        sim.servers()[1].busy() + sim.servers()[1].queued(),
        0,
        "and finishes what it had"
    );
    let refused = sim.apply(Command::Kill { server: 1 }).unwrap_err();
    assert_eq!(refused.to_string(), "server: server-2 was removed");

    sim.apply(Command::Degrade {
        server: 0,
        per_minute: 0.5,
    })
    .unwrap();
    sim.advance_to(secs(120.0));
    let speed = sim.servers()[0].spec().speed;
    assert!(
        (speed - 0.5).abs() < 0.02,
        "half its speed after a minute: {speed}"
    );
    sim.apply(Command::Kill { server: 0 }).unwrap();
    sim.apply(Command::Revive { server: 0 }).unwrap();
    assert_eq!(
        sim.servers()[0].spec().speed,
        1.0,
        "a restart cures the leak (for a while)"
    );
    assert!(sim.totals().balanced());
}

#[test]
fn measured_latency_agrees_with_the_queueing_models() {
    use lb_playground::sim::theory::expected_latency;
    let measured_vs_theory = |algorithm, servers: u32, workers: u32, rate: f64| {
        let mut s = Scenario {
            algorithm,
            client_latency: SimDuration::ZERO,
            backend_latency: SimDuration::ZERO,
            resilience: Resilience::NONE,
            ..Scenario::classroom()
        };
        s.servers = (1..=servers)
            .map(|i| server(&format!("s{i}"), 1, workers))
            .collect();
        s.traffic.rate = rate;
        let mut sim = Simulation::new(s).unwrap();
        let theory = expected_latency(&sim).expect("a model fits");
        sim.advance_to(secs(20_000.0));
        (
            sim.metrics().latency().mean().unwrap() / 1e3,
            theory.mean_ms,
        )
    };
    // Random split over 4 servers of 2 workers at 80%: exactly M/M/2 per server.
    let (measured, theory) = measured_vs_theory(Algorithm::Random, 4, 2, 12.8);
    assert!(
        (measured / theory - 1.0).abs() < 0.05,
        "random: {measured:.1} vs {theory:.1} ms"
    );
    // Round robin smooths the input: a little better than the random-split model.
    let (measured, theory) = measured_vs_theory(Algorithm::RoundRobin, 4, 2, 12.8);
    assert!(
        measured < theory && measured > 0.7 * theory,
        "round robin: {measured:.1} vs {theory:.1} ms"
    );
    // Power of two choices over 20 single-worker servers at 90%: near the many-server limit.
    let (measured, theory) = measured_vs_theory(Algorithm::NginxRandomTwo, 20, 1, 36.0);
    assert!(
        (measured / theory - 1.0).abs() < 0.15,
        "p2c: {measured:.1} vs {theory:.1} ms"
    );
}
