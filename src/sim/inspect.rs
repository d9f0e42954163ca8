//! Inspecting one request: its whole way through the system, hop by hop.
//!
//! The engine keeps no per-request history (a million requests would cost a million of them).
//! A request's story is found again when asked for: the run is taken back to just before the
//! request was sent ([`Tape::seek`]) and played on one event at a time, and every change of the
//! request's phase, try or server is written down, until it finishes or the run's history ends.
//! The run is deterministic, so this is exactly what happened to it.

use super::engine::{Simulation, TraceRecord};
use super::request::{Phase, Request, Seq};
use super::tape::Tape;
use super::time::SimTime;

/// One stretch of a request's way: a phase, on one try and server, from `start` to `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hop {
    /// Where it was.
    pub phase: Phase,
    /// Which try (1 for the first).
    pub try_number: u8,
    /// The server of the try, once chosen.
    pub server: Option<u32>,
    /// When the stretch began.
    pub start: SimTime,
    /// When it ended (when the next began; for the last, when the request finished, or when
    /// it is due to end if the history stops first).
    pub end: SimTime,
}

/// A request's way, hop by hop, and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    /// Its sequence number.
    pub seq: u64,
    /// The client that sent it.
    pub client: u32,
    /// When it was sent.
    pub sent: SimTime,
    /// Its hops, in order.
    pub hops: Vec<Hop>,
    /// How it ended, if it did within the run's history.
    pub finished: Option<TraceRecord>,
}

impl Story {
    /// The servers it was tried on, in order.
    pub fn servers(&self) -> Vec<u32> {
        let mut tried: Vec<u32> = Vec::new();
        for hop in &self.hops {
            if let Some(server) = hop.server
                && tried.last() != Some(&server)
            {
                tried.push(server);
            }
        }
        tried
    }
}

/// The hop a request is on now.
fn hop_of(request: &Request) -> Hop {
    Hop {
        phase: request.phase,
        try_number: request.tries.max(1),
        server: request.server,
        start: request.phase_start,
        end: request.phase_end,
    }
}

/// The story of request `seq`, sent at `sent`, in the history `head` is on (whose checkpoints
/// `tape` keeps); `None` if no such request was sent then.
pub fn story(tape: &Tape, head: &Simulation, seq: u64, sent: SimTime) -> Option<Story> {
    let limit = tape.reach();
    let mut sim = tape.seek(head, SimTime(sent.0.saturating_sub(1)));
    sim.keep_finished(true);
    let target = Seq(seq);
    let mut found = None;
    let mut hops: Vec<Hop> = Vec::new();
    loop {
        let reached = sim.advance_within(limit, 1);
        sim.drain_events().for_each(drop);
        while let Some(record) = sim.poll_finished() {
            if record.seq == seq {
                let client = record.client;
                if let Some(last) = hops.last_mut() {
                    last.end = record.sent + record.latency;
                }
                return Some(Story {
                    seq,
                    client,
                    sent: record.sent,
                    hops,
                    finished: Some(record),
                });
            }
        }
        let id = found.or_else(|| sim.find_request(target));
        if let Some(request) = id.and_then(|id| sim.request(id, target)) {
            found = id;
            let hop = hop_of(request);
            match hops.last_mut() {
                Some(last)
                    if (last.phase, last.try_number, last.server)
                        == (hop.phase, hop.try_number, hop.server) =>
                {
                    last.end = hop.end;
                }
                Some(last) => {
                    last.end = hop.start;
                    hops.push(hop);
                }
                None => hops.push(hop),
            }
        }
        if found.is_none() && sim.now() > sent {
            return None; // no request `seq` was sent at `sent`
        }
        if reached {
            // The history ends with the request still on its way.
            let request = found.and_then(|id| sim.request(id, target))?;
            return Some(Story {
                seq,
                client: request.client,
                sent: request.created,
                hops,
                finished: None,
            });
        }
    }
}
