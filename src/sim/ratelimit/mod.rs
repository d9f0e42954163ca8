//! Rate limiting at the load balancer: a request arriving at the balancer is let through, held
//! back for a while, or refused at once, by one of two real designs.
//!
//! - nginx `limit_req` (a leaky bucket, [`NginxLimit`]): each key's excess, in thousandths of a
//!   request, drains at `rate`; a request adds one, and is refused when the excess would pass
//!   `burst`. Without `nodelay`, a request let into the burst waits until its excess has drained
//!   down to `delay` (nginx 1.15.7 and later).
//! - Envoy's local rate limit (a token bucket, [`TokenBucket`]): each key's bucket starts full at
//!   `max_tokens` and gains `tokens_per_fill` every `fill_interval`; a request takes a token, or
//!   is refused when there is none.
//!
//! A key is the client's address (`client_ip`, nginx's `$binary_remote_addr`) or one shared by
//! every request (`global`). Each design keeps its state per key in its own type; the
//! [`Limiter`] is what the engine asks. A refused request ends as `rate_limited`, answered with
//! the design's `status`.
//!
//! With several balancers each keeps its own counts ([`Limiters`]), as nginx's `limit_req`
//! zone lives in one instance's shared memory and Envoy's local rate limit is local to its
//! proxy: a limit of 10 a second on each of three balancers lets a client that is spread over
//! all three send 30 a second, and a VRRP backup that takes over starts with nothing counted.

mod nginx;
mod token_bucket;

pub use nginx::NginxLimit;
pub use token_bucket::TokenBucket;

use super::time::{SimDuration, SimTime};
use super::validation::{ValidationError, check_range};

/// What a limit counts requests by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKey {
    /// The client's address: each address has its own allowance (clients behind one NAT share).
    #[default]
    ClientIp,
    /// One allowance for every request.
    Global,
}

/// Rate-limit settings: the design, with its own settings. In files `{"kind": "nginx", "rate":
/// 10, "burst": 5, "nodelay": true, "key": "client_ip", "status": 503}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateLimit {
    /// No rate limiting.
    #[default]
    Off,
    /// nginx `limit_req`.
    Nginx(NginxLimit),
    /// Envoy's local rate limit.
    TokenBucket(TokenBucket),
}

/// What the limiter says about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let it through now.
    Pass,
    /// Let it through after this long.
    Delay(SimDuration),
    /// Refuse it, answering with this status.
    Refuse(u16),
}

impl RateLimit {
    /// Whether there is no limit (for leaving it out of files).
    pub fn is_off(&self) -> bool {
        *self == RateLimit::Off
    }

    /// What a request is counted by, if anything limits it.
    pub fn key(&self) -> Option<LimitKey> {
        match self {
            RateLimit::Off => None,
            RateLimit::Nginx(n) => Some(n.key),
            RateLimit::TokenBucket(t) => Some(t.key),
        }
    }

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        match self {
            RateLimit::Off => "off".into(),
            RateLimit::Nginx(n) => n.describe(),
            RateLimit::TokenBucket(t) => t.describe(),
        }
    }

    /// Checks the settings; the error names the bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        match self {
            RateLimit::Off => Ok(()),
            RateLimit::Nginx(n) => n.validate(field),
            RateLimit::TokenBucket(t) => t.validate(field),
        }
    }
}

/// Checks an HTTP status a limit answers with: an error, 400 to 599.
fn check_status(field: &str, status: u16) -> Result<(), ValidationError> {
    check_range(field, f64::from(status), 400.0, 599.0)
}

/// The words for a key.
fn key_words(key: LimitKey) -> &'static str {
    match key {
        LimitKey::ClientIp => "per client address",
        LimitKey::Global => "for all clients together",
    }
}

/// A rate limit at work: its settings and what it remembers per key.
#[derive(Clone, Debug, Default)]
pub struct Limiter {
    state: State,
}

#[derive(Clone, Debug, Default)]
enum State {
    #[default]
    Off,
    Nginx(NginxLimit, nginx::Zone),
    TokenBucket(TokenBucket, token_bucket::Buckets),
}

impl Limiter {
    /// A limiter with `config` and no memory yet.
    pub fn new(config: RateLimit) -> Limiter {
        let state = match config {
            RateLimit::Off => State::Off,
            RateLimit::Nginx(n) => State::Nginx(n, nginx::Zone::default()),
            RateLimit::TokenBucket(t) => State::TokenBucket(t, token_bucket::Buckets::default()),
        };
        Limiter { state }
    }

    /// What it counts requests by, if it limits anything (asked for every request: cheap).
    #[inline]
    pub fn key(&self) -> Option<LimitKey> {
        match &self.state {
            State::Off => None,
            State::Nginx(n, _) => Some(n.key),
            State::TokenBucket(t, _) => Some(t.key),
        }
    }

    /// Its settings.
    pub fn config(&self) -> RateLimit {
        match &self.state {
            State::Off => RateLimit::Off,
            State::Nginx(n, _) => RateLimit::Nginx(*n),
            State::TokenBucket(t, _) => RateLimit::TokenBucket(*t),
        }
    }

    /// The verdict on a request counted by `key` (the client's address as a number, or 0 for a
    /// global limit) arriving at `now`.
    pub fn check(&mut self, key: u128, now: SimTime) -> Verdict {
        match &mut self.state {
            State::Off => Verdict::Pass,
            State::Nginx(config, zone) => zone.check(config, key, now),
            State::TokenBucket(config, buckets) => buckets.check(config, key, now),
        }
    }
}

/// One limiter per balancer, all with the same settings: each counts only the requests that
/// reach its balancer.
#[derive(Clone, Debug)]
pub struct Limiters {
    each: Vec<Limiter>,
}

impl Limiters {
    /// `balancers` limiters with `config` and no memory yet.
    pub fn new(config: RateLimit, balancers: usize) -> Limiters {
        Limiters {
            each: vec![Limiter::new(config); balancers.max(1)],
        }
    }

    /// What they count requests by, if they limit anything (asked for every request: cheap).
    #[inline]
    pub fn key(&self) -> Option<LimitKey> {
        self.each[0].key()
    }

    /// Their settings.
    pub fn config(&self) -> RateLimit {
        self.each[0].config()
    }

    /// Balancer `b`'s verdict on a request counted by `key` arriving at `now` (see
    /// [`Limiter::check`]).
    pub fn check(&mut self, b: u8, key: u128, now: SimTime) -> Verdict {
        self.each[usize::from(b)].check(key, now)
    }
}

#[cfg(test)]
mod tests;
