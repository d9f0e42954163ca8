//! nginx `max_fails` / `fail_timeout`: a server is skipped while it has `max_fails` failures and
//! no more than `fail_timeout` has passed since failures were last checked; then one request
//! goes through as a probe, whose success resets the count. Successes inside the window do not
//! clear it, and nginx ignores all this when the upstream has a single server.

use super::{PassiveCheck, PassiveTransition};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// nginx's passive-check settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NginxPassive {
    /// Failures that take a server out (0 turns the check off, as in nginx).
    pub max_fails: u32,
    /// How long it stays out, and the window failures are counted in.
    pub fail_timeout: SimDuration,
}

impl NginxPassive {
    /// nginx's defaults: `max_fails=1 fail_timeout=10s`.
    pub const DEFAULT: NginxPassive = NginxPassive {
        max_fails: 1,
        fail_timeout: SimDuration::from_secs(10),
    };

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        format!(
            "nginx max_fails={} fail_timeout={}",
            self.max_fails, self.fail_timeout
        )
    }

    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        check_range(&f("max_fails"), f64::from(self.max_fails), 0.0, 1_000.0)?;
        check_duration(
            &f("fail_timeout"),
            self.fail_timeout,
            SimDuration::MS,
            SimDuration::HOUR,
        )
    }
}

/// What nginx remembers of a peer.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct NginxRecord {
    /// Failures counted.
    fails: u32,
    /// When failures were last checked (a failure, or a probe being sent).
    checked: SimTime,
    /// When the last failure happened.
    accessed: SimTime,
}

impl PassiveCheck for NginxPassive {
    type Record = NginxRecord;

    fn admits(&self, r: &NginxRecord, now: SimTime, single: bool) -> bool {
        single
            || self.max_fails == 0
            || r.fails < self.max_fails
            || now - r.checked > self.fail_timeout
    }

    fn on_pick(&self, r: &mut NginxRecord, now: SimTime) {
        if now - r.checked > self.fail_timeout {
            r.checked = now;
        }
    }

    fn on_answer(
        &self,
        r: &mut NginxRecord,
        failed: bool,
        now: SimTime,
        _: usize,
        _: usize,
    ) -> Option<PassiveTransition> {
        let max_fails = self.max_fails;
        if max_fails == 0 {
            return None;
        }
        if failed {
            let was_in = r.fails < max_fails;
            r.fails += 1;
            r.accessed = now;
            r.checked = now;
            (was_in && r.fails >= max_fails).then_some(PassiveTransition::Skipped {
                fails: r.fails,
                max_fails,
                fail_timeout: self.fail_timeout,
            })
        } else if r.accessed < r.checked && r.fails > 0 {
            let was_out = r.fails >= max_fails;
            r.fails = 0;
            was_out.then_some(PassiveTransition::ProbePassed)
        } else {
            None
        }
    }
}
