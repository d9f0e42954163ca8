//! The grid of many servers on the flow canvas: a pointer on a cell, or the keyboard's
//! selection, names the cell's server and its state in a label over the cell.

use super::*;
use lb_playground::session::flow_layout::ServerStyle;
use lb_playground::sim::Simulation;
use lb_playground::sim::presets::preset;
use web_sys::{HtmlCanvasElement, MouseEvent, MouseEventInit};

/// Moves the mouse onto `canvas` at `(x, y)` (CSS pixels from its top left).
fn point_at(canvas: &HtmlCanvasElement, (x, y): (f64, f64)) {
    let frame = canvas.get_bounding_client_rect();
    let init = MouseEventInit::new();
    init.set_client_x((frame.left() + x).round() as i32);
    init.set_client_y((frame.top() + y).round() as i32);
    init.set_bubbles(true);
    let event = MouseEvent::new_with_mouse_event_init_dict("mousemove", &init).unwrap();
    canvas.dispatch_event(&event).unwrap();
}

/// The page's stylesheet, in the document while it lives: the label's place is CSS's work.
struct PageStyle(Element);

impl PageStyle {
    fn add() -> PageStyle {
        let document = web_sys::window().unwrap().document().unwrap();
        let style = document.create_element("style").unwrap();
        style.set_text_content(Some(include_str!("../../static/style.css")));
        document.head().unwrap().append_child(&style).unwrap();
        PageStyle(style)
    }
}

impl Drop for PageStyle {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// The label over a cell, if one shows.
fn tip(root: &Element) -> Option<Element> {
    root.query_selector(".cell-tip").unwrap()
}

#[wasm_bindgen_test]
async fn a_grid_cell_names_its_server_when_pointed_at_or_selected() {
    let _style = PageStyle::add();
    let root = mount().await;
    choose(&root, "#preset", "power-of-two-choices");
    TimeoutFuture::new(500).await;
    let sim = Simulation::new(preset("power-of-two-choices").unwrap()).unwrap();
    let (canvas, layout) = flow_layout(&root, &sim);
    assert_eq!(layout.style, ServerStyle::Cells, "20 servers make a grid");
    assert!(tip(&root).is_none(), "no label before the pointer comes");

    let cell = layout.servers[6];
    point_at(&canvas, (cell.x + cell.w / 2.0, cell.y + cell.h / 2.0));
    assert!(eventually(1_000, || tip(&root).is_some()).await);
    let words = text_of_tip(&root);
    // Its one worker, busy or not (the preset has no health checks to report).
    let parts: Vec<&str> = words.split(" · ").collect();
    assert!(
        parts[0] == "server-7" && parts[1].ends_with("/1 busy"),
        "{words}"
    );
    assert!(canvas.is_connected(), "the canvas stays in place");
    // Over the cell, its right edge on the cell's.
    let (frame, label) = (
        canvas.get_bounding_client_rect(),
        tip(&root).unwrap().get_bounding_client_rect(),
    );
    assert!(
        (label.right() - (frame.left() + cell.x + cell.w)).abs() <= 1.0,
        "label ends at {}, the cell at {}",
        label.right(),
        frame.left() + cell.x + cell.w
    );
    assert!(
        label.bottom() <= frame.top() + cell.y,
        "the label is above its cell"
    );

    // Off the grid, the label goes.
    point_at(&canvas, (layout.clients.x + 4.0, layout.clients.y + 4.0));
    assert!(eventually(1_000, || tip(&root).is_none()).await);

    // The keyboard's selected server is named by its cell too, and a crash is said.
    press("3");
    assert!(
        eventually(1_000, || text_of_tip(&root).starts_with("server-3 · ")).await,
        "{}",
        text_of_tip(&root)
    );
    click(&server_card(&root, 2), "button.kill");
    assert!(
        eventually(1_000, || text_of_tip(&root) == "server-3 · crashed").await,
        "{}",
        text_of_tip(&root)
    );
}

/// The label's words, if one shows.
fn text_of_tip(root: &Element) -> String {
    tip(root).and_then(|t| t.text_content()).unwrap_or_default()
}
