//! Client connections in the run (see [`crate::sim::connections`]): a request takes a connection
//! of its client (a new one costs a handshake first), a layer-4 balancer picks a server per
//! connection, and a request's end releases its connection, which closes after its last allowed
//! request, when idle too long, or when it breaks. With several balancers a connection goes to
//! its client's balancer (or a VRRP group's address), which counts what it pinned in its own
//! view, and ends with it.

use super::*;
use crate::sim::connections::{
    ConnRef, Layer, OpenConnection, Pin, Released, check_scenario_at_layer4,
};
use crate::sim::front::NOT_YET;

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
            let pins = self.connection_table.unassign_all();
            self.pins_returned(pins);
        }
        self.layer = layer;
    }

    /// The connection a request `client` sends now to `to` (its balancer, or a VRRP group's
    /// address) goes on, how long before it can go, and whether the connection is new: a new
    /// connection's TCP handshake is one round trip first, to the balancer that terminates it
    /// (layer 7) or through it to the server (layer 4), at the layer it works at now. Without
    /// connections every request is new, and its round trip is not modelled.
    pub(super) fn connect(&mut self, client: u32, to: u8) -> (Option<ConnRef>, SimDuration, bool) {
        let Some(settings) = self.scenario.connections else {
            return (None, SimDuration::ZERO, true);
        };
        let (conn, new) = self.connection_table.acquire(client, to, &settings);
        let one_way = match self.layer {
            Layer::L7 => self.client_leg(client, to),
            Layer::L4 => self.client_leg(client, to) + self.backend_leg(to),
        };
        let handshake = if new {
            one_way + one_way
        } else {
            SimDuration::ZERO
        };
        (Some(conn), handshake, new)
    }

    /// Request `id` reached balancer `via` on a connection that was reset on its way (its
    /// server or its balancer crashed): it goes on a connection its client has open there, or
    /// a new one, as a client resends a request a reset keep-alive connection lost (the new
    /// handshake's round trip is not added).
    pub(super) fn reconnect_if_reset(&mut self, id: RequestId, via: u8) {
        let request = self.requests.get(id);
        let Some(conn) = request.conn else {
            return;
        };
        if self.connection_table.is_open(conn) {
            return;
        }
        let settings = self.scenario.connections.expect("a run with connections");
        let to = self.front.as_ref().map_or(via, |f| f.address_of(via));
        let conn = self
            .connection_table
            .acquire(request.client, to, &settings)
            .0;
        self.requests.get_mut(id).conn = Some(conn);
    }

    /// The server of request `id`'s layer-4 connection, through balancer `via`: the one it is
    /// on, or, for a new connection, `via`'s pick (counted as one more connection on it in
    /// its view); `None` when none can take it.
    pub(super) fn connection_server(
        &mut self,
        id: RequestId,
        key: RequestKey,
        via: u8,
    ) -> Option<usize> {
        let conn = self
            .requests
            .get(id)
            .conn
            .expect("a request at layer 4 has a connection");
        if let Some(server) = self.connection_table.server(conn) {
            return Some(server as usize);
        }
        // A new connection: what a layer-4 balancer hashes is its 4-tuple, the source port new.
        let key = RequestKey {
            session: conn.number(),
            ..key
        };
        let server = self.pick(key, &[], via)?;
        self.connection_table.assign(conn, server as u32, via);
        self.pool.dispatched(server, via);
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
            Released::Closed(pin) => self.pins_returned(pin),
            Released::Busy | Released::Gone => {}
        }
    }

    /// The idle timer marked `mark` of `conn` is due.
    pub(super) fn connection_idle(&mut self, conn: ConnRef, mark: u32) {
        if let Some(pin) = self.connection_table.expire(conn, mark) {
            self.pins_returned(pin);
        }
    }

    /// The connection `conn` was being opened, and no balancer answered its SYN: it never
    /// opened (and is not counted as opened).
    pub(super) fn abort_connection(&mut self, conn: ConnRef) {
        let pin = self.connection_table.abort(conn);
        self.pins_returned(pin);
    }

    /// Connections closed or stopped holding a server: the layer-4 balancer that pinned each
    /// counts one connection fewer on its server.
    fn pins_returned(&mut self, pins: impl IntoIterator<Item = Pin>) {
        for pin in pins {
            self.pool.returned(pin.server as usize, pin.by);
        }
    }

    /// `server` crashed: its layer-4 connections are reset.
    pub(super) fn reset_connections(&mut self, server: usize) {
        let pins = self.connection_table.reset_server(server as u32);
        self.pins_returned(pins);
    }

    /// `server` was removed: its idle layer-4 connections close, the others after their requests.
    pub(super) fn retire_connections(&mut self, server: usize) {
        let pins = self.connection_table.retire_server(server as u32);
        self.pins_returned(pins);
    }

    /// The client connections to `address` end (its balancer crashed, or a new VRRP master
    /// knows nothing of them).
    pub(super) fn reset_balancer_connections(&mut self, address: u8) {
        let pins = self.connection_table.reset_balancer(address);
        self.pins_returned(pins);
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

    /// The open client connections (none without connections); one to a VRRP group's address
    /// is its master's.
    pub fn open_connections(&self) -> impl Iterator<Item = OpenConnection> + '_ {
        let master = self
            .front
            .as_ref()
            .filter(|f| f.vrrp().is_some())
            .and_then(|f| f.answering(NOT_YET));
        self.connection_table
            .open_connections()
            .map(move |c| OpenConnection {
                balancer: match c.balancer {
                    NOT_YET => master.unwrap_or(0),
                    b => b,
                },
                ..c
            })
    }

    /// Open layer-4 connections on each server (all zero at layer 7 or without connections).
    pub fn connections_per_server(&self) -> Vec<u32> {
        self.connection_table.per_server(self.servers.len())
    }
}
