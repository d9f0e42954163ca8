//! Inspecting a request in the session: the request clicked on the flow canvas, or picked from
//! the latest finished ones, found again hop by hop from the run's checkpoints.

use super::state::Session;
use crate::sim::SimTime;
use crate::sim::inspect::{self, Story};

impl Session {
    /// The request being inspected.
    pub fn inspected(&self) -> Option<&Story> {
        self.inspected.as_ref()
    }

    /// Inspects request `seq` (or stops, with `None`): live, or among the finished ones the
    /// request log keeps.
    pub(super) fn inspect(&mut self, seq: Option<u64>) -> Result<(), String> {
        self.inspected = None;
        let Some(seq) = seq else {
            return Ok(());
        };
        let sent = self.sent_at(seq).ok_or_else(|| {
            format!("Request #{seq} is neither on its way nor among the latest finished requests.")
        })?;
        self.inspected = inspect::story(&self.tape, &self.sim, seq, sent);
        self.inspected
            .as_ref()
            .map(|_| ())
            .ok_or_else(|| format!("Request #{seq} cannot be found in the run's history."))
    }

    /// When request `seq` was sent, if it is live or in the request log.
    fn sent_at(&self, seq: u64) -> Option<SimTime> {
        let live = self
            .sim
            .requests()
            .find(|r| r.seq.0 == seq)
            .map(|r| r.created);
        live.or_else(|| {
            let finished = self.history.finished().iter();
            finished.rev().find(|r| r.seq == seq).map(|r| r.sent)
        })
    }
}
