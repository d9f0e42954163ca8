use std::net::IpAddr;

use super::words::rule;
use super::*;
use crate::sim::balancer::{Candidate, PickContext, RequestKey};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;
use crate::sim::traffic::path_hash;

/// Every round of the exercise of `kind` drawn from `seed`, answered with the model answer.
fn rounds(kind: Kind, seed: u64) -> Vec<Round> {
    let mut exercise = Exercise::new(kind, seed);
    let mut all = Vec::new();
    loop {
        all.push(exercise.sheet().round.clone());
        exercise.pick(exercise.sheet().round.model);
        if !exercise.next_request() {
            return all;
        }
    }
}

/// The first server with the best `score` (lowest), as the textbook rules break ties.
fn first_best(scores: impl Iterator<Item = f64>) -> usize {
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in scores.enumerate() {
        if best.is_none_or(|(_, b)| s < b) {
            best = Some((i, s));
        }
    }
    best.map_or(0, |(i, _)| i)
}

fn load(c: &Candidate) -> f64 {
    f64::from(c.active) / f64::from(c.weight)
}

/// The server a student applying the rule to what the round shows would pick.
fn worked_out(round: &Round) -> usize {
    let servers = &round.servers;
    match &round.seen {
        Seen::CurrentWeights(current) => first_best(
            current
                .iter()
                .zip(servers)
                .map(|(cw, c)| -(cw + i64::from(c.weight)) as f64),
        ),
        Seen::Load => first_best(servers.iter().map(load)),
        Seen::IpHash { hash } => {
            let total: u32 = servers.iter().map(|c| c.weight).sum();
            let mut slot = hash.expect("a hash") % total;
            let mut i = 0;
            while slot >= servers[i].weight {
                slot -= servers[i].weight;
                i += 1;
            }
            i
        }
        Seen::Ring { position, next } => first_best(
            next.iter()
                .map(|p| f64::from(p.unwrap().wrapping_sub(*position))),
        ),
        Seen::Drawn { pair, second } => {
            let [a, b] = pair.expect("two servers drawn");
            match second {
                Some(s) => *s,
                None if load(&servers[a]) < load(&servers[b]) => a,
                None => b,
            }
        }
    }
}

/// A request from `ip` as the balancer sees it.
fn key(ip: IpAddr) -> RequestKey {
    RequestKey {
        client: 0,
        ip,
        session: 0,
        path: 0,
        path_hash: path_hash("/"),
    }
}

#[test]
fn the_model_answer_follows_from_what_is_shown() {
    for kind in Kind::ALL {
        for seed in 0..40 {
            for round in rounds(kind, seed) {
                assert_eq!(
                    worked_out(&round),
                    round.model,
                    "{kind:?} seed {seed}: {round:?}"
                );
            }
        }
    }
}

#[test]
fn the_model_answer_is_what_a_fresh_engine_picks_for_the_stateless_kinds() {
    // Least connections and the hashes depend only on the pool and the client: a balancer
    // built afresh must agree with the exercise's.
    for kind in [Kind::LeastConnections, Kind::IpHash, Kind::ConsistentHash] {
        for seed in 0..20 {
            for round in rounds(kind, seed) {
                let mut fresh = kind.algorithm().build();
                let ctx = PickContext {
                    pool: &round.servers,
                    key: key(round.client),
                    now: SimTime::ZERO,
                    pool_version: None,
                };
                let picked = fresh.pick(&ctx, &mut SimRng::from_seed(0));
                assert_eq!(picked, Some(round.model), "{kind:?} seed {seed}");
            }
        }
    }
}

#[test]
fn the_true_pick_is_right_and_any_other_is_wrong_with_the_model_answer() {
    for kind in Kind::ALL {
        for seed in 0..10 {
            // Two copies of one exercise: one always right, one always wrong. Both move on
            // with the algorithm's pick, so they stay the same exercise.
            let (mut good, mut bad) = (Exercise::new(kind, seed), Exercise::new(kind, seed));
            loop {
                let round = good.sheet().round.clone();
                assert_eq!(bad.sheet().round, round);
                let wrong = (round.model + 1) % round.servers.len();
                let right = good.pick(round.model).unwrap();
                assert!(right.right());
                let answer = bad.pick(wrong).unwrap();
                assert!(!answer.right());
                assert_eq!(answer.model, round.model, "{kind:?}: the model answer");
                assert!(!words::verdict(answer).is_empty());
                assert!(words::verdict(answer).contains(&words::name(round.model)));
                assert!(words::reason(&round).contains(&words::name(round.model)));
                if !good.next_request() {
                    break;
                }
                assert!(bad.next_request());
            }
            assert!(good.sheet().done() && bad.sheet().done());
            assert_eq!(good.sheet().score, Score { right: 5, picks: 5 });
            assert_eq!(bad.sheet().score, Score { right: 0, picks: 5 });
        }
    }
}

#[test]
fn a_fresh_seed_gives_a_fresh_exercise_and_the_same_seed_the_same() {
    for kind in Kind::ALL {
        assert_eq!(rounds(kind, 7), rounds(kind, 7), "{kind:?}");
        let firsts: std::collections::HashSet<String> = (0..5)
            .map(|seed| format!("{:?}", rounds(kind, seed)))
            .collect();
        assert_eq!(firsts.len(), 5, "{kind:?}: five seeds, five exercises");
    }
}

#[test]
fn a_request_is_answered_once_and_the_next_comes_only_after_it() {
    let mut exercise = Exercise::new(Kind::LeastConnections, 3);
    assert!(!exercise.next_request(), "no next request before an answer");
    let servers = exercise.sheet().round.servers.len();
    assert_eq!(exercise.pick(servers), None, "no such server");
    let model = exercise.sheet().round.model;
    let before = exercise.sheet().round.servers.clone();
    let busy: u32 = before.iter().map(|c| c.active).sum();
    assert!(exercise.pick(model).is_some());
    assert_eq!(exercise.pick(model), None, "answered already");
    assert!(exercise.next_request());
    let now = &exercise.sheet().round;
    assert_eq!(now.request, 1);
    let busy_now: u32 = now.servers.iter().map(|c| c.active).sum();
    assert!(
        busy_now == busy + 1 || busy_now == busy,
        "{busy} then {busy_now}"
    );
    let (had, has) = (before[model].active, now.servers[model].active);
    assert!(
        has == had + 1 || has == had,
        "the picked server got the request"
    );
}

#[test]
fn every_round_has_words_for_the_request_and_each_server() {
    for kind in Kind::ALL {
        assert!(Kind::from_id(kind.id()) == Some(kind));
        assert!(!rule(kind).is_empty());
        for round in rounds(kind, 11) {
            for i in 0..round.servers.len() {
                assert!(!words::server(&round, i).is_empty());
                assert!(words::pick_tip(&round, i).contains(&words::name(i)));
            }
        }
    }
}
