//! State-machine transitions in words: health checks, passive checks, circuit breakers, retries
//! and remaps, each with the settings and numbers that decided it.

use super::{name, plural};
use crate::sim::breaker::{
    BreakerConfig, BreakerRule, BreakerState, Consecutive, Hystrix, Resilience4j, WindowKind,
};
use crate::sim::events::{
    BreakerEvent, HealthEvent, KeyKind, Membership, PassiveEvent, RemapEvent, RetryCause,
    RetryEvent,
};
use crate::sim::health::{CheckFailure, CheckKind, HealthTransition};
use crate::sim::passive::{EnvoyOutlier, NginxPassive, Passive, PassiveTransition};
use crate::sim::server::Server;

/// A check failure in words, e.g. `connection refused`.
fn check_failure(failure: CheckFailure) -> &'static str {
    match failure {
        CheckFailure::Refused => "connection refused",
        CheckFailure::Error => "error response",
        CheckFailure::Timeout => "timeout",
        CheckFailure::Unexpected => "200 OK without the expected body",
    }
}

pub(super) fn health_text(e: &HealthEvent, name: &str) -> String {
    let what = match e.transition {
        HealthTransition::Up { passes } => format!("UP after {passes} passed checks"),
        HealthTransition::Down { failures, failure } => format!(
            "DOWN after {failures} failed check{} ({}, timeout {})",
            plural(failures),
            check_failure(failure),
            e.check.timeout
        ),
    };
    format!("{name} {what} (health {}/{})", e.health, e.max)
}

pub(super) fn health_cause(e: &HealthEvent) -> String {
    let c = &e.check;
    let mut every = format!("every {}", c.inter);
    if let Some(fast) = c.fastinter {
        every += &format!(" (fastinter {fast} while changing)");
    }
    if let Some(down) = c.downinter {
        every += &format!(" (downinter {down} while DOWN)");
    }
    if let Some(cap) = c.backoff_cap {
        every += &format!(
            ", doubling while DOWN up to {cap} (this playground's option, not HAProxy's: HAProxy checks a DOWN server every downinter)"
        );
    }
    let what = match c.kind {
        CheckKind::Http => "HTTP check (an error status fails it; the body is not read)",
        CheckKind::Tcp => "TCP check (connect only: answers are not read)",
        CheckKind::HttpExpect => {
            "HTTP check expecting the health page's OK in the body (http-check expect string OK)"
        }
    };
    let head = format!("HAProxy {what}: {every}, timeout {}", c.timeout);
    match e.transition {
        HealthTransition::Up { passes } => format!(
            "{head}, rise {}: the server was marked UP after {passes} consecutive passed check{}",
            c.rise,
            plural(passes)
        ),
        HealthTransition::Down { failures, failure } => {
            let early = if failures < c.fall {
                format!(
                    " (it was not fully UP yet, so falling below rise {} took fewer than fall {})",
                    c.rise, c.fall
                )
            } else {
                String::new()
            };
            format!(
                "{head}, fall {}: the server was marked DOWN after {failures} consecutive failed check{}{early}; last failure: {}",
                c.fall,
                plural(failures),
                check_failure(failure)
            )
        }
    }
}

pub(super) fn passive_text(e: &PassiveEvent, name: &str) -> String {
    let what = match e.transition {
        PassiveTransition::Skipped {
            fails,
            max_fails,
            fail_timeout,
        } => format!(
            "skipped for {fail_timeout} after {fails} failure{} (max_fails={max_fails})",
            plural(fails)
        ),
        PassiveTransition::ProbePassed => {
            "back in rotation: the probe after fail_timeout succeeded".into()
        }
        PassiveTransition::Ejected {
            consecutive_5xx,
            length,
            ejection,
        } => format!(
            "ejected for {length} after {consecutive_5xx} consecutive errors (ejection #{ejection})"
        ),
        PassiveTransition::EjectionOver => "ejection over: back in rotation".into(),
    };
    format!("{name} {what}")
}

pub(super) fn passive_cause(e: &PassiveEvent) -> String {
    let out = e.transition.out();
    match e.config {
        Passive::Off => "Passive checks are off".into(),
        Passive::Nginx(NginxPassive {
            max_fails,
            fail_timeout,
        }) => {
            let mut counted = String::from("connection errors and timeouts");
            if e.retry.on_500 {
                counted += ", 500s";
            }
            if e.retry.on_503 {
                counted += ", 503s";
            }
            let head = format!(
                "nginx passive check (max_fails={max_fails} fail_timeout={fail_timeout}), counting {counted} (what proxy_next_upstream retries on)"
            );
            if out {
                format!(
                    "{head}: {max_fails} failure{} within fail_timeout take{} a server out of rotation for fail_timeout; then one request goes through as a probe",
                    plural(max_fails),
                    if max_fails == 1 { "s" } else { "" }
                )
            } else {
                format!(
                    "{head}: fail_timeout passed since the last failure, one request went through as a probe and succeeded, so the failure count was reset"
                )
            }
        }
        Passive::Envoy(EnvoyOutlier {
            consecutive_5xx,
            base_ejection,
            max_ejection,
            max_ejection_share,
        }) => {
            let head = format!(
                "Envoy outlier detection (consecutive_5xx {consecutive_5xx}, base_ejection_time {base_ejection}, max_ejection_time {max_ejection}, max_ejection_percent {:.0}%), counting 5xx answers and local failures (refused, reset, timed out)",
                max_ejection_share * 100.0
            );
            match e.transition {
                PassiveTransition::Ejected { ejection, .. } => format!(
                    "{head}: {consecutive_5xx} errors in a row eject a host for base_ejection_time x its ejection count (this is ejection #{ejection}), at most max_ejection_time; at most max_ejection_percent of the hosts are out at once, but always at least one may be"
                ),
                _ => format!(
                    "{head}: the ejection time ran out, so the host takes traffic again; its ejection count drops by one for every {base_ejection} it stays healthy"
                ),
            }
        }
    }
}

pub(super) fn breaker_text(e: &BreakerEvent, name: &str) -> String {
    let reopened = e.transition.to == BreakerState::Open;
    let what = match e.transition.rule {
        BreakerRule::ConsecutiveFailures { threshold } => {
            format!("open after {threshold} consecutive failures")
        }
        BreakerRule::FailureRate {
            rate,
            threshold,
            calls,
        } => format!("open: failure rate {rate:.0}% >= {threshold}% over {calls} calls"),
        BreakerRule::SlowCallRate {
            rate,
            threshold,
            calls,
        } => format!("open: slow-call rate {rate:.0}% >= {threshold}% over {calls} calls"),
        BreakerRule::ErrorPercent {
            failures,
            calls,
            percent,
            threshold,
        } => format!(
            "open: {failures} of {calls} requests failed in 10 s ({percent:.0}% >= {threshold}%)"
        ),
        BreakerRule::WaitOver { waited, permitted } => match e.config {
            BreakerConfig::Resilience4j(_) => {
                format!("half-open after {waited} open: {permitted} trial calls")
            }
            BreakerConfig::Hystrix(_) => {
                format!("half-open: sleep window of {waited} over, one trial request")
            }
            _ => "half-open: timeout since the last failure passed, one trial call".into(),
        },
        BreakerRule::Trials {
            bad,
            permitted,
            rate,
            threshold,
        } => {
            if reopened {
                format!(
                    "open again: {bad} of {permitted} trial calls failed ({rate:.0}% >= {threshold}%)"
                )
            } else {
                format!(
                    "closed: {bad} of {permitted} trial calls failed ({rate:.0}% < {threshold}%)"
                )
            }
        }
        BreakerRule::Trial { ok: false } => "open again: the trial call failed".into(),
        BreakerRule::Trial { ok: true } => "closed: the trial call succeeded".into(),
    };
    format!("{name} breaker {what}")
}

pub(super) fn breaker_cause(e: &BreakerEvent) -> String {
    let permitted = e.config.permitted_half_open();
    let rule = match e.config {
        BreakerConfig::Off => "No circuit breaker".to_string(),
        BreakerConfig::Consecutive(Consecutive { threshold, timeout }) => format!(
            "Consecutive-failures breaker: threshold {threshold} failures, opens for {timeout}, then lets one trial call through"
        ),
        BreakerConfig::Resilience4j(Resilience4j {
            window,
            failure_rate,
            slow_rate,
            slow_call_duration,
            minimum_calls,
            wait_open,
            automatic_transition,
            ..
        }) => {
            let window = match window {
                WindowKind::Count(n) => format!("the last {n} calls"),
                WindowKind::Time(s) => format!("the calls of the last {s} s"),
            };
            let half_open = if automatic_transition {
                "by timer"
            } else {
                "on the next call"
            };
            format!(
                "Resilience4j breaker: a sliding window of {window}; once it holds {minimum_calls} calls it opens when the failure rate is >= {failure_rate}% or the slow-call rate (calls over {slow_call_duration}) is >= {slow_rate}%; it stays open {wait_open}, then turns half-open {half_open} and admits {permitted} trial calls"
            )
        }
        BreakerConfig::Hystrix(Hystrix {
            volume_threshold,
            error_percent,
            sleep_window,
        }) => format!(
            "Hystrix breaker: a 10 s rolling window; it opens when the window holds >= {volume_threshold} requests and >= {error_percent}% of them failed; it sleeps {sleep_window}, then lets one trial request through"
        ),
    };
    let now = match e.transition.to {
        BreakerState::Open => format!(
            "Now open: calls to this server are refused at the balancer, without being sent, until t={:.1} s",
            e.open_until.as_secs_f64()
        ),
        BreakerState::HalfOpen => format!(
            "Now half-open: the open time is over, so up to {permitted} trial call{} may go through; how the trials end decides whether it closes or opens again",
            plural(permitted)
        ),
        BreakerState::Closed => {
            "Now closed: the trial calls went well, so calls flow again and their results are watched"
                .to_string()
        }
    };
    format!("{rule}. {now}.")
}

pub(super) fn retry_text(e: &RetryEvent, name: &str) -> String {
    let c = &e.cause;
    format!(
        "request #{} retried after {} on {name} (try {} of {})",
        e.request,
        c.outcome.label(),
        c.tries + 1,
        c.policy.max_tries
    )
}

pub(super) fn retry_cause(c: &RetryCause) -> String {
    let (policy, max) = (&c.policy, c.policy.max_tries);
    let head = format!(
        "Retry policy: {}. The try ended with {}, a failure the policy retries, after {} of {max} tries; the next try goes to a server this request has not tried yet. ",
        policy.describe(),
        c.outcome.label(),
        c.tries
    );
    let budget = match policy.budget {
        None => "There is no retry budget, so every retryable failure is retried.".to_string(),
        Some(share) => format!(
            "Retry budget: at most {:.0}% of the active requests (at least {}) may be retries at once; with {} requests active and {} retries in progress, this one fits.",
            share * 100.0,
            policy.min_concurrent,
            c.active,
            c.retrying
        ),
    };
    head + &budget
}

fn keys(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Client => "client",
        KeyKind::Path => "path",
    }
}

pub(super) fn remap_text(e: &RemapEvent) -> String {
    format!(
        "consistent hashing moved {:.1}% of {} keys (modulo hashing would move {:.1}%)",
        e.moved.consistent * 100.0,
        keys(e.keys),
        e.moved.modulo * 100.0
    )
}

pub(super) fn remap_cause(e: &RemapEvent, servers: &[Server]) -> String {
    let changes: Vec<String> = e
        .changes
        .iter()
        .map(|&(server, change)| {
            let name = name(servers, server as usize);
            match change {
                Membership::Left => format!("{name} left"),
                Membership::Joined => format!("{name} joined"),
                Membership::Weight { from, to } => format!("{name} weight {from} -> {to}"),
            }
        })
        .collect();
    format!(
        "{} places servers on a hash ring and sends each {} key to the next server clockwise, so when the set of servers changes ({}) only the keys on the changed servers' arcs move. Over {} sampled keys {:.1}% moved; hashing modulo the server count ({} -> {} servers) changes almost every key's remainder, so {:.1}% would have moved.",
        e.algorithm.about().name,
        keys(e.keys),
        changes.join(", "),
        e.sampled,
        e.moved.consistent * 100.0,
        e.eligible.0,
        e.eligible.1,
        e.moved.modulo * 100.0
    )
}
