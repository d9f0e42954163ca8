//! The balancer's own CPU: what parsing, accepting connections and TLS cost it.
//!
//! Without [`BalancerCost`] the balancer is free, as in the rest of the model: a request is routed
//! the instant it arrives. With it, the balancer is a machine with `workers` cores in front of the
//! servers, a FIFO queue like a server's (it is one, [`Server`]): each request costs it
//! `per_request` (parsing HTTP, which only a layer-7 balancer does), the first request of a new
//! client connection also `per_connection` (accepting it) and, when the balancer terminates TLS,
//! the handshake: `full_handshake` or, for the share `resumption` of new connections that resume
//! a TLS session, `resumed_handshake`. A request waits for a free core before it is routed, so
//! with per-request cost c on k cores at λ requests per second the balancer is busy λc/k of the
//! time, and past λc/k = 1 its queue grows without end while the servers sit idle: the balancer is
//! the bottleneck. With several balancers (`scenario.front`) each has cores of its own with
//! these settings and works only on the requests that reach it, so adding balancers behind DNS
//! round robin divides the load on each: the tier scales out where one machine could not.
//!
//! [`TlsMode`] says who pays the handshake. `terminate`: the balancer (and the servers see plain
//! HTTP); `passthrough`: the server that takes a new connection's first request (the balancer
//! forwards encrypted bytes, as a layer-4 balancer does); `reencrypt`: both (the balancer
//! terminates and opens TLS to the server again, one upstream handshake per client connection in
//! this model). So switching passthrough to terminate moves handshake × (new connections per
//! request) of CPU per request from the servers to the balancer. Without `scenario.connections`
//! every request comes on a connection of its own.

use super::scenario::server;
use super::server::Server;
use super::time::{SimDuration, SimTime};
use super::validation::{ValidationError, check_duration, check_range};

/// The most cores a balancer may have.
pub const MAX_BALANCER_WORKERS: u32 = 1_000;

/// Who does a new connection's TLS handshake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// The balancer decrypts (SSL termination); the servers see plain HTTP.
    #[default]
    Terminate,
    /// The balancer passes the encrypted bytes on; the server does the handshake.
    Passthrough,
    /// The balancer decrypts and encrypts again to the server: both do a handshake.
    Reencrypt,
}

impl TlsMode {
    /// Every mode, in menu order.
    pub const ALL: [TlsMode; 3] = [TlsMode::Terminate, TlsMode::Passthrough, TlsMode::Reencrypt];

    /// Its name in files.
    pub fn id(self) -> &'static str {
        match self {
            TlsMode::Terminate => "terminate",
            TlsMode::Passthrough => "passthrough",
            TlsMode::Reencrypt => "reencrypt",
        }
    }

    /// Its name with what it means.
    pub fn describe(self) -> &'static str {
        match self {
            TlsMode::Terminate => "TLS terminated at the balancer (the servers see plain HTTP)",
            TlsMode::Passthrough => "TLS passed through to the servers (they do the handshakes)",
            TlsMode::Reencrypt => {
                "TLS terminated and re-encrypted to the servers (both do handshakes)"
            }
        }
    }

    /// Whether the balancer pays the handshake.
    pub fn balancer_pays(self) -> bool {
        self != TlsMode::Passthrough
    }

    /// Whether the server pays the handshake.
    pub fn server_pays(self) -> bool {
        self != TlsMode::Terminate
    }
}

/// TLS on the clients' connections (`scenario.balancer.tls`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tls {
    /// Who does the handshakes.
    pub mode: TlsMode,
    /// CPU time of a full handshake (an RSA-2048 or ECDHE key exchange: about a millisecond).
    pub full_handshake: SimDuration,
    /// CPU time of a resumed handshake (a session ticket: no key exchange).
    pub resumed_handshake: SimDuration,
    /// The share of new connections that resume a session, 0 to 1.
    pub resumption: f64,
}

impl Default for Tls {
    fn default() -> Self {
        Tls {
            mode: TlsMode::Terminate,
            full_handshake: SimDuration::from_millis(2),
            resumed_handshake: SimDuration::from_micros(200),
            resumption: 0.0,
        }
    }
}

/// The balancer's CPU (`scenario.balancer`); absent, the balancer costs nothing.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BalancerCost {
    /// Its cores: requests (and handshakes) handled at once.
    pub workers: u32,
    /// CPU time to parse one request (layer 7 only: a layer-4 balancer does not read them).
    pub per_request: SimDuration,
    /// CPU time to accept a new client connection.
    pub per_connection: SimDuration,
    /// TLS on the clients' connections; `None`: plain HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
}

impl Default for BalancerCost {
    fn default() -> Self {
        BalancerCost {
            workers: 1,
            per_request: SimDuration::ZERO,
            per_connection: SimDuration::ZERO,
            tls: None,
        }
    }
}

impl BalancerCost {
    /// Checks every setting; the error names the first bad field under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{field}.workers"),
            f64::from(self.workers),
            1.0,
            f64::from(MAX_BALANCER_WORKERS),
        )?;
        let costs = [
            ("per_request", self.per_request),
            ("per_connection", self.per_connection),
        ];
        for (name, cost) in costs {
            check_duration(
                &format!("{field}.{name}"),
                cost,
                SimDuration::ZERO,
                SimDuration::HOUR,
            )?;
        }
        if let Some(tls) = &self.tls {
            let handshakes = [
                ("full_handshake", tls.full_handshake),
                ("resumed_handshake", tls.resumed_handshake),
            ];
            for (name, cost) in handshakes {
                check_duration(
                    &format!("{field}.tls.{name}"),
                    cost,
                    SimDuration::ZERO,
                    SimDuration::HOUR,
                )?;
            }
            check_range(&format!("{field}.tls.resumption"), tls.resumption, 0.0, 1.0)?;
        }
        Ok(())
    }
}

/// Whether a run with balancer cost `cost` can change its TLS mode: its balancer has TLS.
pub fn check_tls(cost: Option<BalancerCost>) -> Result<(), ValidationError> {
    match cost.and_then(|c| c.tls) {
        Some(_) => Ok(()),
        None => Err(ValidationError::new(
            "tls",
            "the scenario's balancer has no TLS (scenario.balancer.tls) to change",
        )),
    }
}

/// The CPU one request costs, as it is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestCpu {
    /// What it costs the balancer before it is routed.
    pub balancer: SimDuration,
    /// What it adds to its server's work (a passed-through handshake).
    pub server: SimDuration,
}

/// Handshakes done so far, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Handshakes {
    /// Full handshakes.
    pub full: u64,
    /// Resumed ones.
    pub resumed: u64,
}

/// The balancers' CPUs while a run goes: one set of cores per balancer (one with a single
/// balancer; with several, each of the front's), all with the same settings, and the TLS
/// handshakes the clients' new connections have asked for so far.
#[derive(Clone, Debug)]
pub struct BalancerTier {
    /// The settings every balancer has (the TLS mode changes with `set_tls`).
    pub cost: BalancerCost,
    /// TLS handshakes asked for, by kind (drawn as each request is sent, before it is known
    /// which balancer will do the work).
    pub handshakes: Handshakes,
    /// Each balancer's cores.
    pub cpus: Vec<BalancerCpu>,
}

/// One balancer's cores: a [`Server`] (its workers and FIFO queue) that serves requests'
/// balancer work, with what it has done.
#[derive(Clone, Debug)]
pub struct BalancerCpu {
    /// Its cores and queue.
    pub cores: Server,
    /// Live requests waiting in its queue (the rest of the queue are requests given up on).
    pub live_queued: u64,
    /// Requests whose balancer work is done.
    pub handled: u64,
}

impl BalancerTier {
    /// Idle cores for `cost`, for each of `balancers` balancers.
    pub fn new(cost: BalancerCost, balancers: usize) -> BalancerTier {
        let cpu = BalancerCpu {
            // Its cores queue like a server's workers: full speed, no queue limit.
            cores: Server::new(server("balancer", 1, cost.workers)),
            live_queued: 0,
            handled: 0,
        };
        BalancerTier {
            cost,
            handshakes: Handshakes::default(),
            cpus: vec![cpu; balancers.max(1)],
        }
    }

    /// All the balancers' cores together.
    pub fn workers(&self) -> u32 {
        self.cost.workers * self.cpus.len() as u32
    }

    /// Core time all the balancers spent busy from the start until `now`, in core-microseconds.
    pub fn busy_time(&self, now: SimTime) -> u64 {
        self.cpus.iter().map(|cpu| cpu.cores.busy_time(now)).sum()
    }

    /// Live requests waiting for a core, at all the balancers.
    pub fn live_queued(&self) -> u64 {
        self.cpus.iter().map(|cpu| cpu.live_queued).sum()
    }

    /// What a request costs: `opens` says whether it opens a new connection, `layer7` whether
    /// the balancer parses it, and `resumed` draws whether a handshake resumes a session (asked
    /// only for a new connection under TLS).
    pub fn request_cpu(
        &mut self,
        opens: bool,
        layer7: bool,
        resumed: impl FnOnce(f64) -> bool,
    ) -> RequestCpu {
        let cost = &self.cost;
        let mut cpu = RequestCpu::default();
        if layer7 {
            cpu.balancer = cost.per_request;
        }
        if !opens {
            return cpu;
        }
        cpu.balancer = cpu.balancer + cost.per_connection;
        if let Some(tls) = cost.tls {
            let handshake = if resumed(tls.resumption) {
                self.handshakes.resumed += 1;
                tls.resumed_handshake
            } else {
                self.handshakes.full += 1;
                tls.full_handshake
            };
            if tls.mode.balancer_pays() {
                cpu.balancer = cpu.balancer + handshake;
            }
            if tls.mode.server_pays() {
                cpu.server = handshake;
            }
        }
        cpu
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(mode: TlsMode) -> BalancerTier {
        BalancerTier::new(
            BalancerCost {
                workers: 2,
                per_request: SimDuration::from_micros(100),
                per_connection: SimDuration::from_micros(50),
                tls: Some(Tls {
                    mode,
                    ..Tls::default()
                }),
            },
            1,
        )
    }

    #[test]
    fn each_mode_puts_the_handshake_where_it_says() {
        let ms = SimDuration::from_micros;
        let cases = [
            (TlsMode::Terminate, ms(2_150), ms(0)),
            (TlsMode::Passthrough, ms(150), ms(2_000)),
            (TlsMode::Reencrypt, ms(2_150), ms(2_000)),
        ];
        for (mode, balancer, server) in cases {
            let cpu = tls(mode).request_cpu(true, true, |_| false);
            assert_eq!(cpu, RequestCpu { balancer, server }, "{mode:?}");
        }
    }

    #[test]
    fn a_kept_connection_costs_only_parsing_and_layer_4_parses_nothing() {
        let mut cpu = tls(TlsMode::Terminate);
        let kept = cpu.request_cpu(false, true, |_| unreachable!("no handshake"));
        assert_eq!(kept.balancer, SimDuration::from_micros(100));
        let resumed = cpu.request_cpu(true, false, |_| true);
        assert_eq!(resumed.balancer, SimDuration::from_micros(250));
        assert_eq!(
            cpu.handshakes,
            Handshakes {
                full: 0,
                resumed: 1
            }
        );
    }

    #[test]
    fn bad_settings_are_named() {
        let mut cost = BalancerCost {
            workers: 0,
            ..BalancerCost::default()
        };
        assert!(
            cost.validate("balancer")
                .unwrap_err()
                .to_string()
                .contains("balancer.workers")
        );
        cost.workers = 1;
        cost.tls = Some(Tls {
            resumption: 1.5,
            ..Tls::default()
        });
        let err = cost.validate("balancer").unwrap_err().to_string();
        assert!(err.contains("balancer.tls.resumption"), "{err}");
    }
}
