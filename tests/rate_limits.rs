//! Rate limits at work in whole runs: nginx's worked example through the engine, per-address
//! against global keys, and Envoy's token bucket.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::command::TimedCommand;
use lb_playground::sim::ratelimit::{LimitKey, NginxLimit, RateLimit, TokenBucket};
use lb_playground::sim::request::Outcome;
use lb_playground::sim::scenario::server;
use lb_playground::sim::traffic::{CostDistribution, Pattern};
use lb_playground::sim::{
    Command, Resilience, Scenario, SimDuration, SimTime, Simulation, TraceRecord,
};

/// `clients` clients sending `n` requests in the first millisecond (evenly spaced, the last at
/// 1 ms), then
/// nothing, to ten idle servers with no network delays; each request costs 1 ms.
fn burst(n: u32, clients: u32, rate_limit: RateLimit) -> Scenario {
    let mut scenario = Scenario {
        servers: (1..=10).map(|i| server(&format!("s{i}"), 1, 100)).collect(),
        client_latency: SimDuration::ZERO,
        backend_latency: SimDuration::ZERO,
        resilience: Resilience::NONE,
        rate_limit,
        timeline: vec![TimedCommand {
            at: SimTime::ZERO + SimDuration::MS,
            command: Command::SetRate(0.0),
        }],
        ..Scenario::classroom()
    };
    scenario.traffic.rate = f64::from(n) * 1_000.0;
    scenario.traffic.clients = clients;
    scenario.traffic.pattern = Pattern::Constant;
    scenario.traffic.cost = CostDistribution::Constant {
        cost: SimDuration::MS,
    };
    scenario
}

fn nginx(nodelay: bool, key: LimitKey) -> RateLimit {
    RateLimit::Nginx(NginxLimit::new(10.0, 5, nodelay, key))
}

/// The latencies, in whole milliseconds, of the requests served, in arrival order.
fn served_ms(scenario: Scenario) -> (Vec<u64>, u64) {
    let mut sim = Simulation::new(scenario).unwrap();
    sim.keep_finished(true);
    sim.advance_to(SimTime::from_secs_f64(2.0));
    let mut records: Vec<_> = std::iter::from_fn(|| sim.poll_finished()).collect();
    records.sort_by_key(|r| r.seq);
    let totals = sim.totals();
    assert!(totals.balanced(), "{totals:?}");
    assert!(
        records
            .iter()
            .all(|r| r.outcome == Outcome::Success || r.outcome == Outcome::RateLimited)
    );
    let served = records
        .iter()
        .filter(|r| r.outcome == Outcome::Success)
        .map(|r| r.latency.0 / 1_000)
        .collect();
    (served, totals.rate_limited)
}

#[test]
fn nginx_limit_req_lets_six_of_twenty_through_at_once_with_nodelay() {
    let (served, limited) = served_ms(burst(20, 1, nginx(true, LimitKey::ClientIp)));
    assert_eq!(served, [1; 6], "served at once (1 ms of work each)");
    assert_eq!(limited, 14);
}

#[test]
fn nginx_limit_req_without_nodelay_spaces_the_six_at_the_rate() {
    let (served, limited) = served_ms(burst(20, 1, nginx(false, LimitKey::ClientIp)));
    // Each waited excess / rate, 0, 100, ..., 500 ms, then took 1 ms.
    assert_eq!(served, [1, 101, 201, 301, 401, 501]);
    assert_eq!(limited, 14);
}

#[test]
fn a_limit_per_address_lets_each_client_through_where_a_global_one_does_not() {
    // Four clients send the 20: per address each has its own 6 at once, so more get through;
    // under one global key all of them share 6.
    let (per_address, limited) = served_ms(burst(20, 4, nginx(true, LimitKey::ClientIp)));
    assert_eq!(per_address.len() as u64 + limited, 20);
    assert!(per_address.len() > 6, "{}", per_address.len());
    let (global, limited) = served_ms(burst(20, 4, nginx(true, LimitKey::Global)));
    assert_eq!((global.len(), limited), (6, 14));
}

#[test]
fn envoy_token_bucket_refuses_once_the_bucket_is_empty() {
    let bucket = RateLimit::TokenBucket(TokenBucket {
        max_tokens: 3,
        tokens_per_fill: 1,
        fill_interval: SimDuration::from_secs(1),
        key: LimitKey::Global,
        status: 429,
    });
    let (served, limited) = served_ms(burst(10, 3, bucket));
    assert_eq!((served.len(), limited), (3, 7));
}

#[test]
fn a_command_changes_the_limit_while_running_and_files_keep_it() {
    let mut sim = Simulation::new(burst(20, 1, RateLimit::Off)).unwrap();
    sim.apply(Command::SetRateLimit(nginx(true, LimitKey::Global)))
        .unwrap();
    sim.advance_to(SimTime::from_secs_f64(1.0));
    assert_eq!(sim.totals().rate_limited, 14);
    let saved = sim.export_scenario();
    assert_eq!(Scenario::from_json(&saved.to_json()).unwrap(), saved);
    let refused = sim
        .apply(Command::SetRateLimit(RateLimit::Nginx(NginxLimit {
            rate: 0.0,
            ..match nginx(true, LimitKey::Global) {
                RateLimit::Nginx(n) => n,
                _ => unreachable!(),
            }
        })))
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "rate limit.rate: 0 is below the minimum 0.001"
    );
}

#[test]
fn the_noisy_client_preset_limits_only_the_nat_per_address_and_everyone_globally() {
    use lb_playground::sim::traffic::NAT_ADDRESS;
    let scenario = lb_playground::sim::presets::preset("rate-limit-noisy-client").unwrap();
    let mut sim = Simulation::new(scenario).unwrap();
    sim.keep_finished(true);
    sim.advance_to(SimTime::from_secs_f64(120.0));
    let limited: Vec<_> = std::iter::from_fn(|| sim.poll_finished())
        .filter(|r| r.outcome == Outcome::RateLimited)
        .collect();
    let (before, after): (Vec<&TraceRecord>, Vec<&TraceRecord>) = limited
        .iter()
        .partition(|r| r.sent < SimTime::from_secs_f64(60.0));
    assert!(
        before.len() > 100,
        "the NAT sends about 6 r/s for 2 allowed"
    );
    assert!(
        before
            .iter()
            .all(|r| r.ip == std::net::IpAddr::from(NAT_ADDRESS)),
        "per address: only the NAT"
    );
    let quiet = after
        .iter()
        .filter(|r| r.ip != std::net::IpAddr::from(NAT_ADDRESS))
        .count();
    assert!(
        quiet * 4 > after.len(),
        "globally the quiet clients lose about half: {quiet} of {}",
        after.len()
    );
}

/// Poisson arrivals at 60 a second for 200 s from 30 clients, through `balancers` balancers
/// (DNS round robin with an hour's TTL: each keeps the clients it first got, a third each, and
/// sees Poisson arrivals at 20 a second) each limiting at nginx's 10 r/s with no burst, one global key,
/// no network delays and 1 ms requests: how many a second were served.
fn passed_per_second(balancers: u8) -> f64 {
    use lb_playground::sim::front::dns::DnsConfig;
    use lb_playground::sim::front::{Front, Spread};
    let mut s = Scenario {
        servers: (1..=10).map(|i| server(&format!("s{i}"), 1, 100)).collect(),
        resilience: Resilience::NONE,
        rate_limit: RateLimit::Nginx(NginxLimit::new(10.0, 0, true, LimitKey::Global)),
        client_latency: SimDuration::ZERO,
        backend_latency: SimDuration::ZERO,
        ..Scenario::classroom()
    };
    s.traffic.rate = 60.0;
    s.traffic.clients = 30;
    s.traffic.cost = CostDistribution::Constant {
        cost: SimDuration::MS,
    };
    if balancers > 1 {
        let dns = DnsConfig {
            ttl: SimDuration::from_secs(3_600),
            health_checked: false,
        };
        s.front = Some(Front::new(balancers, Spread::Dns(dns)));
    }
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(SimTime::from_secs_f64(200.0));
    let t = sim.totals();
    assert!(t.balanced(), "{t:?}");
    t.completed as f64 / 200.0
}

#[test]
fn each_balancer_keeps_its_own_count_so_a_limit_multiplies_with_the_balancers() {
    // nginx with burst=0 lets one request through, then refuses all for 100 ms: of Poisson
    // arrivals at rate λ, λ / (1 + λ x 0.1 s) a second pass. One balancer seeing all 60 a
    // second: 60 / 7 = 8.6. Three each seeing about 20: 20 / 3 = 6.7 each, 20 in all: the
    // "10 a second" limit lets through more than twice as much, as three nginx instances
    // each with its own limit_req zone would.
    let one = passed_per_second(1);
    let three = passed_per_second(3);
    println!("passed a second: one balancer {one:.2}, three {three:.2}");
    assert!((one - 60.0 / 7.0).abs() < 0.4, "{one}");
    assert!((three - 20.0).abs() < 1.0, "{three}");
}

#[test]
fn no_queueing_model_is_offered_while_a_rate_limit_thins_the_arrivals() {
    let open = Simulation::new(Scenario::classroom()).unwrap();
    assert!(lb_playground::sim::theory::expected_latency(&open).is_some());
    let mut limited = Scenario::classroom();
    limited.rate_limit = nginx(false, LimitKey::Global);
    let sim = Simulation::new(limited).unwrap();
    assert!(lb_playground::sim::theory::expected_latency(&sim).is_none());
}

#[test]
fn the_clients_behind_the_nat_are_counted_apart_so_a_limit_per_address_shows_whom_it_refuses() {
    let scenario = lb_playground::sim::presets::preset("rate-limit-noisy-client").unwrap();
    assert_eq!(scenario.traffic.behind_nat, 50);
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(SimTime::from_secs_f64(55.0));
    // Per address (2 r/s, burst 4): only the address the 50 share is refused.
    let [nat, others] = sim.metrics().nat().unwrap().clone();
    println!("at 55 s: NAT {nat:?}\nothers {others:?}");
    assert!(nat.rate_limited > 100, "{}", nat.rate_limited);
    assert_eq!(others.rate_limited, 0);
    assert!(others.completed > 0);
    // Global from 60 s (8 r/s for everyone): the others are refused too.
    sim.advance_to(SimTime::from_secs_f64(120.0));
    let [nat, others] = sim.metrics().nat().unwrap().clone();
    assert!(others.rate_limited > 0, "{}", others.rate_limited);
    let ended = |s: &lb_playground::sim::metrics::AnswerStats| {
        s.completed + s.failed + s.rejected + s.rate_limited
    };
    let totals = sim.metrics().ended();
    assert_eq!(
        ended(&nat) + ended(&others),
        totals.completed + totals.failed + totals.rejected + totals.rate_limited,
        "every request that ended is in one group"
    );
}
