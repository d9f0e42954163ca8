//! Time travel in the core: a run rewound from its checkpoints is the very run that was, at any
//! moment, played on it retraces its history exactly (user commands given mid-instant by frames
//! cut short included), and a change in the past forks it.
#![cfg(not(target_arch = "wasm32"))]

use lb_playground::sim::inspect;
use lb_playground::sim::presets::preset;
use lb_playground::sim::report::Report;
use lb_playground::sim::tape::{BUDGET_BYTES, MAX_CHECKPOINTS, Tape, footprint};
use lb_playground::sim::{Command, Logged, Phase, SimDuration, SimTime, Simulation};

/// Everything a run measured, and where it is.
fn fingerprint(sim: &Simulation) -> String {
    format!(
        "{} {} {}",
        sim.now().0,
        sim.events_processed(),
        Report::of(sim, Vec::new()).to_json()
    )
}

/// A small deterministic stream of numbers for the test's own choices.
struct Choices(u64);

impl Choices {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// A user's command on server `server` of `sim`, one of a few kinds.
fn some_command(sim: &Simulation, choices: &mut Choices) -> Command {
    let server = choices.next(sim.servers().len() as u64) as usize;
    match choices.next(4) {
        0 if sim.servers()[server].is_alive() => Command::Kill { server },
        0 => Command::Revive { server },
        1 => Command::SetWeight {
            server,
            weight: 1 + choices.next(4) as u32,
        },
        2 => Command::SetSpeed {
            server,
            speed: [0.25, 0.5, 1.0][choices.next(3) as usize],
        },
        _ => Command::SetRate(sim.traffic().rate * [0.8, 1.25][choices.next(2) as usize]),
    }
}

/// A run of preset `id` played as a page plays it, to `end`: frames of 250 ms whose event budget
/// is sometimes too small to get there, commands given between frames (some mid-instant), the
/// tape kept after each. Returns the run, its tape, every event it emitted, and fingerprints
/// taken at frame ends that reached their time (after the commands given there).
fn played(id: &str, end: f64, every: u64) -> (Simulation, Tape, Vec<Logged>, Vec<String>) {
    let mut sim = Simulation::new(preset(id).unwrap()).unwrap();
    let mut tape = Tape::spaced(&sim, every);
    let mut choices = Choices(id.len() as u64);
    let (mut log, mut snapshots) = (Vec::new(), Vec::new());
    let end = SimTime::from_secs_f64(end);
    while sim.now() < end {
        let target = (sim.now() + SimDuration::from_millis(250)).min(end);
        let budget = [20, 200, 5_000, u64::MAX][choices.next(4) as usize];
        let reached = sim.advance_within(target, budget);
        tape.keep(&sim);
        for _ in 0..choices.next(3) {
            // Refused commands (a revive of a live server...) change nothing, as in the page.
            let _ = sim.apply(some_command(&sim, &mut choices));
        }
        log.extend(sim.drain_events());
        if reached && choices.next(5) == 0 {
            snapshots.push(fingerprint(&sim));
        }
    }
    (sim, tape, log, snapshots)
}

fn time_of(fingerprint: &str) -> SimTime {
    SimTime(fingerprint.split(' ').next().unwrap().parse().unwrap())
}

#[test]
fn a_rewound_run_is_the_run_that_was_and_retraces_its_history() {
    for id in [
        "cascading-failure",
        "retry-storm",
        "autoscale-flash-crowd",
        "layer4-vs-layer7",
        "consistent-hash-leave",
    ] {
        let (head, tape, log, snapshots) = played(id, 90.0, 300);
        assert!(
            tape.checkpoints() > 3,
            "{id}: {} checkpoints",
            tape.checkpoints()
        );
        assert!(snapshots.len() > 5, "{id}");
        assert_eq!(tape.reach(), head.now());
        for snapshot in snapshots.iter().step_by(3) {
            let t = time_of(snapshot);
            let mut back = tape.seek(&head, t);
            assert_eq!(&fingerprint(&back), snapshot, "{id}: the run at {t:?}");
            // Played on, it goes on as the history went: the same events, the same end.
            back.advance_to(head.now());
            let after: Vec<_> = back.drain_events().collect();
            let expected: Vec<_> = log.iter().filter(|l| l.at > t).cloned().collect();
            assert_eq!(after, expected, "{id}: the events after {t:?}");
            assert_eq!(fingerprint(&back), fingerprint(&head), "{id}: the end");
            assert!(!back.retracing(), "{id}: every command given again");
        }
    }
}

#[test]
fn a_rewound_run_can_go_forward_again_from_the_past() {
    let (head, tape, _, snapshots) = played("crash-recovery", 60.0, 300);
    let early = tape.seek(&head, SimTime::from_secs_f64(5.0));
    // Seeking forward from a run in the past, to a later moment of the same history.
    for snapshot in &snapshots {
        let t = time_of(snapshot);
        assert_eq!(&fingerprint(&tape.seek(&early, t)), snapshot);
    }
    // Beyond the reach is the reach.
    let last = tape.seek(&early, SimTime::from_secs_f64(1e6));
    assert_eq!(fingerprint(&last), fingerprint(&head));
}

#[test]
fn a_change_in_the_past_forks_the_history() {
    let (head, mut tape, _, _) = played("cascading-failure", 60.0, 300);
    let before = tape.checkpoints();
    let t = SimTime::from_secs_f64(20.0);
    let mut back = tape.seek(&head, t);
    assert!(back.retracing(), "the history gave commands after 20 s");
    back.apply(Command::Kill { server: 0 }).unwrap();
    back.forget_future();
    tape.fork(&back);
    assert_eq!(tape.reach(), t);
    assert!(
        tape.checkpoints() < before,
        "the future's checkpoints are gone"
    );
    back.advance_to(head.now());
    assert_ne!(fingerprint(&back), fingerprint(&head), "a new history");
    tape.keep(&back);
    assert_eq!(tape.reach(), head.now());
    // The forked history's own past is there to go back to.
    let mut again = tape.seek(&back, t);
    again.advance_to(head.now());
    assert_eq!(fingerprint(&again), fingerprint(&back));
}

#[test]
fn a_long_run_keeps_a_bounded_number_of_checkpoints() {
    let (head, tape, _, snapshots) = played("retry-storm", 120.0, 20);
    assert!(tape.checkpoints() <= MAX_CHECKPOINTS);
    assert!(tape.checkpoints() >= MAX_CHECKPOINTS / 2);
    for snapshot in snapshots.iter().step_by(5) {
        assert_eq!(&fingerprint(&tape.seek(&head, time_of(snapshot))), snapshot);
    }
}

#[test]
fn a_request_is_inspected_hop_by_hop_as_it_went() {
    let mut head = Simulation::new(preset("retry-storm").unwrap()).unwrap();
    head.keep_finished(true);
    let mut tape = Tape::spaced(&head, 500);
    let mut finished = Vec::new();
    while head.now() < SimTime::from_secs_f64(60.0) {
        head.advance_by(SimDuration::from_millis(500));
        tape.keep(&head);
        head.drain_events().for_each(drop);
        finished.extend(std::iter::from_fn(|| head.poll_finished()));
    }
    let retried: Vec<_> = finished.iter().filter(|r| r.tries >= 2).take(5).collect();
    assert!(!retried.is_empty(), "the retry storm retries");
    for record in retried.into_iter().chain(finished.iter().step_by(97)) {
        let story = inspect::story(&tape, &head, record.seq, record.sent).unwrap();
        assert_eq!(story.finished.as_ref(), Some(record));
        assert_eq!(story.hops[0].start, record.sent, "#{}", record.seq);
        assert_eq!(story.hops[0].phase, Phase::ToBalancer);
        for pair in story.hops.windows(2) {
            assert_eq!(
                pair[0].end, pair[1].start,
                "#{}: {:?}",
                record.seq, story.hops
            );
        }
        assert_eq!(story.hops.last().unwrap().end, record.sent + record.latency);
        let tries = story.hops.iter().map(|h| h.try_number).max().unwrap();
        assert_eq!(tries, record.tries, "#{}: {:?}", record.seq, story.hops);
        assert_eq!(story.servers().last().copied(), record.server);
    }
    // A request still on its way when the history ends.
    let live = head.requests().next().expect("requests in flight");
    let story = inspect::story(&tape, &head, live.seq.0, live.created).unwrap();
    assert!(story.finished.is_none());
    let last = story.hops.last().unwrap();
    assert_eq!((last.phase, last.server), (live.phase, live.server));
    // No request was sent then.
    assert_eq!(
        inspect::story(&tape, &head, 3, SimTime::from_secs_f64(50.0)),
        None
    );
}

#[test]
fn an_overloaded_run_keeps_its_checkpoints_within_the_memory_budget() {
    // Four servers for 2,000 requests a second: requests pile up by the hundred thousand, and a
    // copy of the run grows with them.
    let mut scenario = preset("equal-round-robin").unwrap();
    scenario.traffic.rate = 2_000.0;
    let mut head = Simulation::new(scenario).unwrap();
    let mut tape = Tape::spaced(&head, 20_000);
    while head.now() < SimTime::from_secs_f64(240.0) {
        head.advance_by(SimDuration::from_secs(1));
        head.drain_events().for_each(drop);
        tape.keep(&head);
        assert!(tape.bytes() <= BUDGET_BYTES, "{} bytes", tape.bytes());
    }
    assert!(
        footprint(&head) > BUDGET_BYTES / 4,
        "{} bytes",
        footprint(&head)
    );
    // Jumps still land where they should.
    let t = SimTime::from_secs_f64(200.0);
    assert_eq!(tape.seek(&head, t).now(), t);
}
