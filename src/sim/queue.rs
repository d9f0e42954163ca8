//! The event queue: what happens next, in order.
//!
//! Events are ordered by time and then by the order they were scheduled in (a sequence number),
//! so two events at the same instant always run in the same order: ties never depend on the heap's
//! internals, and runs stay reproducible. Events pushed with [`EventQueue::push_last`] run after
//! every ordinary event of their instant: that is where a user's command lands when applied
//! between two frames, so a scripted replay of it lands there too.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// A min-queue of events keyed by (time, scheduling order).
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

#[derive(Clone, Debug)]
struct Entry<E> {
    time: SimTime,
    /// 0 for ordinary events, 1 for events that close their instant.
    class: u8,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    fn key(&self) -> (SimTime, u8, u64) {
        (self.time, self.class, self.seq)
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
        self.push_with_class(time, 1, event);
    }

    fn push_with_class(&mut self, time: SimTime, class: u8, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            time,
            class,
            seq,
            event,
        });
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// Removes and returns the earliest event if it is due at or before `until`.
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        if self.heap.peek()?.time > until {
            return None;
        }
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// Keeps only the events `keep` says yes to; the others are dropped. The order of those kept
    /// does not change (each keeps its time and scheduling order).
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        self.heap.retain(|entry| keep(&entry.event));
    }

    /// Number of scheduled events (including ones that will turn out stale).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
