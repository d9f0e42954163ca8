//! The browser entry point: mounts the playground and registers the service worker that keeps
//! it working offline. Built for wasm32 by `trunk`.

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<lb_playground::ui::App>::new().render();
    lb_playground::ui::keep_offline();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("lb-playground is the browser app: run `make serve` and open the printed address.");
    std::process::exit(2);
}
