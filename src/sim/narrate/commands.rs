//! Commands in words: what a command changed, and who gave it.

use super::name;
use crate::sim::breaker::BreakerConfig;
use crate::sim::command::Command;
use crate::sim::events::{Before, CommandEvent, Origin, SkippedEvent};
use crate::sim::passive::Passive;
use crate::sim::server::Server;
use crate::sim::time::SimTime;

/// What the command did, e.g. `server-2 weight 1 -> 3`.
pub(super) fn text(event: &CommandEvent, servers: &[Server]) -> String {
    let name = |server: usize| name(servers, server);
    let before = event.before;
    match event.command {
        Command::Kill { server } => {
            let (busy, queued) = match before {
                Before::Load { busy, queued, .. } => (busy, queued),
                _ => (0, 0),
            };
            format!(
                "{} killed: the tries of its {busy} in service and {queued} queued requests fail",
                name(server)
            )
        }
        Command::Revive { server } => format!("{} revived", name(server)),
        Command::AddServer { weight, workers } => {
            let number = match before {
                Before::NewServer(n) => n,
                _ => servers.len() as u32,
            };
            format!("server-{number} added (weight {weight}, {workers} workers)")
        }
        Command::RemoveServer { server } => format!(
            "{} removed: no new requests, the ones it has finish",
            name(server)
        ),
        Command::Degrade { server, per_minute } => {
            if per_minute > 0.0 {
                format!(
                    "{} degrading: loses {:.0}% of its speed per minute",
                    name(server),
                    per_minute * 100.0
                )
            } else {
                format!("{} stops degrading", name(server))
            }
        }
        Command::SetWeight { server, weight } => match before {
            Before::Weight(old) => format!("{} weight {old} -> {weight}", name(server)),
            _ => format!("{} weight {weight}", name(server)),
        },
        Command::SetSpeed { server, speed } => match before {
            Before::Speed(old) => format!("{} {} -> {}", name(server), pace(old), pace(speed)),
            _ => format!("{} {}", name(server), pace(speed)),
        },
        Command::SetErrorRate { server, rate } => match before {
            Before::ErrorRate(old) => format!(
                "{} error rate {:.0}% -> {:.0}%",
                name(server),
                old * 100.0,
                rate * 100.0
            ),
            _ => format!("{} error rate {:.0}%", name(server), rate * 100.0),
        },
        Command::SetDatabaseDown { server, down } => {
            if down {
                format!(
                    "{}'s database is unreachable: its requests fail with 500s, its health page still answers 200",
                    name(server)
                )
            } else {
                format!("{}'s database is back", name(server))
            }
        }
        Command::Drain { server, on } => {
            if on {
                format!(
                    "{} draining: no new requests, the ones it has finish",
                    name(server)
                )
            } else {
                format!("{} back in rotation after draining", name(server))
            }
        }
        Command::SetBackup { server, backup } => {
            let role = if backup {
                "backup (used only when no primary can take a request)"
            } else {
                "primary"
            };
            format!("{} is now a {role}", name(server))
        }
        Command::SetAlgorithm(a) => match before {
            Before::Algorithm(old) => {
                format!("algorithm {} -> {}", old.about().name, a.about().name)
            }
            _ => format!("algorithm {}", a.about().name),
        },
        Command::SetSlowStart(s) => match before {
            Before::SlowStart(old) => {
                format!("slow start {} -> {}", old.describe(), s.describe())
            }
            _ => format!("slow start {}", s.describe()),
        },
        Command::SetClients {
            clients,
            behind_nat,
        } => format!("clients: {clients}, of which {behind_nat} behind one NAT address"),
        Command::SetHealthCheck(h) => match h {
            None => "active health checks off".into(),
            Some(h) => format!(
                "active health checks: inter {}, timeout {}, rise {}, fall {}",
                h.inter, h.timeout, h.rise, h.fall
            ),
        },
        Command::SetPassive(p) => format!("passive checks: {}", p.describe()),
        Command::SetPanicThreshold(p) => match p {
            None => "panic threshold off".into(),
            Some(p) => format!("panic threshold {:.0}%", p * 100.0),
        },
        Command::SetBreaker(b) => format!("circuit breakers: {}", b.describe()),
        Command::SetRetry(r) => format!("retries: {}", r.describe()),
        Command::SetRate(rate) => match before {
            Before::Rate(old) => format!("arrival rate {old} -> {rate} req/s"),
            _ => format!("arrival rate {rate} req/s"),
        },
        Command::SetPattern(p) => format!("arrival pattern: {}", p.describe()),
        Command::SetClientTimeout(t) => match t {
            Some(t) => format!("clients give up after {t}"),
            None => "clients wait forever".into(),
        },
        Command::SetRateLimit(limit) => match before {
            Before::RateLimit(old) => {
                format!("rate limit {} -> {}", old.describe(), limit.describe())
            }
            _ => format!("rate limit {}", limit.describe()),
        },
        Command::SetAutoscale(config) => {
            let words = |c: Option<crate::sim::autoscale::Autoscale>| {
                c.map_or_else(|| "off".to_string(), |c| c.describe())
            };
            match before {
                Before::Autoscale(old) => {
                    format!("autoscaling {} -> {}", words(old), words(config))
                }
                _ => format!("autoscaling {}", words(config)),
            }
        }
        Command::SetClientRetry(retry) => {
            let now = retry.map_or("off".into(), |r| r.describe());
            match before {
                Before::ClientRetry(old) => {
                    let old = old.map_or("off".into(), |r| r.describe());
                    format!("client retries {old} -> {now}")
                }
                _ => format!("client retries {now}"),
            }
        }
        Command::SetClosedLoop(closed) => match closed {
            Some(c) => format!("{} (beside the open arrivals)", c.describe()),
            None => "closed-loop users off: open arrivals only".into(),
        },
        Command::SetLayer(layer) => match before {
            Before::Layer(old) => format!("{} -> {}", old.describe(), layer.describe()),
            _ => layer.describe().to_string(),
        },
        Command::SetTls(mode) => match before {
            Before::Tls(old) => format!("{} -> {}", old.describe(), mode.describe()),
            _ => mode.describe().to_string(),
        },
        Command::SetMeanCost(mean) => match before {
            Before::MeanCost(old) => format!("mean request cost {old} -> {mean}"),
            _ => format!("mean request cost {mean}"),
        },
        Command::KillBalancer { balancer } => super::front::kill_text(balancer, before),
        Command::ReviveBalancer { balancer } => super::front::revive_text(balancer),
    }
}

/// A skipped timeline entry, in one line: which entry, the command as files write it, and why.
pub(super) fn skipped_text(event: &SkippedEvent) -> String {
    let command = serde_json::to_string(&event.command).unwrap_or_default();
    format!(
        "timeline {} ({command}) skipped: {}",
        entry_words(event.origin),
        event.reason.problem
    )
}

/// Why a timeline entry was skipped.
pub(super) fn skipped_cause(event: &SkippedEvent) -> String {
    format!(
        "The scenario's timeline {} could not apply when its time came ({}: {}). The timeline was checked when the run started; a command given since (removing a server, say) changed what it can apply to, so it was skipped and the run went on without it.",
        entry_words(event.origin),
        event.reason.field,
        event.reason.problem
    )
}

/// `entry 3 of 5` for a timeline origin.
fn entry_words(origin: Origin) -> String {
    match origin {
        Origin::Timeline { entry, of, .. } => format!("entry {} of {of}", entry + 1),
        Origin::User => "entry".into(),
    }
}

/// Who gave the command (applied at `at`), and for a kill how the balancer will find out.
pub(super) fn cause(event: &CommandEvent, at: SimTime) -> String {
    let mut cause = match event.origin {
        Origin::Timeline {
            entry,
            of,
            scheduled,
        } => format!(
            "The scenario's timeline applied this at its scheduled time t={:.1} s (entry {} of {of}): it comes with the scenario (a preset, a scenario file or a shared link), not from a click in this run.",
            scheduled.as_secs_f64(),
            entry + 1,
        ),
        Origin::User => format!(
            "You applied this at t={:.1} s, from the controls or a keyboard shortcut.",
            at.as_secs_f64()
        ),
    };
    if let Some(r) = event.watchers {
        let mut watching = vec![];
        if let Some(h) = r.health {
            watching.push(format!(
                "active health checks ({} failed checks, {} apart)",
                h.fall, h.inter
            ));
        }
        if r.passive != Passive::Off {
            watching.push(format!("passive checks ({})", r.passive.describe()));
        }
        if r.breaker != BreakerConfig::Off {
            watching.push(format!("its circuit breaker ({})", r.breaker.describe()));
        }
        cause += &if watching.is_empty() {
            " The balancer is not told, and nothing watches for it (no health checks, passive checks or breakers): it keeps sending requests there, and they fail.".to_string()
        } else {
            format!(
                " The balancer is not told: it finds out through {}.",
                watching.join(", ")
            )
        };
    }
    cause
}

/// A server's speed factor in words, with at most two decimals: `full speed`, `1.5x slower`
/// (speed 0.667), `2x faster`.
pub fn pace(speed: f64) -> String {
    let short = |f: f64| {
        let text = format!("{f:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if (speed - 1.0).abs() < 1e-9 {
        "full speed".to_string()
    } else if speed < 1.0 {
        format!("{}x slower", short(1.0 / speed))
    } else {
        format!("{}x faster", short(speed))
    }
}
