//! DNS round robin: how clients spread over several balancers by name.
//!
//! The name has one address per balancer. The authoritative server rotates the list on every
//! query, and a client connects to the first address of its answer, so successive lookups go to
//! successive balancers. A client keeps its answer for the record's TTL and looks the name up
//! again on its first request after that. Plain DNS does not know a balancer died: it goes on
//! handing out its address. A health-checked DNS (Route 53 health checks, a GSLB) leaves dead
//! balancers out of its answers, but clients that cached the dead address keep using it until
//! their TTL runs out: that is why failover by DNS takes up to a TTL.

use crate::sim::time::{SimDuration, SimTime};

/// How the balancers' name is served.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DnsConfig {
    /// How long a client keeps an answer.
    pub ttl: SimDuration,
    /// Whether answers leave out the balancers that are down.
    pub health_checked: bool,
}

impl Default for DnsConfig {
    /// A 30 s TTL without health checks.
    fn default() -> Self {
        DnsConfig {
            ttl: SimDuration::from_secs(30),
            health_checked: false,
        }
    }
}

impl DnsConfig {
    /// The answer to query number `query` among `balancers` (their first index and how many):
    /// the list rotated by one per query. A health-checked name skips the balancers `up` says
    /// are down; when none is up, it answers as plain DNS does.
    pub fn rotate(&self, query: u64, first: usize, count: usize, up: &[bool]) -> u8 {
        let n = count as u64;
        let start = query % n;
        (0..n)
            .map(|k| first + ((start + k) % n) as usize)
            .find(|&b| !self.health_checked || up[b])
            .unwrap_or(first + start as usize) as u8
    }
}

/// The name server and every client's cached answer.
#[derive(Clone, Debug)]
pub struct Resolver {
    config: DnsConfig,
    /// Queries answered so far: the next answer's rotation.
    queries: u64,
    /// Per client, the balancer its cached answer names.
    cached: Vec<u8>,
    /// Per client, when that answer expires (`SimTime::ZERO`: it has none).
    expires: Vec<SimTime>,
}

impl Resolver {
    /// A name server for `clients` clients, none of which has looked the name up yet.
    pub fn new(config: DnsConfig, clients: u32) -> Resolver {
        Resolver {
            config,
            queries: 0,
            cached: vec![0; clients as usize],
            expires: vec![SimTime::ZERO; clients as usize],
        }
    }

    /// The settings.
    pub fn config(&self) -> DnsConfig {
        self.config
    }

    /// The balancer `client` connects to at `now`: its cached answer, or a fresh one, which
    /// `answer` gives for the query's number (its rotation).
    pub fn resolve(&mut self, client: u32, now: SimTime, answer: impl FnOnce(u64) -> u8) -> u8 {
        let c = client as usize;
        if c >= self.cached.len() {
            // Clients added since the start (a larger population set by a command).
            self.cached.resize(c + 1, 0);
            self.expires.resize(c + 1, SimTime::ZERO);
        }
        if self.expires[c] > now {
            return self.cached[c];
        }
        let balancer = answer(self.queries);
        self.queries += 1;
        self.cached[c] = balancer;
        self.expires[c] = now + self.config.ttl.max(SimDuration(1));
        balancer
    }

    /// How many clients' cached answers name `balancer` and are still valid at `now`.
    pub fn cached_on(&self, balancer: u8, now: SimTime) -> u32 {
        self.cached
            .iter()
            .zip(&self.expires)
            .filter(|&(&b, &e)| b == balancer && e > now)
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> SimTime {
        SimTime(SimDuration::from_secs(s).0)
    }

    /// What the name answers `client` at `now` with the balancers `up`, all in one region.
    fn lookup(dns: &mut Resolver, client: u32, now: SimTime, up: &[bool]) -> u8 {
        let config = dns.config();
        dns.resolve(client, now, |q| config.rotate(q, 0, up.len(), up))
    }

    #[test]
    fn lookups_rotate_and_answers_are_kept_for_the_ttl() {
        let mut dns = Resolver::new(DnsConfig::default(), 4);
        let up = [true, true, true];
        let first: Vec<u8> = (0..4).map(|c| lookup(&mut dns, c, secs(0), &up)).collect();
        assert_eq!(first, [0, 1, 2, 0]);
        // Cached until 30 s.
        assert_eq!(lookup(&mut dns, 1, secs(29), &up), 1);
        assert_eq!(lookup(&mut dns, 1, secs(30), &up), 1); // the fifth query: 4 % 3
        assert_eq!(lookup(&mut dns, 0, secs(31), &up), 2);
    }

    #[test]
    fn plain_dns_hands_out_a_dead_balancer_and_a_health_checked_one_does_not() {
        let up = [true, false];
        let mut plain = Resolver::new(DnsConfig::default(), 2);
        assert_eq!(
            [
                lookup(&mut plain, 0, secs(0), &up),
                lookup(&mut plain, 1, secs(0), &up)
            ],
            [0, 1]
        );
        let mut checked = Resolver::new(
            DnsConfig {
                health_checked: true,
                ..DnsConfig::default()
            },
            2,
        );
        assert_eq!(
            [
                lookup(&mut checked, 0, secs(0), &up),
                lookup(&mut checked, 1, secs(0), &up)
            ],
            [0, 0]
        );
        // A client that cached balancer 2 before it died keeps it until its TTL runs out.
        let mut dns = Resolver::new(
            DnsConfig {
                health_checked: true,
                ..DnsConfig::default()
            },
            2,
        );
        lookup(&mut dns, 0, secs(0), &[true, true]);
        assert_eq!(lookup(&mut dns, 1, secs(0), &[true, true]), 1);
        assert_eq!(lookup(&mut dns, 1, secs(10), &up), 1);
        assert_eq!(dns.cached_on(1, secs(10)), 1);
        assert_eq!(lookup(&mut dns, 1, secs(30), &up), 0);
        assert_eq!(dns.cached_on(1, secs(30)), 0);
    }
}
