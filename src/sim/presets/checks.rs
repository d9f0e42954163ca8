//! Presets about what a health check can see.

use super::{at, base};
use crate::sim::command::Command;
use crate::sim::health::{ActiveCheck, CheckKind};
use crate::sim::scenario::Scenario;

/// TCP checks pass a server that answers 500s and one that answers in seconds; HTTP checks
/// take both out.
pub(super) fn health_check_kinds() -> Scenario {
    let mut s = base(
        "Health-check kinds: TCP connect vs HTTP",
        "The balancer checks its servers with TCP connects, as HAProxy does without option \
         httpchk. At 10 s server-2 starts answering every request with a 500 and server-3 slows \
         to a twentieth of its speed: both still accept connections, so every TCP check passes, \
         they stay UP and keep getting a share of the traffic (errors and a p99 of many \
         seconds). At 40 s the checks become HTTP checks: server-2's check gets a 500 and \
         server-3's takes longer than the 1 s timeout, both are marked DOWN within a few seconds \
         and the errors stop. The two servers left now carry all the traffic, more than they \
         can serve: their queues and the latency climb for the rest of the run. Taking servers \
         out is only safe with capacity to spare.",
        90,
    );
    let tcp = ActiveCheck {
        kind: CheckKind::Tcp,
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    s.resilience.health = Some(tcp);
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
            40,
            Command::SetHealthCheck(Some(ActiveCheck::HAPROXY_DEFAULT)),
        ),
    ];
    s
}
