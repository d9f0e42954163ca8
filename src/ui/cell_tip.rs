//! The label over a cell of the flow canvas's grid of many servers, whose cells are too small for
//! words: the server's name and state ([`narrate::server_line`]) while the pointer is on the cell,
//! or while the keyboard has that server selected (its cell is outlined). It sits above the cell,
//! its right edge on the cell's, so it never runs off the canvas's right side; it re-renders with
//! the page's panels, so its numbers stay live. The server cards say the same to a screen reader,
//! so the label is hidden from one.
//!
//! [`narrate::server_line`]: crate::sim::narrate::server_line

use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::session::flow_layout::Rect;

/// The label `words` over `cell` (CSS pixels on `canvas`), placed in the canvas's offset parent.
pub fn cell_tip(canvas: &HtmlCanvasElement, cell: Rect, words: String) -> Html {
    let right = f64::from(canvas.offset_left()) + cell.x + cell.w;
    let top = f64::from(canvas.offset_top()) + cell.y - GAP;
    html! {
        <div class="cell-tip" aria-hidden="true" style={format!("left: {right:.0}px; top: {top:.0}px")}>
            { words }
        </div>
    }
}

/// The room between the label and its cell, in CSS pixels.
const GAP: f64 = 4.0;
