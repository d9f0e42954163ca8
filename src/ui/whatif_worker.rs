//! The What-if sweep off the main thread: a Web Worker (static/whatif-worker.js) that loads the
//! page's own WebAssembly module (the compiled module is handed over, so nothing is fetched or
//! compiled again) and calls [`whatif_run`] in it. The page's `main` does nothing there (no
//! window to mount on), so the module serves as a library. Requests and replies cross as JSON
//! ([`crate::sweep::whatif`]).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::sweep::whatif::{self, Reply, Request};

#[wasm_bindgen]
extern "C" {
    /// `import.meta` of the page's glue module.
    type ImportMeta;

    #[wasm_bindgen(method, getter)]
    fn url(this: &ImportMeta) -> String;

    #[wasm_bindgen(thread_local_v2, js_namespace = import, js_name = meta)]
    static IMPORT_META: ImportMeta;
}

/// How many times a sweep tells the page how far it is: each time the page's layout is redone,
/// which on a heavy page costs a frame.
const PROGRESS_STEPS: usize = 12;

/// The worker's entry: makes the sweep `request` (JSON of a [`Request`]) asks for, handing
/// `progress` a JSON [`Reply::Progress`] [`PROGRESS_STEPS`] times on the way; returns the JSON
/// of the last reply.
#[wasm_bindgen]
pub fn whatif_run(request: &str, progress: &js_sys::Function) -> String {
    let reply = match serde_json::from_str::<Request>(request) {
        Ok(request) => whatif::run(&request, |done, of| {
            if done % (of / PROGRESS_STEPS).max(1) != 0 {
                return;
            }
            let text = serde_json::to_string(&Reply::Progress { done, of }).unwrap_or_default();
            // A page that went away takes its worker with it: nothing to tell.
            let _ = progress.call1(&JsValue::NULL, &JsValue::from_str(&text));
        }),
        Err(e) => Reply::Failed(format!("the sweep's request could not be read: {e}")),
    };
    serde_json::to_string(&reply).unwrap_or_default()
}

/// A running sweep: its worker and the handlers it calls. Dropping it stops the sweep.
pub struct Sweep {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl Drop for Sweep {
    fn drop(&mut self) {
        // The handlers go first: a reply already queued must not reach a freed closure.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

impl Sweep {
    /// Starts a worker on `request`; each of its replies is handed to `on_reply`, a worker that
    /// cannot start or fails as a [`Reply::Failed`].
    pub fn start(request: &Request, on_reply: impl Fn(Reply) + 'static) -> Result<Sweep, String> {
        let glue = IMPORT_META.with(ImportMeta::url);
        let base = glue.rsplit_once('/').map_or("", |(dir, _)| dir);
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&format!("{base}/whatif-worker.js"), &options)
            .map_err(|e| format!("the browser would not start a worker: {e:?}"))?;
        let on_reply = std::rc::Rc::new(on_reply);
        let replies = on_reply.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            replies(serde_json::from_str(&text).unwrap_or_else(|e| {
                Reply::Failed(format!("the worker's answer could not be read: {e}"))
            }));
        });
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                on_reply(Reply::Failed(format!(
                    "the worker failed: {}",
                    event.message()
                )));
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let request = serde_json::to_string(request).map_err(|e| e.to_string())?;
        let message = js_sys::Object::new();
        for (key, value) in [
            ("glue", JsValue::from_str(&glue)),
            ("module", wasm_bindgen::module()),
            ("request", JsValue::from_str(&request)),
        ] {
            js_sys::Reflect::set(&message, &key.into(), &value).map_err(|e| format!("{e:?}"))?;
        }
        worker
            .post_message(&message)
            .map_err(|e| format!("the sweep could not be sent to the worker: {e:?}"))?;
        Ok(Sweep {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}
