//! Client connections, and the layer the balancer works at.
//!
//! Without [`Connections`] a request is a message of its own, as in the rest of the model. With
//! them, a client sends its requests over connections it keeps open: HTTP/1.1 keep-alive carries
//! one request at a time (a client with one in flight opens another connection), HTTP/2
//! multiplexes up to `max_streams` on one. A connection closes after `max_requests` requests or
//! `idle_timeout` without one (nginx's `keepalive_requests` 1000 and `keepalive_timeout` 75 s
//! are the defaults), and a new one costs its client a TCP handshake (one more round trip) first.
//!
//! A layer-7 balancer terminates the client's connections and picks a server for every request,
//! as without connections. A layer-4 balancer sees only connections: it picks a server when a
//! connection opens (least connections counts connections) and every request on it goes there
//! until it closes. So under layer 4 a server added to a busy pool gets nothing until connections
//! recycle, one busy HTTP/2 client stays on one server, and a drained server keeps its open
//! connections. A layer-4 balancer cannot route by path or cookie, measure request latency, retry
//! a request, count a server's error answers or rate-limit requests: those settings need layer 7.
//!
//! With several balancers ([`front`](super::front)) a connection goes to the balancer its
//! client's DNS answer named (or to a VRRP group's virtual address, held by its master): a
//! client reuses only a connection to where its request goes now, each layer-4 balancer counts
//! the connections it pinned in its own view of the servers, and a balancer's crash, or a new
//! VRRP master that knows nothing of them, ends the connections it held.
//!
//! [`ConnectionTable`] holds the open connections; the engine asks it for a connection per
//! request and tells it when requests end.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use super::balancer::Algorithm;
use super::breaker::BreakerConfig;
use super::command::Command;
use super::passive::Passive;
use super::ratelimit::RateLimit;
use super::resilience::Resilience;
use super::time::SimDuration;
use super::validation::{ValidationError, check_duration, check_range};

/// The layer the balancer works at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Layer 4 (TCP): a server per connection.
    L4,
    /// Layer 7 (HTTP): a server per request.
    #[default]
    L7,
}

impl Layer {
    /// Its name with what it means.
    pub fn describe(self) -> &'static str {
        match self {
            Layer::L4 => "layer 4 (a server per connection)",
            Layer::L7 => "layer 7 (a server per request)",
        }
    }
}

/// How requests share a connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// HTTP/1.1 keep-alive: one request at a time per connection.
    #[default]
    Http1,
    /// HTTP/2: up to `max_streams` requests at once on one connection.
    Http2,
}

/// Client connections and the balancing layer (`scenario.connections`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Connections {
    /// Where the balancer picks: per request (layer 7) or per connection (layer 4).
    pub layer: Layer,
    /// HTTP/1.1 keep-alive or HTTP/2.
    pub protocol: Protocol,
    /// Requests a connection carries before it closes (nginx `keepalive_requests`).
    pub max_requests: u32,
    /// An idle connection closes after this long (nginx `keepalive_timeout`).
    pub idle_timeout: SimDuration,
    /// HTTP/2 requests at once on one connection (`SETTINGS_MAX_CONCURRENT_STREAMS`; nginx's
    /// `http2_max_concurrent_streams` 128); a client with more opens another connection.
    pub max_streams: u32,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            layer: Layer::L7,
            protocol: Protocol::Http1,
            max_requests: 1_000,
            idle_timeout: SimDuration::from_secs(75),
            max_streams: 128,
        }
    }
}

impl Connections {
    /// Requests one connection carries at once.
    fn concurrency(&self) -> u32 {
        match self.protocol {
            Protocol::Http1 => 1,
            Protocol::Http2 => self.max_streams,
        }
    }

    /// Checks every setting; the error names the first bad field under `field`.
    pub fn validate(&self, field: &str) -> Result<(), ValidationError> {
        check_range(
            &format!("{field}.max_requests"),
            f64::from(self.max_requests),
            1.0,
            1e9,
        )?;
        check_duration(
            &format!("{field}.idle_timeout"),
            self.idle_timeout,
            SimDuration::MS,
            SimDuration::HOUR,
        )?;
        check_range(
            &format!("{field}.max_streams"),
            f64::from(self.max_streams),
            1.0,
            10_000.0,
        )
    }

    /// A description for the timeline and the UI.
    pub fn describe(&self) -> String {
        let layer = self.layer.describe();
        let protocol = match self.protocol {
            Protocol::Http1 => "HTTP/1.1 keep-alive".to_string(),
            Protocol::Http2 => format!("HTTP/2, {} streams", self.max_streams),
        };
        format!(
            "{layer}, {protocol}, {} requests or {} idle per connection",
            self.max_requests, self.idle_timeout
        )
    }
}

/// Why a setting cannot be used by a layer-4 balancer (`None` when it can), as a sentence end.
pub fn needs_layer_7(algorithm: Algorithm) -> Option<&'static str> {
    match algorithm {
        Algorithm::ConsistentHashUri => {
            Some("hashing the URI needs layer 7: a layer-4 balancer does not see requests")
        }
        Algorithm::ConsistentHashSession | Algorithm::StickySessions => {
            Some("a session cookie needs layer 7: a layer-4 balancer does not read cookies")
        }
        Algorithm::LeastResponseTime | Algorithm::PeakEwma => Some(
            "measuring response times needs layer 7: a layer-4 balancer does not see requests end",
        ),
        _ => None,
    }
}

/// Checks that a layer-4 balancer can do what `command` asks.
pub fn check_at_layer4(command: &Command) -> Result<(), ValidationError> {
    let refuse = |field: &str, what: &str| {
        Err(ValidationError::new(
            field,
            format!("{what} needs layer 7: a layer-4 balancer does not see requests"),
        ))
    };
    match *command {
        Command::SetAlgorithm(a) => match needs_layer_7(a) {
            Some(why) => Err(ValidationError::new("algorithm", why)),
            None => Ok(()),
        },
        Command::SetRetry(r) if r.enabled() => refuse("retry", "retrying a request"),
        Command::SetBreaker(b) if b != BreakerConfig::Off => {
            refuse("breaker", "a circuit breaker on answers")
        }
        Command::SetPassive(p) if p != Passive::Off => {
            refuse("passive", "a passive check of answers")
        }
        Command::SetRateLimit(l) if l != RateLimit::Off => {
            refuse("rate limit", "a request rate limit")
        }
        _ => Ok(()),
    }
}

/// Checks a layer-4 scenario's settings: the error names the first a layer-4 balancer cannot
/// use.
pub fn check_scenario_at_layer4(
    algorithm: Algorithm,
    resilience: &Resilience,
    rate_limit: RateLimit,
) -> Result<(), ValidationError> {
    let settings = [
        ("algorithm", Command::SetAlgorithm(algorithm)),
        ("resilience.retry", Command::SetRetry(resilience.retry)),
        (
            "resilience.breaker",
            Command::SetBreaker(resilience.breaker),
        ),
        (
            "resilience.passive",
            Command::SetPassive(resilience.passive),
        ),
        ("rate_limit", Command::SetRateLimit(rate_limit)),
    ];
    for (field, command) in settings {
        check_at_layer4(&command).map_err(|e| ValidationError::new(field, e.problem))?;
    }
    Ok(())
}

/// A request's hold on a connection: its slot and the slot's generation (slots are reused;
/// generations start at 1, so an `Option<ConnRef>` takes no more room than a `ConnRef`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnRef {
    slot: u32,
    generation: NonZeroU32,
}

impl ConnRef {
    fn new(slot: u32, generation: u32) -> ConnRef {
        let generation = NonZeroU32::new(generation).expect("generations start at 1");
        ConnRef { slot, generation }
    }

    /// A number for the connection, the same for every request on it (its "source port").
    pub fn number(self) -> u64 {
        (u64::from(self.generation.get()) << 32) | u64::from(self.slot)
    }
}

/// A layer-4 connection's server and the balancer that chose it (whose view of the servers
/// counts it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The server.
    pub server: u32,
    /// The balancer that pinned it there.
    pub by: u8,
}

/// One open connection.
#[derive(Clone, Copy, Debug)]
struct Conn {
    client: u32,
    /// Where it goes: a balancer, or a VRRP group's virtual address
    /// ([`NOT_YET`](super::front::NOT_YET)).
    to: u8,
    /// The server a layer-4 balancer chose for it.
    pin: Option<Pin>,
    in_flight: u32,
    served: u32,
    /// Bumped when the slot closes, so late references to it are recognised.
    generation: u32,
    /// Bumped each time it goes idle, so only the latest idle timer closes it.
    idle_mark: u32,
    open: bool,
    /// Close it once its requests are done (its server was removed).
    closing: bool,
}

/// An open connection as a reader sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenConnection {
    /// Its client.
    pub client: u32,
    /// The server a layer-4 balancer pinned it to (none at layer 7, or before the first pick).
    pub server: Option<u32>,
    /// The balancer that pinned it, or else where it goes: a balancer, or a VRRP group's
    /// virtual address ([`NOT_YET`](super::front::NOT_YET)).
    pub balancer: u8,
    /// Its number, the same as its requests' [`ConnRef::number`].
    pub number: u64,
    /// Requests on it now.
    pub in_flight: u32,
}

/// What ending a request did to its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Released {
    /// It carries other requests still.
    Busy,
    /// It is idle: close it at the idle timeout unless a request comes (the timer's mark).
    Idle(u32),
    /// It closed; a layer-4 balancer had it on this server.
    Closed(Option<Pin>),
    /// It had already closed.
    Gone,
}

/// The open connections of a run.
#[derive(Clone, Debug, Default)]
pub struct ConnectionTable {
    conns: Vec<Conn>,
    free: Vec<u32>,
    /// Each client's open connections.
    by_client: BTreeMap<u32, Vec<u32>>,
    opened: u64,
}

impl ConnectionTable {
    /// A connection for `client`'s next request to `to` (a balancer, or a VRRP group's
    /// address): an open one there with room, or a new one (`true`).
    pub fn acquire(&mut self, client: u32, to: u8, settings: &Connections) -> (ConnRef, bool) {
        let room = settings.concurrency();
        let open = self.by_client.entry(client).or_default();
        if let Some(&slot) = open.iter().find(|&&slot| {
            let c = &self.conns[slot as usize];
            c.to == to && c.in_flight < room && !c.closing
        }) {
            let c = &mut self.conns[slot as usize];
            c.in_flight += 1;
            return (ConnRef::new(slot, c.generation), false);
        }
        self.opened += 1;
        let conn = |generation| Conn {
            client,
            to,
            pin: None,
            in_flight: 1,
            served: 0,
            generation,
            idle_mark: 0,
            open: true,
            closing: false,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                let generation = self.conns[slot as usize].generation;
                self.conns[slot as usize] = conn(generation);
                slot
            }
            None => {
                self.conns.push(conn(1));
                (self.conns.len() - 1) as u32
            }
        };
        self.by_client.entry(client).or_default().push(slot);
        (
            ConnRef::new(slot, self.conns[slot as usize].generation),
            true,
        )
    }

    fn get(&self, r: ConnRef) -> Option<&Conn> {
        self.conns
            .get(r.slot as usize)
            .filter(|c| c.open && c.generation == r.generation.get())
    }

    /// Whether the connection is still open (not closed or reset since it was taken).
    pub fn is_open(&self, r: ConnRef) -> bool {
        self.get(r).is_some()
    }

    /// The server a layer-4 balancer chose for the connection, if it has chosen.
    pub fn server(&self, r: ConnRef) -> Option<u32> {
        self.get(r).and_then(|c| c.pin).map(|p| p.server)
    }

    /// Forgets every connection's layer-4 server (the balancers moved to layer 7); returns
    /// what they were pinned to, one entry per connection.
    pub fn unassign_all(&mut self) -> Vec<Pin> {
        self.conns
            .iter_mut()
            .filter(|c| c.open)
            .filter_map(|c| c.pin.take())
            .collect()
    }

    /// Records balancer `by`'s layer-4 choice of `server` for the connection.
    pub fn assign(&mut self, r: ConnRef, server: u32, by: u8) {
        if self.get(r).is_some() {
            self.conns[r.slot as usize].pin = Some(Pin { server, by });
        }
    }

    /// A request on `r` is over: the connection carries on, goes idle, or closes after its last
    /// allowed request (or at once when `broken`, a connection that failed or was abandoned).
    pub fn release(&mut self, r: ConnRef, settings: &Connections, broken: bool) -> Released {
        if self.get(r).is_none() {
            return Released::Gone;
        }
        let c = &mut self.conns[r.slot as usize];
        c.in_flight -= 1;
        c.served += 1;
        if broken || c.served >= settings.max_requests {
            return Released::Closed(self.close(r.slot));
        }
        if c.in_flight > 0 {
            return Released::Busy;
        }
        if c.closing {
            return Released::Closed(self.close(r.slot));
        }
        c.idle_mark = c.idle_mark.wrapping_add(1);
        Released::Idle(c.idle_mark)
    }

    /// The idle timer marked `mark` of `r` is due: closes the connection if it is still idle
    /// since then; returns what a layer-4 balancer had pinned it to.
    pub fn expire(&mut self, r: ConnRef, mark: u32) -> Option<Option<Pin>> {
        let c = self.get(r)?;
        (c.in_flight == 0 && c.idle_mark == mark).then(|| self.close(r.slot))
    }

    /// Closes every connection a layer-4 balancer has on `server` (it crashed: they are reset);
    /// returns their pins.
    pub fn reset_server(&mut self, server: u32) -> Vec<Pin> {
        self.close_where(|c| c.pin.is_some_and(|p| p.server == server))
    }

    /// The connection `r` was being opened to a balancer that does not answer (its client's
    /// SYN went unanswered): it never opened, so it closes uncounted. One that had carried
    /// requests simply closes. Returns what a layer-4 balancer had pinned it to.
    pub fn abort(&mut self, r: ConnRef) -> Option<Pin> {
        let c = self.get(r)?;
        if c.served == 0 {
            self.opened -= 1;
        }
        self.close(r.slot)
    }

    /// Closes every connection to `to` (a balancer that crashed, or a VRRP group's address
    /// whose master crashed or was replaced); returns what the closed ones were pinned to.
    pub fn reset_balancer(&mut self, to: u8) -> Vec<Pin> {
        self.close_where(|c| c.to == to)
    }

    /// Closes the open connections that `which` picks; returns the pins of those that had one.
    fn close_where(&mut self, which: impl Fn(&Conn) -> bool) -> Vec<Pin> {
        let slots = self.slots_where(which);
        slots.into_iter().filter_map(|s| self.close(s)).collect()
    }

    /// Closes `server`'s idle connections and marks the rest to close once their requests are
    /// done (it was removed); returns the pins of those closed now.
    pub fn retire_server(&mut self, server: u32) -> Vec<Pin> {
        let mut closed = Vec::new();
        for slot in self.slots_where(|c| c.pin.is_some_and(|p| p.server == server)) {
            if self.conns[slot as usize].in_flight == 0 {
                closed.extend(self.close(slot));
            } else {
                self.conns[slot as usize].closing = true;
            }
        }
        closed
    }

    /// The slots of the open connections that `keep` picks.
    fn slots_where(&self, keep: impl Fn(&Conn) -> bool) -> Vec<u32> {
        (0..self.conns.len() as u32)
            .filter(|&s| {
                let c = &self.conns[s as usize];
                c.open && keep(c)
            })
            .collect()
    }

    /// Closes the connection in `slot`; returns its layer-4 pin.
    fn close(&mut self, slot: u32) -> Option<Pin> {
        let c = &mut self.conns[slot as usize];
        c.open = false;
        c.generation = c.generation.checked_add(1).unwrap_or(1);
        let (client, server) = (c.client, c.pin);
        if let Some(open) = self.by_client.get_mut(&client) {
            open.retain(|&s| s != slot);
            if open.is_empty() {
                self.by_client.remove(&client);
            }
        }
        self.free.push(slot);
        server
    }

    /// Connections opened so far.
    pub fn opened(&self) -> u64 {
        self.opened
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.conns.len() - self.free.len()
    }

    /// Every open connection, in slot order.
    pub fn open_connections(&self) -> impl Iterator<Item = OpenConnection> + '_ {
        self.conns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.open)
            .map(|(slot, c)| OpenConnection {
                client: c.client,
                server: c.pin.map(|p| p.server),
                balancer: c.pin.map_or(c.to, |p| p.by),
                number: ConnRef::new(slot as u32, c.generation).number(),
                in_flight: c.in_flight,
            })
    }

    /// Open connections on each of `servers` servers (layer 4).
    pub fn per_server(&self, servers: usize) -> Vec<u32> {
        let mut counts = vec![0; servers];
        for c in self.conns.iter().filter(|c| c.open) {
            if let Some(s) = c.pin.map(|p| p.server).filter(|&s| (s as usize) < servers) {
                counts[s as usize] += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http1(max_requests: u32) -> Connections {
        Connections {
            max_requests,
            ..Connections::default()
        }
    }

    #[test]
    fn keep_alive_reuses_an_idle_connection_and_opens_another_while_one_is_busy() {
        let settings = http1(3);
        let mut t = ConnectionTable::default();
        let (a, new) = t.acquire(7, 0, &settings);
        assert!(new);
        // Busy: the client's second request needs a second connection.
        let (b, new) = t.acquire(7, 0, &settings);
        assert!(new && a != b);
        assert_eq!(t.release(a, &settings, false), Released::Idle(1));
        // a is idle again: reused.
        assert_eq!(t.acquire(7, 0, &settings), (a, false));
        assert_eq!(t.opened(), 2);
        assert_eq!(t.open(), 2);
        // Its third request is its last.
        assert_eq!(t.release(a, &settings, false), Released::Idle(2));
        assert_eq!(t.acquire(7, 0, &settings), (a, false));
        assert_eq!(t.release(a, &settings, false), Released::Closed(None));
        assert_eq!(t.release(a, &settings, false), Released::Gone);
        assert_eq!(t.open(), 1);
    }

    #[test]
    fn http2_multiplexes_up_to_its_streams() {
        let settings = Connections {
            protocol: Protocol::Http2,
            max_streams: 2,
            ..Connections::default()
        };
        let mut t = ConnectionTable::default();
        let (a, _) = t.acquire(1, 0, &settings);
        assert_eq!(t.acquire(1, 0, &settings), (a, false));
        let (c, new) = t.acquire(1, 0, &settings);
        assert!(new && c != a);
        assert_eq!(t.release(a, &settings, false), Released::Busy);
    }

    #[test]
    fn an_idle_timer_closes_only_a_connection_still_idle_since_it_was_set() {
        let settings = http1(100);
        let mut t = ConnectionTable::default();
        let (a, _) = t.acquire(1, 0, &settings);
        t.assign(a, 3, 0);
        let Released::Idle(first) = t.release(a, &settings, false) else {
            panic!()
        };
        t.acquire(1, 0, &settings);
        let Released::Idle(second) = t.release(a, &settings, false) else {
            panic!()
        };
        assert_eq!(t.expire(a, first), None, "a request came since");
        assert_eq!(t.expire(a, second), Some(Some(Pin { server: 3, by: 0 })));
        assert_eq!(t.expire(a, second), None);
    }

    #[test]
    fn a_crashed_server_resets_its_connections_and_a_removed_one_retires_them() {
        let settings = http1(100);
        let mut t = ConnectionTable::default();
        let refs: Vec<ConnRef> = (0..4).map(|c| t.acquire(c, 0, &settings).0).collect();
        for (i, &r) in refs.iter().enumerate() {
            t.assign(r, (i % 2) as u32, 0);
        }
        assert_eq!(t.per_server(2), [2, 2]);
        assert_eq!(t.reset_server(0), [Pin { server: 0, by: 0 }; 2]);
        assert_eq!(t.per_server(2), [0, 2]);
        assert_eq!(t.release(refs[0], &settings, false), Released::Gone);
        // Server 1: one idle connection closes now, the busy one after its request.
        t.release(refs[1], &settings, false);
        assert_eq!(t.retire_server(1), [Pin { server: 1, by: 0 }]);
        assert_eq!(
            t.release(refs[3], &settings, false),
            Released::Closed(Some(Pin { server: 1, by: 0 }))
        );
        assert_eq!(t.open(), 0);
    }

    #[test]
    fn a_client_reuses_only_a_connection_to_where_it_sends_and_a_crash_ends_those_there() {
        let settings = http1(100);
        let mut t = ConnectionTable::default();
        let (a, _) = t.acquire(1, 0, &settings);
        t.assign(a, 5, 0);
        t.release(a, &settings, false);
        // Its DNS answer now names balancer 1: a new connection, though a is idle.
        let (b, new) = t.acquire(1, 1, &settings);
        assert!(new && a != b);
        t.assign(b, 5, 1);
        t.release(b, &settings, false);
        assert_eq!(t.acquire(1, 0, &settings), (a, false));
        // Balancer 1 crashes: b ends, and its pin goes back to balancer 1's view.
        assert_eq!(t.reset_balancer(1), [Pin { server: 5, by: 1 }]);
        assert_eq!(t.per_server(6), [0, 0, 0, 0, 0, 1]);
        assert!(t.is_open(a) && !t.is_open(b));
    }
}
