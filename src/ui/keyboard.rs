//! The browser's side of the keyboard shortcuts (which keys there are and what they do is
//! [`crate::session::Shortcut`]): a document-wide keydown listener.
//!
//! Keys typed into a text field, a slider or a select are left alone (except Escape), and Space on
//! a focused button presses that button, so shortcuts never fight a control that has focus.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventTarget, KeyboardEvent};

use crate::session::Shortcut;

type KeyCallback = Closure<dyn FnMut(KeyboardEvent)>;

/// A keydown listener on the document; removed when dropped.
pub struct KeyListener {
    target: EventTarget,
    callback: KeyCallback,
}

impl KeyListener {
    /// Calls `on_shortcut` for every shortcut key pressed outside a form control.
    pub fn start(on_shortcut: impl Fn(Shortcut) + 'static) -> Option<KeyListener> {
        let target: EventTarget = web_sys::window()?.document()?.into();
        let callback = Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            let Some(shortcut) = Shortcut::of(&event.key()) else {
                return;
            };
            if shortcut != Shortcut::Close && control_keeps(&event, shortcut) {
                return;
            }
            event.prevent_default();
            on_shortcut(shortcut);
        });
        target
            .add_event_listener_with_callback("keydown", callback.as_ref().unchecked_ref())
            .ok()?;
        Some(KeyListener { target, callback })
    }
}

impl Drop for KeyListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback("keydown", self.callback.as_ref().unchecked_ref());
    }
}

/// Whether the key belongs to the focused form control: every key of a field, slider or select
/// (arrows move a slider), and Space of a button (it presses the button).
fn control_keeps(event: &KeyboardEvent, shortcut: Shortcut) -> bool {
    let Some(element) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    match element.tag_name().as_str() {
        "INPUT" | "SELECT" | "TEXTAREA" => true,
        "BUTTON" => shortcut == Shortcut::TogglePlay,
        _ => false,
    }
}
