//! The engine's side of autoscaling: measuring the metric at each evaluation, launching servers
//! (they boot, then take traffic with slow start), and taking them away (drained: no new
//! requests, the ones they have finish). What to decide is the [`Scaler`]'s.
//!
//! The servers the autoscaler runs are every server not removed: the scenario's, the ones users
//! add, and its own. A new one is a copy of the scenario's first server. Scaling in takes the
//! newest first, those still booting before the others (as a Kubernetes ReplicaSet prefers
//! pods not yet ready). A scale-out reuses the slot of a server taken away earlier once it has
//! no work left, so a run that scales out and in all day keeps a bounded list of servers.

use super::*;
use crate::sim::autoscale::{Autoscale, Direction, Metric, Observation, ScaleDecision, Scaler};
use crate::sim::events::{ReadyEvent, ScaleEvent};
use crate::sim::scenario::MAX_SERVERS;
use crate::sim::server::ServerSpec;

/// The autoscaler at work, and what it measures from.
#[derive(Clone, Debug)]
pub(super) struct Autoscaling {
    scaler: Scaler,
    /// The last evaluation (or when the autoscaler was switched on).
    last_at: SimTime,
    /// Per server at `last_at`: busy worker time (worker-microseconds) and tries routed to it.
    last: Vec<(u64, u64)>,
}

impl Autoscaling {
    /// Its settings.
    pub(super) fn config(&self) -> Autoscale {
        self.scaler.config()
    }
}

impl Simulation {
    /// Switches the autoscaler on with `config` (from nothing remembered), or off.
    pub(super) fn set_autoscale(&mut self, config: Option<Autoscale>) {
        self.timers.disarm(Timer::Autoscale);
        self.autoscaling = config.map(|config| Autoscaling {
            scaler: Scaler::new(config),
            last_at: self.now,
            last: self.usage(),
        });
        if let Some(config) = config {
            let token = self.timers.arm(Timer::Autoscale);
            self.events
                .push(self.now + config.period(), Step::Evaluate(token));
        }
    }

    /// Every server's busy worker time and tries routed so far.
    fn usage(&self) -> Vec<(u64, u64)> {
        self.servers
            .iter()
            .zip(self.metrics.servers())
            .map(|(server, stats)| (server.busy_time(self.now), stats.routed))
            .collect()
    }

    /// The autoscaler's evaluation: measure, decide, carry out, and schedule the next one.
    pub(super) fn evaluate_autoscale(&mut self) {
        let Some(mut autoscaling) = self.autoscaling.take() else {
            return;
        };
        let config = autoscaling.config();
        let usage = self.usage();
        let observation = self.observe(&config, &autoscaling, &usage);
        autoscaling.last = usage;
        autoscaling.last_at = self.now;
        let decision = autoscaling.scaler.decide(self.now, observation);
        self.autoscaling = Some(autoscaling);
        if let Some(decision) = decision {
            self.scale(decision, config);
        }
        let token = self.timers.keep(Timer::Autoscale);
        self.events
            .push(self.now + config.period(), Step::Evaluate(token));
    }

    /// What the metric is over the servers that count, from `usage` now against the last
    /// evaluation's.
    fn observe(
        &self,
        config: &Autoscale,
        autoscaling: &Autoscaling,
        usage: &[(u64, u64)],
    ) -> Observation {
        let span = self.now.saturating_since(autoscaling.last_at);
        let settle = config.settle_time();
        let (mut current, mut counted, mut total) = (0, 0, 0.0);
        for (server, &(busy, routed)) in usage.iter().enumerate() {
            if self.backends[server].removed() {
                continue;
            }
            current += 1;
            let settled = self.launched[server].is_none_or(|at| self.now - at >= settle);
            let s = &self.servers[server];
            if !s.is_alive() || self.backends[server].booting() || !settled {
                continue;
            }
            counted += 1;
            let (busy_then, routed_then) = autoscaling.last.get(server).copied().unwrap_or((0, 0));
            total += match config.metric {
                Metric::Cpu if span.0 > 0 => {
                    (busy - busy_then) as f64 / (f64::from(s.spec().workers) * span.0 as f64)
                }
                Metric::Cpu => 0.0,
                Metric::InFlight => f64::from(s.busy() + s.queued()),
                Metric::Rps if span.0 > 0 => (routed - routed_then) as f64 / span.as_secs_f64(),
                Metric::Rps => 0.0,
            };
        }
        Observation {
            measured: if counted > 0 {
                total / f64::from(counted)
            } else {
                0.0
            },
            counted,
            current,
        }
    }

    /// Carries out `decision` and reports it (a scale-out the run has no room for stops short).
    fn scale(&mut self, mut decision: ScaleDecision, config: Autoscale) {
        let count = decision.from.abs_diff(decision.to) as usize;
        let servers: Vec<u32> = match decision.direction {
            Direction::Out => (0..count)
                .map_while(|_| self.launch(&config).map(|s| s as u32))
                .collect(),
            Direction::In => {
                let victims = self.scale_in_order();
                for &server in victims.iter().take(count) {
                    self.remove_server(server);
                }
                victims.into_iter().take(count).map(|s| s as u32).collect()
            }
        };
        if servers.is_empty() {
            return;
        }
        if decision.direction == Direction::Out {
            decision.to = decision.from + servers.len() as u32;
        }
        self.emit(Event::Scale(Box::new(ScaleEvent {
            decision,
            config,
            servers,
        })));
    }

    /// The servers a scale-in takes, in order: the newest first, booting ones before the rest.
    fn scale_in_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.servers.len())
            .filter(|&s| !self.backends[s].removed())
            .collect();
        order.sort_by_key(|&s| (!self.backends[s].booting(), std::cmp::Reverse(s)));
        order
    }

    /// Launches a copy of the scenario's first server, booting from now; returns its index, or
    /// `None` when the run already has its most servers and none to reuse.
    fn launch(&mut self, config: &Autoscale) -> Option<usize> {
        let template = &self.scenario.servers[0];
        // The first server's check settings as they are now (a health-check change replaces them).
        let health = self.servers[0].spec().health;
        let spec = |name: String| ServerSpec {
            name,
            backup: false,
            down: false,
            health,
            ..template.clone()
        };
        let server = match self.reusable_slot() {
            Some(server) => {
                let name = self.servers[server].spec().name.clone();
                let spec = spec(name);
                self.pool.reset(server, spec.weight);
                self.servers[server].relaunch(spec);
                self.timers.disarm(Timer::BreakerWait(server as u32));
                server
            }
            None if self.servers.len() < MAX_SERVERS => {
                let name = self.next_server_name();
                self.add_server(spec(name));
                self.servers.len() - 1
            }
            None => return None,
        };
        // Its health checks begin once it has booted.
        self.timers.disarm(Timer::Check(server as u32));
        let check = ServerCheck::applied(health, self.resilience.health);
        self.backends[server] = Backend::launching(check, self.resilience.breaker);
        self.pool.set_available(server, false);
        self.launched[server] = Some(self.now);
        let ready = Step::Booted {
            server: server as u32,
            launched: self.now,
        };
        self.events.push(self.now + config.boot_time, ready);
        Some(server)
    }

    /// A removed server's slot with nothing left in it or on its way to it.
    fn reusable_slot(&self) -> Option<usize> {
        (0..self.servers.len()).find(|&s| {
            self.backends[s].removed()
                && self.servers[s].busy() == 0
                && self.servers[s].queued() == 0
                && self.pool.idle(s)
        })
    }

    /// A launched server has booted: it takes traffic (slow start, if configured) and its health
    /// checks begin. Stale if it was taken away (and perhaps launched again) meanwhile.
    pub(super) fn booted(&mut self, server: usize, launched: SimTime) {
        if self.launched[server] != Some(launched) || !self.backends[server].booting() {
            return;
        }
        self.backends[server].booted();
        self.pool.start_ramp(server, self.now);
        self.refresh_availability(server);
        self.start_health_check(server);
        self.emit(Event::Ready(ReadyEvent {
            server: server as u32,
            launched,
        }));
    }
}
