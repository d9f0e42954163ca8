//! The balancer's own CPU: its utilisation is λc/k, past 1 it is the bottleneck, and SSL
//! termination moves the handshakes' work from the servers to it. Worked numbers in each test.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::balancer_cpu::{BalancerCost, Tls, TlsMode};
use lb_playground::sim::connections::Connections;
use lb_playground::sim::front::dns::DnsConfig;
use lb_playground::sim::front::{Front, Spread};
use lb_playground::sim::narrate;
use lb_playground::sim::report::{METRICS_HEADER, Report, metrics_csv};
use lb_playground::sim::traffic::CostDistribution;
use lb_playground::sim::{Command, Scenario, SimDuration, SimTime, Simulation};

fn at(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

/// Poisson arrivals at `rate` of constant 1 ms requests on the classroom's four servers (two
/// workers each), no network delay, through a balancer of `workers` cores that spends
/// `per_request` on each request.
fn parsing(rate: f64, workers: u32, per_request: SimDuration) -> Scenario {
    let mut s = Scenario::classroom();
    s.client_latency = SimDuration::ZERO;
    s.backend_latency = SimDuration::ZERO;
    s.resilience.health = None;
    s.traffic.rate = rate;
    s.traffic.cost = CostDistribution::Constant {
        cost: SimDuration::from_millis(1),
    };
    s.balancer = Some(BalancerCost {
        workers,
        per_request,
        ..BalancerCost::default()
    });
    s
}

/// The servers' share of worker time busy from the start until now.
fn server_utilisation(sim: &Simulation) -> f64 {
    let now = sim.now();
    let busy: u64 = sim.servers().iter().map(|s| s.busy_time(now)).sum();
    let workers: u64 = sim
        .servers()
        .iter()
        .map(|s| u64::from(s.spec().workers))
        .sum();
    busy as f64 / (workers as f64 * now.0 as f64)
}

#[test]
fn the_balancers_utilisation_is_lambda_c_over_k() {
    // λ = 500/s, c = 2 ms, k = 2: ρ = 500 x 0.002 / 2 = 0.5. λ = 400/s, c = 6 ms, k = 4: 0.6.
    for (rate, workers, ms, rho) in [(500.0, 2, 2, 0.5), (400.0, 4, 6, 0.6)] {
        let mut sim =
            Simulation::new(parsing(rate, workers, SimDuration::from_millis(ms))).unwrap();
        sim.advance_to(at(200.0));
        let load = sim.balancer_load().unwrap();
        let measured = load.utilisation(sim.now());
        println!("λ {rate}, c {ms} ms, k {workers}: utilisation {measured:.4} (theory {rho})");
        assert!(
            (measured - rho).abs() < 0.03 * rho,
            "{measured} against {rho}"
        );
        // Busy time counts the request in service at the end, `handled` only finished ones.
        assert!((load.cpu_per_request_ms() - ms as f64).abs() < 1e-3);
        // The servers still do their own 1 ms per request: 500 x 0.001 / 8 = 0.0625.
        let servers = server_utilisation(&sim);
        let expected = rate * 0.001 / 8.0;
        assert!((servers - expected).abs() < 0.03 * expected, "{servers}");
    }
}

#[test]
fn past_lambda_c_over_k_of_one_the_balancer_is_the_bottleneck() {
    // λ = 1500/s, c = 2 ms, k = 2: ρ = 1.5. The balancer finishes k / c = 1000 requests a second
    // and its queue grows by 1500 - 1000 = 500 a second: 30,000 waiting at 60 s. A request sent
    // at s waits behind 500 s requests, 0.5 s each second it waited: it is routed at 1.5 s. So
    // the last one routed by 60 s was sent at 40 s and waited 20 s. The servers see only
    // 1000/s of 1 ms requests on 8 workers: 12.5% busy, while the clients wait.
    let mut sim = Simulation::new(parsing(1500.0, 2, SimDuration::from_millis(2))).unwrap();
    sim.advance_to(at(60.0));
    let report = Report::drain(&mut sim);
    let balancer = report.balancer.as_ref().unwrap();
    println!(
        "ρ 1.5 at 60 s: balancer {:.4} busy, {} handled, {} queued; servers {:.4} busy; \
         latency max {:?} ms, p50 {:?} ms",
        balancer.utilisation,
        balancer.handled,
        balancer.queued,
        server_utilisation(&sim),
        report.latency_ms.max,
        report.latency_ms.p50,
    );
    assert!(balancer.utilisation > 0.999, "{}", balancer.utilisation);
    assert!((balancer.handled as f64 - 60_000.0).abs() < 10.0);
    let queued = balancer.queued as f64;
    assert!((queued - 30_000.0).abs() < 0.03 * 30_000.0, "{queued}");
    let servers = server_utilisation(&sim);
    assert!((servers - 0.125).abs() < 0.005, "{servers}");
    let max = report.latency_ms.max.unwrap();
    assert!((max - 20_000.0).abs() < 0.05 * 20_000.0, "{max}");
    // The metrics windows say the same, one second at a time: the last is all busy, with the
    // queue at its end; the metrics CSV carries them as two more columns.
    let last = sim
        .metrics()
        .series()
        .back()
        .copied()
        .unwrap()
        .balancer
        .unwrap();
    assert!(
        last.busy > 0.999 && last.queued == balancer.queued,
        "{last:?}"
    );
    let csv = metrics_csv(&sim);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",balancer_busy,balancer_queued")
    );
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .ends_with(&format!(",1.000,{}", balancer.queued))
    );
    let plain = Simulation::new(Scenario::classroom()).unwrap();
    assert_eq!(metrics_csv(&plain).trim_end(), METRICS_HEADER);

    // Conservation: every request sent is somewhere.
    let t = report.totals;
    let sum = t.completed + t.failed + t.rejected + t.rate_limited + t.in_flight + t.queued;
    assert_eq!(t.generated, sum);

    // At ρ = 0.5 (λ = 500/s) the same balancer keeps up: the slowest request waits milliseconds.
    let mut sim = Simulation::new(parsing(500.0, 2, SimDuration::from_millis(2))).unwrap();
    sim.advance_to(at(60.0));
    let report = Report::drain(&mut sim);
    assert!(report.latency_ms.max.unwrap() < 100.0);
}

/// 50 clients at 100 req/s of constant 10 ms requests on HTTP/1.1 connections of 10 requests,
/// TLS with full handshakes of 4 ms and resumed ones of 1 ms, half resumed: a mean handshake
/// of 2.5 ms.
fn tls(mode: TlsMode) -> Scenario {
    let mut s = Scenario::classroom();
    s.client_latency = SimDuration::from_millis(5);
    s.backend_latency = SimDuration::from_millis(1);
    s.resilience.health = None;
    s.traffic.rate = 100.0;
    s.traffic.clients = 50;
    s.traffic.cost = CostDistribution::Constant {
        cost: SimDuration::from_millis(10),
    };
    s.connections = Some(Connections {
        max_requests: 10,
        idle_timeout: SimDuration::HOUR,
        ..Connections::default()
    });
    s.balancer = Some(BalancerCost {
        workers: 4,
        per_request: SimDuration::from_micros(100),
        per_connection: SimDuration::from_micros(50),
        tls: Some(Tls {
            mode,
            full_handshake: SimDuration::from_millis(4),
            resumed_handshake: SimDuration::from_millis(1),
            resumption: 0.5,
        }),
    });
    s
}

#[test]
fn ssl_termination_moves_the_handshakes_off_the_servers() {
    // Each request costs the servers 10 ms. Under passthrough they also do each new
    // connection's handshake: 2.5 ms x (connections opened / requests), about 1/10 of them
    // (connections of 10 requests, a few more when a client has two requests at once), so about
    // 0.25 ms a request. Terminating moves exactly that to the balancer.
    let run = |mode| {
        let mut sim = Simulation::new(tls(mode)).unwrap();
        sim.advance_to(at(300.0));
        let opened = sim.connections_opened().unwrap();
        let report = Report::drain(&mut sim);
        (report, opened)
    };
    let (pass, opened) = run(TlsMode::Passthrough);
    let (term, _) = run(TlsMode::Terminate);
    let (pass_b, term_b) = (pass.balancer.unwrap(), term.balancer.unwrap());
    let share = opened as f64 / pass.totals.generated as f64;
    let handshakes = pass_b.full_handshakes + pass_b.resumed_handshakes;
    let mean_handshake = (pass_b.full_handshakes as f64 * 4.0 + pass_b.resumed_handshakes as f64)
        / handshakes as f64;
    let expected = mean_handshake * share;
    let server_drop =
        pass_b.server_cpu_per_request_ms.unwrap() - term_b.server_cpu_per_request_ms.unwrap();
    let balancer_rise = term_b.cpu_per_request_ms - pass_b.cpu_per_request_ms;
    println!(
        "{opened} connections for {} requests (share {share:.4}), mean handshake \
         {mean_handshake:.3} ms: expected {expected:.4} ms a request; servers {:.4} -> {:.4} ms \
         (drop {server_drop:.4}), balancer {:.4} -> {:.4} ms (rise {balancer_rise:.4})",
        pass.totals.generated,
        pass_b.server_cpu_per_request_ms.unwrap(),
        term_b.server_cpu_per_request_ms.unwrap(),
        pass_b.cpu_per_request_ms,
        term_b.cpu_per_request_ms,
    );
    assert_eq!(handshakes, opened);
    assert!((mean_handshake - 2.5).abs() < 0.1, "{mean_handshake}");
    assert!((0.09..0.13).contains(&share), "{share}");
    assert!(
        (server_drop - expected).abs() < 0.03 * expected,
        "{server_drop}"
    );
    assert!(
        (balancer_rise - expected).abs() < 0.03 * expected,
        "{balancer_rise}"
    );
    // Terminated, the servers do only the requests' own 10 ms.
    assert!((term_b.server_cpu_per_request_ms.unwrap() - 10.0).abs() < 0.01);
}

#[test]
fn reencrypting_costs_both_and_the_mode_changes_from_the_timeline() {
    let mut sim = Simulation::new(tls(TlsMode::Reencrypt)).unwrap();
    sim.advance_to(at(100.0));
    let report = Report::drain(&mut sim);
    let b = report.balancer.unwrap();
    assert!(b.server_cpu_per_request_ms.unwrap() > 10.1);
    assert!(b.cpu_per_request_ms > 0.3);
    assert_eq!(b.tls, Some("reencrypt"));

    // A command changes who does the handshakes and is narrated with what it was before.
    let mut sim = Simulation::new(tls(TlsMode::Passthrough)).unwrap();
    sim.advance_to(at(10.0));
    sim.apply(Command::SetTls(TlsMode::Terminate)).unwrap();
    let logged: Vec<_> = sim.drain_events().collect();
    let text = narrate::text(logged.last().unwrap(), sim.servers());
    assert!(
        text.contains("passed through") && text.contains("terminated"),
        "{text}"
    );
    assert_eq!(sim.tls_mode(), Some(TlsMode::Terminate));

    // Without TLS at the balancer the command is refused in words.
    let mut sim = Simulation::new(parsing(10.0, 1, SimDuration::MS)).unwrap();
    let err = sim.apply(Command::SetTls(TlsMode::Terminate)).unwrap_err();
    assert!(err.to_string().contains("no TLS"), "{err}");
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let report = || {
        let mut sim = Simulation::new(tls(TlsMode::Terminate)).unwrap();
        sim.advance_to(at(60.0));
        Report::drain(&mut sim).to_json()
    };
    assert_eq!(report(), report());
}

#[test]
fn bad_balancer_settings_are_refused_with_their_field() {
    let mut s = tls(TlsMode::Terminate);
    s.balancer.as_mut().unwrap().workers = 0;
    let err = Scenario::from_json(&s.to_json()).unwrap_err().to_string();
    assert!(err.contains("balancer.workers"), "{err}");
    let text = Scenario::classroom().to_json().replacen(
        "\"servers\"",
        "\"balancer\": {\"cores\": 2},\n  \"servers\"",
        1,
    );
    let err = Scenario::from_json(&text).unwrap_err().to_string();
    assert!(err.contains("cores"), "{err}");
}

/// What one stretch of a run did: the servers' and the balancer's share of time busy, CPU per
/// request, and the p95 latency of the requests that finished in it.
#[derive(Debug)]
struct Stretch {
    servers_busy: f64,
    balancer_busy: f64,
    server_ms: f64,
    balancer_ms: f64,
    p95_ms: f64,
    queued_at_end: u64,
}

fn stretch(sim: &mut Simulation, from: f64, to: f64) -> Stretch {
    sim.advance_to(at(from));
    while sim.poll_finished().is_some() {}
    let totals = |sim: &Simulation| {
        let now = sim.now();
        let servers: u64 = sim.servers().iter().map(|s| s.busy_time(now)).sum();
        let served: u64 = sim.metrics().servers().iter().map(|s| s.completed).sum();
        let load = sim.balancer_load().unwrap();
        (servers, served, load.busy_time, load.handled)
    };
    let before = totals(sim);
    sim.advance_to(at(to));
    let after = totals(sim);
    let mut latencies: Vec<u64> = std::iter::from_fn(|| sim.poll_finished())
        .map(|r| r.latency.0)
        .collect();
    latencies.sort_unstable();
    let span = (to - from) * 1e6;
    let workers: u32 = sim.servers().iter().map(|s| s.spec().workers).sum();
    let load = sim.balancer_load().unwrap();
    Stretch {
        servers_busy: (after.0 - before.0) as f64 / (span * f64::from(workers)),
        balancer_busy: (after.2 - before.2) as f64 / (span * f64::from(load.workers)),
        server_ms: (after.0 - before.0) as f64 / (after.1 - before.1) as f64 / 1e3,
        balancer_ms: (after.2 - before.2) as f64 / (after.3 - before.3) as f64 / 1e3,
        p95_ms: latencies[latencies.len() * 95 / 100] as f64 / 1e3,
        queued_at_end: load.queued,
    }
}

#[test]
fn the_tls_termination_preset_does_what_its_text_says() {
    let scenario = lb_playground::sim::presets::preset("tls-termination").unwrap();
    let mut sim = Simulation::new(scenario).unwrap();
    sim.keep_finished(true);
    let stretches: Vec<Stretch> = [(10.0, 60.0), (70.0, 120.0), (130.0, 180.0), (200.0, 240.0)]
        .iter()
        .map(|&(from, to)| stretch(&mut sim, from, to))
        .collect();
    for (i, s) in stretches.iter().enumerate() {
        println!("stretch {i}: {s:?}");
    }
    let [pass, term, overload, back] = &stretches[..] else {
        unreachable!("four stretches")
    };
    // Passed through: the servers do 20 ms of work and about 14 ms of handshakes a request and
    // are a third busy; the balancer only accepts connections (3%).
    assert!((0.28..0.38).contains(&pass.servers_busy), "{pass:?}");
    assert!((30.0..37.0).contains(&pass.server_ms), "{pass:?}");
    assert!(pass.balancer_busy < 0.05, "{pass:?}");
    // Terminated: the servers a fifth busy at 20 ms a request; the balancer two thirds busy at
    // about 16 ms (the handshakes, 2 ms of parsing, 1 ms per connection).
    assert!((0.17..0.24).contains(&term.servers_busy), "{term:?}");
    assert!((19.5..21.0).contains(&term.server_ms), "{term:?}");
    assert!((0.6..0.72).contains(&term.balancer_busy), "{term:?}");
    assert!((15.0..17.5).contains(&term.balancer_ms), "{term:?}");
    // A new connection's handshake goes only as far as the balancer now: one client round
    // trip (600 ms) instead of one through to the servers (1.2 s), and most requests open one.
    assert!(
        pass.p95_ms < 2_700.0 && term.p95_ms < 2_000.0,
        "{pass:?} {term:?}"
    );
    assert!(pass.p95_ms - term.p95_ms > 500.0, "{pass:?} {term:?}");
    // 150 req/s: the balancer is the bottleneck, hundreds wait at its door by 180 s, p95 over
    // 4 s from 130 s to 180 s (about 5 s in the last 10 s), the servers under 40% busy.
    assert!(overload.balancer_busy > 0.99, "{overload:?}");
    assert!(overload.queued_at_end > 300, "{overload:?}");
    assert!(overload.p95_ms > 4_000.0, "{overload:?}");
    assert!(overload.servers_busy < 0.4, "{overload:?}");
    // Passed through again: the queue drained, the servers near 60% busy, p95 back to 2.5 s.
    assert_eq!(back.queued_at_end, 0);
    assert!((0.5..0.65).contains(&back.servers_busy), "{back:?}");
    assert!(back.balancer_busy < 0.06, "{back:?}");
    assert!(back.p95_ms < 2_700.0, "{back:?}");
    let opened = sim.connections_opened().unwrap() as f64;
    let share = opened / sim.totals().generated as f64;
    println!("new connections per request: {share:.3}");
    assert!((0.6..0.8).contains(&share), "{share}");
}

#[test]
fn no_queueing_model_is_offered_for_a_balancer_that_costs() {
    let free = Simulation::new(Scenario::classroom()).unwrap();
    assert!(lb_playground::sim::theory::expected_latency(&free).is_some());
    let mut costly = Scenario::classroom();
    costly.balancer = Some(BalancerCost::default());
    let sim = Simulation::new(costly).unwrap();
    assert!(lb_playground::sim::theory::expected_latency(&sim).is_none());
}

/// `parsing(rate, 2, 2 ms)` behind `n` balancers with DNS round robin and a TTL of zero: every
/// request looks the name up again, so the answers' rotation deals the requests out evenly.
fn scaled_out(rate: f64, n: u8) -> Scenario {
    Scenario {
        front: Some(Front::new(
            n,
            Spread::Dns(DnsConfig {
                ttl: SimDuration::ZERO,
                health_checked: false,
            }),
        )),
        ..parsing(rate, 2, SimDuration::from_millis(2))
    }
}

#[test]
fn more_balancers_divide_the_cpu_load_each_one_carries() {
    // λ = 1500/s, c = 2 ms, k = 2: one balancer would be at ρ = 1.5, its queue growing by 500 a
    // second. Three of them behind DNS round robin take 500/s each: ρ = 500 x 0.002 / 2 = 0.5,
    // and the tier as a whole (6 cores) is at 0.5 too.
    let mut sim = Simulation::new(scaled_out(1500.0, 3)).unwrap();
    sim.advance_to(at(100.0));
    for b in 0..3 {
        let load = sim.balancer_load_of(b).unwrap();
        let rho = load.utilisation(sim.now());
        println!("lb-{}: utilisation {rho:.4} (theory 0.5)", b + 1);
        assert!((rho - 0.5).abs() < 0.02, "lb-{}: {rho}", b + 1);
        assert!(load.queued < 50, "lb-{}: {} waiting", b + 1, load.queued);
    }
    let tier = sim.balancer_load().unwrap();
    assert_eq!(tier.workers, 6);
    assert!((tier.utilisation(sim.now()) - 0.5).abs() < 0.02);
    let report = Report::drain(&mut sim);
    assert!(report.totals.balanced());
    for entry in &report.balancers {
        let busy = entry.cpu_busy.expect("each balancer's CPU is reported");
        assert!((busy - 0.5).abs() < 0.02, "{entry:?}");
    }
    let cost = report.balancer.expect("the tier's CPU is reported");
    assert!((cost.utilisation - 0.5).abs() < 0.02, "{cost:?}");
}

#[test]
fn a_crashed_balancer_loses_its_cpu_queue_and_comes_back_idle() {
    // λ = 3000/s over two balancers: 1500/s each, ρ = 1.5, each queue growing by 500 a second,
    // about 5,000 waiting at each by 10 s. lb-1 crashes then: every request it held is lost
    // (those waiting for a core among them) and its cores stop; it comes back empty.
    let mut sim = Simulation::new(scaled_out(3000.0, 2)).unwrap();
    sim.advance_to(at(10.0));
    let before = sim.balancer_load_of(0).unwrap();
    println!(
        "lb-1 at 10 s: {} waiting, {} busy",
        before.queued, before.busy
    );
    assert!((4_500..5_500).contains(&before.queued), "{before:?}");
    let held = sim.held_per_balancer()[0];
    sim.apply(Command::KillBalancer { balancer: 0 }).unwrap();
    let after = sim.balancer_load_of(0).unwrap();
    assert_eq!((after.queued, after.busy), (0, 0), "{after:?}");
    assert!(sim.balancer_load_of(1).unwrap().queued > 4_500);
    assert!(sim.totals().balanced());
    sim.apply(Command::ReviveBalancer { balancer: 0 }).unwrap();
    sim.advance_to(at(10.5));
    let lost = sim.metrics().balancers()[0].answers.failed;
    println!("lb-1 held {held} and lost {lost}");
    assert_eq!(lost, u64::from(held));
    assert!(sim.totals().balanced());
}

#[test]
fn the_balancer_tier_sizing_preset_does_what_its_text_says() {
    let scenario = lb_playground::sim::presets::preset("balancer-tier-sizing").expect("a preset");
    let mut sim = Simulation::new(scenario).unwrap();
    // 550/s over two: 275/s each at 2.2 ms, 60% of a core.
    sim.advance_to(at(29.0));
    for b in 0..2 {
        let rho = sim.balancer_load_of(b).unwrap().utilisation(sim.now());
        println!("29 s: lb-{} {rho:.3} busy", b + 1);
        assert!((rho - 0.605).abs() < 0.03, "lb-{}: {rho}", b + 1);
    }
    // lb-1 crashes at 30 s; from 40 s no client has it cached and the DNS no longer names it.
    sim.advance_to(at(41.0));
    let took = sim.metrics().balancers()[0].received;
    sim.advance_to(at(59.0));
    assert_eq!(sim.metrics().balancers()[0].received, took);
    // lb-2 at 121%: its queue grows by 550 - 455 = 95 a second once every client is on it.
    let queued = sim.balancer_load_of(1).unwrap().queued;
    let servers = {
        let before: u64 = sim.servers().iter().map(|s| s.busy_time(sim.now())).sum();
        sim.advance_to(at(60.0));
        let after: u64 = sim.servers().iter().map(|s| s.busy_time(sim.now())).sum();
        (after - before) as f64 / 8e6
    };
    println!("59 s: lb-2 has {queued} waiting; servers {servers:.2} busy");
    assert!((1_500..2_600).contains(&queued), "{queued}");
    // The servers get only what lb-2 finishes: 455/s of 5 ms on 8 workers, 28%.
    assert!((0.2..0.36).contains(&servers), "{servers}");
    // lb-1 is back at 60 s: lb-2's queue drains at about 455 - 275 = 180 a second once the
    // clients' answers name both again (within the 10 s TTL), in about 20 s. The last
    // requests sent to lb-1 before the DNS moved (by 40 s) retransmit their SYNs 1, 3, 7, 15
    // and 31 s after they were sent: the last of them get through just before 71 s.
    let (mut drained, mut syns_over) = (None, None);
    for t in 61..=120 {
        sim.advance_to(at(f64::from(t)));
        if drained.is_none() && sim.balancer_load_of(1).unwrap().queued < 10 {
            drained = Some(t);
        }
        if syns_over.is_none() && sim.requests().all(|r| r.syns == 0) {
            syns_over = Some(t);
        }
    }
    println!("lb-2's queue drained by {drained:?} s, the last SYN through by {syns_over:?} s");
    assert!(
        drained.is_some_and(|t| (72..=85).contains(&t)),
        "{drained:?}"
    );
    assert!(
        syns_over.is_some_and(|t| (68..=71).contains(&t)),
        "{syns_over:?}"
    );
    let report = Report::drain(&mut sim);
    assert!(report.totals.balanced());
}
