//! An animation loop on `requestAnimationFrame`, owned by a handle: dropping the handle cancels the
//! pending frame and frees the callback, so a component that goes away leaves nothing running.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

type FrameCallback = Closure<dyn FnMut(f64)>;

/// The page's high-resolution clock, in milliseconds (0 where there is none).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// A running animation loop; stops when dropped.
pub struct AnimationLoop {
    pending: Rc<Cell<Option<i32>>>,
    callback: Rc<RefCell<Option<FrameCallback>>>,
}

impl AnimationLoop {
    /// Calls `on_frame` with the frame's timestamp (milliseconds) on every animation frame.
    pub fn start(mut on_frame: impl FnMut(f64) + 'static) -> AnimationLoop {
        let pending = Rc::new(Cell::new(None));
        let callback: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
        let (next_pending, next_callback) = (pending.clone(), callback.clone());
        *callback.borrow_mut() = Some(Closure::new(move |timestamp: f64| {
            next_pending.set(None);
            on_frame(timestamp);
            if let Some(cb) = next_callback.borrow().as_ref() {
                next_pending.set(request_frame(cb));
            }
        }));
        if let Some(cb) = callback.borrow().as_ref() {
            pending.set(request_frame(cb));
        }
        AnimationLoop { pending, callback }
    }
}

fn request_frame(callback: &FrameCallback) -> Option<i32> {
    web_sys::window()?
        .request_animation_frame(callback.as_ref().unchecked_ref())
        .ok()
}

impl Drop for AnimationLoop {
    fn drop(&mut self) {
        if let (Some(id), Some(window)) = (self.pending.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
        // Breaks the cycle between the closure and the cell that holds it.
        self.callback.borrow_mut().take();
    }
}
