//! Words for an inspected request ([`Story`]): what each hop was, and how and why it ended.

use super::name;
use crate::sim::engine::TraceRecord;
use crate::sim::inspect::Story;
use crate::sim::request::{Outcome, Phase};
use crate::sim::server::Server;

/// What a request does in `phase`, e.g. `waiting in the queue`.
pub fn phase_text(phase: Phase) -> &'static str {
    match phase {
        Phase::ToBalancer => "on its way to the load balancer",
        Phase::ToServer => "sent to the server",
        Phase::Delayed => "held by the rate limit",
        Phase::WaitingForBalancer => "waiting for a balancer core",
        Phase::AtBalancer => "being parsed by the balancer",
        Phase::Queued => "waiting in the queue",
        Phase::InService => "being served",
        Phase::ToBalancerBack => "the answer on its way back",
        Phase::ToClient => "the answer on its way to the client",
    }
}

/// How the request ended and why, in a sentence or two.
pub fn story_text(story: &Story, servers: &[Server]) -> String {
    let tried: Vec<&str> = story
        .servers()
        .iter()
        .map(|&s| name(servers, s as usize))
        .collect();
    let route = match tried.as_slice() {
        [] => String::new(),
        [one] => format!(" It went to {one}."),
        many => format!(
            " It was tried on {} ({} servers).",
            many.join(", then "),
            many.len()
        ),
    };
    let Some(record) = &story.finished else {
        return format!("Still on its way when the run's history ends.{route}");
    };
    format!("{}{route}", ending(record, tried.last().copied()))
}

/// The sentence for how `record` ended, at `last` (the last server tried).
fn ending(record: &TraceRecord, last: Option<&str>) -> String {
    let ms = record.latency.as_secs_f64() * 1e3;
    let at = last.unwrap_or("the server");
    let why = match record.outcome {
        Outcome::Success => return format!("Served in {ms:.0} ms."),
        Outcome::ServerError => format!("{at} answered with an error (500)"),
        Outcome::ConnectionFailed => format!("{at} was down and refused the connection"),
        Outcome::ServerCrashed => format!("{at} crashed while it held the request"),
        Outcome::Timeout => format!("{at} took longer than the try timeout (504)"),
        Outcome::NoServer => "no server was up to take it (502)".to_owned(),
        Outcome::NoServerLeft => {
            "its tries failed and no server was left to retry on (502)".to_owned()
        }
        Outcome::QueueFull => format!("{at}'s queue was full (503)"),
        Outcome::BreakerOpen => format!("{at}'s circuit breaker was open (503)"),
        Outcome::ClientTimeout => "the client stopped waiting: its timeout passed".to_owned(),
        Outcome::RateLimited => "the balancer's rate limit refused it".to_owned(),
        Outcome::OverCapacity => "the run already held its maximum of requests".to_owned(),
        Outcome::BalancerDown => {
            "its balancer was down: it crashed holding it, or never answered".to_owned()
        }
    };
    format!(
        "Failed after {ms:.0} ms and {} tr{}: {why}.",
        record.tries,
        if record.tries == 1 { "y" } else { "ies" },
    )
}
