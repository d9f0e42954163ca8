//! The "What if" panel: sweeps the system as it stands over offered loads in a Web Worker
//! ([`super::whatif_worker`]) while the animation goes on, shows the runs' progress, then plots
//! latency against load with the queueing model's curve ([`super::charts::load_curve`]) and lists
//! every load's numbers in a table. What is swept and how is [`crate::sweep::whatif`]'s.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::charts::{ChartColours, Figure, load_curve};
use super::flow;
use super::whatif_worker::Sweep;
use crate::session::Theme;
use crate::sim::SimTime;
use crate::sweep::stats::Estimate;
use crate::sweep::whatif::{LOADS, Load, REPLICATIONS, Reply, Request, Unsweepable};

/// What the App hands the panel when a sweep starts: the system as it stands (or why it cannot
/// be swept), the simulated time now and the arrival rate now.
pub type Snapshot = (Result<Request, Unsweepable>, SimTime, f64);

/// Props of [`WhatIfPanel`].
#[derive(Properties, PartialEq)]
pub struct WhatIfProps {
    /// Takes the snapshot to sweep, when the button is pressed.
    pub make: Callback<(), Snapshot>,
    /// The look the chart is drawn in.
    pub theme: Theme,
}

/// Where the panel is.
#[derive(Clone, PartialEq)]
enum Stage {
    Idle,
    Running { done: usize, of: usize },
    Done(Box<Swept>),
    Failed(String),
}

/// A finished sweep and what it was of.
#[derive(Clone, PartialEq)]
struct Swept {
    loads: Vec<Load>,
    model: Option<String>,
    of: Of,
}

/// What a sweep is of: the simulated time and the arrival rate when it started, the capacity
/// and each run's length.
#[derive(Clone, Copy, PartialEq)]
struct Of {
    at: SimTime,
    rate: f64,
    capacity: f64,
    length_s: f64,
}

/// The panel: a button, then progress, then the chart and table (or what went wrong).
#[function_component(WhatIfPanel)]
pub fn whatif_panel(props: &WhatIfProps) -> Html {
    let stage = use_state(|| Stage::Idle);
    let sweep: Rc<RefCell<Option<Sweep>>> = use_mut_ref(|| None);
    let canvas = use_node_ref();
    // A finished or failed sweep's worker is let go here, after the reply that ended it.
    {
        let sweep = sweep.clone();
        use_effect_with((*stage).clone(), move |stage| {
            if matches!(stage, Stage::Done(_) | Stage::Failed(_)) {
                sweep.borrow_mut().take();
            }
        });
    }
    {
        let canvas = canvas.clone();
        use_effect_with(((*stage).clone(), props.theme), move |(stage, theme)| {
            if let (Stage::Done(swept), Some(canvas)) = (stage, canvas.cast::<HtmlCanvasElement>())
            {
                flow::fit_to_display(&canvas);
                let colours = ChartColours::of(theme.palette(), flow::device_ratio());
                let chart = load_curve(&swept.loads, swept.model.as_deref(), swept.of.rate);
                Figure::Time(chart).draw(&canvas, &[], &colours);
            }
        });
    }
    let start = {
        let (stage, sweep, make) = (stage.clone(), sweep.clone(), props.make.clone());
        Callback::from(move |_: MouseEvent| {
            let (request, at, rate) = make.emit(());
            let request = match request {
                Ok(request) => request,
                Err(why) => return stage.set(Stage::Failed(unsweepable(why))),
            };
            // What this sweep is of, for the caption once it is done.
            let of = Of {
                at,
                rate,
                capacity: request.capacity,
                length_s: request.length.as_secs_f64(),
            };
            let replies = stage.clone();
            let on_reply = move |reply: Reply| {
                replies.set(match reply {
                    Reply::Progress { done, of } => Stage::Running { done, of },
                    Reply::Done { loads, model } => {
                        Stage::Done(Box::new(Swept { loads, model, of }))
                    }
                    Reply::Failed(why) => Stage::Failed(format!("The sweep could not run: {why}.")),
                })
            };
            match Sweep::start(&request, on_reply) {
                Ok(running) => {
                    *sweep.borrow_mut() = Some(running);
                    stage.set(Stage::Running {
                        done: 0,
                        of: request.runs(),
                    });
                }
                Err(why) => stage.set(Stage::Failed(format!("The sweep could not start: {why}."))),
            }
        })
    };
    let cancel = {
        let (stage, sweep) = (stage.clone(), sweep.clone());
        Callback::from(move |_: MouseEvent| {
            sweep.borrow_mut().take();
            stage.set(Stage::Idle);
        })
    };
    let (low, high, steps) = LOADS;
    let tip = format!(
        "Run the system as it is now at {steps} offered loads from {:.0}% to {:.0}% of its capacity, {REPLICATIONS} runs each, in a background worker: the animation goes on",
        low * 100.0,
        high * 100.0
    );
    let running = matches!(*stage, Stage::Running { .. });
    html! {
        <figure class="whatif" aria-label="What if: latency against offered load">
            <h2>{ "What if the load changed?" }</h2>
            <p class="whatif-about">
                { format!("Sweeps the system as it stands now (its servers, weights, algorithm and settings; the rest of a preset's script left out) over offered loads from {:.0}% to {:.0}% of its capacity, and plots the latency with the queueing model's curve where one fits.", low * 100.0, high * 100.0) }
            </p>
            <div class="whatif-controls">
                <button class="whatif-run" onclick={start} disabled={running} title={tip}>
                    { if matches!(*stage, Stage::Done(_)) { "Sweep again" } else { "Sweep the load" } }
                </button>
                if let Stage::Running { done, of } = *stage {
                    <progress max={of.to_string()} value={done.to_string()} aria-label="Runs made" />
                    <span class="whatif-progress">{ format!("run {done} of {of}") }</span>
                    <button onclick={cancel} title="Stop the sweep">{ "Cancel" }</button>
                }
            </div>
            if let Stage::Failed(why) = &*stage {
                <p class="whatif-error" role="alert">{ why.clone() }</p>
            }
            if let Stage::Done(swept) = &*stage {
                <p class="whatif-caption">{ caption(swept) }</p>
                <canvas ref={canvas} class="chart" role="img"
                    aria-label="Line chart of the runs' mean and p95 latency against offered load, with the queueing model's mean when one fits" />
                { table(swept) }
            }
        </figure>
    }
}

/// What cannot be swept, in words.
fn unsweepable(why: Unsweepable) -> String {
    match why {
        Unsweepable::NoCapacity => {
            "No server is alive, so there is no capacity to take shares of: revive or add a server first.".into()
        }
        Unsweepable::ClosedLoop => {
            "Closed-loop users send at their own pace, not at an arrival rate: switch them off (Clients) to sweep the load.".into()
        }
        Unsweepable::Refused(why) => {
            format!("The system as it stands could not be set up again from time zero: {why}.")
        }
    }
}

/// What the sweep was of.
fn caption(swept: &Swept) -> String {
    let of = swept.of;
    format!(
        "The system at t = {:.1} s: capacity {:.1} req/s, {:.1} req/s offered then ({:.0}%). {} runs of {:.0} simulated seconds at each load.",
        of.at.as_secs_f64(),
        of.capacity,
        of.rate,
        100.0 * of.rate / of.capacity,
        REPLICATIONS,
        of.length_s
    )
}

/// Every load's numbers.
fn table(swept: &Swept) -> Html {
    let ms = |v: Option<Estimate>| v.map_or("-".to_string(), |i| format!("{:.0}", i.mean));
    let ci = |v: Option<Estimate>| match v.and_then(|i| i.ci95) {
        Some((lo, hi)) => format!("{lo:.0}–{hi:.0}"),
        None => "-".to_string(),
    };
    html! {
        <details class="whatif-table">
            <summary title="Each offered load's numbers">{ "Table" }</summary>
            <table>
                <thead><tr>
                    <th scope="col">{ "offered (req/s)" }</th>
                    <th scope="col">{ "load" }</th>
                    <th scope="col">{ "mean (ms)" }</th>
                    <th scope="col">{ "mean, 95% CI" }</th>
                    <th scope="col">{ "p95 (ms)" }</th>
                    <th scope="col">{ "served/s" }</th>
                    <th scope="col">{ "theory mean (ms)" }</th>
                </tr></thead>
                <tbody>
                    { for swept.loads.iter().map(|l| html! {
                        <tr>
                            <td>{ format!("{:.1}", l.rate) }</td>
                            <td>{ format!("{:.0}%", 100.0 * l.rate / swept.of.capacity) }</td>
                            <td>{ ms(l.mean_ms) }</td>
                            <td>{ ci(l.mean_ms) }</td>
                            <td>{ ms(l.p95_ms) }</td>
                            <td>{ format!("{:.1}", l.throughput) }</td>
                            <td>{ l.theory_ms.map_or("-".to_string(), |t| format!("{t:.0}")) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </details>
    }
}
