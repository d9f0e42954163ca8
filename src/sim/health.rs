//! Active health checking with HAProxy's semantics.
//!
//! Each server has a `health` counter from 0 to `rise + fall - 1`; it is UP while `health >= rise`.
//! A failed check takes one off, and dropping below `rise` sends it straight to 0 (DOWN). A passed
//! check adds one, and reaching `rise` jumps it to `rise + fall - 1` (fully UP). A server starts at
//! `health = rise`: UP, but one failure marks it DOWN. Checks run every `inter`; every `fastinter`
//! while the server is in transition (neither fully UP nor fully DOWN), and every `downinter` while it
//! is fully DOWN, optionally backing off exponentially.
//!
//! An HTTP check (HAProxy's `option httpchk`, the default here) fails when the server is dead
//! (connection refused), answers an error, or takes longer than the timeout. A TCP check (HAProxy
//! without `httpchk`) only opens a connection: it fails only when the server refuses it (or the
//! network round trip passes the timeout), so a server that answers every request with a 500, or
//! answers slowly, passes a TCP check and fails an HTTP one. HTTP checks are answered by the
//! server's health endpoint outside its request queue, taking `check_work / speed`, so a badly
//! slowed server fails them: the check's timeout is its latency limit (HAProxy `timeout check`).
//!
//! An HTTP check reads only the status by default. A health page often answers `200 OK` whatever
//! it finds and says in its body what is wrong: a server whose database is unreachable fails
//! every request but passes a status check. An HTTP check that also expects a string in the body
//! (HAProxy `http-check expect string`; upstream Envoy reads only the status) catches it:
//! [`CheckKind::HttpExpect`], which fails with [`CheckFailure::Unexpected`].
//!
//! A check's network round trip (twice the balancer-to-server delay) is added only when
//! `over_network` says so, which keeps the reference timelines exact by default.
//!
//! A server can have its own settings ([`ServerCheck`], as on HAProxy's `server` lines) in place of
//! the scenario's. When the first checks run is a [`CheckSchedule`]: all at once at the start (the
//! reference timelines), or HAProxy's way, spread over the interval, with `spread-checks` jitter.

use super::time::{SimDuration, SimTime};

/// Active health-check settings (HAProxy `check inter .. fastinter .. downinter .. rise .. fall`).
/// In files, fields left out take HAProxy's defaults.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActiveCheck {
    /// Interval between checks of a server that is fully UP.
    pub inter: SimDuration,
    /// Interval while a server is in transition; `None` uses `inter`.
    pub fastinter: Option<SimDuration>,
    /// Interval while a server is fully DOWN; `None` uses `inter`.
    pub downinter: Option<SimDuration>,
    /// A check that takes longer than this fails.
    pub timeout: SimDuration,
    /// Consecutive passes to come UP.
    pub rise: u32,
    /// Consecutive failures to go DOWN.
    pub fall: u32,
    /// Work a check costs the server at full speed.
    pub check_work: SimDuration,
    /// What a check asks of the server.
    #[serde(skip_serializing_if = "CheckKind::is_http")]
    pub kind: CheckKind,
    /// While fully DOWN, each failed check doubles the interval up to this cap (`None`: no
    /// backoff). An option of this playground, not HAProxy's behaviour: HAProxy checks a DOWN
    /// server every `downinter`.
    pub backoff_cap: Option<SimDuration>,
    /// The check crosses the balancer-to-server network: its answer (or refusal) comes a round
    /// trip (twice `backend_latency`) later, and that time counts against the timeout.
    #[serde(skip_serializing_if = "is_false")]
    pub over_network: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for ActiveCheck {
    fn default() -> Self {
        ActiveCheck::HAPROXY_DEFAULT
    }
}

impl ActiveCheck {
    /// HAProxy's defaults: `inter 2s rise 2 fall 3`, a 1 s timeout, 100 ms of work per check.
    pub const HAPROXY_DEFAULT: ActiveCheck = ActiveCheck {
        inter: SimDuration::from_secs(2),
        fastinter: None,
        downinter: None,
        timeout: SimDuration::from_secs(1),
        rise: 2,
        fall: 3,
        check_work: SimDuration::from_millis(100),
        kind: CheckKind::Http,
        backoff_cap: None,
        over_network: false,
    };
}

/// What a health check asks of the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// An HTTP request to the health endpoint: it must answer without an error within the
    /// timeout (HAProxy `option httpchk`, Envoy `http_health_check`).
    #[default]
    Http,
    /// A TCP connect: it passes when the server accepts the connection, whatever it would answer
    /// (HAProxy's check without `httpchk`, Envoy `tcp_health_check`).
    Tcp,
    /// An HTTP request whose answer must also carry the health page's OK in its body
    /// (HAProxy `http-check expect string`): a `200 OK` saying a dependency is down fails it.
    HttpExpect,
}

impl CheckKind {
    fn is_http(&self) -> bool {
        *self == CheckKind::Http
    }

    /// Its name in a sentence ("HTTP", "TCP", "HTTP body").
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Http => "HTTP",
            CheckKind::Tcp => "TCP",
            CheckKind::HttpExpect => "HTTP body",
        }
    }
}

/// A server's own health-check settings, overriding the scenario's (HAProxy's `server` lines each
/// say `check` and its settings, or nothing). In files: `"off"` or `{"check": {"inter": "1s"}}`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerCheck {
    /// Not checked (an HAProxy server without `check`).
    Off,
    /// Checked with these settings.
    Check(ActiveCheck),
}

impl ServerCheck {
    /// The settings a server with this override checks with, given the scenario's.
    pub fn applied(own: Option<ServerCheck>, scenario: Option<ActiveCheck>) -> Option<ActiveCheck> {
        match own {
            None => scenario,
            Some(ServerCheck::Off) => None,
            Some(ServerCheck::Check(c)) => Some(c),
        }
    }
}

/// When checks run, over all servers (HAProxy's `start_checks` and the global `spread-checks`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckSchedule {
    /// Spread the servers' first checks over the interval as HAProxy does: the checked server at
    /// position `i` of `n` checks first at `max(m, its interval) x i / n` (whole milliseconds),
    /// `m` the smallest interval of at least 1 s. Off: every first check runs at the start.
    pub spread_first: bool,
    /// HAProxy's `spread-checks`, 0 to 50: every interval (the first spread too) is moved by a
    /// uniform draw within this percentage of it, either way.
    pub jitter_percent: u32,
}

/// The smallest interval HAProxy lets dictate the spreading of first checks (`SRV_CHK_INTER_THRES`).
const SPREAD_THRESHOLD: SimDuration = SimDuration::from_secs(1);

impl CheckSchedule {
    /// The most `jitter_percent` may be (HAProxy's limit).
    pub const MAX_JITTER_PERCENT: u32 = 50;

    /// Whether it is the default: all first checks at the start, no jitter.
    pub fn is_default(&self) -> bool {
        *self == CheckSchedule::default()
    }

    /// The delays of the first checks of servers whose first intervals are `intervals` (`None`
    /// for a server that is not checked); `draw` gives the uniform draws in [0, 1) of the jitter,
    /// one per checked server in order, and is called only when there is jitter to draw.
    pub fn first_delays(
        &self,
        intervals: &[Option<SimDuration>],
        mut draw: impl FnMut() -> f64,
    ) -> Vec<Option<SimDuration>> {
        let checked = intervals.iter().flatten().count() as i64;
        let floor_ms = intervals
            .iter()
            .flatten()
            .filter(|&&i| i >= SPREAD_THRESHOLD)
            .min()
            .map_or(0, |i| whole_ms(*i));
        let mut position = 0;
        intervals
            .iter()
            .map(|interval| {
                let own_ms = whole_ms((*interval)?);
                if !self.spread_first {
                    return Some(SimDuration::ZERO);
                }
                let mut span_ms = floor_ms.max(own_ms);
                if self.jitter_percent > 0 {
                    span_ms += self.jitter_ms(own_ms, draw());
                }
                let delay_ms = span_ms.max(0) * position / checked;
                position += 1;
                Some(SimDuration::from_millis(delay_ms as u64))
            })
            .collect()
    }

    /// `interval` moved by the jitter for a uniform draw `u` in [0, 1).
    pub fn jittered(&self, interval: SimDuration, u: f64) -> SimDuration {
        if self.jitter_percent == 0 {
            return interval;
        }
        let ms = whole_ms(interval);
        let moved = self.jitter_ms(ms, u);
        SimDuration::from_millis((ms + moved).max(0) as u64)
    }

    /// HAProxy's jitter of an interval of `ms` milliseconds for a draw `u`: with `r = ms x
    /// percent / 100` (whole), `r - floor(2 r u)`, so within `-r..=r`.
    fn jitter_ms(&self, ms: i64, u: f64) -> i64 {
        let r = ms * i64::from(self.jitter_percent) / 100;
        r - (2.0 * r as f64 * u) as i64
    }
}

/// A duration in whole milliseconds (HAProxy's resolution), rounded down.
fn whole_ms(d: SimDuration) -> i64 {
    (d.0 / 1_000) as i64
}

/// Why a check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckFailure {
    /// The server is down: the connection was refused.
    Refused,
    /// The server answered with an error.
    Error,
    /// No answer within the timeout.
    Timeout,
    /// A `200 OK` whose body lacks the expected string (an [`CheckKind::HttpExpect`] check).
    Unexpected,
}

/// A change of a server's health state, with the streak of checks that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "to")]
pub enum HealthTransition {
    /// Marked UP after this many consecutive passed checks.
    #[serde(rename = "UP")]
    Up {
        /// Consecutive passed checks.
        passes: u32,
    },
    /// Marked DOWN after this many consecutive failed checks, the last failing this way.
    #[serde(rename = "DOWN")]
    Down {
        /// Consecutive failed checks.
        failures: u32,
        /// How the last one failed.
        failure: CheckFailure,
    },
}

impl HealthTransition {
    /// Whether the server is UP after it.
    pub fn up(self) -> bool {
        matches!(self, HealthTransition::Up { .. })
    }
}

/// One server's HAProxy health state machine.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthChecker {
    config: ActiveCheck,
    health: u32,
    /// Consecutive failures while fully DOWN, for the backoff.
    down_failures: u32,
    /// Consecutive passed and failed checks, for the transition reasons.
    passes: u32,
    failures: u32,
}

impl HealthChecker {
    /// A checker for a server that starts UP with `health = rise`.
    pub fn new(config: ActiveCheck) -> HealthChecker {
        HealthChecker {
            config,
            health: config.rise,
            down_failures: 0,
            passes: 0,
            failures: 0,
        }
    }

    /// Whether the server counts as UP.
    pub fn is_up(&self) -> bool {
        self.health >= self.config.rise
    }

    /// The counter and its maximum, `(health, rise + fall - 1)`.
    pub fn health(&self) -> (u32, u32) {
        (self.health, self.max())
    }

    fn max(&self) -> u32 {
        self.config.rise + self.config.fall - 1
    }

    /// Folds in one check result; returns the transition if the state changed.
    pub fn observe(&mut self, result: Result<(), CheckFailure>) -> Option<HealthTransition> {
        let was_up = self.is_up();
        match result {
            Ok(()) => {
                self.passes += 1;
                self.failures = 0;
                self.down_failures = 0;
                if self.health < self.max() {
                    self.health += 1;
                    if self.health == self.config.rise {
                        self.health = self.max();
                    }
                }
                (!was_up && self.is_up()).then_some(HealthTransition::Up {
                    passes: self.passes,
                })
            }
            Err(failure) => {
                self.failures += 1;
                self.passes = 0;
                if self.health == 0 {
                    self.down_failures += 1;
                    return None;
                }
                self.health -= 1;
                if self.health < self.config.rise {
                    self.health = 0;
                }
                (was_up && !self.is_up()).then_some(HealthTransition::Down {
                    failures: self.failures,
                    failure,
                })
            }
        }
    }

    /// The settings it checks with.
    pub fn config(&self) -> &ActiveCheck {
        &self.config
    }

    /// The interval until the next check, given the current state.
    pub fn next_interval(&self) -> SimDuration {
        let c = &self.config;
        if self.health == 0 {
            let base = c.downinter.unwrap_or(c.inter);
            match c.backoff_cap {
                Some(cap) => {
                    let factor = 1u64 << self.down_failures.min(20);
                    SimDuration(base.0.saturating_mul(factor).min(cap.0.max(base.0)))
                }
                None => base,
            }
        } else if self.health < self.max() {
            c.fastinter.unwrap_or(c.inter)
        } else {
            c.inter
        }
    }

    /// Whether a check taking `took` at a live server with no error passes the timeout.
    pub fn within_timeout(&self, took: SimDuration) -> bool {
        took <= self.config.timeout
    }

    /// When a check started at `start` and taking `took` reports: at the latest, at the timeout.
    pub fn reported_at(&self, start: SimTime, took: SimDuration) -> SimTime {
        start
            + if took <= self.config.timeout {
                took
            } else {
                self.config.timeout
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker() -> HealthChecker {
        HealthChecker::new(ActiveCheck::HAPROXY_DEFAULT)
    }

    #[test]
    fn first_checks_spread_over_the_smallest_interval_of_a_second_or_more() {
        let spread = CheckSchedule {
            spread_first: true,
            jitter_percent: 0,
        };
        let ms = |v: u64| Some(SimDuration::from_millis(v));
        let never = || 0.5;
        // 2000 x i / 3 in whole milliseconds; an unchecked server has no place.
        assert_eq!(
            spread.first_delays(&[ms(2000), ms(2000), None, ms(2000)], never),
            [ms(0), ms(666), None, ms(1333)]
        );
        // The 500 ms interval does not dictate the spread (below 1 s): 3 s does, and a server
        // spreads over at least its own interval.
        assert_eq!(
            spread.first_delays(&[ms(500), ms(3000), ms(5000)], never),
            [ms(0), ms(1000), ms(3333)]
        );
        // Only short intervals: each spreads over its own.
        assert_eq!(
            spread.first_delays(&[ms(500), ms(500)], never),
            [ms(0), ms(250)]
        );
        assert_eq!(
            CheckSchedule::default().first_delays(&[ms(2000), ms(2000)], never),
            [ms(0), ms(0)]
        );
    }

    #[test]
    fn jitter_is_haproxys_arithmetic() {
        let jitter = CheckSchedule {
            spread_first: true,
            jitter_percent: 20,
        };
        let two = SimDuration::from_secs(2);
        // r = 2000 x 20 / 100 = 400 ms; the interval moves by r - floor(2 r u).
        assert_eq!(jitter.jittered(two, 0.0), SimDuration::from_millis(2400));
        assert_eq!(jitter.jittered(two, 0.5), two);
        assert_eq!(jitter.jittered(two, 0.999), SimDuration::from_millis(1601));
        // The first spread takes the jitter of its own interval: (2000 + 400 - 200) x 1 / 2.
        let delays = jitter.first_delays(&[Some(two), Some(two)], || 0.25);
        assert_eq!(
            delays,
            [
                Some(SimDuration::ZERO),
                Some(SimDuration::from_millis(1100))
            ]
        );
        // No jitter keeps an interval to the microsecond.
        let exact = SimDuration::from_micros(1_234_567);
        assert_eq!(CheckSchedule::default().jittered(exact, 0.3), exact);
    }

    #[test]
    fn a_servers_own_settings_replace_the_scenarios() {
        let scenario = Some(ActiveCheck::HAPROXY_DEFAULT);
        let own = ActiveCheck {
            rise: 5,
            ..ActiveCheck::HAPROXY_DEFAULT
        };
        assert_eq!(ServerCheck::applied(None, scenario), scenario);
        assert_eq!(ServerCheck::applied(Some(ServerCheck::Off), scenario), None);
        assert_eq!(
            ServerCheck::applied(Some(ServerCheck::Check(own)), None),
            Some(own)
        );
    }

    #[test]
    fn starts_up_with_health_rise_and_one_failure_marks_it_down() {
        let mut h = checker();
        assert!(h.is_up());
        assert_eq!(h.health(), (2, 4));
        let t = h.observe(Err(CheckFailure::Timeout)).unwrap();
        assert_eq!(
            t,
            HealthTransition::Down {
                failures: 1,
                failure: CheckFailure::Timeout
            }
        );
        assert_eq!(h.health(), (0, 4));
    }

    #[test]
    fn passes_climb_and_reaching_rise_jumps_to_full() {
        let mut h = checker();
        h.observe(Err(CheckFailure::Refused));
        assert_eq!(h.observe(Ok(())), None);
        assert_eq!(h.health(), (1, 4));
        let t = h.observe(Ok(())).unwrap();
        assert_eq!(t, HealthTransition::Up { passes: 2 });
        assert_eq!(h.health(), (4, 4));
    }

    #[test]
    fn from_fully_up_it_takes_fall_failures() {
        let mut h = checker();
        h.observe(Ok(()));
        h.observe(Ok(()));
        assert_eq!(h.health(), (4, 4));
        assert_eq!(h.observe(Err(CheckFailure::Refused)), None);
        assert_eq!(h.observe(Err(CheckFailure::Refused)), None);
        assert_eq!(h.health(), (2, 4));
        let t = h.observe(Err(CheckFailure::Timeout)).unwrap();
        assert_eq!(
            t,
            HealthTransition::Down {
                failures: 3,
                failure: CheckFailure::Timeout
            }
        );
    }

    #[test]
    fn intervals_follow_the_state() {
        let config = ActiveCheck {
            fastinter: Some(SimDuration::from_millis(500)),
            downinter: Some(SimDuration::from_secs(5)),
            backoff_cap: Some(SimDuration::from_secs(30)),
            ..ActiveCheck::HAPROXY_DEFAULT
        };
        let mut h = HealthChecker::new(config);
        assert_eq!(
            h.next_interval(),
            SimDuration::from_millis(500),
            "health 2 of 4: in transition"
        );
        h.observe(Ok(()));
        h.observe(Ok(()));
        assert_eq!(h.next_interval(), SimDuration::from_secs(2), "fully up");
        for _ in 0..3 {
            h.observe(Err(CheckFailure::Refused));
        }
        assert_eq!(h.next_interval(), SimDuration::from_secs(5), "fully down");
        h.observe(Err(CheckFailure::Refused));
        assert_eq!(h.next_interval(), SimDuration::from_secs(10), "backing off");
        h.observe(Err(CheckFailure::Refused));
        h.observe(Err(CheckFailure::Refused));
        assert_eq!(h.next_interval(), SimDuration::from_secs(30), "capped");
        h.observe(Ok(()));
        assert_eq!(h.next_interval(), SimDuration::from_millis(500), "rising");
    }

    #[test]
    fn a_slow_answer_fails_at_the_timeout() {
        let h = checker();
        assert!(h.within_timeout(SimDuration::from_secs(1)));
        assert!(!h.within_timeout(SimDuration::from_millis(1_001)));
        assert_eq!(
            h.reported_at(SimTime(0), SimDuration::from_secs(5)),
            SimTime(1_000_000)
        );
    }
}
