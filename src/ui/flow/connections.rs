//! Client connections (`scenario.connections`), drawn so a class can see them stay put: each
//! open connection is a thin thread from its client's spot to its balancer (with several, the
//! one it went to), where a layer-7 balancer ends it, and on to its server when a layer-4
//! balancer has pinned it there. The thread leaves the balancer as high on its right edge as
//! its client sits in the clients' column, so each client's threads are strands of their own
//! beside the links: a busy HTTP/2 client is one strand that never moves, whatever the
//! algorithm, and a server added to a layer-4 pool has none until a connection wears out. Each
//! server's box also says how many connections are pinned to it.

use super::scene::Scene;

/// How strongly the threads are drawn: present, but behind the requests on them.
pub(super) const THREAD_ALPHA: f64 = 0.4;
/// Beyond this many open connections the threads are drawn half as thick.
const MANY_THREADS: usize = 24;

impl Scene<'_> {
    /// Every open connection's thread, as one path.
    pub(super) fn connections(&self) {
        if self.sim.layer().is_none() {
            return;
        }
        let (ctx, pal, layout) = (self.ctx, self.pal, self.layout);
        let mut open = 0;
        ctx.begin_path();
        for c in self.sim.open_connections() {
            open += 1;
            let b = *layout
                .balancers
                .get(usize::from(c.balancer))
                .unwrap_or(&layout.balancers[0]);
            let clients = layout.clients_box(c.client);
            let (cx, cy) = layout.client_point(c.client);
            let door = b.left();
            ctx.move_to(cx, cy);
            ctx.line_to(door.0, door.1);
            if let Some(server) = c.server {
                let height = ((cy - clients.y) / clients.h).clamp(0.0, 1.0);
                let (sx, sy) = layout.server_inlet(server as usize);
                ctx.move_to(b.x + b.w, b.y + b.h * (0.1 + 0.8 * height));
                ctx.line_to(sx, sy);
            }
        }
        ctx.set_global_alpha(THREAD_ALPHA);
        ctx.set_stroke_style_str(pal.limited);
        // Thinner when there are many, so a hundred stay strands rather than a solid fan.
        let width = if open > MANY_THREADS { 1.0 } else { 2.0 };
        ctx.set_line_width(width * pal.scale);
        ctx.stroke();
        ctx.set_global_alpha(1.0);
        ctx.set_line_width(1.0);
    }
}
