//! The passive checks against the reference examples (../shared/REFERENCE-SEMANTICS.md).

use super::*;

fn t(s: u64) -> SimTime {
    SimTime(s * 1_000_000)
}

#[test]
fn nginx_reference_example() {
    // max_fails 1: fail at t=0 -> skipped until t=10 -> probe at t=11 -> fails -> skipped until t>21.
    let config = Passive::NGINX_DEFAULT;
    let mut p = PassiveState::default();
    assert_eq!(
        p.on_answer(&config, true, t(0), 0, 4),
        Some(PassiveTransition::Skipped {
            fails: 1,
            max_fails: 1,
            fail_timeout: SimDuration::from_secs(10)
        })
    );
    assert!(!p.admits(&config, t(5), false));
    assert!(!p.admits(&config, t(10), false));
    assert!(p.admits(&config, t(11), false));
    p.on_pick(&config, t(11)); // the probe
    assert!(!p.admits(&config, t(11), false), "one probe at a time");
    assert_eq!(p.on_answer(&config, true, t(11), 0, 4), None, "already out");
    assert!(!p.admits(&config, t(21), false));
    assert!(p.admits(&config, SimTime(t(21).0 + 1), false));
    // A successful probe puts it back.
    p.on_pick(&config, t(22));
    let back = p.on_answer(&config, false, t(22), 0, 4);
    assert_eq!(back, Some(PassiveTransition::ProbePassed));
    assert!(p.admits(&config, t(22), false));
}

#[test]
fn nginx_successes_inside_the_window_do_not_clear_fails() {
    let config = Passive::Nginx(NginxPassive {
        max_fails: 3,
        fail_timeout: SimDuration::from_secs(10),
    });
    let mut p = PassiveState::default();
    p.on_answer(&config, true, t(1), 0, 4);
    p.on_answer(&config, true, t(2), 0, 4);
    p.on_answer(&config, false, t(3), 0, 4);
    let out = p.on_answer(&config, true, t(4), 0, 4).unwrap();
    assert!(
        matches!(out, PassiveTransition::Skipped { fails: 3, .. }),
        "{out:?}"
    );
}

#[test]
fn nginx_ignores_failures_with_a_single_server() {
    let mut p = PassiveState::default();
    p.on_answer(&Passive::NGINX_DEFAULT, true, t(0), 0, 1);
    assert!(p.admits(&Passive::NGINX_DEFAULT, t(1), true));
}

#[test]
fn envoy_ejections_grow_with_each_one_in_a_row() {
    let config = Passive::ENVOY_DEFAULT;
    let mut p = PassiveState::default();
    let mut now = t(0);
    let mut lengths = vec![];
    for _ in 0..4 {
        for _ in 0..4 {
            assert_eq!(p.on_answer(&config, true, now, 0, 10), None);
        }
        let e = p.on_answer(&config, true, now, 0, 10).unwrap();
        assert!(
            matches!(e, PassiveTransition::Ejected { ejection, .. } if ejection == lengths.len() as u32 + 1),
            "{e:?}"
        );
        let until = p.ejected_until().unwrap();
        lengths.push((until - now).as_secs_f64());
        assert!(!p.admits(&config, now, false));
        assert_eq!(p.expire(until), Some(PassiveTransition::EjectionOver));
        now = until; // fails again at once: "in a row"
    }
    assert_eq!(lengths, [30.0, 60.0, 90.0, 120.0]);
}

#[test]
fn envoy_multiplier_relaxes_while_healthy_and_respects_the_cap() {
    let config = Passive::ENVOY_DEFAULT;
    let mut p = PassiveState::default();
    for _ in 0..5 {
        p.on_answer(&config, true, t(0), 0, 10);
    }
    p.expire(t(30));
    // 60 s healthy: two base periods, so the next ejection is the first again.
    for _ in 0..5 {
        p.on_answer(&config, true, t(90), 0, 10);
    }
    assert_eq!(p.ejected_until(), Some(t(120)));
    // With 1 of 10 already ejected, 10% allows no more; with 3 hosts at least one may be.
    let mut q = PassiveState::default();
    for _ in 0..5 {
        assert_eq!(q.on_answer(&config, true, t(0), 1, 10), None);
    }
    let mut r = PassiveState::default();
    for _ in 0..4 {
        r.on_answer(&config, true, t(0), 0, 3);
    }
    assert!(r.on_answer(&config, true, t(0), 0, 3).is_some());
}

#[test]
fn envoy_successes_reset_the_streak() {
    let config = Passive::ENVOY_DEFAULT;
    let mut p = PassiveState::default();
    for _ in 0..4 {
        p.on_answer(&config, true, t(0), 0, 10);
    }
    p.on_answer(&config, false, t(0), 0, 10);
    for _ in 0..4 {
        assert_eq!(p.on_answer(&config, true, t(0), 0, 10), None);
    }
}
