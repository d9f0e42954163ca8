//! Moving text in and out of the page: downloads, reading a chosen file, the URL fragment and the
//! clipboard. Thin wrappers over the browser APIs; failures come back as sentences to show.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Offers `contents` as a file download named `filename`.
pub fn download(filename: &str, mime: &str, contents: &str) -> Result<(), String> {
    let fail = |what: &str| format!("The download of {filename} failed: {what}.");
    let parts = js_sys::Array::of1(&contents.into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| fail("the browser could not make the file"))?;
    let url = Url::create_object_url_with_blob(&blob)
        .map_err(|_| fail("the browser could not make an address for the file"))?;
    let saved = save_url(filename, &url);
    let _ = Url::revoke_object_url(&url);
    saved
}

/// Offers what `canvas` shows as a PNG download named `filename`.
pub fn download_png(filename: &str, canvas: &HtmlCanvasElement) -> Result<(), String> {
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|_| format!("The download of {filename} failed: the canvas could not be read."))?;
    save_url(filename, &url)
}

/// Offers the resource at `url` (an object or data URL) as a download named `filename`.
fn save_url(filename: &str, url: &str) -> Result<(), String> {
    let fail = |what: &str| format!("The download of {filename} failed: {what}.");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("the page has no document"))?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("the browser could not make a download link"))?
        .dyn_into()
        .map_err(|_| fail("the browser could not make a download link"))?;
    anchor.set_href(url);
    anchor.set_download(filename);
    anchor.click();
    Ok(())
}

/// Reads a chosen file as text, refusing one larger than `max_bytes` before reading it. The error
/// is the reason alone (e.g. "x.json is not text"), for the session to put in a sentence.
pub async fn read_text(file: File, max_bytes: usize) -> Result<String, String> {
    if file.size() > max_bytes as f64 {
        return Err(format!(
            "{} is {} bytes, more than the maximum {max_bytes}",
            file.name(),
            file.size()
        ));
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| format!("{} could not be read", file.name()))?;
    text.as_string()
        .ok_or_else(|| format!("{} is not text", file.name()))
}

/// The page's URL fragment (with its `#`), or empty.
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The query part of the page's address (`?lesson=...`), if any.
pub fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's address without its query and fragment.
pub fn base_address() -> String {
    web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!(
                "{}{}",
                location.origin().ok()?,
                location.pathname().ok()?
            ))
        })
        .unwrap_or_default()
}

/// The page's address with `fragment` as its fragment; also puts it in the address bar.
pub fn set_fragment(fragment: &str) -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let _ = location.set_hash(fragment);
    location.href().unwrap_or_default()
}

/// Takes the fragment out of the page's address, without reloading or adding a history entry.
pub fn clear_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let address = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
    }
}

/// Copies `text` to the clipboard if the browser allows it. It may refuse (no focus, no
/// permission); the link is shown on the page either way, so a refusal is only logged.
pub fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let written =
        wasm_bindgen_futures::JsFuture::from(window.navigator().clipboard().write_text(text));
    wasm_bindgen_futures::spawn_local(async move {
        if written.await.is_err() {
            web_sys::console::info_1(&"The browser did not allow copying the share link.".into());
        }
    });
}

/// Registers the service worker (`sw.js`, beside the page) that keeps the page working offline
/// once it has loaded. Where there are none (an insecure origin, a test page), nothing happens.
pub fn keep_offline() {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let registering =
            wasm_bindgen_futures::JsFuture::from(navigator.service_worker().register("sw.js"));
        // A refused registration leaves the page as it is: online only.
        wasm_bindgen_futures::spawn_local(async move { drop(registering.await) });
    }
}
