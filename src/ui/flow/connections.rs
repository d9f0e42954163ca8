//! Client connections (`scenario.connections`), drawn so a class can see them stay put: each
//! open connection is a thin thread from its client's spot to the balancer, where a layer-7
//! balancer ends it, and on to its server when a layer-4 balancer has pinned it there. A busy
//! HTTP/2 client is then one thread that never moves, whatever the algorithm; a server added to
//! a layer-4 pool has no thread until a connection wears out. Each server's box also says how
//! many connections are pinned to it.

use super::scene::Scene;

/// How strongly the threads are drawn: present, but behind the requests on them.
pub(super) const THREAD_ALPHA: f64 = 0.4;

impl Scene<'_> {
    /// Every open connection's thread, as one path.
    pub(super) fn connections(&self) {
        if self.sim.layer().is_none() {
            return;
        }
        let (ctx, pal, layout) = (self.ctx, self.pal, self.layout);
        let balancer = layout.balancers[0];
        let (door, out) = (balancer.left(), balancer.right());
        ctx.begin_path();
        for c in self.sim.open_connections() {
            let (cx, cy) = layout.client_point(c.client);
            ctx.move_to(cx, cy);
            ctx.line_to(door.0, door.1);
            if let Some(server) = c.server {
                let (sx, sy) = layout.server_inlet(server as usize);
                ctx.move_to(out.0, out.1);
                ctx.line_to(sx, sy);
            }
        }
        ctx.set_global_alpha(THREAD_ALPHA);
        ctx.set_stroke_style_str(pal.limited);
        ctx.set_line_width(2.0 * pal.scale);
        ctx.stroke();
        ctx.set_global_alpha(1.0);
        ctx.set_line_width(1.0);
    }
}
