//! VRRP (RFC 5798): a group of balancers sharing one virtual address, owned by one master.
//!
//! The master sends an advertisement every `advert_interval`. A backup resets its
//! Master_Down_Timer on every advertisement it accepts and, when the timer runs out, becomes the
//! master: Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time, with
//! Skew_Time = ((256 - Priority) x Master_Adver_Interval) / 256, in centiseconds as the RFC
//! computes it (integer division). So a backup of priority 100 with one advertisement a second
//! takes over 3.60 s after the last advertisement it heard (keepalived computes the same in
//! microseconds and gets 3.609375 s). Higher priorities have a shorter skew: the best backup's
//! timer runs out first.
//!
//! A crash sends nothing, so the backups notice only as their timers run out. A router that comes
//! back starts as a backup (or at once as master with priority 255, the address owner). With
//! `preempt` (the RFC's default) a backup ignores advertisements of a lower priority, so a
//! returning higher-priority router takes over again one Master_Down_Interval later, and the
//! master it replaces steps down when it hears it.
//!
//! The machine is pure: it is told of crashes, revivals and its timer, and answers with what
//! changed and when its timer is due next. Advertisements are not simulated one by one: a
//! master's are at `since + k x advert_interval`, so the last one a backup heard is computed.

use crate::sim::time::{SimDuration, SimTime};

/// One centisecond, VRRP's unit of time.
const CENTISECOND: u64 = 10_000;

/// The settings of a VRRP group.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VrrpConfig {
    /// Advertisement_Interval (a whole number of centiseconds, 10 ms to 40.95 s).
    pub advert_interval: SimDuration,
    /// Each balancer's priority, 1 to 255, in balancer order (255: the address owner).
    pub priorities: Vec<u8>,
    /// Whether a higher-priority backup takes over from a lower-priority master.
    pub preempt: bool,
}

impl Default for VrrpConfig {
    /// keepalived's usual pair: one advertisement a second, priorities 150 and 100, preemption.
    fn default() -> Self {
        VrrpConfig {
            advert_interval: SimDuration::from_secs(1),
            priorities: vec![150, 100],
            preempt: true,
        }
    }
}

impl VrrpConfig {
    /// Skew_Time of a router with `priority`.
    pub fn skew(&self, priority: u8) -> SimDuration {
        let interval = self.advert_interval.0 / CENTISECOND;
        SimDuration((256 - u64::from(priority)) * interval / 256 * CENTISECOND)
    }

    /// Master_Down_Interval of a router with `priority`.
    pub fn master_down_interval(&self, priority: u8) -> SimDuration {
        SimDuration(3 * self.advert_interval.0) + self.skew(priority)
    }
}

/// Where a router of the group stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// It owns the virtual address (since when).
    Master {
        /// When it became master (its advertisements are at `since + k x interval`).
        since: SimTime,
    },
    /// It waits, ready to take over.
    Backup,
    /// It is down.
    Down,
}

/// A change in the group, with its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VrrpChange {
    /// `router` became master; the address had no master for `gap` (zero for a preemption).
    Master {
        /// The new master.
        router: u8,
        /// How long the address went unanswered before.
        gap: SimDuration,
        /// The master it replaced, when it preempted one.
        replaced: Option<u8>,
    },
}

/// The group's state.
#[derive(Clone, Debug)]
pub struct Vrrp {
    config: VrrpConfig,
    roles: Vec<Role>,
    /// Since when nobody owns the address (`None` while a master does).
    masterless_since: Option<SimTime>,
    /// The last advertisement the backups heard from the master that crashed (their timers
    /// run from it).
    heard_last: SimTime,
    /// When the best backup's Master_Down_Timer runs out, and whose it is.
    timer: Option<(SimTime, u8)>,
}

impl Vrrp {
    /// The group at time zero: the highest priority is master, the others backups.
    pub fn new(config: VrrpConfig) -> Vrrp {
        let best = best_of(&config.priorities, |_| true).expect("a group has routers");
        let roles = (0..config.priorities.len())
            .map(|r| {
                if r == best {
                    Role::Master {
                        since: SimTime::ZERO,
                    }
                } else {
                    Role::Backup
                }
            })
            .collect();
        Vrrp {
            config,
            roles,
            masterless_since: None,
            heard_last: SimTime::ZERO,
            timer: None,
        }
    }

    /// The settings.
    pub fn config(&self) -> &VrrpConfig {
        &self.config
    }

    /// Each router's role.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The master, if any.
    pub fn master(&self) -> Option<u8> {
        self.roles
            .iter()
            .position(|r| matches!(r, Role::Master { .. }))
            .map(|r| r as u8)
    }

    /// When the group's timer is due next (a backup taking over).
    pub fn due(&self) -> Option<SimTime> {
        self.timer.map(|(at, _)| at)
    }

    /// `router` crashed at `now`. When it was the master, the best live backup's timer now runs
    /// from the last advertisement the master sent.
    pub fn crash(&mut self, router: u8, now: SimTime) {
        let was = std::mem::replace(&mut self.roles[usize::from(router)], Role::Down);
        match was {
            Role::Master { since } => {
                let interval = self.config.advert_interval.0;
                let last = SimTime(since.0 + (now.0 - since.0) / interval * interval);
                self.masterless_since = Some(now);
                self.heard_last = last;
                self.arm_from(last);
            }
            Role::Backup if self.timer.is_some_and(|(_, r)| r == router) => {
                // The backup about to take over is gone: the next best one's timer has run
                // since the same last advertisement (or runs out now, if that is past).
                self.arm_from(self.heard_last);
                self.timer = self.timer.map(|(at, r)| (at.max(now), r));
            }
            Role::Backup | Role::Down => {}
        }
    }

    /// `router` came back at `now`: master at once with priority 255, else a backup whose timer
    /// runs out unless a master it accepts advertises.
    pub fn revive(&mut self, router: u8, now: SimTime) -> Option<VrrpChange> {
        let r = usize::from(router);
        if self.roles[r] != Role::Down {
            return None;
        }
        self.roles[r] = Role::Backup;
        if self.config.priorities[r] == 255 {
            return Some(self.take_over(router, now));
        }
        let accepted = self.master().is_some_and(|m| {
            !self.config.preempt
                || self.config.priorities[usize::from(m)] >= self.config.priorities[r]
        });
        if !accepted {
            let at = now + self.config.master_down_interval(self.config.priorities[r]);
            if self.timer.is_none_or(|(due, _)| at < due) {
                self.timer = Some((at, router));
            }
        }
        None
    }

    /// The timer is due at `now`: its backup becomes master.
    pub fn on_timer(&mut self, now: SimTime) -> Option<VrrpChange> {
        let (at, router) = self.timer?;
        if at > now {
            return None;
        }
        self.timer = None;
        Some(self.take_over(router, now))
    }

    fn take_over(&mut self, router: u8, now: SimTime) -> VrrpChange {
        let replaced = self.master();
        if let Some(old) = replaced {
            // It hears a higher priority and steps down.
            self.roles[usize::from(old)] = Role::Backup;
        }
        self.roles[usize::from(router)] = Role::Master { since: now };
        let gap = self
            .masterless_since
            .take()
            .map_or(SimDuration::ZERO, |s| now - s);
        self.timer = None;
        VrrpChange::Master {
            router,
            gap,
            replaced,
        }
    }

    /// Arms the best live backup's timer, counted from `start`.
    fn arm_from(&mut self, start: SimTime) {
        let roles = &self.roles;
        self.timer = best_of(&self.config.priorities, |r| roles[r] == Role::Backup).map(|r| {
            let mdi = self.config.master_down_interval(self.config.priorities[r]);
            (start + mdi, r as u8)
        });
    }
}

/// The router of highest priority among those `eligible` allows (the first on a tie).
fn best_of(priorities: &[u8], eligible: impl Fn(usize) -> bool) -> Option<usize> {
    (0..priorities.len())
        .filter(|&r| eligible(r))
        .max_by_key(|&r| (priorities[r], std::cmp::Reverse(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SimTime {
        SimTime(SimDuration::from_millis(ms).0)
    }

    #[test]
    fn the_rfc_formula_gives_three_intervals_and_the_skew() {
        let c = VrrpConfig::default();
        // (256 - 100) x 100 cs / 256 = 60 cs (integer division).
        assert_eq!(c.skew(100), SimDuration::from_millis(600));
        assert_eq!(c.master_down_interval(100), SimDuration::from_millis(3_600));
        assert_eq!(c.skew(254), SimDuration::ZERO);
        let fast = VrrpConfig {
            advert_interval: SimDuration::from_millis(200),
            ..c
        };
        // 156 x 20 / 256 = 12 cs.
        assert_eq!(
            fast.master_down_interval(100),
            SimDuration::from_millis(720)
        );
    }

    #[test]
    fn a_crashed_master_is_replaced_one_master_down_interval_after_its_last_advertisement() {
        let mut g = Vrrp::new(VrrpConfig::default());
        assert_eq!(g.master(), Some(0));
        // Advertisements at 0, 1, ..., 10 s; the crash at 10.4 s: the last one heard was at 10 s.
        g.crash(0, at(10_400));
        assert_eq!(g.master(), None);
        assert_eq!(g.due(), Some(at(13_600)));
        assert_eq!(g.on_timer(at(13_599)), None);
        assert_eq!(
            g.on_timer(at(13_600)),
            Some(VrrpChange::Master {
                router: 1,
                gap: SimDuration::from_millis(3_200),
                replaced: None
            })
        );
        assert_eq!(g.roles(), &[Role::Down, Role::Master { since: at(13_600) }]);
    }

    #[test]
    fn a_returning_higher_priority_router_preempts_after_its_own_interval() {
        let mut g = Vrrp::new(VrrpConfig::default());
        g.crash(0, at(10_000));
        g.on_timer(at(13_600));
        assert_eq!(g.revive(0, at(20_000)), None);
        // Priority 150: skew 106 x 100 / 256 = 41 cs, so 3.41 s.
        assert_eq!(g.due(), Some(at(23_410)));
        assert_eq!(
            g.on_timer(at(23_410)),
            Some(VrrpChange::Master {
                router: 0,
                gap: SimDuration::ZERO,
                replaced: Some(1)
            })
        );
        assert_eq!(g.roles()[1], Role::Backup);
    }

    #[test]
    fn without_preemption_the_new_master_keeps_the_address() {
        let mut g = Vrrp::new(VrrpConfig {
            preempt: false,
            ..VrrpConfig::default()
        });
        g.crash(0, at(10_000));
        g.on_timer(at(13_600));
        assert_eq!(g.revive(0, at(20_000)), None);
        assert_eq!(g.due(), None);
        assert_eq!(g.master(), Some(1));
    }

    #[test]
    fn the_address_owner_takes_over_at_once_and_a_lone_survivor_waits_for_nobody() {
        let mut g = Vrrp::new(VrrpConfig {
            priorities: vec![255, 100, 50],
            ..VrrpConfig::default()
        });
        g.crash(0, at(5_500));
        // The best backup (100) is due at 5 + 3.6 s; if it dies first, the next (50) takes its
        // place from the same silence: 5 + 3 + 0.80 s.
        assert_eq!(g.due(), Some(at(8_600)));
        g.crash(1, at(6_000));
        assert_eq!(g.due(), Some(at(8_800)));
        let change = g.on_timer(at(8_800));
        assert!(matches!(change, Some(VrrpChange::Master { router: 2, .. })));
        assert!(matches!(
            g.revive(0, at(9_000)),
            Some(VrrpChange::Master {
                router: 0,
                replaced: Some(2),
                ..
            })
        ));
    }
}
