use super::*;
use crate::sim::front::NOT_YET;
use crate::sim::presets::preset;
use crate::sim::scenario::{Scenario, server};
use crate::sim::{SimDuration, Simulation};

/// The sizes the page draws the flow at: the runner's window, the present layout's at 1280 x 720
/// in the projector theme, a laptop, a projector's 1080p.
const SIZES: [(f64, f64, f64); 5] = [
    (760.0, 300.0, 1.0),
    (740.0, 290.0, 1.35),
    (1240.0, 420.0, 1.0),
    (1240.0, 420.0, 1.35),
    (1880.0, 640.0, 1.35),
];

fn run(scenario: Scenario, seconds: u64) -> Simulation {
    let mut sim = Simulation::new(scenario).expect("a valid scenario");
    sim.advance_by(SimDuration::from_secs(seconds));
    sim
}

/// Three regions of two balancers and ten servers each (the page benchmark's).
fn three_by_two_by_ten() -> Scenario {
    let mut s = preset("regions-failover").unwrap();
    s.servers = (1..=30).map(|i| server(&format!("s-{i}"), 1, 2)).collect();
    for r in &mut s.front.as_mut().unwrap().regions {
        r.servers = 10;
    }
    s
}

fn canvas(w: f64, h: f64) -> Rect {
    Rect {
        x: 0.0,
        y: 0.0,
        w,
        h,
    }
}

#[test]
fn one_balancer_is_placed_as_before() {
    let servers = |n: u32| {
        let mut s = Scenario::classroom();
        s.servers = (1..=n).map(|i| server(&format!("s-{i}"), 1, 1)).collect();
        run(s, 0)
    };
    let four = servers(4);
    let layout = Layout::new(1000.0, 400.0, 1.0, &four);
    let b = Rect {
        x: 1000.0 * 0.38 - 95.0,
        y: 150.0,
        w: 190.0,
        h: 100.0,
    };
    assert_eq!(layout.balancers, vec![b]);
    assert_eq!(layout.entry, b.left());
    assert!(layout.bands.is_empty());
    assert_eq!(layout.style, ServerStyle::Boxes);
    assert_eq!(
        layout.servers[0].y,
        MARGIN + (362.0_f64 / 4.0 * 0.15).min(12.0) / 2.0
    );
    let thousand = servers(1_000);
    let many = Layout::new(1000.0, 400.0, 1.0, &thousand);
    assert_eq!(many.style, ServerStyle::Cells);
    assert_eq!(many.servers.len(), 1_000);
    assert_eq!(many.servers[0].x, 620.0);
    assert_eq!(many.servers[0].y, MARGIN + 20.0);
}

#[test]
fn every_balancer_box_is_on_the_canvas_and_clear_of_the_rest() {
    for id in [
        "many-balancers-herding",
        "balancer-failover",
        "regions-failover",
        "hierarchical-balancing",
    ] {
        let sim = run(preset(id).unwrap(), 0);
        for (w, h, scale) in SIZES {
            let l = Layout::new(w, h, scale, &sim);
            assert_eq!(l.balancers.len(), sim.front().unwrap().len(), "{id}");
            for (i, b) in l.balancers.iter().enumerate() {
                assert!(
                    canvas(w, h).contains(b),
                    "{id} {w}x{h}: lb-{} off the canvas",
                    i + 1
                );
                assert!(b.h > 0.0 && b.w > 0.0, "{id}: lb-{} has no area", i + 1);
                for other in &l.balancers[i + 1..] {
                    assert!(!b.overlaps(other), "{id} {w}x{h}: balancers overlap");
                }
                for s in &l.servers {
                    assert!(!b.overlaps(s), "{id} {w}x{h}: a balancer covers a server");
                }
                assert!(
                    b.x > l.clients.x + l.clients.w,
                    "{id}: a balancer over the clients"
                );
                // A VRRP group's virtual address, its ring and its label "virtual IP", clear
                // of them too.
                let vrrp = sim.front().unwrap().vrrp().is_some();
                assert!(
                    !vrrp || l.entry.0 - 30.0 * scale > l.clients.x + l.clients.w,
                    "{id} {w}x{h}: the virtual address over the clients"
                );
            }
        }
    }
}

#[test]
fn region_bands_are_disjoint_and_hold_their_balancers_servers_and_clients() {
    for scenario in [preset("regions-failover").unwrap(), three_by_two_by_ten()] {
        let sim = run(scenario, 0);
        let n = sim.servers().len();
        for (w, h, scale) in SIZES {
            let l = Layout::new(w, h, scale, &sim);
            assert_eq!(l.bands.len(), 3);
            assert_eq!(l.servers.len(), n);
            for (i, band) in l.bands.iter().enumerate() {
                assert!(canvas(w, h).contains(&band.frame));
                for other in &l.bands[i + 1..] {
                    assert!(!band.frame.overlaps(&other.frame), "{w}x{h}: bands overlap");
                }
                assert!(band.frame.contains(&band.clients));
                for b in band.balancers.clone() {
                    assert!(
                        band.frame.contains(&l.balancers[b]),
                        "{w}x{h}: lb-{}",
                        b + 1
                    );
                }
                for s in band.servers.clone() {
                    assert!(band.frame.contains(&l.servers[s]), "{w}x{h}: server {s}");
                    assert_eq!(l.senders(s), band.balancers);
                }
            }
            // Every client starts in its own region's band.
            let front = sim.front().unwrap();
            for client in (0..sim.traffic().clients).step_by(97) {
                let (x, y) = l.client_point(client);
                let home = &l.bands[front.client_region(client).unwrap()].clients;
                assert!(x == home.x + home.w && y >= home.y && y <= home.y + home.h);
            }
        }
    }
}

#[test]
fn a_request_travels_through_its_own_balancer() {
    for id in [
        "many-balancers-herding",
        "balancer-failover",
        "regions-failover",
    ] {
        let sim = run(preset(id).unwrap(), 8);
        let l = Layout::new(1240.0, 420.0, 1.0, &sim);
        let mut seen = 0;
        for r in sim.requests() {
            let Some(segment) = l.segment(r, sim.now()) else {
                continue;
            };
            seen += 1;
            let (door, back) = match l.balancers.get(usize::from(r.via)) {
                Some(b) => (b.left(), b.right()),
                None => {
                    assert_eq!(r.via, NOT_YET);
                    (l.entry, l.entry)
                }
            };
            let lane = |p: (f64, f64)| (p.0, p.1 + RETURN_LANE);
            match r.phase {
                Phase::ToBalancer => assert_eq!(segment.to, door, "{id}"),
                Phase::ToServer => assert_eq!(segment.from, back, "{id}"),
                Phase::ToBalancerBack => assert_eq!(segment.to, lane(back), "{id}"),
                Phase::ToClient => assert_eq!(segment.from, lane(door), "{id}"),
                _ => assert_eq!(segment.from, door, "{id}"),
            }
            if let Some(server) = r.server {
                // Its server is one its balancer sends to (its region's, with regions).
                assert!(l.senders(server as usize).contains(&usize::from(r.via)));
            }
        }
        assert!(seen > 0, "{id}: no request drawn");
    }
}

/// While lb-1 is down and the DNS still names it, its clients wait to resend their SYNs: those
/// requests are counted at their clients' box, not drawn crawling along a link.
#[test]
fn requests_waiting_to_resend_a_syn_are_not_on_a_link() {
    let sim = run(preset("balancer-tier-sizing").unwrap(), 36);
    let l = Layout::new(1240.0, 420.0, 1.0, &sim);
    let (mut waiting, mut travelling) = (0, 0);
    for r in sim.requests() {
        if r.resending_syn() {
            waiting += 1;
            assert!(l.segment(r, sim.now()).is_none());
            assert_eq!(l.clients_box(r.client), &l.clients);
        } else if r.phase == Phase::ToBalancer {
            travelling += 1;
            assert!(l.segment(r, sim.now()).is_some());
        }
    }
    assert!(waiting > 100, "{waiting} resending at 36 s");
    assert!(travelling > 0);
}

#[test]
fn a_thousand_servers_behind_several_balancers_are_cells() {
    let mut s = preset("many-balancers-herding").unwrap();
    s.servers = (1..=1_000)
        .map(|i| server(&format!("s-{i}"), 1, 1))
        .collect();
    let sim = run(s, 0);
    let l = Layout::new(1240.0, 420.0, 1.0, &sim);
    assert_eq!(l.style, ServerStyle::Cells);
    assert!(l.servers.iter().all(|c| canvas(1240.0, 420.0).contains(c)));
    assert!(l.balancers.iter().all(|b| b.x + b.w < l.servers[0].x));
}

/// The hierarchical preset with `per_cluster` servers in each of its four clusters.
fn hierarchy(per_cluster: u32) -> Scenario {
    let mut s = preset("hierarchical-balancing").unwrap();
    let n = 4 * per_cluster;
    s.servers = (1..=n).map(|i| server(&format!("s-{i}"), 1, 1)).collect();
    for r in &mut s.front.as_mut().unwrap().regions {
        r.servers = n / 2;
    }
    s
}

#[test]
fn each_local_balancer_is_framed_with_its_cluster_clear_of_the_rest() {
    for scenario in [preset("hierarchical-balancing").unwrap(), hierarchy(150)] {
        let sim = run(scenario, 0);
        let front = sim.front().unwrap();
        for (w, h, scale) in SIZES {
            let l = Layout::new(w, h, scale, &sim);
            assert_eq!(l.balancers.len(), front.len());
            assert_eq!(l.clusters.len(), 4);
            for (i, c) in l.clusters.iter().enumerate() {
                assert!(front.is_local(c.balancer as u8));
                let band = l.bands.iter().find(|b| b.clusters.contains(&i)).unwrap();
                assert!(band.frame.contains(&c.frame), "{w}x{h}: cluster {i}");
                let local = &l.balancers[c.balancer];
                assert!(c.frame.contains(local), "{w}x{h}: lb-{}", c.balancer + 1);
                for s in c.servers.clone() {
                    assert!(c.frame.contains(&l.servers[s]), "{w}x{h}: server {s}");
                    assert!(!local.overlaps(&l.servers[s]), "{w}x{h}: server {s}");
                    assert_eq!(l.senders(s), c.balancer..c.balancer + 1);
                }
                for other in &l.clusters[i + 1..] {
                    assert!(!c.frame.overlaps(&other.frame), "{w}x{h}: clusters overlap");
                }
                for regional in band.balancers.clone() {
                    let r = &l.balancers[regional];
                    assert!(
                        !c.frame.overlaps(r),
                        "{w}x{h}: lb-{} in a cluster",
                        regional + 1
                    );
                }
            }
        }
    }
}

#[test]
fn a_request_goes_through_its_regional_then_its_local_balancer() {
    let mut sim = run(preset("hierarchical-balancing").unwrap(), 8);
    let (mut first, mut second) = (0, 0);
    // A few hundred instants half a millisecond apart, to catch requests on both stretches.
    for _ in 0..400 {
        sim.advance_by(SimDuration::from_micros(500));
        let l = Layout::new(1240.0, 420.0, 1.0, &sim);
        // A 1 ms hop on a 2 ms way to the servers: a third of the way is the hop.
        assert!((l.hop_share - 1.0 / 3.0).abs() < 1e-9);
        for r in sim.requests().filter(|r| r.phase == Phase::ToServer) {
            let segment = l.segment(r, sim.now()).unwrap();
            let (regional, local) = (
                l.balancers[usize::from(r.via)],
                l.balancers[usize::from(r.picker)],
            );
            assert_ne!(r.via, r.picker);
            if r.progress(sim.now()) < l.hop_share {
                assert_eq!((segment.from, segment.to), (regional.right(), local.left()));
                first += 1;
            } else {
                let inlet = l.server_inlet(r.server.unwrap() as usize);
                assert_eq!((segment.from, segment.to), (local.right(), inlet));
                second += 1;
            }
            assert!((0.0..=1.0).contains(&segment.progress));
        }
    }
    assert!(
        first > 0 && second > 0,
        "on the hop {first}, past it {second}"
    );
}

#[test]
fn two_stretches_share_the_time_and_cover_the_way() {
    let points = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (40.0, 0.0)];
    assert_eq!(
        two_stretches(points, 0.25, 0.125),
        ((0.0, 0.0), (10.0, 0.0), 0.5)
    );
    assert_eq!(
        two_stretches(points, 0.25, 0.625),
        ((20.0, 0.0), (40.0, 0.0), 0.5)
    );
    assert_eq!(
        two_stretches(points, 1.0, 1.0),
        ((20.0, 0.0), (40.0, 0.0), 1.0)
    );
    assert_eq!(
        two_stretches(points, 0.0, 0.0),
        ((20.0, 0.0), (40.0, 0.0), 0.0)
    );
}

#[test]
fn nothing_but_the_clients_reaches_into_the_legend_row() {
    let mut many = Scenario::classroom();
    many.servers = (1..=300).map(|i| server(&format!("s-{i}"), 1, 1)).collect();
    let scenarios = [
        Scenario::classroom(),
        many,
        preset("many-balancers-herding").unwrap(),
        preset("regions-failover").unwrap(),
        preset("hierarchical-balancing").unwrap(),
    ];
    for scenario in scenarios {
        let sim = run(scenario, 0);
        for (w, h, scale) in SIZES {
            let l = Layout::new(w, h, scale, &sim);
            let legend = l.legend_top;
            assert_eq!(legend, h - LEGEND_ROOM * scale);
            let bottom = |r: &Rect| r.y + r.h;
            let frames = l.bands.iter().map(|b| &b.frame);
            let clusters = l.clusters.iter().map(|c| &c.frame);
            for r in l
                .servers
                .iter()
                .chain(&l.balancers)
                .chain(frames)
                .chain(clusters)
            {
                assert!(
                    bottom(r) <= legend,
                    "{w}x{h}x{scale}: {r:?} in the legend's row"
                );
            }
        }
    }
}

#[test]
fn on_a_narrow_canvas_the_one_balancer_narrows_between_the_clients_and_the_servers() {
    // Compare mode's half of the present layout, and a phone.
    for (w, h, scale) in [
        (364.0, 300.0, 1.35),
        (390.0, 320.0, 1.0),
        (1000.0, 400.0, 1.0),
    ] {
        let sim = run(Scenario::classroom(), 0);
        let l = Layout::new(w, h, scale, &sim);
        let b = l.balancers[0];
        assert!(b.w > 0.0 && b.x > l.clients.x + l.clients.w, "{w}: {b:?}");
        for s in &l.servers {
            assert!(b.x + b.w < s.x, "{w}: {b:?} over {s:?}");
        }
    }
}

#[test]
fn on_the_smallest_canvas_several_balancers_stay_between_the_clients_and_the_servers() {
    // A canvas with no style sheet is 300 x 150 (the browser tests' page).
    for id in ["balancer-failover", "many-balancers-herding"] {
        let sim = run(preset(id).unwrap(), 0);
        let l = Layout::new(300.0, 150.0, 1.0, &sim);
        let servers = l.servers.iter().map(|s| s.x).fold(300.0, f64::min);
        for b in &l.balancers {
            assert!(b.x >= l.clients.x + l.clients.w, "{id}: {b:?}");
            assert!(
                b.x + b.w <= servers,
                "{id}: {b:?} over the servers at {servers}"
            );
        }
    }
}
