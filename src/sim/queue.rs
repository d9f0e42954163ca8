//! The event queue: what happens next, in order.
//!
//! Events are ordered by time and then by the order they were scheduled in (a sequence number),
//! so two events at the same instant always run in the same order: ties never depend on the heap's
//! internals, and runs stay reproducible. Events pushed with [`EventQueue::push_last`] run after
//! every ordinary event of their instant: that is where a user's command lands when applied
//! between two frames, so a scripted replay of it lands there too.
//!
//! Most of a busy run's events are a fixed delay after the moment they are scheduled: a network
//! leg of 300 ms, a client's patience, a try's timeout. Scheduled from a clock that never runs
//! backwards, the events of one delay come due in the order they were pushed, so they need no
//! heap: [`EventQueue::push_after`] appends them to a first-in first-out *lane* of their delay,
//! and only the events of other delays (service completions, arrivals, timers) go through the
//! binary heap. The earliest event is the earliest of the heap's top and the lanes' fronts,
//! compared by the same (time, order) key, so the order is exactly the one a single heap gives.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use super::time::{SimDuration, SimTime};

/// Lanes a queue opens at most: one per delay seen, in the order the delays are first used; the
/// events of a delay beyond them go to the heap. A run has a handful of fixed delays (its network
/// legs and timeouts); a scan of this many fronts costs less than a heap several thousand deep.
const MAX_LANES: usize = 6;

/// A min-queue of events keyed by (time, scheduling order).
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    /// Events of one fixed delay each, every lane in (time, order) order.
    lanes: Vec<Lane<E>>,
    /// Events in the lanes, all together.
    in_lanes: usize,
    next_seq: u64,
}

/// The events scheduled `delay` after their push, oldest first.
#[derive(Clone, Debug)]
struct Lane<E> {
    delay: SimDuration,
    /// The time of the latest event appended (kept even when it has been popped).
    last: SimTime,
    entries: VecDeque<Entry<E>>,
}

#[derive(Clone, Debug)]
struct Entry<E> {
    time: SimTime,
    /// The class in the top bit (0 for ordinary events, 1 for events that close their instant),
    /// the scheduling order below it: one number orders an instant's events.
    order: u64,
    event: E,
}

/// The top bit of [`Entry::order`]: set for the events that close their instant.
const CLOSING: u64 = 1 << 63;

impl<E> Entry<E> {
    #[inline]
    fn key(&self) -> (SimTime, u64) {
        (self.time, self.order)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest entry first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            lanes: Vec::new(),
            in_lanes: 0,
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time`, after every event already scheduled for that same time.
    pub fn push(&mut self, time: SimTime, event: E) {
        self.push_with_class(time, 0, event);
    }

    /// Schedules `event` at `time`, after every ordinary event of that instant, whenever pushed.
    pub fn push_last(&mut self, time: SimTime, event: E) {
        self.push_with_class(time, CLOSING, event);
    }

    /// Schedules `event` at `now + delay`, like [`EventQueue::push`]: the same order, by way of
    /// the lane of `delay` when it has one (or a free lane to open for it). A simulation's clock
    /// never runs backwards; should a caller's, an event that would land before its lane's latest
    /// goes to the heap instead, so the order holds whatever the callers do.
    #[inline]
    pub fn push_after(&mut self, now: SimTime, delay: SimDuration, event: E) {
        let time = now + delay;
        let entry = self.entry(time, 0, event);
        match self.lane_of(delay) {
            Some(lane) if lane.last <= time => {
                lane.last = time;
                lane.entries.push_back(entry);
                self.in_lanes += 1;
            }
            _ => self.heap.push(entry),
        }
    }

    /// The lane of `delay`, opened if there is room for one more.
    #[inline]
    fn lane_of(&mut self, delay: SimDuration) -> Option<&mut Lane<E>> {
        let i = match self.lanes.iter().position(|l| l.delay == delay) {
            Some(i) => i,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push(Lane {
                    delay,
                    last: SimTime::ZERO,
                    entries: VecDeque::new(),
                });
                self.lanes.len() - 1
            }
            None => return None,
        };
        Some(&mut self.lanes[i])
    }

    fn push_with_class(&mut self, time: SimTime, class: u64, event: E) {
        let entry = self.entry(time, class, event);
        self.heap.push(entry);
    }

    /// `event` stamped with the next scheduling order.
    fn entry(&mut self, time: SimTime, class: u64, event: E) -> Entry<E> {
        let seq = self.next_seq;
        self.next_seq += 1;
        Entry {
            time,
            order: class | seq,
            event,
        }
    }

    /// The lane whose front comes before every other lane's front and the heap's top, if one does
    /// (none when the lanes are empty, as in a run without network delays).
    #[inline]
    fn earliest_lane(&self) -> Option<usize> {
        if self.in_lanes == 0 {
            return None;
        }
        let mut best = self.heap.peek().map(Entry::key);
        let mut lane = None;
        for (i, l) in self.lanes.iter().enumerate() {
            if let Some(front) = l.entries.front()
                && best.is_none_or(|b| front.key() < b)
            {
                best = Some(front.key());
                lane = Some(i);
            }
        }
        lane
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        match self.earliest_lane() {
            Some(i) => self.lanes[i].entries.front().map(|e| e.time),
            None => self.heap.peek().map(|e| e.time),
        }
    }

    /// Removes and returns the earliest event if it is due at or before `until`.
    #[inline]
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        // One call of each pop, so that both stay inlined in the event loop.
        let entry = match self.earliest_lane() {
            Some(i) => {
                let lane = &mut self.lanes[i].entries;
                if lane.front()?.time > until {
                    return None;
                }
                self.in_lanes -= 1;
                lane.pop_front()
            }
            None => {
                if self.heap.peek()?.time > until {
                    return None;
                }
                self.heap.pop()
            }
        };
        entry.map(|e| (e.time, e.event))
    }

    /// Keeps only the events `keep` says yes to; the others are dropped. The order of those kept
    /// does not change (each keeps its time and scheduling order).
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        self.heap.retain(|entry| keep(&entry.event));
        for lane in &mut self.lanes {
            lane.entries.retain(|entry| keep(&entry.event));
        }
        self.in_lanes = self.lanes.iter().map(|l| l.entries.len()).sum();
    }

    /// Number of scheduled events (including ones that will turn out stale).
    pub fn len(&self) -> usize {
        self.heap.len() + self.in_lanes
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_ties_in_push_order() {
        let mut q = EventQueue::new();
        q.push(SimTime(5), "c");
        q.push(SimTime(1), "a");
        q.push(SimTime(5), "d");
        q.push(SimTime(3), "b");
        q.push(SimTime(5), "e");
        let mut out = vec![];
        while let Some((_, e)) = q.pop_due(SimTime(u64::MAX)) {
            out.push(e);
        }
        assert_eq!(out, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn last_events_close_their_instant() {
        let mut q = EventQueue::new();
        q.push_last(SimTime(5), "command");
        q.push(SimTime(5), "check");
        q.push(SimTime(6), "later");
        q.push(SimTime(5), "pushed late");
        let order: Vec<_> = std::iter::from_fn(|| q.pop_due(SimTime(9)).map(|(_, e)| e)).collect();
        assert_eq!(order, ["check", "pushed late", "command", "later"]);
    }

    /// Events pushed through lanes, the heap and `push_last`, mixed and interleaved with pops,
    /// come out exactly as from a plain list searched for its least (time, class, push order).
    #[test]
    fn lanes_keep_the_order_a_single_heap_gives() {
        let mut q = EventQueue::new();
        let mut reference: Vec<(u64, u8, u64)> = Vec::new();
        let (mut got, mut want) = (Vec::new(), Vec::new());
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut draw = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        // More distinct delays than lanes, so some go to the heap; some delays of zero.
        let delays = [0, 3, 7, 7, 30, 100, 250, 400, 900, 5];
        let (mut now, mut order) = (0u64, 0u64);
        let mut pop_until =
            |horizon: u64, q: &mut EventQueue<u64>, reference: &mut Vec<(u64, u8, u64)>| {
                while let Some((t, e)) = q.pop_due(SimTime(horizon)) {
                    got.push((t.0, e));
                }
                while let Some(i) = (0..reference.len())
                    .filter(|&i| reference[i].0 <= horizon)
                    .min_by_key(|&i| reference[i])
                {
                    let (t, _, o) = reference.swap_remove(i);
                    want.push((t, o));
                }
            };
        for _ in 0..20_000 {
            let (at, class) = match draw(10) {
                0..=4 => {
                    let d = delays[draw(delays.len() as u64) as usize];
                    q.push_after(SimTime(now), SimDuration(d), order);
                    (now + d, 0)
                }
                5 => {
                    let at = now + draw(500);
                    q.push(SimTime(at), order);
                    (at, 0)
                }
                6 => {
                    let at = now + draw(50);
                    q.push_last(SimTime(at), order);
                    (at, 1)
                }
                _ => {
                    now += draw(20);
                    pop_until(now, &mut q, &mut reference);
                    continue;
                }
            };
            reference.push((at, class, order));
            order += 1;
        }
        pop_until(u64::MAX, &mut q, &mut reference);
        // Every lane was opened, so the delays left over went through the heap.
        assert_eq!(q.lanes.len(), MAX_LANES);
        assert!(q.is_empty() && reference.is_empty());
        assert_eq!(got.len(), order as usize);
        assert_eq!(got, want);
    }

    #[test]
    fn a_clock_run_backwards_sends_the_event_to_the_heap() {
        let mut q = EventQueue::new();
        q.push_after(SimTime(100), SimDuration(10), "late");
        q.push_after(SimTime(50), SimDuration(10), "early");
        q.retain(|_| true);
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop_due(SimTime(200)), Some((SimTime(60), "early")));
        assert_eq!(q.pop_due(SimTime(200)), Some((SimTime(110), "late")));
        assert!(q.is_empty());
    }

    #[test]
    fn pop_due_respects_the_horizon() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), ());
        assert!(q.pop_due(SimTime(9)).is_none());
        assert_eq!(q.peek_time(), Some(SimTime(10)));
        assert!(q.pop_due(SimTime(10)).is_some());
        assert!(q.is_empty());
    }
}
