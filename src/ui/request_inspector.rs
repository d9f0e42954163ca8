//! The request inspector: one request's way, hop by hop (phase, try, server, when, how long),
//! and how and why it ended; and a list of the latest finished requests to pick one from.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::session::Action;
use crate::sim::inspect::Story;
use crate::sim::narrate::{phase_text, story_text};
use crate::sim::{Simulation, TraceRecord};

/// How many of the latest finished requests the picker lists.
const PICKABLE: usize = 30;

/// One row of the hop table, in words.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    what: &'static str,
    try_number: u8,
    server: String,
    from_s: String,
    took_ms: String,
}

/// What the inspector shows, in words (made here, from the story's data).
#[derive(Clone, Debug, PartialEq)]
pub struct InspectorView {
    heading: Option<String>,
    rows: Vec<Row>,
    ending: String,
    /// The latest finished requests: sequence number and a label. The picker lists them as
    /// they were when it was last focused or pressed, not as they change.
    latest: Vec<(u64, String)>,
}

impl InspectorView {
    /// The view of `story` (if one is inspected) in `sim`, with `finished` to pick from.
    pub fn of<'a>(
        story: Option<&Story>,
        sim: &Simulation,
        finished: impl DoubleEndedIterator<Item = &'a TraceRecord>,
    ) -> InspectorView {
        let servers = sim.servers();
        let name = |s: Option<u32>| {
            s.and_then(|s| servers.get(s as usize))
                .map_or("–".to_owned(), |s| s.spec().name.clone())
        };
        let rows = story.map_or_else(Vec::new, |story| {
            story
                .hops
                .iter()
                .map(|hop| Row {
                    what: phase_text(hop.phase),
                    try_number: hop.try_number,
                    server: name(hop.server),
                    from_s: format!("{:.3}", hop.start.as_secs_f64()),
                    took_ms: format!(
                        "{:.1}",
                        (hop.end.0.saturating_sub(hop.start.0)) as f64 / 1e3
                    ),
                })
                .collect()
        });
        let latest = finished
            .rev()
            .take(PICKABLE)
            .map(|r| {
                let label = format!(
                    "#{} · {} · {:.0} ms",
                    r.seq,
                    r.outcome.label(),
                    r.latency.as_secs_f64() * 1e3
                );
                (r.seq, label)
            })
            .collect();
        InspectorView {
            heading: story.map(|s| {
                format!(
                    "Request #{} from client {}, sent at {:.3} s",
                    s.seq,
                    s.client + 1,
                    s.sent.as_secs_f64()
                )
            }),
            rows,
            ending: story.map_or_else(String::new, |s| story_text(s, servers)),
            latest,
        }
    }
}

/// Props of [`RequestInspector`].
#[derive(Properties, PartialEq)]
pub struct RequestInspectorProps {
    /// What to show.
    pub view: InspectorView,
    /// Receives the actions.
    pub on_action: Callback<Action>,
}

/// The inspector panel.
///
/// The picker's list is a snapshot taken when it is focused or pressed: a list that changed with
/// every re-render would move under the pointer, and rewriting its options each time makes the
/// browser lay the page out again.
#[function_component]
pub fn RequestInspector(props: &RequestInspectorProps) -> Html {
    let view = &props.view;
    let listed = use_state_eq(Vec::<(u64, String)>::new);
    let refresh = {
        let (listed, latest) = (listed.clone(), view.latest.clone());
        move || listed.set(latest.clone())
    };
    let on_focus = {
        let refresh = refresh.clone();
        Callback::from(move |_: FocusEvent| refresh())
    };
    let on_press = Callback::from(move |_: PointerEvent| refresh());
    let on_pick = props.on_action.reform(|e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        Action::Inspect(select.value().parse().ok())
    });
    let close = props
        .on_action
        .reform(|_: MouseEvent| Action::Inspect(None));
    let story = view.heading.as_ref().map(|heading| {
        html! {
            <>
                <h3>{ heading }</h3>
                <table class="hops">
                    <thead><tr>
                        <th scope="col">{ "Where" }</th>
                        <th scope="col" title="Which try of the request">{ "Try" }</th>
                        <th scope="col">{ "Server" }</th>
                        <th scope="col" title="Simulated time the hop began">{ "From (s)" }</th>
                        <th scope="col">{ "Took (ms)" }</th>
                    </tr></thead>
                    <tbody>
                        { for view.rows.iter().map(|r| html! {
                            <tr>
                                <td>{ r.what }</td>
                                <td class="num">{ r.try_number }</td>
                                <td>{ &r.server }</td>
                                <td class="num">{ &r.from_s }</td>
                                <td class="num">{ &r.took_ms }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <p class="ending">{ &view.ending }</p>
                <button onclick={close} title="Close the inspector">{ "Close" }</button>
            </>
        }
    });
    html! {
        <section class="panel inspector" aria-label="Inspect a request">
            <h2>{ "Inspect a request" }</h2>
            <p class="hint">{ "Click a moving request on the flow canvas, or pick a finished one:" }</p>
            <label for="inspect-pick">{ "Finished" }</label>
            <select id="inspect-pick" onchange={on_pick} onfocus={on_focus} onpointerdown={on_press}
                title="The latest finished requests, as of when you open the list: pick one to see its way, hop by hop">
                <option value="" selected=true>{ "Latest finished requests…" }</option>
                { for listed.iter().map(|(seq, label)| html! {
                    <option value={seq.to_string()}>{ label }</option>
                }) }
            </select>
            { for story }
        </section>
    }
}
