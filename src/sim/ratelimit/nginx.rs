//! nginx `limit_req` / `limit_req_zone`, with nginx's own integer arithmetic
//! (`ngx_http_limit_req_module.c`): time in whole milliseconds, a key's excess in thousandths of a
//! request. A request at `now` from a key last seen at `last` makes its excess
//! `max(0, excess - rate * |now - last| / 1000 + 1000)` (rate in thousandths of a request per
//! second); over `burst * 1000` it is refused and the key's state is left as it was, otherwise
//! stored. A key seen for the first time starts at excess 0, so it may send `burst + 1` at once.
//! A request let in waits `(excess - delay * 1000) / rate` seconds when its excess is over
//! `delay * 1000` (never with `nodelay`).
//!
//! nginx keeps the keys in a shared-memory zone in least-recently-used order, and before it adds
//! a key it deletes up to two of the oldest that have been idle for a minute and drained: a key
//! deleted that way starts again at 0 (burst + 1 at once) rather than 1000. That is modelled as
//! it is; the zone is taken to be large enough never to evict a key early.

use std::collections::BTreeMap;

use super::{LimitKey, Verdict, check_status, key_words};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_range};

/// nginx's `limit_req` settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NginxLimit {
    /// Requests per second (`rate=10r/s`; `30r/m` is 0.5), kept to thousandths as nginx does.
    pub rate: f64,
    /// Requests allowed over the rate at once (`burst=5`; 0 when not given).
    #[serde(default)]
    pub burst: u32,
    /// Let the burst through at once instead of spacing it out (`nodelay`).
    #[serde(default)]
    pub nodelay: bool,
    /// Requests of the burst let through without waiting (`delay=N`, nginx 1.15.7+).
    #[serde(default)]
    pub delay: u32,
    /// What requests are counted by (`$binary_remote_addr`, or one key for all).
    #[serde(default)]
    pub key: LimitKey,
    /// The status a refused request gets (`limit_req_status`, 503 by default).
    #[serde(default = "service_unavailable")]
    pub status: u16,
}

fn service_unavailable() -> u16 {
    503
}

/// A key idle this long, its excess drained, may be deleted to make room for a new one.
const IDLE_MS: i64 = 60_000;

impl NginxLimit {
    /// `limit_req` at `rate` r/s with `burst`, by `key`, with nginx's other defaults (`delay=0`,
    /// `limit_req_status 503`).
    pub fn new(rate: f64, burst: u32, nodelay: bool, key: LimitKey) -> NginxLimit {
        NginxLimit {
            rate,
            burst,
            nodelay,
            delay: 0,
            key,
            status: service_unavailable(),
        }
    }

    /// The rate in thousandths of a request per second (nginx's `ctx->rate`).
    fn milli_rate(&self) -> i64 {
        (self.rate * 1_000.0).round() as i64
    }

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        let mut words = format!("nginx limit_req {} r/s burst={}", self.rate, self.burst);
        if self.nodelay {
            words.push_str(" nodelay");
        } else if self.delay > 0 {
            words.push_str(&format!(" delay={}", self.delay));
        }
        format!("{words} {} (refused: {})", key_words(self.key), self.status)
    }

    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        check_range(&f("rate"), self.rate, 0.001, 1e6)?;
        check_range(&f("burst"), f64::from(self.burst), 0.0, 1e6)?;
        check_range(
            &f("delay"),
            f64::from(self.delay),
            0.0,
            f64::from(self.burst),
        )?;
        check_status(&f("status"), self.status)
    }
}

/// The keys nginx remembers, in least-recently-used order.
#[derive(Clone, Debug, Default)]
pub(super) struct Zone {
    nodes: BTreeMap<u128, Node>,
    /// Each key by its last use (the oldest first).
    order: BTreeMap<u64, u128>,
    uses: u64,
}

/// One key's state.
#[derive(Clone, Copy, Debug)]
struct Node {
    /// Thousandths of a request over the rate.
    excess: i64,
    /// When a request last counted, in milliseconds.
    last: i64,
    /// Its place in the use order.
    used: u64,
}

impl Zone {
    /// nginx's verdict on a request counted by `key` at `now`.
    pub(super) fn check(&mut self, limit: &NginxLimit, key: u128, now: SimTime) -> Verdict {
        let now = (now.0 / 1_000) as i64;
        let rate = limit.milli_rate();
        self.uses += 1;
        let Some(node) = self.nodes.get_mut(&key) else {
            self.expire(now, rate);
            self.nodes.insert(
                key,
                Node {
                    excess: 0,
                    last: now,
                    used: self.uses,
                },
            );
            self.order.insert(self.uses, key);
            return Verdict::Pass;
        };
        // A lookup makes the key the most recently used, refused or not.
        self.order.remove(&node.used);
        node.used = self.uses;
        self.order.insert(self.uses, key);
        let excess = (node.excess - rate * (now - node.last).abs() / 1_000 + 1_000).max(0);
        if excess > i64::from(limit.burst) * 1_000 {
            return Verdict::Refuse(limit.status);
        }
        node.excess = excess;
        node.last = now;
        let free = i64::from(limit.delay) * 1_000;
        if limit.nodelay || excess <= free {
            Verdict::Pass
        } else {
            let ms = (excess - free) * 1_000 / rate;
            Verdict::Delay(SimDuration::from_millis(ms as u64))
        }
    }

    /// Deletes up to two of the least recently used keys that have been idle a minute with their
    /// excess drained, as nginx does before it adds a key.
    fn expire(&mut self, now: i64, rate: i64) {
        for _ in 0..2 {
            let Some((&used, &key)) = self.order.first_key_value() else {
                return;
            };
            let node = self.nodes[&key];
            let idle = (now - node.last).abs();
            if idle < IDLE_MS || node.excess - rate * idle / 1_000 > 0 {
                return;
            }
            self.order.remove(&used);
            self.nodes.remove(&key);
        }
    }
}
