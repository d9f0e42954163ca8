//! Property tests (proptest) over random pools, server states and operation sequences.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;

use lb_playground::sim::autoscale::{Autoscale, Hpa, Metric, Policy, TargetTracking};
use lb_playground::sim::balancer::{
    Balancer, Candidate, PickContext, RequestKey, SmoothWeighted, remap,
};
use lb_playground::sim::balancer_cpu::{BalancerCost, Tls, TlsMode};
use lb_playground::sim::breaker::{
    BreakerConfig, BreakerState, CircuitBreaker, Resilience4j, WindowKind,
};
use lb_playground::sim::clients::{Backoff, ClientRetry, ClosedLoop, Jitter, RetryThrottle};
use lb_playground::sim::connections::{Connections, Layer, Protocol};
use lb_playground::sim::front::dns::DnsConfig;
use lb_playground::sim::front::hierarchy::LocalTier;
use lb_playground::sim::front::regions::Region;
use lb_playground::sim::front::vrrp::VrrpConfig;
use lb_playground::sim::front::{Front, LoadView, Spread};
use lb_playground::sim::health::{
    ActiveCheck, CheckFailure, CheckKind, CheckSchedule, HealthChecker, ServerCheck,
};
use lb_playground::sim::passive::{Passive, PassiveState};
use lb_playground::sim::ratelimit::{LimitKey, NginxLimit, RateLimit, TokenBucket};
use lb_playground::sim::retry::RetryPolicy;
use lb_playground::sim::rng::SimRng;
use lb_playground::sim::traffic::{CostDistribution, Pattern, path_hash};
use lb_playground::sim::{
    Algorithm, Command, Event, Scenario, SimDuration, SimTime, Simulation, SlowStart, share,
};

fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
    prop::collection::vec((0u32..6, 0u32..5, any::<bool>(), 1u32..=4), 0..9).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(
                |(id, (weight, active, available, ramp_quarters))| Candidate {
                    id: id as u32,
                    weight,
                    active,
                    available,
                    ramp: f64::from(ramp_quarters) / 4.0,
                },
            )
            .collect()
    })
}

fn key(i: u32) -> RequestKey {
    RequestKey {
        client: i,
        ip: [(i % 251) as u8 + 1, (i / 3) as u8, (i / 7) as u8, i as u8].into(),
        session: u64::from(i) * 7919,
        path: (i % 16) as u8,
        path_hash: path_hash(&format!("/p{}", i % 16)),
    }
}

proptest! {
    /// Every algorithm picks an eligible server whenever one exists, and none otherwise.
    #[test]
    fn picks_are_always_eligible(pool in candidates(), seed in any::<u64>(), picks in 1usize..40) {
        let any_eligible = pool.iter().any(Candidate::eligible);
        for algorithm in Algorithm::ALL {
            let mut b = algorithm.build();
            let mut rng = SimRng::from_seed(seed);
            for i in 0..picks {
                let ctx = PickContext { pool: &pool, key: key(i as u32), now: SimTime(i as u64 * 1_000), pool_version: None };
                match b.pick(&ctx, &mut rng) {
                    Some(s) => prop_assert!(pool[s].eligible(), "{algorithm:?} picked {s} of {pool:?}"),
                    None => prop_assert!(!any_eligible, "{algorithm:?} found nothing in {pool:?}"),
                }
            }
        }
    }

    /// Smooth weighted round robin gives each server exactly its weight's share over every full cycle.
    #[test]
    fn smooth_wrr_is_exact_over_each_cycle(weights in prop::collection::vec(1u32..8, 1..7), cycles in 1usize..4) {
        let pool: Vec<Candidate> = weights.iter().enumerate().map(|(i, &w)| Candidate::new(i as u32, w)).collect();
        let total: u32 = weights.iter().sum();
        let mut b = SmoothWeighted::default();
        let mut rng = SimRng::from_seed(0);
        for _ in 0..cycles {
            let mut counts = vec![0u32; pool.len()];
            for i in 0..total {
                let ctx = PickContext { pool: &pool, key: key(i), now: SimTime::ZERO, pool_version: None };
                counts[b.pick(&ctx, &mut rng).unwrap()] += 1;
            }
            prop_assert_eq!(&counts, &weights);
        }
    }

    /// When one of N equal servers leaves the ring, about 1/N of the keys move.
    #[test]
    fn consistent_hashing_moves_about_one_nth(n in 3usize..12, leaving in 0usize..12) {
        let before: Vec<Candidate> = (0..n).map(|i| Candidate::new(i as u32, 1)).collect();
        let mut after = before.clone();
        after[leaving % n].available = false;
        let hashes: Vec<u32> = (0..5_000u32).map(|i| (i.wrapping_mul(2_654_435_761)) ^ (i << 7)).collect();
        let moved = remap(&before, &after, &hashes);
        prop_assert!((moved.consistent - 1.0 / n as f64).abs() < 0.6 / n as f64, "{n} servers: {moved:?}");
        prop_assert!(moved.modulo > moved.consistent);
    }
}

fn small_resilience4j() -> BreakerConfig {
    BreakerConfig::Resilience4j(Resilience4j {
        window: WindowKind::Count(10),
        failure_rate: 50.0,
        slow_rate: 100.0,
        slow_call_duration: SimDuration::from_secs(2),
        minimum_calls: 5,
        wait_open: SimDuration::from_secs(3),
        permitted_half_open: 3,
        automatic_transition: true,
    })
}

fn without_automatic_transition(config: BreakerConfig) -> BreakerConfig {
    match config {
        BreakerConfig::Resilience4j(r) => BreakerConfig::Resilience4j(Resilience4j {
            automatic_transition: false,
            ..r
        }),
        other => other,
    }
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        any::<bool>().prop_map(|l4| Command::SetLayer(if l4 { Layer::L4 } else { Layer::L7 })),
        prop::sample::select(TlsMode::ALL.to_vec()).prop_map(Command::SetTls),
        (0usize..4).prop_map(|server| Command::Kill { server }),
        (0usize..4).prop_map(|server| Command::Revive { server }),
        (0usize..4, 0u32..6).prop_map(|(server, weight)| Command::SetWeight { server, weight }),
        (0usize..4, 1u32..=20).prop_map(|(server, f)| Command::SetSpeed {
            server,
            speed: 1.0 / f64::from(f)
        }),
        (0usize..4, any::<bool>())
            .prop_map(|(server, backup)| Command::SetBackup { server, backup }),
        (0usize..Algorithm::ALL.len()).prop_map(|i| Command::SetAlgorithm(Algorithm::ALL[i])),
        (0u32..60).prop_map(|r| Command::SetRate(f64::from(r))),
        (1u32..500).prop_map(|n| Command::SetClients {
            clients: n,
            behind_nat: n / 2
        }),
        Just(Command::SetSlowStart(SlowStart::ENVOY_DEFAULT)),
        Just(Command::SetSlowStart(SlowStart::Linear {
            period: SimDuration::from_secs(5)
        })),
    ]
}

/// Commands that change servers' faults, the traffic's shape and the failure handling.
fn failure_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        prop_oneof![
            Just(Pattern::Poisson),
            Just(Pattern::Constant),
            Just(Pattern::Bursts {
                on: SimDuration::from_secs(2),
                off: SimDuration::from_secs(3)
            }),
            Just(Pattern::Wave {
                period: SimDuration::from_secs(20),
                amplitude: 0.9
            }),
        ]
        .prop_map(Command::SetPattern),
        prop_oneof![
            Just(None),
            Just(Some(SimDuration::from_millis(800))),
            Just(Some(SimDuration::from_secs(3)))
        ]
        .prop_map(Command::SetClientTimeout),
        (0u32..3, 1u32..3).prop_map(|(weight, workers)| Command::AddServer { weight, workers }),
        (0usize..6).prop_map(|server| Command::RemoveServer { server }),
        (0usize..6, 0u32..3).prop_map(|(server, r)| Command::Degrade {
            server,
            per_minute: f64::from(r) * 0.3
        }),
        (0usize..4, 0u32..=4).prop_map(|(server, q)| Command::SetErrorRate {
            server,
            rate: f64::from(q) / 4.0
        }),
        (0usize..4, any::<bool>()).prop_map(|(server, on)| Command::Drain { server, on }),
        (0usize..4, any::<bool>())
            .prop_map(|(server, down)| Command::SetDatabaseDown { server, down }),
        prop_oneof![
            Just(None),
            Just(Some(ActiveCheck::HAPROXY_DEFAULT)),
            Just(Some(ActiveCheck {
                kind: CheckKind::HttpExpect,
                ..ActiveCheck::HAPROXY_DEFAULT
            })),
            Just(Some(ActiveCheck {
                fastinter: Some(SimDuration::from_millis(300)),
                ..ActiveCheck::HAPROXY_DEFAULT
            })),
        ]
        .prop_map(Command::SetHealthCheck),
        prop_oneof![
            Just(Passive::Off),
            Just(Passive::NGINX_DEFAULT),
            Just(Passive::ENVOY_DEFAULT)
        ]
        .prop_map(Command::SetPassive),
        prop_oneof![Just(None), Just(Some(0.5))].prop_map(Command::SetPanicThreshold),
        prop_oneof![
            Just(BreakerConfig::Off),
            Just(BreakerConfig::CONSECUTIVE_DEFAULT),
            Just(BreakerConfig::HYSTRIX_DEFAULT),
            Just(small_resilience4j()),
        ]
        .prop_map(Command::SetBreaker),
        prop_oneof![
            Just(RetryPolicy::OFF),
            Just(RetryPolicy::NGINX_DEFAULT),
            Just(RetryPolicy {
                per_try_timeout: Some(SimDuration::from_millis(700)),
                on_500: true,
                on_503: true,
                budget: Some(0.2),
                ..RetryPolicy::NGINX_DEFAULT
            }),
        ]
        .prop_map(Command::SetRetry),
        prop_oneof![
            Just(RateLimit::Off),
            (1u32..30, 0u32..6, any::<bool>(), any::<bool>()).prop_map(
                |(rate, burst, nodelay, global)| {
                    RateLimit::Nginx(NginxLimit {
                        rate: f64::from(rate) / 2.0,
                        burst,
                        nodelay,
                        delay: burst / 2,
                        key: if global {
                            LimitKey::Global
                        } else {
                            LimitKey::ClientIp
                        },
                        status: 503,
                    })
                }
            ),
            (1u32..10, 1u32..4, 50u64..3_000).prop_map(|(max_tokens, tokens_per_fill, ms)| {
                RateLimit::TokenBucket(TokenBucket {
                    max_tokens,
                    tokens_per_fill,
                    fill_interval: SimDuration::from_millis(ms),
                    key: LimitKey::ClientIp,
                    status: 429,
                })
            }),
        ]
        .prop_map(Command::SetRateLimit),
        prop_oneof![
            Just(None),
            (0u32..3, 1u32..4, 1u32..5, 0u64..20, 1u64..30, any::<bool>()).prop_map(
                |(metric, min, extra, boot_s, period_s, hpa)| {
                    let metric = [Metric::Cpu, Metric::InFlight, Metric::Rps][metric as usize];
                    let period = SimDuration::from_secs(period_s);
                    Some(Autoscale {
                        policy: if hpa {
                            Policy::Hpa(Hpa {
                                sync_period: period,
                                scale_down_window: SimDuration(period.0 * 2),
                                ..Hpa::default()
                            })
                        } else {
                            Policy::TargetTracking(TargetTracking {
                                period,
                                scale_out_periods: 1,
                                scale_in_periods: 2,
                                scale_out_cooldown: period,
                                scale_in_cooldown: period,
                                warmup: period,
                            })
                        },
                        metric,
                        target: match metric {
                            Metric::Cpu => 0.5,
                            Metric::InFlight => 2.0,
                            Metric::Rps => 3.0,
                        },
                        min,
                        max: min + extra,
                        boot_time: SimDuration::from_secs(boot_s),
                    })
                }
            ),
        ]
        .prop_map(Command::SetAutoscale),
    ]
}

/// Commands that change how clients behave: retries with every jitter, with and without a
/// budget, and closed-loop users.
fn client_command() -> impl Strategy<Value = Command> {
    let jitter = prop_oneof![
        Just(Jitter::None),
        Just(Jitter::Full),
        Just(Jitter::Equal),
        Just(Jitter::Decorrelated)
    ];
    let budget = prop_oneof![
        Just(None),
        (1u32..20, 1u32..2_000).prop_map(|(max_tokens, milli)| Some(RetryThrottle {
            max_tokens,
            token_ratio: f64::from(milli) / 1_000.0
        })),
    ];
    prop_oneof![
        Just(Command::SetClientRetry(None)),
        (2u32..=5, 0u64..500, 0u64..3, jitter, budget).prop_map(
            |(max_attempts, base_ms, cap_factor, jitter, budget)| {
                let base = SimDuration::from_millis(base_ms);
                Command::SetClientRetry(Some(ClientRetry {
                    max_attempts,
                    backoff: Backoff {
                        base,
                        cap: SimDuration(base.0 * (1 + cap_factor * 4)),
                        jitter,
                    },
                    budget,
                }))
            }
        ),
        Just(Command::SetClosedLoop(None)),
        (1u32..40, 10u64..3_000).prop_map(|(users, think_ms)| Command::SetClosedLoop(Some(
            ClosedLoop {
                users,
                think_time: SimDuration::from_millis(think_ms)
            }
        ))),
    ]
}

/// Several balancers in front of the classroom's four servers: DNS round robin (TTL 0 to 60 s,
/// plain or health-checked, own or reported load), a VRRP pair, or two regions of two servers
/// (maybe with a local balancer in front of each server).
fn several_balancers() -> impl Strategy<Value = Front> {
    let dns = (
        2u8..5,
        0u64..60_000,
        any::<bool>(),
        prop::option::of(10u64..2_000),
    )
        .prop_map(|(n, ttl_ms, health_checked, every)| Front {
            view: every.map_or(LoadView::Own, |ms| LoadView::Reported {
                every: SimDuration::from_millis(ms),
            }),
            ..Front::new(
                n,
                Spread::Dns(DnsConfig {
                    ttl: SimDuration::from_millis(ttl_ms),
                    health_checked,
                }),
            )
        });
    let vrrp = (any::<bool>(), 1u64..200).prop_map(|(preempt, cs)| {
        Front::new(
            2,
            Spread::Vrrp(VrrpConfig {
                advert_interval: SimDuration::from_millis(cs * 10),
                preempt,
                ..VrrpConfig::default()
            }),
        )
    });
    let regions =
        (0u64..50, 0.0f64..1.0, prop::option::of(0u64..20)).prop_map(|(far_ms, share, hop)| {
            let region = |name: &str, clients| Region {
                name: name.into(),
                servers: 2,
                clients,
            };
            let ms = SimDuration::from_millis;
            // With a local tier: one regional balancer a region, two local ones of a server each.
            let local = hop.map(|hop| LocalTier {
                per_region: 2,
                hop: ms(hop),
            });
            Front {
                regions: vec![region("a", share), region("b", 1.0 - share)],
                latency: vec![vec![ms(1), ms(far_ms)], vec![ms(far_ms), ms(1)]],
                local,
                ..Front::new(
                    if local.is_some() { 1 } else { 2 },
                    Spread::Dns(DnsConfig {
                        ttl: SimDuration::from_secs(5),
                        health_checked: true,
                    }),
                )
            }
        });
    prop_oneof![dns, vrrp, regions]
}

/// Crashing or reviving one of up to four balancers.
fn balancer_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (0u8..4).prop_map(|balancer| Command::KillBalancer { balancer }),
        (0u8..4).prop_map(|balancer| Command::ReviveBalancer { balancer }),
    ]
}

/// A balancer that costs CPU: 1 to 3 cores, up to 200 ms a request and a connection, and
/// maybe TLS in any mode with up to 500 ms handshakes (the classroom sends 10 requests a second,
/// so some of these balancers are the bottleneck).
fn balancer_cost() -> impl Strategy<Value = BalancerCost> {
    (
        1u32..4,
        0u64..200,
        0u64..200,
        prop::option::of((
            prop::sample::select(TlsMode::ALL.to_vec()),
            0u64..500,
            0u64..100,
            0u32..=100,
        )),
    )
        .prop_map(|(workers, request_ms, connection_ms, tls)| BalancerCost {
            workers,
            per_request: SimDuration::from_millis(request_ms),
            per_connection: SimDuration::from_millis(connection_ms),
            tls: tls.map(|(mode, full_ms, resumed_ms, percent)| Tls {
                mode,
                full_handshake: SimDuration::from_millis(full_ms),
                resumed_handshake: SimDuration::from_millis(resumed_ms),
                resumption: f64::from(percent) / 100.0,
            }),
        })
}

/// A classroom scenario whose servers have their own checks (or none), start-up times and
/// `down` flags, with a check schedule, checks over the network, listed client addresses,
/// maybe connections and maybe a balancer that costs CPU.
fn server_variety() -> impl Strategy<Value = Scenario> {
    let server = (0u32..3, 0u64..4_000, prop::bool::weighted(0.2));
    (
        any::<u64>(),
        prop::collection::vec(server, 4),
        (any::<bool>(), 0u32..=50, any::<bool>()),
        prop::sample::select(vec![
            vec![],
            vec!["10.0.0.0/30"],
            vec!["2001:db8::/126", "192.0.2.7"],
        ]),
        prop::option::of((
            any::<bool>(),
            any::<bool>(),
            1u32..30,
            1u64..20_000,
            1u32..4,
        )),
        prop::option::of(balancer_cost()),
    )
        .prop_map(
            |(
                seed,
                servers,
                (spread_first, jitter_percent, over_network),
                addresses,
                connections,
                balancer,
            )| {
                let mut s = Scenario {
                    seed,
                    ..Scenario::classroom()
                };
                for (spec, (check, startup_ms, down)) in s.servers.iter_mut().zip(servers) {
                    spec.health = match check {
                        0 => None,
                        1 => Some(ServerCheck::Off),
                        _ => Some(ServerCheck::Check(ActiveCheck {
                            fastinter: Some(SimDuration::from_millis(300)),
                            ..ActiveCheck::HAPROXY_DEFAULT
                        })),
                    };
                    spec.startup = SimDuration::from_millis(startup_ms);
                    spec.down = down;
                }
                s.resilience.check_schedule = CheckSchedule {
                    spread_first,
                    jitter_percent,
                };
                if let Some(h) = s.resilience.health.as_mut() {
                    h.over_network = over_network;
                }
                s.traffic.addresses = addresses.iter().map(|a| a.parse().unwrap()).collect();
                s.connections =
                    connections.map(|(l4, http2, max_requests, idle_ms, max_streams)| {
                        Connections {
                            layer: if l4 { Layer::L4 } else { Layer::L7 },
                            protocol: if http2 {
                                Protocol::Http2
                            } else {
                                Protocol::Http1
                            },
                            max_requests,
                            idle_timeout: SimDuration::from_millis(idle_ms),
                            max_streams,
                        }
                    });
                s.balancer = balancer;
                s
            },
        )
}

/// Applies `commands` (each after its gap) to a classroom run with `seed`: every request is
/// accounted for exactly once at every step (refused commands leave no trace), and the run
/// replays identically from its recording.
fn accounted_for_and_replayed(commands: &[(Command, u64)], seed: u64) -> Result<(), TestCaseError> {
    let scenario = Scenario {
        seed,
        ..Scenario::classroom()
    };
    scenario_accounted_for_and_replayed(scenario, commands)
}

/// [`accounted_for_and_replayed`] from any valid scenario.
fn scenario_accounted_for_and_replayed(
    scenario: Scenario,
    commands: &[(Command, u64)],
) -> Result<(), TestCaseError> {
    let mut sim = Simulation::new(scenario).unwrap();
    for (command, gap_ms) in commands {
        sim.advance_by(SimDuration::from_millis(*gap_ms));
        let recorded = sim.recording().len();
        if sim.apply(*command).is_err() {
            prop_assert_eq!(sim.recording().len(), recorded);
        }
        let totals = sim.totals();
        prop_assert!(totals.balanced(), "{totals:?}");
        prop_assert_eq!(
            sim.requests().count() as u64,
            totals.in_flight + totals.queued
        );
        prop_assert!(sim.metrics().client_retries() <= totals.generated);
    }
    sim.advance_by(SimDuration::from_secs(30));
    prop_assert!(sim.totals().balanced());
    // Every success went through one balancer of each tier.
    if let Some(front) = sim.front() {
        let stats = sim.metrics().balancers();
        let completed = |local: bool| -> u64 {
            (0..stats.len())
                .filter(|&b| front.is_local(b as u8) == local)
                .map(|b| stats[b].answers.completed)
                .sum()
        };
        prop_assert_eq!(completed(false), sim.totals().completed);
        if front.tier().is_some() {
            prop_assert_eq!(completed(true), sim.totals().completed);
        }
    }
    let mut replay = Simulation::new(sim.scenario().clone()).unwrap();
    for timed in sim.recording() {
        replay.advance_to(timed.at);
        replay.apply(timed.command).unwrap();
    }
    replay.advance_to(sim.now());
    prop_assert_eq!(replay.totals(), sim.totals());
    prop_assert_eq!(
        replay.metrics().client_retries(),
        sim.metrics().client_retries()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    /// With client retries and closed-loop users switched on and off among the other commands,
    /// every request is still counted once: a client retry is one more generated request.
    #[test]
    fn client_retries_and_users_keep_every_request_accounted_for(commands in prop::collection::vec((prop_oneof![client_command(), failure_command(), client_command()], 1u64..3_000), 1..30), seed in any::<u64>()) {
        accounted_for_and_replayed(&commands, seed)?;
    }

    /// The same with servers of their own check settings, start-up times and marked down, spread
    /// and jittered checks over the network, listed client addresses, and connections at layer
    /// 4 or 7.
    #[test]
    fn every_request_is_accounted_for_with_server_checks_startups_and_addresses(base in server_variety(), commands in prop::collection::vec((prop_oneof![command(), failure_command()], 1u64..3_000), 1..30)) {
        scenario_accounted_for_and_replayed(base, &commands)?;
    }

    /// The same through a balancer that costs CPU (its queue, its handshakes, passed-through
    /// handshakes at the servers) with clients that time out and retry while requests wait for
    /// its cores.
    #[test]
    fn every_request_is_accounted_for_through_a_balancer_that_costs(base in server_variety(), cost in balancer_cost(), commands in prop::collection::vec((prop_oneof![command(), failure_command(), client_command()], 1u64..3_000), 1..30)) {
        let scenario = Scenario { balancer: Some(cost), ..base };
        scenario_accounted_for_and_replayed(scenario, &commands)?;
    }

    /// The same with several balancers (DNS round robin with any TTL, plain or health-checked,
    /// a VRRP pair, old load reports, two regions), crashed and revived among the other
    /// commands, with clients that time out and retry, and with or without a CPU cost on each
    /// balancer (not with a local tier, which refuses one).
    #[test]
    fn every_request_is_accounted_for_with_several_balancers(front in several_balancers(), cost in prop::option::of(balancer_cost()), seed in any::<u64>(), timeout in prop::option::of(500u64..20_000), commands in prop::collection::vec((prop_oneof![balancer_command(), command(), failure_command(), client_command()], 1u64..3_000), 1..30)) {
        let balancer = cost.filter(|_| front.local.is_none());
        let mut scenario = Scenario { seed, front: Some(front), balancer, ..Scenario::classroom() };
        scenario.traffic.client_timeout = timeout.map(SimDuration::from_millis);
        scenario_accounted_for_and_replayed(scenario, &commands)?;
    }

    /// No request is lost or counted twice across any sequence of commands, at every step, and the
    /// run replays identically from its recording.
    #[test]
    fn every_request_is_accounted_for(commands in prop::collection::vec((prop_oneof![command(), failure_command()], 1u64..3_000), 1..30), seed in any::<u64>()) {
        accounted_for_and_replayed(&commands, seed)?;
    }
}

#[test]
fn nothing_panics_on_an_empty_pool() {
    for algorithm in Algorithm::ALL {
        let mut b: Box<dyn Balancer> = algorithm.build();
        let ctx = PickContext {
            pool: &[],
            key: key(1),
            now: SimTime::ZERO,
            pool_version: None,
        };
        assert_eq!(
            b.pick(&ctx, &mut SimRng::from_seed(1)),
            None,
            "{algorithm:?}"
        );
    }
}

/// One step for a state machine: a call let through (or not) and its result, at some time.
#[derive(Clone, Copy, Debug)]
struct Step {
    gap_ms: u64,
    ok: bool,
    took_ms: u64,
    /// Answer with the epoch of a call let through a few steps earlier.
    late: bool,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            0u64..4_000,
            any::<bool>(),
            0u64..3_000,
            prop::bool::weighted(0.1),
        )
            .prop_map(|(gap_ms, ok, took_ms, late)| Step {
                gap_ms,
                ok,
                took_ms,
                late,
            }),
        0..200,
    )
}

proptest! {
    /// A breaker never lets more than its permitted calls through while HALF_OPEN, never lets a
    /// call through while OPEN before its wait is over, and never panics, whatever the order of
    /// calls, results, late results and timers.
    #[test]
    fn breakers_respect_their_half_open_limit(steps in steps(), which in 0usize..4) {
        let config = [
            BreakerConfig::CONSECUTIVE_DEFAULT,
            BreakerConfig::HYSTRIX_DEFAULT,
            small_resilience4j(),
            without_automatic_transition(small_resilience4j()),
        ][which];
        let permitted = config.permitted_half_open();
        let mut b = CircuitBreaker::new(config);
        let mut now = SimTime::ZERO;
        let mut admitted_in_half_open = 0;
        let mut epochs = vec![];
        for step in steps {
            now += SimDuration::from_millis(step.gap_ms);
            if let Some(t) = b.next_timeout() && t <= now {
                b.on_timer(now);
            }
            let before = b.state();
            let (allowed, transition) = b.allow(now);
            if transition.is_some() || before != b.state() {
                admitted_in_half_open = 0;
            }
            if allowed && b.state() == BreakerState::HalfOpen {
                admitted_in_half_open += 1;
                prop_assert!(admitted_in_half_open <= permitted, "{config:?}");
            }
            if !allowed {
                prop_assert!(b.state() != BreakerState::Closed);
                continue;
            }
            epochs.push(b.epoch());
            let epoch = if step.late && epochs.len() > 3 { epochs[epochs.len() - 4] } else { b.epoch() };
            let before = b.state();
            b.record(epoch, step.ok, SimDuration::from_millis(step.took_ms), now);
            if b.state() != before {
                admitted_in_half_open = 0;
            }
        }
    }

    /// The health counter stays within 0..=rise+fall-1 and UP means health >= rise.
    #[test]
    fn health_counter_stays_in_range(results in prop::collection::vec(any::<bool>(), 0..300), rise in 1u32..5, fall in 1u32..5) {
        let mut h = HealthChecker::new(ActiveCheck { rise, fall, ..ActiveCheck::HAPROXY_DEFAULT });
        for ok in results {
            h.observe(if ok { Ok(()) } else { Err(CheckFailure::Timeout) });
            let (health, max) = h.health();
            prop_assert!(health <= max && max == rise + fall - 1);
            prop_assert_eq!(h.is_up(), health >= rise);
        }
    }

    /// Passive states never panic and Envoy never ejects more hosts than allowed.
    #[test]
    fn passive_checks_never_panic(steps in steps(), envoy in any::<bool>()) {
        let config = if envoy { Passive::ENVOY_DEFAULT } else { Passive::NGINX_DEFAULT };
        let mut p = PassiveState::default();
        let mut now = SimTime::ZERO;
        for step in steps {
            now += SimDuration::from_millis(step.gap_ms);
            p.expire(now);
            if p.admits(&config, now, false) {
                p.on_pick(&config, now);
            }
            let ejected = usize::from(step.late);
            let t = p.on_answer(&config, !step.ok, now, ejected, 10);
            if envoy && ejected == 1 {
                prop_assert!(t.is_none(), "10% of 10 hosts: only one may be ejected");
            }
        }
    }
}

/// Commands that change the server set, with the ones that name servers (some removed, some
/// added, some never there).
fn roster_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        (0u32..3, 1u32..3).prop_map(|(weight, workers)| Command::AddServer { weight, workers }),
        (0usize..7).prop_map(|server| Command::RemoveServer { server }),
        (0usize..7).prop_map(|server| Command::Kill { server }),
        (0usize..7).prop_map(|server| Command::Revive { server }),
        (0usize..7, 0u32..4).prop_map(|(server, weight)| Command::SetWeight { server, weight }),
        (0usize..7, any::<bool>()).prop_map(|(server, on)| Command::Drain { server, on }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every run's export loads again, as a file and as a share link, and replays to the same
    /// numbers, whatever servers it added, removed and commanded.
    #[test]
    fn every_export_loads_again_and_replays_the_run(commands in prop::collection::vec((prop_oneof![roster_command(), command(), failure_command()], 1u64..3_000), 1..30), seed in any::<u64>()) {
        let mut sim = Simulation::new(Scenario { seed, ..Scenario::classroom() }).unwrap();
        for (command, gap_ms) in &commands {
            sim.advance_by(SimDuration::from_millis(*gap_ms));
            let _ = sim.apply(*command); // refused ones leave no trace
        }
        sim.advance_by(SimDuration::from_secs(5));
        let saved = sim.export_scenario();
        let file = Scenario::from_json(&saved.to_json()).expect("the export reads back");
        prop_assert_eq!(&file, &saved);
        let link = share::unpack(&share::pack(&saved)).expect("its link opens");
        prop_assert_eq!(&link, &saved);
        let mut replay = Simulation::new(saved).expect("the export loads");
        replay.advance_to(sim.now());
        prop_assert_eq!(replay.totals(), sim.totals());
        prop_assert_eq!(replay.metrics().servers(), sim.metrics().servers());
        prop_assert!(
            !replay.drain_events().any(|e| matches!(e.event, Event::Skipped(_))),
            "no entry of an export is skipped"
        );
    }

    /// Files and commands share one check per field: a value a command refuses, a file refuses,
    /// and the other way round.
    #[test]
    fn files_and_commands_agree_on_every_shared_field(
        rate in prop_oneof![Just(-1.0), Just(0.0), Just(1e6), Just(1.000001e6), -10.0..2e6f64],
        clients in 0u32..1_100_000,
        nat in 0u32..1_200_000,
        timeout_us in prop_oneof![Just(999u64), Just(1_000), Just(3_600_000_000), Just(3_600_000_001), 0u64..4_000_000_000],
        workers in 0u32..1_100,
        weight in 0u32..1_100,
        speed in prop_oneof![Just(0.01), Just(0.0099), Just(100.0), Just(100.01), -1.0..120.0f64],
        error_rate in -0.5..1.5f64,
        panic in -0.5..1.5f64,
        mean_us in prop_oneof![Just(0u64), Just(1), Just(3_600_000_000), Just(3_600_000_001)],
    ) {
        let base = Scenario::classroom();
        let file_ok = |change: &dyn Fn(&mut Scenario)| {
            let mut s = base.clone();
            change(&mut s);
            s.validate().is_ok()
        };
        let command_ok = |command: Command| Simulation::new(base.clone()).unwrap().apply(command).is_ok();
        let timeout = SimDuration(timeout_us);
        let mean = SimDuration(mean_us);
        let cases = [
            (file_ok(&|s| s.traffic.rate = rate), command_ok(Command::SetRate(rate)), "rate"),
            (
                file_ok(&|s| { s.traffic.clients = clients; s.traffic.behind_nat = nat; }),
                command_ok(Command::SetClients { clients, behind_nat: nat }),
                "clients",
            ),
            (
                file_ok(&|s| s.traffic.client_timeout = Some(timeout)),
                command_ok(Command::SetClientTimeout(Some(timeout))),
                "client timeout",
            ),
            (
                file_ok(&|s| s.servers.push(lb_playground::sim::scenario::server("new", weight, workers))),
                command_ok(Command::AddServer { weight, workers }),
                "a new server",
            ),
            (file_ok(&|s| s.servers[0].speed = speed), command_ok(Command::SetSpeed { server: 0, speed }), "speed"),
            (
                file_ok(&|s| s.servers[0].error_rate = error_rate),
                command_ok(Command::SetErrorRate { server: 0, rate: error_rate }),
                "error rate",
            ),
            (
                file_ok(&|s| s.resilience.panic_threshold = Some(panic)),
                command_ok(Command::SetPanicThreshold(Some(panic))),
                "panic threshold",
            ),
            (
                file_ok(&|s| s.traffic.cost = CostDistribution::Exponential { mean }),
                command_ok(Command::SetMeanCost(mean)),
                "mean cost",
            ),
        ];
        for (file, command, field) in cases {
            prop_assert_eq!(file, command, "{}", field);
        }
    }
}

proptest! {
    /// A client retry policy or closed-loop users are accepted in a file exactly when they are
    /// accepted as a command (one check for both).
    #[test]
    fn client_settings_have_one_check_for_files_and_commands(
        max_attempts in 0u32..14,
        base_us in prop_oneof![Just(0u64), Just(3_600_000_000), Just(3_600_000_001), 0u64..5_000_000],
        cap_us in prop_oneof![Just(0u64), Just(3_600_000_001), 0u64..5_000_000],
        max_tokens in 0u32..1_200,
        token_ratio in prop_oneof![Just(0.0), Just(0.001), Just(1000.0), Just(1000.5), -1.0..2.0f64],
        users in 0u32..200_000,
        think_us in prop_oneof![Just(999u64), Just(1_000), 0u64..10_000_000],
    ) {
        let retry = ClientRetry {
            max_attempts,
            backoff: Backoff {
                base: SimDuration(base_us),
                cap: SimDuration(cap_us),
                jitter: Jitter::Equal,
            },
            budget: Some(RetryThrottle { max_tokens, token_ratio }),
        };
        let closed = ClosedLoop { users, think_time: SimDuration(think_us) };
        let base = Scenario::classroom();
        let mut file = base.clone();
        file.traffic.client_retry = Some(retry);
        let command = Simulation::new(base.clone()).unwrap().apply(Command::SetClientRetry(Some(retry)));
        prop_assert_eq!(file.validate().is_ok(), command.is_ok());
        let mut file = base.clone();
        file.traffic.closed_loop = Some(closed);
        let command = Simulation::new(base).unwrap().apply(Command::SetClosedLoop(Some(closed)));
        prop_assert_eq!(file.validate().is_ok(), command.is_ok());
    }
}
