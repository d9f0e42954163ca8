//! Playback: how wall-clock time becomes simulated time.
//!
//! This is the one piece of time handling the page owns (the session keeps the clock, the browser
//! reports the frames). Each animation frame reports the wall clock; the clock turns the elapsed
//! wall time into simulated time at the chosen speed (0.1x to 100x), or none while paused. A long
//! gap between frames (a hidden tab, a debugger pause) counts as at most [`MAX_FRAME_MS`], so the
//! simulation never lurches ahead. It is plain Rust, tested natively.

use crate::sim::{SimDuration, SimTime};

/// The speeds offered in the UI, slowest first.
pub const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0];
/// The most wall time one frame may account for, in milliseconds.
pub const MAX_FRAME_MS: f64 = 100.0;
/// How far one press of "step" advances a paused simulation.
pub const STEP: SimDuration = SimDuration::from_millis(100);
/// How far one press of "fast-forward" jumps, playing or paused.
pub const SKIP: SimDuration = SimDuration::from_millis(10_000);

/// How much simulating one frame aims to take, in milliseconds of wall time (of a 16.7 ms frame).
pub const FRAME_TARGET_MS: f64 = 6.0;
/// The events a frame may handle in each run before the page has measured anything.
pub const FIRST_FRAME_EVENTS: u64 = 20_000;
/// The fewest events a frame's budget allows (so a slow machine still moves).
const MIN_FRAME_EVENTS: u64 = 500;
/// The most events a frame's budget allows.
const MAX_FRAME_EVENTS: u64 = 1_000_000;

/// The page's per-frame time budget, as a number of events: how many events a frame may simulate
/// in each run, adapted to how long the last frames took, so that simulating takes about
/// [`FRAME_TARGET_MS`] on any machine and any build. The core counts events, never time; this
/// turns the measured time into the next count.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameBudget {
    events: u64,
}

impl Default for FrameBudget {
    fn default() -> Self {
        FrameBudget {
            events: FIRST_FRAME_EVENTS,
        }
    }
}

impl FrameBudget {
    /// The events the next frame may handle in each run.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// A frame handled `handled` events in `ms` of wall time: aim the next budget at what fits
    /// in [`FRAME_TARGET_MS`] at that pace (halfway there, so one odd frame does not swing it).
    /// Too short to time, a frame that used its whole budget earns a larger one.
    pub fn record(&mut self, handled: u64, ms: f64) {
        let next = if ms >= 1.0 {
            let fits = handled as f64 / ms * FRAME_TARGET_MS;
            (self.events as f64 + fits) / 2.0
        } else if handled >= self.events {
            self.events as f64 * 1.5
        } else {
            return;
        };
        self.events = (next as u64).clamp(MIN_FRAME_EVENTS, MAX_FRAME_EVENTS);
    }
}

/// Maps wall-clock frames to simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaybackClock {
    playing: bool,
    speed: f64,
    last_wall_ms: Option<f64>,
    /// Simulated microseconds owed but not yet a whole microsecond.
    carry_us: f64,
}

impl Default for PlaybackClock {
    fn default() -> Self {
        PlaybackClock {
            playing: true,
            speed: 1.0,
            last_wall_ms: None,
            carry_us: 0.0,
        }
    }
}

impl PlaybackClock {
    /// Whether time is running.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Simulated seconds per wall second.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Starts or stops time.
    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
        self.carry_us = 0.0;
    }

    /// Sets the speed, clamped to the offered range.
    pub fn set_speed(&mut self, speed: f64) {
        if speed.is_finite() {
            self.speed = speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
        }
    }

    /// A frame at wall time `wall_ms`: the simulated time to advance to from `sim_now`.
    pub fn frame(&mut self, wall_ms: f64, sim_now: SimTime) -> SimTime {
        let elapsed = self
            .last_wall_ms
            .map_or(0.0, |last| (wall_ms - last).clamp(0.0, MAX_FRAME_MS));
        self.last_wall_ms = Some(wall_ms);
        if !self.playing {
            return sim_now;
        }
        self.carry_us += elapsed * 1_000.0 * self.speed;
        let whole = self.carry_us.floor();
        self.carry_us -= whole;
        sim_now + SimDuration(whole as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_budget_follows_the_pace_of_the_machine() {
        // Frames that take `per_ms` events per millisecond, until the budget settles.
        let settle = |per_ms: f64| {
            let mut budget = FrameBudget::default();
            for _ in 0..30 {
                let handled = budget.events();
                budget.record(handled, handled as f64 / per_ms);
            }
            budget
        };
        let fast = settle(10_000.0).events();
        assert!(
            (59_990..=60_000).contains(&fast),
            "a fast machine gets more: {fast}"
        );
        let mut slow = settle(1_000.0 / 6.0);
        assert!((999..=1_001).contains(&slow.events()), "{}", slow.events());
        slow.record(10, 0.2);
        assert!(
            (999..=1_001).contains(&slow.events()),
            "a light frame says nothing"
        );
        slow.record(0, 500.0);
        slow.record(0, 500.0);
        assert_eq!(slow.events(), MIN_FRAME_EVENTS, "never below the floor");
    }

    #[test]
    fn wall_time_scales_by_speed() {
        let mut clock = PlaybackClock::default();
        assert_eq!(
            clock.frame(1_000.0, SimTime::ZERO),
            SimTime::ZERO,
            "the first frame only starts the clock"
        );
        assert_eq!(clock.frame(1_016.0, SimTime::ZERO), SimTime(16_000));
        clock.set_speed(10.0);
        assert_eq!(clock.frame(1_032.0, SimTime(16_000)), SimTime(176_000));
    }

    #[test]
    fn slow_speeds_keep_the_fractions() {
        let mut clock = PlaybackClock::default();
        clock.set_speed(0.1);
        let mut t = SimTime::ZERO;
        clock.frame(0.0, t);
        for frame in 1..=300 {
            t = clock.frame(frame as f64 * 16.667, t);
        }
        // 5 s of wall time at 0.1x: 0.5 s of simulated time, to the microsecond.
        assert!((t.0 as i64 - 500_010).abs() <= 1, "{t:?}");
    }

    #[test]
    fn paused_time_stands_still_and_gaps_are_capped() {
        let mut clock = PlaybackClock::default();
        clock.frame(0.0, SimTime::ZERO);
        clock.set_playing(false);
        assert_eq!(clock.frame(500.0, SimTime(7)), SimTime(7));
        clock.set_playing(true);
        assert_eq!(
            clock.frame(60_000.0, SimTime(7)),
            SimTime(7 + 100_000),
            "a minute-long gap counts as 100 ms"
        );
    }

    #[test]
    fn speed_is_clamped_to_the_offered_range() {
        let mut clock = PlaybackClock::default();
        clock.set_speed(1e9);
        assert_eq!(clock.speed(), 100.0);
        clock.set_speed(0.0);
        assert_eq!(clock.speed(), 0.1);
        clock.set_speed(f64::NAN);
        assert_eq!(clock.speed(), 0.1);
    }
}
