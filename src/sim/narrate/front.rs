//! Several balancers in words: a VRRP takeover, and the commands that crash and revive one.

use crate::sim::events::{Before, VrrpEvent};
use crate::sim::front::Front;

/// `lb-2 is the VRRP master after 3.2 s without one`.
pub(super) fn vrrp_text(e: &VrrpEvent) -> String {
    let name = Front::name(e.router);
    match e.replaced {
        Some(old) => format!(
            "{name} takes the virtual address back from {} (preemption): {} request{} reset",
            Front::name(old),
            e.lost,
            super::plural(e.lost)
        ),
        None => format!(
            "{name} is the VRRP master after {:.2} s without one",
            e.gap.as_secs_f64()
        ),
    }
}

/// The rule that decided it, with its numbers.
pub(super) fn vrrp_cause(e: &VrrpEvent) -> String {
    let interval = e.advert_interval.as_secs_f64();
    let mdi = e.master_down_interval.as_secs_f64();
    let skew = mdi - 3.0 * interval;
    let rule = format!(
        "its Master_Down_Interval is 3 x {interval:.2} s + {skew:.2} s skew = {mdi:.2} s \
         (skew = (256 - priority {}) x interval / 256, RFC 5798)",
        e.priority
    );
    match e.replaced {
        Some(_) => format!(
            "With preemption, a backup of higher priority ignores a lower master's \
             advertisements: {rule}, so it took over that long after it came back. The \
             clients' packets now reach it, and it resets the connections it never saw."
        ),
        None => format!(
            "The master went silent; a backup takes over when it has heard no advertisement \
             for its Master_Down_Interval: {rule}. Requests sent meanwhile got no answer and \
             their clients retransmitted."
        ),
    }
}

/// `lb-2 crashed: 14 requests it held are lost`.
pub(super) fn kill_text(balancer: u8, before: Before) -> String {
    let held = match before {
        Before::Held(n) => n,
        _ => 0,
    };
    format!(
        "{} crashed: {held} request{} it held {} lost",
        Front::name(balancer),
        super::plural(held),
        if held == 1 { "is" } else { "are" }
    )
}

/// `lb-2 revived`.
pub(super) fn revive_text(balancer: u8) -> String {
    format!("{} revived", Front::name(balancer))
}
