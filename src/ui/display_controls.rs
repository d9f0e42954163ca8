//! The header's display controls: theme, reduced motion, and the keyboard shortcuts list.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::session::{Display, Theme};

/// Props of [`DisplayControls`].
#[derive(Properties, PartialEq)]
pub struct DisplayControlsProps {
    /// The current look.
    pub display: Display,
    /// Receives a changed look.
    pub on_change: Callback<Display>,
    /// Opens the shortcuts list.
    pub on_help: Callback<()>,
}

/// Theme picker, reduced-motion switch and the "?" button.
#[function_component]
pub fn DisplayControls(props: &DisplayControlsProps) -> Html {
    let display = props.display;
    let on_theme = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(theme) = Theme::from_id(&select.value()) {
                on_change.emit(Display { theme, ..display });
            }
        })
    };
    let on_motion = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_change.emit(Display {
                reduced_motion: input.checked(),
                ..display
            });
        })
    };
    let on_help = props.on_help.reform(|_: MouseEvent| ());
    html! {
        <div class="display-controls" role="group" aria-label="Display">
            <label for="theme" title="Light, dark, or projector: black on white with large type and thick lines">
                { "Theme" }
            </label>
            <select id="theme" onchange={on_theme}
                title="Light, dark, or projector: black on white with large type and thick lines (key t)">
                { for Theme::ALL.iter().map(|&t| html! {
                    <option value={t.id()} selected={t == display.theme}>{ t.to_string() }</option>
                }) }
            </select>
            <label class="check" title="Requests are counted on their links instead of moving (key m); follows the system setting until changed">
                <input type="checkbox" id="reduced-motion" checked={display.reduced_motion} onchange={on_motion}
                    title="Requests are counted on their links instead of moving (key m)" />
                { "Reduced motion" }
            </label>
            <button class="help-button" onclick={on_help} title="Keyboard shortcuts (key ?)" aria-label="Keyboard shortcuts">
                { "?" }
            </button>
        </div>
    }
}
