//! The clients' side of a request's life: a failed request retried after its backoff (within
//! the retry budget), and closed-loop users who think between an answer and their next request.
//! A client retry is sent as a new request (see `sim::clients`), so the balancer's side of the
//! engine does not know it from a first send.

use super::*;
use crate::sim::clients::{ClientRetry, ClosedLoop, Throttle, retryable};

/// A client retry waiting out its backoff.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    client: u32,
    cost: SimDuration,
    path: u8,
    chain: Chain,
}

/// What the clients remember between requests.
#[derive(Clone, Debug, Default)]
pub(super) struct ClientState {
    /// gRPC retry throttling, when the client retry policy has a budget.
    throttle: Option<Throttle>,
    /// Retries waiting out their backoff, by slot (slots are reused).
    waiting: Vec<Option<Waiting>>,
    free: Vec<u32>,
    count: usize,
    /// The closed-loop configuration's number: a change starts a new generation of users.
    generation: u32,
    /// Whether the run has had client retries or closed-loop users (then every finished request
    /// is looked at on the clients' side, and the report has a `clients` section).
    seen: bool,
}

impl ClientState {
    pub(super) fn new(traffic: &Traffic) -> ClientState {
        ClientState {
            throttle: traffic
                .client_retry
                .and_then(|r| r.budget)
                .map(Throttle::new),
            ..ClientState::default()
        }
    }

    /// Retries waiting out their backoff.
    pub(super) fn waiting(&self) -> usize {
        self.count
    }

    /// Whether the clients do anything once a request is over.
    pub(super) fn active(&self) -> bool {
        self.seen
    }

    pub(super) fn generation(&self) -> u32 {
        self.generation
    }

    fn hold(&mut self, waiting: Waiting) -> u32 {
        self.count += 1;
        match self.free.pop() {
            Some(slot) => {
                self.waiting[slot as usize] = Some(waiting);
                slot
            }
            None => {
                self.waiting.push(Some(waiting));
                self.waiting.len() as u32 - 1
            }
        }
    }

    fn take(&mut self, slot: u32) -> Waiting {
        self.count -= 1;
        self.free.push(slot);
        self.waiting[slot as usize]
            .take()
            .expect("a client retry is sent once")
    }
}

impl Simulation {
    /// The client retries waiting out their backoff.
    pub fn client_retries_waiting(&self) -> u64 {
        self.clients.waiting() as u64
    }

    /// The client retry budget's tokens now, in thousandths, and its size in tokens; `None`
    /// without a budget.
    pub fn client_retry_tokens(&self) -> Option<(u64, u32)> {
        self.clients
            .throttle
            .map(|t| (t.milli_tokens(), t.config().max_tokens))
    }

    /// Whether the run has had client retries or closed-loop users at any time.
    pub fn clients_seen(&self) -> bool {
        self.clients.seen
    }

    /// `request` is over for its client with `outcome`: the retry budget learns how the attempt
    /// went; a failure is retried after its backoff if the policy, the attempt count and the
    /// budget allow; otherwise a closed-loop user waiting for it starts thinking.
    pub(super) fn client_after(&mut self, request: &Request, outcome: Outcome) {
        let chain = request.chain;
        if let Some(retry) = self.traffic.client_retry
            && let Some(sleep) = self.client_retry_sleep(&retry, chain, outcome)
        {
            let next = Chain {
                attempt: chain.attempt + 1,
                slept: sleep,
                user: chain.user,
            };
            let slot = self.clients.hold(Waiting {
                client: request.client,
                cost: request.cost,
                path: request.path,
                chain: next,
            });
            self.events.push(self.now + sleep, Step::ClientRetry(slot));
            return;
        }
        if let Some(user) = chain.user {
            self.user_thinks(user);
        }
    }

    /// The backoff before retrying an attempt that ended with `outcome`, or `None` when it is
    /// not retried. Every retryable attempt's end is counted by the budget first (grpc-core
    /// records the failure before it checks the attempts left).
    fn client_retry_sleep(
        &mut self,
        retry: &ClientRetry,
        chain: Chain,
        outcome: Outcome,
    ) -> Option<SimDuration> {
        if outcome.is_success() {
            if let Some(t) = &mut self.clients.throttle {
                t.record_success();
            }
            return None;
        }
        if !retryable(outcome) {
            return None;
        }
        let budget_ok = self
            .clients
            .throttle
            .as_mut()
            .is_none_or(Throttle::record_failure);
        let attempts_left = u32::from(chain.attempt) + 1 < retry.max_attempts;
        (budget_ok && attempts_left).then(|| {
            retry.backoff.sleep(
                u32::from(chain.attempt),
                chain.slept,
                &mut self.streams.backoff,
            )
        })
    }

    /// A client retry's backoff is over: it is sent, a new request.
    pub(super) fn send_client_retry(&mut self, slot: u32) {
        let w = self.clients.take(slot);
        self.metrics.record_client_retry();
        self.send(w.client, w.cost, w.path, w.chain);
    }

    /// Starts a new generation of closed-loop users, if there are any: each thinks first, so
    /// they do not all send at the same instant.
    pub(super) fn start_users(&mut self) {
        self.clients.generation += 1;
        let Some(closed) = self.traffic.closed_loop else {
            return;
        };
        let generation = self.clients.generation;
        for index in 0..closed.users {
            self.user_thinks(User { index, generation });
        }
    }

    /// The closed-loop users' settings, if `user` is still one of them (its generation is the
    /// current one and there are still that many users).
    fn current_users(&self, user: User) -> Option<ClosedLoop> {
        self.traffic
            .closed_loop
            .filter(|c| user.generation == self.clients.generation && user.index < c.users)
    }

    /// `user` thinks, then sends again (unless its generation of users has been replaced).
    fn user_thinks(&mut self, user: User) {
        let Some(closed) = self.current_users(user) else {
            return;
        };
        let mean = closed.think_time.0 as f64;
        let think = SimDuration::from_micros_f64(self.streams.users.exponential(mean));
        let step = Step::UserSends {
            user: user.index,
            generation: user.generation,
        };
        self.events.push(self.now + think.max(SimDuration(1)), step);
    }

    /// A closed-loop user sends its next request (its first attempt at it).
    pub(super) fn user_sends(&mut self, user: User) {
        if self.current_users(user).is_none() {
            return;
        }
        let client = user.index % self.traffic.clients;
        let (cost, path) = self.traffic.cost.sample(&mut self.streams.users);
        let chain = Chain {
            user: Some(user),
            ..Chain::default()
        };
        self.send(client, cost, path, chain);
    }

    /// Changes the clients' retry policy; a budget keeps its fill, scaled to its new size.
    pub(super) fn set_client_retry(&mut self, retry: Option<ClientRetry>) {
        self.traffic.client_retry = retry;
        self.clients.throttle =
            retry
                .and_then(|r| r.budget)
                .map(|b| match &self.clients.throttle {
                    Some(old) => Throttle::replacing(old, b),
                    None => Throttle::new(b),
                });
        self.see_clients(retry.is_some());
    }

    /// Notes that the run has client retries or users, if `seen`: from then on every finished
    /// request is looked at on the clients' side and how long they waited for it is measured.
    pub(super) fn see_clients(&mut self, seen: bool) {
        if seen {
            self.clients.seen = true;
            self.metrics.track_any_answer();
        }
    }

    /// Replaces the closed-loop users: the old ones stop once their requests are over, the new
    /// ones start thinking now.
    pub(super) fn set_closed_loop(&mut self, closed: Option<ClosedLoop>) {
        self.traffic.closed_loop = closed;
        self.see_clients(closed.is_some());
        self.start_users();
    }
}
