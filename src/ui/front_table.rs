//! The balancers of a run with several (`scenario.front`): each one's state (up, VRRP master or
//! backup, down), the requests it took, how they went, and a button to crash or revive it.

use yew::prelude::*;

use crate::sim::front::BalancerState;
use crate::sim::front::hierarchy::Level;
use crate::sim::front::vrrp::Role;
use crate::sim::report::FrontBalancerReport;
use crate::sim::{Command, Simulation};

/// One balancer's numbers, copied out of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontRow {
    /// Its name, e.g. `lb-2`, with its region's when there are regions (`lb-2 (eu)`) and its
    /// tier when it is a local one (`lb-4 (eu, local)`).
    pub name: String,
    /// Its state.
    pub state: BalancerState,
    /// Requests that reached it.
    pub routed: u64,
    /// Of those, served.
    pub completed: u64,
    /// Of those, failed or turned away.
    pub unserved: u64,
    /// Their 95th percentile latency, in milliseconds.
    pub p95_ms: Option<f64>,
    /// The share of its cores' time busy so far, when the balancers cost CPU.
    pub cpu_busy: Option<f64>,
}

impl FrontRow {
    /// One row per balancer of `sim`, or none with one balancer: the report's entries, with
    /// each balancer's state.
    pub fn all(sim: &Simulation) -> Vec<FrontRow> {
        let Some(front) = sim.front() else {
            return Vec::new();
        };
        FrontBalancerReport::of(sim)
            .into_iter()
            .zip(front.balancers())
            .map(|(entry, state)| FrontRow {
                name: match (entry.region, entry.tier) {
                    (Some(region), Some(Level::Local)) => {
                        format!("{} ({region}, local)", entry.name)
                    }
                    (Some(region), _) => format!("{} ({region})", entry.name),
                    (None, _) => entry.name,
                },
                state,
                routed: entry.routed,
                completed: entry.completed,
                unserved: entry.failed + entry.rejected,
                p95_ms: entry.latency_ms.p95,
                cpu_busy: entry.cpu_busy,
            })
            .collect()
    }
}

/// What a balancer's state is called, with what it means.
fn state_words(state: BalancerState) -> (&'static str, &'static str) {
    match (state.up, state.role) {
        (false, _) => ("down", "Crashed: connections to it go unanswered"),
        (true, Some(Role::Master { .. })) => (
            "master",
            "VRRP master: it owns the virtual address and takes every request",
        ),
        (true, Some(_)) => (
            "backup",
            "VRRP backup: it listens for the master's advertisements and takes over when they stop",
        ),
        (true, None) => (
            "active",
            "Up: clients whose DNS answer names it send to it (a local balancer: its region's balancers do)",
        ),
    }
}

/// Props of [`FrontTable`].
#[derive(Properties, PartialEq)]
pub struct FrontTableProps {
    /// The rows; nothing is shown when empty.
    pub rows: Vec<FrontRow>,
    /// Whether the crash and revive buttons are drawn (not on a locked page).
    pub controls: bool,
    /// Receives the crashes and revivals.
    pub on_command: Callback<Command>,
}

/// A table of the balancers, with their buttons.
#[function_component]
pub fn FrontTable(props: &FrontTableProps) -> Html {
    if props.rows.is_empty() {
        return Html::default();
    }
    let ms = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.0} ms"));
    // A column for the balancers' cores when they cost CPU.
    let cpu = props.rows.iter().any(|r| r.cpu_busy.is_some());
    let percent = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.0}%", 100.0 * v));
    let button = |b: u8, row: &FrontRow| {
        let (command, label, title) = if row.state.up {
            (
                Command::KillBalancer { balancer: b },
                "Crash",
                format!("Crash {}: the requests it holds are lost", row.name),
            )
        } else {
            (
                Command::ReviveBalancer { balancer: b },
                "Revive",
                format!("Bring {} back", row.name),
            )
        };
        let on_command = props.on_command.clone();
        html! {
            <button onclick={move |_| on_command.emit(command)} {title}>{ label }</button>
        }
    };
    html! {
        <table class="answers balancers" aria-label="Requests by balancer">
            <thead>
                <tr>
                    <th scope="col" title="The balancer">{ "balancer" }</th>
                    <th scope="col" title="Up, down, or its VRRP role">{ "state" }</th>
                    <th scope="col" title="Requests that reached it">{ "took" }</th>
                    <th scope="col" title="Of those, answered successfully">{ "served" }</th>
                    <th scope="col" title="Of those, failed or turned away (lost with it when it crashed included)">{ "not served" }</th>
                    <th scope="col" title="95th percentile latency of the served ones">{ "p95" }</th>
                    if cpu {
                        <th scope="col" title="The share of its cores' time busy since the start: near 100%, requests wait at its door for a core">{ "CPU busy" }</th>
                    }
                    if props.controls {
                        <th scope="col" title="Crash or revive it">{ "" }</th>
                    }
                </tr>
            </thead>
            <tbody>
                { for props.rows.iter().enumerate().map(|(b, r)| {
                    let (state, meaning) = state_words(r.state);
                    html! {
                        <tr>
                            <th scope="row"><code>{ &r.name }</code></th>
                            <td title={meaning}>{ state }</td>
                            <td>{ r.routed }</td>
                            <td>{ r.completed }</td>
                            <td>{ r.unserved }</td>
                            <td>{ ms(r.p95_ms) }</td>
                            if cpu {
                                <td>{ percent(r.cpu_busy) }</td>
                            }
                            if props.controls {
                                <td>{ button(b as u8, r) }</td>
                            }
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}
