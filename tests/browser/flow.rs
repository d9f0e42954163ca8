//! The flow canvas with several balancers: each has its own box where the layout puts it, and
//! crashing one from the balancers' table greys its box on the canvas.

use super::*;
use lb_playground::sim::Simulation;
use lb_playground::sim::presets::preset;
use wasm_bindgen::JsValue;
use web_sys::HtmlCanvasElement;

/// The colour of the canvas at `(x, y)` (CSS pixels from its top left), as red, green, blue.
fn pixel(canvas: &HtmlCanvasElement, (x, y): (f64, f64)) -> [u8; 3] {
    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    let ctx: JsValue = canvas.get_context("2d").unwrap().unwrap().into();
    let get = js_sys::Reflect::get(&ctx, &"getImageData".into()).unwrap();
    let get: js_sys::Function = get.dyn_into().unwrap();
    let args = js_sys::Array::of4(
        &(x * ratio).floor().into(),
        &(y * ratio).floor().into(),
        &1.into(),
        &1.into(),
    );
    let image = js_sys::Reflect::apply(&get, &ctx, &args).unwrap();
    let data = js_sys::Reflect::get(&image, &"data".into()).unwrap();
    let data = js_sys::Uint8ClampedArray::from(data).to_vec();
    [data[0], data[1], data[2]]
}

#[wasm_bindgen_test]
async fn each_balancer_has_a_box_and_a_crashed_one_is_greyed() {
    let root = mount().await;
    choose(&root, "#preset", "balancer-failover");
    TimeoutFuture::new(500).await;
    let sim = Simulation::new(preset("balancer-failover").unwrap()).unwrap();
    let (canvas, layout) = flow_layout(&root, &sim);
    assert_eq!(layout.balancers.len(), 2);
    // Just inside each box's top edge, clear of its words: the balancers' light blue.
    let inside = |b: usize| {
        let r = layout.balancers[b];
        (r.x + r.w / 2.0, r.y + 3.0)
    };
    let balancer_fill = [0xe3, 0xf0, 0xfa];
    let dead_fill = [0xe4, 0xe7, 0xeb];
    assert_eq!(
        pixel(&canvas, inside(0)),
        balancer_fill,
        "{:?} {:?} {}x{}",
        layout.balancers,
        inside(0),
        canvas.width(),
        canvas.height()
    );
    assert_eq!(pixel(&canvas, inside(1)), balancer_fill);
    click(&root, "table.balancers button");
    assert!(
        eventually(2_000, || pixel(&canvas, inside(0)) == dead_fill).await,
        "lb-1's box is greyed once it crashed: {:?}",
        pixel(&canvas, inside(0))
    );
    assert_eq!(pixel(&canvas, inside(1)), balancer_fill);
}

#[wasm_bindgen_test]
async fn the_balancers_table_shows_each_ones_cpu_when_balancers_cost_cpu() {
    let root = mount().await;
    choose(&root, "#preset", "balancer-failover");
    TimeoutFuture::new(300).await;
    assert!(!text(&root, "table.balancers thead").contains("CPU busy"));
    choose(&root, "#preset", "balancer-tier-sizing");
    assert!(
        eventually(2_000, || text(&root, "table.balancers thead")
            .contains("CPU busy"))
        .await,
        "{}",
        text(&root, "table.balancers")
    );
    // Each row ends its numbers with its cores' busy share, once the run has started.
    assert!(
        eventually(3_000, || {
            let body = text(&root, "table.balancers tbody");
            body.matches('%').count() == 2
        })
        .await,
        "{}",
        text(&root, "table.balancers tbody")
    );
}
