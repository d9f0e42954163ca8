//! The root component: lays out the playground, owns the animation loop and the keyboard listener,
//! and sends every control's action to the session.

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::adapter::{self, SessionHandle, send};
use super::algorithm_picker::AlgorithmPicker;
use super::animation::{AnimationLoop, now_ms};
use super::answer_table::{AnswerRow, AnswerTable, Grouping};
use super::balancer_options::BalancerOptions;
use super::cell_tip::cell_tip;
use super::chart_figures::{CHARTS, ChartFigure, slide_chart};
use super::charts;
use super::class_link::ClassLinkDialog;
use super::client_controls::ClientControls;
use super::compare_controls::CompareControls;
use super::display;
use super::display_controls::DisplayControls;
use super::event_log::{EventLog, TimelineEntry};
use super::exercise_panel::ExercisePanel;
use super::files;
use super::flow::{self, FlowView};
use super::front_table::{FrontRow, FrontTable};
use super::keyboard::KeyListener;
use super::later::Later;
use super::lesson_panel::LessonPanel;
use super::playback_bar::PlaybackBar;
use super::quick_bar::QuickBar;
use super::request_inspector::{InspectorView, RequestInspector};
use super::resilience_controls::ResilienceControls;
use super::scaling_controls::ScalingControls;
use super::scenario_panel::ScenarioPanel;
use super::server_card::{ServerCard, ServerView};
use super::shortcuts_help::ShortcutsHelp;
use super::time_travel::TimeTravel;
use super::totals_bar::{TotalsBar, TotalsView};
use super::traffic_controls::TrafficControls;
use super::whatif_panel::WhatIfPanel;
use crate::lesson::{Chart as ChartId, Control, Highlight, ServerRef};
use crate::session::{Action, Display, Hidden, Kit, Layout, PRESENT_TIMELINE, Progress};
use crate::sim::{Algorithm, Command, Simulation, narrate};
use crate::sweep::whatif::Request;

/// How often the DOM panels re-render, in wall milliseconds. Numbers that change twice a second
/// are easier to read than faster ones, and each re-render costs a frame's worth of layout and
/// paint with many busy server cards: at 200 ms the page benchmark's 3 regions x 2 balancers x
/// 10 servers drew about 545 frames in 10 s, at 500 ms about 585 (with `.stats` contained).
const DOM_EVERY_MS: f64 = 500.0;
/// How often each chart may redraw, in wall milliseconds; it does only when its data changed. One
/// chart is drawn per turn, never all in one frame, so no frame carries more than one chart's work.
const CHARTS_EVERY_MS: f64 = 300.0;
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
    let session: SessionHandle =
        use_mut_ref(|| adapter::open(&files::fragment(), &files::query(), display::load())).clone();
    let rerender = use_force_update();
    let flow_canvas = use_node_ref();
    let compare_canvas = use_node_ref();
    let chart_canvases: [NodeRef; CHARTS.len()] = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];

    let on_action = {
        let (session, rerender) = (session.clone(), rerender.clone());
        use_callback((), move |action: Action, _| {
            send(&session, action, &|id| slide_chart(&session, id));
            rerender.force_update();
        })
    };

    {
        let (session, rerender, on_action) = (session.clone(), rerender.clone(), on_action.clone());
        let (flow_canvas, chart_canvases) = (flow_canvas.clone(), chart_canvases.clone());
        let compare_canvas = compare_canvas.clone();
        use_effect_with((), move |_| {
            let mut last_dom = f64::NEG_INFINITY;
            let mut last_chart = f64::NEG_INFINITY;
            let mut chart_turn = 0;
            let mut flow_drawn = None;
            let mut charts_drawn = [None; CHARTS.len()];
            let mut charts_drawn_at = [f64::NEG_INFINITY; CHARTS.len()];
            let frame = AnimationLoop::start(move |wall_ms| {
                {
                    let mut s = session.borrow_mut();
                    let started = now_ms();
                    s.frame(wall_ms);
                    s.frame_took(now_ms() - started);
                    let drawn = Some(Drawn {
                        data: s.sim().now().0,
                        generation: s.generation(),
                    });
                    let palette = s.display().theme.palette();
                    // A breaker's mark fades in wall time: redrawn while one shows, paused or not.
                    let fading = s.gates().showing(wall_ms);
                    if let Some(canvas) = flow_canvas.cast::<HtmlCanvasElement>()
                        && (flow::fit_to_display(&canvas) || flow_drawn != drawn || fading)
                    {
                        let view = FlowView {
                            palette,
                            reduced_motion: s.display().reduced_motion,
                            selected: s.selected(),
                            gates: Some(s.gates()),
                            wall_ms,
                        };
                        flow::draw(&canvas, s.sim(), view);
                        if let (Some(other), Some(canvas)) =
                            (s.compare(), compare_canvas.cast::<HtmlCanvasElement>())
                        {
                            flow::fit_to_display(&canvas);
                            flow::draw(
                                &canvas,
                                other,
                                FlowView {
                                    gates: None,
                                    ..view
                                },
                            );
                        }
                        flow_drawn = drawn;
                    }
                    let turn_ms = CHARTS_EVERY_MS / CHARTS.len() as f64;
                    if wall_ms - last_chart >= turn_ms {
                        last_chart = wall_ms;
                        // A canvas resized (or moved to a screen of another pixel ratio) is
                        // redrawn at its new size on its turn.
                        for (i, node) in chart_canvases.iter().enumerate() {
                            if let Some(canvas) = node.cast::<HtmlCanvasElement>()
                                && flow::fit_to_display(&canvas)
                            {
                                charts_drawn[i] = None;
                                charts_drawn_at[i] = f64::NEG_INFINITY;
                            }
                        }
                        let colours = charts::ChartColours::of(palette, flow::device_ratio());
                        // The next chart, in turn, that is out of date.
                        let state = |i: usize| {
                            Some(Drawn {
                                data: (CHARTS[i].data)(s.sim()),
                                generation: s.generation(),
                            })
                        };
                        // The present layout draws only its two charts.
                        let shown = |i: usize| {
                            s.layout() != Layout::Present
                                || ChartId::from_id(CHARTS[i].id)
                                    .is_some_and(|c| s.present_charts().shows(c))
                        };
                        let stale = (0..CHARTS.len())
                            .map(|k| (chart_turn + k) % CHARTS.len())
                            .find(|&i| {
                                shown(i)
                                    && charts_drawn[i] != state(i)
                                    && wall_ms - charts_drawn_at[i] >= CHARTS_EVERY_MS
                            });
                        if let Some(i) = stale
                            && let Some(canvas) = chart_canvases[i].cast::<HtmlCanvasElement>()
                        {
                            let runs = charts::Runs::of(&s);
                            (CHARTS[i].build)(&runs).draw(&canvas, &runs.markers, &colours);
                            charts_drawn[i] = state(i);
                            charts_drawn_at[i] = wall_ms;
                            chart_turn = i + 1;
                        }
                    }
                }
                // The borrow above has ended: a re-render may read the session at once.
                if wall_ms - last_dom >= DOM_EVERY_MS {
                    last_dom = wall_ms;
                    rerender.force_update();
                }
            });
            let keys = KeyListener::start(move |shortcut| on_action.emit(shortcut.action()));
            move || drop((frame, keys))
        });
    }

    let on_command = use_callback(on_action.clone(), |command: Command, on_action| {
        on_action.emit(Action::Apply(command))
    });
    let on_display = use_callback(on_action.clone(), |display: Display, on_action| {
        on_action.emit(Action::SetDisplay(display))
    });
    let on_help = use_callback(on_action.clone(), |(), on_action| {
        on_action.emit(Action::ToggleHelp)
    });
    let on_close_help = use_callback(on_action.clone(), |(), on_action| {
        on_action.emit(Action::CloseHelp)
    });
    let on_compare = use_callback(
        on_action.clone(),
        |algorithm: Option<Algorithm>, on_action| on_action.emit(Action::Compare(algorithm)),
    );
    let click = |action: Action| on_action.reform(move |_: MouseEvent| action.clone());
    // A click on a moving request inspects it.
    let on_flow_click = {
        let (session, on_action, flow_canvas) =
            (session.clone(), on_action.clone(), flow_canvas.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = flow_canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let at = (f64::from(e.offset_x()), f64::from(e.offset_y()));
            let picked = {
                let s = session.borrow();
                flow::request_at(&canvas, s.sim(), s.display().theme.palette(), at)
            };
            if let Some(seq) = picked {
                on_action.emit(Action::Inspect(Some(seq)));
            }
        })
    };

    // A pointer over the grid of many servers names the cell it is on.
    let hovered = use_state_eq(|| None::<usize>);
    let on_flow_hover = {
        let (session, hovered, flow_canvas) =
            (session.clone(), hovered.clone(), flow_canvas.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = flow_canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let at = (f64::from(e.offset_x()), f64::from(e.offset_y()));
            let s = session.borrow();
            hovered.set(flow::cell_at(
                &canvas,
                s.sim(),
                s.display().theme.palette(),
                at,
            ));
        })
    };
    let on_flow_leave = {
        let hovered = hovered.clone();
        Callback::from(move |_: MouseEvent| hovered.set(None))
    };

    let s = session.borrow();
    let sim = s.sim();
    let labels = s.run_labels();
    // The hovered cell's server, else the keyboard's, by its cell.
    let cell_tip = hovered.or(s.selected()).and_then(|index| {
        let canvas = flow_canvas.cast::<HtmlCanvasElement>()?;
        let cell = flow::cell_of(&canvas, sim, s.display().theme.palette(), index)?;
        Some(cell_tip(&canvas, cell, narrate::server_line(sim, index)?))
    });
    // What the lesson's step points at gets the highlight class.
    let pointed = s
        .lesson()
        .filter(|run| !run.done())
        .and_then(|run| run.lesson().steps[run.step()].highlight);
    let lit = |h: Highlight| (pointed == Some(h)).then_some("highlight");
    let control = |c: Control| classes!("control", lit(Highlight::Control(c)));
    let page = s.page();
    let servers = ServerView::of(sim, page.start..page.end);
    let pager = page.is_paged().then(|| {
        html! {
            <nav class="pager" aria-label="Server pages">
                <button onclick={click(Action::PreviousPage)} disabled={page.previous().is_none()}
                    title="Show the previous servers (the keyboard's ↑ also pages)">{ "◀" }</button>
                <span>{ format!("servers {}–{} of {}", page.start + 1, page.end, page.total) }</span>
                <button onclick={click(Action::NextPage)} disabled={page.next().is_none()}
                    title="Show the next servers (the keyboard's ↓ also pages)">{ "▶" }</button>
            </nav>
        }
    });
    let error = s.error().map(|e| {
        html! {
            <div class="error" role="alert">
                <span>{ e }</span>
                <button class="dismiss" onclick={click(Action::DismissError)}
                    title="Hide this message" aria-label="Dismiss this message">{ "×" }</button>
            </div>
        }
    });
    let behind = s.behind().then_some(
        "Behind real time: this run needs more work per frame than the page allows, so simulated time passes slower than the speed says.",
    );
    let notices = s.notice().into_iter().chain(behind).map(|n| {
        html! { <div class="notice" role="status">{ n }</div> }
    });
    let undo = s.undo_offer().map(|words| {
        html! {
            <div class="notice undo" role="status">
                <span>{ words }</span>
                <button onclick={click(Action::UndoRemove)}
                    title="Take the run back to just before the removal: the history forks there, without it">
                    { "Undo" }
                </button>
            </div>
        }
    });

    // The classroom kit: a locked page, or one whose controls are hidden, has no model
    // controls; hidden parts are not drawn; the layout follows with classes on the page.
    let (hidden, locked) = (s.hidden(), s.locked());
    let model_controls = !locked && !hidden.get("controls");
    let page_classes = classes!(
        "app",
        s.locked().then_some("locked"),
        match s.layout() {
            Layout::Standard => None,
            Layout::Stage => Some("stage-mode"),
            Layout::Present => Some("present-mode"),
        },
        Hidden::PARTS
            .iter()
            .filter(|p| hidden.get(p))
            .map(|p| format!("hide-{p}"))
            .collect::<Vec<_>>(),
    );
    let make_link = {
        let session = session.clone();
        Callback::from(move |(kit, with_run): (Kit, bool)| {
            session
                .borrow()
                .class_link(&files::base_address(), &kit, with_run)
        })
    };
    // The What-if panel's snapshot of the system as it stands, taken when it is asked for (one
    // callback for the page's life, so the panel does not re-render with every tick).
    let make_whatif = {
        let session = session.clone();
        use_callback((), move |(), _| {
            let s = session.borrow();
            let sim = s.sim();
            (Request::of(sim), sim.now(), sim.traffic().rate)
        })
    };
    let stage_caption = (s.layout() == Layout::Stage && s.lesson().is_none()).then(|| {
        let scenario = sim.scenario();
        html! {
            <p class="stage-caption">
                <strong>{ &scenario.title }</strong>
                if !scenario.watch.is_empty() {
                    { " · " }{ &scenario.watch }
                }
            </p>
        }
    });

    // The present layout's charts, and how much of the timeline the page shows.
    let present = (s.layout() == Layout::Present).then(|| s.present_charts());
    let timeline = if present.is_some() {
        PRESENT_TIMELINE
    } else {
        12
    };

    html! {
            <div class={page_classes}>
                if s.layout() == Layout::Stage {
                    <button class="exit-stage" onclick={click(Action::ToggleLayout(Layout::Stage))}
                        title="Leave stage mode (key v)">{ "Exit stage" }</button>
                }
                <header class="top">
                    <h1 title="A load-balancing teaching tool: every number comes from a deterministic, seeded simulation">
                        { "LB Playground" }
                    </h1>
                    <DisplayControls display={s.display()} on_change={on_display} on_help={on_help} />
                    <button class="stage-button" onclick={click(Action::ToggleLayout(Layout::Stage))}
                        aria-pressed={(s.layout() == Layout::Stage).to_string()}
                        title="Stage mode: the flow canvas fills the screen with the caption under it (key v)">
                        { "Stage" }
                    </button>
                    <button class="present-button" onclick={click(Action::ToggleLayout(Layout::Present))}
                        aria-pressed={(s.layout() == Layout::Present).to_string()}
                        title={present_tip(s.layout())}>
                        { if s.layout() == Layout::Present { "Full page" } else { "Present" } }
                    </button>
                    <ClassLinkDialog kit={s.kit()} make={make_link} />
                    <div class={control(Control::Playback)}>
    <PlaybackBar
                        playing={s.clock().is_playing()}
                        speed={s.clock().speed()}
                        seed={sim.scenario().seed}
                        sim_seconds={sim.now().as_secs_f64()}
                        on_action={on_action.clone()}
                    />
    </div>
                    <TimeTravel
                        now={sim.now()}
                        reach={s.reach()}
                        fork_at={s.fork_offer().map(|t| t.as_secs_f64())}
                        off={s.lesson().is_some().then_some("Time travel is off during a lesson: Back goes to the previous step.")}
                        on_action={on_action.clone()}
                    />
                </header>
                // Each banner is one child, there or not (an `if`, a fragment), never a `for`
                // among its siblings: Yew pairs unkeyed children from the end, so a banner
                // that came as extra children would rebuild the header before it.
                if let Some(error) = error {
                    { error }
                }
                <>{ for notices }</>
                if let Some(undo) = undo {
                    { undo }
                }
                <div class="live" role="status" aria-live="polite" aria-atomic="true">{ s.announcement() }</div>
                if let Some(sheet) = s.exercise() {
                    <ExercisePanel sheet={sheet.clone()} score={s.exercise_score()} on_action={on_action.clone()} />
                } else if !locked || s.lesson().is_some() {
                    // A locked page has no lesson menu: only the lesson it opened with, if any.
                    <LessonPanel run={s.lesson().cloned()} on_action={on_action.clone()} />
                }
                if s.help_open() {
                    <ShortcutsHelp on_close={on_close_help} />
                }
                <main class="layout">
                    <section class={classes!("stage", lit(Highlight::Balancer))} aria-label="Request flow">
                        <div class={classes!("runs", labels.is_some().then_some("comparing"))}>
                        <div class="run">
                        if let Some([label, _]) = &labels {
                            <h2 class="run-label">{ label.clone() }</h2>
                        }
                        <canvas
                            ref={flow_canvas}
                            class="flow"
                            role="img"
                            aria-label={narrate::flow_summary(sim)}
                            title="Click a moving request to inspect its way, hop by hop; with many servers, point at a cell for its server's name and state"
                            onclick={on_flow_click}
                            onmousemove={on_flow_hover}
                            onmouseleave={on_flow_leave}
                        />
                        // One node either way (an `if`, not a `for`): the siblings keep their
                        // places, so the canvas is never rebuilt when the label comes and goes.
                        if let Some(tip) = cell_tip {
                            { tip }
                        }
                        if model_controls {
                            if let Some(server) = ServerView::of(sim, s.acted_on()..s.acted_on() + 1).pop() {
                                <QuickBar {server} playing={s.clock().is_playing()} on_action={on_action.clone()} />
                            }
                        }
                        if !hidden.get("totals") {
                            <TotalsBar view={TotalsView::of(sim)} />
                            <AnswerTable grouping={Grouping::Path} rows={AnswerRow::by_path(sim)} />
                            <AnswerTable grouping={Grouping::Client} rows={AnswerRow::by_client(sim)} />
                            <FrontTable rows={FrontRow::all(sim)} controls={model_controls} on_command={on_command.clone()} />
                        }
                        </div>
                        if let Some(other) = s.compare() {
                            <div class="run">
                            <h2 class="run-label">{ labels.as_ref().map(|[_, b]| b.clone()) }</h2>
                            <canvas
                                ref={compare_canvas}
                                class="flow compare"
                                role="img"
                                aria-label={format!("Run B, the same traffic and changes under the compared algorithm. {}", narrate::flow_summary(other))}
                            />
                            if !hidden.get("totals") {
                                <TotalsBar view={TotalsView::of(other)} />
                            }
                            </div>
                        }
                        </div>
                        if let Some(caption) = stage_caption {
                            { caption }
                        }
                    </section>
                    <Later turn={1}>
                    <section class="servers" aria-label="Servers">
                        <h2 class="visually-hidden">{ "Servers" }</h2>
                        { for pager }
                        { for servers.into_iter().map(|view| {
                            let key = view.index;
                            let selected = s.selected() == Some(view.index);
                            let highlighted = pointed == Some(Highlight::Server(ServerRef(view.index)));
                            html! {
                                <ServerCard {key} {view} {selected} {highlighted} {locked} on_action={on_action.clone()} />
                            }
                        }) }
                        if !locked {
                            <button class="add-server" onclick={click(Action::AddServer)}
                                title="Add a server with weight 1 and 2 workers; it is health-checked like the others">
                                { "+ Add server" }
                            </button>
                        }
                    </section>
                    </Later>
                    if model_controls {
                    <Later turn={2}>
                    <aside class="side">
                        <ScenarioPanel
                            preset={s.preset()}
                            title={sim.scenario().title.clone()}
                            watch={sim.scenario().watch.clone()}
                            progress={Progress::of(sim)}
                            link={s.link().map(str::to_string)}
                            choice={s.config_choice().cloned()}
                            on_action={on_action.clone()}
                        />
                        <div class={control(Control::Algorithm)}>
    <AlgorithmPicker algorithm={sim.algorithm()} on_command={on_command.clone()} />
    </div>
                        <div class={control(Control::Compare)}>
    <CompareControls compared={s.compare().map(Simulation::algorithm)} on_change={on_compare} />
    </div>
                        <div class={control(Control::Balancer)}>
    <BalancerOptions
                            slow_start={sim.slow_start()}
                            clients={sim.traffic().clients}
                            behind_nat={sim.traffic().behind_nat}
                            remap={sim.algorithm().hash_key().and(sim.last_remap())}
                            layer={sim.layer()}
                            tls={sim.tls_mode()}
                            on_command={on_command.clone()}
                        />
    </div>
                        <div class={control(Control::Resilience)}>
    <ResilienceControls
                            resilience={*sim.resilience()}
                            retries={sim.metrics().retries()}
                            on_command={on_command.clone()}
                        />
    </div>
                        <div class={control(Control::Traffic)}>
    <TrafficControls
                            rate={sim.traffic().rate}
                            mean_cost_ms={sim.traffic().cost.mean().as_millis_f64()}
                            capacity={sim.capacity()}
                            pattern={sim.traffic().pattern}
                            client_timeout={sim.traffic().client_timeout}
                            rate_limit={sim.rate_limit()}
                            on_command={on_command.clone()}
                        />
    </div>
                        <div class={control(Control::Clients)}>
    <ClientControls
                            retry={sim.traffic().client_retry}
                            closed_loop={sim.traffic().closed_loop}
                            on_command={on_command.clone()}
                        />
    </div>
                        <div class={control(Control::Scaling)}>
    <ScalingControls
                            autoscale={sim.autoscale()}
                            on_command={on_command.clone()}
                        />
    </div>
                    </aside>
                    </Later>
                    }
                    if !hidden.get("charts") {
                    <Later turn={3}>
                    <section class="charts" aria-label="Charts">
                        { for CHARTS.iter().zip(&chart_canvases).enumerate().map(|(index, (chart, node))| {
                            let lit = pointed.is_some_and(|h| matches!(h, Highlight::Chart(c) if c.id() == chart.id));
                            let slot = present.and_then(|p| p.0.iter().position(|c| c.id() == chart.id));
                            let figure = ChartFigure {
                                index,
                                comparing: s.compare().is_some(),
                                node,
                                highlighted: lit,
                                present: present.map(|p| (p, slot)),
                                session: &session,
                                stamp: ((chart.data)(sim), s.generation()),
                            };
                            figure.render(click(Action::SavePng(chart.id)), &on_action)
                        }) }
                        if model_controls {
                            <WhatIfPanel make={make_whatif} theme={s.display().theme} />
                        }
                    </section>
                    </Later>
                    }
                    if !hidden.get("log") {
                        <Later turn={4}>
                        <EventLog entries={TimelineEntry::latest(s.history().events(), sim.servers(), timeline)} />
                        <RequestInspector
                            view={InspectorView::of(s.inspected(), sim, s.history().finished().iter())}
                            on_action={on_action.clone()}
                        />
                        </Later>
                    }
                </main>
            </div>
        }
}

/// The present button's tooltip: what it does from `layout`.
fn present_tip(layout: Layout) -> &'static str {
    if layout == Layout::Present {
        "Leave the present layout for the full page (key p)"
    } else {
        "Present layout: the flow, two charts you choose and the latest timeline entries on one screen, nothing to scroll (key p)"
    }
}
