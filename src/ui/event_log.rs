//! The timeline: what happened and when, newest first.

use yew::prelude::*;

use crate::sim::LogEntry;
use crate::sim::engine::LogKind;

/// The tag shown before an entry.
fn kind_label(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Command => "action",
        LogKind::Health => "health",
        LogKind::Passive => "passive",
        LogKind::Breaker => "breaker",
        LogKind::Retry => "retry",
        LogKind::Remap => "remap",
    }
}

/// Props of [`EventLog`].
#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Entries to show, newest first.
    pub entries: Vec<LogEntry>,
}

/// The list of recent events with their simulated times.
#[function_component]
pub fn EventLog(props: &EventLogProps) -> Html {
    html! {
        <section class="log" aria-label="Event timeline">
            <h2 title="Every change to the run, with the simulated time it happened at">{ "Timeline" }</h2>
            if props.entries.is_empty() {
                <p class="muted">{ "Nothing yet: kill a server, change a weight or switch the algorithm." }</p>
            } else {
                <ol class="entries">
                    { for props.entries.iter().map(|e| html! {
                        <li>
                            <span class="at">{ format!("t={:.1} s", e.at.as_secs_f64()) }</span>
                            <span class={classes!("kind", kind_label(e.kind))}>{ kind_label(e.kind) }</span>
                            { &e.text }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
