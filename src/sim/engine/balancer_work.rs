//! The balancer's own CPU in the run (see [`crate::sim::balancer_cpu`]): a request with balancer
//! work waits for one of the balancer's cores before it is admitted and routed. Without a
//! balancer cost, or for a request that costs it nothing, the request goes straight on: one
//! branch, no queue.

use super::*;
use crate::sim::balancer_cpu::{Handshakes, RequestCpu, TlsMode};

/// What the balancer's cores have done, for the report and the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BalancerLoad {
    /// Its cores.
    pub workers: u32,
    /// Cores busy now.
    pub busy: u32,
    /// Requests waiting for a core now (live ones).
    pub queued: u64,
    /// Requests whose balancer work is done.
    pub handled: u64,
    /// Core time spent busy so far, in core-microseconds.
    pub busy_time: u64,
    /// TLS handshakes so far, by kind.
    pub handshakes: Handshakes,
    /// Who does the handshakes, under TLS.
    pub tls: Option<TlsMode>,
}

impl BalancerLoad {
    /// The share of core time busy from the start until `now`, 0 to 1.
    pub fn utilisation(&self, now: SimTime) -> f64 {
        let capacity = now.0 as f64 * f64::from(self.workers);
        if capacity == 0.0 {
            return 0.0;
        }
        self.busy_time as f64 / capacity
    }

    /// Mean core time per request handled, in milliseconds.
    pub fn cpu_per_request_ms(&self) -> f64 {
        if self.handled == 0 {
            return 0.0;
        }
        self.busy_time as f64 / self.handled as f64 / 1_000.0
    }
}

impl Simulation {
    /// What a request sent now costs (the balancer's share and its server's); `opens`: it opens
    /// a new connection.
    pub(super) fn request_cpu(&mut self, opens: bool) -> RequestCpu {
        let Some(cpu) = &mut self.balancer_cpu else {
            return RequestCpu::default();
        };
        let layer7 = self.layer == Layer::L7;
        let rng = &mut self.streams.tls;
        cpu.request_cpu(opens, layer7, |share| share > 0.0 && rng.chance(share))
    }

    /// Request `id` reaches the balancer: with balancer work it takes a free core or waits for
    /// one; without, it is admitted at once.
    pub(super) fn reach_balancer(&mut self, id: RequestId) {
        if self.front.is_some() && !self.enter_front(id) {
            return;
        }
        let work = self.requests.get(id).cpu.balancer;
        if work.is_zero() || self.balancer_cpu.is_none() {
            return self.admit(id);
        }
        // A tag of its own, so a reused slot's request is never taken for this one.
        let attempt = self.new_attempt();
        self.requests.get_mut(id).attempt = attempt;
        let job = Job {
            request: id,
            attempt,
            work,
            error: false,
        };
        let cpu = self.balancer_cpu.as_mut().expect("checked above");
        match cpu.cores.arrive(job, self.now) {
            Arrival::Started(c) => self.start_balancer_work(c),
            Arrival::Queued => {
                cpu.live_queued += 1;
                self.requests
                    .get_mut(id)
                    .enter(Phase::WaitingForBalancer, self.now, self.now);
            }
            Arrival::QueueFull | Arrival::Refused => {
                unreachable!("the balancer's queue is unbounded and its cores never die")
            }
        }
    }

    /// A balancer core took a request's work: schedule its end.
    fn start_balancer_work(&mut self, c: Completion) {
        if let Some(request) = self.requests.current(c.job.request, c.job.attempt) {
            if request.phase == Phase::WaitingForBalancer {
                self.balancer_left_queue();
            }
            self.requests
                .get_mut(c.job.request)
                .enter(Phase::AtBalancer, self.now, c.at);
        }
        self.events.push(
            c.at,
            Step::BalancerDone {
                slot: c.slot,
                epoch: c.epoch,
            },
        );
    }

    /// A balancer core is done: the next request in its queue takes it, and the finished one,
    /// if its client still waits, is admitted.
    pub(super) fn balancer_done(&mut self, slot: u32, epoch: u32) {
        let cpu = self.balancer_cpu.as_mut().expect("balancer work has cores");
        let Some((done, next)) = cpu.cores.complete(slot, epoch, self.now) else {
            return;
        };
        cpu.handled += 1;
        if let Some(c) = next {
            self.start_balancer_work(c);
        }
        if self.requests.current(done.request, done.attempt).is_some() {
            self.admit(done.request);
        }
    }

    /// A live request left the balancer's queue (a core took it, or its client gave up).
    pub(super) fn balancer_left_queue(&mut self) {
        if let Some(cpu) = &mut self.balancer_cpu {
            cpu.live_queued -= 1;
        }
    }

    /// Jobs in the balancer's queue whose clients gave up (they still hold memory).
    pub(super) fn balancer_abandoned(&self) -> usize {
        self.balancer_cpu.as_ref().map_or(0, |cpu| {
            cpu.cores.queued() as usize - cpu.live_queued as usize
        })
    }

    /// Whether the TLS mode may change: the balancer has TLS.
    pub(super) fn check_tls(&self) -> Result<(), ValidationError> {
        crate::sim::balancer_cpu::check_tls(self.balancer_cpu.as_ref().map(|cpu| cpu.cost))
    }

    /// Who does the TLS handshakes from the next new connection on (checked).
    pub(super) fn set_tls(&mut self, mode: TlsMode) {
        if let Some(tls) = self
            .balancer_cpu
            .as_mut()
            .and_then(|cpu| cpu.cost.tls.as_mut())
        {
            tls.mode = mode;
        }
    }

    /// Who does the TLS handshakes now, under TLS.
    pub fn tls_mode(&self) -> Option<TlsMode> {
        self.balancer_cpu.as_ref()?.cost.tls.map(|tls| tls.mode)
    }

    /// What the balancer's cores have done, when the balancer has a cost.
    pub fn balancer_load(&self) -> Option<BalancerLoad> {
        let cpu = self.balancer_cpu.as_ref()?;
        Some(BalancerLoad {
            workers: cpu.cost.workers,
            busy: cpu.cores.busy(),
            queued: cpu.live_queued,
            handled: cpu.handled,
            busy_time: cpu.cores.busy_time(self.now),
            handshakes: cpu.handshakes,
            tls: cpu.cost.tls.map(|t| t.mode),
        })
    }
}
