//! The browser entry point: mounts the playground and registers the service worker that keeps
//! it working offline. Built for wasm32 by `trunk`.

#[cfg(target_arch = "wasm32")]
fn main() {
    // In the What-if panel's Web Worker there is no window: the module is a library there
    // (ui::whatif_worker), and nothing mounts.
    if web_sys::window().is_none() {
        return;
    }
    // index.html's first paint (the title and a line on what the page is) makes way for the
    // playground, in the same task as its first render: nothing shows between the two.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    yew::Renderer::<lb_playground::ui::App>::new().render();
    lb_playground::ui::keep_offline();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("lb-playground is the browser app: run `make serve` and open the printed address.");
    std::process::exit(2);
}
