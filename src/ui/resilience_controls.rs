//! The failure-handling panel: active health checks, passive checks, the panic threshold, circuit
//! breakers and retries, each a choice of the real systems' settings.

use yew::prelude::*;

use super::choice::{Choice, choice_select};

use crate::sim::breaker::{BreakerConfig, Consecutive, Resilience4j, WindowKind};
use crate::sim::health::{ActiveCheck, CheckKind};
use crate::sim::passive::Passive;
use crate::sim::retry::RetryPolicy;
use crate::sim::{Command, Resilience, SimDuration};

fn health_choices() -> Vec<Choice> {
    let fast = ActiveCheck {
        fastinter: Some(SimDuration::from_millis(500)),
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    let tcp = ActiveCheck {
        kind: CheckKind::Tcp,
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    let body = ActiveCheck {
        kind: CheckKind::HttpExpect,
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    let backoff = ActiveCheck {
        backoff_cap: Some(SimDuration::from_secs(60)),
        ..ActiveCheck::HAPROXY_DEFAULT
    };
    vec![
        Choice {
            id: "haproxy",
            label: "HAProxy: inter 2 s, rise 2, fall 3",
            command: Command::SetHealthCheck(Some(ActiveCheck::HAPROXY_DEFAULT)),
        },
        Choice {
            id: "fast",
            label: "HAProxy with fastinter 500 ms",
            command: Command::SetHealthCheck(Some(fast)),
        },
        Choice {
            id: "tcp",
            label: "HAProxy TCP connect (no httpchk)",
            command: Command::SetHealthCheck(Some(tcp)),
        },
        Choice {
            id: "body",
            label: "HAProxy HTTP, http-check expect string (reads the body)",
            command: Command::SetHealthCheck(Some(body)),
        },
        Choice {
            id: "backoff",
            label: "HAProxy, then doubling to 60 s while DOWN (not HAProxy's)",
            command: Command::SetHealthCheck(Some(backoff)),
        },
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetHealthCheck(None),
        },
    ]
}

fn passive_choices() -> Vec<Choice> {
    vec![
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetPassive(Passive::Off),
        },
        Choice {
            id: "nginx",
            label: "nginx max_fails=1 fail_timeout=10s",
            command: Command::SetPassive(Passive::NGINX_DEFAULT),
        },
        Choice {
            id: "envoy",
            label: "Envoy outlier detection (5 x 5xx)",
            command: Command::SetPassive(Passive::ENVOY_DEFAULT),
        },
    ]
}

fn panic_choices() -> Vec<Choice> {
    vec![
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetPanicThreshold(None),
        },
        Choice {
            id: "50",
            label: "Envoy 50%",
            command: Command::SetPanicThreshold(Some(0.5)),
        },
    ]
}

/// Resilience4j tuned for a classroom: decisions after 10 calls, 10 s open, 3 trial calls.
fn classroom_resilience4j() -> BreakerConfig {
    BreakerConfig::Resilience4j(Resilience4j {
        window: WindowKind::Count(20),
        failure_rate: 50.0,
        slow_rate: 100.0,
        slow_call_duration: SimDuration::from_secs(5),
        minimum_calls: 10,
        wait_open: SimDuration::from_secs(10),
        permitted_half_open: 3,
        automatic_transition: false,
    })
}

fn breaker_choices() -> Vec<Choice> {
    let consecutive = BreakerConfig::Consecutive(Consecutive {
        threshold: 5,
        timeout: SimDuration::from_secs(10),
    });
    vec![
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetBreaker(BreakerConfig::Off),
        },
        Choice {
            id: "consecutive",
            label: "5 consecutive failures, 10 s open",
            command: Command::SetBreaker(consecutive),
        },
        Choice {
            id: "r4j",
            label: "Resilience4j: 50% of 20 calls, 3 trials",
            command: Command::SetBreaker(classroom_resilience4j()),
        },
        Choice {
            id: "hystrix",
            label: "Hystrix: 50% of >= 20 in 10 s, 5 s sleep",
            command: Command::SetBreaker(BreakerConfig::HYSTRIX_DEFAULT),
        },
    ]
}

fn retry_choices() -> Vec<Choice> {
    let all = RetryPolicy {
        on_500: true,
        on_503: true,
        ..RetryPolicy::NGINX_DEFAULT
    };
    let timeout = RetryPolicy {
        per_try_timeout: Some(SimDuration::from_secs(2)),
        ..all
    };
    let budget = RetryPolicy {
        budget: Some(0.2),
        ..timeout
    };
    vec![
        Choice {
            id: "off",
            label: "Off",
            command: Command::SetRetry(RetryPolicy::OFF),
        },
        Choice {
            id: "nginx",
            label: "nginx: error timeout, 3 tries",
            command: Command::SetRetry(RetryPolicy::NGINX_DEFAULT),
        },
        Choice {
            id: "5xx",
            label: "+ http_500 http_503",
            command: Command::SetRetry(all),
        },
        Choice {
            id: "timeout",
            label: "+ 2 s per-try timeout",
            command: Command::SetRetry(timeout),
        },
        Choice {
            id: "budget",
            label: "+ 20% retry budget",
            command: Command::SetRetry(budget),
        },
    ]
}

/// Whether `command` sets what is in force now.
fn in_force(command: &Command, current: &Resilience) -> bool {
    match *command {
        Command::SetHealthCheck(h) => h == current.health,
        Command::SetPassive(p) => p == current.passive,
        Command::SetPanicThreshold(p) => p == current.panic_threshold,
        Command::SetBreaker(b) => b == current.breaker,
        Command::SetRetry(r) => r == current.retry,
        _ => false,
    }
}

/// Props of [`ResilienceControls`].
#[derive(Properties, PartialEq)]
pub struct ResilienceControlsProps {
    /// The settings in force.
    pub resilience: Resilience,
    /// Retries so far.
    pub retries: u64,
    /// Receives the changes.
    pub on_command: Callback<Command>,
}

/// Selects for every failure-handling mechanism.
#[function_component]
pub fn ResilienceControls(props: &ResilienceControlsProps) -> Html {
    let current = props.resilience;
    let select = |id, label, tip, choices| {
        choice_select(
            id,
            label,
            tip,
            choices,
            |c| in_force(c, &current),
            &props.on_command,
        )
    };
    html! {
        <section class="panel resilience" aria-label="Failure handling">
            <h2 class="visually-hidden">{ "Failure handling" }</h2>
            { select("health-check", "Active health checks",
                "The balancer probes each server; a server is taken out after `fall` failed checks and back after `rise` passes. An HTTP check fails on an error status or a slow answer; one with http-check expect also fails a 200 whose body says a dependency is down; a TCP connect passes any server that accepts connections. Doubling while DOWN is this playground's option, not HAProxy's",
                health_choices()) }
            { select("passive", "Passive checks",
                "The balancer judges servers by the answers to real requests", passive_choices()) }
            { select("panic", "Panic threshold",
                "Envoy: when fewer than this share of servers is healthy, send traffic to all of them anyway", panic_choices()) }
            { select("breaker", "Circuit breakers",
                "One breaker per server: when it opens, requests to that server are refused at once instead of sent", breaker_choices()) }
            { select("retry", "Retries",
                "Send a failed try to another server (nginx proxy_next_upstream)", retry_choices()) }
            <p class="muted" title="Retries started since the run began">{ format!("{} retries so far", props.retries) }</p>
        </section>
    }
}
