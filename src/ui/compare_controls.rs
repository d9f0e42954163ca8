//! Compare mode's switch: run a second algorithm on the identical seeded traffic, side by side.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::sim::Algorithm;

/// Props of [`CompareControls`].
#[derive(Properties, PartialEq)]
pub struct CompareControlsProps {
    /// The algorithm being compared with, if compare mode is on.
    pub compared: Option<Algorithm>,
    /// Receives the new choice (`None` turns compare mode off).
    pub on_change: Callback<Option<Algorithm>>,
}

/// A select of "off" and every algorithm.
#[function_component]
pub fn CompareControls(props: &CompareControlsProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            on_change.emit(Algorithm::from_id(&select.value()));
        })
    };
    let tip = "Run a second copy of this scenario, with the same seed, traffic and every change you make, \
               under another algorithm, and show both side by side";
    html! {
        <section class="panel compare" aria-label="Compare mode">
            <h2 class="visually-hidden">{ "Compare mode" }</h2>
            <label for="compare-algorithm" title={tip}>{ "Compare with (B)" }</label>
            <select id="compare-algorithm" {onchange} title={tip}>
                <option value="off" selected={props.compared.is_none()}>{ "Off" }</option>
                { for Algorithm::ALL.iter().map(|a| html! {
                    <option value={a.id()} selected={Some(*a) == props.compared}>{ a.about().name }</option>
                }) }
            </select>
            if props.compared.is_some() {
                <p class="muted compare-note">
                    { "B replays this run from t = 0 with the other algorithm; kills, slow-downs and every other change apply to both." }
                </p>
            }
        </section>
    }
}
