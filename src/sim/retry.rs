//! Retries: when a try fails, the load balancer sends the request to another server (nginx
//! `proxy_next_upstream`): on a connection error, on a per-try timeout, or on the 5xx classes the
//! policy names, up to `max_tries` tries in all, never to a server this request already tried.
//! A retry budget (Envoy's) caps retries: at most `max(min_concurrent, budget x active requests)`
//! retries may be in progress at once, so a struggling system is not buried under its own retries.

use super::time::SimDuration;

/// When and how often to retry. In files, fields left out are as in [`RetryPolicy::OFF`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Tries in all, the first included (1 = no retries); at most [`MAX_TRIES`].
    pub max_tries: u32,
    /// Give up on a try after this long and retry (the server keeps working on it); `None`: wait.
    pub per_try_timeout: Option<SimDuration>,
    /// Retry on connection errors (refused, reset by a crash).
    pub on_error: bool,
    /// Retry when a try times out.
    pub on_timeout: bool,
    /// Retry on a 500 from the server.
    pub on_500: bool,
    /// Retry on a 503 from the server (its queue was full).
    pub on_503: bool,
    /// Retry budget: the share of active requests that may be retries at once (`None`: no budget).
    pub budget: Option<f64>,
    /// Retries always allowed at once, whatever the budget (Envoy's `min_retry_concurrency`).
    pub min_concurrent: u32,
}

/// The most tries a request may get.
pub const MAX_TRIES: u32 = 5;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::OFF
    }
}

impl RetryPolicy {
    /// No retries.
    pub const OFF: RetryPolicy = RetryPolicy {
        max_tries: 1,
        per_try_timeout: None,
        on_error: false,
        on_timeout: false,
        on_500: false,
        on_503: false,
        budget: None,
        min_concurrent: 3,
    };

    /// nginx's default `proxy_next_upstream error timeout`, with 3 tries in all.
    pub const NGINX_DEFAULT: RetryPolicy = RetryPolicy {
        max_tries: 3,
        on_error: true,
        on_timeout: true,
        ..RetryPolicy::OFF
    };

    /// Whether retries are on at all.
    pub fn enabled(&self) -> bool {
        self.max_tries > 1
    }

    /// Whether the budget lets one more retry start, with `retrying` retries and `active` requests
    /// in progress.
    pub fn budget_allows(&self, retrying: u64, active: u64) -> bool {
        match self.budget {
            None => true,
            Some(share) => {
                let cap = (share * active as f64)
                    .floor()
                    .max(f64::from(self.min_concurrent));
                (retrying as f64) < cap
            }
        }
    }

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        if !self.enabled() {
            return "off".into();
        }
        let mut on = vec![];
        for (flag, name) in [
            (self.on_error, "error"),
            (self.on_timeout, "timeout"),
            (self.on_500, "http_500"),
            (self.on_503, "http_503"),
        ] {
            if flag {
                on.push(name);
            }
        }
        let mut text = format!("{} tries on {}", self.max_tries, on.join(" "));
        if let Some(t) = self.per_try_timeout {
            text += &format!(", {t} per try");
        }
        if let Some(b) = self.budget {
            text += &format!(", budget {:.0}%", b * 100.0);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_caps_concurrent_retries() {
        let p = RetryPolicy {
            budget: Some(0.2),
            ..RetryPolicy::NGINX_DEFAULT
        };
        assert!(p.budget_allows(2, 0), "the minimum always holds");
        assert!(!p.budget_allows(3, 10));
        assert!(p.budget_allows(19, 100));
        assert!(!p.budget_allows(20, 100));
        assert!(RetryPolicy::NGINX_DEFAULT.budget_allows(1_000, 1));
    }

    #[test]
    fn descriptions_read_like_configuration() {
        assert_eq!(RetryPolicy::OFF.describe(), "off");
        assert_eq!(
            RetryPolicy::NGINX_DEFAULT.describe(),
            "3 tries on error timeout"
        );
    }
}
