//! The request-flow canvas: clients on the left, the load balancer (or several, by region) in
//! the middle, the servers on the right, and every live request on its way. A request's position
//! is its phase's progress (`Request::progress`), so what moves on screen is exactly what the
//! simulation says.
//!
//! [`layout`] (native, in the session, so it is tested without a browser) places things,
//! [`paint`] holds the canvas primitives and the outcome shapes, and [`scene`] draws a
//! simulation's instant with them, one module per part of the picture: [`links`], [`gates`],
//! [`balancer`] (the one balancer), [`front`] (several, and their regions), [`servers`],
//! [`connections`] and [`requests`]; [`keys`] explains the gates and pips under the legend.

mod balancer;
mod connections;
mod front;
mod gates;
mod keys;
mod links;
mod paint;
mod pick;
mod requests;
mod scene;
mod servers;

use crate::session::flow_layout as layout;

pub use paint::{context, device_ratio, fit_to_display};
pub use pick::{cell_at, cell_of, request_at};
pub use scene::{FlowView, draw};
