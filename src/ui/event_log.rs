//! The timeline: what happened and when, newest first. Clicking an entry shows why it happened.

use yew::prelude::*;

use std::collections::VecDeque;

use crate::sim::server::Server;
use crate::sim::{LogKind, Logged, SimTime, narrate};

/// One timeline line, already in words.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    /// When it happened.
    pub at: SimTime,
    /// What it is about.
    pub kind: LogKind,
    /// What happened.
    pub text: String,
    /// Why it happened.
    pub cause: String,
}

impl TimelineEntry {
    /// The `count` newest of `events`, newest first, worded with the names of `servers`.
    pub fn latest(events: &VecDeque<Logged>, servers: &[Server], count: usize) -> Vec<Self> {
        events
            .iter()
            .rev()
            .take(count)
            .map(|e| TimelineEntry {
                at: e.at,
                kind: e.event.kind(),
                text: narrate::text(e, servers),
                cause: narrate::cause(e, servers),
            })
            .collect()
    }
}

/// The tag shown before an entry.
fn kind_label(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Command => "action",
        LogKind::Health => "health",
        LogKind::Passive => "passive",
        LogKind::Breaker => "breaker",
        LogKind::Retry => "retry",
        LogKind::Remap => "remap",
        LogKind::Skipped => "skipped",
        LogKind::ScaleOut => "scale out",
        LogKind::ScaleIn => "scale in",
        LogKind::ServerReady => "ready",
        LogKind::Failover => "failover",
    }
}

/// Keys that stay with their entries while newer ones push in: the time and text, and for an
/// identical entry at the same instant how many such entries are newer.
fn entry_keys(entries: &[TimelineEntry]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(entries.len());
    for e in entries {
        let base = format!("{}:{}", e.at.0, e.text);
        let repeats = keys
            .iter()
            .filter(|k| k.split('#').next() == Some(base.as_str()))
            .count();
        keys.push(format!("{base}#{repeats}"));
    }
    keys
}

/// Props of [`EventLog`].
#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Entries to show, newest first.
    pub entries: Vec<TimelineEntry>,
}

/// The list of recent events with their simulated times; each one opens to show its cause.
#[function_component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let open = use_state(|| None::<String>);
    let keys = entry_keys(&props.entries);
    html! {
        <section class="log" aria-label="Event timeline">
            <h2 title="Every change to the run, with the simulated time it happened at; click one to see why it happened">{ "Timeline" }</h2>
            if props.entries.is_empty() {
                <p class="muted">{ "Nothing yet: kill a server, change a weight or switch the algorithm." }</p>
            } else {
                <ol class="entries">
                    { for props.entries.iter().zip(keys).map(|(e, key)| {
                        let expanded = open.as_deref() == Some(key.as_str());
                        let at = format!("t={:.1} s", e.at.as_secs_f64());
                        let onclick = {
                            let (open, key) = (open.clone(), key.clone());
                            Callback::from(move |_: MouseEvent| {
                                open.set((!expanded).then(|| key.clone()));
                            })
                        };
                        html! {
                            <li key={key}>
                                <button type="button" class="entry" {onclick}
                                    aria-expanded={expanded.to_string()}
                                    title={if expanded { "Hide why this happened" } else { "Show why this happened" }}>
                                    <span class="at">{ &at }</span>
                                    <span class={classes!("kind", kind_label(e.kind).replace(' ', "-"))}>{ kind_label(e.kind) }</span>
                                    { &e.text }
                                </button>
                                if expanded {
                                    <div class="cause" role="note">
                                        <p class="cause-meta">{ format!("{at} · {}", kind_label(e.kind)) }</p>
                                        <p>{ &e.cause }</p>
                                    </div>
                                }
                            </li>
                        }
                    }) }
                </ol>
            }
        </section>
    }
}
