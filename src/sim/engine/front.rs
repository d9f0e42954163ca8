//! Several balancers in the run (see [`crate::sim::front`]): a request reaches the balancer its
//! client addressed, or waits out TCP's SYN retransmissions while none answers; a balancer's
//! crash loses the requests it held; a VRRP backup takes the address over when its timer runs
//! out.

use super::*;
use crate::sim::front::{
    LoadView, NOT_YET, SYN_RETRIES, check_balancer, syn_backoff, vrrp::VrrpChange,
};

impl Simulation {
    /// Sets the balancers' view of load up: each its own counts, or the servers' reports from
    /// time zero on.
    pub(super) fn start_front(&mut self, view: LoadView) {
        match view {
            LoadView::Own => self.pool.separate_views(self.balancers.len()),
            LoadView::Reported { .. } => {
                self.pool.read_reports();
                self.report_load();
            }
        }
    }

    /// The servers report their load (requests in service and queued) to every balancer, and
    /// the next report is scheduled.
    pub(super) fn report_load(&mut self) {
        let Some(LoadView::Reported { every }) = self.scenario.front.as_ref().map(|f| f.view)
        else {
            return;
        };
        self.pool
            .report(self.servers.iter().map(|s| s.busy() + s.queued()));
        let token = self.timers.keep(Timer::Report);
        self.events.push(self.now + every, Step::LoadReport(token));
    }

    /// Request `id`'s connection attempt reaches the front: `true` when a balancer answers (the
    /// request is that balancer's from now on), `false` when none does and its client waits to
    /// retransmit, or, after its last retransmission, gives up.
    pub(super) fn enter_front(&mut self, id: RequestId) -> bool {
        let front = self.front.as_ref().expect("a run with several balancers");
        let request = self.requests.get_mut(id);
        if request.syns > SYN_RETRIES {
            self.drop_request(id, Outcome::BalancerDown);
            return false;
        }
        if let Some(b) = front.answering(request.via) {
            request.via = b;
            request.picker = b;
            self.metrics.received_at(b);
            return true;
        }
        // The connection it was opening never opened; once a balancer answers, the request
        // opens another (`reconnect_if_reset`).
        if let Some(conn) = request.conn {
            self.abort_connection(conn);
        }
        let request = self.requests.get_mut(id);
        request.syns += 1;
        let wait = syn_backoff(request.syns);
        request.enter(Phase::ToBalancer, self.now, self.now + wait);
        let seq = request.seq;
        self.events.push(self.now + wait, Step::SynRetry(id, seq));
        false
    }

    /// The balancer that picks request `id`'s server, given its `picker` so far (the balancer
    /// it went through, or the local one chosen at an earlier try): with a local tier, at the
    /// first try, the local balancer its regional balancer sends it to (kept for its retries: a
    /// local balancer retries within its own cluster). `None` when no local balancer is up with
    /// a server to offer (or the run has one balancer: the caller asks only with several).
    #[inline]
    pub(super) fn picker(&mut self, id: RequestId, picker: u8, key: RequestKey) -> Option<u8> {
        let front = self.front.as_mut()?;
        if front.tier().is_none() || front.is_local(picker) {
            return Some(picker);
        }
        let pool = &self.pool;
        let in_rotation = |cluster| pool.in_rotation(cluster);
        let rng = &mut self.streams.balancer;
        let servers = self.servers.len();
        let local = front.pick_local(picker, key, self.now, rng, servers, in_rotation)?;
        self.requests.get_mut(id).picker = local;
        self.metrics.received_at(local);
        Some(local)
    }

    /// The one-way delay between balancer `picker` and its servers: the scenario's, and a
    /// local balancer's hop from its regional one on top.
    #[inline]
    pub(super) fn backend_leg(&self, picker: u8) -> SimDuration {
        let hop = match &self.front {
            Some(f) if f.is_local(picker) => f.tier().map_or(SimDuration::ZERO, |t| t.hop()),
            _ => SimDuration::ZERO,
        };
        self.scenario.backend_latency + hop
    }

    /// The one-way delay between `client` and balancer `via`: the regions' matrix, or the
    /// scenario's client latency.
    #[inline]
    pub(super) fn client_leg(&self, client: u32, via: u8) -> SimDuration {
        self.front
            .as_ref()
            .and_then(|f| f.client_delay(client, via))
            .unwrap_or(self.scenario.client_latency)
    }

    /// Whether `command`, about one of several balancers, can apply to this run.
    pub(super) fn check_front(&self, command: &Command) -> Result<(), ValidationError> {
        match command.balancer() {
            Some(b) => check_balancer(self.scenario.front.as_ref(), b),
            None => Ok(()),
        }
    }

    /// Balancer `b` crashes: the requests it held are lost with it.
    pub(super) fn kill_balancer(&mut self, b: u8) {
        let front = self.front.as_mut().expect("checked");
        if !front.is_up(b) {
            return;
        }
        // The client connections it holds: those to its address, if it is the one answering
        // there (a VRRP backup holds none).
        let address = front.address_of(b);
        let held = (front.answering(address) == Some(b)).then_some(address);
        front.crash(b, self.now);
        self.lose_held(b);
        if let Some(address) = held {
            self.reset_balancer_connections(address);
        }
        self.reset_balancer_cpu(b);
        self.arm_vrrp();
    }

    /// Balancer `b` comes back (a VRRP address owner takes the address at once).
    pub(super) fn revive_balancer(&mut self, b: u8) {
        let front = self.front.as_mut().expect("checked");
        if front.is_up(b) {
            return;
        }
        if let Some(change) = front.revive(b, self.now) {
            self.vrrp_changed(change);
        }
        self.arm_vrrp();
    }

    /// The VRRP group's Master_Down_Timer ran out.
    pub(super) fn vrrp_timer(&mut self) {
        let front = self.front.as_mut().expect("a VRRP group");
        if let Some(change) = front.on_timer(self.now) {
            self.vrrp_changed(change);
        }
        self.arm_vrrp();
    }

    /// Reports a new master. A master it replaced loses its connections: the clients' packets
    /// now reach the new master, which knows nothing of them and resets them.
    fn vrrp_changed(&mut self, change: VrrpChange) {
        let VrrpChange::Master {
            router,
            gap,
            replaced,
        } = change;
        let config = self
            .front
            .as_ref()
            .and_then(FrontState::vrrp)
            .expect("a VRRP group");
        let priority = config.priorities[usize::from(router)];
        let (advert_interval, master_down_interval) = (
            config.advert_interval,
            config.master_down_interval(priority),
        );
        let lost = replaced.map_or(0, |old| self.lose_held(old));
        if replaced.is_some() {
            self.reset_balancer_connections(NOT_YET);
        }
        self.emit(Event::Vrrp(VrrpEvent {
            router,
            gap,
            replaced,
            priority,
            advert_interval,
            master_down_interval,
            lost,
        }));
    }

    /// Keeps the VRRP timer's step in the queue in line with the group's timer.
    fn arm_vrrp(&mut self) {
        match self.front.as_ref().and_then(FrontState::due) {
            Some(at) => {
                let token = self.timers.arm(Timer::Vrrp);
                self.events.push(at, Step::VrrpTimer(token));
            }
            None => self.timers.disarm(Timer::Vrrp),
        }
    }

    /// How many live requests balancer `b` holds: past it on their way in, not yet answered.
    pub(super) fn held_by(&self, b: u8) -> u32 {
        self.requests.iter().filter(|r| holds(b, r)).count() as u32
    }

    /// How many live requests each balancer holds (see [`held_by`](Self::held_by)), in one
    /// pass; empty with one balancer.
    pub fn held_per_balancer(&self) -> Vec<u32> {
        let mut held = vec![0; self.front.as_ref().map_or(0, FrontState::len)];
        for r in self.requests.iter().filter(|r| holds(r.via, r)) {
            // A local balancer holds its requests as the regional one in front of it does.
            let local = (r.picker != r.via).then_some(r.picker);
            for b in std::iter::once(r.via).chain(local) {
                if let Some(n) = held.get_mut(usize::from(b)) {
                    *n += 1;
                }
            }
        }
        held
    }

    /// The requests balancer `b` held end for their clients now: their connections are gone.
    /// Returns how many.
    fn lose_held(&mut self, b: u8) -> u32 {
        let lost: Vec<RequestId> = self
            .requests
            .with_ids()
            .filter(|(_, r)| holds(b, r))
            .map(|(id, _)| id)
            .collect();
        for &id in &lost {
            self.drop_request(id, Outcome::BalancerDown);
        }
        lost.len() as u32
    }
}

/// Whether balancer `b` holds `request`: it went through `b` (a regional or a local one), which
/// has not yet answered it.
fn holds(b: u8, request: &Request) -> bool {
    (request.via == b || request.picker == b)
        && !matches!(request.phase, Phase::ToBalancer | Phase::ToClient)
}
