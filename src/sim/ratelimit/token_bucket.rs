//! Envoy's local rate limit (`envoy.filters.http.local_ratelimit`): a token bucket per key that
//! starts full at `max_tokens` and gains `tokens_per_fill` (never beyond `max_tokens`) each time
//! the fill timer fires, every `fill_interval` from the start of the run. A request takes one
//! token, or is refused (429 by default) when the bucket is empty. Envoy refuses a fill interval
//! under 50 ms.

use std::collections::BTreeMap;

use super::{LimitKey, Verdict, check_status, key_words};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// Envoy's token-bucket settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBucket {
    /// The bucket's size, and what it starts with.
    pub max_tokens: u32,
    /// Tokens added at each fill.
    #[serde(default = "one")]
    pub tokens_per_fill: u32,
    /// How often the bucket is filled.
    pub fill_interval: SimDuration,
    /// What requests are counted by.
    #[serde(default)]
    pub key: LimitKey,
    /// The status a refused request gets (429 by default).
    #[serde(default = "too_many_requests")]
    pub status: u16,
}

fn one() -> u32 {
    1
}

fn too_many_requests() -> u16 {
    429
}

impl TokenBucket {
    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        format!(
            "Envoy token bucket of {} (+{} every {}) {} (refused: {})",
            self.max_tokens,
            self.tokens_per_fill,
            self.fill_interval,
            key_words(self.key),
            self.status
        )
    }

    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        check_range(&f("max_tokens"), f64::from(self.max_tokens), 1.0, 1e9)?;
        check_range(
            &f("tokens_per_fill"),
            f64::from(self.tokens_per_fill),
            1.0,
            1e9,
        )?;
        check_duration(
            &f("fill_interval"),
            self.fill_interval,
            SimDuration::from_millis(50),
            SimDuration::HOUR,
        )?;
        check_status(&f("status"), self.status)
    }
}

/// The buckets of the keys seen so far.
#[derive(Clone, Debug, Default)]
pub(super) struct Buckets {
    buckets: BTreeMap<u128, Bucket>,
}

/// One key's bucket.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: u64,
    /// Fills the timer had made when the bucket was last brought up to date.
    fills: u64,
}

impl Buckets {
    /// Envoy's verdict on a request counted by `key` at `now`.
    pub(super) fn check(&mut self, limit: &TokenBucket, key: u128, now: SimTime) -> Verdict {
        let fills = now.0 / limit.fill_interval.0;
        let max = u64::from(limit.max_tokens);
        let bucket = self
            .buckets
            .entry(key)
            .or_insert(Bucket { tokens: max, fills });
        let added = (fills - bucket.fills).saturating_mul(u64::from(limit.tokens_per_fill));
        bucket.tokens = bucket.tokens.saturating_add(added).min(max);
        bucket.fills = fills;
        if bucket.tokens == 0 {
            return Verdict::Refuse(limit.status);
        }
        bucket.tokens -= 1;
        Verdict::Pass
    }
}
