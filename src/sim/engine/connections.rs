//! Client connections in the run (see [`crate::sim::connections`]): a request takes a connection
//! of its client (a new one costs a handshake first), a layer-4 balancer picks a server per
//! connection, and a request's end releases its connection, which closes after its last allowed
//! request, when idle too long, or when it breaks.

use super::*;
use crate::sim::connections::{ConnRef, Layer, OpenConnection, Released, check_scenario_at_layer4};

/// The one balancer of a run with connections (several balancers do not take connections yet:
/// `Scenario::validate` refuses the combination).
const SOLE: u8 = 0;

impl Simulation {
    /// Whether the balancer works at layer 4 (a server per connection).
    pub(super) fn layer4(&self) -> bool {
        self.layer == Layer::L4
    }

    /// Whether the balancer may move to `layer` now: the run has connections, and at layer 4 its
    /// algorithm and failure handling are ones a layer-4 balancer has.
    pub(super) fn check_layer(&self, layer: Layer) -> Result<(), ValidationError> {
        if self.scenario.connections.is_none() {
            return Err(ValidationError::new(
                "layer",
                "the scenario has no connections (scenario.connections) to balance at layer 4",
            ));
        }
        match layer {
            Layer::L4 => {
                check_scenario_at_layer4(self.algorithm, &self.resilience, self.limiters.config())
            }
            Layer::L7 => Ok(()),
        }
    }

    /// Moves the balancer to `layer` (checked): from layer 4, connections no longer hold
    /// servers and every request is picked for; to layer 4, each connection takes the server
    /// its next request gets.
    pub(super) fn set_layer(&mut self, layer: Layer) {
        if self.layer == Layer::L4 && layer == Layer::L7 {
            for server in self.connection_table.unassign_all() {
                self.pool.returned(server as usize, SOLE);
            }
        }
        self.layer = layer;
    }

    /// The connection a request `client` sends now goes on, how long before it can go, and
    /// whether the connection is new: a new connection's TCP handshake is one round trip first,
    /// to the balancer that terminates it (layer 7) or through it to the server (layer 4).
    /// Without connections every request is new, and its round trip is not modelled.
    pub(super) fn connect(&mut self, client: u32) -> (Option<ConnRef>, SimDuration, bool) {
        let Some(settings) = self.scenario.connections else {
            return (None, SimDuration::ZERO, true);
        };
        let (conn, new) = self.connection_table.acquire(client, &settings);
        let one_way = match settings.layer {
            Layer::L7 => self.scenario.client_latency,
            Layer::L4 => self.scenario.client_latency + self.scenario.backend_latency,
        };
        let handshake = if new {
            one_way + one_way
        } else {
            SimDuration::ZERO
        };
        (Some(conn), handshake, new)
    }

    /// The server of request `id`'s layer-4 connection: the one it is on, or, for a new
    /// connection, the balancer's pick (counted as one more connection on it); `None` when none
    /// can take it. A request whose connection was reset on its way (its server crashed) goes
    /// on a connection its client has open, or a new one, as a client resends a request a reset
    /// keep-alive connection lost (its handshake's round trip is not added).
    pub(super) fn connection_server(&mut self, id: RequestId, key: RequestKey) -> Option<usize> {
        let request = self.requests.get(id);
        let mut conn = request.conn.expect("a request at layer 4 has a connection");
        if !self.connection_table.is_open(conn) {
            let settings = self.scenario.connections.expect("a run with connections");
            conn = self.connection_table.acquire(request.client, &settings).0;
            self.requests.get_mut(id).conn = Some(conn);
        }
        if let Some(server) = self.connection_table.server(conn) {
            return Some(server as usize);
        }
        // A new connection: what a layer-4 balancer hashes is its 4-tuple, the source port new.
        let key = RequestKey {
            session: conn.number(),
            ..key
        };
        let server = self.pick(key, &[], SOLE)?;
        self.connection_table.assign(conn, server as u32);
        self.pool.dispatched(server, SOLE);
        Some(server)
    }

    /// A request on `conn` ended with `outcome` for its client: the connection carries on, idles
    /// or closes. It breaks when the client gave up, and at layer 4 when the server refused or
    /// crashed (the connection was to the server).
    pub(super) fn release_connection(&mut self, conn: ConnRef, outcome: Outcome) {
        let Some(settings) = self.scenario.connections else {
            return;
        };
        let broken = outcome == Outcome::ClientTimeout
            || (settings.layer == Layer::L4
                && matches!(outcome, Outcome::ConnectionFailed | Outcome::ServerCrashed));
        match self.connection_table.release(conn, &settings, broken) {
            Released::Idle(mark) => {
                let at = self.now + settings.idle_timeout;
                self.events.push(at, Step::ConnectionIdle(conn, mark));
            }
            Released::Closed(server) => self.connection_closed(server),
            Released::Busy | Released::Gone => {}
        }
    }

    /// The idle timer marked `mark` of `conn` is due.
    pub(super) fn connection_idle(&mut self, conn: ConnRef, mark: u32) {
        if let Some(server) = self.connection_table.expire(conn, mark) {
            self.connection_closed(server);
        }
    }

    /// A connection closed; a layer-4 balancer counts one connection fewer on its server.
    fn connection_closed(&mut self, server: Option<u32>) {
        if let Some(server) = server {
            self.pool.returned(server as usize, SOLE);
        }
    }

    /// `server` crashed: its layer-4 connections are reset.
    pub(super) fn reset_connections(&mut self, server: usize) {
        let closed = self.connection_table.reset_server(server as u32);
        for _ in 0..closed {
            self.pool.returned(server, SOLE);
        }
    }

    /// `server` was removed: its idle layer-4 connections close, the others after their requests.
    pub(super) fn retire_connections(&mut self, server: usize) {
        let closed = self.connection_table.retire_server(server as u32);
        for _ in 0..closed {
            self.pool.returned(server, SOLE);
        }
    }

    /// The layer the balancer works at, when the run has connections.
    pub fn layer(&self) -> Option<Layer> {
        self.scenario.connections.map(|_| self.layer)
    }

    /// Connections opened so far, when the run has connections.
    pub fn connections_opened(&self) -> Option<u64> {
        self.scenario
            .connections
            .map(|_| self.connection_table.opened())
    }

    /// The open client connections (none without connections).
    pub fn open_connections(&self) -> impl Iterator<Item = OpenConnection> + '_ {
        self.connection_table.open_connections()
    }

    /// Open layer-4 connections on each server (all zero at layer 7 or without connections).
    pub fn connections_per_server(&self) -> Vec<u32> {
        self.connection_table.per_server(self.servers.len())
    }
}
