//! Each preset checked against what its `watch` text promises, on the numbers the page shows
//! (the latency chart's p95, the bars of the last 30 s, the per-path table), within the time
//! the text gives a class.

use super::preset;
use crate::sim::{SimTime, Simulation};

/// The preset `id` run to `seconds`.
fn at(id: &str, seconds: u64) -> Simulation {
    let mut sim = Simulation::new(preset(id).unwrap()).unwrap();
    sim.advance_to(SimTime(seconds * 1_000_000));
    sim
}

/// The latency chart's latest p95, in seconds.
fn p95_s(sim: &Simulation) -> f64 {
    sim.metrics().series().back().unwrap().p95_ms.unwrap() / 1e3
}

/// Server `index`'s share of the requests routed in the last 30 s, in percent.
fn recent_share(sim: &Simulation, index: usize) -> f64 {
    let recent = sim.metrics().recent_routed(sim.now());
    let total: u64 = recent.routed.iter().sum();
    100.0 * recent.routed[index] as f64 / total as f64
}

#[test]
fn slow_server_tail_falls_within_30_s_of_the_switch_to_least_connections() {
    let before = at("slow-server", 30);
    assert!(p95_s(&before) > 7.0, "{}", p95_s(&before));
    assert!((recent_share(&before, 3) - 25.0).abs() < 2.0);
    let after = at("slow-server", 45);
    assert!(
        recent_share(&after, 3) < 20.0,
        "{}",
        recent_share(&after, 3)
    );
    for t in [60, 75, 90, 105, 120] {
        let sim = at("slow-server", t);
        assert!(p95_s(&sim) < 5.0, "at {t} s: {}", p95_s(&sim));
    }
}

#[test]
fn long_report_page_tail_falls_under_least_connections() {
    let page_p95_s =
        |sim: &Simulation| sim.metrics().paths()[0].latency.quantile(0.95).unwrap() as f64 / 1e6;
    let before = at("long-report", 60);
    let p50 = before.metrics().series().back().unwrap().p50_ms.unwrap() / 1e3;
    assert!(page_p95_s(&before) > 5.0, "{}", page_p95_s(&before));
    assert!(p50 < 1.5, "{p50}");
    let end = at("long-report", 120);
    assert!(page_p95_s(&end) < 3.5, "{}", page_p95_s(&end));
}

#[test]
fn shopping_cart_bars_even_out_within_30_s_of_sticky_sessions() {
    let before = at("shopping-cart-nat", 60);
    assert!(
        recent_share(&before, 0) > 60.0,
        "{}",
        recent_share(&before, 0)
    );
    let after = at("shopping-cart-nat", 90);
    for server in 0..4 {
        let share = recent_share(&after, server);
        assert!((share - 25.0).abs() < 6.0, "server {server}: {share}");
    }
    let p50 = |sim: &Simulation| sim.metrics().series().back().unwrap().p50_ms.unwrap();
    assert!(p50(&at("shopping-cart-nat", 70)) < p50(&before) / 4.0);
}

#[test]
fn health_check_kinds_each_take_out_more_until_the_errors_stop() {
    let errors = |sim: &Simulation, from: u64, to: u64| -> f64 {
        let series = sim.metrics().series();
        series
            .iter()
            .filter(|s| (from as f64..to as f64).contains(&s.end.as_secs_f64()))
            .map(|s| s.errors)
            .sum()
    };
    let end = at("health-check-kinds", 100);
    // TCP checks: half the servers' failures go on; status checks: server-4's still do, at
    // about a quarter of the requests; body checks: none once server-4 is out.
    let tcp = errors(&end, 20, 40);
    let status = errors(&end, 50, 70);
    assert!(tcp > status && status > 0.0, "{tcp} {status}");
    assert_eq!(errors(&end, 80, 100), 0.0);
    // The three left are not overloaded: the median stays near the classroom's.
    let p50 = end.metrics().series().back().unwrap().p50_ms.unwrap();
    assert!(p50 < 3_000.0, "{p50}");
}

#[test]
fn equal_round_robin_keeps_the_bars_level_and_p99_about_twice_the_median() {
    for t in [30, 60, 120] {
        let sim = at("equal-round-robin", t);
        let sample = sim.metrics().series().back().unwrap();
        let ratio = sample.p99_ms.unwrap() / sample.p50_ms.unwrap();
        assert!((1.5..2.8).contains(&ratio), "at {t} s: {ratio}");
        for server in 0..4 {
            assert!((recent_share(&sim, server) - 25.0).abs() < 2.0);
        }
    }
}

#[test]
fn retry_storm_raises_p99_two_to_three_times() {
    let p99 = |t| {
        let sim = at("retry-storm", t);
        sim.metrics().series().back().unwrap().p99_ms.unwrap()
    };
    let before = p99(15);
    for t in [30, 40, 50, 60, 70] {
        let ratio = p99(t) / before;
        assert!((1.6..3.2).contains(&ratio), "at {t} s: {ratio}");
    }
}

#[test]
fn many_balancers_herd_on_old_information_until_two_choices() {
    // Measured: p95 4.9 s at 30 s, 7.0 at 45 s, 7.2 at 60 s; 2.8 at 75 s, then 1.55 to 1.74 s.
    for t in [45, 60] {
        let sim = at("many-balancers-herding", t);
        assert!(p95_s(&sim) > 5.0, "at {t} s: {}", p95_s(&sim));
    }
    for t in [105, 120, 150, 180] {
        let sim = at("many-balancers-herding", t);
        assert!(p95_s(&sim) < 2.0, "at {t} s: {}", p95_s(&sim));
    }
}

#[test]
fn balancer_failover_takes_over_at_33_6_s_and_preempts_at_63_41_s() {
    use crate::sim::events::Event;
    let mut sim = at("balancer-failover", 90);
    let failovers: Vec<(u64, u8, Option<u8>)> = sim
        .drain_events()
        .filter_map(|l| match l.event {
            Event::Vrrp(e) => Some((l.at.0 / 10_000, e.router, e.replaced)),
            _ => None,
        })
        .collect();
    assert_eq!(failovers, [(3_360, 1, None), (6_341, 0, Some(1))]);
    let report = crate::sim::report::Report::drain(&mut sim);
    let [lb1, lb2] = &report.balancers[..] else {
        panic!("two balancers")
    };
    assert!(lb1.failed > 0 && lb2.routed > 0);
    assert!(report.totals.balanced());
}

#[test]
fn regions_failover_moves_eu_clients_within_30_s_of_the_failover() {
    let received = |sim: &Simulation| -> Vec<u64> {
        let b = sim.metrics().balancers();
        vec![b[0].received + b[1].received, b[2].received + b[3].received]
    };
    // The failover: the moment eu's balancers have marked all four of its servers DOWN
    // (measured: 66 s, three failed checks 2 s apart after the crash at 60 s).
    let mut sim = at("regions-failover", 60);
    while sim.pool()[..4].iter().any(|c| c.available) {
        sim.advance_by(crate::sim::SimDuration::from_millis(100));
    }
    let down = sim.now();
    assert!((64.0..=67.0).contains(&down.as_secs_f64()), "{down:?}");
    let at_down = received(&sim);
    sim.advance_to(SimTime(down.0 + 30_000_000));
    let moved = received(&sim);
    // Clients with eu cached kept reaching eu's balancers until their answers expired...
    assert!(moved[0] > at_down[0], "{at_down:?} -> {moved:?}");
    sim.advance_to(SimTime(140_000_000));
    let later = received(&sim);
    // ... and from 30 s after the failover none does: eu's clients are all on us.
    assert_eq!(later[0], moved[0], "eu's balancers take nothing");
    assert!(
        later[1] - moved[1] > 40 * 24 * 80 / 100,
        "us takes eu's 15/s too"
    );
    let end = received(&at("regions-failover", 240));
    assert!(end[0] > later[0], "eu's clients come back");
}

#[test]
fn hierarchical_balancing_absorbs_each_failure_at_the_lowest_tier_that_can() {
    let received = |sim: &Simulation| -> Vec<u64> {
        sim.metrics()
            .balancers()
            .iter()
            .map(|b| b.received)
            .collect()
    };
    let errors = |sim: &Simulation, from: f64, to: f64| -> f64 {
        let series = sim.metrics().series();
        let within = series
            .iter()
            .filter(|s| (from..to).contains(&s.end.as_secs_f64()));
        within.map(|s| s.errors).sum()
    };
    // eu-1 is out by 40 s: lb-3's cluster gets 2 of eu's 5 shares, and nothing fails.
    let mut sim = at("hierarchical-balancing", 40);
    let a = received(&sim);
    sim.advance_to(SimTime(60_000_000));
    let b = received(&sim);
    let (three, four) = ((b[2] - a[2]) as f64, (b[3] - a[3]) as f64);
    assert!(
        (three / (three + four) - 0.4).abs() < 0.02,
        "{a:?} -> {b:?}"
    );
    assert_eq!(errors(&sim, 40.0, 60.0), 0.0);
    // lb-3 crashed at 60 s: lb-4 takes all of eu's 25 req/s.
    sim.advance_to(SimTime(90_000_000));
    let c = received(&sim);
    assert_eq!(c[2], b[2]);
    assert!(c[3] - b[3] > 25 * 30 * 85 / 100, "{b:?} -> {c:?}");
    assert_eq!(errors(&sim, 62.0, 90.0), 0.0);
    // lb-1 crashed at 90 s: by 30 s later every eu client's answer names us, which serves
    // them all without an error.
    sim.advance_to(SimTime(125_000_000));
    let d = received(&sim);
    sim.advance_to(SimTime(150_000_000));
    let e = received(&sim);
    assert_eq!(e[0], d[0], "lb-1 takes nothing");
    assert!(
        e[1] - d[1] > 50 * 25 * 85 / 100,
        "us takes eu's clients too: {d:?} -> {e:?}"
    );
    assert!(
        errors(&sim, 90.0, 120.0) > 0.0,
        "the cached answers fail first"
    );
    assert_eq!(errors(&sim, 135.0, 150.0), 0.0);
    // Everything is back at 150 s: eu's clients return as their answers expire.
    sim.advance_to(SimTime(210_000_000));
    assert!(received(&sim)[0] > e[0]);
    let report = crate::sim::report::Report::drain(&mut sim);
    assert!(report.totals.balanced());
}

#[test]
fn cascading_failure_tail_climbs_with_the_retries_and_falls_once_the_breaker_opens() {
    assert!(p95_s(&at("cascading-failure", 19)) < 3.0);
    for t in (30..=75).step_by(5) {
        let p95 = p95_s(&at("cascading-failure", t));
        assert!(p95 > 5.0, "at {t} s: {p95}");
    }
    assert!(recent_share(&at("cascading-failure", 40), 0) > 10.0);
    for t in (85..=120).step_by(5) {
        let sim = at("cascading-failure", t);
        assert!(p95_s(&sim) < 3.5, "at {t} s: {}", p95_s(&sim));
        assert_eq!(sim.metrics().series().back().unwrap().errors, 0.0);
    }
    assert!(recent_share(&at("cascading-failure", 110), 0) < 5.0);
}

#[test]
fn flash_sale_bounded_queues_turn_the_spike_into_fast_503s() {
    let queued = |sim: &Simulation| -> u32 { sim.servers().iter().map(|s| s.queued()).sum() };
    for t in (40..=60).step_by(5) {
        let sim = at("flash-sale", t);
        assert!(queued(&sim) <= 80, "at {t} s: {}", queued(&sim));
        assert!(
            sim.metrics().series().back().unwrap().errors > 10.0,
            "at {t} s"
        );
        assert!(p95_s(&sim) < 11.0, "at {t} s: {}", p95_s(&sim));
    }
    assert!(queued(&at("flash-sale", 90)) <= 8);
    // The same spike with unbounded queues, as the text tells it.
    let mut unbounded = preset("flash-sale").unwrap();
    for server in &mut unbounded.servers {
        server.queue_limit = None;
    }
    let mut sim = Simulation::new(unbounded).unwrap();
    sim.advance_to(SimTime(60_000_000));
    assert!(queued(&sim) > 600, "{}", queued(&sim));
    sim.advance_to(SimTime(100_000_000));
    assert!(p95_s(&sim) > 40.0, "{}", p95_s(&sim));
    assert!(queued(&sim) > 300, "still draining: {}", queued(&sim));
}
