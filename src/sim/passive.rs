//! Passive health checking: the load balancer judges servers by the answers to real requests.
//!
//! - nginx `max_fails` / `fail_timeout` (defaults 1 and 10 s): a server is skipped while
//!   `fails >= max_fails` and no more than `fail_timeout` has passed since the last failure check.
//!   After that one request goes through as a probe (picking it restarts the window): a success then
//!   resets `fails`, a failure skips it again. Successes inside the window do not clear `fails`.
//!   nginx ignores all this when the upstream has a single server.
//! - Envoy outlier detection: `consecutive_5xx` (5) errors in a row eject a host for
//!   `base_ejection_time` (30 s) times the number of times it has been ejected, capped by
//!   `max_ejection_time` (300 s); at most `max_ejection_percent` (10%) of hosts are ejected at once,
//!   but always at least one may be. The multiplier drops by one for every ejection-time period the
//!   host stays healthy.
//! - Envoy's panic threshold (50%) is applied by the engine: when fewer than that share of hosts are
//!   healthy, it balances across all hosts, healthy or not.

use super::time::{SimDuration, SimTime};

/// Passive health-check settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Passive {
    /// No passive checking.
    Off,
    /// nginx `max_fails` / `fail_timeout`.
    Nginx {
        /// Failures that take a server out (0 turns the check off, as in nginx).
        max_fails: u32,
        /// How long it stays out, and the window failures are counted in.
        fail_timeout: SimDuration,
    },
    /// Envoy outlier detection.
    Envoy {
        /// Consecutive errors that eject a host.
        consecutive_5xx: u32,
        /// The first ejection's length; later ones are multiples of it.
        base_ejection: SimDuration,
        /// The longest ejection.
        max_ejection: SimDuration,
        /// The most hosts ejected at once, as a fraction (at least one host may always be).
        max_ejection_share: f64,
    },
}

impl Passive {
    /// nginx's defaults: `max_fails=1 fail_timeout=10s`.
    pub const NGINX_DEFAULT: Passive = Passive::Nginx {
        max_fails: 1,
        fail_timeout: SimDuration::from_secs(10),
    };
    /// Envoy's outlier-detection defaults.
    pub const ENVOY_DEFAULT: Passive = Passive::Envoy {
        consecutive_5xx: 5,
        base_ejection: SimDuration::from_secs(30),
        max_ejection: SimDuration::from_secs(300),
        max_ejection_share: 0.1,
    };

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        match *self {
            Passive::Off => "off".into(),
            Passive::Nginx {
                max_fails,
                fail_timeout,
            } => {
                format!("nginx max_fails={max_fails} fail_timeout={fail_timeout}")
            }
            Passive::Envoy {
                consecutive_5xx,
                base_ejection,
                ..
            } => {
                format!(
                    "Envoy outlier detection ({consecutive_5xx} consecutive 5xx, {base_ejection} base ejection)"
                )
            }
        }
    }
}

/// A change of a server's passive state, with the numbers that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PassiveTransition {
    /// nginx: `fails` failures within fail_timeout reached max_fails; skipped for fail_timeout.
    Skipped {
        /// Failures counted.
        fails: u32,
        /// nginx `max_fails`.
        max_fails: u32,
        /// nginx `fail_timeout`: how long it is skipped.
        fail_timeout: SimDuration,
    },
    /// nginx: the probe sent after fail_timeout succeeded, so the failure count was reset.
    ProbePassed,
    /// Envoy: `consecutive_5xx` errors in a row ejected the host for `length`.
    Ejected {
        /// Consecutive errors that ejected it.
        consecutive_5xx: u32,
        /// How long the ejection lasts.
        length: SimDuration,
        /// Which ejection in a row this is (the multiplier of the base ejection time).
        ejection: u32,
    },
    /// Envoy: the ejection time ran out.
    EjectionOver,
}

impl PassiveTransition {
    /// True when the server was taken out, false when it was let back in.
    pub fn out(self) -> bool {
        matches!(
            self,
            PassiveTransition::Skipped { .. } | PassiveTransition::Ejected { .. }
        )
    }
}

/// One server's passive-check state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PassiveState {
    /// nginx: failures counted; Envoy: consecutive errors.
    fails: u32,
    /// nginx: when failures were last checked (a failure, or a probe being sent).
    checked: SimTime,
    /// nginx: when the last failure happened.
    accessed: SimTime,
    /// Envoy: ejected until this time.
    ejected_until: Option<SimTime>,
    /// Envoy: the ejection multiplier.
    ejections: u32,
    /// Envoy: when the last ejection ended.
    returned_at: SimTime,
}

impl PassiveState {
    /// Whether the balancer may pick this server at `now` (`single`: the pool has one server).
    pub fn admits(&self, config: &Passive, now: SimTime, single: bool) -> bool {
        match *config {
            Passive::Off => true,
            Passive::Nginx {
                max_fails,
                fail_timeout,
            } => {
                single
                    || max_fails == 0
                    || self.fails < max_fails
                    || now - self.checked > fail_timeout
            }
            Passive::Envoy { .. } => self.ejected_until.is_none_or(|until| now >= until),
        }
    }

    /// Whether the server is currently ejected (Envoy) or failed (nginx), for display.
    pub fn is_out(&self, config: &Passive, now: SimTime) -> bool {
        !self.admits(config, now, false)
    }

    /// The balancer picked this server at `now`: nginx starts a probe once the window has passed.
    pub fn on_pick(&mut self, config: &Passive, now: SimTime) {
        if let Passive::Nginx { fail_timeout, .. } = *config
            && now - self.checked > fail_timeout
        {
            self.checked = now;
        }
    }

    /// An answer from this server came back at `now`; `failed` by the check's own criteria.
    /// `ejected_now` is how many hosts are ejected already and `hosts` how many there are.
    pub fn on_answer(
        &mut self,
        config: &Passive,
        failed: bool,
        now: SimTime,
        ejected_now: usize,
        hosts: usize,
    ) -> Option<PassiveTransition> {
        match *config {
            Passive::Off => None,
            Passive::Nginx {
                max_fails,
                fail_timeout,
            } => {
                if max_fails == 0 {
                    return None;
                }
                if failed {
                    let was_in = self.fails < max_fails;
                    self.fails += 1;
                    self.accessed = now;
                    self.checked = now;
                    (was_in && self.fails >= max_fails).then_some(PassiveTransition::Skipped {
                        fails: self.fails,
                        max_fails,
                        fail_timeout,
                    })
                } else if self.accessed < self.checked && self.fails > 0 {
                    let was_out = self.fails >= max_fails;
                    self.fails = 0;
                    was_out.then_some(PassiveTransition::ProbePassed)
                } else {
                    None
                }
            }
            Passive::Envoy {
                consecutive_5xx,
                base_ejection,
                max_ejection,
                max_ejection_share,
            } => {
                if !failed {
                    self.fails = 0;
                    return None;
                }
                self.fails += 1;
                let ejected = self.ejected_until.is_some_and(|until| now < until);
                let cap = ((hosts as f64 * max_ejection_share).floor() as usize).max(1);
                if ejected || self.fails < consecutive_5xx || ejected_now >= cap {
                    return None;
                }
                // The multiplier relaxes by one per base period spent healthy since the last return.
                if self.ejections > 0 && base_ejection.0 > 0 {
                    let healthy_periods = (now - self.returned_at).0 / base_ejection.0;
                    self.ejections = self.ejections.saturating_sub(healthy_periods as u32);
                }
                self.ejections += 1;
                let length = SimDuration(
                    base_ejection
                        .0
                        .saturating_mul(u64::from(self.ejections))
                        .min(max_ejection.0),
                );
                self.ejected_until = Some(now + length);
                self.returned_at = now + length;
                self.fails = 0;
                Some(PassiveTransition::Ejected {
                    consecutive_5xx,
                    length,
                    ejection: self.ejections,
                })
            }
        }
    }

    /// When an Envoy ejection ends, if one is in force.
    pub fn ejected_until(&self) -> Option<SimTime> {
        self.ejected_until
    }

    /// Ends an Envoy ejection whose time is up; returns the transition.
    pub fn expire(&mut self, now: SimTime) -> Option<PassiveTransition> {
        let until = self.ejected_until?;
        (now >= until).then(|| {
            self.ejected_until = None;
            PassiveTransition::EjectionOver
        })
    }
}

#[cfg(test)]
mod tests {
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
        let config = Passive::Nginx {
            max_fails: 3,
            fail_timeout: SimDuration::from_secs(10),
        };
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
}
