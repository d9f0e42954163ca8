//! One server's panel: its live numbers and its controls (kill / revive, weight, slow-down).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::session::{Action, ServerAction, WEIGHT_STEPS, position_of, weight_at};
use crate::sim::breaker::{BreakerConfig, BreakerState};
use crate::sim::connections::Layer;
use crate::sim::server::MAX_WEIGHT;
use crate::sim::{Command, Simulation, narrate};

/// Degradation rates offered, in percent of speed lost per minute.
const LEAKS: [u32; 4] = [0, 10, 25, 50];
/// Error rates offered, in percent.
const ERROR_RATES: [u32; 6] = [0, 5, 10, 25, 50, 100];
/// Slow-down factors offered (service takes this many times longer).
const SLOWDOWNS: [u32; 7] = [1, 2, 3, 5, 10, 15, 20];
/// What a weight is, for the tooltips.
const WEIGHT_TIP: &str = "Share of traffic for weighted algorithms: a server of weight 3 gets three times the requests of one of weight 1; 0 drains it (no new requests)";
/// What a backup server is, for the tooltips.
const BACKUP_TIP: &str =
    "A backup gets traffic only when no primary server can take it (nginx backup)";
const DATABASE_TIP: &str = "Cut this server off from its database: every request fails with a 500, \
     while its health page still answers 200 OK with a body saying the database is down (only a \
     health check that reads the body catches it)";

/// What a server card shows, copied out of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerView {
    /// Position in the pool.
    pub index: usize,
    /// Display name.
    pub name: String,
    /// Up or killed.
    pub alive: bool,
    /// Balancing weight.
    pub weight: u32,
    /// Used only when no primary can take a request.
    pub backup: bool,
    /// Slow-start factor (1 when not ramping).
    pub ramp: f64,
    /// Speed factor.
    pub speed: f64,
    /// Workers, and how many are busy.
    pub workers: u32,
    /// Busy workers.
    pub busy: u32,
    /// Queue length.
    pub queued: u32,
    /// Requests the balancer has outstanding at it.
    pub active: u32,
    /// Requests routed to it.
    pub routed: u64,
    /// Requests it served.
    pub completed: u64,
    /// Requests that failed at it.
    pub failed: u64,
    /// Share of answers that are errors.
    pub error_rate: f64,
    /// Its database is unreachable.
    pub database_down: bool,
    /// Being drained.
    pub draining: bool,
    /// Launched by the autoscaler and still booting.
    pub booting: bool,
    /// Revived and still starting: it refuses connections until its start-up time has passed.
    pub starting: bool,
    /// The balancer works at layer 4: `active` counts its connections, not its requests.
    pub per_connection: bool,
    /// Active health: (up, health, max), when checks are on.
    pub health: Option<(bool, u32, u32)>,
    /// Taken out by passive checks.
    pub passive_out: bool,
    /// Circuit-breaker state, when breakers are on.
    pub breaker: Option<BreakerState>,
    /// Tries its breaker refused.
    pub refused: u64,
    /// Abandoned jobs it finished anyway.
    pub wasted: u64,
    /// Taken out of the configuration.
    pub removed: bool,
    /// Share of speed lost per minute, while degrading.
    pub degrading: Option<f64>,
}

impl ServerView {
    /// A view of each server of `sim` whose index is in `range`.
    pub fn of(sim: &Simulation, range: std::ops::Range<usize>) -> Vec<ServerView> {
        let stats = sim.metrics().servers();
        let resilience = sim.resilience();
        let breakers_on = resilience.breaker != BreakerConfig::Off;
        sim.servers()
            .iter()
            .zip(sim.pool())
            .zip(stats)
            .zip(sim.backends())
            .enumerate()
            .skip(range.start)
            .take(range.len())
            .map(
                |(index, (((server, candidate), stats), backend))| ServerView {
                    index,
                    name: server.spec().name.clone(),
                    alive: server.is_alive(),
                    weight: server.spec().weight,
                    backup: server.spec().backup,
                    ramp: candidate.ramp,
                    speed: server.spec().speed,
                    workers: server.spec().workers,
                    busy: server.busy(),
                    queued: server.queued(),
                    active: candidate.active,
                    routed: stats.routed,
                    completed: stats.completed,
                    failed: stats.failed,
                    error_rate: server.spec().error_rate,
                    database_down: server.spec().database_down,
                    draining: backend.draining(),
                    booting: backend.booting(),
                    starting: server.is_alive() && !server.accepts(sim.now()),
                    per_connection: sim.layer() == Some(Layer::L4),
                    health: backend.health().map(|h| {
                        let (health, max) = h.health();
                        (h.is_up(), health, max)
                    }),
                    passive_out: backend.passive().is_out(&resilience.passive, sim.now()),
                    breaker: breakers_on.then(|| backend.breaker().state()),
                    refused: stats.refused,
                    wasted: stats.wasted,
                    removed: backend.removed(),
                    degrading: sim.degrading(index),
                },
            )
            .collect()
    }
}

/// Props of [`ServerCard`].
#[derive(Properties, PartialEq)]
pub struct ServerCardProps {
    /// The server.
    pub view: ServerView,
    /// Whether the keyboard shortcuts act on this server.
    pub selected: bool,
    /// Whether a lesson's step points at this server.
    #[prop_or_default]
    pub highlighted: bool,
    /// The page is locked for the class: the card has no controls.
    #[prop_or_default]
    pub locked: bool,
    /// Receives the selection when the card is clicked, and its controls' changes.
    pub on_action: Callback<Action>,
}

/// A server's numbers and controls.
#[function_component]
pub fn ServerCard(props: &ServerCardProps) -> Html {
    let v = &props.view;
    let server = v.index;
    if v.removed {
        return html! {
            <article class="server removed" aria-label={v.name.clone()}>
                <header><h3>{ &v.name }</h3><span class="state dead" title="Taken out of the configuration">{ "removed" }</span></header>
                if v.active > 0 {
                    <p class="muted" title="Taken out of rotation: no new requests, the ones it has finish">
                        { format!("Draining: finishing its {} requests.", v.active) }
                    </p>
                } else {
                    <p class="muted">{ format!("Served {} of {} routed before it was removed.", v.completed, v.routed) }</p>
                }
            </article>
        };
    }
    let on_select = props
        .on_action
        .reform(move |_: MouseEvent| Action::Select(server));
    let backup_tip = BACKUP_TIP;
    let select_tip = match server {
        0..=8 => format!(
            "Click, or press {}, to point the keyboard shortcuts at this server",
            server + 1
        ),
        _ => "Click to point the keyboard shortcuts at this server".to_string(),
    };
    html! {
        <article class={classes!("server", (!v.alive).then_some("down"), props.selected.then_some("selected"),
            props.highlighted.then_some("highlight"))}
            aria-label={v.name.clone()} aria-current={props.selected.then_some("true")}
            onclick={on_select} title={select_tip}>
            <header>
                <h3>{ &v.name }</h3>
                if v.backup {
                    <span class="tag" title={backup_tip}>{ "backup" }</span>
                }
                if v.alive && v.ramp < 1.0 {
                    <span class="tag" title="Slow start: the share of its weight this revived server gets now">
                        { format!("ramp {:.0}%", v.ramp * 100.0) }
                    </span>
                }
                if v.database_down {
                    <span class="tag" title={DATABASE_TIP}>{ "no database" }</span>
                }
                <span class={classes!("state", if v.alive { "up" } else { "dead" })}
                    title="Whether the server process is running or has crashed (what the balancer makes of it is its health, below)">
                    { narrate::process_word(v.alive) }
                </span>
            </header>
            <div class="lb-view" aria-label="What the load balancer knows">
                { health_badge(v.health) }
                if v.passive_out {
                    <span class="badge bad" title="Passive checks took it out of rotation (nginx fail window or Envoy ejection)">{ "ejected" }</span>
                }
                if v.draining {
                    <span class="badge warn" title="Draining: no new requests; the ones it has finish">{ "draining" }</span>
                }
                if v.starting {
                    <span class="badge warn" title="Revived: it refuses connections (and health checks) until its start-up time has passed">{ "starting" }</span>
                }
                if v.booting {
                    <span class="badge warn" title="Launched by the autoscaler: it takes no requests (and no health checks) until it has booted">{ "booting" }</span>
                }
            </div>
            if let Some(state) = v.breaker {
                { breaker_diagram(state, v.refused) }
            }
            <dl class="stats">
                if v.per_connection {
                    <dt title="Connections the layer-4 balancer has open to it: what it balances (least connections counts these)">{ "connections" }</dt>
                } else {
                    <dt title="Requests the load balancer has sent here and not yet had an answer for">{ "in flight" }</dt>
                }
                <dd class="in-flight">{ v.active }</dd>
                <dt title="Busy workers out of all workers">{ "busy" }</dt>
                <dd>{ format!("{}/{}", v.busy, v.workers) }</dd>
                <dt title="Requests waiting for a free worker">{ "queued" }</dt>
                <dd>{ v.queued }</dd>
                <dt title="Requests the load balancer has sent here in total">{ "routed" }</dt>
                <dd class="routed">{ v.routed }</dd>
                <dt title="Requests this server served successfully">{ "served" }</dt>
                <dd class="served">{ v.completed }</dd>
                <dt title="Requests that failed here: refused while down or lost in a crash">{ "failed" }</dt>
                <dd>{ v.failed }</dd>
                <dt title="Jobs it finished after the load balancer had given up on them (wasted work)">{ "wasted" }</dt>
                <dd>{ v.wasted }</dd>
            </dl>
            if !props.locked {
                <ServerControls settings={v.settings()} on_action={props.on_action.clone()} />
            }
        </article>
    }
}

/// What a server's controls show: its settings, which change only when someone changes them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServerSettings {
    /// Position in the pool.
    pub index: usize,
    /// Up or killed.
    pub alive: bool,
    /// Balancing weight.
    pub weight: u32,
    /// Used only when no primary can take a request.
    pub backup: bool,
    /// Speed factor.
    pub speed: f64,
    /// Share of answers that are errors.
    pub error_rate: f64,
    /// Its database is unreachable.
    pub database_down: bool,
    /// Being drained.
    pub draining: bool,
    /// Share of speed lost per minute, while degrading.
    pub degrading: Option<f64>,
}

impl ServerView {
    /// The settings its controls show.
    pub fn settings(&self) -> ServerSettings {
        ServerSettings {
            index: self.index,
            alive: self.alive,
            weight: self.weight,
            backup: self.backup,
            speed: self.speed,
            error_rate: self.error_rate,
            database_down: self.database_down,
            draining: self.draining,
            degrading: self.degrading,
        }
    }
}

/// Props of [`ServerControls`].
#[derive(Properties, PartialEq)]
pub struct ServerControlsProps {
    /// The server's settings.
    pub settings: ServerSettings,
    /// Receives the changes.
    pub on_action: Callback<Action>,
}

/// A server's controls (kill / revive, weight, drain, errors, leak, remove, backup, slow-down). A
/// component of their own so the live numbers around them can re-render ten times a second
/// without rebuilding a card's worth of selects: these re-render only when a setting changes.
#[function_component]
pub fn ServerControls(props: &ServerControlsProps) -> Html {
    let v = &props.settings;
    let server = v.index;
    let change = |change: ServerAction| {
        props
            .on_action
            .reform(move |_: MouseEvent| Action::ChangeServer { server, change })
    };
    let on_command = props.on_action.reform(Action::Apply);
    let on_kill = change(ServerAction::KillOrRevive);
    let on_weight_slider = {
        let on_command = on_command.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(position) = input.value().parse::<usize>() {
                let weight = weight_at(position);
                on_command.emit(Command::SetWeight { server, weight });
            }
        })
    };
    let on_weight_field = {
        let on_command = on_command.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(weight) = input.value().trim().parse::<u32>() {
                on_command.emit(Command::SetWeight { server, weight });
            }
        })
    };
    let on_slowdown = {
        let on_command = on_command.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(factor) = select.value().parse::<f64>() {
                on_command.emit(Command::SetSpeed {
                    server,
                    speed: 1.0 / factor,
                });
            }
        })
    };
    // A checkbox's change as the command `make` builds from its new state.
    let checkbox = |make: fn(usize, bool) -> Command| {
        let on_command = on_command.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_command.emit(make(server, input.checked()));
        })
    };
    let on_backup = checkbox(|server, backup| Command::SetBackup { server, backup });
    let on_database = checkbox(|server, down| Command::SetDatabaseDown { server, down });
    let on_error_rate = {
        let on_command = on_command.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(percent) = select.value().parse::<f64>() {
                on_command.emit(Command::SetErrorRate {
                    server,
                    rate: percent / 100.0,
                });
            }
        })
    };
    let on_drain = change(ServerAction::Drain);
    let on_leak = {
        let on_command = on_command.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(percent) = select.value().parse::<f64>() {
                on_command.emit(Command::Degrade {
                    server,
                    per_minute: percent / 100.0,
                });
            }
        })
    };
    let on_remove = {
        let on_command = on_command.clone();
        Callback::from(move |_: MouseEvent| on_command.emit(Command::RemoveServer { server }))
    };
    let leak_percent = v.degrading.map_or(0, |r| (r * 100.0).round() as u32);
    let error_percent = (v.error_rate * 100.0).round() as u32;
    let slowdown = (1.0 / v.speed).round() as u32;
    let backup_tip = BACKUP_TIP;
    let id = |what: &str| format!("{what}-{server}");
    let (kill_label, kill_tip) = if v.alive {
        (
            "Kill",
            "Crash this server: its queued and in-service requests fail, and it accepts none",
        )
    } else {
        ("Revive", "Restart this server, empty and idle")
    };
    html! {
        <>
                <button class={classes!("kill", if v.alive { "danger" } else { "primary" })} onclick={on_kill} title={kill_tip}>
                    { kill_label }
                </button>
                <div class="row weight">
                    <label for={id("weight")} title={WEIGHT_TIP}>{ "Weight" }</label>
                    <input id={id("weight")} class="weight-field" type="number" min="0" max={MAX_WEIGHT.to_string()} step="1"
                        value={v.weight.to_string()} onchange={on_weight_field}
                        title={format!("Type any weight from 0 to {MAX_WEIGHT}, or use the arrow keys. {WEIGHT_TIP}")} />
                    <input id={id("weight-slider")} class="weight-slider" type="range" min="0" max={(WEIGHT_STEPS.len() - 1).to_string()} step="1"
                        value={position_of(v.weight).to_string()} oninput={on_weight_slider}
                        aria-label="Weight" aria-valuetext={v.weight.to_string()}
                        title={format!("Weight: one step per weight up to 10, then coarser up to {MAX_WEIGHT}. {WEIGHT_TIP}")} />
                </div>
                <div class="row">
                    <button class="drain" onclick={on_drain}
                        title="Draining: the load balancer sends no new requests; the ones in progress finish">
                        { if v.draining { "Undrain" } else { "Drain" } }
                    </button>
                    <label for={id("errors")} title="Share of requests this server answers with an error (500)">{ "Errors" }</label>
                    <select id={id("errors")} onchange={on_error_rate}
                        title="Share of requests this server answers with an error (500)">
                        { for ERROR_RATES.iter().map(|&p| html! {
                            <option value={p.to_string()} selected={p == error_percent}>{ format!("{p}%") }</option>
                        }) }
                    </select>
                </div>
                <div class="row">
                    <label for={id("leak")} title="Make the server slow down gradually, like a process leaking memory (a restart cures it)">{ "Leak" }</label>
                    <select id={id("leak")} onchange={on_leak}
                        title="Make the server slow down gradually, like a process leaking memory (a restart cures it)">
                        { for LEAKS.iter().map(|&p| html! {
                            <option value={p.to_string()} selected={p == leak_percent}>
                                { if p == 0 { "none".to_string() } else { format!("-{p}%/min") } }
                            </option>
                        }) }
                    </select>
                    <button class="remove" onclick={on_remove}
                        title="Take this server out of the configuration: no new requests, the ones it has finish">{ "Remove" }</button>
                </div>
                <label class="check" title={backup_tip}>
                    <input type="checkbox" checked={v.backup} onchange={on_backup} title={backup_tip} />
                    { " Backup server" }
                </label>
                <label class="check" title={DATABASE_TIP}>
                    <input type="checkbox" checked={v.database_down} onchange={on_database} title={DATABASE_TIP} />
                    { " Database down" }
                </label>
                <label for={id("slow")} title="Make every request take this many times longer on this server">
                    { "Slow-down" }
                </label>
                <select id={id("slow")} onchange={on_slowdown}
                    title="Make every request take this many times longer on this server">
                    { for SLOWDOWNS.iter().map(|&f| html! {
                        <option value={f.to_string()} selected={f == slowdown}>{ format!("x{f}") }</option>
                    }) }
                </select>
        </>
    }
}

/// The active health-check state as the load balancer sees it.
fn health_badge(health: Option<(bool, u32, u32)>) -> Html {
    let tip = "Active health checks: UP while the counter is at least `rise`; the counter runs 0 to rise + fall - 1";
    match health {
        None => {
            html! { <span class="badge muted health" title="Active health checks are off">{ "checks off" }</span> }
        }
        Some((up, health, max)) => html! {
            <span class={classes!("badge", "health", if up { "ok" } else { "bad" })} title={tip}>
                { format!("health {} {health}/{max}", if up { "UP" } else { "DOWN" }) }
            </span>
        },
    }
}

/// The breaker's three states with the current one lit.
fn breaker_diagram(state: BreakerState, refused: u64) -> Html {
    let node = |s: BreakerState| {
        html! { <span class={classes!("node", (s == state).then_some("lit"), s.label())}>{ s.label() }</span> }
    };
    html! {
        <div class="breaker" title={format!("Circuit breaker in front of this server: {} now; {refused} requests refused", state.label())}>
            { node(BreakerState::Closed) }<span class="arrow">{ "→" }</span>
            { node(BreakerState::Open) }<span class="arrow">{ "→" }</span>
            { node(BreakerState::HalfOpen) }
        </div>
    }
}
