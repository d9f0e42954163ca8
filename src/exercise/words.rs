//! The sentences of an exercise: the rule the student applies, what the request shows, each
//! server's numbers, the verdict and the model answer's reason, all made from a [`Round`]'s
//! data.

use super::{Answer, Kind, Round, Seen, Sheet};
use crate::sim::balancer::Candidate;

/// A server's name as the exercise shows it (numbered from 1).
pub fn name(server: usize) -> String {
    format!("server-{}", server + 1)
}

/// What the exercises are called.
pub const TITLE: &str = "You are the balancer";

/// How the algorithm decides, in one sentence the student applies.
pub fn rule(kind: Kind) -> &'static str {
    match kind {
        Kind::SmoothWeighted => {
            "Each server's current weight grows by its weight; the largest wins (the first on a tie) and pays back the total weight."
        }
        Kind::LeastConnections => {
            "The server with the fewest active requests per unit of weight wins; on a tie, the first in the list."
        }
        Kind::IpHash => {
            "The first three octets of the client's address hash to a number; that number modulo the total weight is a slot, and each server owns as many slots as its weight, in order."
        }
        Kind::ConsistentHash => {
            "The client's address hashes to a place on the ring; the request goes to the server with the first point clockwise from there."
        }
        Kind::TwoChoices => {
            "Two different servers are drawn at random by weight; the one with fewer active requests per unit of weight wins, the one drawn second on a tie."
        }
    }
}

/// The request on and what it shows beyond the servers' own numbers.
pub fn request(sheet: &Sheet) -> String {
    let round = &sheet.round;
    let head = format!("A request from {}.", round.client);
    let seen = match &round.seen {
        Seen::CurrentWeights(_) | Seen::Load => String::new(),
        Seen::IpHash { hash: Some(hash) } => {
            let total = total_weight(&round.servers);
            format!(
                " Its first three octets hash to {hash}; {hash} mod {total} (the total weight) = {}.",
                hash % total
            )
        }
        Seen::IpHash { hash: None } => " Its hash found no server.".into(),
        Seen::Ring { position, .. } => format!(
            " Its address hashes to {} of the way round the ring.",
            ring_share(*position)
        ),
        Seen::Drawn {
            pair: Some([a, b]),
            second,
        } => match second {
            Some(s) => format!(
                " Drawn: {} and {} ({} second).",
                name(*a),
                name(*b),
                name(*s)
            ),
            None => format!(" Drawn: {} and {}.", name(*a), name(*b)),
        },
        Seen::Drawn { pair: None, .. } => " The draws found only one server.".into(),
    };
    head + &seen
}

/// Server `i`'s numbers, as its button shows them.
pub fn server(round: &Round, i: usize) -> String {
    let c = &round.servers[i];
    match &round.seen {
        Seen::CurrentWeights(current) => {
            format!("weight {}, current weight {}", c.weight, current[i])
        }
        Seen::Load | Seen::Drawn { .. } => format!(
            "weight {}, {} active ({:.2} per weight)",
            c.weight,
            c.active,
            f64::from(c.active) / f64::from(c.weight)
        ),
        Seen::IpHash { .. } => {
            let (from, to) = slots(&round.servers, i);
            if from == to {
                format!("weight {}: slot {from}", c.weight)
            } else {
                format!("weight {}: slots {from} to {to}", c.weight)
            }
        }
        Seen::Ring { position, next } => match next[i] {
            Some(point) => format!(
                "next point {} ahead",
                ring_share(point.wrapping_sub(*position))
            ),
            None => "no points".into(),
        },
    }
}

/// What picking server `i` does, for its tooltip.
pub fn pick_tip(round: &Round, i: usize) -> String {
    format!(
        "Send request {} to {} ({})",
        round.request + 1,
        name(i),
        server(round, i)
    )
}

/// Whether the pick was right, and the model answer when it was not.
pub fn verdict(answer: Answer) -> String {
    if answer.right() {
        format!("Right: the balancer picks {} too.", name(answer.model))
    } else {
        format!(
            "Not quite: you picked {}; the balancer picks {}.",
            name(answer.picked),
            name(answer.model)
        )
    }
}

/// Why the algorithm picked what it picked, from the numbers it saw.
pub fn reason(round: &Round) -> String {
    let model = round.model;
    let servers = &round.servers;
    match &round.seen {
        Seen::CurrentWeights(current) => {
            let grown: Vec<i64> = current
                .iter()
                .zip(servers)
                .map(|(cw, c)| cw + i64::from(c.weight))
                .collect();
            let list: Vec<String> = grown.iter().map(i64::to_string).collect();
            format!(
                "Adding each weight gives current weights {}: {} has the largest, {}{}, and pays back the total weight {}.",
                list.join(", "),
                name(model),
                grown[model],
                tied(grown.iter().filter(|&&g| g == grown[model]).count()),
                total_weight(servers)
            )
        }
        Seen::Load => {
            let ties = servers
                .iter()
                .filter(|c| same_load(c, &servers[model]))
                .count();
            format!(
                "{} has the fewest active requests per unit of weight: {}{}.",
                name(model),
                per_weight(&servers[model]),
                tied(ties)
            )
        }
        Seen::IpHash { hash: Some(hash) } => {
            let total = total_weight(servers);
            let (from, to) = slots(servers, model);
            format!(
                "{hash} mod {total} = {} falls in {}'s slots, {from} to {to}.",
                hash % total,
                name(model)
            )
        }
        Seen::Ring { position, next } => match next[model] {
            Some(point) => format!(
                "The first point clockwise from the key is {}'s, {} of the ring ahead.",
                name(model),
                ring_share(point.wrapping_sub(*position))
            ),
            None => fallback(model),
        },
        Seen::Drawn {
            pair: Some([a, b]),
            second,
        } => {
            let other = if *a == model { *b } else { *a };
            if second.is_some() {
                format!(
                    "The two drawn carry the same load ({} and {}), so the one drawn second, {}, wins.",
                    per_weight(&servers[model]),
                    per_weight(&servers[other]),
                    name(model)
                )
            } else {
                format!(
                    "Of the two drawn, {} has fewer active requests per unit of weight: {} against {}'s {}.",
                    name(model),
                    per_weight(&servers[model]),
                    name(other),
                    per_weight(&servers[other])
                )
            }
        }
        Seen::IpHash { hash: None } | Seen::Drawn { pair: None, .. } => fallback(model),
    }
}

/// The score in words: "3 of 5 right".
pub fn score(right: u32, picks: u32) -> String {
    format!("{right} of {picks} right")
}

/// The reason when the algorithm's own fallback chose.
fn fallback(model: usize) -> String {
    format!(
        "The algorithm fell back to round robin, which chose {}.",
        name(model)
    )
}

/// " (the first of those tied)" when `ties` servers share the winning number.
fn tied(ties: usize) -> &'static str {
    if ties > 1 {
        " (the first of those tied)"
    } else {
        ""
    }
}

/// Whether two servers carry the same active requests per unit of weight.
fn same_load(a: &Candidate, b: &Candidate) -> bool {
    u64::from(a.active) * u64::from(b.weight) == u64::from(b.active) * u64::from(a.weight)
}

/// "3 / 2 = 1.50": active requests per unit of weight.
fn per_weight(c: &Candidate) -> String {
    format!(
        "{} / {} = {:.2}",
        c.active,
        c.weight,
        f64::from(c.active) / f64::from(c.weight)
    )
}

/// The sum of the servers' weights.
fn total_weight(servers: &[Candidate]) -> u32 {
    servers.iter().map(|c| c.weight).sum()
}

/// The first and last of server `i`'s ip_hash slots: its weight's worth, after the servers
/// before it.
fn slots(servers: &[Candidate], i: usize) -> (u32, u32) {
    let from = total_weight(&servers[..i]);
    (from, from + servers[i].weight - 1)
}

/// A distance or position on the 32-bit ring as a share of the way round.
fn ring_share(position: u32) -> String {
    format!("{:.3}%", f64::from(position) / 4_294_967_296.0 * 100.0)
}
