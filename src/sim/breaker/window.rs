//! Sliding windows of call outcomes, as Resilience4j and Hystrix keep them: the last N calls, or
//! the calls of the last N seconds in one-second buckets.

use std::collections::VecDeque;

use super::resilience4j::WindowKind;
use crate::sim::time::SimTime;

/// Outcome counts in a window: `(calls, failures, slow)`.
pub(super) type Counts = (u32, u32, u32);

/// A sliding window of call outcomes.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Window {
    Count {
        size: usize,
        calls: VecDeque<(bool, bool)>,
    },
    /// One-second buckets `(second, calls, failures, slow)`, oldest first.
    Time {
        seconds: u64,
        buckets: VecDeque<(u64, u32, u32, u32)>,
    },
}

impl Window {
    pub(super) fn new(kind: WindowKind) -> Window {
        match kind {
            WindowKind::Count(n) => Window::Count {
                size: n.max(1) as usize,
                calls: VecDeque::new(),
            },
            WindowKind::Time(s) => Window::Time {
                seconds: u64::from(s.max(1)),
                buckets: VecDeque::new(),
            },
        }
    }

    pub(super) fn record(&mut self, failed: bool, slow: bool, now: SimTime) {
        match self {
            Window::Count { size, calls } => {
                if calls.len() == *size {
                    calls.pop_front();
                }
                calls.push_back((failed, slow));
            }
            Window::Time { buckets, .. } => {
                let second = now.0 / 1_000_000;
                match buckets.back_mut() {
                    Some(b) if b.0 == second => {
                        b.1 += 1;
                        b.2 += u32::from(failed);
                        b.3 += u32::from(slow);
                    }
                    _ => buckets.push_back((second, 1, u32::from(failed), u32::from(slow))),
                }
            }
        }
    }

    pub(super) fn counts(&mut self, now: SimTime) -> Counts {
        match self {
            Window::Count { calls, .. } => {
                calls.iter().fold((0, 0, 0), |(c, f, s), &(failed, slow)| {
                    (c + 1, f + u32::from(failed), s + u32::from(slow))
                })
            }
            Window::Time { seconds, buckets } => {
                let second = now.0 / 1_000_000;
                while buckets.front().is_some_and(|b| b.0 + *seconds <= second) {
                    buckets.pop_front();
                }
                buckets
                    .iter()
                    .fold((0, 0, 0), |(c, f, s), b| (c + b.1, f + b.2, s + b.3))
            }
        }
    }

    pub(super) fn clear(&mut self) {
        match self {
            Window::Count { calls, .. } => calls.clear(),
            Window::Time { buckets, .. } => buckets.clear(),
        }
    }
}

/// `part` of `whole` in percent (0 for an empty whole).
pub(super) fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * f64::from(part) / f64::from(whole)
    }
}
