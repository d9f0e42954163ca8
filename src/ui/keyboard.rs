//! The browser's side of the keyboard shortcuts (which keys there are, and when a focused
//! control keeps a key, is [`crate::session::Shortcut`] and [`Focus`]): document-wide listeners
//! that describe the focused element and hand the shortcut keys to the session.
//!
//! Whether a control was reached with the keyboard or clicked with a pointer is recorded as it
//! gains the focus, from the last input before that: a pointer press or a key. (`:focus-visible`
//! cannot tell: Chromium starts matching it on a clicked button as soon as any key is pressed.)

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, Event, EventTarget, HtmlInputElement, HtmlSelectElement, KeyboardEvent};

use crate::session::{Focus, Shortcut};

type Callback = Closure<dyn FnMut(Event)>;

/// One listener on the document; removed when dropped.
struct Listener {
    target: EventTarget,
    event: &'static str,
    capture: bool,
    callback: Callback,
}

impl Listener {
    fn start(
        target: &EventTarget,
        event: &'static str,
        capture: bool,
        on: impl FnMut(Event) + 'static,
    ) -> Option<Listener> {
        let callback = Callback::new(on);
        target
            .add_event_listener_with_callback_and_bool(
                event,
                callback.as_ref().unchecked_ref(),
                capture,
            )
            .ok()?;
        Some(Listener {
            target: target.clone(),
            event,
            capture,
            callback,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.event,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// The shortcut keys' listeners; removed when dropped.
pub struct KeyListener {
    _listeners: [Listener; 3],
}

impl KeyListener {
    /// Calls `on_shortcut` for every shortcut key the focused control does not keep.
    pub fn start(on_shortcut: impl Fn(Shortcut) + 'static) -> Option<KeyListener> {
        let document: EventTarget = web_sys::window()?.document()?.into();
        // The last input was a pointer press (else a key); and how the focused element got it.
        let pointer_last = Rc::new(Cell::new(false));
        let focused_by_keyboard = Rc::new(Cell::new(true));
        let pointer = {
            let pointer_last = pointer_last.clone();
            Listener::start(&document, "pointerdown", true, move |_| {
                pointer_last.set(true)
            })?
        };
        let focus = {
            let (pointer_last, focused_by_keyboard) =
                (pointer_last.clone(), focused_by_keyboard.clone());
            Listener::start(&document, "focusin", true, move |_| {
                focused_by_keyboard.set(!pointer_last.get())
            })?
        };
        let keys = Listener::start(&document, "keydown", false, move |event| {
            pointer_last.set(false);
            let event: KeyboardEvent = event.unchecked_into();
            if event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            let focus = focus_of(event.target(), focused_by_keyboard.get());
            if let Some(shortcut) = Shortcut::for_key(&event.key(), &focus) {
                event.prevent_default();
                on_shortcut(shortcut);
            }
        })?;
        Some(KeyListener {
            _listeners: [pointer, focus, keys],
        })
    }
}

/// What the element a key was pressed on is, as far as the keys are concerned.
fn focus_of(target: Option<EventTarget>, by_keyboard: bool) -> Focus {
    let Some(element) = target.and_then(|t| t.dyn_into::<Element>().ok()) else {
        return Focus::Page;
    };
    match element.tag_name().as_str() {
        "TEXTAREA" => Focus::TextField,
        "BUTTON" => Focus::Button { by_keyboard },
        "SELECT" => {
            let select: HtmlSelectElement = element.unchecked_into();
            let labels: Vec<String> = (0..select.length())
                .filter_map(|i| select.item(i)?.text_content())
                .collect();
            Focus::Select {
                by_keyboard,
                initials: Focus::initials(labels.iter().map(String::as_str)),
            }
        }
        "INPUT" => match element
            .unchecked_into::<HtmlInputElement>()
            .type_()
            .as_str()
        {
            "range" => Focus::Slider,
            "checkbox" | "radio" | "file" | "button" | "submit" | "reset" => {
                Focus::Button { by_keyboard }
            }
            _ => Focus::TextField,
        },
        _ => Focus::Page,
    }
}
