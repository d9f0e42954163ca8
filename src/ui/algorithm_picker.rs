//! The algorithm picker and the explanation of the chosen algorithm.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::sim::{Algorithm, Command};

/// Props of [`AlgorithmPicker`].
#[derive(Properties, PartialEq)]
pub struct AlgorithmPickerProps {
    /// The algorithm in use.
    pub algorithm: Algorithm,
    /// Receives the switch command.
    pub on_command: Callback<Command>,
}

/// A labelled select of every algorithm, with how it works, when to use it, its weakness and cost.
#[function_component]
pub fn AlgorithmPicker(props: &AlgorithmPickerProps) -> Html {
    let onchange = {
        let on_command = props.on_command.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(algorithm) = Algorithm::from_id(&select.value()) {
                on_command.emit(Command::SetAlgorithm(algorithm));
            }
        })
    };
    let about = props.algorithm.about();
    html! {
        <section class="panel algorithm" aria-label="Balancing algorithm">
            <h2 class="visually-hidden">{ "Balancing algorithm" }</h2>
            <label for="algorithm" title="How the load balancer chooses a server for each request">
                { "Algorithm" }
            </label>
            <select id="algorithm" {onchange} title="Switching takes effect on the next request; the algorithm's state starts fresh">
                { for Algorithm::ALL.iter().map(|a| html! {
                    <option value={a.id()} selected={*a == props.algorithm}>{ a.about().name }</option>
                }) }
            </select>
            <dl class="about">
                <dt>{ "How" }</dt><dd>{ about.how }</dd>
                <dt>{ "Use when" }</dt><dd>{ about.when }</dd>
                <dt>{ "Weakness" }</dt><dd>{ about.weakness }</dd>
                <dt>{ "Cost" }</dt><dd>{ about.cost }</dd>
            </dl>
        </section>
    }
}
