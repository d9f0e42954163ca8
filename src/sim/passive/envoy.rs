//! Envoy outlier detection: `consecutive_5xx` errors in a row eject a host for
//! `base_ejection_time` times the number of times it was ejected in a row, at most
//! `max_ejection_time`; at most `max_ejection_percent` of the hosts are out at once, but at least
//! one may always be. The multiplier drops by one for every base period the host stays healthy.

use super::{PassiveCheck, PassiveTransition};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// Envoy's outlier-detection settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvoyOutlier {
    /// Consecutive errors that eject a host.
    pub consecutive_5xx: u32,
    /// The first ejection's length; later ones are multiples of it.
    pub base_ejection: SimDuration,
    /// The longest ejection.
    pub max_ejection: SimDuration,
    /// The most hosts ejected at once, as a fraction (at least one host may always be).
    pub max_ejection_share: f64,
}

impl EnvoyOutlier {
    /// Envoy's defaults: 5 errors, 30 s base, 300 s at most, 10% of hosts.
    pub const DEFAULT: EnvoyOutlier = EnvoyOutlier {
        consecutive_5xx: 5,
        base_ejection: SimDuration::from_secs(30),
        max_ejection: SimDuration::from_secs(300),
        max_ejection_share: 0.1,
    };

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        format!(
            "Envoy outlier detection ({} consecutive 5xx, {} base ejection)",
            self.consecutive_5xx, self.base_ejection
        )
    }

    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        let (ms, hour) = (SimDuration::MS, SimDuration::HOUR);
        check_range(
            &f("consecutive_5xx"),
            f64::from(self.consecutive_5xx),
            1.0,
            1_000.0,
        )?;
        check_duration(&f("base_ejection"), self.base_ejection, ms, hour)?;
        check_duration(&f("max_ejection"), self.max_ejection, ms, hour)?;
        check_range(&f("max_ejection_share"), self.max_ejection_share, 0.0, 1.0)
    }
}

/// What Envoy remembers of a host.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct EnvoyRecord {
    /// Consecutive errors.
    fails: u32,
    /// Ejected until this time.
    pub(super) ejected_until: Option<SimTime>,
    /// The ejection multiplier.
    ejections: u32,
    /// When the last ejection ended.
    returned_at: SimTime,
}

impl EnvoyRecord {
    /// Ends an ejection whose time is up.
    pub(super) fn expire(&mut self, now: SimTime) -> Option<PassiveTransition> {
        let until = self.ejected_until?;
        (now >= until).then(|| {
            self.ejected_until = None;
            PassiveTransition::EjectionOver
        })
    }
}

impl PassiveCheck for EnvoyOutlier {
    type Record = EnvoyRecord;

    fn admits(&self, r: &EnvoyRecord, now: SimTime, _: bool) -> bool {
        r.ejected_until.is_none_or(|until| now >= until)
    }

    fn on_answer(
        &self,
        r: &mut EnvoyRecord,
        failed: bool,
        now: SimTime,
        ejected_now: usize,
        hosts: usize,
    ) -> Option<PassiveTransition> {
        if !failed {
            r.fails = 0;
            return None;
        }
        r.fails += 1;
        let ejected = r.ejected_until.is_some_and(|until| now < until);
        let cap = ((hosts as f64 * self.max_ejection_share).floor() as usize).max(1);
        if ejected || r.fails < self.consecutive_5xx || ejected_now >= cap {
            return None;
        }
        // The multiplier relaxes by one per base period spent healthy since the last return.
        let base = self.base_ejection;
        if r.ejections > 0 && base.0 > 0 {
            let healthy_periods = (now - r.returned_at).0 / base.0;
            r.ejections = r.ejections.saturating_sub(healthy_periods as u32);
        }
        r.ejections += 1;
        let length = SimDuration(
            base.0
                .saturating_mul(u64::from(r.ejections))
                .min(self.max_ejection.0),
        );
        r.ejected_until = Some(now + length);
        r.returned_at = now + length;
        r.fails = 0;
        Some(PassiveTransition::Ejected {
            consecutive_5xx: self.consecutive_5xx,
            length,
            ejection: r.ejections,
        })
    }
}
