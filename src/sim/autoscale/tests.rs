//! Worked examples of both designs, each number computed by hand.

use super::*;

fn hpa(target: f64, min: u32, max: u32) -> Autoscale {
    Autoscale {
        policy: Policy::Hpa(Hpa::default()),
        metric: Metric::Cpu,
        target,
        min,
        max,
        boot_time: SimDuration::from_secs(30),
    }
}

fn tracking(target: f64, min: u32, max: u32) -> Autoscale {
    Autoscale {
        policy: Policy::TargetTracking(TargetTracking::default()),
        ..hpa(target, min, max)
    }
}

fn obs(measured: f64, counted: u32, current: u32) -> Observation {
    Observation {
        measured,
        counted,
        current,
    }
}

fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

#[test]
fn hpa_scales_four_servers_at_90_percent_against_a_60_percent_target_to_six() {
    let mut s = Scaler::new(hpa(0.6, 1, 10));
    let d = s.decide(secs(15), obs(0.9, 4, 4)).expect("a decision");
    assert_eq!(
        (d.direction, d.from, d.to, d.desired),
        (Direction::Out, 4, 6, 6)
    );
    assert_eq!(d.bound, None);
}

#[test]
fn hpa_does_nothing_within_its_tolerance_and_scales_just_outside_it() {
    let mut s = Scaler::new(hpa(0.6, 1, 10));
    // 65 / 60 = 1.083: within 10%.
    assert_eq!(s.decide(secs(15), obs(0.65, 4, 4)), None);
    // 55 / 60 = 0.917: within 10% below too.
    assert_eq!(s.decide(secs(30), obs(0.55, 4, 4)), None);
    // 67 / 60 = 1.117: ceil(4 x 1.117) = ceil(4.47) = 5.
    let d = s.decide(secs(45), obs(0.67, 4, 4)).expect("a decision");
    assert_eq!((d.from, d.to), (4, 5));
}

#[test]
fn hpa_scales_down_only_once_the_higher_recommendation_leaves_its_stabilisation_window() {
    let mut s = Scaler::new(hpa(0.6, 1, 10));
    assert_eq!(s.decide(secs(0), obs(0.9, 4, 4)).map(|d| d.to), Some(6));
    // The load falls away: 6 x 20% / 60% = 2 servers would do, but the 6 recommended at 0 s
    // holds while it is less than the 300 s window old.
    for t in (15..300).step_by(15) {
        assert_eq!(s.decide(secs(t), obs(0.2, 6, 6)), None, "at {t} s");
    }
    let d = s.decide(secs(300), obs(0.2, 6, 6)).expect("a scale-in");
    assert_eq!(
        (d.direction, d.from, d.to, d.desired),
        (Direction::In, 6, 2, 2)
    );
}

#[test]
fn hpa_holds_a_scale_down_at_the_highest_recommendation_in_the_window_and_says_so() {
    let mut s = Scaler::new(hpa(0.6, 1, 10));
    assert_eq!(s.decide(secs(0), obs(0.9, 4, 4)).map(|d| d.to), Some(6));
    // At 100 s, 6 x 90% / 60% = 9; at 200 s the load falls to 3 servers' worth, held at 9
    // until the 9 is 300 s old.
    assert_eq!(s.decide(secs(100), obs(0.9, 6, 6)).map(|d| d.to), Some(9));
    let d = s.decide(secs(200), obs(0.2, 9, 9)).map(|d| d.to);
    assert_eq!(d, None, "9 recommended at 100 s holds");
    let d = s
        .decide(secs(401), obs(0.2, 9, 9))
        .expect("down to the 200 s recommendation");
    // Recommendations less than 300 s old at 401 s: 3 (at 200 s) and 3 now.
    assert_eq!((d.to, d.desired, d.bound), (3, 3, None));
}

#[test]
fn hpa_counts_starting_servers_as_idle_before_it_scales_up_again() {
    let mut s = Scaler::new(hpa(0.6, 1, 10));
    // Two of four ready at 90%: 1.5 over the ready ones, 0.75 with the starting ones idle: wait.
    assert_eq!(s.decide(secs(15), obs(0.9, 2, 4)), None);
    // Three of four ready at 90%: 1.125 with the starting one idle, outside 10%:
    // ceil(3 x 90 / 60) = ceil(4.5) = 5.
    let d = s.decide(secs(30), obs(0.9, 3, 4)).expect("a decision");
    assert_eq!((d.from, d.to, d.desired), (4, 5, 5));
}

#[test]
fn hpa_adds_at_most_four_servers_or_doubles_per_15_seconds() {
    let mut s = Scaler::new(hpa(0.1, 1, 100));
    // 2 at 100% against 10% asks for 20; max(2 x 2, 2 + 4) = 6.
    let d = s.decide(secs(15), obs(1.0, 2, 2)).expect("a decision");
    assert_eq!(
        (d.to, d.desired, d.bound),
        (6, 20, Some(Bound::ScaleUpRate))
    );
    // 15 s later the period starts at 6: up to 12.
    let d = s.decide(secs(30), obs(1.0, 6, 6)).expect("a decision");
    assert_eq!(
        (d.to, d.desired, d.bound),
        (12, 60, Some(Bound::ScaleUpRate))
    );
}

#[test]
fn hpa_stops_at_its_maximum_and_keeps_its_minimum() {
    let mut s = Scaler::new(hpa(0.5, 2, 5));
    let d = s.decide(secs(15), obs(1.0, 4, 4)).expect("a decision");
    assert_eq!((d.to, d.desired, d.bound), (5, 8, Some(Bound::Max)));
    let mut s = Scaler::new(Autoscale {
        policy: Policy::Hpa(Hpa {
            scale_down_window: SimDuration::ZERO,
            ..Hpa::default()
        }),
        ..hpa(0.5, 2, 5)
    });
    let d = s.decide(secs(15), obs(0.05, 4, 4)).expect("a decision");
    assert_eq!((d.to, d.desired, d.bound), (2, 1, Some(Bound::Min)));
}

#[test]
fn target_tracking_scales_out_after_three_high_datapoints_then_cools_down() {
    let mut s = Scaler::new(tracking(0.5, 1, 20));
    assert_eq!(s.decide(secs(60), obs(0.8, 4, 4)), None);
    assert_eq!(s.decide(secs(120), obs(0.8, 4, 4)), None);
    // The third datapoint in a row: ceil(4 x 80 / 50) = ceil(6.4) = 7.
    let d = s.decide(secs(180), obs(0.8, 4, 4)).expect("a scale-out");
    assert_eq!((d.from, d.to, d.desired), (4, 7, 7));
    // The new three warm up (not counted): the four old ones are still at 80%, and 7 servers
    // cover that, so nothing more is bought; even at 100% (ceil(4 x 2) = 8), the cooldown
    // until 480 s holds it.
    assert_eq!(s.decide(secs(240), obs(0.8, 4, 7)), None);
    for t in [300, 360, 420] {
        assert_eq!(s.decide(secs(t), obs(1.0, 4, 7)), None, "cooling at {t} s");
    }
    let d = s
        .decide(secs(480), obs(1.0, 4, 7))
        .expect("after the cooldown");
    assert_eq!((d.from, d.to), (7, 8));
}

#[test]
fn target_tracking_scales_in_after_fifteen_low_datapoints_then_cools_down() {
    let mut s = Scaler::new(tracking(0.5, 1, 20));
    for minute in 1..15 {
        assert_eq!(s.decide(secs(60 * minute), obs(0.2, 10, 10)), None);
    }
    // The 15th low datapoint: ceil(10 x 20 / 50) = 4.
    let d = s.decide(secs(900), obs(0.2, 10, 10)).expect("a scale-in");
    assert_eq!((d.direction, d.from, d.to), (Direction::In, 10, 4));
    // Still low (4 x 10% / 50% = 1), but cooling down until 1200 s.
    for t in [960, 1020, 1080, 1140] {
        assert_eq!(s.decide(secs(t), obs(0.1, 4, 4)), None, "cooling at {t} s");
    }
    let d = s
        .decide(secs(1200), obs(0.1, 4, 4))
        .expect("after the cooldown");
    assert_eq!((d.from, d.to), (4, 1));
}

#[test]
fn target_tracking_forgets_a_streak_broken_by_one_datapoint_at_the_target() {
    let mut s = Scaler::new(tracking(0.5, 1, 20));
    assert_eq!(s.decide(secs(60), obs(0.8, 4, 4)), None);
    assert_eq!(s.decide(secs(120), obs(0.8, 4, 4)), None);
    assert_eq!(s.decide(secs(180), obs(0.5, 4, 4)), None);
    assert_eq!(s.decide(secs(240), obs(0.8, 4, 4)), None);
    assert_eq!(s.decide(secs(300), obs(0.8, 4, 4)), None);
    assert!(s.decide(secs(360), obs(0.8, 4, 4)).is_some());
}

#[test]
fn a_scaler_with_no_ready_server_has_nothing_to_go_by() {
    let mut s = Scaler::new(hpa(0.6, 1, 10));
    assert_eq!(s.decide(secs(15), obs(0.0, 0, 3)), None);
}

#[test]
fn settings_out_of_range_name_their_field_and_range() {
    let mut a = hpa(1.5, 1, 10);
    let e = a.validate("autoscale").unwrap_err();
    assert_eq!(e.field, "autoscale.target");
    assert!(e.problem.contains('1'), "{}", e.problem);
    a.target = 0.6;
    a.max = 0;
    assert_eq!(a.validate("autoscale").unwrap_err().field, "autoscale.max");
    let mut t = tracking(0.6, 1, 10);
    t.policy = Policy::TargetTracking(TargetTracking {
        scale_out_periods: 0,
        ..TargetTracking::default()
    });
    assert_eq!(
        t.validate("autoscale").unwrap_err().field,
        "autoscale.policy.scale_out_periods"
    );
}

#[test]
fn files_leave_out_the_designs_defaults() {
    let a: Autoscale = serde_json::from_str(
        r#"{"policy": {"kind": "hpa"}, "metric": "cpu", "target": 0.6, "min": 2, "max": 10}"#,
    )
    .unwrap();
    assert_eq!(a.policy, Policy::Hpa(Hpa::default()));
    assert_eq!(a.boot_time, SimDuration::from_secs(30));
    let t: Autoscale = serde_json::from_str(
        r#"{"policy": {"kind": "target_tracking", "warmup": "60s"}, "metric": "rps",
            "target": 50, "min": 1, "max": 4}"#,
    )
    .unwrap();
    assert_eq!(t.settle_time(), SimDuration::from_secs(60));
    assert_eq!(t.period(), SimDuration::from_secs(60));
}
