//! The page's charts: what each shows (also while comparing), how its [`Figure`] is made, what its
//! picture depends on, and how it sits on the page: its canvas, its "Save PNG" button, its table
//! of numbers behind a "Table" toggle, and in the present layout its place.

use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::adapter::SessionHandle;
use super::charts::{self, Build, Figure, Runs};
use crate::lesson::Chart as ChartId;
use crate::session::{Action, PresentCharts};
use crate::sim::Simulation;

/// A chart's PNG is drawn afresh at this size in CSS pixels and at [`SLIDE_PIXEL_RATIO`]: 1920 x
/// 1080 pixels, a full 16:9 slide, with type as large as on a 2x screen.
const SLIDE: (u32, u32) = (960, 540);
/// Pixels per CSS pixel of a chart's PNG.
const SLIDE_PIXEL_RATIO: f64 = 2.0;

/// A chart: what it shows (also while comparing), how it is made, and the file name its PNG is
/// saved under.
pub struct Chart {
    /// Its id, in the page and in lessons.
    pub id: &'static str,
    label: &'static str,
    compare_label: &'static str,
    /// What it shows, made from the runs.
    pub build: Build,
    /// What its picture depends on: it is redrawn only when this (or the generation) changes.
    pub data: fn(&Simulation) -> u64,
}

/// The simulated time: the bar chart's counts and the queues' latest point may change whenever
/// it moves.
fn clock_data(sim: &Simulation) -> u64 {
    sim.now().0
}

/// Changes when a sampling window closes: the line charts' data.
fn window_data(sim: &Simulation) -> u64 {
    sim.metrics().series().back().map_or(0, |s| s.end.0)
}

/// The charts, in page order.
pub static CHARTS: [Chart; 5] = [
    Chart {
        id: "requests-per-server",
        label: "Bar chart of requests routed to each server in the last 30 s, with the share the weights imply",
        compare_label: "Bar chart of requests routed to each server in the last 30 s by run A and by run B, side by side",
        build: |runs| Figure::Bars(charts::distribution(runs)),
        data: clock_data,
    },
    Chart {
        id: "latency",
        label: "Line chart of p50, p95, p99 and mean latency over time, with the queueing-theory mean when a model fits",
        compare_label: "Line chart of p50 and p95 latency over time, run A solid and run B dashed",
        build: |runs| Figure::Time(charts::latency(runs)),
        data: window_data,
    },
    Chart {
        id: "throughput",
        label: "Line chart of requests served, failed and retried per second over time",
        compare_label: "Line chart of run A's requests served, failed and retried per second over time",
        build: |runs| Figure::Time(charts::throughput(runs)),
        data: window_data,
    },
    Chart {
        id: "queues",
        label: "Line chart of each server's queue length over time",
        compare_label: "Line chart of each of run A's servers' queue length over time",
        build: |runs| Figure::Time(charts::queues(runs)),
        data: clock_data,
    },
    Chart {
        id: "servers",
        label: "Line chart of the servers over time (all, and those in rotation) against the load in servers' worth of work",
        compare_label: "Line chart of run A's servers over time against its load",
        build: |runs| Figure::Time(charts::fleet(runs)),
        data: window_data,
    },
];

/// The chart with `id` drawn on a canvas of its own at the size of a slide ([`SLIDE`]).
pub fn slide_chart(session: &SessionHandle, id: &str) -> Option<HtmlCanvasElement> {
    let chart = CHARTS.iter().find(|chart| chart.id == id)?;
    let document = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    let (width, height) = SLIDE;
    canvas.set_width((f64::from(width) * SLIDE_PIXEL_RATIO) as u32);
    canvas.set_height((f64::from(height) * SLIDE_PIXEL_RATIO) as u32);
    let s = session.borrow();
    let colours = charts::ChartColours::of(s.display().theme.palette(), SLIDE_PIXEL_RATIO);
    let runs = Runs::of(&s);
    (chart.build)(&runs).draw(&canvas, &runs.markers, &colours);
    Some(canvas)
}

/// One chart on the page: its canvas, what it shows, and in the present layout its place.
pub struct ChartFigure<'a> {
    /// Which chart, in [`CHARTS`].
    pub index: usize,
    /// Whether compare mode is on (the canvas's label says what it shows).
    pub comparing: bool,
    /// Its canvas.
    pub node: &'a NodeRef,
    /// A lesson points at it.
    pub highlighted: bool,
    /// In the present layout: its two charts, and this chart's place among them (none: it is
    /// not shown).
    pub present: Option<(PresentCharts, Option<usize>)>,
    /// The session, read by the table when it is open.
    pub session: &'a SessionHandle,
    /// Changes whenever the chart's picture may: its table is read again only then.
    pub stamp: (u64, u64),
}

impl ChartFigure<'_> {
    /// The figure with its Save PNG button and table toggle, and in the present layout a menu
    /// that puts another chart in its place.
    pub fn render(&self, on_save: Callback<MouseEvent>, on_action: &Callback<Action>) -> Html {
        let chart = &CHARTS[self.index];
        let (place, picker) = match self.present {
            Some((charts, Some(slot))) => (Some(slot), Some(self.picker(charts, slot, on_action))),
            Some((_, None)) => (None, None),
            None => (Some(0), None),
        };
        let class = classes!(
            "chart-figure",
            self.highlighted.then_some("highlight"),
            place.is_none().then_some("present-off"),
            (self.present.is_some() && place == Some(1)).then_some("present-second"),
        );
        let style = self.present.and(place).map(|slot| format!("order: {slot}"));
        let label = if self.comparing {
            chart.compare_label
        } else {
            chart.label
        };
        html! {
            <figure {class} {style}>
                <canvas ref={self.node.clone()} class="chart" role="img"
                    id={format!("chart-{}", chart.id)} aria-label={label} />
                <ChartTable index={self.index} session={self.session.clone()} stamp={self.stamp}>
                    { for picker }
                    <button class="save-png" onclick={on_save} title="Download this chart as a 1920 x 1080 PNG image, for a slide">
                        { "Save PNG" }
                    </button>
                </ChartTable>
            </figure>
        }
    }

    /// The present layout's menu for the chart in place `slot`: picking the other shown chart
    /// swaps the two.
    fn picker(&self, charts: PresentCharts, slot: usize, on_action: &Callback<Action>) -> Html {
        let id = format!("present-chart-{slot}");
        let (label, tip) = if slot == 0 {
            (
                "Top chart",
                "The chart shown at the top of the present layout",
            )
        } else {
            (
                "Bottom chart",
                "The chart shown at the bottom of the present layout",
            )
        };
        let onchange = on_action.reform(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let chart = ChartId::from_id(&select.value()).unwrap_or(charts.0[slot]);
            Action::PresentChart { slot, chart }
        });
        html! {
            <span class="present-picker">
                <label for={id.clone()} title={tip}>{ label }</label>
                <select id={id} title={tip} {onchange}>
                    { for ChartId::ALL.iter().map(|c| html! {
                        <option value={c.id()} selected={*c == charts.0[slot]}>{ c.title() }</option>
                    }) }
                </select>
            </span>
        }
    }
}

/// Props of [`ChartTable`].
#[derive(Properties)]
pub struct ChartTableProps {
    /// Which chart, in [`CHARTS`].
    pub index: usize,
    /// The session the chart is drawn from.
    pub session: SessionHandle,
    /// The chart's data stamp and the session's generation.
    pub stamp: (u64, u64),
    /// The caption's other controls, before the toggle.
    pub children: Html,
}

impl PartialEq for ChartTableProps {
    /// The same session (a handle has no equality of its own) and the same other props.
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && self.stamp == other.stamp
            && self.children == other.children
            && std::rc::Rc::ptr_eq(&self.session, &other.session)
    }
}

/// A chart's caption: its other controls and a "Table" toggle, and while the toggle is on the
/// chart's numbers as a table, read from the same [`Figure`] the canvas draws.
#[function_component]
pub fn ChartTable(props: &ChartTableProps) -> Html {
    let open = use_state(|| false);
    let chart = &CHARTS[props.index];
    let id = format!("table-{}", chart.id);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    // Read again only when the chart's data changes, however often the page re-renders.
    let table = {
        let session = props.session.clone();
        use_memo((props.stamp, *open), move |&(_, open)| {
            open.then(|| (chart.build)(&Runs::of(&session.borrow())).table())
        })
    };
    html! {
        <>
            <figcaption>
            { props.children.clone() }
            <button class="table-toggle" onclick={toggle} aria-expanded={open.to_string()} aria-controls={id.clone()}
                title="Show or hide this chart's numbers as a table (for screen readers, and for reading exact values)">
                { "Table" }
            </button>
            </figcaption>
            <div {id} class="chart-table">
                if let Some(table) = &*table {
                    <table>
                        <caption>{ &table.caption }</caption>
                        <thead><tr>{ for table.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                        <tbody>
                            { for table.rows.iter().map(|row| html! {
                                <tr>
                                    <th scope="row">{ &row[0] }</th>
                                    { for row[1..].iter().map(|cell| html! { <td>{ cell }</td> }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
            </div>
        </>
    }
}
