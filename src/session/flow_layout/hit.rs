//! What a point on the flow canvas is on: the server whose box or cell is under the pointer, from
//! the same [`Layout`] the drawing uses, so a hover names exactly the cell drawn there.
//!
//! A grid's cells stand a few pixels apart ([`place`](super::place)'s gap, at most 3 px); a
//! point in the gap counts for the nearer cell, so a pointer crossing the grid names one server
//! after another instead of flickering to nothing between them.

use super::Layout;

/// How far outside a server's rectangle a point still counts as on it, in CSS pixels: half the
/// widest gap between two cells.
const SLACK: f64 = 1.5;

impl Layout<'_> {
    /// The server whose box or cell is at `(x, y)` (CSS pixels from the canvas's top left), if
    /// any.
    pub fn server_at(&self, (x, y): (f64, f64)) -> Option<usize> {
        self.servers.iter().position(|r| {
            r.x - SLACK <= x && x <= r.x + r.w + SLACK && r.y - SLACK <= y && y <= r.y + r.h + SLACK
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Layout, ServerStyle};
    use crate::sim::Simulation;
    use crate::sim::scenario::{Scenario, server};

    /// The classroom default with `n` servers.
    fn servers(n: u32) -> Simulation {
        let mut s = Scenario::classroom();
        s.servers = (1..=n).map(|i| server(&format!("s-{i}"), 1, 1)).collect();
        Simulation::new(s).expect("a valid scenario")
    }

    #[test]
    fn a_cell_names_its_own_server() {
        let sim = servers(200);
        let layout = Layout::new(1000.0, 400.0, 1.0, &sim);
        assert_eq!(layout.style, ServerStyle::Cells);
        for (index, r) in layout.servers.iter().enumerate() {
            let centre = (r.x + r.w / 2.0, r.y + r.h / 2.0);
            assert_eq!(layout.server_at(centre), Some(index));
            assert_eq!(
                layout.server_at((r.x, r.y)),
                Some(index),
                "its top left corner"
            );
        }
    }

    #[test]
    fn the_gap_between_cells_counts_for_one_of_them() {
        let sim = servers(200);
        let layout = Layout::new(1000.0, 400.0, 1.0, &sim);
        let (a, b) = (layout.servers[0], layout.servers[1]);
        assert!(a.x + a.w < b.x, "the cells stand apart");
        let gap = ((a.x + a.w + b.x) / 2.0, a.y + a.h / 2.0);
        assert!(matches!(layout.server_at(gap), Some(0 | 1)));
    }

    #[test]
    fn nothing_outside_the_servers() {
        let sim = servers(200);
        let layout = Layout::new(1000.0, 400.0, 1.0, &sim);
        let clients = layout.clients;
        assert_eq!(layout.server_at((clients.x + 5.0, clients.y + 5.0)), None);
        let balancer = layout.balancers[0];
        assert_eq!(layout.server_at(balancer.left()), None);
        let last = layout.servers[199];
        assert_eq!(
            layout.server_at((last.x + last.w + 10.0, last.y + last.h + 10.0)),
            None
        );
    }

    #[test]
    fn boxes_are_found_too() {
        let sim = servers(4);
        let layout = Layout::new(1000.0, 400.0, 1.0, &sim);
        assert_eq!(layout.style, ServerStyle::Boxes);
        let third = layout.servers[2];
        assert_eq!(layout.server_at(third.left()), Some(2));
    }
}
