//! Regions: each with its clients, its balancers and its servers, a matrix of network delays
//! between them, and a global DNS (GeoDNS, a GSLB) that sends each client to the nearest region.
//!
//! A scenario's servers are split among the regions in order: the first region's `servers`
//! come first, then the next region's. Clients are split the same way, by their share: with
//! shares 0.5, 0.3 and 0.2 of 1,000 clients, clients 1 to 500 live in the first region. A
//! region's balancers send only to its own servers. The delay between a client and a balancer
//! is the matrix's entry for their two regions (its diagonal is the delay within a region);
//! the delay between a balancer and its servers is the scenario's `backend_latency`.
//!
//! The global DNS answers a client with a balancer of its nearest region. Health-checked (a
//! GSLB), it skips a region whose balancers are all down or whose servers are all out of
//! rotation, and takes the next nearest; clients keep their answer for the TTL, so they move
//! over only as their cached answers expire.

use crate::sim::scenario::MAX_LATENCY;
use crate::sim::time::SimDuration;
use crate::sim::validation::{ValidationError, check_duration, check_range};

/// The most regions a scenario may have.
pub const MAX_REGIONS: usize = 8;

/// One region.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Its name, e.g. `eu-west`.
    pub name: String,
    /// How many of the scenario's servers are its own (the next ones in order).
    pub servers: u32,
    /// Its share of the clients, 0 to 1 (the shares add up to 1).
    pub clients: f64,
}

/// The regions and the delays between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Geography {
    regions: Vec<Region>,
    /// One-way delays, client's region by balancer's region.
    latency: Vec<Vec<SimDuration>>,
    /// Per region, the other regions from nearest to farthest (itself first).
    nearest: Vec<Vec<usize>>,
    /// Per region, where its servers start.
    first_server: Vec<usize>,
}

impl Geography {
    /// The geography of `regions` with the `latency` matrix (checked).
    pub fn new(regions: &[Region], latency: &[Vec<SimDuration>]) -> Geography {
        let nearest = (0..regions.len())
            .map(|r| {
                let mut order: Vec<usize> = (0..regions.len()).collect();
                // Itself first, then by delay (ties in region order).
                order.sort_by_key(|&other| (other != r, latency[r][other]));
                order
            })
            .collect();
        let first_server = regions
            .iter()
            .scan(0, |start, r| {
                let first = *start;
                *start += r.servers as usize;
                Some(first)
            })
            .collect();
        Geography {
            regions: regions.to_vec(),
            latency: latency.to_vec(),
            nearest,
            first_server,
        }
    }

    /// How many regions there are.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Always false: a geography has regions.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Region `r`'s name.
    pub fn name(&self, r: usize) -> &str {
        &self.regions[r].name
    }

    /// The region client `client` of `clients` lives in.
    pub fn client_region(&self, client: u32, clients: u32) -> usize {
        let position = (f64::from(client) + 0.5) / f64::from(clients.max(1));
        let mut upto = 0.0;
        for (r, region) in self.regions.iter().enumerate() {
            upto += region.clients;
            if position < upto {
                return r;
            }
        }
        self.regions.len() - 1
    }

    /// The region server `server` belongs to (servers added during a run join the last).
    pub fn server_region(&self, server: usize) -> usize {
        self.first_server
            .iter()
            .rposition(|&first| first <= server)
            .unwrap_or(0)
    }

    /// The servers of region `r`, as a range of indices (the last region's runs to `servers`).
    pub fn servers_of(&self, r: usize, servers: usize) -> std::ops::Range<usize> {
        let end = self.first_server.get(r + 1).copied().unwrap_or(servers);
        self.first_server[r]..end
    }

    /// The one-way delay from a client in region `from` to a balancer in region `to`.
    pub fn delay(&self, from: usize, to: usize) -> SimDuration {
        self.latency[from][to]
    }

    /// Region `r` and the others, nearest first.
    pub fn nearest(&self, r: usize) -> &[usize] {
        &self.nearest[r]
    }
}

/// Checks `regions` and `latency` against a scenario of `servers` servers; the error names the
/// field under `field`.
pub fn check(
    field: &str,
    regions: &[Region],
    latency: &[Vec<SimDuration>],
    servers: usize,
) -> Result<(), ValidationError> {
    let n = regions.len();
    if !(2..=MAX_REGIONS).contains(&n) {
        return Err(ValidationError::new(
            format!("{field}.regions"),
            format!("{n} regions: give 2 to {MAX_REGIONS}"),
        ));
    }
    let mut share = 0.0;
    for (i, r) in regions.iter().enumerate() {
        let at = format!("{field}.regions[{i}]");
        if r.name.is_empty() || r.name.len() > 32 {
            return Err(ValidationError::new(
                format!("{at}.name"),
                "give a name of 1 to 32 characters",
            ));
        }
        if regions[..i].iter().any(|other| other.name == r.name) {
            return Err(ValidationError::new(
                format!("{at}.name"),
                format!("{:?} is another region's", r.name),
            ));
        }
        check_range(&format!("{at}.servers"), f64::from(r.servers), 1.0, 1e6)?;
        check_range(&format!("{at}.clients"), r.clients, 0.0, 1.0)?;
        share += r.clients;
    }
    if (share - 1.0).abs() > 1e-6 {
        return Err(ValidationError::new(
            format!("{field}.regions"),
            format!("the clients' shares add up to {share}, not 1"),
        ));
    }
    let counted: u64 = regions.iter().map(|r| u64::from(r.servers)).sum();
    if counted != servers as u64 {
        return Err(ValidationError::new(
            format!("{field}.regions"),
            format!("the regions have {counted} servers but the scenario has {servers}"),
        ));
    }
    if latency.len() != n || latency.iter().any(|row| row.len() != n) {
        return Err(ValidationError::new(
            format!("{field}.latency"),
            format!("give {n} rows of {n} delays: from each region to each"),
        ));
    }
    for (i, row) in latency.iter().enumerate() {
        for (j, &d) in row.iter().enumerate() {
            check_duration(
                &format!("{field}.latency[{i}][{j}]"),
                d,
                SimDuration::ZERO,
                MAX_LATENCY,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SimDuration {
        SimDuration::from_millis(v)
    }

    fn three() -> (Vec<Region>, Vec<Vec<SimDuration>>) {
        let region = |name: &str, servers, clients| Region {
            name: name.into(),
            servers,
            clients,
        };
        (
            vec![
                region("eu", 2, 0.5),
                region("us", 3, 0.3),
                region("ap", 1, 0.2),
            ],
            vec![
                vec![ms(5), ms(40), ms(120)],
                vec![ms(40), ms(5), ms(90)],
                vec![ms(120), ms(90), ms(5)],
            ],
        )
    }

    #[test]
    fn clients_and_servers_are_split_in_order() {
        let (regions, latency) = three();
        let g = Geography::new(&regions, &latency);
        let homes: Vec<usize> = (0..10).map(|c| g.client_region(c, 10)).collect();
        assert_eq!(homes, [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]);
        assert_eq!(g.servers_of(1, 6), 2..5);
        assert_eq!(g.servers_of(2, 7), 5..7, "an added server joins the last");
        assert_eq!(
            (g.server_region(1), g.server_region(2), g.server_region(6)),
            (0, 1, 2)
        );
        assert_eq!(g.nearest(2), [2, 1, 0]);
        assert_eq!(g.delay(0, 1), ms(40));
    }

    #[test]
    fn bad_geographies_are_named() {
        let (mut regions, latency) = three();
        assert!(check("front", &regions, &latency, 6).is_ok());
        let err = check("front", &regions, &latency, 7).unwrap_err();
        assert!(err.problem.contains("6 servers but the scenario has 7"));
        assert_eq!(
            check("front", &regions, &latency[..2], 6)
                .unwrap_err()
                .field,
            "front.latency"
        );
        regions[2].clients = 0.3;
        assert!(
            check("front", &regions, &latency, 6)
                .unwrap_err()
                .problem
                .contains("add up to 1.1")
        );
        regions[2].clients = 0.2;
        regions[1].name = "eu".into();
        assert_eq!(
            check("front", &regions, &latency, 6).unwrap_err().field,
            "front.regions[1].name"
        );
    }
}
