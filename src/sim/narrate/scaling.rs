//! The autoscaler in words: each decision with the metric, the target and the arithmetic that
//! made it, and a launched server becoming ready.

use super::{name, plural};
use crate::sim::autoscale::{Autoscale, Bound, Direction, Policy};
use crate::sim::events::{ReadyEvent, ScaleEvent};
use crate::sim::server::Server;
use crate::sim::time::SimTime;

/// Server names as a list: `server-5, server-6`.
fn names(servers: &[Server], which: &[u32]) -> String {
    which
        .iter()
        .map(|&s| name(servers, s as usize))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn scale_text(e: &ScaleEvent, servers: &[Server]) -> String {
    let d = &e.decision;
    let metric = e.config.metric;
    let which = names(servers, &e.servers);
    let what = match d.direction {
        Direction::Out => format!("{which} booting ({})", e.config.boot_time),
        Direction::In => format!("{which} draining"),
    };
    format!(
        "autoscaler: {} -> {} servers ({} against a target of {}): {what}",
        d.from,
        d.to,
        metric.value_words(d.measured),
        metric.value_words(e.config.target)
    )
}

pub(super) fn scale_cause(e: &ScaleEvent) -> String {
    let d = &e.decision;
    let c = &e.config;
    let arithmetic = format!(
        "ceil({} server{} x {} / {}) = {}",
        d.counted,
        plural(d.counted),
        c.metric.value_words(d.measured),
        c.metric.value_words(c.target),
        d.desired
    );
    let design = match c.policy {
        Policy::Hpa(h) => format!(
            "Kubernetes HPA, every {} (tolerance {:.0}%, scale-down stabilisation {}): desired = \
             {arithmetic}",
            h.sync_period,
            h.tolerance * 100.0,
            h.scale_down_window
        ),
        Policy::TargetTracking(t) => {
            let (periods, cooldown) = match d.direction {
                Direction::Out => (t.scale_out_periods, t.scale_out_cooldown),
                Direction::In => (t.scale_in_periods, t.scale_in_cooldown),
            };
            let side = match d.direction {
                Direction::Out => "above",
                Direction::In => "below",
            };
            format!(
                "AWS target tracking: {periods} datapoint{} of {} in a row {side} the target, so \
                 capacity = {arithmetic} (servers in warm-up for {} not counted); no further \
                 scale-{} for the {cooldown} cooldown",
                plural(periods),
                t.period,
                t.warmup,
                match d.direction {
                    Direction::Out => "out",
                    Direction::In => "in",
                }
            )
        }
    };
    match d.bound {
        Some(bound) => format!("{design}, held at {} by {}.", d.to, bound_words(bound, c)),
        None => format!("{design}."),
    }
}

/// What held a decision short, in words.
fn bound_words(bound: Bound, c: &Autoscale) -> String {
    match bound {
        Bound::Max => format!("its maximum of {}", c.max),
        Bound::Min => format!("its minimum of {}", c.min),
        Bound::ScaleUpRate => "HPA's scale-up policy (at most double, or 4 more, per 15 s)".into(),
        Bound::Stabilisation => {
            "a higher recommendation within the scale-down stabilisation window".into()
        }
    }
}

pub(super) fn ready_text(e: &ReadyEvent, name: &str, at: SimTime) -> String {
    format!(
        "{name} ready after booting {}: it takes traffic",
        at.saturating_since(e.launched)
    )
}

pub(super) fn ready_cause(e: &ReadyEvent) -> String {
    format!(
        "The autoscaler launched it at {:.1} s; a new server takes its boot time before the \
         balancer sends it requests, then ramps up under slow start if slow start is on.",
        e.launched.as_secs_f64()
    )
}
