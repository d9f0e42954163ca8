//! Ready-made scenarios for a class, each with a few sentences of what to watch for. Each is an
//! ordinary [`Scenario`] with a scripted timeline, so it replays identically and can be saved,
//! edited and shared like any other.

mod checks;
mod connections;
mod front;
#[cfg(test)]
mod promises;

use super::autoscale::{Autoscale, Hpa, Metric, Policy, TargetTracking};
use super::balancer::Algorithm;
use super::breaker::{BreakerConfig, Consecutive};
use super::clients::presets as clients;
use super::command::{Command, TimedCommand};
use super::health::ActiveCheck;
use super::ratelimit::{LimitKey, NginxLimit, RateLimit};
use super::resilience::Resilience;
use super::retry::RetryPolicy;
use super::scenario::{Scenario, server};
use super::time::{SimDuration, SimTime};
use super::traffic::{CostDistribution, Pattern, RequestMix};

/// A named preset.
pub struct Preset {
    /// Its identifier (`lbsim preset ID`, the UI's picker).
    pub id: &'static str,
    /// Builds the scenario.
    pub build: fn() -> Scenario,
}

/// Every preset, in teaching order.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "equal-round-robin",
        build: equal_round_robin,
    },
    Preset {
        id: "slow-server",
        build: slow_server,
    },
    Preset {
        id: "long-report",
        build: long_report,
    },
    Preset {
        id: "crash-recovery",
        build: crash_recovery,
    },
    Preset {
        id: "gradual-degradation",
        build: gradual_degradation,
    },
    Preset {
        id: "health-check-kinds",
        build: checks::health_check_kinds,
    },
    Preset {
        id: "shopping-cart-nat",
        build: shopping_cart_nat,
    },
    Preset {
        id: "cascading-failure",
        build: cascading_failure,
    },
    Preset {
        id: "retry-storm",
        build: retry_storm,
    },
    Preset {
        id: "flash-sale",
        build: flash_sale,
    },
    Preset {
        id: "power-of-two-choices",
        build: power_of_two,
    },
    Preset {
        id: "consistent-hash-leave",
        build: consistent_hash_leave,
    },
    Preset {
        id: "layer4-vs-layer7",
        build: connections::layer4_vs_layer7,
    },
    Preset {
        id: "http2-pinning",
        build: connections::http2_pinning,
    },
    Preset {
        id: "tls-termination",
        build: connections::tls_termination,
    },
    Preset {
        id: "many-balancers-herding",
        build: front::many_balancers_herding,
    },
    Preset {
        id: "balancer-failover",
        build: front::balancer_failover,
    },
    Preset {
        id: "balancer-tier-sizing",
        build: front::balancer_tier_sizing,
    },
    Preset {
        id: "regions-failover",
        build: front::regions_failover,
    },
    Preset {
        id: "hierarchical-balancing",
        build: front::hierarchical_balancing,
    },
    Preset {
        id: "rate-limit-noisy-client",
        build: rate_limit_noisy_client,
    },
    Preset {
        id: "autoscale-flash-crowd",
        build: autoscale_flash_crowd,
    },
    Preset {
        id: "metastable-retries",
        build: clients::metastable_retries,
    },
    Preset {
        id: "retry-amplification",
        build: clients::retry_amplification,
    },
    Preset {
        id: "closed-vs-open-loop",
        build: clients::closed_vs_open_loop,
    },
];

/// The preset with identifier `id`.
pub fn preset(id: &str) -> Option<Scenario> {
    PRESETS.iter().find(|p| p.id == id).map(|p| (p.build)())
}

fn at(seconds: u64, command: Command) -> TimedCommand {
    TimedCommand {
        at: SimTime(seconds * 1_000_000),
        command,
    }
}

fn at_ms(ms: u64, command: Command) -> TimedCommand {
    TimedCommand {
        at: SimTime(ms * 1_000),
        command,
    }
}

fn base(title: &str, watch: &str, duration_s: u64) -> Scenario {
    Scenario {
        title: title.into(),
        watch: watch.into(),
        duration: Some(SimDuration::from_secs(duration_s)),
        ..Scenario::classroom()
    }
}

fn equal_round_robin() -> Scenario {
    base(
        "Equal servers under round robin",
        "Four identical servers share the traffic in strict turns: the bars stay level. Every \
         request spends the same 1.2 s on the network; what varies is queueing: at 62% load \
         the p99 is about twice the median. Raise the arrival rate towards 16 req/s and watch \
         the tail explode long before the servers are full.",
        120,
    )
}

fn slow_server() -> Scenario {
    let mut s = base(
        "One slow server: round robin vs least connections",
        "server-4 is half as fast as the others. Round robin still gives it a quarter of the \
         requests, more than it can serve, so its queue grows and p95 climbs past 7 s. At 30 s \
         the algorithm switches to least connections: server-4's bar for the last 30 s shrinks \
         to what it can handle, and once its queue has drained (about 20 s) p95 falls back \
         under 5 s and stays there.",
        120,
    );
    s.servers[3].speed = 0.5;
    s.traffic.rate = 10.0;
    s.timeline = vec![at(30, Command::SetAlgorithm(Algorithm::LeastConnections))];
    s
}

fn long_report() -> Scenario {
    let mut s = base(
        "The long report request",
        "Most requests are 50 ms page loads (/page), but 1 in 100 is a 10 s report (/report). \
         Under round robin a page load sent to a server whose two workers are both busy with \
         reports waits seconds: look at p95 against p50, and at the /page row of the per-path \
         table, whose p95 (since t = 0) reaches about 6 s. Least connections (switched on at \
         60 s) steers page loads around busy servers: the /page p95 falls steadily, below \
         3.5 s by the end of the run, though a burst of reports that fills every worker can \
         still stall a few.",
        120,
    );
    s.traffic.cost = CostDistribution::Mix(RequestMix::page_and_report());
    s.traffic.rate = 20.0;
    s.timeline = vec![at(60, Command::SetAlgorithm(Algorithm::LeastConnections))];
    s
}

fn crash_recovery() -> Scenario {
    let mut s = base(
        "Server crash and recovery",
        "server-3 crashes at 10 s. Health checks every 2 s fail three times: it is marked DOWN at \
         16 s, and traffic stops. It restarts at 20 s; two passing checks bring it UP at 24 s. \
         Requests sent to it during the detection window fail; retries are switched on at 40 s, \
         so the second crash at 50 s costs the clients nothing.",
        90,
    );
    let instant_checks = ActiveCheck {
        check_work: SimDuration::ZERO,
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    s.resilience.health = Some(instant_checks);
    s.timeline = vec![
        at(10, Command::Kill { server: 2 }),
        at(20, Command::Revive { server: 2 }),
        at(40, Command::SetRetry(RetryPolicy::NGINX_DEFAULT)),
        at(50, Command::Kill { server: 2 }),
        at(70, Command::Revive { server: 2 }),
    ];
    s
}

fn gradual_degradation() -> Scenario {
    let mut s = base(
        "Gradual degradation (a memory leak)",
        "server-2 slows down step by step, like a process leaking memory: x1, then 1.5, 2, 3, 5 and \
         10 times slower. Health checks keep passing until the very end, so round robin keeps \
         feeding it and p99 creeps up. Switch to least connections or Peak EWMA to see the \
         balancer route around it long before any check fails.",
        180,
    );
    s.timeline = [(30, 1.5), (60, 2.0), (90, 3.0), (120, 5.0), (150, 10.0)]
        .iter()
        .map(|&(t, slower)| {
            at(
                t,
                Command::SetSpeed {
                    server: 1,
                    speed: 1.0 / slower,
                },
            )
        })
        .collect();
    s
}

fn shopping_cart_nat() -> Scenario {
    let mut s = base(
        "Shopping carts: ip_hash vs sticky sessions (and NAT)",
        "Carts live in server memory, so each shopper must stay on one server. ip_hash does that, \
         but 60% of the shoppers sit behind one office NAT: they share an address, so one server \
         carries most of the load (watch its bar for the last 30 s). At 60 s the balancer \
         switches to cookie-based sticky sessions: each shopper still stays put, and within \
         30 s the bars even out. The median falls at once; the queue server-1 built up takes \
         the rest of the run to work off, so p95 stays high while it drains.",
        120,
    );
    s.algorithm = Algorithm::IpHash;
    s.traffic.behind_nat = 120;
    s.timeline = vec![at(60, Command::SetAlgorithm(Algorithm::StickySessions))];
    s
}

fn rate_limit_noisy_client() -> Scenario {
    let mut s = base(
        "Rate limiting a noisy client: per address vs global",
        "Half of the 100 clients sit behind one office NAT, so that one address sends 50 times \
         what any other does. nginx limit_req at 2 r/s per address (burst 4) refuses only the \
         noisy address: the table by client counts every refusal against the clients behind the \
         NAT (the purple marks on the flow are the refused requests), and everyone else is \
         served. At 60 s the limit becomes global, 8 r/s for all clients together: about as many \
         requests are refused, but now every client loses some, the quiet ones included.",
        120,
    );
    s.traffic.rate = 12.0;
    s.traffic.clients = 100;
    s.traffic.behind_nat = 50;
    let nginx = |rate, burst, key| RateLimit::Nginx(NginxLimit::new(rate, burst, true, key));
    s.rate_limit = nginx(2.0, 4, LimitKey::ClientIp);
    s.timeline = vec![at(
        60,
        Command::SetRateLimit(nginx(8.0, 8, LimitKey::Global)),
    )];
    s
}

fn autoscale_flash_crowd() -> Scenario {
    let mut s = base(
        "A flash crowd: autoscaling too late, then in time",
        "At 20 s the traffic triples for a minute. AWS target tracking (60% CPU) waits for three \
         15 s datapoints above its target, then launches virtual machines that boot for 45 s: \
         they take traffic at 105 s, after the crowd, when the queues hold hundreds of requests \
         and p95 is past 30 s. Warm-up hides the new servers' numbers, so at 120 s it even adds \
         two more. At 150 s it becomes a Kubernetes HPA on requests per second (2 per server) \
         with containers that start in 5 s. CPU cannot read above 100%, a request rate can: at \
         the second crowd (180 s) HPA sees the whole demand, doubles the servers within 20 s, \
         and p95 peaks near 7 s. Watch the servers line against the throughput.",
        300,
    );
    s.traffic.rate = 8.0;
    s.traffic.pattern = crowd(20);
    s.autoscale = Some(Autoscale {
        policy: Policy::TargetTracking(TargetTracking {
            period: SimDuration::from_secs(15),
            scale_out_periods: 3,
            scale_in_periods: 4,
            scale_out_cooldown: SimDuration::from_secs(60),
            scale_in_cooldown: SimDuration::from_secs(60),
            warmup: SimDuration::from_secs(60),
        }),
        metric: Metric::Cpu,
        target: 0.6,
        min: 4,
        max: 16,
        boot_time: SimDuration::from_secs(45),
    });
    s.timeline = vec![
        at(
            150,
            Command::SetAutoscale(Some(Autoscale {
                policy: Policy::Hpa(Hpa {
                    scale_down_window: SimDuration::from_secs(60),
                    ..Hpa::default()
                }),
                metric: Metric::Rps,
                target: 2.0,
                boot_time: SimDuration::from_secs(5),
                ..s.autoscale.expect("set above")
            })),
        ),
        at(150, Command::SetPattern(crowd(180))),
    ];
    s
}

/// A flash crowd from `start` seconds: the rate triples within 5 s for a minute.
fn crowd(start: u64) -> Pattern {
    Pattern::Spike {
        start: SimDuration::from_secs(start),
        ramp: SimDuration::from_secs(5),
        hold: SimDuration::from_secs(60),
        peak: 3.0,
    }
}

fn cascading_failure() -> Scenario {
    let mut s = base(
        "Failure spread by retries, stopped by circuit breakers",
        "At 20 s server-1 starts failing half its requests and slows down fourfold. Each 500 is \
         retried on another server and a try slower than 4 s is given up and retried, so a request \
         that meets server-1 pays for two tries: p95 latency climbs from about 2.6 s to about 6 s \
         and stays there, though no error reaches a client (active health checks are off, so \
         nothing takes server-1 out). At 60 s circuit breakers are switched on: after 5 failures \
         in a row server-1's breaker opens (the gate across its link), requests picked for it are \
         refused at once and sent elsewhere, its bar falls towards nothing, and within about 25 s \
         p95 is back near 3 s. Every 10 s the breaker half-opens to let one trial through.",
        120,
    );
    s.traffic.rate = 8.0;
    s.resilience.health = None;
    s.resilience.retry = RetryPolicy {
        on_500: true,
        per_try_timeout: Some(SimDuration::from_secs(4)),
        ..RetryPolicy::NGINX_DEFAULT
    };
    let breaker = BreakerConfig::Consecutive(Consecutive {
        threshold: 5,
        timeout: SimDuration::from_secs(10),
    });
    s.timeline = vec![
        at(
            20,
            Command::SetErrorRate {
                server: 0,
                rate: 0.5,
            },
        ),
        at(
            20,
            Command::SetSpeed {
                server: 0,
                speed: 0.25,
            },
        ),
        at(60, Command::SetBreaker(breaker)),
    ];
    s
}

fn retry_storm() -> Scenario {
    let mut s = base(
        "Retry storm",
        "At 20 s server-2 slows down tenfold. Its requests time out after 3 s and are retried on \
         the others, but it keeps working on the abandoned ones (watch its 'wasted' count), so it \
         never catches up, and the retries add a quarter more load to the other three: p99 \
         rises two to three times. At 70 s a 20% retry budget caps the retries in flight: fewer retries, \
         a few more fast failures. Push the arrival rate up and the retries can tip the healthy \
         servers over too.",
        120,
    );
    s.traffic.rate = 9.0;
    s.resilience.health = None;
    let retry = RetryPolicy {
        per_try_timeout: Some(SimDuration::from_secs(3)),
        ..RetryPolicy::NGINX_DEFAULT
    };
    s.resilience.retry = retry;
    s.timeline = vec![
        at(
            20,
            Command::SetSpeed {
                server: 1,
                speed: 0.1,
            },
        ),
        at(
            70,
            Command::SetRetry(RetryPolicy {
                budget: Some(0.2),
                ..retry
            }),
        ),
    ];
    s
}

fn flash_sale() -> Scenario {
    let mut s = base(
        "Flash sale",
        "Traffic quadruples at 30 s for 30 s, well past what the four servers can serve. With \
         queues unbounded they would hold about 650 requests by 60 s and p95 would pass 40 s, \
         still draining at 100 s. Here each server queues at most 20: the queues fill (80 in \
         all) and stay full, the overflow is refused at once with 503s (10 to 25 a second while \
         the spike lasts), p95 tops out near 10 s, and the queues have drained by about 85 s.",
        120,
    );
    for spec in &mut s.servers {
        spec.queue_limit = Some(20);
    }
    s.timeline = vec![
        at(30, Command::SetRate(40.0)),
        at(60, Command::SetRate(10.0)),
    ];
    s
}

fn power_of_two() -> Scenario {
    let mut s = base(
        "Power of two choices at 90% load",
        "Twenty servers at 90% load. Random choice lets some queues run long while others sit \
         idle (queueing theory: mean time in system 10x the service time). At 120 s the balancer \
         switches to nginx's random two least_conn: looking at just two servers cuts the mean to \
         about 2.6x (Mitzenmacher's result) and the tail far more.",
        240,
    );
    s.servers = (1..=20)
        .map(|i| server(&format!("server-{i}"), 1, 1))
        .collect();
    s.traffic.rate = 36.0; // 20 servers x 1 worker / 0.5 s = 40 req/s of capacity
    s.client_latency = SimDuration::ZERO;
    s.backend_latency = SimDuration::ZERO;
    s.algorithm = Algorithm::Random;
    s.resilience = Resilience::NONE;
    s.timeline = vec![at(120, Command::SetAlgorithm(Algorithm::NginxRandomTwo))];
    s
}

fn consistent_hash_leave() -> Scenario {
    let mut s = base(
        "Consistent hashing when a server leaves",
        "Sessions are spread over five servers by a ketama ring. server-3 dies at 30 s: once the \
         health checks take it out, the timeline reports how many sessions moved (about one in \
         five) against what modulo hashing would have moved (about four in five). It comes back \
         at 60 s and its sessions return to it.",
        90,
    );
    s.servers = (1..=5)
        .map(|i| server(&format!("server-{i}"), 1, 2))
        .collect();
    s.traffic.rate = 12.0;
    s.algorithm = Algorithm::ConsistentHashSession;
    s.timeline = vec![
        at(30, Command::Kill { server: 2 }),
        at(60, Command::Revive { server: 2 }),
    ];
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Simulation;

    #[test]
    fn every_preset_is_valid_runs_and_explains_itself() {
        for p in PRESETS {
            let scenario = (p.build)();
            assert!(
                !scenario.title.is_empty() && scenario.watch.len() > 100,
                "{}",
                p.id
            );
            let duration = scenario.duration.expect("presets say how long they run");
            let mut sim = Simulation::new(scenario).unwrap_or_else(|e| panic!("{}: {e}", p.id));
            sim.advance_to(SimTime(duration.0));
            assert!(sim.totals().balanced(), "{}", p.id);
            assert!(sim.totals().completed > 100, "{}", p.id);
        }
        assert!(preset("crash-recovery").is_some());
        assert!(preset("nope").is_none());
    }
}
