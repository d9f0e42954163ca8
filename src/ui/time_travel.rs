//! The time-travel bar: a scrubber over the run so far, the step to the next change of state,
//! and the offer a change in the past makes (keep the old history as run B).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::session::Action;
use crate::sim::SimTime;

/// Props of [`TimeTravel`].
#[derive(Properties, PartialEq)]
pub struct TimeTravelProps {
    /// The time shown.
    pub now: SimTime,
    /// The latest time the history reached.
    pub reach: SimTime,
    /// When a change in the past forked the history, while the old one is offered.
    pub fork_at: Option<f64>,
    /// Why the scrubber is off, if it is (a lesson is open).
    pub off: Option<&'static str>,
    /// Receives the actions.
    pub on_action: Callback<Action>,
}

/// A simulated time as a clock reads, `m:ss.s`.
fn clock(seconds: f64) -> String {
    let tenths = (seconds * 10.0).round() as u64;
    format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10)
}

/// The bar.
#[function_component]
pub fn TimeTravel(props: &TimeTravelProps) -> Html {
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    let reach = props.reach;
    let (now_s, reach_s) = (props.now.as_secs_f64(), reach.as_secs_f64());
    let on_scrub = props.on_action.reform(move |e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        let seconds = input.value().parse::<f64>().unwrap_or(0.0);
        // The slider's last tenth of a second is the latest moment itself.
        let t = SimTime::from_secs_f64(seconds).min(reach);
        Action::Seek(if seconds + 0.05 >= reach_s { reach } else { t })
    });
    let past = props.now < reach;
    let where_ = if past {
        format!("{} of {} · replaying", clock(now_s), clock(reach_s))
    } else {
        clock(now_s)
    };
    let scrub_tip = props.off.unwrap_or(
        "Drag back to see the run at any moment so far; played on, it goes on as it went. A change made in the past starts a new history from there.",
    );
    let fork = props.fork_at.map(|at| {
        html! {
            <div class="fork" role="status">
                <span>{ format!(
                    "You changed the past at {}: from there this run has a new history.",
                    clock(at)
                ) }</span>
                <button class="primary" onclick={emit(Action::KeepFork(true))}
                    title="Compare mode: run B goes on as the old history went, beside the new one">
                    { "Keep the old history as B" }
                </button>
                <button onclick={emit(Action::KeepFork(false))}
                    title="Forget the old history">{ "Let it go" }</button>
            </div>
        }
    });
    html! {
        <div class="time-travel" role="group" aria-label="Time travel">
            <label for="scrubber" title={scrub_tip}>{ "Time" }</label>
            <input id="scrubber" type="range" min="0" max={format!("{reach_s:.1}")}
                step="0.1" value={format!("{now_s:.1}")} oninput={on_scrub}
                disabled={props.off.is_some()} title={scrub_tip}
                aria-valuetext={where_.clone()} />
            <span class="where" title="The time shown, of the latest the run reached">{ where_ }</span>
            <button onclick={emit(Action::NextChange)}
                title="Run on to the next change of state (a health check, a breaker, a command...) and pause there (key n)">
                { "Next event" }
            </button>
            if past {
                <button onclick={emit(Action::Seek(reach))}
                    disabled={props.off.is_some()}
                    title="Back to the latest moment the run reached">{ "Latest" }</button>
            }
            { for fork }
        </div>
    }
}
