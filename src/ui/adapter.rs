//! The adapter between the Yew components and the native [`Session`]: it sends the components'
//! actions to the session and performs the effects only a browser can (showing and storing the
//! look, downloads, the address bar and the clipboard). What an action means is decided in
//! [`crate::session`], never here.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlCanvasElement;

use super::{display, files};
use crate::session::{Action, Display, Effect, Session};

/// The session, shared by the components, the animation loop and the keyboard listener.
pub type SessionHandle = Rc<RefCell<Session>>;

/// Draws the chart with an id on a canvas of its own, sized for a slide, for saving as a PNG.
pub type ChartCanvas<'a> = &'a dyn Fn(&str) -> Option<HtmlCanvasElement>;

/// The session the page opens with (from the address's share link and classroom kit, if any),
/// with its first effects performed.
pub fn open(fragment: &str, query: &str, look: Display) -> Session {
    let (session, effects) = Session::open(fragment, query, look);
    for effect in effects {
        perform(effect, &|_| None);
    }
    session
}

/// Dispatches `action` and performs what it asks of the browser; an effect's answer (the link
/// made, or why a download failed) is dispatched in turn.
pub fn send(session: &SessionHandle, action: Action, chart_canvas: ChartCanvas) {
    let mut pending = vec![action];
    while let Some(action) = pending.pop() {
        let effects = session.borrow_mut().dispatch(action);
        pending.extend(effects.into_iter().filter_map(|e| perform(e, chart_canvas)));
    }
}

/// Performs one effect; returns the action that reports its outcome, if it has one.
fn perform(effect: Effect, chart_canvas: ChartCanvas) -> Option<Action> {
    match effect {
        Effect::ShowDisplay(look) => {
            display::show(look);
            None
        }
        Effect::Download(file) => files::download(&file.filename, file.mime, &file.contents)
            .err()
            .map(Action::Failed),
        Effect::Share { fragment } => {
            let link = files::set_fragment(&fragment);
            files::copy_to_clipboard(&link);
            Some(Action::Shared(link))
        }
        Effect::ClearLink => {
            files::clear_fragment();
            None
        }
        Effect::SavePng { chart, filename } => {
            files::download_png(&filename, &chart_canvas(chart)?)
                .err()
                .map(Action::Failed)
        }
    }
}
