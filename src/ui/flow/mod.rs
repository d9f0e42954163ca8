//! The request-flow canvas: clients on the left, the load balancer in the middle, the servers on the
//! right, and every live request on its way. A request's position is its phase's progress
//! (`Request::progress`), so what moves on screen is exactly what the simulation says.
//!
//! [`layout`] places things (a column of server boxes, or a grid of cells when there are too many
//! servers for boxes), [`paint`] holds the canvas primitives and the outcome shapes, and [`scene`]
//! draws a simulation's instant with them.

mod layout;
mod paint;
mod pick;
mod scene;

pub use paint::{device_ratio, fit_to_display};
pub use pick::request_at;
pub use scene::{FlowView, draw};
