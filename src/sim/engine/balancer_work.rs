//! The balancer's own CPU in the run (see [`crate::sim::balancer_cpu`]): a request with balancer
//! work waits for one of its balancer's cores before it is admitted and routed (with several
//! balancers, the cores of the one its client reached). Without a balancer cost, or for a
//! request that costs it nothing, the request goes straight on: one branch, no queue.

use super::*;
use crate::sim::balancer_cpu::{Handshakes, RequestCpu, TlsMode};

/// What a balancer's cores have done (or all balancers' together), for the report and the page.
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
        let Some(tier) = &mut self.balancer_cpu else {
            return RequestCpu::default();
        };
        let layer7 = self.layer == Layer::L7;
        let rng = &mut self.streams.tls;
        tier.request_cpu(opens, layer7, |share| share > 0.0 && rng.chance(share))
    }

    /// The balancer whose cores work on request `id`: the one its client reached.
    pub(super) fn cpu_of(&self, id: RequestId) -> usize {
        match self.front {
            Some(_) => usize::from(self.requests.get(id).via),
            None => 0,
        }
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
        let b = self.cpu_of(id);
        let tier = self.balancer_cpu.as_mut().expect("checked above");
        let cpu = &mut tier.cpus[b];
        match cpu.cores.arrive(job, self.now) {
            Arrival::Started(c) => self.start_balancer_work(b, c),
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

    /// A core of balancer `b` took a request's work: schedule its end.
    fn start_balancer_work(&mut self, b: usize, c: Completion) {
        if let Some(request) = self.requests.current(c.job.request, c.job.attempt) {
            if request.phase == Phase::WaitingForBalancer {
                self.balancer_left_queue(b);
            }
            self.requests
                .get_mut(c.job.request)
                .enter(Phase::AtBalancer, self.now, c.at);
        }
        self.events.push(
            c.at,
            Step::BalancerDone {
                balancer: b as u8,
                slot: c.slot,
                epoch: c.epoch,
            },
        );
    }

    /// A core of balancer `b` is done: the next request in its queue takes it, and the
    /// finished one, if its client still waits, is admitted.
    pub(super) fn balancer_done(&mut self, b: u8, slot: u32, epoch: u32) {
        let b = usize::from(b);
        let tier = self.balancer_cpu.as_mut().expect("balancer work has cores");
        let cpu = &mut tier.cpus[b];
        let Some((done, next)) = cpu.cores.complete(slot, epoch, self.now) else {
            return;
        };
        cpu.handled += 1;
        if let Some(c) = next {
            self.start_balancer_work(b, c);
        }
        if self.requests.current(done.request, done.attempt).is_some() {
            self.admit(done.request);
        }
    }

    /// A live request left balancer `b`'s queue (a core took it, or its client gave up).
    pub(super) fn balancer_left_queue(&mut self, b: usize) {
        if let Some(tier) = &mut self.balancer_cpu {
            tier.cpus[b].live_queued -= 1;
        }
    }

    /// Balancer `b` crashed: what its cores were doing and what waited for them is gone (the
    /// requests themselves were lost with it); it comes back with idle cores.
    pub(super) fn reset_balancer_cpu(&mut self, b: u8) {
        if let Some(cpu) = self
            .balancer_cpu
            .as_mut()
            .and_then(|tier| tier.cpus.get_mut(usize::from(b)))
        {
            cpu.cores.kill(&mut Vec::new(), self.now);
            cpu.cores.revive(self.now);
            cpu.live_queued = 0;
        }
    }

    /// Jobs in the balancers' queues whose clients gave up (they still hold memory).
    pub(super) fn balancer_abandoned(&self) -> usize {
        self.balancer_cpu.as_ref().map_or(0, |tier| {
            tier.cpus
                .iter()
                .map(|cpu| cpu.cores.queued() as usize - cpu.live_queued as usize)
                .sum()
        })
    }

    /// Whether the TLS mode may change: the balancer has TLS.
    pub(super) fn check_tls(&self) -> Result<(), ValidationError> {
        crate::sim::balancer_cpu::check_tls(self.balancer_cpu.as_ref().map(|tier| tier.cost))
    }

    /// Who does the TLS handshakes from the next new connection on (checked).
    pub(super) fn set_tls(&mut self, mode: TlsMode) {
        if let Some(tls) = self
            .balancer_cpu
            .as_mut()
            .and_then(|tier| tier.cost.tls.as_mut())
        {
            tls.mode = mode;
        }
    }

    /// Who does the TLS handshakes now, under TLS.
    pub fn tls_mode(&self) -> Option<TlsMode> {
        self.balancer_cpu.as_ref()?.cost.tls.map(|tls| tls.mode)
    }

    /// What the balancers' cores have done, all together, when the balancer has a cost (with
    /// one balancer, its own).
    pub fn balancer_load(&self) -> Option<BalancerLoad> {
        let tier = self.balancer_cpu.as_ref()?;
        Some(BalancerLoad {
            workers: tier.workers(),
            busy: tier.cpus.iter().map(|cpu| cpu.cores.busy()).sum(),
            queued: tier.live_queued(),
            handled: tier.cpus.iter().map(|cpu| cpu.handled).sum(),
            busy_time: tier.busy_time(self.now),
            handshakes: tier.handshakes,
            tls: tier.cost.tls.map(|t| t.mode),
        })
    }

    /// What balancer `b`'s cores have done, when the balancer has a cost (the handshakes are
    /// counted for all balancers together: see [`balancer_load`](Self::balancer_load)).
    pub fn balancer_load_of(&self, b: u8) -> Option<BalancerLoad> {
        let tier = self.balancer_cpu.as_ref()?;
        let cpu = tier.cpus.get(usize::from(b))?;
        Some(BalancerLoad {
            workers: tier.cost.workers,
            busy: cpu.cores.busy(),
            queued: cpu.live_queued,
            handled: cpu.handled,
            busy_time: cpu.cores.busy_time(self.now),
            handshakes: Handshakes::default(),
            tls: tier.cost.tls.map(|t| t.mode),
        })
    }
}
