//! The presets about clients' behaviour (issue 13): metastable retries, retry amplification
//! across two layers, and closed- against open-loop load. Listed in `sim::presets::PRESETS`.

use crate::sim::clients::{Backoff, ClientRetry, ClosedLoop, Jitter, RetryThrottle};
use crate::sim::command::{Command, TimedCommand};
use crate::sim::resilience::Resilience;
use crate::sim::retry::RetryPolicy;
use crate::sim::scenario::{Scenario, server};
use crate::sim::time::{SimDuration, SimTime};
use crate::sim::traffic::CostDistribution;

/// The client retry policy the metastable preset switches to: backoff with full jitter and
/// gRPC's retry budget (its example settings).
pub const BACKOFF_AND_BUDGET: ClientRetry = ClientRetry {
    max_attempts: 3,
    backoff: Backoff {
        base: SimDuration::from_millis(100),
        cap: SimDuration::from_secs(5),
        jitter: Jitter::Full,
    },
    budget: Some(RetryThrottle::GRPC_EXAMPLE),
};

/// When the metastable preset's slowdown starts and ends, and when it switches the clients to
/// [`BACKOFF_AND_BUDGET`].
pub const METASTABLE_TRIGGER: (u64, u64) = (20, 30);
/// See [`METASTABLE_TRIGGER`].
pub const METASTABLE_SWITCH: u64 = 60;

fn at(seconds: u64, command: Command) -> TimedCommand {
    TimedCommand {
        at: SimTime(seconds * 1_000_000),
        command,
    }
}

/// Every server of `s` at `speed` at `seconds`.
fn all_at_speed(s: &Scenario, seconds: u64, speed: f64) -> Vec<TimedCommand> {
    (0..s.servers.len())
        .map(|server| at(seconds, Command::SetSpeed { server, speed }))
        .collect()
}

/// Small, quick servers and short network hops: the preset's numbers come from queueing, not
/// from the classroom default's slow travel.
fn quick(title: &str, watch: &str, duration_s: u64, servers: usize, workers: u32) -> Scenario {
    let mut s = Scenario {
        title: title.into(),
        watch: watch.into(),
        duration: Some(SimDuration::from_secs(duration_s)),
        ..Scenario::classroom()
    };
    s.servers = (1..=servers)
        .map(|i| server(&format!("server-{i}"), 1, workers))
        .collect();
    s.traffic.cost = CostDistribution::Exponential {
        mean: SimDuration::from_millis(100),
    };
    s.client_latency = SimDuration::from_millis(20);
    s.backend_latency = SimDuration::from_millis(20);
    s.resilience = Resilience::NONE;
    s
}

/// `metastable-retries`.
pub fn metastable_retries() -> Scenario {
    let mut s = quick(
        "Metastable failure: retries keep the system down",
        "Four servers run at 70% load, each with a queue of at most 40; clients give up after \
         1 s and retry at once, up to 3 attempts. From 20 s to 30 s every server runs at a \
         quarter speed: requests time out, the clients retry, and the servers keep working on \
         the abandoned requests. When the slowdown ends nothing recovers: three attempts per \
         request are more than the servers can serve, the queues stay full of work nobody \
         waits for, every answer comes too late, and goodput stays near zero while the servers \
         are busy (throughput, dashed, stays high). The trigger is gone; the collapse stays. At \
         60 s the clients switch to exponential backoff with full jitter and gRPC's retry budget \
         (10 tokens, 0.1 per success): retries stop while failures dominate, the queues drain, \
         and goodput comes back.",
        120,
        4,
        2,
    );
    s.traffic.rate = 56.0; // 4 servers x 2 workers / 100 ms = 80 req/s of capacity
    for spec in &mut s.servers {
        spec.queue_limit = Some(40); // a full queue is 2 s of work: twice the clients' patience
    }
    s.traffic.client_timeout = Some(SimDuration::from_secs(1));
    s.traffic.client_retry = Some(ClientRetry::NAIVE);
    let (start, end) = METASTABLE_TRIGGER;
    s.timeline = all_at_speed(&s, start, 0.25);
    s.timeline.extend(all_at_speed(&s, end, 1.0));
    s.timeline.push(at(
        METASTABLE_SWITCH,
        Command::SetClientRetry(Some(BACKOFF_AND_BUDGET)),
    ));
    s
}

/// `retry-amplification`.
pub fn retry_amplification() -> Scenario {
    let mut s = quick(
        "Retry amplification across two layers",
        "Clients retry failed requests (3 attempts) and the balancer retries every 500 on \
         another server (3 tries): at worst 3 x 3 = 9 tries per request. At 20 s all three \
         servers start failing 90% of their requests: each request the clients first send now \
         costs the servers about six tries (watch the routed counts and the retry lines), \
         nearly all of them wasted. At 60 s the balancer's retries are switched off: one layer \
         of retries is left, and the load on the failing servers falls to under three tries per \
         request.",
        100,
        3,
        4,
    );
    s.traffic.rate = 20.0;
    s.traffic.client_retry = Some(ClientRetry::NAIVE);
    s.resilience.retry = RetryPolicy {
        on_500: true,
        ..RetryPolicy::NGINX_DEFAULT
    };
    s.timeline = (0..3)
        .map(|server| at(20, Command::SetErrorRate { server, rate: 0.9 }))
        .collect();
    s.timeline.push(at(60, Command::SetRetry(RetryPolicy::OFF)));
    s
}

/// The closed-loop users of `closed-vs-open-loop`.
pub const USERS: ClosedLoop = ClosedLoop {
    users: 120,
    think_time: SimDuration::from_secs(4),
};
/// The open arrival rate `closed-vs-open-loop` switches to: about what its users sent.
pub const OPEN_RATE: f64 = 28.0;

/// `closed-vs-open-loop`.
pub fn closed_vs_open_loop() -> Scenario {
    let mut s = quick(
        "Closed-loop users vs open-loop arrivals under a slowdown",
        "Two servers (40 req/s of capacity). Until 100 s the load is 120 closed-loop users, each \
         sending, waiting for the answer and thinking 4 s on average: about 28 req/s. From 30 s \
         to 45 s both servers run at a tenth of their speed: answers slow down, so the users \
         send less, and at most 120 requests are ever waiting. At 100 s the same load comes as \
         open (Poisson) arrivals at 28 req/s, which keep coming whatever the servers do: under \
         the same slowdown (130 s to 145 s) the queues grow to hundreds and take half a minute \
         to drain after it.",
        200,
        2,
        2,
    );
    s.traffic.rate = 0.0;
    s.traffic.closed_loop = Some(USERS);
    s.timeline = all_at_speed(&s, 30, 0.1);
    s.timeline.extend(all_at_speed(&s, 45, 1.0));
    s.timeline.push(at(100, Command::SetClosedLoop(None)));
    s.timeline.push(at(100, Command::SetRate(OPEN_RATE)));
    s.timeline.extend(all_at_speed(&s, 130, 0.1));
    s.timeline.extend(all_at_speed(&s, 145, 1.0));
    s
}
