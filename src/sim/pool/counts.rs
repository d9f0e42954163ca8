//! How the balancers know each server's load: the `active` number their algorithms pick by.
//!
//! One balancer counts the requests it sent that are not yet back. Several independent ones each
//! count their own ([`Counts::Own`]): the picking balancer's counts sit in the candidates, the
//! others' wait here and are swapped in when theirs picks. Or every balancer reads the servers'
//! load from a board refreshed every so often ([`Counts::Reported`], the "old information" of
//! Mitzenmacher's 2000 paper, or load reports from the servers): between refreshes everyone sees
//! the same stale numbers, and a least-loaded rule sends them all to the same server.

use crate::sim::balancer::Candidate;

/// Whose requests the candidates' `active` counts.
#[derive(Clone, Debug, Default)]
pub enum Counts {
    /// One balancer's own, in the candidates.
    #[default]
    Single,
    /// Each of several balancers its own.
    Own {
        /// Per balancer, its active requests per server (the entry of `viewing` is stale: its
        /// counts are in the candidates).
        parked: Vec<Vec<u32>>,
        /// The balancer whose counts the candidates hold.
        viewing: u8,
    },
    /// The servers' load as last reported, the same for every balancer.
    Reported {
        /// Per server, the requests the balancers sent it that are not yet back.
        outstanding: Vec<u32>,
    },
}

impl Counts {
    /// Room for one more server, idle.
    pub fn push(&mut self) {
        match self {
            Counts::Single => {}
            Counts::Own { parked, .. } => parked.iter_mut().for_each(|p| p.push(0)),
            Counts::Reported { outstanding } => outstanding.push(0),
        }
    }

    /// `server`'s slot is reused for a new, idle server.
    pub fn reset(&mut self, server: usize) {
        match self {
            Counts::Single => {}
            Counts::Own { parked, .. } => parked.iter_mut().for_each(|p| p[server] = 0),
            Counts::Reported { outstanding } => outstanding[server] = 0,
        }
    }

    /// Puts balancer `b`'s counts in `candidates`, for it to pick from.
    #[inline]
    pub fn view(&mut self, candidates: &mut [Candidate], b: u8) {
        let Counts::Own { parked, viewing } = self else {
            return;
        };
        if b == *viewing {
            return;
        }
        let [from, to] = parked
            .get_disjoint_mut([usize::from(*viewing), usize::from(b)])
            .expect("two different balancers");
        for ((c, parked), own) in candidates.iter_mut().zip(from).zip(to.iter()) {
            *parked = c.active;
            c.active = *own;
        }
        *viewing = b;
    }

    /// The balancer whose counts the candidates hold.
    pub fn viewing(&self) -> u8 {
        match self {
            Counts::Own { viewing, .. } => *viewing,
            Counts::Single | Counts::Reported { .. } => 0,
        }
    }

    /// Balancer `b`'s counts, when they are parked here rather than in the candidates (`None`
    /// when the candidates hold them, or every balancer shares one view).
    pub fn parked(&self, b: u8) -> Option<&[u32]> {
        match self {
            Counts::Own { parked, viewing } if b != *viewing => {
                parked.get(usize::from(b)).map(Vec::as_slice)
            }
            _ => None,
        }
    }

    /// Balancer `b`'s count of `server` changes by `delta` (a try sent, or back).
    pub fn add(&mut self, candidates: &mut [Candidate], server: usize, b: u8, delta: i32) {
        let count = match self {
            Counts::Single => &mut candidates[server].active,
            Counts::Own { viewing, .. } if b == *viewing => &mut candidates[server].active,
            Counts::Own { parked, .. } => &mut parked[usize::from(b)][server],
            Counts::Reported { outstanding } => &mut outstanding[server],
        };
        *count = count.checked_add_signed(delta).expect("counts stay whole");
    }

    /// Whether no balancer has a request out at `server`.
    pub fn idle(&self, candidates: &[Candidate], server: usize) -> bool {
        match self {
            Counts::Single => candidates[server].active == 0,
            Counts::Own { parked, viewing } => parked.iter().enumerate().all(|(b, p)| {
                if b == usize::from(*viewing) {
                    candidates[server].active == 0
                } else {
                    p[server] == 0
                }
            }),
            Counts::Reported { outstanding } => outstanding[server] == 0,
        }
    }
}
