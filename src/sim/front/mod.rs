//! The front tier: more than one balancer in front of the same servers.
//!
//! Without [`Front`] there is one balancer, as in the rest of the model. With it there are
//! `balancers` of them (named `lb-1`, `lb-2`, ...), each with its own algorithm state and its own
//! view of load: a balancer counts only the requests it routed itself, as independent nginx or
//! HAProxy instances do (no shared zone). They share one health checker's verdicts, passive
//! checks and circuit breakers (a simplification: real instances each check on their own, and
//! with the same settings they come to the same verdicts within a check interval).
//!
//! What a balancer knows of the servers' load is its own requests by default. With
//! [`LoadView::Reported`] every balancer instead reads the load the servers last reported
//! (requests in service and queued), refreshed every `every`: the old information of
//! Mitzenmacher's "How useful is old information?" (2000). Between reports all of them see the
//! same numbers, so least connections sends everyone to the server that looked least loaded and
//! herds, while two random choices spread the herd over many servers.
//!
//! With `regions` ([`regions`]) there are `balancers` in each region, in front of the region's
//! own servers, and the DNS is global: it sends each client to its nearest (healthy) region.
//! With a `local` tier under them ([`hierarchy`]) the region's balancers send to local
//! balancers, each in front of a cluster of the region's servers: global, regional, local.
//!
//! Clients reach them one of two ways ([`Spread`]):
//! - **DNS round robin** ([`dns`]): each client looks the name up, connects to the balancer its
//!   answer names and keeps the answer for the TTL. All balancers are active.
//! - **VRRP** ([`vrrp`]): one virtual address, owned by the master; the others are passive
//!   backups that take over when the master goes silent.
//!
//! A balancer that crashes loses the requests it held (their connections end with it): each
//! fails at that instant as [`Outcome::BalancerDown`](super::request::Outcome::BalancerDown). A
//! client whose connection attempt reaches no live balancer retransmits its SYN as TCP does, 1 s
//! after the first, then 2, 4, 8, 16 and 32 s after the one before (RFC 6298's initial timeout,
//! doubling; Linux's six retries), and gives up 64 s after the last: a request sent during a
//! VRRP takeover gets through a second or three late, one sent to a dead address in a cached DNS
//! answer waits for its client's timeout.

pub mod dns;
pub mod hierarchy;
pub mod regions;
pub mod vrrp;

use super::time::{SimDuration, SimTime};
use super::validation::{ValidationError, check_duration, check_range};
use dns::{DnsConfig, Resolver};
use hierarchy::{LocalTier, Tier};
use regions::{Geography, Region};
use vrrp::{Role, Vrrp, VrrpChange, VrrpConfig};

/// The most balancers a front may have.
pub const MAX_BALANCERS: u8 = 16;
/// A request's balancer before it reaches one (it is on its way to the virtual address).
pub const NOT_YET: u8 = u8::MAX;
/// How many times a client retransmits an unanswered SYN (Linux `tcp_syn_retries`).
pub const SYN_RETRIES: u8 = 6;

/// Several balancers in front of the servers (`scenario.front`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Front {
    /// How many balancers (in each region, with regions): 2 to [`MAX_BALANCERS`] in all, or
    /// from 1 a region.
    pub balancers: u8,
    /// How clients reach them.
    pub spread: Spread,
    /// What each balancer knows of the servers' load.
    #[serde(default, skip_serializing_if = "LoadView::is_own")]
    pub view: LoadView,
    /// The regions, each with its clients, balancers and servers (none: one place).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Region>,
    /// With regions, the one-way delay from a client in each region to a balancer in each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latency: Vec<Vec<SimDuration>>,
    /// With regions, local balancers under each region's balancers (hierarchical balancing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalTier>,
}

/// What the balancers know of the servers' load when they pick.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadView {
    /// Each counts the requests it sent itself.
    #[default]
    Own,
    /// All read the servers' load as last reported, every `every`.
    Reported {
        /// How often the servers report.
        every: SimDuration,
    },
}

impl LoadView {
    /// Whether it is the default, [`LoadView::Own`].
    pub fn is_own(&self) -> bool {
        *self == LoadView::Own
    }
}

/// How clients reach the balancers.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spread {
    /// DNS round robin over all of them.
    Dns(DnsConfig),
    /// One virtual address, moved between them by VRRP.
    Vrrp(VrrpConfig),
}

impl Front {
    /// `balancers` balancers reached by `spread`, each counting its own requests, in one place.
    pub fn new(balancers: u8, spread: Spread) -> Front {
        Front {
            balancers,
            spread,
            view: LoadView::Own,
            regions: Vec::new(),
            latency: Vec::new(),
            local: None,
        }
    }

    /// The name of balancer `b` (0-based).
    pub fn name(b: u8) -> String {
        format!("lb-{}", u32::from(b) + 1)
    }

    /// How many balancers there are in all, local ones included.
    pub fn total(&self) -> usize {
        self.entry_count()
            + self
                .local
                .map_or(0, |l| Tier::count(&l, self.regions.len()))
    }

    /// How many balancers clients connect to (all but the local ones).
    pub fn entry_count(&self) -> usize {
        usize::from(self.balancers) * self.regions.len().max(1)
    }

    /// Checks the settings for a scenario of `servers` servers; the error names the field.
    pub fn validate(&self, field: &str, servers: usize) -> Result<(), ValidationError> {
        let least = if self.regions.is_empty() { 2.0 } else { 1.0 };
        check_range(
            &format!("{field}.balancers"),
            f64::from(self.balancers),
            least,
            f64::from(MAX_BALANCERS),
        )?;
        if !self.regions.is_empty() {
            regions::check(field, &self.regions, &self.latency, servers)?;
            if self.total() > usize::from(MAX_BALANCERS) {
                return Err(ValidationError::new(
                    format!("{field}.balancers"),
                    format!(
                        "{} a region in {} regions, with the local ones, is {} balancers, more \
                         than {MAX_BALANCERS}",
                        self.balancers,
                        self.regions.len(),
                        self.total()
                    ),
                ));
            }
            if let Some(local) = &self.local {
                let servers: Vec<u32> = self.regions.iter().map(|r| r.servers).collect();
                local.validate(&format!("{field}.local"), &servers)?;
            }
            if matches!(self.spread, Spread::Vrrp(_)) {
                return Err(ValidationError::new(
                    format!("{field}.spread"),
                    "regions are reached by the global DNS: give `dns`, not `vrrp`",
                ));
            }
        } else if !self.latency.is_empty() {
            return Err(ValidationError::new(
                format!("{field}.latency"),
                "delays between regions need `regions`",
            ));
        }
        if self.local.is_some() && self.regions.is_empty() {
            return Err(ValidationError::new(
                format!("{field}.local"),
                "local balancers sit under regional ones: give `regions` too",
            ));
        }
        if let LoadView::Reported { every } = self.view {
            check_duration(
                &format!("{field}.view.reported.every"),
                every,
                SimDuration::from_millis(1),
                SimDuration::from_secs(3_600),
            )?;
        }
        match &self.spread {
            Spread::Dns(dns) => check_duration(
                &format!("{field}.spread.dns.ttl"),
                dns.ttl,
                SimDuration::ZERO,
                SimDuration::from_secs(86_400),
            ),
            Spread::Vrrp(v) => self.check_vrrp(&format!("{field}.spread.vrrp"), v),
        }
    }

    fn check_vrrp(&self, field: &str, v: &VrrpConfig) -> Result<(), ValidationError> {
        let interval = format!("{field}.advert_interval");
        check_duration(
            &interval,
            v.advert_interval,
            SimDuration::from_millis(10),
            SimDuration::from_millis(40_950),
        )?;
        if !v
            .advert_interval
            .0
            .is_multiple_of(SimDuration::from_millis(10).0)
        {
            return Err(ValidationError::new(
                interval,
                "VRRP counts in centiseconds: give a whole number of 10 ms",
            ));
        }
        let priorities = format!("{field}.priorities");
        if v.priorities.len() != usize::from(self.balancers) {
            return Err(ValidationError::new(
                priorities,
                format!(
                    "{} priorities for {} balancers: give one per balancer",
                    v.priorities.len(),
                    self.balancers
                ),
            ));
        }
        for (i, &p) in v.priorities.iter().enumerate() {
            if p == 0 {
                return Err(ValidationError::new(
                    format!("{priorities}[{i}]"),
                    "0 is for a master giving up: priorities are 1 to 255",
                ));
            }
            if v.priorities[..i].contains(&p) {
                return Err(ValidationError::new(
                    format!("{priorities}[{i}]"),
                    format!("{p} is another balancer's: give each its own priority"),
                ));
            }
        }
        Ok(())
    }
}

/// Checks that `front` has a balancer number `b + 1`.
pub fn check_balancer(front: Option<&Front>, b: u8) -> Result<(), ValidationError> {
    match front {
        None => Err(ValidationError::new(
            "balancer",
            "the scenario has one balancer: give it several (scenario.front) to crash one",
        )),
        Some(f) if usize::from(b) >= f.total() => Err(ValidationError::new(
            "balancer",
            format!(
                "no balancer number {} (there are {})",
                u32::from(b) + 1,
                f.total()
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// The front as a run has it: which balancers are up, and how clients find one.
#[derive(Clone, Debug)]
pub struct FrontState {
    up: Vec<bool>,
    entry: Entry,
    /// The regions, when there are.
    geography: Option<Geography>,
    /// Balancers in each region (all of them without regions).
    per_region: usize,
    /// The client population the regions split.
    clients: u32,
    /// The local balancers under the regional ones, when there are.
    tier: Option<Tier>,
}

#[derive(Clone, Debug)]
enum Entry {
    Dns(Resolver),
    Vrrp(Vrrp),
}

/// One balancer as a reader sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BalancerState {
    /// Whether it is up.
    pub up: bool,
    /// Its VRRP role, in a VRRP group.
    pub role: Option<Role>,
}

impl FrontState {
    /// Every balancer up; for DNS, `clients` clients with nothing cached.
    pub fn new(front: &Front, clients: u32) -> FrontState {
        let entry = match &front.spread {
            Spread::Dns(dns) => Entry::Dns(Resolver::new(*dns, clients)),
            Spread::Vrrp(v) => Entry::Vrrp(Vrrp::new(v.clone())),
        };
        FrontState {
            up: vec![true; front.total()],
            entry,
            geography: (!front.regions.is_empty())
                .then(|| Geography::new(&front.regions, &front.latency)),
            per_region: usize::from(front.balancers),
            clients,
            tier: front
                .local
                .map(|l| Tier::new(l, front.regions.len(), front.balancers)),
        }
    }

    /// The local tier, in hierarchical balancing.
    pub fn tier(&self) -> Option<&Tier> {
        self.tier.as_ref()
    }

    /// Whether balancer `b` is a local one (under a regional one).
    pub fn is_local(&self, b: u8) -> bool {
        self.tier.as_ref().is_some_and(|t| t.is_local(b))
    }

    /// Regional balancer `regional` picks one of its region's local balancers for the request
    /// `key`, by how many servers `in_rotation` says each one's cluster has: `None` when no local
    /// balancer is up with a server to offer.
    pub fn pick_local(
        &mut self,
        regional: u8,
        key: crate::sim::balancer::RequestKey,
        now: SimTime,
        rng: &mut crate::sim::rng::SimRng,
        servers: usize,
        in_rotation: impl Fn(std::ops::Range<usize>) -> u32,
    ) -> Option<u8> {
        let FrontState {
            up,
            geography,
            tier,
            ..
        } = self;
        let (tier, g) = (tier.as_mut()?, geography.as_ref()?);
        let region = g.servers_of(tier.region_of(regional), servers);
        tier.pick(regional, region, key, now, rng, |b, cluster| {
            local_weight(up, b, cluster, &in_rotation)
        })
    }

    /// The local balancers regional balancer `regional` sends to, each with its weight in its
    /// round robin (what [`pick_local`](Self::pick_local) weighs it by): empty without a local
    /// tier, or for a local balancer.
    pub fn local_shares(
        &self,
        regional: u8,
        servers: usize,
        in_rotation: impl Fn(std::ops::Range<usize>) -> u32,
    ) -> Vec<(u8, u32)> {
        let (Some(tier), Some(g)) = (&self.tier, &self.geography) else {
            return Vec::new();
        };
        if tier.is_local(regional) {
            return Vec::new();
        }
        let region = g.servers_of(tier.region_of(regional), servers);
        tier.locals(tier.region_of(regional))
            .map(|b| {
                let cluster = tier.cluster(b, region.clone());
                (b, local_weight(&self.up, b, cluster, &in_rotation))
            })
            .collect()
    }

    /// The regions, when there are.
    pub fn geography(&self) -> Option<&Geography> {
        self.geography.as_ref()
    }

    /// The region balancer `b` is in, with regions.
    pub fn region_of(&self, b: u8) -> Option<usize> {
        self.geography.as_ref().map(|_| match &self.tier {
            Some(t) => t.region_of(b),
            None => usize::from(b) / self.per_region,
        })
    }

    /// The name of the region balancer `b` is in, with regions.
    pub fn region_name(&self, b: u8) -> Option<&str> {
        let r = self.region_of(b)?;
        self.geography.as_ref().map(|g| g.name(r))
    }

    /// The region `client` lives in, with regions.
    pub fn client_region(&self, client: u32) -> Option<usize> {
        let g = self.geography.as_ref()?;
        Some(g.client_region(client, self.clients))
    }

    /// The one-way delay between `client` and balancer `b`, with regions.
    pub fn client_delay(&self, client: u32, b: u8) -> Option<SimDuration> {
        let g = self.geography.as_ref()?;
        let home = g.client_region(client, self.clients);
        Some(g.delay(home, self.region_of(b)?))
    }

    /// The regional balancers of region `r` (all of them without regions), as a range of
    /// indices; a local tier's balancers are [`Tier::locals`].
    pub fn balancers_of(&self, r: usize) -> std::ops::Range<usize> {
        match self.geography {
            Some(_) => r * self.per_region..(r + 1) * self.per_region,
            None => 0..self.up.len(),
        }
    }

    /// The servers balancer `b` sends to, with regions: its region's (a local balancer's
    /// cluster of them), of `servers` in all.
    pub fn servers_of(&self, b: u8, servers: usize) -> Option<std::ops::Range<usize>> {
        let g = self.geography.as_ref()?;
        let region = g.servers_of(self.region_of(b)?, servers);
        Some(match &self.tier {
            Some(t) if t.is_local(b) => t.cluster(b, region),
            _ => region,
        })
    }

    /// The client population changed (the regions split the new one).
    pub fn set_clients(&mut self, clients: u32) {
        self.clients = clients;
    }

    /// How many balancers there are.
    pub fn len(&self) -> usize {
        self.up.len()
    }

    /// Always false: a front has at least two balancers.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }

    /// Each balancer's state, in order.
    pub fn balancers(&self) -> impl Iterator<Item = BalancerState> + '_ {
        self.up.iter().enumerate().map(|(b, &up)| BalancerState {
            up,
            role: match &self.entry {
                Entry::Vrrp(v) => Some(v.roles()[b]),
                Entry::Dns(_) => None,
            },
        })
    }

    /// Whether balancer `b` is up.
    pub fn is_up(&self, b: u8) -> bool {
        self.up[usize::from(b)]
    }

    /// The address `client` sends to at `now`: a balancer named by its (cached or fresh) DNS
    /// answer, or [`NOT_YET`] for the VRRP group's virtual address. With regions the answer is
    /// a balancer of the client's region, or, health-checked, of the nearest region with a
    /// balancer up and, of the run's `servers`, one that `serving` says takes traffic.
    pub fn address(
        &mut self,
        client: u32,
        now: SimTime,
        servers: usize,
        serving: impl Fn(std::ops::Range<usize>) -> bool,
    ) -> u8 {
        let FrontState {
            up,
            entry,
            geography,
            per_region,
            clients,
            tier,
        } = self;
        let Entry::Dns(dns) = entry else {
            return NOT_YET;
        };
        let config = dns.config();
        dns.resolve(client, now, |query| {
            let Some(g) = geography.as_ref() else {
                return config.rotate(query, 0, up.len(), up);
            };
            let home = g.client_region(client, *clients);
            let region = if config.health_checked {
                let healthy = |r: usize| {
                    let balancers = r * *per_region..(r + 1) * *per_region;
                    let locals_up = tier
                        .as_ref()
                        .is_none_or(|t| t.locals(r).any(|b| up[usize::from(b)]));
                    up[balancers].contains(&true) && locals_up && serving(g.servers_of(r, servers))
                };
                g.nearest(home)
                    .iter()
                    .copied()
                    .find(|&r| healthy(r))
                    .unwrap_or(home)
            } else {
                home
            };
            config.rotate(query, region * *per_region, *per_region, up)
        })
    }

    /// The balancer that answers a connection to `address` now, if any.
    pub fn answering(&self, address: u8) -> Option<u8> {
        match &self.entry {
            Entry::Vrrp(v) => v.master(),
            Entry::Dns(_) => self.is_up(address).then_some(address),
        }
    }

    /// Where a client's connection that balancer `b` took goes: `b`, or in a VRRP group the
    /// virtual address ([`NOT_YET`]), which whichever balancer is master holds.
    pub fn address_of(&self, b: u8) -> u8 {
        match &self.entry {
            Entry::Vrrp(_) => NOT_YET,
            Entry::Dns(_) => b,
        }
    }

    /// Balancer `b` crashes at `now`.
    pub fn crash(&mut self, b: u8, now: SimTime) {
        self.up[usize::from(b)] = false;
        if let Entry::Vrrp(v) = &mut self.entry {
            v.crash(b, now);
        }
    }

    /// Balancer `b` comes back at `now` (in a VRRP group, the address owner takes over at once).
    pub fn revive(&mut self, b: u8, now: SimTime) -> Option<VrrpChange> {
        self.up[usize::from(b)] = true;
        match &mut self.entry {
            Entry::Vrrp(v) => v.revive(b, now),
            Entry::Dns(_) => None,
        }
    }

    /// When the VRRP group's timer is due, if it is armed.
    pub fn due(&self) -> Option<SimTime> {
        match &self.entry {
            Entry::Vrrp(v) => v.due(),
            Entry::Dns(_) => None,
        }
    }

    /// The VRRP group's timer ran out at `now`.
    pub fn on_timer(&mut self, now: SimTime) -> Option<VrrpChange> {
        match &mut self.entry {
            Entry::Vrrp(v) => v.on_timer(now),
            Entry::Dns(_) => None,
        }
    }

    /// The VRRP settings, in a VRRP group.
    pub fn vrrp(&self) -> Option<&VrrpConfig> {
        match &self.entry {
            Entry::Vrrp(v) => Some(v.config()),
            Entry::Dns(_) => None,
        }
    }

    /// How many clients' cached DNS answers name `b` at `now` (DNS only).
    pub fn cached_on(&self, b: u8, now: SimTime) -> Option<u32> {
        match &self.entry {
            Entry::Dns(dns) => Some(dns.cached_on(b, now)),
            Entry::Vrrp(_) => None,
        }
    }
}

/// A local balancer's weight in its regional balancers' round robin: its cluster's servers in
/// rotation, as `in_rotation` counts them, or 0 while it is down.
fn local_weight(
    up: &[bool],
    b: u8,
    cluster: std::ops::Range<usize>,
    in_rotation: impl Fn(std::ops::Range<usize>) -> u32,
) -> u32 {
    if up[usize::from(b)] {
        in_rotation(cluster)
    } else {
        0
    }
}

/// The wait before a client's `n`-th retransmission of an unanswered SYN (n from 1), or, after
/// the last, before it gives up: 1 s, doubling.
pub fn syn_backoff(n: u8) -> SimDuration {
    SimDuration::from_secs(1 << (n.min(SYN_RETRIES + 1) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vrrp_front(priorities: Vec<u8>) -> Front {
        Front::new(
            priorities.len() as u8,
            Spread::Vrrp(VrrpConfig {
                priorities,
                ..VrrpConfig::default()
            }),
        )
    }

    #[test]
    fn syn_retransmissions_back_off_to_linuxs_127_seconds() {
        let waits: Vec<u64> = (1..=SYN_RETRIES + 1)
            .map(|n| syn_backoff(n).0 / 1_000_000)
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(waits.iter().sum::<u64>(), 127);
    }

    #[test]
    fn bad_settings_are_named() {
        let one = Front::new(1, Spread::Dns(DnsConfig::default()));
        assert_eq!(
            one.validate("front", 4).unwrap_err().field,
            "front.balancers"
        );
        let err = vrrp_front(vec![150]).validate("front", 4).unwrap_err();
        assert_eq!(err.field, "front.balancers");
        let mut three = vrrp_front(vec![150, 100, 100]);
        let err = three.validate("front", 4).unwrap_err();
        assert_eq!(err.field, "front.spread.vrrp.priorities[2]");
        three.balancers = 2;
        let err = three.validate("front", 4).unwrap_err();
        assert_eq!(err.field, "front.spread.vrrp.priorities");
        let odd = Front {
            spread: Spread::Vrrp(VrrpConfig {
                advert_interval: SimDuration::from_millis(1_005),
                ..VrrpConfig::default()
            }),
            ..vrrp_front(vec![150, 100])
        };
        assert!(
            odd.validate("front", 4)
                .unwrap_err()
                .problem
                .contains("10 ms")
        );
        assert!(vrrp_front(vec![150, 100]).validate("front", 4).is_ok());
    }

    #[test]
    fn the_virtual_address_is_answered_by_the_master_and_dns_by_the_named_balancer() {
        let mut pair = FrontState::new(&vrrp_front(vec![100, 200]), 10);
        assert_eq!(pair.address(3, super::SimTime::ZERO, 4, |_| true), NOT_YET);
        assert_eq!(pair.answering(NOT_YET), Some(1));
        pair.crash(1, super::SimTime(5));
        assert_eq!(pair.answering(NOT_YET), None);
        let mut dns = FrontState::new(&Front::new(3, Spread::Dns(DnsConfig::default())), 10);
        dns.crash(1, super::SimTime::ZERO);
        assert_eq!(dns.answering(1), None);
        assert_eq!(dns.answering(2), Some(2));
    }
}
