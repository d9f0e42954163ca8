//! Hystrix's breaker: a 10 s rolling window in one-second buckets; it trips when the window holds
//! at least `volume_threshold` requests and at least `error_percent` of them failed; after
//! `sleep_window` exactly one trial request goes through, and its success closes the breaker and
//! resets the window.

use super::BreakerRule;
use super::circuit::Design;
use super::resilience4j::WindowKind;
use super::window::{Window, percent};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// Hystrix's rolling window: 10 one-second buckets.
const ROLLING_WINDOW: WindowKind = WindowKind::Time(10);

/// Hystrix's settings.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hystrix {
    /// Requests the window must hold before it may trip.
    pub volume_threshold: u32,
    /// Error percentage that trips it.
    pub error_percent: f64,
    /// How long it stays open before one trial request.
    pub sleep_window: SimDuration,
}

impl Hystrix {
    /// Hystrix's defaults: 20 requests, 50%, 5 s.
    pub const DEFAULT: Hystrix = Hystrix {
        volume_threshold: 20,
        error_percent: 50.0,
        sleep_window: SimDuration::from_secs(5),
    };

    /// A short description for the timeline and the UI.
    pub fn describe(&self) -> String {
        format!(
            "Hystrix ({}% of >= {} requests in 10 s, {} sleep)",
            self.error_percent, self.volume_threshold, self.sleep_window
        )
    }

    /// Checks the settings, naming a bad one under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let f = |name: &str| format!("{field}.{name}");
        check_range(
            &f("volume_threshold"),
            f64::from(self.volume_threshold),
            1.0,
            10_000.0,
        )?;
        check_range(&f("error_percent"), self.error_percent, 1.0, 100.0)?;
        check_duration(
            &f("sleep_window"),
            self.sleep_window,
            SimDuration::MS,
            SimDuration::HOUR,
        )
    }
}

/// The rolling window of requests.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct HystrixWindow {
    config: Hystrix,
    window: Window,
}

impl HystrixWindow {
    pub(super) fn new(config: Hystrix) -> HystrixWindow {
        HystrixWindow {
            config,
            window: Window::new(ROLLING_WINDOW),
        }
    }
}

impl Design for HystrixWindow {
    fn wait(&self) -> SimDuration {
        self.config.sleep_window
    }

    fn record(&mut self, failed: bool, _: SimDuration, now: SimTime) -> Option<BreakerRule> {
        self.window.record(failed, false, now);
        let (calls, failures, _) = self.window.counts(now);
        let e = percent(failures, calls);
        let Hystrix {
            volume_threshold,
            error_percent,
            ..
        } = self.config;
        (calls >= volume_threshold && e >= error_percent).then(|| {
            self.window.clear();
            BreakerRule::ErrorPercent {
                failures,
                calls,
                percent: e,
                threshold: error_percent,
            }
        })
    }

    fn forget(&mut self) {
        self.window.clear();
    }
}
