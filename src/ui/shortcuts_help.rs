//! The "?" overlay: every keyboard shortcut, from the one list the keys are read from.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::session::SHORTCUTS;

/// What Tab can reach inside the dialog.
const FOCUSABLE: &str =
    "button, [href], input, select, textarea, [tabindex]:not([tabindex=\"-1\"])";

/// Props of [`ShortcutsHelp`].
#[derive(Properties, PartialEq)]
pub struct ShortcutsHelpProps {
    /// Closes the overlay.
    pub on_close: Callback<()>,
}

/// A modal list of the keyboard shortcuts. It takes the focus when it opens, keeps Tab and
/// Shift+Tab among its own controls while open (a modal dialog: the page behind it is out of
/// reach), and gives the focus back to where it was when it closes.
#[function_component]
pub fn ShortcutsHelp(props: &ShortcutsHelpProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let keep_open = Callback::from(|e: MouseEvent| e.stop_propagation());
    let dialog = use_node_ref();
    let close_button = use_node_ref();
    {
        let close_button = close_button.clone();
        use_effect_with((), move |()| {
            let before = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(button) = close_button.cast::<HtmlElement>() {
                let _ = button.focus();
            }
            move || {
                if let Some(before) = before {
                    let _ = before.focus();
                }
            }
        });
    }
    let trap = {
        let dialog = dialog.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab"
                && let Some(dialog) = dialog.cast::<HtmlElement>()
            {
                wrap_focus(&dialog, &e);
            }
        })
    };
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div ref={dialog} class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
                onclick={keep_open} onkeydown={trap}>
                <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                <table class="shortcuts">
                    <tbody>
                        { for SHORTCUTS.iter().map(|(_, keys, what, _)| html! {
                            <tr><th scope="row"><kbd>{ *keys }</kbd></th><td>{ *what }</td></tr>
                        }) }
                    </tbody>
                </table>
                <button ref={close_button} class="primary" onclick={close} title="Close this list (Esc)">{ "Close" }</button>
            </div>
        </div>
    }
}

/// Tab from the dialog's last control goes to its first, Shift+Tab from its first to its last.
fn wrap_focus(dialog: &HtmlElement, e: &KeyboardEvent) {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let controls: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        e.prevent_default();
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = |c: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == c.unchecked_ref::<web_sys::Element>())
    };
    let inside = controls.iter().any(at);
    if e.shift_key() && (at(first) || !inside) {
        e.prevent_default();
        let _ = last.focus();
    } else if !e.shift_key() && (at(last) || !inside) {
        e.prevent_default();
        let _ = first.focus();
    }
}
