//! Requests in the system and the table that holds them.
//!
//! A request lives from the moment its client sends it until the client has the answer. On the way
//! it passes through [`Phase`]s, each with a start and an end time, which is all the UI needs to draw
//! it moving. The [`RequestTable`] is a slab: slots are reused, so the steady state allocates nothing.

use super::balancer_cpu::RequestCpu;
use super::clients::Chain;
use super::connections::ConnRef;
use super::retry::MAX_TRIES;
use super::time::{SimDuration, SimTime};

/// Index of a live request in the [`RequestTable`] (slots are reused once a request is over).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestId(pub u32);

/// A request's sequence number: the order clients sent them in, never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seq(pub u64);

/// One try of a request at a server, numbered across the run: a late event that names an
/// attempt the request has moved on from is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Attempt(pub u64);

/// Where a request is on its round trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Travelling from the client to the load balancer.
    ToBalancer,
    /// Routed; travelling from the load balancer to its server.
    ToServer,
    /// Held at the load balancer by the rate limit (nginx `limit_req` without `nodelay`).
    Delayed,
    /// Waiting in the balancer's queue for a free core (when the balancer has a cost).
    WaitingForBalancer,
    /// Being parsed (and its connection accepted) by a balancer core.
    AtBalancer,
    /// Waiting in the server's queue for a free worker.
    Queued,
    /// Being served by a worker.
    InService,
    /// The answer travelling from the server back to the load balancer.
    ToBalancerBack,
    /// The answer travelling from the load balancer back to the client.
    ToClient,
}

/// How a request ended, as its client sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Served successfully.
    Success,
    /// The server answered with an error (500).
    ServerError,
    /// The chosen server was dead when the request got there (connection refused).
    ConnectionFailed,
    /// The server crashed while the request was queued or being served.
    ServerCrashed,
    /// The try took longer than the per-try timeout and no retry was left (504).
    Timeout,
    /// No server could take it: the load balancer answered at once, without trying one ("no live
    /// upstreams", 502).
    NoServer,
    /// Its tries failed and no server was left to try it on: the load balancer gave up (502).
    NoServerLeft,
    /// The server's queue was full: the server answered 503 at once.
    QueueFull,
    /// The server's circuit breaker was open: the load balancer refused the request (503).
    BreakerOpen,
    /// The client stopped waiting (its timeout passed), whatever happened to the request after.
    ClientTimeout,
    /// The balancer's rate limit refused it (nginx `limit_req`: 503 by default; Envoy: 429).
    RateLimited,
    /// The balancer it went to was down: it crashed holding the request, or never answered the
    /// client's connection attempts (see [`front`](super::front)).
    BalancerDown,
    /// Refused when sent: the run already held its maximum of requests
    /// ([`MAX_HELD`](super::engine::MAX_HELD)), a bound of the simulator, not of a balancer.
    OverCapacity,
}

impl Outcome {
    /// Whether the client got a successful answer.
    pub fn is_success(self) -> bool {
        self == Outcome::Success
    }

    /// Whether it is a refusal: no server, a full queue or an open breaker turned the try away
    /// before any work on it began.
    pub fn is_rejection(self) -> bool {
        matches!(
            self,
            Outcome::NoServer | Outcome::QueueFull | Outcome::BreakerOpen | Outcome::OverCapacity
        )
    }

    /// How a request that ended with this outcome after `tries` tries counts in the totals: it
    /// was rejected only when turned away at its first try (a refusal, and no try failed before
    /// it); once a try has failed, the request has failed, however its last try ended.
    pub fn tally(self, tries: u8) -> Tally {
        match self {
            Outcome::Success => Tally::Completed,
            Outcome::NoServer | Outcome::OverCapacity => Tally::Rejected,
            Outcome::RateLimited => Tally::RateLimited,
            o if o.is_rejection() && tries <= 1 => Tally::Rejected,
            _ => Tally::Failed,
        }
    }

    /// Whether the server (or the way to it) failed: refused, crashed or timed out. nginx counts
    /// these against a server by default and retries them (`proxy_next_upstream error timeout`).
    pub fn is_connection_failure(self) -> bool {
        matches!(
            self,
            Outcome::ConnectionFailed | Outcome::ServerCrashed | Outcome::Timeout
        )
    }

    /// A stable identifier for files (the request log).
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::ServerError => "server_error",
            Outcome::ConnectionFailed => "connection_failed",
            Outcome::ServerCrashed => "server_crashed",
            Outcome::Timeout => "timeout",
            Outcome::NoServer => "no_server",
            Outcome::NoServerLeft => "no_server_left",
            Outcome::QueueFull => "queue_full",
            Outcome::BreakerOpen => "breaker_open",
            Outcome::ClientTimeout => "client_timeout",
            Outcome::OverCapacity => "over_capacity",
            Outcome::RateLimited => "rate_limited",
            Outcome::BalancerDown => "balancer_down",
        }
    }

    /// A short label for logs and tooltips.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Success => "served",
            Outcome::ServerError => "server error (500)",
            Outcome::ConnectionFailed => "connection refused",
            Outcome::ServerCrashed => "server crashed",
            Outcome::Timeout => "timed out (504)",
            Outcome::NoServer => "no live server (502)",
            Outcome::NoServerLeft => "no server left to retry on (502)",
            Outcome::QueueFull => "queue full (503)",
            Outcome::BreakerOpen => "refused by circuit breaker (503)",
            Outcome::ClientTimeout => "client gave up",
            Outcome::OverCapacity => "refused: the run holds its maximum of requests",
            Outcome::RateLimited => "refused by the rate limit",
            Outcome::BalancerDown => "lost: its balancer was down",
        }
    }
}

/// How a finished request counts in the totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tally {
    /// Answered successfully.
    Completed,
    /// Tried and failed (an error, a crash, a timeout, a client that gave up, or a refusal after
    /// a failed try).
    Failed,
    /// Turned away at its first try, before any work on it began.
    Rejected,
    /// Refused by the balancer's rate limit.
    RateLimited,
}

/// One request and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Sequence number: the n-th request generated in this run (0-based).
    pub seq: Seq,
    /// The client that sent it.
    pub client: u32,
    /// Work it carries, in full-speed worker time.
    pub cost: SimDuration,
    /// Its path: an index into the cost distribution's classes (see `CostDistribution::path`).
    pub path: u8,
    /// When the client sent it.
    pub created: SimTime,
    /// The server the load balancer chose, once it has chosen.
    pub server: Option<u32>,
    /// When the load balancer sent it to that server.
    pub dispatched: SimTime,
    /// Tries so far (the first included).
    pub tries: u8,
    /// The servers tried, in order (the first `tries` entries).
    pub tried: [u32; MAX_TRIES as usize],
    /// The balancer it went through (0 with a single balancer; [`NOT_YET`](super::front::NOT_YET)
    /// while it is on its way to a VRRP group's address).
    pub via: u8,
    /// The balancer that picks its server and counts it at that server: `via`, or in
    /// hierarchical balancing the local balancer `via` sends it to.
    pub picker: u8,
    /// Its client's unanswered connection attempts (SYNs) to a balancer that was down.
    pub syns: u8,
    /// The current try's tag: events of an abandoned try carry an older one.
    pub attempt: Attempt,
    /// The server's circuit-breaker epoch when this try was let through.
    pub breaker_epoch: u32,
    /// Where it is now.
    pub phase: Phase,
    /// When the current phase began.
    pub phase_start: SimTime,
    /// When the current phase is due to end (equal to the start for open-ended phases like `Queued`).
    pub phase_end: SimTime,
    /// How it ended, once that is known (it may still be travelling back to the client).
    pub outcome: Option<Outcome>,
    /// Which of its client's attempts it is, and the closed-loop user waiting for it.
    pub chain: Chain,
    /// The client connection it goes on (when the scenario has connections).
    pub conn: Option<ConnRef>,
    /// Its current try was sent by a layer-4 balancer, which counts the connection, not the
    /// try, on its server.
    pub per_connection: bool,
    /// The CPU it costs the balancer, and what it adds to its server's work.
    pub cpu: RequestCpu,
}

impl Request {
    /// Moves the request into `phase` for the span `start..end`.
    pub fn enter(&mut self, phase: Phase, start: SimTime, end: SimTime) {
        self.phase = phase;
        self.phase_start = start;
        self.phase_end = end;
    }

    /// Whether its client is waiting to retransmit a SYN that a down balancer left unanswered
    /// (the wait is the TCP backoff; the retransmission itself is not drawn as a journey).
    pub fn resending_syn(&self) -> bool {
        self.phase == Phase::ToBalancer && self.syns > 0
    }

    /// How far through its current phase the request is at `now`, from 0 to 1.
    pub fn progress(&self, now: SimTime) -> f64 {
        let span = self.phase_end.0.saturating_sub(self.phase_start.0);
        if span == 0 {
            return 1.0;
        }
        (now.0.saturating_sub(self.phase_start.0) as f64 / span as f64).min(1.0)
    }
}

/// A slab of live requests: insert gives a [`RequestId`], remove frees the slot for reuse.
#[derive(Clone, Debug, Default)]
pub struct RequestTable {
    slots: Vec<Option<Request>>,
    free: Vec<u32>,
    live: usize,
}

impl RequestTable {
    /// Stores `request` and returns its id.
    pub fn insert(&mut self, request: Request) -> RequestId {
        self.live += 1;
        if let Some(index) = self.free.pop() {
            self.slots[index as usize] = Some(request);
            RequestId(index)
        } else {
            self.slots.push(Some(request));
            RequestId(self.slots.len() as u32 - 1)
        }
    }

    /// The live request `id`. Panics on a freed id: that is an engine bug, not an input error.
    pub fn get(&self, id: RequestId) -> &Request {
        self.slots[id.0 as usize]
            .as_ref()
            .expect("request id is live")
    }

    /// The live request `id`, if it is still live and on try `attempt`.
    pub fn current(&self, id: RequestId, attempt: Attempt) -> Option<&Request> {
        self.slots
            .get(id.0 as usize)?
            .as_ref()
            .filter(|r| r.attempt == attempt)
    }

    /// Whether request `id` is still the live request number `seq` (slots are reused).
    pub fn live(&self, id: RequestId, seq: Seq) -> bool {
        self.slots
            .get(id.0 as usize)
            .and_then(Option::as_ref)
            .is_some_and(|r| r.seq == seq)
    }

    /// The live request with sequence number `seq`, if there is one (a scan of the table).
    pub fn find(&self, seq: Seq) -> Option<RequestId> {
        let slot = self
            .slots
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| r.seq == seq))?;
        Some(RequestId(slot as u32))
    }

    /// The live request `id` if it is still request `seq`.
    pub fn lookup(&self, id: RequestId, seq: Seq) -> Option<&Request> {
        self.slots
            .get(id.0 as usize)
            .and_then(Option::as_ref)
            .filter(|r| r.seq == seq)
    }

    /// The live request `id`, mutably.
    pub fn get_mut(&mut self, id: RequestId) -> &mut Request {
        self.slots[id.0 as usize]
            .as_mut()
            .expect("request id is live")
    }

    /// Removes request `id` and returns it.
    pub fn remove(&mut self, id: RequestId) -> Request {
        let request = self.slots[id.0 as usize]
            .take()
            .expect("request id is live");
        self.free.push(id.0);
        self.live -= 1;
        request
    }

    /// Number of live requests.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when no request is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Every live request, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &Request> {
        self.slots.iter().flatten()
    }

    /// Every live request with its id, in slot order.
    pub fn with_ids(&self) -> impl Iterator<Item = (RequestId, &Request)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((RequestId(i as u32), r.as_ref()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(seq: u64) -> Request {
        Request {
            seq: Seq(seq),
            client: 0,
            cost: SimDuration(1),
            path: 0,
            created: SimTime(0),
            server: None,
            dispatched: SimTime(0),
            tries: 0,
            tried: [0; MAX_TRIES as usize],
            via: 0,
            picker: 0,
            syns: 0,
            attempt: Attempt(0),
            breaker_epoch: 0,
            phase: Phase::ToBalancer,
            phase_start: SimTime(10),
            phase_end: SimTime(20),
            outcome: None,
            chain: Chain::default(),
            conn: None,
            per_connection: false,
            cpu: RequestCpu::default(),
        }
    }

    #[test]
    fn slots_are_reused() {
        let mut table = RequestTable::default();
        let a = table.insert(request(0));
        let b = table.insert(request(1));
        assert_eq!(table.remove(a).seq, Seq(0));
        let c = table.insert(request(2));
        assert_eq!(c, a);
        assert_eq!(table.len(), 2);
        assert_eq!(table.get(b).seq, Seq(1));
        let seqs: Vec<u64> = table.iter().map(|r| r.seq.0).collect();
        assert_eq!(seqs, [2, 1]);
    }

    #[test]
    fn progress_runs_from_zero_to_one() {
        let r = request(0);
        assert_eq!(r.progress(SimTime(10)), 0.0);
        assert_eq!(r.progress(SimTime(15)), 0.5);
        assert_eq!(r.progress(SimTime(99)), 1.0);
    }
}
