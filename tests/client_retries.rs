//! Clients that behave like clients: client retries with backoff and a budget, closed-loop
//! users, goodput, and the three presets about them.

use lb_playground::sim::clients::presets::{
    BACKOFF_AND_BUDGET, METASTABLE_SWITCH, METASTABLE_TRIGGER, OPEN_RATE, USERS,
};
use lb_playground::sim::clients::report::{ClientReport, WindowReport};
use lb_playground::sim::clients::{Backoff, ClientRetry, ClosedLoop, Jitter, RetryThrottle};
use lb_playground::sim::presets::preset;
use lb_playground::sim::report::Report;
use lb_playground::sim::scenario::server;
use lb_playground::sim::traffic::{CostDistribution, Pattern};
use lb_playground::sim::{
    Command, Outcome, Resilience, Scenario, SimDuration, SimTime, Simulation, TimedCommand,
};

fn secs(s: f64) -> SimTime {
    SimTime::from_secs_f64(s)
}

/// Runs `scenario` to its end and returns its report.
fn report_of(scenario: Scenario) -> Report {
    let end = SimTime(scenario.duration.expect("a duration").0);
    let mut sim = Simulation::new(scenario).unwrap();
    sim.advance_to(end);
    Report::drain(&mut sim)
}

/// The report's windows ending in `(from, to]` seconds.
fn windows(report: &Report, from: f64, to: f64) -> Vec<WindowReport> {
    let clients = report
        .clients
        .as_ref()
        .expect("a client run has a clients section");
    clients
        .windows
        .iter()
        .filter(|w| w.end > from && w.end <= to)
        .copied()
        .collect()
}

fn mean_goodput(w: &[WindowReport]) -> f64 {
    w.iter().map(|w| w.goodput).sum::<f64>() / w.len() as f64
}

fn mean_throughput(w: &[WindowReport]) -> f64 {
    w.iter().map(|w| w.throughput).sum::<f64>() / w.len() as f64
}

/// The metastable preset without its switch at 60 s, its clients retrying with `retry`.
fn metastable_with(retry: Option<ClientRetry>) -> Scenario {
    let mut s = preset("metastable-retries").unwrap();
    s.timeline
        .retain(|t| !matches!(t.command, Command::SetClientRetry(_)));
    s.traffic.client_retry = retry;
    s
}

#[test]
fn metastable_retries_stay_collapsed_after_the_trigger_and_backoff_with_a_budget_recovers() {
    let (_, trigger_end) = METASTABLE_TRIGGER;
    // The window: from 10 s after the slowdown ended to the switch at 60 s.
    let (from, to) = (trigger_end as f64 + 10.0, METASTABLE_SWITCH as f64);
    let naive = report_of(preset("metastable-retries").unwrap());
    let healthy = report_of(metastable_with(Some(BACKOFF_AND_BUDGET)));
    let (n, h) = (windows(&naive, from, to), windows(&healthy, from, to));
    let (n_goodput, h_goodput) = (mean_goodput(&n), mean_goodput(&h));
    let n_p95 = n.last().unwrap().p95_any_ms.unwrap();
    let h_p95 = h.last().unwrap().p95_any_ms.unwrap();
    eprintln!(
        "after the trigger ({from}..{to} s): naive goodput {n_goodput:.1}/s, throughput {:.1}/s, \
         p95 of any answer {n_p95} ms, p95 of successes {:?}; backoff + budget goodput \
         {h_goodput:.1}/s, p95 {h_p95} ms, p95 of successes {:?}",
        mean_throughput(&n),
        n.last().unwrap().p95_ms,
        h.last().unwrap().p95_ms,
    );
    // Naive retries: the servers stay busy (throughput near their 80/s) but clients get
    // almost nothing, and wait their whole 1 s timeout.
    assert!(n_goodput < 2.0, "naive goodput {n_goodput}");
    assert!(mean_throughput(&n) > 70.0, "the servers stay busy");
    assert!(n_p95 >= 990.0, "naive p95 {n_p95} ms: the client timeout");
    // Backoff with jitter and the budget: the offered 56/s is served.
    assert!(h_goodput > 50.0, "with a budget goodput {h_goodput}");
    assert!(h_p95 < 700.0, "with a budget p95 {h_p95} ms");
    // Before the trigger both runs are healthy.
    assert!(mean_goodput(&windows(&naive, 5.0, 20.0)) > 50.0);
    // The preset itself recovers once its clients switch at 60 s.
    let after = windows(&naive, METASTABLE_SWITCH as f64 + 20.0, 120.0);
    assert!(mean_goodput(&after) > 50.0, "{}", mean_goodput(&after));
    let p95s: Vec<f64> = after.iter().filter_map(|w| w.p95_any_ms).collect();
    let mean_p95 = p95s.iter().sum::<f64>() / p95s.len() as f64;
    assert!(mean_p95 < 700.0, "after the switch p95 {mean_p95} ms");
    // In the collapse the naive clients send more retries than first requests (56/s); with
    // the budget they send none.
    let retries =
        |w: &[WindowReport]| w.iter().map(|w| w.client_retries).sum::<f64>() / w.len() as f64;
    assert!(retries(&n) > 80.0, "{}", retries(&n));
    assert!(retries(&h) < 1.0, "{}", retries(&h));
}

#[test]
fn backoff_and_jitter_alone_spread_the_retries_but_do_not_end_the_collapse() {
    // The lesson of the preset's numbers: backoff delays retries without making fewer of them,
    // so three attempts per request still exceed the servers; only the budget cuts them.
    for jitter in Jitter::ALL {
        let retry = ClientRetry {
            budget: None,
            backoff: Backoff {
                jitter,
                ..BACKOFF_AND_BUDGET.backoff
            },
            ..BACKOFF_AND_BUDGET
        };
        let r = report_of(metastable_with(Some(retry)));
        let goodput = mean_goodput(&windows(&r, 40.0, 60.0));
        assert!(goodput < 2.0, "{jitter:?}: goodput {goodput}");
    }
    let budget_only = ClientRetry {
        backoff: Backoff::NONE,
        ..BACKOFF_AND_BUDGET
    };
    let r = report_of(metastable_with(Some(budget_only)));
    assert!(mean_goodput(&windows(&r, 40.0, 60.0)) > 50.0);
}

/// Sum of tries routed to the servers.
fn routed(sim: &Simulation) -> u64 {
    sim.metrics().servers().iter().map(|s| s.routed).sum()
}

#[test]
fn retry_amplification_multiplies_the_two_layers_and_falls_with_one() {
    let mut sim = Simulation::new(preset("retry-amplification").unwrap()).unwrap();
    let phase = |sim: &mut Simulation, from: f64, to: f64| {
        sim.advance_to(secs(from));
        let (r0, g0, c0) = (
            routed(sim),
            sim.totals().generated,
            sim.metrics().client_retries(),
        );
        sim.advance_to(secs(to));
        let first = (sim.totals().generated - g0) - (sim.metrics().client_retries() - c0);
        (routed(sim) - r0) as f64 / first as f64
    };
    let healthy = phase(&mut sim, 5.0, 20.0);
    let both = phase(&mut sim, 25.0, 60.0);
    let client_only = phase(&mut sim, 65.0, 100.0);
    eprintln!(
        "tries per first send: healthy {healthy:.2}, two layers {both:.2}, clients only {client_only:.2}"
    );
    assert!(healthy < 1.05, "{healthy}");
    // 90% errors: the balancer makes 1 + 0.9 + 0.81 = 2.71 tries per attempt, a client attempt
    // fails with 0.9^3 = 0.729, so 1 + 0.729 + 0.531 = 2.26 attempts: 6.1 tries per request.
    assert!((5.5..6.7).contains(&both), "{both}");
    // One layer: 1 + 0.9 + 0.81 = 2.71 attempts of one try each.
    assert!((2.4..3.0).contains(&client_only), "{client_only}");
}

/// The most requests in the system (in flight and queued, abandoned jobs aside) in `(from, to]`,
/// looked at every 100 ms.
fn peak_held(sim: &mut Simulation, from: f64, to: f64) -> u64 {
    sim.advance_to(secs(from));
    let mut peak = 0;
    let mut t = from;
    while t < to {
        t += 0.1;
        sim.advance_to(secs(t));
        let totals = sim.totals();
        peak = peak.max(totals.in_flight + totals.queued);
    }
    peak
}

#[test]
fn closed_loop_users_slow_down_with_the_system_and_open_arrivals_pile_up() {
    let mut sim = Simulation::new(preset("closed-vs-open-loop").unwrap()).unwrap();
    let closed = peak_held(&mut sim, 25.0, 60.0);
    let completed_at_100 = {
        sim.advance_to(secs(100.0));
        sim.totals().completed
    };
    let open = peak_held(&mut sim, 125.0, 160.0);
    eprintln!("most requests waiting under the slowdown: closed loop {closed}, open loop {open}");
    assert!(closed <= u64::from(USERS.users), "{closed}");
    assert!(open > 2 * closed, "open {open} vs closed {closed}");
    // The open rate matches what the users sent (about 28/s before the slowdown).
    let users_rate = completed_at_100 as f64 / 100.0;
    assert!((users_rate - OPEN_RATE).abs() < 4.0, "{users_rate}");
    assert!(sim.totals().balanced());
}

#[test]
fn closed_loop_throughput_follows_the_interactive_response_time_law() {
    // X = N / (R + Z): 20 users thinking 1 s on average, over a long run.
    let mut s = Scenario::classroom();
    s.traffic.rate = 0.0;
    s.traffic.closed_loop = Some(ClosedLoop {
        users: 20,
        think_time: SimDuration::from_secs(1),
    });
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(200),
    };
    s.client_latency = SimDuration::from_millis(10);
    s.backend_latency = SimDuration::from_millis(10);
    s.resilience = Resilience::NONE;
    let length = 2_000.0;
    let mut sim = Simulation::new(s).unwrap();
    sim.advance_to(secs(length));
    let x = sim.metrics().ended().completed as f64 / length;
    let r = sim.metrics().latency().mean().unwrap() / 1e6;
    let law = 20.0 / (r + 1.0);
    eprintln!("X {x:.3}/s, R {r:.3} s, N/(R+Z) {law:.3}/s");
    assert!((x - law).abs() / law < 0.02, "X {x} vs N/(R+Z) {law}");
    // Under 20 users the servers are far from full: R is about the service time plus hops.
    assert!(r > 0.2 && r < 0.5, "{r}");
}

/// One client, a request every 10 s from 10 s, every server failing every request at once.
fn one_failing_request(retry: ClientRetry) -> Scenario {
    let mut s = Scenario::classroom();
    s.servers = vec![server("only", 1, 1)];
    s.servers[0].error_rate = 1.0;
    s.traffic.rate = 0.1;
    s.traffic.pattern = Pattern::Constant;
    s.traffic.cost = CostDistribution::Constant {
        cost: SimDuration::from_millis(10),
    };
    s.traffic.client_retry = Some(retry);
    s.client_latency = SimDuration::ZERO;
    s.backend_latency = SimDuration::ZERO;
    s.resilience = Resilience::NONE;
    s
}

#[test]
fn without_jitter_retries_are_sent_base_times_two_to_the_n_after_each_failure() {
    let retry = ClientRetry {
        max_attempts: 6,
        backoff: Backoff {
            base: SimDuration::from_millis(100),
            cap: SimDuration::from_millis(500),
            jitter: Jitter::None,
        },
        budget: None,
    };
    let mut sim = Simulation::new(one_failing_request(retry)).unwrap();
    sim.keep_finished(true);
    sim.advance_to(secs(19.0)); // the first arrival at 10 s, the next at 20 s
    let sent: Vec<u64> = std::iter::from_fn(|| sim.poll_finished())
        .map(|r| {
            assert_eq!(r.outcome, Outcome::ServerError);
            r.sent.0
        })
        .collect();
    // Each attempt fails after 1 ms (a tenth of its 10 ms), then waits 100, 200, 400, 500
    // (the cap), 500 ms.
    let gaps: Vec<u64> = sent.windows(2).map(|w| (w[1] - w[0]) / 1_000).collect();
    assert_eq!(gaps, [101, 201, 401, 501, 501]);
    assert_eq!(sim.metrics().client_retries(), 5);
    assert_eq!(sim.totals().generated, 6);
    assert_eq!(sim.totals().failed, 6);
}

#[test]
fn the_grpc_budget_allows_exactly_the_retries_its_tokens_pay_for() {
    // Every attempt fails. 10 tokens, retries while more than 5 remain after a failure: the
    // first request fails (9, retried), fails (8, retried), fails (7, out of attempts); the
    // second fails (6, retried) and fails (5: not more than 5); from then on none is retried.
    let retry = ClientRetry {
        budget: Some(RetryThrottle::GRPC_EXAMPLE),
        ..ClientRetry::NAIVE
    };
    let mut sim = Simulation::new(one_failing_request(retry)).unwrap();
    sim.advance_to(secs(300.5));
    assert_eq!(sim.metrics().client_retries(), 3);
    assert_eq!(sim.totals().generated, 30 + 3);
    assert_eq!(sim.client_retry_tokens(), Some((0, 10)));
}

#[test]
fn client_retries_keep_every_request_accounted_for() {
    let mut s = preset("metastable-retries").unwrap();
    s.traffic.closed_loop = Some(ClosedLoop {
        users: 30,
        think_time: SimDuration::from_millis(500),
    });
    let mut sim = Simulation::new(s).unwrap();
    for t in 1..=120 {
        sim.advance_to(secs(f64::from(t)));
        let totals = sim.totals();
        assert!(totals.balanced(), "at {t} s: {totals:?}");
    }
    let report = Report::drain(&mut sim);
    let c: &ClientReport = report.clients.as_ref().unwrap();
    assert_eq!(c.first_sends + c.client_retries, report.totals.generated);
    assert_eq!(c.goodput, report.totals.completed);
    assert!(c.served >= c.goodput);
}

#[test]
fn the_same_seed_gives_the_same_report_and_a_recording_replays_it() {
    let json = |s: Scenario| report_of(s).to_json();
    let s = preset("metastable-retries").unwrap();
    assert_eq!(json(s.clone()), json(s.clone()));
    // A user's changes of the client retries and users, made again at the same times.
    let run = |s: Scenario| {
        let mut sim = Simulation::new(s).unwrap();
        sim.advance_to(secs(40.0));
        let retry = ClientRetry {
            backoff: Backoff {
                jitter: Jitter::Decorrelated,
                ..BACKOFF_AND_BUDGET.backoff
            },
            ..BACKOFF_AND_BUDGET
        };
        sim.apply(Command::SetClientRetry(Some(retry))).unwrap();
        sim.apply(Command::SetClosedLoop(Some(USERS))).unwrap();
        sim.advance_to(secs(120.0));
        let recorded: Vec<TimedCommand> = sim.recording().to_vec();
        (Report::drain(&mut sim).to_json(), recorded)
    };
    let (first, recorded) = run(s.clone());
    let (second, _) = run(s);
    assert_eq!(first, second);
    assert!(recorded.iter().any(|c| c.at == secs(40.0)
        && matches!(c.command, Command::SetClosedLoop(Some(u)) if u == USERS)));
    assert!(
        first.contains("closed-loop users"),
        "the timeline words the change"
    );
}

#[test]
fn new_fields_are_checked_with_the_field_and_its_range() {
    let err = |f: fn(&mut Scenario)| {
        let mut s = Scenario::classroom();
        f(&mut s);
        s.validate().unwrap_err().to_string()
    };
    assert_eq!(
        err(|s| s.traffic.client_retry = Some(ClientRetry {
            max_attempts: 20,
            ..ClientRetry::NAIVE
        })),
        "traffic.client_retry.max_attempts: 20 is above the maximum 10"
    );
    assert_eq!(
        err(|s| s.traffic.client_retry = Some(ClientRetry {
            backoff: Backoff {
                base: SimDuration::from_secs(2),
                cap: SimDuration::from_secs(1),
                jitter: Jitter::Full,
            },
            ..ClientRetry::NAIVE
        })),
        "traffic.client_retry.backoff.cap: 1s is below the minimum 2s"
    );
    assert_eq!(
        err(|s| s.traffic.client_retry = Some(ClientRetry {
            budget: Some(RetryThrottle {
                max_tokens: 10,
                token_ratio: -1.0
            }),
            ..ClientRetry::NAIVE
        })),
        "traffic.client_retry.budget.token_ratio: -1 is below the minimum 0.001"
    );
    assert_eq!(
        err(|s| s.traffic.closed_loop = Some(ClosedLoop {
            users: 200_000,
            think_time: SimDuration::from_secs(1)
        })),
        "traffic.closed_loop.users: 200000 is above the maximum 100000"
    );
    let mut sim = Simulation::new(Scenario::classroom()).unwrap();
    let bad = Command::SetClosedLoop(Some(ClosedLoop {
        users: 5,
        think_time: SimDuration::ZERO,
    }));
    assert_eq!(
        sim.apply(bad).unwrap_err().to_string(),
        "closed loop.think_time: 0s is below the minimum 1ms"
    );
    // In files: the field path.
    let mut s = Scenario::classroom();
    s.traffic.client_retry = Some(ClientRetry::NAIVE);
    let text = s.to_json().replace("\"none\"", "\"sometimes\"");
    let e = Scenario::from_json(&text).unwrap_err().to_string();
    assert!(
        e.starts_with("traffic.client_retry.backoff.jitter: unknown variant"),
        "{e}"
    );
}

#[test]
fn scenarios_without_the_new_fields_are_written_as_before() {
    let json = Scenario::classroom().to_json();
    assert!(!json.contains("client_retry") && !json.contains("closed_loop"));
    let report = report_of(preset("crash-recovery").unwrap()).to_json();
    assert!(!report.contains("\"clients\""));
    let mut s = Scenario::classroom();
    s.traffic.client_retry = Some(BACKOFF_AND_BUDGET);
    s.traffic.closed_loop = Some(USERS);
    let back = Scenario::from_json(&s.to_json()).unwrap();
    assert_eq!(back, s);
}
