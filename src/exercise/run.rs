//! An exercise under way: its pool, the real balancer, the round on, and the grades.

use std::net::{IpAddr, Ipv4Addr};

use super::{Kind, Round};
use crate::sim::balancer::{Balancer, Candidate, RequestKey};
use crate::sim::rng::{SimRng, Stream};
use crate::sim::traffic::path_hash;

/// Requests in one exercise.
pub const ROUNDS: usize = 5;

/// A graded pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The server the student picked.
    pub picked: usize,
    /// The server the algorithm picked.
    pub model: usize,
}

impl Answer {
    /// Whether the student picked what the algorithm picked.
    pub fn right(self) -> bool {
        self.picked == self.model
    }
}

/// Right picks out of picks made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Picks the algorithm agreed with.
    pub right: u32,
    /// Picks made.
    pub picks: u32,
}

impl Score {
    /// Counts one graded pick.
    pub fn add(&mut self, answer: Answer) {
        self.picks += 1;
        self.right += u32::from(answer.right());
    }
}

/// What the page shows of an exercise: which one, the request on, its answer once given, and
/// the exercise's score so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// The algorithm the student stands in for.
    pub kind: Kind,
    /// The seed the exercise was drawn from.
    pub seed: u64,
    /// The request on.
    pub round: Round,
    /// The student's pick for it, graded, once made.
    pub answer: Option<Answer>,
    /// This exercise's picks so far.
    pub score: Score,
}

impl Sheet {
    /// Whether the last request has been answered.
    pub fn done(&self) -> bool {
        self.answer.is_some() && self.round.request + 1 == ROUNDS
    }
}

/// An exercise: a small pool drawn from a seed, routed by the project's own balancer for its
/// [`Kind`], one request at a time.
pub struct Exercise {
    sheet: Sheet,
    balancer: Box<dyn Balancer>,
    pool: Vec<Candidate>,
    /// The balancer's random stream (the power of two choices' draws).
    draws: SimRng,
    /// The exercise's own draws: the pool, the clients, which request finishes.
    world: SimRng,
}

impl Exercise {
    /// A fresh exercise of `kind` drawn from `seed`: 3 or 4 servers, their weights (and, for
    /// the least-loaded kinds, requests in progress), a balancer that has already routed a
    /// few requests (so smooth WRR starts somewhere in its cycle), and the first request.
    pub fn new(kind: Kind, seed: u64) -> Exercise {
        let mut world = SimRng::new(seed, Stream::Clients);
        let mut draws = SimRng::new(seed, Stream::Balancer);
        let servers = 3 + world.below(2);
        let pool: Vec<Candidate> = (0..servers)
            .map(|id| Candidate {
                active: if kind.loaded() { world.below(6) } else { 0 },
                ..Candidate::new(id, 1 + world.below(kind.max_weight()))
            })
            .collect();
        let mut balancer = kind.algorithm().build();
        let total: u32 = pool.iter().map(|c| c.weight).sum();
        // Requests routed before the exercise begins: their rounds are not shown.
        for _ in 0..world.below(total) {
            let key = request_key(&mut world, 0, None);
            Round::route(kind, 0, balancer.as_mut(), &pool, key, &mut draws);
        }
        let key = request_key(&mut world, 0, None);
        let round = Round::route(kind, 0, balancer.as_mut(), &pool, key, &mut draws)
            .expect("a pool of live servers always has a server to pick");
        Exercise {
            sheet: Sheet {
                kind,
                seed,
                round,
                answer: None,
                score: Score::default(),
            },
            balancer,
            pool,
            draws,
            world,
        }
    }

    /// What the page shows.
    pub fn sheet(&self) -> &Sheet {
        &self.sheet
    }

    /// Grades the student's pick of `server` for the request on; `None` (and nothing changes)
    /// if it was already answered or there is no such server.
    pub fn pick(&mut self, server: usize) -> Option<Answer> {
        let sheet = &mut self.sheet;
        if sheet.answer.is_some() || server >= self.pool.len() {
            return None;
        }
        let answer = Answer {
            picked: server,
            model: sheet.round.model,
        };
        sheet.answer = Some(answer);
        sheet.score.add(answer);
        Some(answer)
    }

    /// Goes on to the next request once this one is answered: the algorithm's pick gets the
    /// request, a request on one server (drawn at random) may finish, and the balancer routes
    /// the next one. False (nothing changes) before the answer or after the last request.
    pub fn next_request(&mut self) -> bool {
        let sheet = &self.sheet;
        if sheet.answer.is_none() || sheet.done() {
            return false;
        }
        let (request, last_client) = (sheet.round.request + 1, sheet.round.client);
        self.pool[sheet.round.model].active += 1;
        let finishing = self.world.below(self.pool.len() as u32) as usize;
        let server = &mut self.pool[finishing];
        server.active = server.active.saturating_sub(1);
        let key = request_key(&mut self.world, request, Some(last_client));
        let kind = self.sheet.kind;
        let round = Round::route(
            kind,
            request,
            self.balancer.as_mut(),
            &self.pool,
            key,
            &mut self.draws,
        )
        .expect("a pool of live servers always has a server to pick");
        self.sheet.round = round;
        self.sheet.answer = None;
        true
    }
}

/// Request `request`'s key: a client address drawn at random, sometimes in the same /24 as the
/// previous client's (`after`), which ip_hash cannot tell apart.
fn request_key(world: &mut SimRng, request: usize, after: Option<IpAddr>) -> RequestKey {
    let host = 1 + world.below(254) as u8;
    let ip = match after {
        Some(IpAddr::V4(previous)) if world.chance(0.25) => {
            let [a, b, c, _] = previous.octets();
            Ipv4Addr::new(a, b, c, host)
        }
        _ => Ipv4Addr::new(
            10 + world.below(200) as u8,
            world.below(256) as u8,
            world.below(256) as u8,
            host,
        ),
    };
    RequestKey {
        client: request as u32,
        ip: IpAddr::V4(ip),
        session: u64::from(world.below(u32::MAX)),
        path: 0,
        path_hash: path_hash("/"),
    }
}
