//! The root component: lays out the playground, owns the animation loop and the keyboard listener,
//! and routes every control's command to the simulation.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::algorithm_picker::AlgorithmPicker;
use super::animation::AnimationLoop;
use super::balancer_options::BalancerOptions;
use super::charts;
use super::compare_controls::CompareControls;
use super::display::Display;
use super::display_controls::DisplayControls;
use super::event_log::{EventLog, TimelineEntry};
use super::files;
use super::flow::{self, FlowView};
use super::keyboard::{KeyListener, Shortcut};
use super::path_table::{PathRow, PathTable};
use super::playback_bar::{PlaybackAction, PlaybackBar};
use super::playground::{Playground, PlaygroundHandle};
use super::resilience_controls::ResilienceControls;
use super::scenario_panel::{ScenarioAction, ScenarioPanel};
use super::server_card::{ServerCard, ServerView};
use super::shortcuts_help::ShortcutsHelp;
use super::totals_bar::{LatencySummary, TotalsBar};
use super::traffic_controls::TrafficControls;
use crate::sim::presets::preset;
use crate::sim::report::{self, Report};
use crate::sim::{Algorithm, Command, Simulation};

/// How often the DOM panels re-render, in wall milliseconds. Numbers that change five times a
/// second are still easy to read, and the page benchmark showed the re-render to be the frame
/// budget's largest cost with many busy server cards.
const DOM_EVERY_MS: f64 = 200.0;
/// How many server cards the page shows at once; more servers are paged (the keyboard's selection
/// picks the page), which keeps the DOM small with 1,000 servers.
const CARDS_PER_PAGE: usize = 24;
/// How often each chart may redraw, in wall milliseconds; it does only when its data changed. One
/// chart is drawn per turn, never all in one frame, so no frame carries more than one chart's work.
const CHARTS_EVERY_MS: f64 = 300.0;

/// A chart: what it shows (also while comparing), how it is drawn, and the file name its PNG is
/// saved under.
struct Chart {
    id: &'static str,
    label: &'static str,
    compare_label: &'static str,
    draw: charts::Draw,
    /// What its picture depends on: it is redrawn only when this (or the generation) changes.
    data: fn(&Simulation) -> u64,
}

/// The simulated time: the bar chart's counts may change whenever it moves.
fn clock_data(sim: &Simulation) -> u64 {
    sim.now().0
}

/// Changes when a sampling window closes: the line charts' data.
fn window_data(sim: &Simulation) -> u64 {
    sim.metrics().series().back().map_or(0, |s| s.end.0)
}

/// The charts, in page order.
static CHARTS: [Chart; 4] = [
    Chart {
        id: "requests-per-server",
        label: "Bar chart of requests routed to each server, with the share the weights imply",
        compare_label: "Bar chart of requests routed to each server by run A and by run B, side by side",
        draw: charts::draw_distribution,
        data: clock_data,
    },
    Chart {
        id: "latency",
        label: "Line chart of p50, p95, p99 and mean latency over time, with the queueing-theory mean when a model fits",
        compare_label: "Line chart of p50 and p95 latency over time, run A solid and run B dashed",
        draw: charts::draw_latency,
        data: window_data,
    },
    Chart {
        id: "throughput",
        label: "Line chart of requests served, failed and retried per second over time",
        compare_label: "Line chart of run A's requests served, failed and retried per second over time",
        draw: charts::draw_throughput,
        data: window_data,
    },
    Chart {
        id: "queues",
        label: "Line chart of each server's queue length over time",
        compare_label: "Line chart of each of run A's servers' queue length over time",
        draw: charts::draw_queues,
        data: window_data,
    },
];

/// What the animation loop last drew from, so an unchanged picture is not redrawn: a data stamp
/// (the simulated time for the flow canvas, a chart's own [`Chart::data`]) and the generation,
/// which every user change bumps.
#[derive(Clone, Copy, PartialEq)]
struct Drawn {
    data: u64,
    generation: u64,
}

/// The LB Playground application.
#[function_component]
pub fn App() -> Html {
    let playground: PlaygroundHandle = use_mut_ref(|| {
        let mut pg = Playground::from_fragment(&files::fragment());
        pg.set_display(Display::load());
        pg
    })
    .clone();
    let rerender = use_force_update();
    let flow_canvas = use_node_ref();
    let compare_canvas = use_node_ref();
    let chart_canvases: [NodeRef; CHARTS.len()] = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];

    {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        let (flow_canvas, chart_canvases) = (flow_canvas.clone(), chart_canvases.clone());
        let compare_canvas = compare_canvas.clone();
        use_effect_with((), move |_| {
            let mut last_dom = f64::NEG_INFINITY;
            let mut last_chart = f64::NEG_INFINITY;
            let mut chart_turn = 0;
            let mut flow_drawn = None;
            let mut charts_drawn = [None; CHARTS.len()];
            let mut charts_drawn_at = [f64::NEG_INFINITY; CHARTS.len()];
            let frame = {
                let (playground, rerender) = (playground.clone(), rerender.clone());
                AnimationLoop::start(move |wall_ms| {
                    {
                        let mut pg = playground.borrow_mut();
                        let sim_now = pg.sim.now();
                        let target = pg.clock.frame(wall_ms, sim_now);
                        pg.advance_to(target);
                        let drawn = Some(Drawn {
                            data: pg.sim.now().0,
                            generation: pg.generation,
                        });
                        let palette = pg.display.theme.palette();
                        if let Some(canvas) = flow_canvas.cast::<HtmlCanvasElement>()
                            && (flow::fit_to_display(&canvas) || flow_drawn != drawn)
                        {
                            let view = FlowView {
                                palette,
                                reduced_motion: pg.display.reduced_motion,
                                selected: pg.selected,
                            };
                            flow::draw(&canvas, &pg.sim, view);
                            if let (Some(other), Some(canvas)) =
                                (&pg.compare, compare_canvas.cast::<HtmlCanvasElement>())
                            {
                                flow::fit_to_display(&canvas);
                                flow::draw(&canvas, other, view);
                            }
                            flow_drawn = drawn;
                        }
                        let turn_ms = CHARTS_EVERY_MS / CHARTS.len() as f64;
                        if wall_ms - last_chart >= turn_ms {
                            last_chart = wall_ms;
                            // The next chart, in turn, that is out of date.
                            let state = |i: usize| {
                                Some(Drawn {
                                    data: (CHARTS[i].data)(&pg.sim),
                                    generation: pg.generation,
                                })
                            };
                            let stale = (0..CHARTS.len())
                                .map(|k| (chart_turn + k) % CHARTS.len())
                                .find(|&i| {
                                    charts_drawn[i] != state(i)
                                        && wall_ms - charts_drawn_at[i] >= CHARTS_EVERY_MS
                                });
                            if let Some(i) = stale
                                && let Some(canvas) = chart_canvases[i].cast::<HtmlCanvasElement>()
                            {
                                (CHARTS[i].draw)(&canvas, &pg.sim, pg.compare.as_ref(), palette);
                                charts_drawn[i] = state(i);
                                charts_drawn_at[i] = wall_ms;
                                chart_turn = i + 1;
                            }
                        }
                    }
                    // The borrow above has ended: a re-render may read the playground at once.
                    if wall_ms - last_dom >= DOM_EVERY_MS {
                        last_dom = wall_ms;
                        rerender.force_update();
                    }
                })
            };
            let keys = KeyListener::start(move |shortcut| {
                playground.borrow_mut().shortcut(shortcut);
                rerender.force_update();
            });
            move || drop((frame, keys))
        });
    }

    let on_command = {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        use_callback((), move |command: Command, _| {
            playground.borrow_mut().apply(command);
            rerender.force_update();
        })
    };
    let on_playback = {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        use_callback((), move |action: PlaybackAction, _| {
            {
                let mut pg = playground.borrow_mut();
                match action {
                    PlaybackAction::Toggle => pg.shortcut(Shortcut::TogglePlay),
                    PlaybackAction::Speed(speed) => pg.clock.set_speed(speed),
                    PlaybackAction::Step => pg.step(),
                    PlaybackAction::Skip => pg.skip(),
                    PlaybackAction::Restart(seed) => pg.restart(seed),
                }
            }
            rerender.force_update();
        })
    };

    let on_scenario = {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        use_callback((), move |action: ScenarioAction, _| {
            {
                let mut pg = playground.borrow_mut();
                let outcome = scenario_action(&mut pg, action);
                if let Err(e) = outcome {
                    pg.error = Some(e);
                }
            }
            rerender.force_update();
        })
    };

    let on_display = {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        use_callback((), move |display: Display, _| {
            playground.borrow_mut().set_display(display);
            rerender.force_update();
        })
    };
    let on_help = {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        use_callback((), move |(), _| {
            playground.borrow_mut().shortcut(Shortcut::Help);
            rerender.force_update();
        })
    };
    let on_select = {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        use_callback((), move |index: usize, _| {
            playground.borrow_mut().shortcut(Shortcut::Select(index));
            rerender.force_update();
        })
    };
    let on_compare = {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        use_callback((), move |algorithm: Option<Algorithm>, _| {
            playground.borrow_mut().set_compare(algorithm);
            rerender.force_update();
        })
    };
    let save_png = |id: &'static str, node: NodeRef| {
        let (playground, rerender) = (playground.clone(), rerender.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(canvas) = node.cast::<HtmlCanvasElement>() else {
                return;
            };
            let mut pg = playground.borrow_mut();
            let stamp = pg.sim.now().as_secs_f64();
            let saved = files::download_png(&format!("lb-{id}-{stamp:.0}s.png"), &canvas);
            pg.error = saved.err();
            drop(pg);
            rerender.force_update();
        })
    };

    let pg = playground.borrow();
    let sim = &pg.sim;
    let total = sim.servers().len();
    let page_start =
        pg.selected.unwrap_or(0).min(total.saturating_sub(1)) / CARDS_PER_PAGE * CARDS_PER_PAGE;
    let page_end = (page_start + CARDS_PER_PAGE).min(total);
    let servers = ServerView::of(sim, page_start..page_end);
    let pager = (total > CARDS_PER_PAGE).then(|| {
        let go = |to: usize| on_select.reform(move |_: MouseEvent| to);
        let previous = page_start.saturating_sub(CARDS_PER_PAGE);
        html! {
            <nav class="pager" aria-label="Server pages">
                <button onclick={go(previous)} disabled={page_start == 0}
                    title="Show the previous servers (the keyboard's ↑ also pages)">{ "◀" }</button>
                <span>{ format!("servers {}–{} of {total}", page_start + 1, page_end) }</span>
                <button onclick={go(page_end.min(total - 1))} disabled={page_end == total}
                    title="Show the next servers (the keyboard's ↓ also pages)">{ "▶" }</button>
            </nav>
        }
    });
    let error = pg.error.as_ref().map(|e| {
        html! { <div class="error" role="alert">{ e }</div> }
    });

    html! {
        <div class="app">
            <header class="top">
                <h1 title="A load-balancing teaching tool: every number comes from a deterministic, seeded simulation">
                    { "LB Playground" }
                </h1>
                <DisplayControls display={pg.display} on_change={on_display} on_help={on_help.clone()} />
                <PlaybackBar
                    playing={pg.clock.is_playing()}
                    speed={pg.clock.speed()}
                    seed={sim.scenario().seed}
                    sim_seconds={sim.now().as_secs_f64()}
                    on_action={on_playback}
                />
            </header>
            { for error }
            if pg.help_open {
                <ShortcutsHelp on_close={on_help} />
            }
            <main class="layout">
                <section class="stage" aria-label="Request flow">
                    if pg.compare.is_some() {
                        <h2 class="run-label">{ format!("A: {}", sim.algorithm().about().name) }</h2>
                    }
                    <canvas
                        ref={flow_canvas}
                        class="flow"
                        role="img"
                        aria-label="Requests travelling from clients through the load balancer to the servers and back"
                    />
                    <TotalsBar totals={sim.totals()} latency={LatencySummary::of(sim.metrics().latency())} />
                    <PathTable rows={PathRow::all(sim)} />
                    if let Some(other) = &pg.compare {
                        <h2 class="run-label">{ format!("B: {}", other.algorithm().about().name) }</h2>
                        <canvas
                            ref={compare_canvas}
                            class="flow compare"
                            role="img"
                            aria-label="Run B: the same traffic and changes under the compared algorithm"
                        />
                        <TotalsBar totals={other.totals()} latency={LatencySummary::of(other.metrics().latency())} />
                    }
                </section>
                <aside class="side">
                    <ScenarioPanel
                        preset={pg.preset}
                        title={sim.scenario().title.clone()}
                        watch={sim.scenario().watch.clone()}
                        link={pg.link.clone()}
                        on_action={on_scenario}
                    />
                    <AlgorithmPicker algorithm={sim.algorithm()} on_command={on_command.clone()} />
                    <CompareControls compared={pg.compare.as_ref().map(Simulation::algorithm)} on_change={on_compare} />
                    <BalancerOptions
                        slow_start={sim.slow_start()}
                        clients={sim.traffic().clients}
                        behind_nat={sim.traffic().behind_nat}
                        remap={sim.algorithm().hash_key().and(sim.last_remap())}
                        on_command={on_command.clone()}
                    />
                    <ResilienceControls
                        resilience={*sim.resilience()}
                        retries={sim.metrics().retries()}
                        on_command={on_command.clone()}
                    />
                    <TrafficControls
                        rate={sim.traffic().rate}
                        mean_cost_ms={sim.traffic().cost.mean().as_millis_f64()}
                        capacity={sim.capacity()}
                        pattern={sim.traffic().pattern}
                        client_timeout={sim.traffic().client_timeout}
                        on_command={on_command.clone()}
                    />
                </aside>
                <section class="servers" aria-label="Servers">
                    { for pager }
                    { for servers.into_iter().map(|view| {
                        let key = view.index;
                        let selected = pg.selected == Some(view.index);
                        html! {
                            <ServerCard {key} {view} {selected} on_select={on_select.clone()}
                                on_command={on_command.clone()} />
                        }
                    }) }
                    <button class="add-server" onclick={
                        let on_command = on_command.clone();
                        Callback::from(move |_: MouseEvent| on_command.emit(Command::AddServer { weight: 1, workers: 2 }))
                    } title="Add a server with weight 1 and 2 workers; it is health-checked like the others">
                        { "+ Add server" }
                    </button>
                </section>
                <section class="charts" aria-label="Charts">
                    { for CHARTS.iter().zip(&chart_canvases).map(|(chart, node)| {
                        let label = if pg.compare.is_some() { chart.compare_label } else { chart.label };
                        chart_figure(chart.id, label, node, save_png(chart.id, node.clone()))
                    }) }
                </section>
                <EventLog entries={TimelineEntry::latest(pg.history.events(), sim.servers(), 12)} />
            </main>
        </div>
    }
}

/// Carries out a scenario-panel action.
fn scenario_action(pg: &mut Playground, action: ScenarioAction) -> Result<(), String> {
    let stamp = format!("{:.0}s", pg.sim.now().as_secs_f64());
    match action {
        ScenarioAction::Preset(id) => {
            let scenario = preset(id).ok_or_else(|| format!("no preset {id}"))?;
            pg.load(scenario, Some(id));
        }
        ScenarioAction::Import(loaded) => {
            pg.load(*loaded.map_err(|e| format!("file refused: {e}"))?, None)
        }
        ScenarioAction::Export => files::download(
            &format!("lb-session-{stamp}.json"),
            "application/json",
            &pg.sim.export_scenario().to_json(),
        )?,
        ScenarioAction::Share => {
            let link = files::set_fragment(&pg.share_fragment());
            files::copy_to_clipboard(&link);
            pg.link = Some(link);
        }
        ScenarioAction::MetricsCsv => files::download(
            &format!("lb-metrics-{stamp}.csv"),
            "text/csv",
            &report::metrics_csv(&pg.sim),
        )?,
        ScenarioAction::RequestLogCsv => {
            let mut csv = String::from(report::TRACE_HEADER);
            csv.push('\n');
            let mut records: Vec<_> = pg.history.finished().iter().collect();
            records.sort_by_key(|r| r.seq);
            for r in records {
                csv += &report::trace_line(&pg.sim, r);
                csv.push('\n');
            }
            files::download(&format!("lb-requests-{stamp}.csv"), "text/csv", &csv)?
        }
        ScenarioAction::Report => files::download(
            &format!("lb-report-{stamp}.json"),
            "application/json",
            &Report::of(
                &pg.sim,
                report::timeline(pg.history.events(), pg.sim.servers()),
            )
            .to_json(),
        )?,
    }
    Ok(())
}

/// A chart's canvas with its "Save PNG" button.
fn chart_figure(
    id: &str,
    label: &'static str,
    node: &NodeRef,
    on_save: Callback<MouseEvent>,
) -> Html {
    html! {
        <figure class="chart-figure">
            <canvas ref={node.clone()} class="chart" width="460" height="260" role="img"
                id={format!("chart-{id}")} aria-label={label} />
            <figcaption>
                <button class="save-png" onclick={on_save} title="Download this chart as a PNG image">
                    { "Save PNG" }
                </button>
            </figcaption>
        </figure>
    }
}
