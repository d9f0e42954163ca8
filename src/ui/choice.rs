//! A labelled select whose options are commands: picking one applies it. The option whose
//! command matches what is in force is shown selected; when none does (a scenario file set
//! something else), a "(scenario setting)" option says so.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::sim::Command;

/// One option: its value, its label, and the command it applies.
pub struct Choice {
    /// The option's value (also used in tests).
    pub id: &'static str,
    /// What the user reads.
    pub label: &'static str,
    /// What picking it does.
    pub command: Command,
}

/// A label and a select over `choices`; `in_force` says whether a choice's command matches the
/// current setting.
pub fn choice_select(
    id: &'static str,
    label: &'static str,
    tip: &'static str,
    choices: Vec<Choice>,
    in_force: impl Fn(&Command) -> bool,
    on_command: &Callback<Command>,
) -> Html {
    let current = choices
        .iter()
        .find(|c| in_force(&c.command))
        .map_or("", |c| c.id);
    let options = choices
        .iter()
        .map(|c| html! { <option value={c.id} selected={c.id == current}>{ c.label }</option> })
        .collect::<Html>();
    let on_command = on_command.clone();
    let onchange = Callback::from(move |e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        if let Some(c) = choices.iter().find(|c| c.id == select.value()) {
            on_command.emit(c.command);
        }
    });
    html! {
        <>
            <label for={id} title={tip}>{ label }</label>
            <select id={id} {onchange} title={tip}>
                if current.is_empty() { <option value="" selected=true>{ "(scenario setting)" }</option> }
                { options }
            </select>
        </>
    }
}
