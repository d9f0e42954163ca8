//! Presets about what a health check can see.

use super::{at, base};
use crate::sim::command::Command;
use crate::sim::health::{ActiveCheck, CheckKind};
use crate::sim::scenario::Scenario;

/// Three servers go wrong in three ways, and each kind of check sees less than the next: a TCP
/// connect passes all three, an HTTP status check takes out the erroring and the slow one, and
/// only a check of the body takes out the one whose database is gone.
pub(super) fn health_check_kinds() -> Scenario {
    let mut s = base(
        "Health-check kinds: TCP connect, HTTP status, HTTP body",
        "Six servers, checked with TCP connects as HAProxy does without option httpchk. At 10 s \
         three go wrong: server-2 answers every request with a 500, server-3 slows to a \
         twentieth of its speed, and server-4 loses its database, so its requests fail while \
         its health page still answers 200 OK (with a body saying the database is down). All \
         three accept connections: every TCP check passes, they stay UP and half the requests \
         fail or take seconds. At 40 s the checks become HTTP checks of the status: server-2's \
         gets a 500 and server-3's takes longer than the 1 s timeout (its latency limit), both \
         are marked DOWN within a few seconds, but server-4's 200 passes and its failures go \
         on. At 70 s the checks also expect the body's OK (http-check expect string): the \
         first one marks server-4 DOWN and the errors stop. The three servers left carry the \
         traffic at about 83% load.",
        100,
    );
    s.servers = (1..=6)
        .map(|i| crate::sim::scenario::server(&format!("server-{i}"), 1, 2))
        .collect();
    let check = |kind| {
        Command::SetHealthCheck(Some(ActiveCheck {
            kind,
            ..ActiveCheck::HAPROXY_DEFAULT
        }))
    };
    s.resilience.health = Some(ActiveCheck {
        kind: CheckKind::Tcp,
        ..ActiveCheck::HAPROXY_DEFAULT
    });
    s.timeline = vec![
        at(
            10,
            Command::SetErrorRate {
                server: 1,
                rate: 1.0,
            },
        ),
        at(
            10,
            Command::SetSpeed {
                server: 2,
                speed: 0.05,
            },
        ),
        at(
            10,
            Command::SetDatabaseDown {
                server: 3,
                down: true,
            },
        ),
        at(40, check(CheckKind::Http)),
        at(70, check(CheckKind::HttpExpect)),
    ];
    s
}
