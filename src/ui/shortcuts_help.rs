//! The "?" overlay: every keyboard shortcut, from the one list the keys are read from.

use yew::prelude::*;

use crate::session::SHORTCUTS;

/// Props of [`ShortcutsHelp`].
#[derive(Properties, PartialEq)]
pub struct ShortcutsHelpProps {
    /// Closes the overlay.
    pub on_close: Callback<()>,
}

/// A modal list of the keyboard shortcuts.
#[function_component]
pub fn ShortcutsHelp(props: &ShortcutsHelpProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let keep_open = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" onclick={keep_open}>
                <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                <table class="shortcuts">
                    <tbody>
                        { for SHORTCUTS.iter().map(|(_, keys, what, _)| html! {
                            <tr><th scope="row"><kbd>{ *keys }</kbd></th><td>{ *what }</td></tr>
                        }) }
                    </tbody>
                </table>
                <button class="primary" onclick={close} title="Close this list (Esc)" autofocus=true>{ "Close" }</button>
            </div>
        </div>
    }
}
